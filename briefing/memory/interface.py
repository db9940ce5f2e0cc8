"""What the translation memory holds and how the other stages talk to it, whatever stores it.

The translation stage sees a `Memory` (look segments up under a key, store machine output);
the review round trip reads `StoredEntry` rows and writes `ReviewedTranslation`s. A backend
(SQLite today) implements both sides.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from types import TracebackType
from typing import Protocol

MACHINE = "machine"
REVIEWED = "reviewed"


@dataclass(frozen=True)
class MemoryKey:
    source_lang: str
    target_lang: str
    model: str  # package identity, e.g. translate-en_ja@1.1
    glossary: str  # glossary fingerprint


@dataclass(frozen=True)
class MemoryEntry:
    target: str
    reviewed: bool
    flagged: bool = False


class Memory(Protocol):
    """The translation memory as the translation stage sees it."""

    def lookup(self, segments: list[str], key: MemoryKey) -> dict[str, MemoryEntry]: ...

    def store_machine(self, targets: dict[str, MemoryEntry], key: MemoryKey) -> None: ...


@dataclass(frozen=True)
class StoredEntry:
    """One row of the memory, as review export and import see it."""

    segment: str
    source_lang: str
    target_lang: str
    target: str
    origin: str  # 'machine' | 'reviewed'
    model: str
    glossary: str
    reviewer: str | None
    flagged: bool
    created: str
    updated: str

    @property
    def reviewed(self) -> bool:
        return self.origin == REVIEWED


@dataclass(frozen=True)
class ReviewedTranslation:
    """A translation a person approved, to be stored as reviewed."""

    segment: str
    source_lang: str
    target_lang: str
    target: str


class ReviewMemory(Protocol):
    """The translation memory as the review round trip sees it."""

    def entries_for(
        self, segments: Iterable[str], source_lang: str, target_lang: str
    ) -> dict[str, StoredEntry]: ...

    def store_reviewed(self, entries: Iterable[ReviewedTranslation], reviewer: str) -> int: ...


class Backend(Memory, ReviewMemory, Protocol):
    """Everything a memory backend provides: both sides, opened and closed around a command."""

    def close(self) -> None: ...

    def __enter__(self) -> Backend: ...

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None: ...
