"""The translation memory: every translated segment, kept in one SQLite file per user.

A machine entry is found again only under the exact key it was made with (source and target
language, model identity, and the glossary forms of the terms found in that sentence), so a new
model translates afresh and a glossary edit only the sentences holding the terms it touches.
A reviewed entry is keyed by segment and languages alone: a person's translation wins over any
model's, before and after a model change, and machine output never replaces it.

Opening is careful: a file that is not an SQLite database, an SQLite database that is not a
memory of this tool, or a memory written by a newer version is refused before anything is
written to it (it is read through an immutable, read-only connection first). A memory of
schema 1 (keyed by the whole glossary's fingerprint) is migrated in place, once, after a copy
of it is saved beside it; its machine entries stay findable under the glossary they were made
with. A full disk is reported as one, naming the folder.

The file is opened in WAL mode with a busy timeout, so builds running at the same time read
while one writes and otherwise wait their turn. Each call that writes is one transaction
(BEGIN IMMEDIATE … COMMIT): a build that is interrupted leaves the memory as it was before
the call or after it, never between.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import sqlite3
import time
import urllib.parse
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
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
    normalize,
)

ENV_VAR = "BRIEFING_TM"
FILE_NAME = "memory.sqlite"
SCHEMA_VERSION = 2
LEGACY_PREFIX = "v1:"  # `terms` of machine entries migrated from schema 1: v1:<fingerprint>
SQLITE_MAGIC = b"SQLite format 3\x00"
LOW_SPACE = 1024 * 1024  # less free space than this after a failed write: the disk is full
_CHUNK = 500  # segments per query, well under SQLite's limit on bound parameters

_SCHEMA = """
CREATE TABLE entries (
    segment TEXT NOT NULL,          -- the source segment, normalized (segments.normalize)
    source_lang TEXT NOT NULL,
    target_lang TEXT NOT NULL,
    origin TEXT NOT NULL CHECK (origin IN ('machine', 'reviewed')),
    model TEXT NOT NULL,            -- package identity, '' for reviewed entries
    terms TEXT NOT NULL,            -- target forms of the sentence's glossary terms (JSON list),
                                    -- '' for none and for reviewed entries
    target TEXT NOT NULL,
    reviewer TEXT,
    flagged INTEGER NOT NULL DEFAULT 0 CHECK (flagged IN (0, 1)),
    created TEXT NOT NULL,          -- UTC, ISO 8601
    updated TEXT NOT NULL,
    comment TEXT NOT NULL DEFAULT '',  -- a reviewer's comment on the sentence
    PRIMARY KEY (source_lang, target_lang, segment, origin, model, terms)
) WITHOUT ROWID
"""
_COLUMNS = (
    "segment, source_lang, target_lang, target, origin, model, terms, reviewer, flagged,"
    " created, updated, comment"
)


def _stored(row: tuple[Any, ...]) -> StoredEntry:
    segment, source_lang, target_lang, target, origin, model, terms, reviewer = row[:8]
    return StoredEntry(
        segment,
        source_lang,
        target_lang,
        target,
        origin,
        model,
        terms,
        reviewer,
        bool(row[8]),
        row[9],
        row[10],
        row[11] or "",
    )


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
        self.migrated_backup: Path | None = None  # the copy kept when an old schema was upgraded
        self._check_before_opening()
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

    def _check_before_opening(self) -> None:
        """Refuse, without writing a byte, a file that is not a memory this version can use.

        Reading goes through an immutable read-only connection: no journal, no -wal or -shm
        file, no lock; a plain connection would switch the file to WAL before we knew."""
        try:
            with self.path.open("rb") as handle:
                head = handle.read(len(SQLITE_MAGIC))
        except FileNotFoundError:
            return
        except OSError as err:
            raise InputError(
                f"cannot read the translation memory {self.path}: {err.strerror or err}; "
                "check the file's permissions or choose another with --tm PATH"
            ) from None
        if not head:
            return  # an empty file: SQLite makes a new database of it
        if head != SQLITE_MAGIC:
            raise InputError(
                f"{self.path} is not a translation memory (not an SQLite database); "
                "choose another file with --tm PATH, or move it aside if it is a damaged memory"
            )
        uri = "file:" + urllib.parse.quote(str(self.path.resolve())) + "?mode=ro&immutable=1"
        try:
            with contextlib.closing(sqlite3.connect(uri, uri=True)) as probe:
                version = probe.execute("PRAGMA user_version").fetchone()[0]
                tables = sorted(
                    row[0]
                    for row in probe.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
                )
        except sqlite3.DatabaseError as err:
            raise self._unusable(err) from None
        if version > SCHEMA_VERSION:
            raise self._newer(version)
        if tables and (version == 0 or tables != ["entries"]):
            raise InputError(
                f"{self.path} is an SQLite database but not a briefing translation memory "
                f"(it holds the tables {', '.join(tables)}); nothing in it was changed; "
                "choose another file with --tm PATH"
            )

    def _newer(self, version: int) -> InputError:
        return InputError(
            f"the translation memory {self.path} was written by a newer version of "
            f"briefing (schema {version}, this version reads {SCHEMA_VERSION}); nothing in "
            "it was changed; update briefing, or use another memory with --tm PATH"
        )

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
            if "full" in text or self._disk_full():
                raise self._full() from None
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
            if self._disk_full():
                raise self._full() from None
            raise self._unusable(err) from None
        except OSError as err:
            if err.errno == errno.ENOSPC:
                raise self._full() from None
            raise

    def _disk_full(self) -> bool:
        try:
            return shutil.disk_usage(self.path.parent).free < LOW_SPACE
        except OSError:
            return False

    def _full(self) -> BriefingError:
        return BriefingError(
            f"the disk holding the translation memory is full: no room left in "
            f"{self.path.parent}; nothing of this write was stored and the memory is intact. "
            "Free space there and run again, or choose a memory on another disk with --tm PATH"
        )

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
            raise self._newer(version)
        # The copy of an old memory is taken before the write lock (SQLite's backup cannot
        # read through a connection that holds it); whoever migrates first keeps theirs.
        backup = self._backup(version) if version == 1 else None
        try:
            with self._write():
                version = connection.execute("PRAGMA user_version").fetchone()[0]
                if version == SCHEMA_VERSION:  # another process created or migrated it meanwhile
                    return
                if version == 1 and backup is not None:
                    self._migrate_from_1()
                    self.migrated_backup, backup = backup, None
                    return
                tables = [
                    row[0]
                    for row in connection.execute(
                        "SELECT name FROM sqlite_master WHERE type = 'table'"
                    )
                ]
                if tables:
                    raise InputError(
                        f"{self.path} is an SQLite database but not a briefing translation "
                        f"memory (it holds the tables {', '.join(tables)}); choose another file "
                        "with --tm PATH"
                    )
                connection.execute(_SCHEMA)
                connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        finally:
            if backup is not None:
                backup.unlink(missing_ok=True)

    def _backup(self, version: int) -> Path:
        """A consistent copy of the memory beside it, through SQLite's backup API."""
        backup = self.backup_path(version)
        try:
            with contextlib.closing(sqlite3.connect(str(backup))) as target:
                self.connection.backup(target)
        except (OSError, sqlite3.Error) as err:
            backup.unlink(missing_ok=True)
            if self._disk_full() or getattr(err, "errno", None) == errno.ENOSPC:
                raise self._full() from None
            raise BriefingError(
                f"cannot save a copy of the translation memory {self.path} before upgrading "
                f"it ({err}); nothing was changed; make room or fix the folder's permissions"
            ) from None
        return backup

    def backup_path(self, version: int) -> Path:
        """Where the copy of a memory of an older schema is kept: beside it, never overwritten."""
        candidate = self.path.with_name(f"{self.path.name}.v{version}-backup")
        number = 1
        while candidate.exists():
            number += 1
            candidate = self.path.with_name(f"{self.path.name}.v{version}-backup-{number}")
        return candidate

    def _migrate_from_1(self) -> None:
        """Schema 1 → 2, inside the caller's write transaction: rename the glossary column to
        terms (machine entries keep their fingerprint as v1:…) and add the comment column."""
        connection = self.connection
        connection.execute("ALTER TABLE entries RENAME COLUMN glossary TO terms")
        connection.execute(
            "UPDATE entries SET terms = ? || terms WHERE origin = 'machine'", (LEGACY_PREFIX,)
        )
        connection.execute("ALTER TABLE entries ADD COLUMN comment TEXT NOT NULL DEFAULT ''")
        connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    # -- the Memory protocol ----------------------------------------------------------------

    def lookup(
        self, segments: Mapping[str, str] | Iterable[str], key: MemoryKey
    ) -> dict[str, MemoryEntry]:
        """The known translation of each segment (segment → its terms key): reviewed if any,
        else machine for `key` and those terms. An entry migrated from schema 1 answers while
        the glossary is the one it was made with, and is re-keyed to the terms on the way."""
        pairs = segments.items() if isinstance(segments, Mapping) else ((s, "") for s in segments)
        wanted = {normalize(s): (s, terms) for s, terms in pairs}
        legacy = LEGACY_PREFIX + key.legacy_glossary if key.legacy_glossary else None
        found: dict[str, MemoryEntry] = {}
        rekey: list[tuple[str, str]] = []  # (segment, terms) of legacy entries that answered
        with self._read() as connection:
            for chunk in _chunks(list(wanted)):
                marks = ",".join("?" * len(chunk))
                rows = connection.execute(
                    f"SELECT segment, origin, terms, target, flagged FROM entries"
                    f" WHERE source_lang = ? AND target_lang = ? AND segment IN ({marks})"
                    f" AND (origin = 'reviewed' OR model = ?)",
                    (key.source_lang, key.target_lang, *chunk, key.model),
                )
                for segment, origin, terms, target, flagged in rows:
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
        if rekey:
            self._rekey_legacy(rekey, key, legacy or "")
        return {wanted[segment][0]: entry for segment, entry in found.items()}

    def _rekey_legacy(self, items: list[tuple[str, str]], key: MemoryKey, legacy: str) -> None:
        """Give migrated entries the key they would have today, so a later glossary edit
        finds them by their own terms."""
        with self._write() as connection:
            connection.executemany(
                "UPDATE OR IGNORE entries SET terms = ? WHERE source_lang = ? AND target_lang = ?"
                " AND segment = ? AND origin = 'machine' AND model = ? AND terms = ?",
                [
                    (terms, key.source_lang, key.target_lang, segment, key.model, legacy)
                    for segment, terms in items
                ],
            )

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
        rows = [
            (
                normalize(segment),
                key.source_lang,
                key.target_lang,
                key.model,
                terms.get(segment, ""),
                entry.target,
                int(entry.flagged),
                now,
                now,
            )
            for segment, entry in targets.items()
        ]
        with self._write() as connection:
            connection.executemany(
                "INSERT INTO entries (segment, source_lang, target_lang, origin, model, terms,"
                " target, flagged, created, updated)"
                " VALUES (?, ?, ?, 'machine', ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (source_lang, target_lang, segment, origin, model, terms)"
                " DO UPDATE SET target = excluded.target, flagged = excluded.flagged,"
                " updated = excluded.updated",
                rows,
            )

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
        rows = [
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
        ]
        with self._write() as connection:
            before = connection.total_changes
            connection.executemany(
                "INSERT INTO entries (segment, source_lang, target_lang, origin, model, terms,"
                " target, reviewer, flagged, created, updated, comment)"
                " VALUES (?, ?, ?, 'reviewed', '', '', ?, ?, 0, ?, ?, ?)"
                " ON CONFLICT (source_lang, target_lang, segment, origin, model, terms)"
                " DO UPDATE SET target = excluded.target, reviewer = excluded.reviewer,"
                " updated = excluded.updated,"
                " comment = CASE WHEN excluded.comment != '' THEN excluded.comment"
                " ELSE entries.comment END"
                # the same translation by the same reviewer again changes nothing, not even
                # the time: importing a file twice leaves the memory as the first import did
                " WHERE entries.target != excluded.target"
                " OR entries.reviewer IS NOT excluded.reviewer"
                " OR (excluded.comment != '' AND entries.comment != excluded.comment)",
                rows,
            )
            stored = connection.total_changes - before
            connection.executemany(
                "UPDATE entries SET comment = ? WHERE segment = ? AND source_lang = ?"
                " AND target_lang = ?",
                [
                    (comment, normalize(segment), source_lang, target_lang)
                    for segment, source_lang, target_lang, comment in comments
                ],
            )
        return stored

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
                    f"SELECT {_COLUMNS} FROM entries"
                    f" WHERE source_lang = ? AND target_lang = ? AND segment IN ({marks})",
                    (source_lang, target_lang, *chunk),
                )
                for row in rows:
                    entry = _stored(row)
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

    # -- exchange ---------------------------------------------------------------------------

    def entries(
        self, target_lang: str | None = None, reviewed_only: bool = False
    ) -> list[StoredEntry]:
        """Every entry (of one target language, reviewed ones only), in a stable order."""
        where, parameters = [], []
        if target_lang:
            where.append("target_lang = ?")
            parameters.append(target_lang)
        if reviewed_only:
            where.append("origin = 'reviewed'")
        clause = f" WHERE {' AND '.join(where)}" if where else ""
        with self._read() as connection:
            rows = connection.execute(
                f"SELECT {_COLUMNS} FROM entries{clause}"
                " ORDER BY target_lang, segment, origin DESC, model, terms",
                parameters,
            ).fetchall()
        return [_stored(row) for row in rows]

    def restore(self, entries: Iterable[StoredEntry]) -> int:
        """Store entries as they are given (another memory's, an exchange file's), all in one
        transaction; an entry replaces the one under the same key only when it is as new or
        newer, so copying twice or back and forth loses no one's work. Returns how many."""
        rows = [
            (
                normalize(e.segment), e.source_lang, e.target_lang, e.origin, e.model, e.terms,
                normalize(e.target), e.reviewer, int(e.flagged), e.created, e.updated, e.comment,
            )
            for e in entries
        ]  # fmt: skip
        with self._write() as connection:
            connection.executemany(
                "INSERT INTO entries (segment, source_lang, target_lang, origin, model, terms,"
                " target, reviewer, flagged, created, updated, comment)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (source_lang, target_lang, segment, origin, model, terms)"
                " DO UPDATE SET target = excluded.target, reviewer = excluded.reviewer,"
                " flagged = excluded.flagged, updated = excluded.updated,"
                " comment = excluded.comment"
                " WHERE excluded.updated >= entries.updated",
                rows,
            )
        return len(rows)

    def stats(self) -> list[tuple[str, str, str, int]]:
        """(target language, origin, model, entries), sorted."""
        with self._read() as connection:
            return [
                tuple(row)
                for row in connection.execute(
                    "SELECT target_lang, origin, model, count(*) FROM entries"
                    " GROUP BY target_lang, origin, model ORDER BY target_lang, origin, model"
                )
            ]


def _rank(entry: StoredEntry) -> tuple[bool, str]:
    return (entry.reviewed, entry.updated)
