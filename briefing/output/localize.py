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
from collections.abc import Mapping
from dataclasses import dataclass

from markupsafe import escape

from briefing.dates import DateStyle
from briefing.facts.schema import Account, Facts, HeadedStatement, Statement
from briefing.kinds import is_known
from briefing.languages import Language
from briefing.marks import Mark, mark_for
from briefing.style import dates_of, effective_style
from briefing.terms.coverage import Coverage, kind_term, office_forms
from briefing.translation.interface import Origin, TranslatedText
from briefing.workspace.fields import StyleSettings


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
    date_style: DateStyle  # how the date filters write this document's dates
    mark: Mark  # the handling mark at the top of every page ("" for none)
    as_of: dt.date | None  # the briefing's own date (document.date), when the facts give one
    as_of_time: dt.time | None  # its time, when document.date is a date-time
    created: dt.datetime  # the document's creation date: as_of, else the event's date
    city_in_venue: bool  # the venue's name holds the city's: the place line names it once


def venue_holds_city(venue: Name, city: Name) -> bool:
    """Whether the venue's name already holds the city's: in English, as a whole word
    ("Busan Exhibition and Convention Center (BEXCO)" holds "Busan"), or in the printed forms
    (釜山展示コンベンションセンター holds 釜山). A printed city of one character is too short to
    tell (津 is a city and a common character)."""
    english = re.search(rf"(?<!\w){re.escape(city.english)}(?!\w)", venue.english, re.IGNORECASE)
    printed = len(city.text) > 1 and city.text in venue.text
    return bool(english) or printed


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
        style: StyleSettings | None = None,
    ) -> None:
        self.facts = facts
        self.language = language
        self.coverage = coverage
        self.glossary = coverage.glossary
        self.translations = translations
        self.model_label = model_label
        self.catalog = catalog or gettext.NullTranslations()
        self.used: dict[str, TranslatedText] = {}
        # The workspace's [style] (defaults without one) with the facts file's style: over it.
        self.style = effective_style(style or StyleSettings(), facts.style)

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
        code = self.language.code
        as_of = facts.document.date
        as_of_time = as_of.time() if isinstance(as_of, dt.datetime) else None
        as_of_day = as_of.date() if isinstance(as_of, dt.datetime) else as_of
        if isinstance(as_of, dt.datetime):
            created = (
                as_of.astimezone(dt.timezone.utc).replace(tzinfo=None) if as_of.tzinfo else as_of
            )
        else:
            created = dt.datetime.combine(as_of or event.date, dt.time())
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
            date_style=dates_of(self.style, code),
            mark=mark_for(
                code,
                self.style.mark,
                getattr(self.style.mark_text, code, None),
                self.catalog.gettext,
            ),
            as_of=as_of_day,
            as_of_time=as_of_time,
            created=created,
            city_in_venue=venue is not None and venue_holds_city(venue, city),
        )
