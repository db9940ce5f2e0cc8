"""What a document prints for each of its sentences: the memory asked as the build asks it.

A memory holds machine entries of every model a workspace ever used, and of earlier glossaries.
A document prints only one of them: the reviewed translation if there is one, else the machine
entry of the model the settings choose for the language, keyed by the glossary forms in the
sentence (translation/stage.py). A review export shows exactly that, so that an OK confirms
the text the reader was given; a sentence the memory cannot answer under that key is one the
next build translates afresh, and is exported as having no translation yet.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from briefing.languages import SOURCE_LANGUAGE
from briefing.memory.interface import (
    MACHINE,
    REVIEWED,
    Memory,
    ReviewMemory,
    StoredEntry,
)
from briefing.terms.glossary import Glossary
from briefing.translation.stage import memory_query


class PrintingMemory(Memory, ReviewMemory, Protocol):
    """A memory as a review export reads it: looked up as a build looks it up, and its rows."""


def printed_entries(
    memory: PrintingMemory,
    segments: Sequence[str],
    lang: str,
    glossary: Glossary,
    model: str,
) -> dict[str, StoredEntry]:
    """The entry each segment's document prints with `model` (the identity the engine gives
    for `lang`) and `glossary` (the build's for the facts file); segments it would translate
    afresh are left out. A reviewed entry comes with its reviewer and date."""
    key, keys_of = memory_query(segments, lang, model, glossary)
    printed = memory.lookup(keys_of, key)
    rows = memory.entries_for(list(printed), SOURCE_LANGUAGE, lang)
    entries: dict[str, StoredEntry] = {}
    for segment, entry in printed.items():
        row = rows.get(segment)
        if entry.reviewed and row is not None and row.reviewed:
            entries[segment] = row  # the one reviewed entry of the sentence, as a build finds
            continue
        entries[segment] = StoredEntry(
            segment=segment,
            source_lang=SOURCE_LANGUAGE,
            target_lang=lang,
            target=entry.target,
            origin=REVIEWED if entry.reviewed else MACHINE,
            model="" if entry.reviewed else model,
            terms=keys_of[segment],
            reviewer=None,
            flagged=entry.flagged,
            created="",
            updated="",
        )
    return entries
