"""The facts of one event: the typed schema a facts file is validated against.

Every statement carries the ids of the reports it comes from, so that a briefing never says
more than its sources do, and a status, because reports distinguish what happened from what
"is believed" or "was expected".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from enum import Enum
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationInfo, field_validator

from briefing.kinds import KINDS
from briefing.roles import Role
from briefing.terms.coverage import Named
from briefing.terms.glossary import Term
from briefing.workspace.fields import StyleSettings
from briefing.yamlsource.cleaning import fold_whitespace

Text = Annotated[str, Field(min_length=1, max_length=20_000), BeforeValidator(fold_whitespace)]
ShortText = Annotated[str, Field(min_length=1, max_length=500), BeforeValidator(fold_whitespace)]
SourceId = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$", max_length=64)]


class Record(BaseModel):
    """A frozen part of the facts that refuses unknown keys, so a misspelt field is reported."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Status(str, Enum):
    """How firm a statement is, as the sources put it."""

    confirmed = "confirmed"
    reported = "reported"
    expected = "expected"


class Statement(Record):
    """A sentence or short passage of free text, translated by machine, citing its sources."""

    text: Text = Field(description="the statement, in your own words")
    sources: list[SourceId] = Field(min_length=1, description="ids from the sources list")
    status: Status = Field(Status.confirmed, description="confirmed, reported or expected")


class HeadedStatement(Statement):
    """An outcome or topic: a short heading, then the statement."""

    heading: ShortText = Field(description="a short heading, a few words")


class Participant(Record):
    name: ShortText = Field(description="the person's name in English, as in the glossary")
    title: ShortText = Field(description="the office held, in English, e.g. Prime Minister")
    country: ShortText = Field(description="the country they represent, as in the glossary")
    role: Role = Field(
        description="host, chair (of a meeting of three or more sides), visitor, participant, "
        "delegation or other; guest (older) is a visitor or a participant as the event decides"
    )
    sources: list[SourceId] = Field(min_length=1, description="ids from the sources list")


class Event(Record):
    title: ShortText = Field(description="the event's name, e.g. Japan–ROK Summit Meeting")
    kind: ShortText = Field(
        description="one of: " + ", ".join(KINDS) + " (or a term of the glossary)"
    )
    date: dt.date = Field(description="a date written YYYY-MM-DD (the first day)")
    end_date: dt.date | None = Field(
        None, description="the last day of an event over several days, YYYY-MM-DD (optional)"
    )
    time: dt.time | None = Field(None, description="local start time, HH:MM (optional)")
    time_zone: ShortText = Field(description="an IANA time zone such as Asia/Tokyo")
    city: ShortText = Field(description="the city, as in the glossary")
    venue: ShortText | None = Field(None, description="the venue, as in the glossary (optional)")
    host_country: ShortText = Field(description="the host country, as in the glossary")

    @field_validator("end_date")
    @classmethod
    def _not_before_start(cls, value: dt.date | None, info: ValidationInfo) -> dt.date | None:
        start = info.data.get("date")
        if value is not None and isinstance(start, dt.date) and value < start:
            raise ValueError(
                f"end_date {value.isoformat()} is before date {start.isoformat()}; "
                "end_date is the last day of the event"
            )
        return value

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"unknown time zone '{value}'; use an IANA name like Asia/Tokyo"
            ) from None
        return value


class Account(Record):
    """One source's version of a point on which the sources differ."""

    text: Text = Field(description="what this source says, in your own words")
    sources: list[SourceId] = Field(min_length=1, description="ids from the sources list")


class Difference(Record):
    """A point the sources disagree on: the briefing shows every account, never picks one."""

    topic: ShortText = Field(description="what the sources differ on, a few words")
    accounts: list[Account] = Field(min_length=2, description="two or more accounts")


