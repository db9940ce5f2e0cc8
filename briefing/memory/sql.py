"""The translation memory's SQL, written once for SQLite and PostgreSQL.

Everything that decides what the memory holds and answers is here: the table and its upgrade
from schema 1, the statements, how a stored row is built, how a lookup is resolved (a reviewed
entry over any machine one; machine output under the sentence's own terms over an entry
migrated from schema 1) and which entry a reviewer is shown. A backend names its `Dialect` (what
its SQL spells differently) and runs the work it is given in one transaction (`_read`,
`_write`); connecting, its errors, locking and opening safely stay with it.

Rows are written in key order, so concurrent writers take their row locks in the same order and
never deadlock each other. Every text is cleaned as facts text is (`clean_outside`) on its way
in, whatever it comes from, and on its way out, so a memory written before that rule (or by
another tool) cannot put a character in a document that Word cannot hold. Past 400 lines and
one idea: every statement of the memory, written once for both databases.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, TypeVar

from briefing.memory.connected import Connected, ConnectionT, timestamp
from briefing.memory.interface import (
    FUTURE_SKEW,
    MACHINE,
    ORIGINS,
    REVIEWED,
    MemoryEntry,
    MemoryKey,
    ReviewedTranslation,
    StoredEntry,
    normalize,
)
from briefing.yamlsource.cleaning import clean_outside

SCHEMA_VERSION = 2
LEGACY_PREFIX = "v1:"  # `terms` of machine entries migrated from schema 1: v1:<fingerprint>
CHUNK = 500  # segments per query, well under either database's limit on bound parameters
COLUMNS = (
    "segment, source_lang, target_lang, target, origin, model, terms, reviewer, flagged,"
    " created, updated, comment"
)
KEY = "source_lang, target_lang, segment, origin, model, terms"  # the primary key

Result = TypeVar("Result")


@dataclass(frozen=True)
class Dialect:
    """What SQLite and PostgreSQL spell differently; the statements are otherwise the same."""

    table: str  # the entries (a team's database may hold other things: a prefix there)
    mark: str  # a bound parameter
    distinct: str  # "differs from", a NULL being a value like any other
    collate: str  # sorts text by its bytes, whatever the database's collation
    flagged: str  # the flagged column's type
    table_options: str = ""

    def sql(self, text: str, **names: str) -> str:
        """`text` in this dialect: {table}, {distinct}, {collate} filled in, ? as its mark."""
        names |= {"table": self.table, "distinct": self.distinct, "collate": self.collate}
        return text.format(**names).replace("?", self.mark)


SQLITE = Dialect(
    table="entries",
    mark="?",
    distinct="IS NOT",
    collate="",  # SQLite compares text as bytes
    flagged="INTEGER NOT NULL DEFAULT 0 CHECK (flagged IN (0, 1))",
    table_options=" WITHOUT ROWID",
)
POSTGRES = Dialect(
    table="briefing_entries",
    mark="%s",
    distinct="IS DISTINCT FROM",
    collate=' COLLATE "C"',
    flagged="BOOLEAN NOT NULL DEFAULT FALSE",
)

_CREATE = """
CREATE TABLE {table} (
    segment TEXT NOT NULL,          -- the source segment, normalized (interface.normalize)
    source_lang TEXT NOT NULL,
    target_lang TEXT NOT NULL,
    origin TEXT NOT NULL CHECK (origin IN ({origins})),
    model TEXT NOT NULL,            -- package identity, '' for reviewed entries
    terms TEXT NOT NULL,            -- target forms of the sentence's glossary terms (JSON list),
                                    -- '' for none and for reviewed entries
    target TEXT NOT NULL,
    reviewer TEXT,
    flagged {flagged},
    created TEXT NOT NULL,          -- UTC, ISO 8601
    updated TEXT NOT NULL,
    comment TEXT NOT NULL DEFAULT '',  -- a reviewer's comment on the sentence
    PRIMARY KEY ({key})
){options}"""

#: Schema 1 → 2: keys follow each sentence's glossary terms (machine entries keep the whole
#: glossary's fingerprint as v1:…, see MemoryKey.legacy_glossary); comments are kept.
_UPGRADE_FROM_1 = (
    "ALTER TABLE {table} RENAME COLUMN glossary TO terms",
    f"UPDATE {{table}} SET terms = '{LEGACY_PREFIX}' || terms WHERE origin = '{MACHINE}'",
    "ALTER TABLE {table} ADD COLUMN comment TEXT NOT NULL DEFAULT ''",
)


def schema_statements(dialect: Dialect, version: int) -> tuple[str, ...]:
    """What brings a memory of schema `version` (0: none yet) to SCHEMA_VERSION."""
    if version == 0:
        origins = ", ".join(f"'{origin}'" for origin in ORIGINS)
        options = dialect.table_options
        return (_CREATE.format(table=dialect.table, flagged=dialect.flagged, key=KEY,
                               origins=origins, options=options),)  # fmt: skip
    if version == 1:
        return tuple(dialect.sql(statement) for statement in _UPGRADE_FROM_1)
    raise ValueError(f"no upgrade from schema {version}")


class Cursor(Protocol):
    """What the statements need of a DB-API cursor (sqlite3's and psycopg's have it)."""

    @property
    def rowcount(self) -> int: ...

    def execute(self, query: Any, params: Any = ..., /) -> Any: ...

    def executemany(self, query: Any, params_seq: Any, /) -> Any: ...

    def fetchall(self) -> list[Any]: ...


def stored_entry(row: Sequence[Any]) -> StoredEntry:
    """A row selected as COLUMNS, as the review and exchange sides see it (its texts clean)."""
    segment, source_lang, target_lang, target, origin, model, terms, reviewer = row[:8]
    return StoredEntry(
        segment, source_lang, target_lang, clean_outside(target), origin, model, terms,
        None if reviewer is None else clean_outside(reviewer),
        bool(row[8]), row[9], row[10], clean_outside(row[11] or ""),
    )  # fmt: skip


def stored_form(text: str) -> str:
    """A segment (or a reviewed translation) as stored: clean, then the memory's key rule."""
    return normalize(clean_outside(text))


