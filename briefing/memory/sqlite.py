"""The translation memory: every translated segment, kept in one SQLite file per user.

What it holds and answers is written once for both backends (briefing.memory.sql, in the SQLite
dialect); this module keeps what a file needs: opening it safely, WAL and locks, transactions,
SQLite's errors said for people, and the backup before an upgrade.

Opening is careful: SQLite is given a file: URI briefing builds from the path (so no name is
read as a URI of its own); a file that is not an SQLite database, another program's database,
or a memory written by a newer version is refused before anything is written to it (it is
read through an immutable, read-only connection first). A memory briefing may not write
(permissions, a read-only disk) is said to be one: refused where the command must write, opened
for reading only where reading will do (a build, an export). A memory of
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
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

from briefing.errors import BriefingError, InputError
from briefing.input_files import check_regular, open_input
from briefing.memory.interface import MemoryEntry, MemoryKey
from briefing.memory.sql import SCHEMA_VERSION, SQLITE, Cursor, Result, SqlMemory, schema_statements

FILE_NAME = "memory.sqlite"
SQLITE_MAGIC = b"SQLite format 3\x00"  # the first bytes of every SQLite database
LOW_SPACE = 1024 * 1024  # less free space than this after a failed write: the disk is full


def sqlite_uri(path: Path, **parameters: str) -> str:
    """The file: URI SQLite opens `path` by, built here with the path percent-quoted: a name
    holding "?mode=" or "#" is a name, and text given as a path is never read as a URI."""
    query = urllib.parse.urlencode(parameters)
    return path.absolute().as_uri() + (f"?{query}" if query else "")


class TranslationMemory(SqlMemory[sqlite3.Connection]):
    """The SQLite translation memory; use it as a context manager so the file is closed."""

    dialect = SQLITE

    def __init__(self, path: Path, timeout: float = 30.0, *, reading_will_do: bool = False) -> None:
        self.path = Path(path)
        self.name = str(self.path)
        self.timeout = timeout
        if self.path.is_dir():
            raise InputError(
                f"the translation memory {self.path} is a folder, not a file; "
                f"give a file name, e.g. --tm {self.path / FILE_NAME}"
            )
        check_regular(self.path, "translation memories")  # a FIFO would block the first look
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise InputError(
                f"cannot create the folder for the translation memory {self.path}: "
                f"{err.strerror or err}; choose another place with --tm PATH or BRIEFING_TM"
            ) from None
        version = self._check_before_opening()
        unwritable = self._unwritable()
        if unwritable and (not version or not reading_will_do):
            raise InputError(self._cannot_write(unwritable, exists=version is not None))
        if unwritable and version != SCHEMA_VERSION:
            raise InputError(
                f"the translation memory {self.path} needs an upgrade to this version of "
                f"briefing, but {unwritable}; nothing in it was changed. Make it writable "
                "(chmod u+w) and run again, or copy it to a folder you can write and use --tm"
            )
        self.read_only = unwritable
        try:
            if unwritable:
                self._connection = self._connect_read_only()
                self._connection.isolation_level = None
            else:
                self._connection = sqlite3.connect(
                    sqlite_uri(self.path), uri=True, timeout=timeout, isolation_level=None
                )
        except sqlite3.Error as err:
            raise InputError(
                f"cannot open the translation memory {self.path}: {err}; nothing in it was "
                "changed; check the permissions of the file and its folder, or choose another "
                "with --tm PATH"
            ) from None
        try:
            with self._guard():
                self._connection.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
                if not unwritable:
                    self._use_wal()
                    self._prepare_schema()
        except BaseException:
            self.close()
            raise

    def _unwritable(self) -> str | None:
        """Why briefing may not write the memory (permissions, a read-only disk), or None.
        SQLite writes beside the file too (the -wal and -shm files), so its folder counts."""
        if self.path.exists() and not os.access(self.path, os.W_OK):
            return "the file is read-only"
        if not os.access(self.path.parent, os.W_OK):
            return f"its folder {self.path.parent} cannot be written"
        return None

    def _cannot_write(self, reason: str, *, exists: bool) -> str:
        if not exists:
            return (
                f"cannot create the translation memory {self.path}: {reason} (permissions); "
                "choose a folder you can write with --tm PATH, or fix the folder's permissions"
            )
        return (
            f"the translation memory {self.path} cannot be written: {reason} (permissions); "
            "nothing in it was changed and every entry is intact. Make it writable (chmod u+w "
            "on the file and its folder), or copy it to a folder you can write and use --tm"
        )

    def _connect_read_only(self) -> sqlite3.Connection:
        """A connection that never writes. In WAL mode SQLite needs the -shm file beside the
        memory; when there is none and the folder cannot take one, no writer has the memory
        open (a writer keeps one there), and the file is read as it stands (immutable)."""
        connection = sqlite3.connect(sqlite_uri(self.path, mode="ro"), uri=True)
        try:
            connection.execute("PRAGMA user_version").fetchone()
            return connection
        except sqlite3.OperationalError:
            connection.close()
        return sqlite3.connect(sqlite_uri(self.path, mode="ro", immutable="1"), uri=True)

    def _check_before_opening(self) -> int | None:
        """Refuse, without writing a byte, a file that is not a memory this version can use;
        its schema version (None: there is no file yet, 0: an empty one).

        Reading goes through an immutable read-only connection: no journal, no -wal or -shm
        file, no lock; a plain connection would switch the file to WAL before we knew."""
        try:
            with open_input(self.path, "translation memories") as handle:
                head = handle.read(len(SQLITE_MAGIC))
        except FileNotFoundError:
            return None
        except OSError as err:
            raise InputError(
                f"cannot read the translation memory {self.path}: {err.strerror or err}; "
                "check the file's permissions or choose another with --tm PATH"
            ) from None
        if not head:
            return 0  # an empty file: SQLite makes a new database of it
        if head != SQLITE_MAGIC:
            raise InputError(
                f"{self.path} is not a translation memory: it is not an SQLite database at all "
                "(another kind of file); nothing in it was changed. Give the path of a "
                "briefing memory, or a new file name to start one, with --tm PATH"
            )
        try:
            with contextlib.closing(
                sqlite3.connect(sqlite_uri(self.path, mode="ro", immutable="1"), uri=True)
            ) as probe:
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
            raise self._foreign(tables)
        return int(version)

    def _foreign(self, tables: list[str]) -> InputError:
        return InputError(
            f"{self.path} is another program's SQLite database, not a briefing translation "
            f"memory (it holds the tables {', '.join(tables)}); nothing in it was changed. "
            "Give the path of a briefing memory, or a new file name to start one, with --tm PATH"
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
            if "readonly" in text or "read-only" in text or "unable to open" in text:
                reason = self._unwritable() or f"SQLite says: {err}"
                raise InputError(self._cannot_write(reason, exists=True)) from None
            raise InputError(
                f"cannot use the translation memory {self.path} ({err}); nothing of this "
                "write was stored; check the file and its folder, or choose another with --tm"
            ) from None
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
        """An SQLite file SQLite cannot read: damaged. Its entries may still be saved, so the
        advice is to keep it, never to start over."""
        return InputError(
            f"the translation memory {self.path} is an SQLite file that cannot be read: it "
            f"looks damaged ({err}); nothing in it was changed. Keep the file: `sqlite3 "
            f"{self.path} .recover` can often save its entries into a new memory. Meanwhile "
            "choose another memory with --tm PATH"
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
                if tables:  # made by another program since the first look
                    raise self._foreign(sorted(tables))
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

    def store_machine(
        self,
        targets: Mapping[str, MemoryEntry],
        key: MemoryKey,
        terms: Mapping[str, str] | None = None,
    ) -> None:
        """As SqlMemory's; a memory open for reading only stores nothing (the build said so)."""
        if self.read_only is None:
            super().store_machine(targets, key, terms)

    def _rekey_legacy(self, items: list[tuple[str, str]], key: MemoryKey, legacy: str) -> None:
        if self.read_only is None:
            super()._rekey_legacy(items, key, legacy)

    def _upgrade(self, version: int) -> None:
        """From `version` (0: a new file) to the current schema, in the caller's transaction."""
        for statement in schema_statements(SQLITE, version):
            self.connection.execute(statement)
        self.connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
