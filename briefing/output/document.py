"""The document model: where templates and writers meet.

Templates render to this small set of blocks; a writer (DOCX today) turns the blocks into a file.
Adding an output format means adding a writer, not touching templates.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Run:
    """A stretch of text with one look."""

    text: str
    bold: bool = False
    italic: bool = False
    superscript: bool = False
    marked: bool = False  # highlighted for a reviewer's attention
    # A name whose reading is printed at its first mention (output/readings.py): its term's id
    # and the reading; both empty once that is done.
    term: str = ""
    reading: str = ""


@dataclass(frozen=True)
class Heading:
    level: int  # 0 = document title, 1-3 = section levels
    runs: tuple[Run, ...]


@dataclass(frozen=True)
class Paragraph:
    runs: tuple[Run, ...]
    style: str = "body"  # a semantic name; the writer maps it to a style of the reference doc


@dataclass(frozen=True)
class BulletList:
    items: tuple[tuple[Run, ...], ...]


@dataclass(frozen=True)
class Table:
    header: tuple[tuple[Run, ...], ...]
    rows: tuple[tuple[tuple[Run, ...], ...], ...]
    # A heading row above the header whose cells each span columns: (text, columns spanned),
    # left to right, e.g. the two languages over the columns of a bilingual table.
    groups: tuple[tuple[tuple[Run, ...], int], ...] = ()
    # No row breaks across a page: a row's cells are read side by side.
    keep_rows_together: bool = False


@dataclass(frozen=True)
class Notice:
    """A boxed remark, such as the machine-translation notice."""

    runs: tuple[Run, ...]


Block = Heading | Paragraph | BulletList | Table | Notice


@dataclass(frozen=True)
class Metadata:
    title: str
    subject: str
    language: str  # BCP 47 tag, e.g. en-GB, ja-JP, ko-KR
    author: str
    created: dt.datetime
    keywords: tuple[str, ...] = ()
    category: str = ""
    comments: str = ""
    header: str = ""  # the handling line, printed at the top of every page
    # The handling line is a government's formal designation (대외비): red, centred, as such
    # designations are printed.
    header_formal: bool = False
    footer: str = "{page} / {pages}"  # page-number pattern, fields replace {page} and {pages}
    landscape: bool = False  # pages turned sideways, as wide bilingual tables are printed


@dataclass(frozen=True)
class Document:
    metadata: Metadata
    blocks: tuple[Block, ...] = field(default_factory=tuple)

    def text_of(self, runs: tuple[Run, ...]) -> str:
        return "".join(run.text for run in runs)

    def outline(self) -> list[tuple[int, str]]:
        """(level, text) of every heading: what readers of the file should find again."""
        return [
            (block.level, self.text_of(block.runs))
            for block in self.blocks
            if isinstance(block, Heading)
        ]
