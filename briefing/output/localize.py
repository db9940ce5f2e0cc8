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
from collections.abc import Mapping
from dataclasses import dataclass

from markupsafe import escape

from briefing.facts.schema import Account, Facts, HeadedStatement, Statement
from briefing.kinds import is_known
from briefing.languages import Language
from briefing.terms.coverage import Coverage, kind_term, office_forms
from briefing.translation.interface import Origin, TranslatedText


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


class Localizer:
    """Builds the BriefingView of one facts file in one language.

    Names come from the file's layered glossary, which `coverage` holds with what it lacks.
    """

    def __init__(
        self,
        facts: Facts,
        language: Language,
        coverage: Coverage,
        translations: Mapping[str, TranslatedText],
        model_label: str = "",
        catalog: gettext.NullTranslations | None = None,
    ) -> None:
        self.facts = facts
        self.language = language
        self.coverage = coverage
        self.glossary = coverage.glossary
        self.translations = translations
        self.model_label = model_label
        self.catalog = catalog or gettext.NullTranslations()
        self.used: dict[str, TranslatedText] = {}

    def free(self, english: str) -> TranslatedText:
        if self.language.is_source:
            found = TranslatedText(english, Origin.source)
        else:
            found = self.translations.get(english) or TranslatedText(
                english, Origin.source, flagged=True
            )
        self.used[english] = found
        return found

    def name(self, english: str) -> Name:
        """A name from the glossary; one missing there is kept in English and marked."""
        if self.language.is_source:
            return Name(english, english)
        rendered = self.glossary.render(english, self.language.code)
        if rendered is not None:
            return Name(rendered, english)
        return Name(english, english, missing=True)

    def kind(self) -> Name:
        """A kind from the vocabulary through the catalog, or a glossary term."""
        kind = self.facts.event.kind
        word, term = kind_term(kind, self.glossary)
        if self.language.is_source:
            # A vocabulary word starts its line ("Type of event: Summit meeting"); a glossary
            # term's own form is printed as written.
            return Name(word[:1].upper() + word[1:] if is_known(word) else kind, kind)
        if is_known(word):
            return Name(self.catalog.gettext(word), kind)
        if term is not None:
            return Name(term.form(self.language.code), kind)
        return Name(kind, kind, missing=True)

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
        english = participant.title
        if self.language.is_source:
            title = Name(english, english)
        else:
            office = office_forms(self.glossary, participant.name, english, participant.country)
            title = (
                Name(office.form(self.language.code), english)
                if office is not None
                else Name(english, english, missing=True)
            )
        return ParticipantRow(
            name=self.name(participant.name),
            title=title,
            country=self.name(participant.country),
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
        title = self.name(event.title)
        kind = self.kind()
        venue = self.name(event.venue) if event.venue else None
        city = self.name(event.city)
        host_country = self.name(event.host_country)
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
            kept_in_english=0 if self.language.is_source else len(self.coverage.missing),
            italics=self.language.italics,
        )