def resolve(
    rows: Iterable[Sequence[Any]], wanted: Mapping[str, str], legacy: str | None
) -> tuple[dict[str, MemoryEntry], list[tuple[str, str]]]:
    """Each segment's answer from its candidate rows (segment, origin, terms, target, flagged),
    whatever their order: a reviewed entry over any machine one; a machine entry under the
    terms `wanted` for its segment over one migrated from schema 1 under `legacy`, which answers
    only when nothing else does. Also the (segment, terms) whose answer was such a legacy entry,
    to be re-keyed to the terms they would have today."""
    found: dict[str, MemoryEntry] = {}
    from_legacy: set[str] = set()
    for segment, origin, terms, target, flagged in rows:
        current = found.get(segment)
        if current is not None and current.reviewed:
            continue
        if origin == REVIEWED or terms == wanted[segment]:
            reviewed = origin == REVIEWED
            entry = MemoryEntry(clean_outside(target), reviewed, bool(flagged) and not reviewed)
            found[segment] = entry
            from_legacy.discard(segment)
        elif legacy is not None and terms == legacy and current is None:
            found[segment] = MemoryEntry(clean_outside(target), False, bool(flagged))
            from_legacy.add(segment)
    return found, sorted((segment, wanted[segment]) for segment in from_legacy)


def rank(entry: StoredEntry) -> tuple[bool, str]:
    """Which entry a reviewer is shown: the reviewed one, else the latest machine output."""
    return (entry.reviewed, entry.updated)


