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
from briefing.facts.yamlsource import load_yaml, problems_from_validation

GLOSSARY_NAME = "glossary.yaml"

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
    kind: Literal["person", "place", "organisation", "event", "thing"]
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


def find_glossary(option: Path | None, facts_paths: list[Path]) -> Path | None:
    """The glossary a command uses: --glossary, else glossary.yaml beside the first facts file
    that has one (sources/glossary.yaml), else none."""
    if option is not None:
        return option
    for path in facts_paths:
        candidate = path.parent / GLOSSARY_NAME
        if candidate.is_file():
            return candidate
    return None


def load_glossary(path: Path | None) -> Glossary:
    """The glossary at `path`, checked; no path or no file gives the empty glossary."""
    if path is None or not path.exists():
        return EMPTY
    loaded = load_yaml(path)
    try:
        glossary = Glossary.model_validate(loaded.data)
    except ValidationError as err:
        raise InputError("", problems_from_validation(loaded, err, Glossary)) from None
    problems: list[Problem] = []
    owner: dict[str, str] = {}
    ids: set[str] = set()
    for i, term in enumerate(glossary.terms):
        if term.id in ids:
            problems.append(loaded.problem(("terms", i, "id"), f"duplicate term id '{term.id}'"))
        ids.add(term.id)
        for form in term.english_forms():
            if form in owner and owner[form] != term.id:
                problems.append(
                    loaded.problem(
                        ("terms", i),
                        f"'{form}' belongs to both '{owner[form]}' and '{term.id}'",
                        "An English form may name one term only; remove it from one of them.",
                    )
                )
            owner[form] = term.id
    if problems:
        raise InputError("", problems)
    return glossary
