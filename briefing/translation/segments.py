"""Split free text into sentences: the unit of translation and of the translation memory.

Sentences are split here (pysbd, rule-based, offline) rather than by Argos, whose splitter
downloads a model on first use.
"""

from __future__ import annotations

import re
from functools import lru_cache

import pysbd

from briefing.memory.interface import normalize


@lru_cache(maxsize=1)
def _segmenter() -> pysbd.Segmenter:
    return pysbd.Segmenter(language="en", clean=False, char_span=False)


#: Where pysbd may end a sentence: terminal punctuation (Latin and full-width) and the ")" of
#: list markers such as "1)" or "a)". A text with none of these before its last character is
#: one sentence, and pysbd (about half a millisecond a text) is not asked.
_MAY_END_SENTENCE = re.compile(r"[.!?…。！？｡)]")


def split_segments(text: str) -> list[str]:
    """Sentences of `text`, each normalized; empty text gives no segments."""
    return list(_split(normalize(text)))


@lru_cache(maxsize=4096)  # every target language splits the same texts
def _split(text: str) -> tuple[str, ...]:
    if not text:
        return ()
    if not _MAY_END_SENTENCE.search(text, 0, len(text) - 1):
        return (text,)
    return tuple(s for s in (normalize(part) for part in _segmenter().segment(text)) if s)
