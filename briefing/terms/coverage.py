"""Which of a facts file's names the term base holds, worked out once per file.

A structured field (a name, title, place, venue, country, the event's title or kind) never
reaches machine translation. The facts say which of their fields are names (`Facts.names()`);
this looks each up in the file's layered glossary. One the glossary lacks is printed in English
and marked in the target-language documents, listed in the build report with the entry to add,
protected as it is inside free text, and warned about; a kind of event that is neither a word of
the vocabulary nor a term is an error. The translation stage and the output stage both read the
one `Coverage` made here.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from briefing.errors import Problem
from briefing.kinds import is_known, normalise, unknown_kind_problem
from briefing.languages import LANGUAGES, TARGET_LANGUAGES
from briefing.terms.glossary import Forms, Glossary, Term
from briefing.yamlsource.positions import LoadedYaml, Path_, dotted

EntryKind = Literal["person", "place", "office", "event"]


@dataclass(frozen=True)
class Named:
    """A structured field of a facts file, which prints the term base's form of its text."""

    loc: Path_
    english: str
    kind: EntryKind  # the glossary kind of an entry for it
    holder: str = ""  # an office: the person holding it, whose own term may carry the title
    country: str = ""  # an office: the country it is an office of
    event_kind: bool = False  # the event's kind: a word of the vocabulary needs no term

    @property
    def entry_english(self) -> str:
        """The English of a glossary entry for it: an office is named with its country."""
        return f"{self.english} of {self.country}" if self.kind == "office" else self.english


@dataclass(frozen=True)
class MissingName:
    """A structured field the term base lacks, where it is in the facts, and what kind it is."""

    loc: Path_
    english: str
    kind: EntryKind  # the glossary kind of the entry to add

    @property
    def field(self) -> str:
        return dotted(self.loc)

    def entry(self) -> dict[str, str]:
        """The glossary entry to add, with the official forms left for a person to fill in."""
        forms = dict.fromkeys(TARGET_LANGUAGES, "")
        return {"id": term_id(self.english), "kind": self.kind, "en": self.english, **forms}


@dataclass(frozen=True)
class Coverage:
    """What the term base holds of one facts file's names."""

    glossary: Glossary  # the file's layered glossary (base < workspace < event)
    missing: tuple[MissingName, ...]  # in document order, each English text once
    protected: Glossary  # `glossary` plus the missing names kept as they are, for free text
    errors: tuple[Problem, ...]  # a kind of event outside the vocabulary with no term
    warnings: tuple[Problem, ...]  # each missing name, with the entry to add


def term_id(english: str) -> str:
    """A glossary id for `english`: lower case ASCII words joined by dashes."""
    # Accents fall away (Valparaíso → valparaiso); any other character outside ASCII, such as
    # the dash of "Japan–Republic of Korea", separates words rather than joining them.
    decomposed = unicodedata.normalize("NFKD", english)
    folded = "".join(
        ch if ch.isascii() else " " for ch in decomposed if not unicodedata.combining(ch)
    )
    words = re.findall(r"[a-z0-9]+", folded.lower())
    return "-".join(words)[:60].strip("-") or "term"


def office_forms(glossary: Glossary, holder: str, title: str, country: str) -> Forms | None:
    """A participant's office from the term base: the person's own title, else the office as a
    term ("Minister for Foreign Affairs of Japan", tried from the title and the country)."""
    person = glossary.lookup(holder)
    if person is not None and person.title is not None:
        return person.title
    for english in (title, f"{title} of {country}", f"{title} of the {country}"):
        term = glossary.lookup(english)
        if term is not None:
            return term
    return None


def kind_term(kind: str, glossary: Glossary) -> tuple[str, Term | None]:
    """The kind as a vocabulary word (translated by the catalogs), or its glossary term."""
    if is_known(kind):
        return normalise(kind), None
    return kind, glossary.lookup(kind)


def _held(named: Named, glossary: Glossary) -> bool:
    if named.kind == "office":
        return office_forms(glossary, named.holder, named.english, named.country) is not None
    return glossary.lookup(named.english) is not None


def cover(names: Iterable[Named], glossary: Glossary, source: LoadedYaml) -> Coverage:
    """Look up every name of a facts file (`source` locates what is reported) in `glossary`."""
    lacking: dict[str, Named] = {}
    errors: list[Problem] = []
    for named in names:
        if named.event_kind and is_known(named.english):
            continue
        if _held(named, glossary):
            continue
        lacking.setdefault(named.entry_english, named)
        if named.event_kind:
            errors.append(unknown_kind_problem(source, named.english))
    missing = tuple(MissingName(n.loc, english, n.kind) for english, n in lacking.items())
    # Offices are not kept: their words ("President") are common in running text. Neither is a
    # kind of event, which an error stops before anything is translated.
    kept = [n for n in lacking.values() if n.kind != "office" and not n.event_kind]
    return Coverage(
        glossary,
        missing,
        _with_kept(glossary, kept),
        tuple(errors),
        tuple(_warning(source, item) for item in missing),
    )


def _with_kept(glossary: Glossary, kept: list[Named]) -> Glossary:
    """`glossary` plus `kept`, each a term whose every form is its English.

    The translation stage protects these like any term, so a name the term base does not hold
    reaches no model inside free text either; it comes out in English, as in the structured
    fields.
    """
    if not kept:
        return glossary
    # The names were checked as facts already; the glossary file's own limits (a form's length)
    # are for what people write in glossaries, so these terms are made without them.
    terms = [
        Term.model_construct(
            id=f"kept-{term_id(named.english)}",
            kind=named.kind,
            forms=dict.fromkeys(LANGUAGES, named.english),
        )
        for named in kept
    ]
    return Glossary(version=glossary.version, terms=[*glossary.terms, *terms])


def _warning(source: LoadedYaml, item: MissingName) -> Problem:
    """A warning naming the glossary entry to add, at the place in the facts file that uses it."""
    targets = TARGET_LANGUAGES.values()
    names = " and ".join(language.name for language in targets)
    forms = ", ".join(f"{language.code}: …" for language in targets)
    entry = item.entry()
    return source.problem(
        item.loc,
        f"'{item.english}' is not in the glossary, so the {names} documents "
        "print it in English, marked for review",
        f"Add a term: {{id: {entry['id']}, kind: {entry['kind']}, en: {item.english}, "
        f"{forms}}} with the official forms (and where you found them in `checked`).",
        "warning",
    )
