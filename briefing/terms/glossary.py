"""The term base: official Japanese and Korean renderings of names, places and organisations.

Names are never left to machine translation: structured fields take their text from here, and
the translation stage protects these terms inside free text.
"""

from __future__ import annotations

import hashlib
import re
from functools import cached_property
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from briefing.errors import InputError, Problem
from briefing.facts.yamlsource import LoadedYaml, load_yaml, problems_from_validation

Name = Annotated[str, Field(min_length=1, max_length=300)]


class Rendering(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    en: Name
    ja: Name
    ko: Name

    def form(self, lang: str) -> str:
        return getattr(self, lang)


class Term(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]*$")]
    kind: Literal["person", "place", "organisation", "office", "event", "thing"]
    en: Name
    ja: Name
    ko: Name
    variants: list[Name] = []
    title: Rendering | None = None
    checked: dict[str, str] = {}
    note: str | None = None

    def form(self, lang: str) -> str:
        return getattr(self, lang)

    def english_forms(self) -> list[str]:
        return [self.en, *self.variants]


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

    @cached_property
    def fingerprint(self) -> str:
        """Changes whenever any rendering changes, so cached translations are not reused."""
        payload = self.model_dump_json().encode("utf-8")
        return f"{self.version}+{hashlib.sha256(payload).hexdigest()[:12]}"


EMPTY = Glossary(version="empty", terms=[])


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
    """`path` if it is a file; a missing one is an error, never an empty glossary."""
    if not path.is_file():
        state = "is a folder" if path.is_dir() else "does not exist"
        raise InputError(
            f"{path}: the {what} file {state}; give the path of an existing glossary file "
            "(YAML with `version:` and `terms:`), or leave the option out"
        )
    return path


def read_glossary(path: Path, text: str | None = None) -> tuple[Glossary, LoadedYaml]:
    """One glossary file, validated, with its positions for later findings."""
    loaded = load_yaml(required_file(path), text)
    try:
        glossary = Glossary.model_validate(loaded.data)
    except ValidationError as err:
        raise InputError("", problems_from_validation(loaded, err, Glossary)) from None
    problems = term_problems(loaded, glossary.terms)
    if problems:
        raise InputError("", problems)
    return glossary, loaded


def load_glossary(path: Path | None) -> Glossary:
    """One glossary file on its own (no layers); None gives the empty glossary."""
    if path is None:
        return EMPTY
    return read_glossary(path)[0]
