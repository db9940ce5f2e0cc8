"""Which memory backend a command opens: the one place that chooses it."""

from __future__ import annotations

from pathlib import Path

from briefing.memory.interface import Backend
from briefing.memory.sqlite import TranslationMemory, resolve_memory_path


def open_memory(option: Path | None) -> Backend:
    """The memory for --tm (else $BRIEFING_TM, else the user's data folder): SQLite today."""
    return TranslationMemory(resolve_memory_path(option))
