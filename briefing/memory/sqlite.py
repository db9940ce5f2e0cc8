"""The translation memory: every translated segment, kept in one SQLite file per user.

What it holds and answers is written once for both backends (briefing.memory.sql, in the SQLite
dialect); this module keeps what a file needs: opening it safely, WAL and locks, transactions,
SQLite's errors said for people, and the backup before an upgrade.

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
import shutil
import sqlite3
import time
import urllib.parse
from collections.abc import Callable, Iterator
from pathlib import Path

from briefing.errors import BriefingError, InputError
from briefing.memory.sql import SCHEMA_VERSION, SQLITE, Cursor, Result, SqlMemory, schema_statements

FILE_NAME = "memory.sqlite"
SQLITE_MAGIC = b"SQLite format 3\x00"  # the first bytes of every SQLite database
LOW_SPACE = 1024 * 1024  # less free space than this after a failed write: the disk is full


class TranslationMemory(SqlMemory[sqlite3.Connection]):
    """The SQLite translation memory; use it as a context manager so the file is closed."""

    dialect = SQLITE

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
                f"{err.strerror or err}; choose another place with --tm PATH or BRIEFING_TM"
            ) from None
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
    def _immediate(self) -> Iterator[sqlite3.Connection]:
        """One write transaction, taking the write lock at once (BEGIN IMMEDIATE)."""
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

    def _write(self, work: Callable[[Cursor], Result]) -> Result:
        with self._immediate() as connection:
            return work(connection.cursor())

    def _read(self, work: Callable[[Cursor], Result]) -> Result:
        connection = self.connection
        with self._guard():
            connection.execute("BEGIN")
            try:
                return work(connection.cursor())
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
            with self._immediate():
                version = connection.execute("PRAGMA user_version").fetchone()[0]
                if version == SCHEMA_VERSION:  # another process created or migrated it meanwhile
                    return
                if version == 1 and backup is not None:
                    self._upgrade(version)
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
                self._upgrade(0)
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

    def _upgrade(self, version: int) -> None:
        """From `version` (0: a new file) to the current schema, in the caller's transaction."""
        for statement in schema_statements(SQLITE, version):
            self.connection.execute(statement)
        self.connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
