"""Checking a model package completely before a single byte is extracted.

Package files come from others. The archive's members (paths, links, sizes, compression
ratios: models/archive.py), the required files and the languages the package claims are all
checked, and a package that fails any check is refused with the reason. Two kinds are taken:
an Argos package (metadata.json, a CTranslate2 model in model/, a tokenizer), and a CTranslate2
model converted from Marian, M2M100 or NLLB (model.bin, config.json, a vocabulary, the
family's tokenizer files and briefing-model.json: models/families.py), each as a zip, a tar
archive or a folder.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from briefing.errors import InputError, json_value
from briefing.languages import SOURCE_LANGUAGE
from briefing.models.archive import (
    DEFAULT_LIMITS,
    Member,
    Package,
    PackageLimits,
    check_members,
    refuse,
)
from briefing.models.families import (
    DESCRIPTION_NAME,
    MODEL_FILES,
    VOCABULARIES,
    ModelCard,
    read_card,
    read_vocabulary,
)
from briefing.models.store import METADATA_NAME

TOKENIZER_NAMES = ("sentencepiece.model", "bpe.model")
ARGOS_MODEL_FILES = tuple(f"model/{name}" for name in MODEL_FILES)
# A language code as Argos uses them (ja, ko, zt, pt-BR); it also becomes part of a folder name.
CODE_RE = re.compile(r"^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})?$")
VERSION_RE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z.+-]{0,31}$")
# A language pair in a name: "translate-en_ja", or "en_ja" alone between non-letters.
PAIR_IN_NAME_RE = re.compile(r"(?<![a-z])([a-z]{2,3})_([a-z]{2,3})(?![a-z])", re.IGNORECASE)

__all__ = [
    "DEFAULT_LIMITS",
    "CODE_RE",
    "CheckedPackage",
    "PackageLimits",
    "check_package",
    "refuse",
]


@dataclass(frozen=True)
class CheckedPackage:
    """What the checks found in a package that passed them."""

    source: str
    top: str
    from_code: str
    to_code: str  # the first (for Argos, the one) target language
    package_version: str
    unpacked_bytes: int
    members: list[Member] = field(repr=False)
    card: ModelCard | None = None  # a converted model's; None for an Argos package

    @property
    def family(self) -> str:
        return self.card.family if self.card else "argos"

    @property
    def name(self) -> str:
        """The model's name: the Argos package code (translate-en_ja), else the card's."""
        return self.card.name if self.card else f"translate-{self.from_code}_{self.to_code}"

    @property
    def targets(self) -> tuple[str, ...]:
        return self.card.targets if self.card else (self.to_code,)

    @property
    def folder_name(self) -> str:
        version = self.package_version.replace(".", "_")
        if self.card:
            return f"{self.card.name}-{version}"
        return f"translate-{self.from_code}_{self.to_code}-{version}"


def _pair_in_name(name: str) -> tuple[str, str] | None:
    """The English→xx pair a name spells ("translate-en_ja-1_1", "en_ko.argosmodel"), if any;
    a pair that contradicts the metadata is preferred, so that no name can hide one."""
    pairs = [
        (match.group(1).lower(), match.group(2).lower())
        for match in PAIR_IN_NAME_RE.finditer(name)
        if match.group(1).lower() == SOURCE_LANGUAGE
    ]
    return pairs[0] if pairs else None


def _check_names(
    source: str,
    names: dict[str, str],
    from_code: str,
    targets: tuple[str, ...],
    described: str = "metadata.json",
) -> None:
    """Every name that spells a language pair (file, folder in the archive) must spell one of
    the package's."""
    for what, name in names.items():
        for match in PAIR_IN_NAME_RE.finditer(name):
            named = (match.group(1).lower(), match.group(2).lower())
            if named[0] == SOURCE_LANGUAGE and named not in {(from_code, t) for t in targets}:
                raise refuse(
                    source,
                    f"{what} says {named[0]}→{named[1]} but {described} says "
                    f"{from_code}→{'/'.join(targets)}",
                )


