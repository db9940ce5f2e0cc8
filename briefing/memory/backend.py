"""Which memory backend a command opens, the one place that chooses it: a file path is SQLite
(one person), a `postgresql://` URL is PostgreSQL (a team). Both offer the same operations with
the same semantics, so the build, review and `briefing memory` commands never ask which."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from briefing.memory.interface import Backend
from briefing.memory.postgres import is_postgres_url


class MemoryBackend(Backend, Protocol):
    """A backend as the `briefing memory` commands and the build output see it."""

    @property
    def name(self) -> str: ...

    def counts(self) -> dict[str, int]: ...

    def __enter__(self) -> MemoryBackend: ...


def resolve_location(option: str | Path | None) -> str | Path:
    """--tm (a path or URL), else $BRIEFING_TM, else the user's SQLite file."""
    import os

    from briefing.memory.sqlite import ENV_VAR, resolve_memory_path

    if option is not None and is_postgres_url(str(option)):
        return str(option)
    if option is None:
        from_env = os.environ.get(ENV_VAR, "").strip()
        if is_postgres_url(from_env):
            return from_env
    return resolve_memory_path(Path(option) if option is not None else None)


def memory_file(location: str | Path) -> Path | None:
    """The file a resolved location names; None for a memory on a database server."""
    return location if isinstance(location, Path) else None


def open_memory(location: str | Path | None) -> MemoryBackend:
    """The memory at `location` (see resolve_location), opened and ready."""
    resolved = resolve_location(location)
    if isinstance(resolved, str):
        from briefing.memory.postgres import PostgresMemory

        return PostgresMemory(resolved)
    from briefing.memory.sqlite import TranslationMemory

    return TranslationMemory(resolved)


def copy_memory(source: MemoryBackend, destination: MemoryBackend) -> int:
    """Every entry of `source` into `destination`, in one transaction there; entries the
    destination already holds under the same key are updated only when the copy is newer."""
    return destination.restore(source.entries())
