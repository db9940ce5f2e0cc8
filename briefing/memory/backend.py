"""Which memory backend a command opens, the one place that chooses it: a file path is SQLite
(one person), a `postgresql://` URL is PostgreSQL (a team). Both offer the same operations with
the same semantics, so the build, review and `briefing memory` commands never ask which.

The location comes from the settings (`--tm`, BRIEFING_TM, briefing.toml), resolved there; unset,
it is the memory in briefing's own data folder.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from briefing.errors import InputError
from briefing.memory.interface import Backend
from briefing.memory.sqlite import FILE_NAME, SQLITE_MAGIC
from briefing.urls import is_postgres_url, location_problem

APP_NAME = "briefing"  # the name of briefing's own data folder
DATABASE_SUFFIXES = (".sqlite", ".sqlite3", ".db")  # an export never takes such a name


class MemoryBackend(Backend, Protocol):
    """A backend as the `briefing memory` commands and the build output see it."""

    @property
    def name(self) -> str: ...

    @property
    def migrated_backup(self) -> Path | None:
        """The copy of the memory kept when opening it upgraded its schema (None: none made)."""
        ...

    @property
    def read_only(self) -> str | None:
        """Why the memory was opened for reading only (see open_memory); None: it is written."""
        ...

    def counts(self) -> dict[str, int]: ...

    def __enter__(self) -> MemoryBackend: ...


def default_memory_path(data_folder: Path | None = None, old_folder: Path | None = None) -> Path:
    """The memory in briefing's data folder, the one platformdirs names for this platform
    (~/.local/share/briefing on Linux, ~/Library/Application Support/briefing on macOS,
    %LOCALAPPDATA%\\briefing on Windows). Earlier versions kept it in the XDG data folder on
    every platform ($XDG_DATA_HOME/briefing, else ~/.local/share/briefing): a memory there is
    still the one used while none exists at the new place. The folders can be given (tests)."""
    if data_folder is None:
        import platformdirs

        data_folder = Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
    if old_folder is None:
        from platformdirs.unix import Unix

        old_folder = Path(Unix(APP_NAME, appauthor=False).user_data_dir)
    new, old = data_folder / FILE_NAME, old_folder / FILE_NAME
    return old if old.is_file() and not new.exists() else new


def resolve_location(location: str | Path | None) -> str | Path:
    """A postgresql:// URL as it is; a file as a path (~ expanded); None: the default file.
    Anything else that looks like an address (file:, sqlite:, http://) is refused."""
    if location is None:
        return default_memory_path()
    if isinstance(location, Path):
        return location.expanduser()
    problem = location_problem(location)
    if problem is not None:
        raise InputError(f"the translation memory {location!r}: {problem}")
    if is_postgres_url(location):
        return location
    return Path(location).expanduser()


def memory_file(location: str | Path) -> Path | None:
    """The file a resolved location names; None for a memory on a database server."""
    return location if isinstance(location, Path) else None


def open_memory(location: str | Path | None, *, reading_will_do: bool = False) -> MemoryBackend:
    """The memory at `location` (see resolve_location), opened and ready. `reading_will_do`: the
    command can do its work with a memory it cannot write (a build, an export), which is then
    opened for reading only (`read_only` says why) instead of refused."""
    resolved = resolve_location(location)
    if isinstance(resolved, str):
        from briefing.memory.postgres import PostgresMemory

        return PostgresMemory(resolved)
    from briefing.memory.sqlite import TranslationMemory

    return TranslationMemory(resolved, reading_will_do=reading_will_do)


def copy_memory(source: MemoryBackend, destination: MemoryBackend) -> int:
    """Every entry of `source` into `destination`, in one transaction there; entries the
    destination already holds under the same key are updated only when the copy is newer."""
    return destination.restore(source.entries())


def writes_over_memory(output: Path, memory: Path | None) -> str | None:
    """Why writing `output` would destroy a translation memory, or None: it is the memory in
    use (`memory`, None for one on a server) or its -wal/-shm file, it is named like a
    database, or it is an SQLite database whatever its name. Every export asks before writing."""
    target = output.resolve()
    if memory is not None:
        in_use = memory.resolve()
        if target in (in_use, Path(f"{in_use}-wal"), Path(f"{in_use}-shm")):
            return "that is the translation memory itself"
    if target.suffix.lower() in DATABASE_SUFFIXES:
        return "that name is a database's (a translation memory?)"
    if not target.is_file():
        return None  # not there, or a folder: the caller's own checks say what to do
    try:
        with target.open("rb") as handle:
            head = handle.read(len(SQLITE_MAGIC))
    except OSError:
        return None  # unreadable: the caller's own checks say so
    return "it is an SQLite database (a translation memory?)" if head == SQLITE_MAGIC else None
