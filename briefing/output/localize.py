"""Turn facts into what a template shows for one language.

Names, places and titles come from the glossary; free text comes from the translation stage;
dates stay dates so the template can format them with the catalog's pattern for the locale.
Nothing here is English prose: every fixed word lives in the templates and their catalogs.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from briefing.facts.schema import Account, Facts, HeadedStatement, Statement
from briefing.languages import SOURCE_LANGUAGE, Language
from briefing.terms.glossary import Glossary
from briefing.translation.interface import Origin, TranslatedText


@dataclass(frozen=True)
class Cited:
    text: str
    refs: tuple[int, ...]
    status: str  # confirmed | reported | expected
    flagged: bool = False
    heading: str = ""


@dataclass(frozen=True)
class ParticipantRow:
    name: str
    title: str
    country: str
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
    italics: bool  # whether the language sets text in italics
    title: str
    title_en: str
    kind: str
    date: dt.date
    time: dt.time | None
    time_zone: str
    city: str
    venue: str | None
    host_country: str
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


class Localizer:
    """Builds the BriefingView of one facts file in one language."""

    def __init__(
        self,
        facts: Facts,
        language: Language,
        glossary: Glossary,
        translations: Mapping[str, TranslatedText],
        model_label: str = "",
    ) -> None:
        self.facts = facts
        self.language = language
        self.glossary = glossary
        self.translations = translations
        self.model_label = model_label
        self.used: dict[str, TranslatedText] = {}

    def free(self, english: str) -> TranslatedText:
        if self.language.code == SOURCE_LANGUAGE:
            found = TranslatedText(english, Origin.source)
        else:
            found = self.translations.get(english) or TranslatedText(
                english, Origin.source, flagged=True
            )
        self.used[english] = found
        return found

    def name(self, english: str) -> str:
        """A name from the glossary; only a name missing there falls back to translation."""
        rendered = self.glossary.render(english, self.language.code)
        if rendered is not None:
            return rendered
        return self.free(english).text

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
        term = self.glossary.lookup(participant.name)
        if self.language.code == SOURCE_LANGUAGE:
            title = participant.title
        elif term is not None and term.title is not None:
            title = term.title.form(self.language.code)
        else:
            title = self.free(participant.title).text
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
        title = self.free(event.title).text
        kind = self.free(event.kind).text
        city = self.name(event.city)
        venue = self.name(event.venue) if event.venue else None
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
            italics=self.language.italics,
            title=title,
            title_en=event.title,
            kind=kind,
            date=event.date,
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
        )
