"""Checking an Argos package file completely before a single byte is extracted.

Package files come from others: member paths, links, sizes and compression ratios, required
files and the languages its metadata claims are all checked, and a package that fails any
check is refused with the reason.
"""

from __future__ import annotations

import json
import re
import stat
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from briefing.errors import InputError
from briefing.languages import SOURCE_LANGUAGE
from briefing.models.store import METADATA_NAME

TOKENIZER_NAMES = ("sentencepiece.model", "bpe.model")
MODEL_FILES = ("model/model.bin", "model/config.json")
# A language code as Argos uses them (ja, ko, zt, pt-BR); it also becomes part of a folder name.
CODE_RE = re.compile(r"^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})?$")
VERSION_RE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z.+-]{0,31}$")
# "translate-en_ja" in a file name, a package code or a download link.
# A language pair in a name: "translate-en_ja", or "en_ja" alone between non-letters.
PAIR_IN_NAME_RE = re.compile(r"(?<![a-z])([a-z]{2,3})_([a-z]{2,3})(?![a-z])", re.IGNORECASE)
DRIVE_RE = re.compile(r"^[A-Za-z]:")


@dataclass(frozen=True)
class PackageLimits:
    """Bounds on what a package may unpack to; anything beyond is refused as a zip bomb."""

    max_unpacked_bytes: int = 2 * 1024**3
    max_ratio: float = 200.0
    ratio_min_bytes: int = 1024**2
    max_members: int = 1000
    max_metadata_bytes: int = 1024**2


DEFAULT_LIMITS = PackageLimits()


@dataclass(frozen=True)
class CheckedPackage:
    """What the checks found in a package file that passed them."""

    source: str
    top: str
    from_code: str
    to_code: str
    package_version: str
    unpacked_bytes: int
    members: list[zipfile.ZipInfo] = field(repr=False)

    @property
    def folder_name(self) -> str:
        version = self.package_version.replace(".", "_")
        return f"translate-{self.from_code}_{self.to_code}-{version}"


def refuse(source: str, reason: str) -> InputError:
    return InputError(f"{source}: refused: {reason}")


def _name_problem(name: str) -> str | None:
    """Why a member name could write outside the package folder, or None when it cannot."""
    shown = repr(name)
    if not name:
        return "a member has an empty name"
    if "\\" in name:
        return f"member {shown} has a backslash in its path"
    if any(ord(c) < 32 or ord(c) == 127 for c in name):
        return f"member {shown} has control characters in its name"
    if name.startswith("/"):
        return f"member {shown} has an absolute path"
    if DRIVE_RE.match(name):
        return f"member {shown} has a drive letter"
    parts = name[:-1].split("/") if name.endswith("/") else name.split("/")
    if ".." in parts:
        return f"member {shown} climbs out of the package folder with '..'"
    if any(part in ("", ".") for part in parts):
        return f"member {shown} has an empty or '.' path component"
    return None


def _type_problem(info: zipfile.ZipInfo) -> str | None:
    mode = info.external_attr >> 16
    kind = stat.S_IFMT(mode)
    if stat.S_ISLNK(mode):
        return f"member {info.filename!r} is a symbolic link"
    if kind and kind not in (stat.S_IFREG, stat.S_IFDIR):
        return f"member {info.filename!r} is a special file, not a file or folder"
    if info.flag_bits & 0x1:
        return f"member {info.filename!r} is encrypted"
    if info.compress_type not in (
        zipfile.ZIP_STORED,
        zipfile.ZIP_DEFLATED,
        zipfile.ZIP_BZIP2,
        zipfile.ZIP_LZMA,
    ):
        return f"member {info.filename!r} uses an unknown compression method"
    return None


def _pair_in_name(name: str) -> tuple[str, str] | None:
    """The English→xx pair a name spells ("translate-en_ja-1_1", "en_ko.argosmodel"), if any;
    a pair that contradicts the metadata is preferred, so that no name can hide one."""
    pairs = [
        (match.group(1).lower(), match.group(2).lower())
        for match in PAIR_IN_NAME_RE.finditer(name)
        if match.group(1).lower() == SOURCE_LANGUAGE
    ]
    return pairs[0] if pairs else None


