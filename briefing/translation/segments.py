"""Split free text into sentences: the unit of translation and of the translation memory.

Sentences are split here (pysbd, rule-based, offline) rather than by Argos, whose splitter
downloads a model on first use.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import pysbd


@lru_cache(maxsize=1)
def _segmenter() -> pysbd.Segmenter:
    return pysbd.Segmenter(language="en", clean=False, char_span=False)


def normalize(text: str) -> str:
    """The form a segment is stored and looked up under: NFC, single spaces, trimmed."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip()


def split_segments(text: str) -> list[str]:
    """Sentences of `text`, each normalized; empty text gives no segments."""
    text = normalize(text)
    if not text:
        return []
    return [s for s in (normalize(part) for part in _segmenter().segment(text)) if s]
