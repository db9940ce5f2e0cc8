"""What the translation memory holds and how the other stages talk to it, whatever stores it.

The translation stage sees a `Memory` (look segments up under a key, store machine output);
the review round trip reads `StoredEntry` rows and writes `ReviewedTranslation`s. A backend
(SQLite today) implements both sides.
"""

from __future__ import annotations

from dataclasses import dataclass
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
