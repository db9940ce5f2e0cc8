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
from briefing.kinds import context_for, is_known
from briefing.languages import Language
from briefing.marks import Mark, mark_for
from briefing.output.printed import Printed, name_markup, printed_text
from briefing.roles import VISITING, WORDS, printed_role
from briefing.style import dates_of, effective_style
from briefing.terms.coverage import Coverage, count_sides, kind_term, office_forms, side_of
from briefing.terms.glossary import Term
from briefing.translation.interface import Origin, TranslatedText
from briefing.workspace.fields import StyleSettings


@dataclass(frozen=True)
class Cited:
    text: Printed
    refs: tuple[int, ...]
    status: str  # confirmed | reported | expected
    flagged: bool = False
    heading: Printed = Printed("", "")


@dataclass(frozen=True)
class Name:
    """A structured field as printed: the glossary's form, or the English kept and marked.

    In a template `{{ name }}` prints it, highlighted when it is not in the term base (and
    with its reading at the document's first mention); `{{ name.text }}` is the bare text (for
    document properties); `{{ name.short }}` the short form of a country's name (韓国 for
    大韓民国), which tables and the place line print.
    """

    text: str
    english: str
    missing: bool = False  # not in the term base: printed in English, marked for the reviewer
    term: str = ""  # the term's id
    reading: str = ""  # printed in brackets after the first mention
    short_text: str = ""  # the term's short form in the language, where it has one

    def __str__(self) -> str:
        return self.text

    def __html__(self) -> str:
        return name_markup(self.text, self.missing, self.term, self.reading)

    @property
    def short(self) -> Name:
        if not self.short_text:
            return self
        return Name(self.short_text, self.english, self.missing, self.term, self.reading)


@dataclass(frozen=True)
class ParticipantRow:
    name: Name
    title: Name
    country: Name
    role: str  # as the facts give it: host | chair | visitor | participant | delegation | …
    part: str  # the role as printed (roles.WORDS): host | chair | visitor | participant | …
    role_word: str  # `part` in the language, the word the Role column prints


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
    topic: Printed
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
    # How many different names the term base lacks (people, offices, places, the event's
    # title) the document prints in English, each highlighted wherever it stands: each counted
    # once, however often printed.
    kept_in_english: int
    sides: int  # how many countries or organisations take part
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
        self.kept_printed: set[str] = set()  # names kept in English that the view prints
        self.kept_names = frozenset(m.english for m in coverage.missing if m.kind != "office")
        self.sides = count_sides((p.country for p in facts.participants), self.glossary)
        # Sources are cited by their 1-based position in the sources list, looked up once.
        self.numbers = {source.id: number for number, source in enumerate(facts.sources, 1)}
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

    def printed(self, english: str) -> Printed:
        """Free text in the language, its names marked."""
        found = self.free(english)
        if self.language.is_source:
            return Printed(found.text, str(escape(found.text)))
        printed = printed_text(
            english, found.text, self.language.code, self.coverage.protected, self.kept_names
        )
        self.kept_printed.update(printed.kept)
        return printed

    def from_term(self, term: Term, english: str) -> Name:
        lang = self.language.code
        short = term.short_in(lang)
        return Name(
            term.form(lang),
            english,
            term=term.id,
            reading=term.reading_in(lang),
            short_text=short if short != term.form(lang) else "",
        )

    def kept(self, english: str) -> Name:
        self.kept_printed.add(english)
        return Name(english, english, missing=True)

    def name(self, english: str) -> Name:
        """A name from the glossary; one missing there is kept in English and marked."""
        if self.language.is_source:
            return Name(english, english)
        term = self.glossary.lookup(english)
        if term is not None:
            return self.from_term(term, english)
        return self.kept(english)

    def kind(self) -> Name:
        """A kind from the vocabulary through the catalog, or a glossary term."""
        kind = self.facts.event.kind
        word, term = kind_term(kind, self.glossary)
        if self.language.is_source:
            # A vocabulary word starts its line ("Type of event: Summit meeting"); a glossary
            # term's own form is printed as written.
            return Name(word[:1].upper() + word[1:] if is_known(word) else kind, kind)
        if is_known(word):
            context = context_for(word, self.sides)
            if context is not None:
                form = self.catalog.pgettext(context, word)
                if form != word:
                    return Name(form, kind)
            return Name(self.catalog.gettext(word), kind)
        if term is not None:
            return Name(term.form(self.language.code), kind)
        return self.kept(kind)

    def cited(self, statement: Statement | Account) -> Cited:
        body = self.printed(statement.text)
        heading = Printed("", "")
        flagged = self.used[statement.text].flagged
        if isinstance(statement, HeadedStatement):
            heading = self.printed(statement.heading)
            flagged = flagged or self.used[statement.heading].flagged
        return Cited(
            text=body,
            # each source once, in the order of the sources list: [1, 2], never [2, 1, 2]
            refs=tuple(sorted({self.numbers[s] for s in statement.sources})),
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
                else self.kept(english)
            )
        event = self.facts.event
        kind, _term = kind_term(event.kind, self.glossary)
        host = side_of(self.glossary, event.host_country)
        part = printed_role(
            participant.role, kind, self.sides, side_of(self.glossary, participant.country) == host
        )
        word = WORDS[part]
        role_word = word if self.language.is_source else self.catalog.gettext(word)
        if part == "visitor" and host in VISITING and not self.language.is_source:
            context, message = VISITING[host]
            role_word = self.catalog.pgettext(context, message)
            if role_word == message:
                role_word = self.catalog.gettext(word)
        return ParticipantRow(
            name=self.name(participant.name),
            title=title,
            country=self.name(participant.country),
            role=participant.role.value,
            part=part,
            role_word=role_word,
        )

    def view(self) -> BriefingView:
        facts, event = self.facts, self.facts.event
        differences = tuple(
            DifferenceView(
                topic=self.printed(d.topic),
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
            kept_in_english=len(self.kept_printed),
            sides=self.sides,
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
