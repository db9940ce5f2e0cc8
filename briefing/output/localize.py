"""Turn facts into what a template shows for one language.

Names, places, titles and the event's title come from the glossary, the kind of event from the
catalogs; a name the glossary lacks is printed in English and marked, never machine-translated.
Free text comes from the translation stage;
dates stay dates so the template can format them with the catalog's pattern for the locale.
Nothing here is English prose: every fixed word lives in the templates and their catalogs.
"""

from __future__ import annotations

import datetime as dt
import gettext
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass

from markupsafe import escape

from briefing.errors import Problem
from briefing.facts.schema import Account, Facts, HeadedStatement, Statement
from briefing.kinds import is_known, normalise, unknown_kind_problem
from briefing.languages import LANGUAGES, SOURCE_LANGUAGE, Language
from briefing.terms.glossary import Glossary, Term
from briefing.translation.interface import Origin, TranslatedText
from briefing.yamlsource.positions import LoadedYaml, dotted


@dataclass(frozen=True)
class Cited:
    text: str
    refs: tuple[int, ...]
    status: str  # confirmed | reported | expected
    flagged: bool = False
    heading: str = ""


@dataclass(frozen=True)
class Name:
    """A structured field as printed: the glossary's form, or the English kept and marked.

    In a template `{{ name }}` prints it, highlighted when it is not in the term base;
    `{{ name.text }}` is the bare text (for document properties).
    """

    text: str
    english: str
    missing: bool = False  # not in the term base: printed in English, marked for the reviewer

    def __str__(self) -> str:
        return self.text

    def __html__(self) -> str:
        escaped = str(escape(self.text))
        return f"<mark>{escaped}</mark>" if self.missing else escaped


@dataclass(frozen=True)
class ParticipantRow:
    name: Name
    title: Name
    country: Name
    role: str  # host | guest | delegation | other


@dataclass(frozen=True)
class MissingName:
    """A structured field the term base lacks, where it is in the facts, and what kind it is."""

    loc: tuple[str | int, ...]
    english: str
    kind: str  # the glossary kind of the entry to add: person, place, office, event …

    @property
    def field(self) -> str:
        return dotted(self.loc)

    def entry(self) -> dict[str, str]:
        """The glossary entry to add, with the official forms left for a person to fill in."""
        forms = {code: "" for code in LANGUAGES if code != SOURCE_LANGUAGE}
        return {"id": term_id(self.english), "kind": self.kind, "en": self.english, **forms}


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


@dataclass(frozen=True)
class SourceEntry:
    number: int
    publisher: str
    title: str
    date: dt.date | None
    url: str | None
    note: str | None


@dataclass(frozen=True)
class DifferenceView:
    topic: str
    accounts: tuple[Cited, ...]


@dataclass(frozen=True)
class BriefingView:
    lang: str
    locale: str
    tag: str  # BCP 47, for the document's language property
    title: Name
    title_en: str
    kind: Name
    date: dt.date
    end_date: dt.date | None
    time: dt.time | None
    time_zone: str
    city: Name
    venue: Name | None
    host_country: Name
    participants: tuple[ParticipantRow, ...]
    summary: Cited
    background: tuple[Cited, ...]
    outcomes: tuple[Cited, ...]
    topics: tuple[Cited, ...]
    next_steps: tuple[Cited, ...]
    differences: tuple[DifferenceView, ...]
    sources: tuple[SourceEntry, ...]
    author: str
    organisation: str | None
    keywords: tuple[str, ...]
    machine_translated: bool  # some free text is machine output no reviewer has approved
    flagged_count: int
    model_label: str  # e.g. "translate-en_ja 1.1", named in the machine-translation notice
    kept_in_english: int  # names the term base lacks, printed in English and highlighted
    italics: bool  # whether the language sets any text in italics (Japanese and Korean do not)


def participant_title(facts: Facts, index: int, glossary: Glossary, lang: str) -> str | None:
    """A participant's office from the term base: the person's own title, else the office as a
    term ("Minister for Foreign Affairs of Japan", tried from the title and the country)."""
    participant = facts.participants[index]
    person = glossary.lookup(participant.name)
    if person is not None and person.title is not None:
        return person.title.form(lang)
    title, country = participant.title, participant.country
    for english in (title, f"{title} of {country}", f"{title} of the {country}"):
        term = glossary.lookup(english)
        if term is not None:
            return term.form(lang)
    return None