class SqlMemory(Connected[ConnectionT]):
    """Every operation of the memory, over a backend's connection and transactions."""

    dialect: Dialect
    migrated_backup: Path | None = None  # the copy kept when opening upgraded an older schema

    def _read(self, work: Callable[[Cursor], Result]) -> Result:
        """`work` in one read transaction: every query sees the same state of the memory."""
        raise NotImplementedError

    def _write(self, work: Callable[[Cursor], Result]) -> Result:
        """`work` in one write transaction: all of it is stored, or none of it."""
        raise NotImplementedError

    def _select(self, cursor: Cursor, text: str, params: Sequence[Any] = (), **names: str) -> Any:
        cursor.execute(self.dialect.sql(text, **names), params)
        return cursor.fetchall()

    def _candidates(
        self, cursor: Cursor, select: str, where: str, head: Sequence[Any], segments: list[str]
    ) -> list[Any]:
        """Rows of the segments (in chunks) matching `where` with `head`, then the segments."""
        rows: list[Any] = []
        for start in range(0, len(segments), CHUNK):
            chunk = segments[start : start + CHUNK]
            marks = ", ".join("?" * len(chunk))
            text = f"SELECT {select} FROM {{table}} WHERE {where} AND segment IN ({{marks}})"
            rows += self._select(cursor, text, (*head, *chunk), marks=marks)
        return rows

    # -- the Memory protocol ----------------------------------------------------------------

    def lookup(
        self, segments: Mapping[str, str] | Iterable[str], key: MemoryKey
    ) -> dict[str, MemoryEntry]:
        """The known translation of each segment (segment → its terms key): reviewed if any,
        else machine for `key` and those terms. An entry migrated from schema 1 answers while
        the glossary is the one it was made with, and is re-keyed to the terms on the way."""
        pairs = segments.items() if isinstance(segments, Mapping) else ((s, "") for s in segments)
        wanted = {normalize(s): (s, terms) for s, terms in pairs}
        if not wanted:
            return {}
        legacy = LEGACY_PREFIX + key.legacy_glossary if key.legacy_glossary else None
        rows = self._read(
            lambda cursor: self._candidates(
                cursor,
                "segment, origin, terms, target, flagged",
                f"source_lang = ? AND target_lang = ? AND (origin = '{REVIEWED}' OR model = ?)",
                (key.source_lang, key.target_lang, key.model),
                list(wanted),
            )
        )
        found, rekey = resolve(rows, {s: terms for s, (_, terms) in wanted.items()}, legacy)
        if rekey and legacy:
            self._rekey_legacy(rekey, key, legacy)
        return {wanted[segment][0]: entry for segment, entry in found.items()}

    def _rekey_legacy(self, items: list[tuple[str, str]], key: MemoryKey, legacy: str) -> None:
        """Give migrated entries the key they would have today, so a later glossary edit finds
        them by their own terms; one whose segment already has an entry under that key keeps
        its legacy key (the newer entry answers)."""
        where = "source_lang = ? AND target_lang = ? AND segment = ? AND origin = 'machine'"
        where += " AND model = ? AND terms = ?"
        text = f"UPDATE {{table}} SET terms = ? WHERE {where}"
        text += f" AND NOT EXISTS (SELECT 1 FROM {{table}} WHERE {where})"
        at = (key.source_lang, key.target_lang)
        rows = [(terms, *at, segment, key.model, legacy, *at, segment, key.model, terms)
                for segment, terms in items]  # fmt: skip
        self._write(lambda cursor: cursor.executemany(self.dialect.sql(text), rows))

    def store_machine(
        self,
        targets: Mapping[str, MemoryEntry],
        key: MemoryKey,
        terms: Mapping[str, str] | None = None,
    ) -> None:
        """Store machine translations under `key` and each segment's terms key (none when
        not given); reviewed entries are kept as they are."""
        terms = terms or {}
        if any(entry.reviewed for entry in targets.values()):
            raise ValueError("store_machine stores machine output; use store_reviewed")
        now = timestamp()
        rows = sorted(
            (stored_form(segment), key.source_lang, key.target_lang, key.model,
             terms.get(segment, ""), clean_outside(entry.target), entry.flagged, now, now)
            for segment, entry in targets.items()
        )  # fmt: skip
        text = (
            "INSERT INTO {table} (segment, source_lang, target_lang, origin, model, terms,"
            f" target, flagged, created, updated) VALUES (?, ?, ?, '{MACHINE}', ?, ?, ?, ?, ?, ?)"
            f" ON CONFLICT ({KEY}) DO UPDATE SET target = excluded.target,"
            " flagged = excluded.flagged, updated = excluded.updated"
        )
        if rows:
            self._write(lambda cursor: cursor.executemany(self.dialect.sql(text), rows))

    # -- review -----------------------------------------------------------------------------

    def store_reviewed(
        self,
        entries: Iterable[ReviewedTranslation],
        reviewer: str,
        comments: Iterable[tuple[str, str, str, str]] = (),
    ) -> int:
        """Store approved translations as reviewed, and reviewers' comments on other sentences
        (segment, source language, target language, comment) beside every entry of the
        sentence, all in one transaction; returns how many translations were new or changed."""
        now = timestamp()
        reviewer = clean_outside(reviewer)
        rows = sorted(
            (stored_form(e.segment), e.source_lang, e.target_lang, stored_form(e.target),
             reviewer, False, now, now, clean_outside(e.comment))
            for e in entries
        )  # fmt: skip
        notes = sorted(
            (clean_outside(comment), stored_form(segment), source_lang, target_lang)
            for segment, source_lang, target_lang, comment in comments
        )
        upsert = (
            "INSERT INTO {table} (segment, source_lang, target_lang, origin, model, terms,"
            " target, reviewer, flagged, created, updated, comment)"
            f" VALUES (?, ?, ?, '{REVIEWED}', '', '', ?, ?, ?, ?, ?, ?)"
            f" ON CONFLICT ({KEY}) DO UPDATE SET target = excluded.target,"
            " reviewer = excluded.reviewer, updated = excluded.updated,"
            " comment = CASE WHEN excluded.comment != '' THEN excluded.comment"
            " ELSE {table}.comment END"
            # the same translation by the same reviewer again changes nothing, not even the
            # time: importing a file twice leaves the memory as the first import did
            " WHERE {table}.target != excluded.target"
            " OR {table}.reviewer {distinct} excluded.reviewer"
            " OR (excluded.comment != '' AND {table}.comment != excluded.comment)"
        )
        note = "UPDATE {table} SET comment = ? WHERE segment = ? AND source_lang = ?"
        note += " AND target_lang = ?"

        def write(cursor: Cursor) -> int:
            stored = 0
            if rows:
                cursor.executemany(self.dialect.sql(upsert), rows)
                stored = max(cursor.rowcount, 0)  # summed over the rows (psycopg ≥ 3.1)
            if notes:
                cursor.executemany(self.dialect.sql(note), notes)
            return stored

        return self._write(write) if rows or notes else 0

    def entries_for(
        self, segments: Iterable[str], source_lang: str, target_lang: str
    ) -> dict[str, StoredEntry]:
        """What a reviewer should see for each segment: the reviewed entry if there is one,
        else the most recent machine entry (of any model or glossary); unknown segments are
        left out. Keys are the segments as given."""
        wanted = {normalize(s): s for s in segments}
        if not wanted:
            return {}
        rows = self._read(
            lambda cursor: self._candidates(
                cursor,
                COLUMNS,
                "source_lang = ? AND target_lang = ?",
                (source_lang, target_lang),
                list(wanted),
            )
        )
        best: dict[str, StoredEntry] = {}
        for entry in map(stored_entry, rows):
            current = best.get(entry.segment)
            if current is None or rank(entry) > rank(current):
                best[entry.segment] = entry
        return {wanted[segment]: entry for segment, entry in best.items()}

    def counts(self) -> dict[str, int]:
        """Number of entries by origin: {'machine': n, 'reviewed': m}."""
        text = "SELECT origin, count(*) FROM {table} GROUP BY origin"
        rows = self._read(lambda cursor: self._select(cursor, text))
        return {MACHINE: 0, REVIEWED: 0} | {origin: int(number) for origin, number in rows}

    # -- exchange ---------------------------------------------------------------------------

    def entries(
        self, target_lang: str | None = None, reviewed_only: bool = False
    ) -> list[StoredEntry]:
        """Every entry (of one target language, reviewed ones only), in a stable order."""
        where, params = [], []
        if target_lang:
            where.append("target_lang = ?")
            params.append(target_lang)
        if reviewed_only:
            where.append(f"origin = '{REVIEWED}'")
        clause = f" WHERE {' AND '.join(where)}" if where else ""
        text = (
            f"SELECT {COLUMNS} FROM {{table}}{clause} ORDER BY target_lang{{collate}},"
            " segment{collate}, origin DESC, model{collate}, terms{collate}"
        )
        return [stored_entry(row) for row in self._read(lambda c: self._select(c, text, params))]

    def restore(self, entries: Iterable[StoredEntry]) -> int:
        """Store entries as they are given (another memory's, an exchange file's), all in one
        transaction; an entry replaces the one under the same key only when it is as new or
        newer, so copying twice or back and forth loses no one's work. An entry dated more
        than a day after now (stored before imports stopped believing such dates) is replaced
        whatever the date: no entry stays pinned. Returns how many were stored (new, or
        replacing an older one)."""
        now = dt.datetime.now(dt.timezone.utc)
        future = (now + FUTURE_SKEW).isoformat(timespec="microseconds")
        rows = sorted(
            (
                (stored_form(e.segment), e.source_lang, e.target_lang, e.origin, e.model,
                 e.terms, stored_form(e.target),
                 None if e.reviewer is None else clean_outside(e.reviewer), e.flagged,
                 e.created, e.updated, clean_outside(e.comment), future)
                for e in entries
            ),
            key=lambda row: row[:6],  # the key: a reviewer may be None
        )  # fmt: skip
        text = (
            "INSERT INTO {table} (segment, source_lang, target_lang, origin, model, terms,"
            " target, reviewer, flagged, created, updated, comment)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            f" ON CONFLICT ({KEY}) DO UPDATE SET target = excluded.target,"
            " reviewer = excluded.reviewer, flagged = excluded.flagged,"
            " updated = excluded.updated, comment = excluded.comment"
            " WHERE excluded.updated >= {table}.updated OR {table}.updated > ?"
        )

        def write(cursor: Cursor) -> int:
            cursor.executemany(self.dialect.sql(text), rows)
            return max(cursor.rowcount, 0)  # summed over the rows (psycopg ≥ 3.1)

        return self._write(write) if rows else 0

    def stats(self) -> list[tuple[str, str, str, int]]:
        """(target language, origin, model, entries), sorted."""
        text = (
            "SELECT target_lang, origin, model, count(*) FROM {table}"
            " GROUP BY target_lang, origin, model"
            " ORDER BY target_lang{collate}, origin{collate}, model{collate}"
        )
        rows = self._read(lambda cursor: self._select(cursor, text))
        return [(lang, origin, model, int(number)) for lang, origin, model, number in rows]
