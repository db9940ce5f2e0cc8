"""What every memory backend does with its one database connection, written once.

A backend opens its connection in `__init__`, is used as a context manager, and is closed once
however the work ends; using it after that is a fault in the caller, not in the input.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from types import TracebackType
from typing import Any, Generic, TypeVar

ConnectionT = TypeVar("ConnectionT")
Backend = TypeVar("Backend", bound="Connected[Any]")


def timestamp() -> str:
    """A row's time stamp: UTC with microseconds, so rows written in one second keep order."""
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="microseconds")


class Connected(Generic[ConnectionT]):
    """Owns one connection: closed once, by `close()` or at the end of a `with` block."""

    name: str  # how messages name the memory (a path, a URL without its password)
    # Why the memory is open for reading only (its file or folder cannot be written); None: it
    # is read and written. A build then stores no new machine translation; an import refuses.
    read_only: str | None = None
    _connection: ConnectionT | None = None  # set by the backend's __init__

    def close(self) -> None:
        if self._connection is not None:
            connection, self._connection = self._connection, None
            with contextlib.suppress(Exception):
                connection.close()  # type: ignore[attr-defined]

    def __enter__(self: Backend) -> Backend:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    @property
    def connection(self) -> ConnectionT:
        if self._connection is None:
            raise RuntimeError(f"the translation memory {self.name} is closed")
        return self._connection