def event_kind(facts: Facts, glossary: Glossary) -> tuple[str, Term | None]:
    """The kind as a vocabulary word (translated by the catalogs), or its glossary term."""
    kind = facts.event.kind
    if is_known(kind):
        return normalise(kind), None
    return kind, glossary.lookup(kind)


def kind_problems(loaded: LoadedYaml, facts: Facts, glossary: Glossary) -> list[Problem]:
    """An event kind outside the vocabulary with no glossary term is an error."""
    word, term = event_kind(facts, glossary)
    if is_known(word) or term is not None:
        return []
    return [unknown_kind_problem(loaded, facts.event.kind)]


def missing_names(facts: Facts, glossary: Glossary) -> list[MissingName]:
    """Every structured field the term base lacks, in document order, each English text once.

    These are printed in English and marked in the Japanese and Korean documents: a structured
    field never reaches machine translation.
    """
    event = facts.event
    wanted: list[MissingName] = [MissingName(("event", "title"), event.title, "event")]
    word, term = event_kind(facts, glossary)
    if not is_known(word):
        wanted.append(MissingName(("event", "kind"), event.kind, "event"))
    if event.venue:
        wanted.append(MissingName(("event", "venue"), event.venue, "place"))
    wanted += [
        MissingName(("event", "city"), event.city, "place"),
        MissingName(("event", "host_country"), event.host_country, "place"),
    ]
    for i, participant in enumerate(facts.participants):
        wanted.append(MissingName(("participants", i, "name"), participant.name, "person"))
        if participant_title(facts, i, glossary, "ja") is None:
            office = f"{participant.title} of {participant.country}"
            wanted.append(MissingName(("participants", i, "title"), office, "office"))
        wanted.append(MissingName(("participants", i, "country"), participant.country, "place"))
    found: dict[str, MissingName] = {}
    for item in wanted:
        if item.kind == "office" or glossary.lookup(item.english) is None:
            found.setdefault(item.english, item)
    return list(found.values())


def kept_terms(facts: Facts, glossary: Glossary) -> Glossary:
    """`glossary` plus the facts' own names it lacks, each kept as its English form.

    The translation stage protects these like any term, so a name the term base does not hold
    reaches no model inside free text either; it comes out in English, as in the structured
    fields. Offices are not among them: their words ("President") are common in running text.
    """
    # The names were checked as facts already; the glossary file's own limits (a form's length)
    # are for what people write in glossaries, so these terms are made without them.
    kept = [
        Term.model_construct(
            id=f"kept-{term_id(item.english)}",
            kind=item.kind if item.kind in ("person", "place", "event") else "thing",
            forms={code: item.english for code in LANGUAGES},
        )
        for item in missing_names(facts, glossary)
        if item.kind != "office" and item.loc[-1] != "kind"
    ]
    if not kept:
        return glossary
    return Glossary(version=glossary.version, terms=[*glossary.terms, *kept])


def glossary_warnings(loaded: LoadedYaml, facts: Facts, glossary: Glossary) -> list[Problem]:
    """Warnings naming each glossary entry to add, at the place in the facts file that uses it."""
    targets = [language for code, language in LANGUAGES.items() if code != SOURCE_LANGUAGE]
    names = " and ".join(language.name for language in targets)
    forms = ", ".join(f"{language.code}: …" for language in targets)
    problems = []
    for item in missing_names(facts, glossary):
        entry = item.entry()
        problems.append(
            loaded.problem(
                item.loc,
                f"'{item.english}' is not in the glossary, so the {names} documents "
                "print it in English, marked for review",
                f"Add a term: {{id: {entry['id']}, kind: {entry['kind']}, en: {item.english}, "
                f"{forms}}} with the official forms (and where you found them in `checked`).",
                "warning",
            )
        )
    return problems


