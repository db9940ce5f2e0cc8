"""The text of a segment from an exchange file (TMX or XLIFF), under one rule for inline markup.

A briefing sentence is plain text, and the document prints exactly what the memory holds. So
markup that only wraps text (TMX <hi>, XLIFF <g> and <mrk>) is dropped and its text kept, while a
segment holding a code that stands for something outside its text (<ph>, <bpt>, <ept>, <it>,
<ut>, <sub>, and XLIFF's <x>, <bx>, <ex>) is not taken at all: the code's content is native
markup ("<b>", "{0}") or a subflow, and leaving it out would change what the sentence says. The
import that meets such a segment goes on without it, counts it and says where it was.

Works on ElementTree and lxml elements alike (the XLIFF reader uses the first, TMX the second);
every text is cleaned as facts text is (`clean_outside`).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol

from briefing.yamlsource.cleaning import clean_outside

WRAPPERS = frozenset({"hi", "g", "mrk"})  # their text is the sentence's


class Element(Protocol):
    """What ElementTree's and lxml's elements both offer."""

    @property
    def tag(self) -> object: ...

    def iter(self) -> Iterator[Element]: ...

    def itertext(self) -> Iterator[str]: ...


@dataclass(frozen=True)
class SegmentText:
    text: str  # cleaned; '' when `codes` is not empty
    codes: tuple[str, ...]  # the inline codes found, as "<ph>", sorted

    @property
    def reason(self) -> str:
        """Why the segment was not taken, as an import reports it."""
        return f"inline codes ({', '.join(self.codes)}): a briefing sentence holds plain text"


def _local(tag: object) -> str | None:
    """'{urn:…}ph' → 'ph'; None for a comment or processing instruction (lxml)."""
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else None


def segment_text(element: Element) -> SegmentText:
    """The plain text of a <seg> or <target> element, or the inline codes it holds. Both walks
    are the libraries' own, without recursion: nesting depth costs nothing here."""
    inside = element.iter()
    next(inside)  # the element itself
    names = {_local(node.tag) for node in inside}
    codes = {f"<{name}>" for name in names if name is not None and name not in WRAPPERS}
    if codes:
        return SegmentText("", tuple(sorted(codes)))
    # only wrappers are left: their text, and the text between them, is the sentence's
    return SegmentText(clean_outside("".join(element.itertext())), ())
