"""Reading a Word review document back: its binding to the document, then every sentence row
as the reviewer left it.

Only cell text is read, never styles (but those that hide text) or other parts: text inside a
row's cells with every tracked change accepted and nothing hidden (accepted_text.py), so that
a file saved by Word or LibreOffice, with Track Changes on or off, reads as its reviewer sees
it. The zip's size and members are checked before python-docx parses it; a row whose cells were
merged is refused, since its translation cannot be told from its origin.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import docx
from docx.document import Document as DocxDocument
from docx.table import Table as DocxTable
from lxml import etree

from briefing.errors import Problem
from briefing.languages import TARGET_LANGUAGES
from briefing.review.accepted_text import UnreadableText, accepted_text, hidden_styles
from briefing.review.binding import (
    FORMAT,
    ORIGIN_MACHINE,
    ORIGIN_NONE,
    ORIGIN_REVIEWED,
    ReturnedUnit,
    problem,
    refusal,
)
from briefing.review.docx import BINDING_KEYS, CONFIRM_WORDS, HEADER

MAX_MEMBERS = 200
MAX_UNPACKED = 64 * 1024 * 1024  # bytes of all members together, once unzipped
_REF = re.compile(r"\bref ([0-9a-f]{12})\b")
_ORIGIN = re.compile(rf"^\s*({ORIGIN_MACHINE}|{ORIGIN_REVIEWED}|{ORIGIN_NONE})\b")
_NS = {"w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main"}
# Rows and cells, also where a content control or custom XML wraps them.
_ROWS = etree.XPath("./w:tr | ./w:sdt/w:sdtContent/w:tr | ./w:customXml/w:tr", namespaces=_NS)
_CELLS = etree.XPath("./w:tc | ./w:sdt/w:sdtContent/w:tc | ./w:customXml/w:tc", namespaces=_NS)
# The document's tables in order, also where a content control or custom XML wraps them (Word
# wraps a table in one when a reviewer adds it), but not tables nested in a cell.
_TABLES = etree.XPath("./w:body//w:tbl[not(ancestor::w:tbl)]", namespaces=_NS)
_DELETED_ROW = etree.XPath("./w:trPr/w:del", namespaces=_NS)
_SHIFTS = etree.XPath("./w:trPr/w:gridBefore/@w:val | ./w:trPr/w:gridAfter/@w:val", namespaces=_NS)
_SPANS = etree.XPath(".//w:tc/w:tcPr/w:gridSpan/@w:val", namespaces=_NS)
_MERGES = etree.XPath(".//w:tc/w:tcPr/w:vMerge | .//w:tc/w:tcPr/w:hMerge", namespaces=_NS)
# Tracked changes to a cell's text: runs inserted, deleted or moved, paragraph marks included.
_REVISIONS = etree.XPath(".//w:ins | .//w:del | .//w:moveFrom | .//w:moveTo", namespaces=_NS)


@dataclass(frozen=True)
class Binding:
    format: str
    facts_path: str
    lang: str
    sources_digest: str


def _open(path: Path, data: bytes) -> DocxDocument:
    """python-docx on the file, after the zip itself was checked (members, unpacked size)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise refusal(
            [
                problem(
                    path,
                    "not a Word document (.docx is a zip file, and this is not one)",
                    "Save the review document from Word as a .docx file.",
                )
            ],
        ) from None
    with archive:
        members = archive.infolist()
        unpacked = sum(member.file_size for member in members)
        if len(members) > MAX_MEMBERS or unpacked > MAX_UNPACKED:
            raise refusal(
                [
                    problem(
                        path,
                        f"the document unpacks to {len(members)} parts and {unpacked:,} bytes, "
                        f"over the limit of {MAX_MEMBERS} parts and {MAX_UNPACKED:,} bytes",
                    )
                ],
            )
        if "word/document.xml" not in archive.namelist():
            raise refusal([problem(path, "not a Word document (no word/document.xml)")])
    try:
        return docx.Document(io.BytesIO(data))
    except Exception as err:  # python-docx raises several types for a bad package
        raise refusal([problem(path, f"not a readable Word document: {err}")]) from None


def _row_cells(row: etree._Element) -> list[etree._Element]:
    """A row's cells (`w:tc`) as the file holds them, also inside content controls: one per
    cell however many grid columns it spans (python-docx repeats a merged cell per column)."""
    return list(_CELLS(row))


def _rows(table: DocxTable) -> list[etree._Element]:
    """A table's rows, without those deleted with Track Changes on (as if accepted)."""
    return [row for row in _ROWS(table._tbl) if not _DELETED_ROW(row)]


def _merged(row: etree._Element) -> bool:
    """Whether a cell of the row spans columns or rows, or the row is shifted in its grid."""
    return (
        bool(_MERGES(row))
        or any(v != "0" for v in _SHIFTS(row))
        or any(v != "1" for v in _SPANS(row))
    )


def _tracked(cell: etree._Element) -> bool:
    return bool(_REVISIONS(cell))