class Localizer:
    """Builds the BriefingView of one facts file in one language."""

    def __init__(
        self,
        facts: Facts,
        language: Language,
        glossary: Glossary,
        translations: Mapping[str, TranslatedText],
        model_label: str = "",
        catalog: gettext.NullTranslations | None = None,
    ) -> None:
        self.facts = facts
        self.language = language
        self.glossary = glossary
        self.translations = translations
        self.model_label = model_label
        self.catalog = catalog or gettext.NullTranslations()
        self.used: dict[str, TranslatedText] = {}
        self.missing: dict[str, str] = {}  # English text → field path, of names kept in English

    def free(self, english: str) -> TranslatedText:
        if self.language.code == SOURCE_LANGUAGE:
            found = TranslatedText(english, Origin.source)
        else:
            found = self.translations.get(english) or TranslatedText(
                english, Origin.source, flagged=True
            )
        self.used[english] = found
        return found

    def name(self, english: str, loc: tuple[str | int, ...] = ()) -> Name:
        """A name from the glossary; one missing there is kept in English and marked."""
        if self.language.code == SOURCE_LANGUAGE:
            return Name(english, english)
        rendered = self.glossary.render(english, self.language.code)
        if rendered is not None:
            return Name(rendered, english)
        return self.kept(english, loc)

    def kept(self, english: str, loc: tuple[str | int, ...]) -> Name:
        self.missing.setdefault(english, dotted(loc))
        return Name(english, english, missing=True)

    def kind(self) -> Name:
        """A kind from the vocabulary through the catalog, or a glossary term."""
        kind = self.facts.event.kind
        word, term = event_kind(self.facts, self.glossary)
        if self.language.code == SOURCE_LANGUAGE:
            # A vocabulary word starts its line ("Type of event: Summit meeting"); a glossary
            # term's own form is printed as written.
            return Name(word[:1].upper() + word[1:] if is_known(word) else kind, kind)
        if is_known(word):
            return Name(self.catalog.gettext(word), kind)
        if term is not None:
            return Name(term.form(self.language.code), kind)
        return self.kept(kind, ("event", "kind"))

    def cited(self, statement: Statement | Account) -> Cited:
        body = self.free(statement.text)
        heading = ""
        flagged = body.flagged
        if isinstance(statement, HeadedStatement):
            head = self.free(statement.heading)
            heading, flagged = head.text, flagged or head.flagged
        return Cited(
            text=body.text,
            refs=tuple(self.facts.source_number(s) for s in statement.sources),
            status=statement.status.value if isinstance(statement, Statement) else "confirmed",
            flagged=flagged,
            heading=heading,
        )

    def participant(self, index: int) -> ParticipantRow:
        participant = self.facts.participants[index]
        loc = ("participants", index)
        lang = self.language.code
        if lang == SOURCE_LANGUAGE:
            title = Name(participant.title, participant.title)
        else:
            rendered = participant_title(self.facts, index, self.glossary, lang)
            title = (
                Name(rendered, participant.title)
                if rendered is not None
                else self.kept(participant.title, (*loc, "title"))
            )
        return ParticipantRow(
            name=self.name(participant.name, (*loc, "name")),
            title=title,
            country=self.name(participant.country, (*loc, "country")),
            role=participant.role.value,
        )

    def view(self) -> BriefingView:
        facts, event = self.facts, self.facts.event
        differences = tuple(
            DifferenceView(
                topic=self.free(d.topic).text,
                accounts=tuple(self.cited(a) for a in d.accounts),
            )
            for d in facts.differences
        )
        # Free texts are looked up in document order before the view is made, so that
        # `self.used` knows every translation the document prints.
        title = self.name(event.title, ("event", "title"))
        kind = self.kind()
        venue = self.name(event.venue, ("event", "venue")) if event.venue else None
        city = self.name(event.city, ("event", "city"))
        host_country = self.name(event.host_country, ("event", "host_country"))
        participants = tuple(self.participant(i) for i in range(len(facts.participants)))
        summary = self.cited(facts.summary)
        background = tuple(self.cited(s) for s in facts.background)
        outcomes = tuple(self.cited(s) for s in facts.outcomes)
        topics = tuple(self.cited(s) for s in facts.topics)
        next_steps = tuple(self.cited(s) for s in facts.next_steps)
        used = list(self.used.values())
        return BriefingView(
            lang=self.language.code,
            locale=self.language.locale,
            tag=self.language.tag,
            title=title,
            title_en=event.title,
            kind=kind,
            date=event.date,
            end_date=event.end_date if event.end_date != event.date else None,
            time=event.time,
            time_zone=event.time_zone,
            city=city,
            venue=venue,
            host_country=host_country,
            participants=participants,
            summary=summary,
            background=background,
            outcomes=outcomes,
            topics=topics,
            next_steps=next_steps,
            differences=differences,
            sources=tuple(
                SourceEntry(i + 1, s.publisher, s.title, s.date, s.url, s.note)
                for i, s in enumerate(facts.sources)
            ),
            author=facts.document.author,
            organisation=facts.document.organisation,
            keywords=tuple(facts.document.keywords),
            machine_translated=any(t.machine_made for t in used),
            flagged_count=sum(1 for t in used if t.flagged),
            model_label=self.model_label,
            kept_in_english=(
                0
                if self.language.code == SOURCE_LANGUAGE
                else len(missing_names(self.facts, self.glossary))
            ),
            italics=self.language.italics,
        )
