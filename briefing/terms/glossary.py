"""The term base: official renderings of names, places and organisations in each language.

Names are never left to machine translation: structured fields take their text from here, and
the translation stage protects these terms inside free text.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    GetJsonSchemaHandler,
    SerializerFunctionWrapHandler,
    ValidationError,
    field_validator,
    model_serializer,
    model_validator,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema

from briefing.errors import InputError, Problem
from briefing.input_files import readable_there
from briefing.languages import LANGUAGES, SOURCE_LANGUAGE, TARGET_LANGUAGES
from briefing.yamlsource.cleaning import fold_whitespace
from briefing.yamlsource.positions import LoadedYaml, load_yaml
from briefing.yamlsource.problems import problems_from_validation

GLOSSARY_NAME = "glossary.yaml"

NAME_LIMIT = 300  # characters in a term's form
Name = Annotated[str, Field(min_length=1, max_length=NAME_LIMIT), BeforeValidator(fold_whitespace)]


class Forms(BaseModel):
    """A name in every language of languages.py, held as one mapping from language code.

    The file writes one key per language (`en: Nara`, `ja: 奈良市`, `ko: 나라시`), so adding a
    language to languages.py asks every entry for its form and nothing here changes.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)
    # Where the forms stood among the other keys, so that the fingerprint (and with it the
    # translation memory's keys) is the same as when each language was a field of its own.
    _forms_after: ClassVar[str | None] = None
    # Fields left out of the serialised form while empty, so that a glossary that does not use
    # them has the fingerprint it had before they existed.
    _omit_empty: ClassVar[tuple[str, ...]] = ()

    forms: dict[str, Name]

    @model_validator(mode="before")
    @classmethod
    def _gather_forms(cls, data: Any) -> Any:
        if not isinstance(data, dict) or "forms" in data:
            return data
        missing = [code for code in LANGUAGES if code not in data]
        if missing:
            names = ", ".join(f"{LANGUAGES[code].name} ({code}: …)" for code in missing)
            raise ValueError(f"no form in {names}; every entry names each language")
        rest = {key: value for key, value in data.items() if key not in LANGUAGES}
        return {**rest, "forms": {code: data[code] for code in LANGUAGES}}

    @model_serializer(mode="wrap")
    def _flatten_forms(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        data = handler(self)
        for key in self._omit_empty:
            if not data.get(key):
                data.pop(key, None)
        forms = data.pop("forms")
        if self._forms_after is None:
            return {**forms, **data}
        flat: dict[str, Any] = {}
        for key, value in data.items():
            flat[key] = value
            if key == self._forms_after:
                flat.update(forms)
        return flat

    @classmethod
    def __get_pydantic_json_schema__(
        cls, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        """The schema of the file as written: one key per language, not the `forms` mapping."""
        schema = handler.resolve_ref_schema(handler(core_schema))
        properties = schema.get("properties", {})
        forms = properties.pop("forms", None)
        if forms is not None:
            name = forms.get("additionalProperties", {"type": "string"})
            for code, language in LANGUAGES.items():
                properties[code] = {**name, "description": f"The {language.name} form"}
            required = [key for key in schema.get("required", []) if key != "forms"]
            schema["required"] = required + list(LANGUAGES)
        return schema

    @property
    def en(self) -> str:
        return self.forms[SOURCE_LANGUAGE]

    def form(self, lang: str) -> str:
        return self.forms[lang]


class Rendering(Forms):
    """A participant's title in every language."""


TermId = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]*$")]


class Term(Forms):
    _forms_after: ClassVar[str | None] = "kind"
    _omit_empty: ClassVar[tuple[str, ...]] = ("reading", "short", "same_as")

    id: TermId
    kind: Literal["person", "place", "organisation", "office", "event", "thing"]
    variants: list[Name] = []
    title: Rendering | None = None
    # Per target language, what the governments print in brackets after the name at its first
    # mention in a document: the reading (ja: イ・ジェミョン for 李在明) or the original script
    # (ko: 高市 早苗 for 다카이치 사나에).
    reading: dict[str, Name] = {}
    # Per target language, the short form of a country's name (ja 韓国 for 大韓民国) that tables
    # and the place line print, so one document names each country one way.
    short: dict[str, Name] = {}
    # The id of a term that names the same thing ("South Korea" → republic-of-korea): offices
    # are found through that term's English forms too, and both count as one side of a meeting.
    same_as: TermId | None = None
    checked: dict[str, str] = {}
    note: str | None = None

    @field_validator("reading", "short")
    @classmethod
    def _target_languages(cls, value: dict[str, str]) -> dict[str, str]:
        """Readings and short forms are printed in the target languages only."""
        for code in value:
            if code == SOURCE_LANGUAGE:
                raise ValueError(
                    f"no {code} entry here: the English document prints the term's `en` form, "
                    f"only the {', '.join(TARGET_LANGUAGES)} "
                    "documents print a reading or a short form"
                )
            if code not in LANGUAGES:
                raise ValueError(f"'{code}' is not a language; use one of {', '.join(LANGUAGES)}")
        return value

    def english_forms(self) -> list[str]:
        return [self.en, *self.variants]

    def reading_in(self, lang: str) -> str:
        return self.reading.get(lang, "")

    def short_in(self, lang: str) -> str:
        """The short form in `lang`, else the term's form."""
        return self.short.get(lang) or self.form(lang)


class Glossary(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    version: Annotated[str, Field(min_length=1)]
    terms: list[Term] = []

    @cached_property
    def _by_english(self) -> dict[str, Term]:
        return {form: term for term in self.terms for form in term.english_forms()}

    def lookup(self, english: str) -> Term | None:
        """The term whose English form or variant is exactly `english`."""
        return self._by_english.get(english.strip())

    @cached_property
    def _by_id(self) -> dict[str, Term]:
        return {term.id: term for term in self.terms}

    def same_thing(self, english: str) -> list[Term]:
        """The term named `english` and the terms it is the same thing as (`same_as`), in that
        order; empty when no term has the name."""
        found: list[Term] = []
        term = self.lookup(english)
        while term is not None and term not in found:
            found.append(term)
            term = self._by_id.get(term.same_as) if term.same_as else None
        return found

    def render(self, english: str, lang: str) -> str | None:
        term = self.lookup(english)
        return term.form(lang) if term else None

    @cached_property
    def pattern(self) -> re.Pattern[str] | None:
        """Matches any English form as a whole word, longest first so 'Nara Prefecture' beats
        'Nara'."""
        forms = sorted(self._by_english, key=len, reverse=True)
        if not forms:
            return None
        alternatives = "|".join(re.escape(form) for form in forms)
        return re.compile(rf"(?<![\w-])(?:{alternatives})(?![\w-])")

    def occurrences(self, text: str) -> list[tuple[int, int, Term]]:
        """(start, end, term) for every glossary term in `text`, left to right, not overlapping."""
        if self.pattern is None:
            return []
        return [
            (m.start(), m.end(), self._by_english[m.group(0)]) for m in self.pattern.finditer(text)
        ]

    def fingerprint_for(self, text: str, languages: Iterable[str]) -> str:
        """What a document made from `text` (its facts file) and printed in `languages` takes
        from the glossary: every term with an English form or variant somewhere in the text
        (a plain substring test, so no term the document uses is missed), with its forms and
        title in those languages. An edit elsewhere in the glossary leaves it unchanged."""
        flat = " ".join(text.split())
        codes = list(dict.fromkeys(["en", *languages]))
        used = [
            [
                term.id,
                term.kind,
                term.english_forms(),
                [term.form(code) for code in codes],
                [term.title.form(code) for code in codes] if term.title else None,
                # Only where given, so that a term without them keeps its fingerprint.
                *([{c: term.reading_in(c) for c in codes}] if term.reading else []),
                *([{c: term.short_in(c) for c in codes}] if term.short else []),
                *([term.same_as] if term.same_as else []),
            ]
            for term in self.terms
            if any(form in flat for form in term.english_forms())
        ]
        payload = json.dumps(used, ensure_ascii=False, sort_keys=True).encode("utf-8")
        return hashlib.sha256(payload).hexdigest()

    @cached_property
    def fingerprint(self) -> str:
        """The whole glossary's fingerprint. Memories of schema 1 keyed machine entries by it;
        today it only finds those entries again while the glossary is unchanged."""
        payload = self.model_dump_json().encode("utf-8")
        return f"{self.version}+{hashlib.sha256(payload).hexdigest()[:12]}"


EMPTY = Glossary(version="empty", terms=[])


def find_glossary(option: Path | None, facts_paths: list[Path]) -> Path | None:
    """The glossary a command uses: --glossary, else glossary.yaml beside the first facts file
    that has one (sources/glossary.yaml), else none."""
    if option is not None:
        return option
    for path in facts_paths:
        candidate = path.parent / GLOSSARY_NAME
        if readable_there(candidate):  # a FIFO there is refused when it is read
            return candidate
    return None


def term_problems(
    loaded: LoadedYaml, terms: list[Term], prefix: tuple[str, ...] = ("terms",)
) -> list[Problem]:
    """Within one glossary: duplicate ids, and English forms that name two terms (errors)."""
    problems: list[Problem] = []
    owner: dict[str, str] = {}
    ids: set[str] = set()
    for i, term in enumerate(terms):
        if term.id in ids:
            problems.append(loaded.problem((*prefix, i, "id"), f"duplicate term id '{term.id}'"))
        ids.add(term.id)
        for form in term.english_forms():
            if form in owner and owner[form] != term.id:
                problems.append(
                    loaded.problem(
                        (*prefix, i),
                        f"'{form}' belongs to both '{owner[form]}' and '{term.id}'",
                        "An English form may name one term only; remove it from one of them.",
                    )
                )
            owner[form] = term.id
    return problems


def required_file(path: Path, what: str = "glossary") -> Path:
    """`path` if it is there; a missing one is an error, never an empty glossary. (What is
    not a regular file, a device or a pipe, the YAML reader refuses by its kind.)"""
    if path.is_dir() or not (path.exists() or path.is_symlink()):
        state = "is a folder" if path.is_dir() else "no such file"
        raise InputError(
            f"{path}: {state}; give the path of an existing {what} file "
            "(YAML with `version:` and `terms:`), or leave the option out"
        )
    return path


def read_glossary(path: Path, text: str | None = None) -> tuple[Glossary, LoadedYaml]:
    """One glossary file, validated, with its positions for later findings."""
    loaded = load_yaml(required_file(path), text)
    return validated(loaded), loaded


def validated(loaded: LoadedYaml) -> Glossary:
    """The glossary a file read holds, or an InputError locating every problem in it."""
    try:
        glossary = Glossary.model_validate(loaded.data)
    except ValidationError as err:
        raise InputError("", problems_from_validation(loaded, err, Glossary)) from None
    problems = term_problems(loaded, glossary.terms)
    if problems:
        raise InputError("", problems)
    return glossary


def load_glossary(path: Path | None) -> Glossary:
    """One glossary file on its own (no layers); None gives the empty glossary."""
    if path is None:
        return EMPTY
    return read_glossary(path)[0]