def _check_metadata(
    source: str, raw: bytes, expected_target: str | None, names: dict[str, str]
) -> tuple[str, str, str]:
    try:
        metadata = json_value(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as error:
        raise refuse(source, f"metadata.json is not valid JSON ({error})") from None
    if not isinstance(metadata, dict):
        raise refuse(source, "metadata.json is not a JSON object")
    kind = metadata.get("type", "translate")
    if kind != "translate":
        raise refuse(source, f"metadata.json says type {kind!r}; a translation package is needed")
    codes = {}
    for key in ("from_code", "to_code"):
        value = metadata.get(key)
        if not isinstance(value, str) or not CODE_RE.match(value):
            raise refuse(source, f"metadata.json has no usable {key} (found {value!r})")
        codes[key] = value
    from_code, to_code = codes["from_code"], codes["to_code"]
    claimed = f"{from_code}→{to_code}"
    if from_code != SOURCE_LANGUAGE:
        raise refuse(
            source,
            f"metadata.json says {claimed}; briefing translates from English "
            f"({SOURCE_LANGUAGE}→…) only",
        )
    if to_code == from_code:
        raise refuse(source, f"metadata.json says {claimed}, a language into itself")
    if expected_target is not None and to_code != expected_target:
        raise refuse(
            source,
            f"metadata.json says {claimed} but {SOURCE_LANGUAGE}→{expected_target} was asked for",
        )
    _check_names(source, names, from_code, (to_code,))
    code = metadata.get("code")
    if isinstance(code, str):
        in_code = _pair_in_name(code)
        if in_code is not None and in_code != (from_code, to_code):
            raise refuse(
                source, f"metadata.json's code {code!r} contradicts its languages {claimed}"
            )
    version = str(metadata.get("package_version", "0") or "0")
    if not VERSION_RE.match(version):
        raise refuse(source, f"metadata.json has an unusable package_version {version!r}")
    return from_code, to_code, version


def check_package(
    path: Path,
    expected_target: str | None = None,
    limits: PackageLimits = DEFAULT_LIMITS,
    source: str | None = None,
    file_name: str | None = None,
) -> CheckedPackage:
    """Check a package file or folder completely without extracting anything; InputError
    says why not.

    `expected_target` is the language asked for when installing by code; `source` names the
    package in messages (a URL for downloads); `file_name` is the name whose languages must agree
    with the package's (defaults to the file's own name).
    """
    label = source or str(path)
    if not path.exists():
        raise InputError(f"{label}: no such file or folder")
    with Package(path, label) as package:
        members = package.members()
        top = check_members(package, members, limits)
        files = {
            m.name.rstrip("/").split("/", 1)[1]: m
            for m in members
            if not m.is_dir and "/" in m.name.rstrip("/")
        }
        names = {"the file name": file_name or path.name, f"the package folder {top}/": top}
        total = sum(m.size for m in files.values())
        if DESCRIPTION_NAME not in files and "model.bin" not in files:
            raw = _argos_files(package, files, top, limits)
            from_code, to_code, version = _check_metadata(label, raw, expected_target, names)
            return CheckedPackage(label, top, from_code, to_code, version, total, members)
        card = _converted_card(package, files, top, limits)
    if card.source != SOURCE_LANGUAGE:
        raise refuse(
            label,
            f"{DESCRIPTION_NAME} says {card.source}→…; briefing translates from English "
            f"({SOURCE_LANGUAGE}→…) only",
        )
    if SOURCE_LANGUAGE in card.targets:
        raise refuse(label, f"{DESCRIPTION_NAME} lists {SOURCE_LANGUAGE}, the source, as a target")
    if expected_target is not None and expected_target not in card.targets:
        raise refuse(label, f"it translates into {'/'.join(card.targets)}, not {expected_target}")
    _check_names(label, names, card.source, card.targets, DESCRIPTION_NAME)
    return CheckedPackage(
        label, top, card.source, card.targets[0], card.version, total, members, card
    )


def _argos_files(
    package: Package, files: dict[str, Member], top: str, limits: PackageLimits
) -> bytes:
    """An Argos package's required files checked; its metadata.json's bytes."""
    if METADATA_NAME not in files:
        raise refuse(
            package.label,
            f"no metadata.json in the package folder {top}/ (an Argos package has one; a "
            f"converted CTranslate2 model has model.bin and {DESCRIPTION_NAME} instead)",
        )
    missing_model = [name for name in ARGOS_MODEL_FILES if name not in files]
    if missing_model:
        raise refuse(
            package.label,
            f"no CTranslate2 model (missing {', '.join(missing_model)} in {top}/)",
        )
    if not any(name in files for name in TOKENIZER_NAMES):
        raise refuse(
            package.label, f"no tokenizer ({' or '.join(TOKENIZER_NAMES)}) in the package folder"
        )
    metadata = files[METADATA_NAME]
    if metadata.size > limits.max_metadata_bytes:
        raise refuse(package.label, f"metadata.json is {metadata.size} bytes, too large")
    return package.read(metadata, limits.max_metadata_bytes, "metadata.json")


def _converted_card(
    package: Package, files: dict[str, Member], top: str, limits: PackageLimits
) -> ModelCard:
    """A converted model's required files checked, and its card read and checked."""
    label = package.label
    missing = [name for name in MODEL_FILES if name not in files]
    if missing:
        raise refuse(label, f"no CTranslate2 model (missing {', '.join(missing)} in {top}/)")
    vocabulary_name = next((name for name in VOCABULARIES if name in files), None)
    if vocabulary_name is None:
        raise refuse(
            label, f"no vocabulary ({' or '.join(VOCABULARIES[::2])}) beside model.bin in {top}/"
        )
    if DESCRIPTION_NAME not in files:
        raise refuse(
            label,
            f"no {DESCRIPTION_NAME} beside model.bin in {top}/: write one that names the model, "
            'e.g. {"family": "marian", "name": "opus-mt-en-jap", "version": "1", '
            '"source": "en", "target": "ja", "licence": "CC-BY-4.0"} (see the README)',
        )
    raw = package.read(files[DESCRIPTION_NAME], limits.max_metadata_bytes, DESCRIPTION_NAME)
    try:
        vocabulary = read_vocabulary(
            package.read(files[vocabulary_name], limits.max_vocabulary_bytes, vocabulary_name),
            vocabulary_name,
        )
    except (UnicodeDecodeError, ValueError) as error:
        raise refuse(label, f"{vocabulary_name} is not a vocabulary ({error})") from None
    try:
        return read_card(raw, f"{top}/{DESCRIPTION_NAME}", set(files), vocabulary)
    except InputError as error:
        raise refuse(label, str(error)) from None