CellReader = Callable[[etree._Element], str]


def _cell_reader(doc: DocxDocument) -> CellReader:
    """A cell's text as its reader sees it in `doc`: every tracked change accepted, nothing
    hidden (by the run's formatting or by one of the document's styles)."""
    hidden = hidden_styles(doc.styles.element)
    return lambda cell: accepted_text(cell, hidden).strip()


def _tables(doc: DocxDocument) -> list[DocxTable]:
    """Every table a reader sees, in order: python-docx's `doc.tables` misses one wrapped in a
    content control, and the corrections in it would be lost without a word."""
    return [DocxTable(tbl, doc._body) for tbl in _TABLES(doc.element)]


def read_binding(path: Path, doc: DocxDocument) -> Binding:
    tables = _tables(doc)
    found: dict[str, str] = {}
    _cell_text = _cell_reader(doc)
    if tables:
        for row in _rows(tables[0]):
            cells = _row_cells(row)
            if len(cells) >= 2 and not _merged(row):
                try:
                    found[_cell_text(cells[0])] = _cell_text(cells[1])
                except UnreadableText:
                    continue  # not a line of the binding: refused below if one is missing
    if found.get("Format") != FORMAT or not all(k in found for k in BINDING_KEYS):
        raise refusal(
            [
                problem(
                    path,
                    "this Word document is not a review document of this version of briefing "
                    f"(its first table should name the format {FORMAT}, the facts file, the "
                    "language and the sources digest)",
                    "Export the document with `briefing review export --format docx` and "
                    "review that file; keep its first table as it is.",
                )
            ],
        )
    return Binding(found["Format"], found["Facts file"], found["Language"], found["Sources digest"])


def open_review_docx(path: Path, data: bytes) -> tuple[DocxDocument, Binding]:
    doc = _open(path, data)
    return doc, read_binding(path, doc)


def count_units(doc: DocxDocument) -> int:
    return sum(max(len(_rows(table)) - 1, 0) for table in _tables(doc)[1:])


def read_units(path: Path, doc: DocxDocument) -> list[ReturnedUnit]:
    """Every sentence row of the unit tables, as the reviewer left it: tracked changes read as
    accepted, hidden text left out; a row whose cells were merged is refused."""
    units: list[ReturnedUnit] = []
    problems: list[Problem] = []
    _cell_text = _cell_reader(doc)
    for number, table in enumerate(_tables(doc)[1:], start=2):
        rows = _rows(table)
        if not rows:
            continue
        try:
            header = tuple(_cell_text(c) for c in _row_cells(rows[0]))
        except UnreadableText:
            header = ()
        if header[: len(HEADER)] != HEADER or _merged(rows[0]):
            problems.append(
                problem(
                    path,
                    f"table {number}: its first row should be {' | '.join(HEADER)}, "
                    f"found {' | '.join(header)}",
                    "Keep the tables' columns as exported; edit only Translation and Comment.",
                )
            )
            continue
        for index, row in enumerate(rows[1:], start=2):
            unit = _read_row(path, f"table {number}, row {index}", row, _cell_text, problems)
            if unit is not None:
                units.append(unit)
    if problems:
        raise refusal(problems)
    return units


def _read_row(
    path: Path, where: str, row: etree._Element, _cell_text: CellReader, problems: list[Problem]
) -> ReturnedUnit | None:
    cells = _row_cells(row)
    try:
        first = _cell_text(cells[0]) if cells else ""
    except UnreadableText:
        first = ""
    if first:
        where = f"{where} ('{first}')"
    if _merged(row):
        problems.append(
            problem(
                path,
                f"{where}: cells of the row are merged, so the translation cannot be told "
                "from the origin or the comment beside it",
                "Split the merged cells again (in Word: Layout > Split Cells) so that the row "
                "has its five cells as exported, or copy the translation into a fresh export.",
            )
        )
        return None
    if len(cells) < len(HEADER):
        problems.append(problem(path, f"{where}: has {len(cells)} cells, expected 5"))
        return None
    try:
        ident, source, target, origin, comment = map(_cell_text, cells[: len(HEADER)])
    except UnreadableText as unreadable:
        problems.append(
            problem(
                path,
                f"{where}: holds {unreadable}",
                unreadable.hint,
            )
        )
        return None
    ref = _REF.search(origin)
    kind = _ORIGIN.match(origin)
    confirmed = comment.strip().rstrip(".!").lower() in CONFIRM_WORDS
    return ReturnedUnit(
        id=ident,
        source=source,
        target=target,
        exported_target=None,
        exported_origin=kind.group(1) if kind else "",
        confirmed=confirmed,
        where=where,
        comment="" if confirmed else comment,
        exported_digest=ref.group(1) if ref else None,
        tracked=_tracked(cells[2]) or _tracked(cells[4]),
    )


def refuse_wrong_language(path: Path, binding: Binding) -> None:
    if binding.lang not in TARGET_LANGUAGES:
        raise refusal([problem(path, f"the review document names the language {binding.lang!r}")])
