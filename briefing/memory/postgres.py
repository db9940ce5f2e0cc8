"""The translation memory in PostgreSQL, shared by a team: `--tm postgresql://HOST/DB`.

What it holds and answers is the SQLite memory's, from the same statements (briefing.memory.sql,
in the PostgreSQL dialect); this module keeps what a server needs: connecting over psycopg 3,
saying its errors for people, transactions that run again when they lose a serialization race,
and creating or upgrading the schema under an advisory lock, so two builds opening a new
database at once do not collide. Each call that writes is one transaction, so a build or import
that is interrupted (or whose server goes away) leaves every batch stored whole or not at all.

The tables carry a `briefing_` prefix (a team may keep them in a database used for other
things); `briefing_schema` holds the schema version.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from typing import Any

from briefing.errors import BriefingError, InputError
from briefing.memory.sql import (
    POSTGRES,
    SCHEMA_VERSION,
    Cursor,
    Result,
    SqlMemory,
    schema_statements,
)
from briefing.urls import display_url

CONNECT_TIMEOUT = 10  # seconds
_LOCK_ID = 0x62726966  # "brif": the advisory lock held while the schema is created or migrated
_RETRIES = 5


class PostgresMemory(SqlMemory[Any]):
    """A translation memory in a PostgreSQL database; use it as a context manager."""

    dialect = POSTGRES

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

    def _transaction(self, work: Callable[[Cursor], Result]) -> Result:
        """`work` in one transaction, again if it lost a serialization race."""
        import psycopg

        for attempt in range(_RETRIES):
            try:
                connection = self.connection
                with self._guard(), connection.transaction(), connection.cursor() as cursor:
                    return work(cursor)
            except (psycopg.errors.SerializationFailure, psycopg.errors.DeadlockDetected):
                if attempt == _RETRIES - 1:
                    raise BriefingError(
                        f"the translation memory {self.name} stayed too busy to write to; run again"
                    ) from None
                time.sleep(0.05 * (2**attempt))
        raise AssertionError("unreachable")

    _read = _write = _transaction

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

        def migrate(cursor: Cursor) -> None:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", (_LOCK_ID,))
            version = version_of(cursor)  # again, under the lock
            self._check_version(version)
            if version == SCHEMA_VERSION:
                return  # another opener brought it up to date meanwhile
            cursor.execute("CREATE TABLE IF NOT EXISTS briefing_schema (version INTEGER NOT NULL)")
            cursor.execute("SELECT count(*) FROM briefing_schema")
            if cursor.fetchall()[0][0] == 0:
                cursor.execute("INSERT INTO briefing_schema VALUES (0)")
            for statement in schema_statements(POSTGRES, version):
                cursor.execute(statement)
            cursor.execute("UPDATE briefing_schema SET version = %s", (SCHEMA_VERSION,))

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


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__
