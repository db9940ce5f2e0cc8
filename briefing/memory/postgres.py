"""The translation memory in PostgreSQL, shared by a team: `--tm postgresql://HOST/DB`.

The same semantics as the SQLite memory, over psycopg 3: a machine entry is found again only
under the key it was made with; a reviewed entry is keyed by segment and languages alone, wins
over machine output and is never replaced by it. Each call that writes is one transaction, so a
build or import that is interrupted (or whose server goes away) leaves every batch stored whole
or not at all. Rows are written in key order, so concurrent builds and imports that touch the
same entries take their row locks in the same order and never deadlock; a transaction that
loses a serialization race is run again.

Machine entries are keyed by the glossary terms found in their sentence, as in SQLite; entries
migrated from schema 1 (keyed by the whole glossary's fingerprint) still answer while the
glossary is the one they were made with, and take their sentence's terms key when they do.

The tables carry a `briefing_` prefix (a team may keep them in a database used for other
things); `briefing_schema` holds the schema version, and opening a memory brings an older schema
up to date under an advisory lock, so two builds opening a new database at once do not collide.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from briefing.errors import BriefingError, InputError
from briefing.memory.connected import Connected, timestamp
from briefing.memory.interface import (
    MACHINE,
    REVIEWED,
    MemoryEntry,
    MemoryKey,
    ReviewedTranslation,
    StoredEntry,
)
from briefing.translation.segments import normalize
from briefing.urls import display_url

SCHEMES = ("postgresql://", "postgres://")
SCHEMA_VERSION = 2
LEGACY_PREFIX = "v1:"  # `terms` of machine entries migrated from schema 1: v1:<fingerprint>
CONNECT_TIMEOUT = 10  # seconds
_LOCK_ID = 0x62726966  # "brif": the advisory lock held while the schema is created or migrated
_RETRIES = 5

#: Each step brings the schema from version N-1 to N.
MIGRATIONS: dict[int, tuple[str, ...]] = {
    1: (
        """
        CREATE TABLE briefing_entries (
            segment TEXT NOT NULL,
            source_lang TEXT NOT NULL,
            target_lang TEXT NOT NULL,
            origin TEXT NOT NULL CHECK (origin IN ('machine', 'reviewed')),
            model TEXT NOT NULL,
            glossary TEXT NOT NULL,
            target TEXT NOT NULL,
            reviewer TEXT,
            flagged BOOLEAN NOT NULL DEFAULT FALSE,
            created TEXT NOT NULL,
            updated TEXT NOT NULL,
            PRIMARY KEY (source_lang, target_lang, segment, origin, model, glossary)
        )
        """,
    ),
    # Keys follow each sentence's glossary terms (see briefing.memory.interface); reviewers'
    # comments are kept beside the entries.
    2: (
        "ALTER TABLE briefing_entries RENAME COLUMN glossary TO terms",
        f"UPDATE briefing_entries SET terms = '{LEGACY_PREFIX}' || terms WHERE origin = 'machine'",
        "ALTER TABLE briefing_entries ADD COLUMN comment TEXT NOT NULL DEFAULT ''",
    ),
}

_COLUMNS = (
    "segment, source_lang, target_lang, target, origin, model, terms, reviewer, flagged,"
    " created, updated, comment"
)
_KEY = "source_lang, target_lang, segment, origin, model, terms"


def is_postgres_url(location: object) -> bool:
    return isinstance(location, str) and location.startswith(SCHEMES)


class PostgresMemory(Connected[Any]):
    """A translation memory in a PostgreSQL database; use it as a context manager."""

    def __init__(self, url: str, timeout: float = 30.0) -> None:
        import psycopg

        self.url = url
        self.name = display_url(url)
        self.timeout = timeout
        try:
            self._connection = psycopg.connect(
                url, autocommit=True, connect_timeout=CONNECT_TIMEOUT
            )
        except psycopg.ProgrammingError as err:
            raise InputError(
                f"the translation memory URL {self.name} is not valid ({err}); write it as "
                "postgresql://USER@HOST:PORT/DATABASE"
            ) from None
        except psycopg.OperationalError as err:
            raise BriefingError(
                f"cannot connect to the translation memory {self.name}: "
                f"{_first_line(err)}; check that the server runs and the URL, user and "
                "password are right, or use a local memory with --tm PATH"
            ) from None
        try:
            with self._guard():
                self._connection.execute(
                    f"SET lock_timeout = {int(timeout * 1000)}; "
                    f"SET statement_timeout = {int(timeout * 4000)}"
                )
                self._prepare_schema()
        except BaseException:
            self.close()
            raise

    # -- errors and transactions ------------------------------------------------------------

    @contextlib.contextmanager
    def _guard(self) -> Iterator[None]:
        """psycopg's errors, said for people: which memory, what happened, what to do."""
        import psycopg

        try:
            yield
        except (psycopg.errors.LockNotAvailable, psycopg.errors.QueryCanceled):
            raise BriefingError(
                f"the translation memory {self.name} is busy (waited {self.timeout:g} s); "
                "run again when the other builds or imports have finished"
            ) from None
        except psycopg.errors.InsufficientPrivilege as err:
            raise BriefingError(
                f"the translation memory {self.name} refuses this user: {_first_line(err)}; "
                "ask its administrator for access to the briefing_ tables"
            ) from None
        except psycopg.OperationalError as err:
            raise BriefingError(
                f"lost the connection to the translation memory {self.name} "
                f"({_first_line(err)}); what was being stored was not stored (each batch is "
                "stored whole or not at all): run again when the server is back"
            ) from None

    def _transaction(self, body: Any) -> Any:
        """Run `body(connection)` in one transaction, again if it lost a serialization race."""
        import psycopg

        for attempt in range(_RETRIES):
            try:
                with self._guard(), self.connection.transaction():
                    return body(self.connection)
            except (psycopg.errors.SerializationFailure, psycopg.errors.DeadlockDetected):
                if attempt == _RETRIES - 1:
                    raise BriefingError(
                        f"the translation memory {self.name} stayed too busy to write to; run again"
                    ) from None
                time.sleep(0.05 * (2**attempt))
        raise AssertionError("unreachable")

    def _prepare_schema(self) -> None:
        def version_of(connection: Any) -> int:
            # A scan of the catalog, not to_regclass(): its cached "no such table" from before
            # the advisory lock would outlive another opener's committed migration.
            exists = connection.execute(
                "SELECT EXISTS (SELECT 1 FROM pg_tables WHERE schemaname = current_schema()"
                " AND tablename = 'briefing_schema')"
            ).fetchone()[0]
            if not exists:
                return 0
            row = connection.execute("SELECT version FROM briefing_schema").fetchone()
            return int(row[0]) if row else 0

        def migrate(connection: Any) -> None:
            connection.execute("SELECT pg_advisory_xact_lock(%s)", (_LOCK_ID,))
            version = version_of(connection)  # again, under the lock
            self._check_version(version)
            connection.execute(
                "CREATE TABLE IF NOT EXISTS briefing_schema (version INTEGER NOT NULL)"
            )
            if connection.execute("SELECT count(*) FROM briefing_schema").fetchone()[0] == 0:
                connection.execute("INSERT INTO briefing_schema VALUES (0)")
            for step in range(version + 1, SCHEMA_VERSION + 1):
                for statement in MIGRATIONS[step]:
                    connection.execute(statement)
                connection.execute("UPDATE briefing_schema SET version = %s", (step,))

        with self._guard():
            version = version_of(self.connection)
        self._check_version(version)
        if version < SCHEMA_VERSION:
            self._transaction(migrate)

    def _check_version(self, version: int) -> None:
        if version > SCHEMA_VERSION:
            raise InputError(
                f"the translation memory {self.name} was written by a newer version of "
                f"briefing (schema {version}, this version reads {SCHEMA_VERSION}); "
                "update briefing, or use another memory with --tm"
            )

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

        def read(connection: Any) -> list[tuple[str, str, str, str, bool]]:
            return connection.execute(
                "SELECT segment, origin, terms, target, flagged FROM briefing_entries"
                " WHERE source_lang = %s AND target_lang = %s AND segment = ANY(%s)"
                " AND (origin = 'reviewed' OR model = %s)",
                (key.source_lang, key.target_lang, list(wanted), key.model),
            ).fetchall()

        found: dict[str, MemoryEntry] = {}
        rekey: list[tuple[str, str]] = []  # (segment, terms) of legacy entries that answered
        for segment, origin, terms, target, flagged in self._transaction(read):
            reviewed = origin == REVIEWED
            if segment in found and found[segment].reviewed:
                continue
            exact = terms == wanted[segment][1]
            if not reviewed and not exact and terms != legacy:
                continue
            if not reviewed and not exact and segment in found:
                continue  # an exact entry beats a legacy one
            found[segment] = MemoryEntry(target, reviewed, bool(flagged) and not reviewed)
            if not reviewed and not exact:
                rekey.append((segment, wanted[segment][1]))
        if rekey and legacy:
            self._rekey_legacy(rekey, key, legacy)
        return {wanted[segment][0]: entry for segment, entry in found.items()}

    def _rekey_legacy(self, items: list[tuple[str, str]], key: MemoryKey, legacy: str) -> None:
        """Give migrated entries the key they would have today, so a later glossary edit
        finds them by their own terms (one that already has it keeps that one)."""
        rows = sorted(
            (terms, key.source_lang, key.target_lang, segment, key.model, legacy)
            for segment, terms in items
        )

        def write(connection: Any) -> None:
            with connection.cursor() as cursor:
                cursor.executemany(
                    "UPDATE briefing_entries AS old SET terms = %s WHERE source_lang = %s"
                    " AND target_lang = %s AND segment = %s AND origin = 'machine'"
                    " AND model = %s AND terms = %s AND NOT EXISTS (SELECT 1 FROM"
                    " briefing_entries AS new WHERE new.source_lang = old.source_lang"
                    " AND new.target_lang = old.target_lang AND new.segment = old.segment"
                    " AND new.origin = 'machine' AND new.model = old.model"
                    " AND new.terms = %s)",
                    [(*row, row[0]) for row in rows],
                )

        self._transaction(write)

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
            (
                normalize(segment),
                key.source_lang,
                key.target_lang,
                key.model,
                terms.get(segment, ""),
                entry.target,
                entry.flagged,
                now,
                now,
            )
            for segment, entry in targets.items()
        )

        def write(connection: Any) -> None:
            with connection.cursor() as cursor:
                cursor.executemany(
                    "INSERT INTO briefing_entries (segment, source_lang, target_lang, origin,"
                    " model, terms, target, flagged, created, updated)"
                    " VALUES (%s, %s, %s, 'machine', %s, %s, %s, %s, %s, %s)"
                    f" ON CONFLICT ({_KEY})"
                    " DO UPDATE SET target = excluded.target, flagged = excluded.flagged,"
                    " updated = excluded.updated",
                    rows,
                )

        if rows:
            self._transaction(write)

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
        rows = sorted(
            (
                normalize(entry.segment),
                entry.source_lang,
                entry.target_lang,
                normalize(entry.target),
                reviewer,
                now,
                now,
                entry.comment,
            )
            for entry in entries
        )
        notes = sorted(
            (comment, normalize(segment), source_lang, target_lang)
            for segment, source_lang, target_lang, comment in comments
        )

        def write(connection: Any) -> int:
            stored = 0
            with connection.cursor() as cursor:
                if rows:
                    cursor.executemany(
                        "INSERT INTO briefing_entries (segment, source_lang, target_lang,"
                        " origin, model, terms, target, reviewer, flagged, created, updated,"
                        " comment)"
                        " VALUES (%s, %s, %s, 'reviewed', '', '', %s, %s, FALSE, %s, %s, %s)"
                        f" ON CONFLICT ({_KEY})"
                        " DO UPDATE SET target = excluded.target, reviewer = excluded.reviewer,"
                        " updated = excluded.updated,"
                        " comment = CASE WHEN excluded.comment != '' THEN excluded.comment"
                        " ELSE briefing_entries.comment END"
                        # the same translation by the same reviewer again changes nothing, not
                        # even the time: importing a file twice leaves the memory as it was
                        " WHERE briefing_entries.target != excluded.target"
                        " OR briefing_entries.reviewer IS DISTINCT FROM excluded.reviewer"
                        " OR (excluded.comment != ''"
                        " AND briefing_entries.comment != excluded.comment)",
                        rows,
                    )
                    stored = max(cursor.rowcount, 0)  # psycopg ≥ 3.1: the sum over the rows
                if notes:
                    cursor.executemany(
                        "UPDATE briefing_entries SET comment = %s WHERE segment = %s"
                        " AND source_lang = %s AND target_lang = %s",
                        notes,
                    )
            return stored

        return int(self._transaction(write)) if rows or notes else 0

    def entries_for(
        self, segments: Iterable[str], source_lang: str, target_lang: str
    ) -> dict[str, StoredEntry]:
        """What a reviewer should see for each segment: the reviewed entry if there is one,
        else the most recent machine entry (of any model or glossary); unknown segments are
        left out. Keys are the segments as given."""
        wanted = {normalize(s): s for s in segments}

        def read(connection: Any) -> list[tuple[Any, ...]]:
            return connection.execute(
                f"SELECT {_COLUMNS} FROM briefing_entries"
                " WHERE source_lang = %s AND target_lang = %s AND segment = ANY(%s)",
                (source_lang, target_lang, list(wanted)),
            ).fetchall()

        best: dict[str, StoredEntry] = {}
        for row in self._transaction(read) if wanted else []:
            entry = _stored(row)
            current = best.get(entry.segment)
            if current is None or (entry.reviewed, entry.updated) > (
                current.reviewed,
                current.updated,
            ):
                best[entry.segment] = entry
        return {wanted[segment]: entry for segment, entry in best.items()}

    def counts(self) -> dict[str, int]:
        """Number of entries by origin: {'machine': n, 'reviewed': m}."""
        result = {MACHINE: 0, REVIEWED: 0}

        def read(connection: Any) -> list[tuple[str, int]]:
            return connection.execute(
                "SELECT origin, count(*) FROM briefing_entries GROUP BY origin"
            ).fetchall()

        for origin, number in self._transaction(read):
            result[origin] = int(number)
        return result

    # -- exchange ---------------------------------------------------------------------------

    def entries(
        self, target_lang: str | None = None, reviewed_only: bool = False
    ) -> list[StoredEntry]:
        """Every entry (of one target language, reviewed ones only), in a stable order."""
        where, parameters = [], []
        if target_lang:
            where.append("target_lang = %s")
            parameters.append(target_lang)
        if reviewed_only:
            where.append("origin = 'reviewed'")
        clause = f" WHERE {' AND '.join(where)}" if where else ""

        def read(connection: Any) -> list[tuple[Any, ...]]:
            return connection.execute(
                f"SELECT {_COLUMNS} FROM briefing_entries{clause}"
                # byte order, as SQLite sorts, whatever the database's collation
                ' ORDER BY target_lang COLLATE "C", segment COLLATE "C", origin DESC,'
                ' model COLLATE "C", terms COLLATE "C"',
                parameters,
            ).fetchall()

        return [_stored(row) for row in self._transaction(read)]

    def restore(self, entries: Iterable[StoredEntry]) -> int:
        """Store entries as they are given (another memory's, an exchange file's), all in one
        transaction; an entry replaces the one under the same key only when it is as new or
        newer, so copying twice or back and forth loses no one's work. Returns how many."""
        rows = sorted(
            (
                normalize(e.segment), e.source_lang, e.target_lang, e.origin, e.model, e.terms,
                normalize(e.target), e.reviewer, e.flagged, e.created, e.updated, e.comment,
            )
            for e in entries
        )  # fmt: skip

        def write(connection: Any) -> None:
            with connection.cursor() as cursor:
                cursor.executemany(
                    "INSERT INTO briefing_entries (segment, source_lang, target_lang, origin,"
                    " model, terms, target, reviewer, flagged, created, updated, comment)"
                    " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
                    f" ON CONFLICT ({_KEY})"
                    " DO UPDATE SET target = excluded.target, reviewer = excluded.reviewer,"
                    " flagged = excluded.flagged, updated = excluded.updated,"
                    " comment = excluded.comment"
                    " WHERE briefing_entries.updated <= excluded.updated",
                    rows,
                )

        if rows:
            self._transaction(write)
        return len(rows)

    def stats(self) -> list[tuple[str, str, str, int]]:
        """(target language, origin, model, entries), sorted."""

        def read(connection: Any) -> list[tuple[Any, ...]]:
            return connection.execute(
                "SELECT target_lang, origin, model, count(*) FROM briefing_entries"
                ' GROUP BY target_lang, origin, model ORDER BY target_lang COLLATE "C",'
                ' origin COLLATE "C", model COLLATE "C"'
            ).fetchall()

        return [(lang, origin, model, int(n)) for lang, origin, model, n in self._transaction(read)]


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def _stored(row: Any) -> StoredEntry:
    return StoredEntry(
        row[0],
        row[1],
        row[2],
        row[3],
        row[4],
        row[5],
        row[6],
        row[7],
        bool(row[8]),
        row[9],
        row[10],
        row[11] or "",
    )
