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

    def entry_english(self, glossary: Glossary) -> str:
        """The English of a glossary entry for it: an office is named with its country, as
        English writes it ("Foreign Secretary of the United Kingdom")."""
        if self.kind != "office":
            return self.english
        return f"{self.english} of {with_article(country_english(glossary, self.country))}"


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


# Words that make a country's English name take "the": "the Republic of Korea", "the United
# Kingdom", "the European Union", "the Philippines". A name of one plain word does not ("Japan").
_TAKES_THE = re.compile(
    r"\b(?:Republic|Kingdom|Union|Federation|Emirates|Islands|Commonwealth|Confederation|"
    r"States|Nations|Organi[sz]ation|Community|Netherlands|Philippines|Bahamas|Maldives|"
    r"Gambia|Holy See|Vatican)\b|\bof\b"
)


def with_article(country: str) -> str:
    """`country` as English writes it after "of": "the United Kingdom", "Japan"."""
    if country.startswith(("the ", "The ")) or not _TAKES_THE.search(country):
        return country
    return f"the {country}"


def country_english(glossary: Glossary, country: str) -> str:
    """The canonical English of a country as the facts spell it ("ROK" → "Republic of Korea",
    "South Korea" → the term it is the same as); the facts' text when no term has it."""
    terms = glossary.same_thing(country)
    return terms[-1].en if terms else country


def country_forms(glossary: Glossary, country: str) -> list[str]:
    """Every English name of a country: the facts' spelling, then each form and variant of its
    term and of the terms that term is the same as, most canonical first."""
    terms = reversed(glossary.same_thing(country))
    names = [form for term in terms for form in term.english_forms()]
    return list(dict.fromkeys([*names, country]))


def office_forms(glossary: Glossary, holder: str, title: str, country: str) -> Forms | None:
    """A participant's office from the term base: the person's own title, else the office as a
    term, tried as the title alone and with each English name of the country, with and without
    "the" ("Minister of Foreign Affairs" of "South Korea" finds "… of the Republic of Korea")."""
    person = glossary.lookup(holder)
    if person is not None and person.title is not None:
        return person.title
    tries = [title]
    for name in country_forms(glossary, country):
        tries += [f"{title} of {name}", f"{title} of the {name}"]
    for english in tries:
        term = glossary.lookup(english)
        if term is not None:
            return term
    return None


def side_of(glossary: Glossary, country: str) -> str:
    """What a country counts as among the sides of a meeting: its term's id, following
    `same_as`, so "ROK" and "South Korea" are one side; the text itself when no term has it."""
    terms = glossary.same_thing(country)
    return terms[-1].id if terms else " ".join(country.casefold().split())


def count_sides(countries: Iterable[str], glossary: Glossary) -> int:
    """How many countries or organisations take part, each counted once however it is spelt."""
    return len({side_of(glossary, country) for country in countries})


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
        lacking.setdefault(named.entry_english(glossary), named)
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
