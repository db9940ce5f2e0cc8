"""Families of CTranslate2 models: which files make one, its language tokens, its tokenizer.

An Argos package is one family; models converted with CTranslate2's converters from Marian
(OPUS-MT, FuguMT), M2M100 and NLLB are others. They differ in their tokenizer files and in the
tokens that name languages: Marian has a SentencePiece model for each side (`source.spm`,
`target.spm`) and no language tokens (a multilingual OPUS-MT model may want one such as
`>>kor<<` before the source); M2M100 and NLLB share one SentencePiece model between
languages, put the source language's token first (`__en__`, `eng_Latn`), and are made to write
the target language by its token as the first output (`__ja__`, `jpn_Jpan`), which is then
stripped. The family is data read at install: from a description file written beside the
model (`briefing-model.json`, which also names the model, its version, languages and
licence), and from the files themselves, which must agree with it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from briefing.errors import InputError, json_value
from briefing.languages import SOURCE_LANGUAGE

DESCRIPTION_NAME = "briefing-model.json"
MODEL_FILES = ("model.bin", "config.json")
VOCABULARIES = (
    "shared_vocabulary.json",
    "shared_vocabulary.txt",
    "target_vocabulary.json",
    "target_vocabulary.txt",
)
#: Tokens every family's CTranslate2 output may hold that are never text.
SPECIAL_TOKENS = frozenset({"<s>", "</s>", "<pad>", "<unk>"})
NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
CODE_RE = re.compile(r"^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})?$")
VERSION_RE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z.+-]{0,31}$")
#: Licences that forbid commercial use, as their identifiers spell it (CC-BY-NC-4.0, …).
NON_COMMERCIAL_RE = re.compile(r"(?:^|[-_ ])NC(?:[-_ ]|$)|non-?commercial", re.IGNORECASE)
#: NLLB-200 names languages by FLORES-200 codes.
FLORES_CODES = {"en": "eng_Latn", "ja": "jpn_Jpan", "ko": "kor_Hang", "zh": "zho_Hans"}


@dataclass(frozen=True)
class Family:
    """What a family's model folder holds and how it names languages."""

    name: str
    tokenizers: tuple[str, ...]  # SentencePiece files: (source, target) or (shared,)
    language_token: Callable[[str], str] | None = None  # code → token, for M2M100 and NLLB

    def source_tokenizer(self) -> str:
        return self.tokenizers[0]

    def target_tokenizer(self) -> str:
        return self.tokenizers[-1]


FAMILIES = {
    "marian": Family("marian", ("source.spm", "target.spm")),  # OPUS-MT, FuguMT
    "m2m100": Family("m2m100", ("sentencepiece.bpe.model",), lambda code: f"__{code}__"),
    "nllb": Family("nllb", ("sentencepiece.bpe.model",), lambda code: FLORES_CODES.get(code, code)),
}


@dataclass(frozen=True)
class ModelCard:
    """A converted model as its description file and files describe it."""

    family: str
    name: str
    version: str
    source: str
    targets: tuple[str, ...]
    licence: str = ""
    # per target language: tokens put before the source, and the output's first tokens
    source_prefix: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    target_prefix: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def non_commercial(self) -> bool:
        return bool(NON_COMMERCIAL_RE.search(self.licence))


def family_of_files(names: Collection[str], vocabulary: Collection[str]) -> str | None:
    """The family the tokenizer files (and, for the shared SentencePiece model of M2M100 and
    NLLB, the vocabulary's language tokens) name; None when they name none. InputError for a
    mixed layout."""
    marian = all(name in names for name in FAMILIES["marian"].tokenizers)
    shared = FAMILIES["m2m100"].source_tokenizer() in names
    if marian and shared:
        raise InputError(
            "mixed layout: it holds both Marian's source.spm and target.spm and the "
            "sentencepiece.bpe.model of M2M100 / NLLB; keep one model's files only"
        )
    if marian:
        return "marian"
    if shared:
        if "__en__" in vocabulary:
            return "m2m100"
        if "eng_Latn" in vocabulary:
            return "nllb"
    return None


