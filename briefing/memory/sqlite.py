"""The translation memory: every translated segment, kept in one SQLite file per user.

A machine entry is found again only under the exact key it was made with (source and target
language, model identity, glossary fingerprint), so a new model or glossary translates afresh.
A reviewed entry is keyed by segment and languages alone: a person's translation wins over any
model's, before and after a model change, and machine output never replaces it.

The file is opened in WAL mode with a busy timeout, so builds running at the same time read
while one writes and otherwise wait their turn. Each call that writes is one transaction
(BEGIN IMMEDIATE … COMMIT): a build that is interrupted leaves the memory as it was before
the call or after it, never between.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

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

ENV_VAR = "BRIEFING_TM"
FILE_NAME = "memory.sqlite"
SCHEMA_VERSION = 1
_CHUNK = 500  # segments per query, well under SQLite's limit on bound parameters

_SCHEMA = """
CREATE TABLE entries (
    segment TEXT NOT NULL,          -- the source segment, normalized (segments.normalize)
    source_lang TEXT NOT NULL,
    target_lang TEXT NOT NULL,
    origin TEXT NOT NULL CHECK (origin IN ('machine', 'reviewed')),
    model TEXT NOT NULL,            -- package identity, '' for reviewed entries
    glossary TEXT NOT NULL,         -- glossary fingerprint, '' for reviewed entries
    target TEXT NOT NULL,
    reviewer TEXT,
    flagged INTEGER NOT NULL DEFAULT 0 CHECK (flagged IN (0, 1)),
    created TEXT NOT NULL,          -- UTC, ISO 8601
    updated TEXT NOT NULL,
    PRIMARY KEY (source_lang, target_lang, segment, origin, model, glossary)
) WITHOUT ROWID
"""


def default_memory_path() -> Path:
    """$XDG_DATA_HOME/briefing/memory.sqlite, or ~/.local/share/briefing/memory.sqlite."""
    data_home = os.environ.get("XDG_DATA_HOME", "")
    root = Path(data_home) if os.path.isabs(data_home) else Path.home() / ".local" / "share"
    return root / "briefing" / FILE_NAME


def resolve_memory_path(option: Path | None) -> Path:
    """The memory file to use: --tm PATH, else $BRIEFING_TM, else the user's data folder."""
    if option is not None:
        return option.expanduser()
    from_env = os.environ.get(ENV_VAR, "").strip()
    if from_env:
        return Path(from_env).expanduser()
    return default_memory_path()


