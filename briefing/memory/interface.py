"""What the translation memory holds and how the other stages talk to it, whatever stores it.

The translation stage sees a `Memory` (look segments up under a key, store machine output);
the review round trip reads `StoredEntry` rows and writes `ReviewedTranslation`s. A backend
(SQLite for one person, PostgreSQL for a team) implements every side.

A machine entry is keyed by languages, model and the glossary terms found in its sentence (their
forms in the target language, `terms`): a glossary edit reaches exactly the sentences holding
the terms it touches. A reviewed entry is keyed by sentence and languages alone.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import TracebackType
from typing import Protocol

from briefing.yamlsource.cleaning import composed

# Where a stored translation came from: the one vocabulary of origins, which the tables, TMX
# files, review files and the translation stage's own Origin all use.
MACHINE = "machine"
REVIEWED = "reviewed"
ORIGINS = (MACHINE, REVIEWED)

# The longest target the memory takes for a source, from a review file or a TMX file alike: a
# multiple of the source's length, with a floor for short sources. It keeps a hostile or
# mistaken file from filling the memory, and lets any real translation through.
TARGET_FACTOR = 8
TARGET_FLOOR = 400


def target_limit(source: str) -> int:
    """How many characters a target (or a reviewer's comment or note, or the glossary forms it
    was translated with) of `source` may have."""
    return max(TARGET_FLOOR, TARGET_FACTOR * len(source))


# How far past the present a date from outside (a TMX file, another memory) is still believed:
# clocks differ, but an entry dated later would win against every later import or copy.
FUTURE_SKEW = dt.timedelta(days=1)

# The longest label an import takes: a reviewer's name, a model's name. Each is repeated beside
# every sentence of a review export, so an unbounded one would swell the next export.
MAX_LABEL = 200


def normalize(text: str) -> str:
    """The form a segment is stored and looked up under: composed as facts text is (NFC, CJK
    compatibility ideographs kept as written), single spaces, trimmed. The key rule of the
    memory: every stage that keys, splits or compares sentences uses this one."""
    return re.sub(r"\s+", " ", composed(text)).strip()


@dataclass(frozen=True)
class MemoryKey:
    source_lang: str
    target_lang: str
    model: str  # package identity, e.g. translate-en_ja@1.1
    # The whole glossary's fingerprint, under which memories of schema 1 stored machine
    # entries: such an entry is still found while the glossary is the one it was made with.
    legacy_glossary: str = ""


@dataclass(frozen=True)
class MemoryEntry:
    target: str
    reviewed: bool
    flagged: bool = False


class Memory(Protocol):
    """The translation memory as the translation stage sees it."""

    def lookup(
        self, segments: Mapping[str, str] | Iterable[str], key: MemoryKey
    ) -> dict[str, MemoryEntry]:
        """The known translation of each segment (segment → its terms key, see
        `briefing.terms.protect.terms_key`; a plain list means no terms): reviewed if any,
        else machine under `key` and those terms."""
        ...

    def store_machine(
        self,
        targets: Mapping[str, MemoryEntry],
        key: MemoryKey,
        terms: Mapping[str, str] | None = None,
    ) -> None:
        """Store machine output under `key` and each segment's terms key ('' if not given)."""
        ...


@dataclass(frozen=True)
class StoredEntry:
    """One row of the memory, as review export and import see it."""

    segment: str
    source_lang: str
    target_lang: str
    target: str
    origin: str  # one of ORIGINS
    model: str
    terms: str  # the glossary forms of the sentence's terms; '' for reviewed entries
    reviewer: str | None
    flagged: bool
    created: str
    updated: str
    comment: str = ""  # a reviewer's comment on the sentence

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
    comment: str = ""


class ReviewMemory(Protocol):
    """The translation memory as the review round trip sees it."""

    def entries_for(
        self, segments: Iterable[str], source_lang: str, target_lang: str
    ) -> dict[str, StoredEntry]: ...

    def store_reviewed(
        self,
        entries: Iterable[ReviewedTranslation],
        reviewer: str,
        comments: Iterable[tuple[str, str, str, str]] = (),
    ) -> int: ...


class ExchangeMemory(Protocol):
    """The translation memory as the exchange commands (TMX export, import, stats) see it."""

    def entries(
        self, target_lang: str | None = None, reviewed_only: bool = False
    ) -> list[StoredEntry]: ...

    def restore(self, entries: Iterable[StoredEntry]) -> int: ...

    def stats(self) -> list[tuple[str, str, str, int]]: ...


class Backend(Memory, ReviewMemory, ExchangeMemory, Protocol):
    """Everything a memory backend provides: both sides, opened and closed around a command."""

    def close(self) -> None: ...

    def __enter__(self) -> Backend: ...

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None: ...