def _check_names(source: str, names: dict[str, str], from_code: str, to_code: str) -> None:
    """Every name that spells a language pair (file, folder in the zip) must spell this one."""
    for what, name in names.items():
        for match in PAIR_IN_NAME_RE.finditer(name):
            named = (match.group(1).lower(), match.group(2).lower())
            if named[0] == SOURCE_LANGUAGE and named != (from_code, to_code):
                raise refuse(
                    source,
                    f"{what} says {named[0]}→{named[1]} but metadata.json says "
                    f"{from_code}→{to_code}",
                )


def _check_metadata(
    source: str, raw: bytes, expected_target: str | None, names: dict[str, str]
) -> tuple[str, str, str]:
    try:
        metadata = json.loads(raw.decode("utf-8-sig"))
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
    _check_names(source, names, from_code, to_code)
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
    """Check a package file completely without extracting anything; InputError says why not.

    `expected_target` is the language asked for when installing by code; `source` names the
    package in messages (a URL for downloads); `file_name` is the name whose languages must agree
    with the metadata (defaults to the file's own name).
    """
    label = source or str(path)
    if not path.is_file():
        raise InputError(f"{label}: no such file")
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError):
        raise refuse(label, "not a zip archive (an Argos package is a .argosmodel zip)") from None
    with archive:
        infos = archive.infolist()
        if not infos:
            raise refuse(label, "the zip archive is empty")
        if len(infos) > limits.max_members:
            raise refuse(
                label, f"{len(infos)} members, more than the limit of {limits.max_members}"
            )
        tops: set[str] = set()
        files: dict[str, zipfile.ZipInfo] = {}
        folders: set[str] = set()
        seen: set[str] = set()
        total = 0
        for info in infos:
            name = info.filename
            problem = _name_problem(name) or _type_problem(info)
            if problem:
                raise refuse(label, problem)
            is_dir = name.endswith("/") or stat.S_ISDIR(info.external_attr >> 16)
            parts = name.rstrip("/").split("/")
            key = "/".join(parts)
            if key in seen:
                raise refuse(label, f"member {name!r} appears twice")
            seen.add(key)
            tops.add(parts[0])
            if len(parts) == 1 and not is_dir:
                raise refuse(label, f"member {name!r} is not inside the package folder")
            folders.update("/".join(parts[:i]) for i in range(1, len(parts)))
            if is_dir:
                folders.add(key)
                continue
            files[key] = info
            total += info.file_size
            if total > limits.max_unpacked_bytes:
                raise refuse(
                    label,
                    f"it would unpack to more than {limits.max_unpacked_bytes} bytes "
                    "(the size limit; a zip bomb?)",
                )
            ratio = info.file_size / max(info.compress_size, 1)
            if info.file_size > limits.ratio_min_bytes and ratio > limits.max_ratio:
                raise refuse(
                    label,
                    f"member {name!r} would expand {ratio:.0f}:1 ({info.compress_size} → "
                    f"{info.file_size} bytes), beyond the {limits.max_ratio:.0f}:1 limit "
                    "(a zip bomb?)",
                )
        if len(tops) != 1:
            raise refuse(
                label,
                f"the zip holds {len(tops)} top-level entries ({', '.join(sorted(tops)[:5])}); "
                "an Argos package holds exactly one folder",
            )
        clash = sorted(set(files) & folders)
        if clash:
            raise refuse(label, f"member {clash[0]!r} is both a file and a folder")
        (top,) = tops
        metadata = files.get(f"{top}/{METADATA_NAME}")
        if metadata is None:
            raise refuse(label, f"no metadata.json in the package folder {top}/")
        missing_model = [name for name in MODEL_FILES if f"{top}/{name}" not in files]
        if missing_model:
            raise refuse(
                label,
                f"no CTranslate2 model (missing {', '.join(missing_model)} in {top}/)",
            )
        if not any(f"{top}/{name}" in files for name in TOKENIZER_NAMES):
            raise refuse(
                label, f"no tokenizer ({' or '.join(TOKENIZER_NAMES)}) in the package folder"
            )
        if metadata.file_size > limits.max_metadata_bytes:
            raise refuse(label, f"metadata.json is {metadata.file_size} bytes, too large")
        try:
            raw = archive.read(metadata)
        except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError) as error:
            raise refuse(label, f"the zip archive is damaged ({error})") from None
    names = {"the file name": file_name or path.name, f"the package folder {top}/": top}
    from_code, to_code, version = _check_metadata(label, raw, expected_target, names)
    return CheckedPackage(
        source=label,
        top=top,
        from_code=from_code,
        to_code=to_code,
        package_version=version,
        unpacked_bytes=total,
        members=infos,
    )