class Source(Record):
    id: SourceId = Field(description="a short id that statements cite, e.g. japan-news")
    publisher: ShortText
    title: ShortText
    date: dt.date | None = Field(None, description="publication date, YYYY-MM-DD (optional)")
    url: Annotated[str, Field(pattern=r"^https?://\S+$")] | None = None
    note: ShortText | None = None
    language: Annotated[str, Field(pattern=r"^[a-z]{2,3}$")] = "en"


class Issuer(Record):
    """Who issues the briefing, and as of when; goes into the document's properties."""

    author: ShortText = "Policy Briefing Unit"
    organisation: ShortText | None = None
    keywords: list[ShortText] = []
    # A date before a date-time: YAML's 2026-03-20 stays a day, not midnight.
    date: dt.date | dt.datetime | None = Field(
        default=None,
        description="the briefing's own date, as of which it is written: YYYY-MM-DD, or "
        "YYYY-MM-DDTHH:MM for a time too (optional; printed on the document and its creation "
        "date; unset: the event's date)",
    )

    @field_validator("date")
    @classmethod
    def _within_utc_years(cls, value: dt.date | dt.datetime | None) -> dt.date | None:
        """A date-time with an offset is stored in UTC (the document's creation date): one
        that UTC puts before the year 1 or after 9999 has no date there."""
        if isinstance(value, dt.datetime) and value.tzinfo is not None:
            try:
                value.astimezone(dt.timezone.utc)
            except OverflowError:
                raise ValueError(
                    f"{value.isoformat()} falls outside the years 1 to 9999 in UTC, where the "
                    "document's creation date is kept; write it without the offset"
                ) from None
        return value


class Facts(Record):
    event: Event
    document: Issuer = Issuer()
    participants: list[Participant] = Field(min_length=1)
    summary: Statement
    background: list[Statement] = []
    outcomes: list[HeadedStatement] = []
    topics: list[HeadedStatement] = []
    next_steps: list[Statement] = []
    differences: list[Difference] = []
    sources: list[Source] = Field(min_length=1)
    style: StyleSettings | None = Field(
        None,
        description="this event's date styles and handling mark, as briefing.toml's [style]; "
        "what is set here overrides the workspace's",
    )
    glossary: list[Term] = Field(
        [],
        description="the event's own glossary terms (as in glossary.yaml), over the workspace's",
    )

    def citing(self) -> Iterator[tuple[tuple[str | int, ...], list[str]]]:
        """Every place that cites sources, with its path in the file."""
        for i, participant in enumerate(self.participants):
            yield ("participants", i, "sources"), participant.sources
        for loc, statement in self.statements():
            yield (*loc, "sources"), statement.sources

    def statements(self) -> Iterator[tuple[tuple[str | int, ...], Statement | Account]]:
        """Every free-text statement in document order, with its path in the file."""
        yield ("summary",), self.summary
        for name in ("background", "outcomes", "topics", "next_steps"):
            for i, statement in enumerate(getattr(self, name)):
                yield (name, i), statement
        for i, difference in enumerate(self.differences):
            for j, account in enumerate(difference.accounts):
                yield ("differences", i, "accounts", j), account

    def names(self) -> list[Named]:
        """Every structured field in document order: each prints the term base's form of it."""
        event = self.event
        names = [
            Named(("event", "title"), event.title, "event"),
            Named(("event", "kind"), event.kind, "event", event_kind=True),
        ]
        if event.venue:
            names.append(Named(("event", "venue"), event.venue, "place"))
        names += [
            Named(("event", "city"), event.city, "place"),
            Named(("event", "host_country"), event.host_country, "place"),
        ]
        for i, participant in enumerate(self.participants):
            loc = ("participants", i)
            name, country = participant.name, participant.country
            names += [
                Named((*loc, "name"), name, "person"),
                Named((*loc, "title"), participant.title, "office", holder=name, country=country),
                Named((*loc, "country"), country, "place"),
            ]
        return names

    def source_number(self, source_id: str) -> int:
        """Sources are cited by their 1-based position in the sources list."""
        return [s.id for s in self.sources].index(source_id) + 1
