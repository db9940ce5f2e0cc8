"""Characters a document cannot hold or that would mislead its reader, found and removed.

Text pasted from PDFs and word processors carries control characters that YAML refuses and Word
cannot store; bidirectional controls can make text display in another order than it is
written. Each is removed, and the reader reports how many, against the value they were in.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

# Characters XML 1.0 (and so Word) cannot hold: C0 controls except tab, newline, carriage return;
# lone surrogates; U+FFFE and U+FFFF.
XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# Embedding, override and isolate controls: they reorder how text is displayed ("\u202egnp.exe"
# shows as "exe.png"), so a reader could be shown something else than the facts say. The marks
# U+200E, U+200F and U+061C are kept: they only settle the direction of neighbouring punctuation
# in right-to-left names and cannot reverse a run of text.
BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")
SURROGATE_PAIR = re.compile("[\ud800-\udbff][\udc00-\udfff]")
# Characters a YAML reader refuses to read at all (the complement of YAML's printable set). Text
# pasted from PDFs and word processors carries them (form feeds, vertical tabs, backspaces), so
# they are removed before parsing and reported against the value they were in.
YAML_UNREADABLE = re.compile(
    "[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
)


def remove_unreadable(text: str) -> tuple[str, list[int]]:
    """`text` without what YAML cannot read, and where (in the text returned) each removal was."""
    removed_at = [m.start() - k for k, m in enumerate(YAML_UNREADABLE.finditer(text))]
    return (YAML_UNREADABLE.sub("", text) if removed_at else text), removed_at


@dataclass(frozen=True)
class Cleaned:
    """A string value as a document may print it, and what was taken out of it."""

    text: str
    illegal: int  # characters XML cannot hold
    bidi: int  # bidirectional controls


def clean(value: str) -> Cleaned:
    # "\ud83d\ude00" in YAML is UTF-16 for one character; the reader keeps the two halves.
    value = SURROGATE_PAIR.sub(_join_pair, value)
    legal = XML_ILLEGAL.sub("", value)
    visible = BIDI_CONTROLS.sub("", legal)
    return Cleaned(composed(visible), len(value) - len(legal), len(legal) - len(visible))


def clean_outside(value: str) -> str:
    """Text from outside the facts (a translation server, a TMX or review file, a memory) as a
    document may print it: cleaned exactly as facts text is, before it is stored or printed."""
    return clean(value).text


# CJK compatibility ideographs: NFC would replace each with its unified ideograph, but Korean
# and Japanese names are written with them on purpose (U+F900 onward keeps hanja whose reading
# differs), so they are kept as written.
CJK_COMPATIBILITY = re.compile("([\uf900-\ufaff\U0002f800-\U0002fa1f]+)")


def composed(text: str) -> str:
    """`text` in NFC, so that "Café" typed with a combining accent is the same name as "Café"
    typed with one character; CJK compatibility ideographs stay as written."""
    if text.isascii() or unicodedata.is_normalized("NFC", text):
        return text
    parts = CJK_COMPATIBILITY.split(text)  # odd parts are the ideographs, kept
    return "".join(p if i % 2 else unicodedata.normalize("NFC", p) for i, p in enumerate(parts))


def _join_pair(match: re.Match[str]) -> str:
    return match.group().encode("utf-16-le", "surrogatepass").decode("utf-16-le")


def fold_whitespace(value: Any) -> Any:
    """Fold runs of white space (YAML line folding, indentation, line breaks) into one space.

    A field is one paragraph or one name in a document, so a line break inside it can only
    separate words: "readout.\n\nSecond" is "readout. Second", never "readout.Second".
    """
    if isinstance(value, str):
        # An ideographic space is part of a Japanese name as its official form writes it.
        return re.sub(r"[^\S\u3000]+", " ", value).strip()
    return value