def _string(data: Mapping[str, Any], key: str, where: str, pattern: re.Pattern[str]) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not pattern.match(value):
        raise InputError(f"{where}: '{key}' is missing or unusable (found {value!r})")
    return value


def _prefixes(
    data: Mapping[str, Any], key: str, targets: tuple[str, ...], where: str
) -> dict[str, tuple[str, ...]]:
    """`key` as tokens per target: a list (every target) or an object by target code."""
    value = data.get(key)
    if value is None:
        return {}
    if isinstance(value, list):
        value = dict.fromkeys(targets, value)
    if not isinstance(value, dict) or not all(
        isinstance(tokens, list) and all(isinstance(t, str) and t for t in tokens)
        for tokens in value.values()
    ):
        raise InputError(f"{where}: '{key}' must be a list of tokens, or such lists by language")
    unknown = sorted(set(value) - set(targets))
    if unknown:
        raise InputError(f"{where}: '{key}' names {', '.join(unknown)}, not a target language")
    return {code: tuple(tokens) for code, tokens in value.items()}


def read_card(
    raw: bytes, where: str, files: Collection[str], vocabulary: Collection[str] | None
) -> ModelCard:
    """The model card from `briefing-model.json` (its bytes), checked against the folder's
    file names and the model's vocabulary (None: an installed card, checked at install)."""
    try:
        data = json_value(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as error:
        raise InputError(f"{where}: not valid JSON ({error})") from None
    if not isinstance(data, dict):
        raise InputError(f"{where}: not a JSON object")
    detected = None if vocabulary is None else family_of_files(files, vocabulary)
    family = data.get("family", detected)
    if family not in FAMILIES:
        raise InputError(
            f"{where}: no family given and none found in the files; say 'family': one of "
            f"{', '.join(FAMILIES)} (an Argos package has metadata.json instead)"
            if family is None
            else f"{where}: unknown family {family!r}; known: {', '.join(FAMILIES)}"
        )
    missing = [name for name in FAMILIES[family].tokenizers if name not in files]
    if missing:
        raise InputError(
            f"{where} says family {family}, but its tokenizer file(s) {', '.join(missing)} "
            "are missing beside it"
        )
    if detected is not None and detected != family:
        raise InputError(f"{where} says family {family}, but the files are {detected}'s")
    target = data.get("target")
    targets = tuple(target) if isinstance(target, list) else (target,)
    if not targets or not all(isinstance(code, str) and CODE_RE.match(code) for code in targets):
        raise InputError(f"{where}: 'target' must be a language code or a list of them")
    if family == "marian" and len(targets) > 1:
        raise InputError(
            f"{where}: a Marian model translates into one language; 'target' lists several"
        )
    licence = data.get("licence", data.get("license", ""))
    if not isinstance(licence, str):
        raise InputError(f"{where}: 'licence' must be a string such as CC-BY-4.0")
    source = _string(data, "source", where, CODE_RE)
    if source != SOURCE_LANGUAGE:
        raise InputError(
            f"{where} says {source}→…; briefing translates from English ({SOURCE_LANGUAGE}→…) only"
        )
    card = ModelCard(
        family=family,
        name=_string(data, "name", where, NAME_RE),
        version=_string({"version": str(data.get("version", "1"))}, "version", where, VERSION_RE),
        source=source,
        targets=tuple(dict.fromkeys(targets)),
        licence=licence,
        source_prefix=_prefixes(data, "source_prefix", targets, where),
        target_prefix=_prefixes(data, "target_prefix", targets, where),
    )
    known = set(vocabulary) if vocabulary is not None else None
    for code in card.targets if known is not None else ():
        for token in (token for tokens in language_tokens(card, code) for token in tokens):
            if known is not None and token not in known:
                raise InputError(
                    f"{where}: the model's vocabulary has no token {token!r} for "
                    f"{card.source}→{code}; is it a {card.family} model for these languages?"
                )
    return card


def card_as_installed(raw: bytes, where: str, files: Collection[str]) -> ModelCard:
    """The card an install wrote (`card_json`) beside a model whose vocabulary was checked."""
    return read_card(raw, where, files, None)


def card_json(card: ModelCard) -> bytes:
    """The card as an install writes it beside the model: every field resolved."""
    data = {
        "family": card.family,
        "name": card.name,
        "version": card.version,
        "source": card.source,
        "target": list(card.targets),
        "licence": card.licence,
        "source_prefix": {code: list(language_tokens(card, code)[0]) for code in card.targets},
        "target_prefix": {code: list(language_tokens(card, code)[1]) for code in card.targets},
    }
    return (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode()


def language_tokens(card: ModelCard, target: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(tokens before the source, tokens the output starts with) for translating into `target`:
    the description's own, else the family's language tokens."""
    family = FAMILIES[card.family]
    source = card.source_prefix.get(target)
    prefix = card.target_prefix.get(target)
    if family.language_token is not None:
        source = (family.language_token(card.source),) if source is None else source
        prefix = (family.language_token(target),) if prefix is None else prefix
    return source or (), prefix or ()


def read_vocabulary(raw: bytes, name: str) -> set[str]:
    """A CTranslate2 vocabulary file's tokens (.json: a list; .txt: one a line)."""
    text = raw.decode("utf-8")
    if name.endswith(".json"):
        tokens = json_value(text)
        if not isinstance(tokens, list):
            raise ValueError("not a JSON list")
        return {str(token) for token in tokens}
    return set(text.splitlines())


class Tokens:
    """A converted model's tokenizer for one source language: text to the pieces CTranslate2
    takes (language tokens and </s> included) and its output back to text."""

    def __init__(self, folder: Path, card: ModelCard) -> None:
        import sentencepiece

        family = FAMILIES[card.family]
        self.card = card
        self.source = sentencepiece.SentencePieceProcessor(
            model_file=str(folder / family.source_tokenizer())
        )
        self.target = (
            self.source
            if family.target_tokenizer() == family.source_tokenizer()
            else sentencepiece.SentencePieceProcessor(
                model_file=str(folder / family.target_tokenizer())
            )
        )
        self.tokens = {target: language_tokens(card, target) for target in card.targets}

    def encode(self, text: str, target: str) -> list[str]:
        prefix, _ = self.tokens[target]
        return [*prefix, *self.source.encode(text, out_type=str), "</s>"]

    def target_prefix(self, target: str) -> list[str]:
        return list(self.tokens[target][1])

    def decode(self, pieces: list[str], target: str) -> str:
        """The text of an output: its leading target tokens and special tokens stripped."""
        prefix = self.tokens[target][1]
        if prefix and pieces[: len(prefix)] == list(prefix):
            pieces = pieces[len(prefix) :]
        return str(self.target.decode_pieces([p for p in pieces if p not in SPECIAL_TOKENS]))


class ArgosTokens:
    """An Argos package's own tokenizer behind the same interface as `Tokens`: the package
    translates into one language, its optional target prefix is one token."""

    def __init__(self, folder: Path) -> None:
        from argostranslate.package import Package as ArgosPackage

        self.package = ArgosPackage(folder)
        self.prefix = getattr(self.package, "target_prefix", "") or ""
        # Argos loads tokenizers lazily; load it now, so that everything the model needs is in
        # memory before translation starts and a package removed mid-build cannot matter.
        self.package.tokenizer.encode("Ready.")

    def encode(self, text: str, target: str) -> list[str]:
        return list(self.package.tokenizer.encode(text))

    def target_prefix(self, target: str) -> list[str]:
        return [self.prefix] if self.prefix else []

    def decode(self, pieces: list[str], target: str) -> str:
        text = str(self.package.tokenizer.decode(pieces))
        if self.prefix and text.startswith(self.prefix):
            text = text[len(self.prefix) :]
        return text


def open_tokens(folder: Path, card: ModelCard | None) -> Tokens | ArgosTokens:
    """The tokenizer of the model in `folder`: its family's, or the Argos package's."""
    return ArgosTokens(folder) if card is None else Tokens(folder, card)


def model_folder(folder: Path, card: ModelCard | None) -> Path:
    """Where the CTranslate2 model itself is: an Argos package's model/, else the folder."""
    return folder / "model" if card is None else folder