def _chunks(items: list[str]) -> Iterator[list[str]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


class TranslationMemory(Connected[sqlite3.Connection]):
    """The SQLite translation memory; use it as a context manager so the file is closed."""

    def __init__(self, path: Path, timeout: float = 30.0) -> None:
        self.path = Path(path)
        self.name = str(self.path)
        self.timeout = timeout
        if self.path.is_dir():
            raise InputError(
                f"the translation memory {self.path} is a folder, not a file; "
                f"give a file name, e.g. --tm {self.path / FILE_NAME}"
            )
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise BriefingError(
                f"cannot create the folder for the translation memory {self.path}: "
                f"{err.strerror or err}; choose another place with --tm PATH or {ENV_VAR}"
            ) from None
        try:
            self._connection = sqlite3.connect(
                str(self.path), timeout=timeout, isolation_level=None
            )
        except sqlite3.Error as err:
            raise InputError(
                f"cannot open the translation memory {self.path}: {err}; "
                f"check the file's permissions or choose another with --tm PATH"
            ) from None
        try:
            with self._guard():
                self._connection.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
                self._use_wal()
                self._prepare_schema()
        except BaseException:
            self.close()
            raise

    def _use_wal(self) -> None:
        """Switch to WAL, waiting for other openers: SQLite answers "busy" to a journal-mode
        change at once, without its busy timeout, when another process opens the file too."""
        deadline = time.monotonic() + self.timeout
        while True:
            try:
                self.connection.execute("PRAGMA journal_mode = WAL")
                return
            except sqlite3.OperationalError as err:
                busy = "locked" in str(err).lower() or "busy" in str(err).lower()
                if not busy or time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    # -- errors and transactions ------------------------------------------------------------

    @contextlib.contextmanager
    def _guard(self) -> Iterator[None]:
        """SQLite's errors, said for people: which file, what happened, what to do."""
        try:
            yield
        except (sqlite3.IntegrityError, sqlite3.ProgrammingError, sqlite3.InterfaceError):
            raise  # a mistake in the calling code, not in the file
        except sqlite3.OperationalError as err:
            text = str(err).lower()
            if "locked" in text or "busy" in text:
                raise BriefingError(
                    f"the translation memory {self.path} is in use by another build "
                    f"(waited {self.timeout:g} s); let that build finish and run again, "
                    "or use another memory with --tm PATH"
                ) from None
            if "readonly" in text or "read-only" in text:
                raise BriefingError(
                    f"the translation memory {self.path} cannot be written (read-only); "
                    "fix its permissions or choose another with --tm PATH"
                ) from None
            raise self._unusable(err) from None
        except sqlite3.DatabaseError as err:
            raise self._unusable(err) from None

    def _unusable(self, err: sqlite3.Error) -> InputError:
        return InputError(
            f"the translation memory {self.path} is damaged or not a translation memory "
            f"({err}); move it aside (e.g. rename it to {self.path.name}.broken) and run again "
            "to start a new, empty memory, or choose another with --tm PATH"
        )

    @contextlib.contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction: all of it is stored, or none of it."""
        connection = self.connection
        with self._guard():
            connection.execute("BEGIN IMMEDIATE")
            try:
                yield connection
                connection.execute("COMMIT")
            except BaseException:
                if connection.in_transaction:
                    connection.execute("ROLLBACK")
                raise

    @contextlib.contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        """One read transaction: every query in it sees the same state of the memory."""
        connection = self.connection
        with self._guard():
            connection.execute("BEGIN")
            try:
                yield connection
            finally:
                if connection.in_transaction:
                    connection.execute("ROLLBACK")  # nothing was written: just end the snapshot

    def _prepare_schema(self) -> None:
        connection = self.connection
        version = connection.execute("PRAGMA user_version").fetchone()[0]
        if version == SCHEMA_VERSION:
            return
        if version > SCHEMA_VERSION:
            raise InputError(
                f"the translation memory {self.path} was written by a newer version of "
                f"briefing (schema {version}, this version reads {SCHEMA_VERSION}); "
                "update briefing, or use another memory with --tm PATH"
            )
        with self._write():
            version = connection.execute("PRAGMA user_version").fetchone()[0]
            if version == SCHEMA_VERSION:  # another process created it meanwhile
                return
            tables = [
                row[0]
                for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            ]
            if tables:
                raise InputError(
                    f"{self.path} is an SQLite database but not a briefing translation memory "
                    f"(it holds the tables {', '.join(tables)}); choose another file with "
                    "--tm PATH"
                )
            connection.execute(_SCHEMA)
            connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    # -- the Memory protocol ----------------------------------------------------------------

    def lookup(self, segments: list[str], key: MemoryKey) -> dict[str, MemoryEntry]:
        """The known translation of each segment: reviewed if any, else machine for `key`."""
        wanted = {normalize(s): s for s in segments}
        found: dict[str, MemoryEntry] = {}
        with self._read() as connection:
            for chunk in _chunks(list(wanted)):
                marks = ",".join("?" * len(chunk))
                rows = connection.execute(
                    f"SELECT segment, origin, target, flagged FROM entries"
                    f" WHERE source_lang = ? AND target_lang = ? AND segment IN ({marks})"
                    f" AND (origin = 'reviewed' OR (model = ? AND glossary = ?))",
                    (key.source_lang, key.target_lang, *chunk, key.model, key.glossary),
                )
                for segment, origin, target, flagged in rows:
                    reviewed = origin == REVIEWED
                    if segment in found and found[segment].reviewed:
                        continue
                    found[segment] = MemoryEntry(target, reviewed, bool(flagged) and not reviewed)
        return {wanted[segment]: entry for segment, entry in found.items()}

    def store_machine(self, targets: dict[str, MemoryEntry], key: MemoryKey) -> None:
        """Store machine translations under `key`; reviewed entries are kept as they are."""
        if any(entry.reviewed for entry in targets.values()):
            raise ValueError("store_machine stores machine output; use store_reviewed")
        now = timestamp()
        rows = [
            (
                normalize(segment),
                key.source_lang,
                key.target_lang,
                key.model,
                key.glossary,
                entry.target,
                int(entry.flagged),
                now,
                now,
            )
            for segment, entry in targets.items()
        ]
        with self._write() as connection:
            connection.executemany(
                "INSERT INTO entries (segment, source_lang, target_lang, origin, model, glossary,"
                " target, flagged, created, updated)"
                " VALUES (?, ?, ?, 'machine', ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (source_lang, target_lang, segment, origin, model, glossary)"
                " DO UPDATE SET target = excluded.target, flagged = excluded.flagged,"
                " updated = excluded.updated",
                rows,
            )

    # -- review -----------------------------------------------------------------------------

    def store_reviewed(self, entries: Iterable[ReviewedTranslation], reviewer: str) -> int:
        """Store approved translations as reviewed, all in one transaction; returns how many."""
        now = timestamp()
        rows = [
            (
                normalize(entry.segment),
                entry.source_lang,
                entry.target_lang,
                normalize(entry.target),
                reviewer,
                now,
                now,
            )
            for entry in entries
        ]
        with self._write() as connection:
            connection.executemany(
                "INSERT INTO entries (segment, source_lang, target_lang, origin, model, glossary,"
                " target, reviewer, flagged, created, updated)"
                " VALUES (?, ?, ?, 'reviewed', '', '', ?, ?, 0, ?, ?)"
                " ON CONFLICT (source_lang, target_lang, segment, origin, model, glossary)"
                " DO UPDATE SET target = excluded.target, reviewer = excluded.reviewer,"
                " updated = excluded.updated",
                rows,
            )
        return len(rows)

    def entries_for(
        self, segments: Iterable[str], source_lang: str, target_lang: str
    ) -> dict[str, StoredEntry]:
        """What a reviewer should see for each segment: the reviewed entry if there is one,
        else the most recent machine entry (of any model or glossary); unknown segments are
        left out. Keys are the segments as given."""
        wanted = {normalize(s): s for s in segments}
        best: dict[str, StoredEntry] = {}
        with self._read() as connection:
            for chunk in _chunks(list(wanted)):
                marks = ",".join("?" * len(chunk))
                rows = connection.execute(
                    "SELECT segment, source_lang, target_lang, target, origin, model, glossary,"
                    " reviewer, flagged, created, updated FROM entries"
                    f" WHERE source_lang = ? AND target_lang = ? AND segment IN ({marks})",
                    (source_lang, target_lang, *chunk),
                )
                for row in rows:
                    segment, source, target_lang, target, origin, model, glossary, reviewer = row[
                        :8
                    ]
                    entry = StoredEntry(
                        segment,
                        source,
                        target_lang,
                        target,
                        origin,
                        model,
                        glossary,
                        reviewer,
                        bool(row[8]),
                        row[9],
                        row[10],
                    )
                    current = best.get(entry.segment)
                    if current is None or _rank(entry) > _rank(current):
                        best[entry.segment] = entry
        return {wanted[segment]: entry for segment, entry in best.items()}

    def counts(self) -> dict[str, int]:
        """Number of entries by origin: {'machine': n, 'reviewed': m}."""
        result = {MACHINE: 0, REVIEWED: 0}
        with self._read() as connection:
            for origin, number in connection.execute(
                "SELECT origin, count(*) FROM entries GROUP BY origin"
            ):
                result[origin] = number
        return result

    # -- copying between memories -----------------------------------------------------------

    def all_entries(self) -> Iterator[StoredEntry]:
        """Every row, in key order, read in one snapshot."""
        with self._read() as connection:
            rows = connection.execute(
                "SELECT segment, source_lang, target_lang, target, origin, model, glossary,"
                " reviewer, flagged, created, updated FROM entries"
                " ORDER BY source_lang, target_lang, segment, origin, model, glossary"
            ).fetchall()
        for row in rows:
            yield StoredEntry(
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
            )

    def store_entries(self, entries: Iterable[StoredEntry]) -> int:
        """Store rows as they are (origin, model, dates), in one transaction; a row already
        here under the same key is replaced only by a newer one. Returns how many were given."""
        rows = [
            (
                e.segment,
                e.source_lang,
                e.target_lang,
                e.origin,
                e.model,
                e.glossary,
                e.target,
                e.reviewer,
                int(e.flagged),
                e.created,
                e.updated,
            )
            for e in entries
        ]
        with self._write() as connection:
            connection.executemany(
                "INSERT INTO entries (segment, source_lang, target_lang, origin, model, glossary,"
                " target, reviewer, flagged, created, updated)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (source_lang, target_lang, segment, origin, model, glossary)"
                " DO UPDATE SET target = excluded.target, reviewer = excluded.reviewer,"
                " flagged = excluded.flagged, updated = excluded.updated"
                " WHERE excluded.updated >= entries.updated",
                rows,
            )
        return len(rows)


def _rank(entry: StoredEntry) -> tuple[bool, str]:
    return (entry.reviewed, entry.updated)
