"""The Word review document: a bilingual table a translator corrects in Word, and reading it back.

In the manner of the CAT tools' bilingual review export (Trados, memoQ), for reviewers who have
Word and no CAT tool. The document opens with its title and instructions and a small table
that binds it to its document (format, facts file, language, digest of the sources); then,
per section of the briefing, a table with one row per sentence: unit id, English source,
current translation, origin, and an empty comment column. Only the translation and comment
columns are meant for editing. The origin cell ends with "ref" and a digest of the exported
translation, so the import tells an edit from an untouched row by the file alone, after any
word processor has saved it again: only cell text is read, never styles or hidden parts.

Python-docx writes it (styles and East Asian fonts from the template's reference document, as
for briefings), with what it has no API for from output/docx_xml.py; reading checks the zip's
size and members before python-docx parses it.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

import docx
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT
from docx.shared import Emu, Pt
from docx.table import Table as DocxTable
from lxml import etree

from briefing import catalogs
from briefing.kinds import N_
from briefing.languages import LANGUAGES, SOURCE_LANGUAGE, TARGET_LANGUAGES
from briefing.memory.interface import StoredEntry
from briefing.output import docx_xml
from briefing.output.docx_writer import (
    TABLE_STYLE,
    apply_language,
    fill_header_footer,
    normalize_zip,
)
from briefing.review.accepted_text import UnreadableText, accepted_text
from briefing.review.binding import (
    FORMAT,
    ORIGIN_MACHINE,
    ORIGIN_NONE,
    ORIGIN_REVIEWED,
    ReturnedUnit,
    ReviewDocument,
    problem,
    refusal,
    target_digest,
)

HEADER = ("Unit", "English source", "Translation", "Origin", "Comment")
SHARES = (0.12, 0.29, 0.29, 0.15, 0.15)  # of the line's width: the sentences get the room
SMALL = Pt(8)  # the Unit and Origin columns: read by the tool more than by people
BINDING_KEYS = ("Format", "Facts file", "Language", "Sources digest", "Sentences")
SOURCE_TAG = LANGUAGES[SOURCE_LANGUAGE].tag  # the English column's language
CONFIRM_WORDS = ("ok", "confirmed", "approved")  # a comment cell saying only this confirms
MAX_MEMBERS = 200
MAX_UNPACKED = 64 * 1024 * 1024  # bytes of all members together, once unzipped
_REF = re.compile(r"\bref ([0-9a-f]{12})\b")
_ORIGIN = re.compile(rf"^\s*({ORIGIN_MACHINE}|{ORIGIN_REVIEWED}|{ORIGIN_NONE})\b")
_NS = {"w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main"}
# Rows and cells, also where a content control or custom XML wraps them.
_ROWS = etree.XPath("./w:tr | ./w:sdt/w:sdtContent/w:tr | ./w:customXml/w:tr", namespaces=_NS)
_CELLS = etree.XPath("./w:tc | ./w:sdt/w:sdtContent/w:tc | ./w:customXml/w:tc", namespaces=_NS)
_DELETED_ROW = etree.XPath("./w:trPr/w:del", namespaces=_NS)
_SHIFTS = etree.XPath("./w:trPr/w:gridBefore/@w:val | ./w:trPr/w:gridAfter/@w:val", namespaces=_NS)
_SPANS = etree.XPath(".//w:tc/w:tcPr/w:gridSpan/@w:val", namespaces=_NS)
_MERGES = etree.XPath(".//w:tc/w:tcPr/w:vMerge | .//w:tc/w:tcPr/w:hMerge", namespaces=_NS)
# Tracked changes to a cell's text: runs inserted, deleted or moved, paragraph marks included.
_REVISIONS = etree.XPath(".//w:ins | .//w:del | .//w:moveFrom | .//w:moveTo", namespaces=_NS)


def _origin_text(entry: StoredEntry | None, reasons: tuple[str, ...] = ()) -> str:
    """What the Origin cell says; its first word and its last line are read back."""
    if entry is None:
        return f"{ORIGIN_NONE}: no translation yet\nref {target_digest('')}"
    if entry.reviewed:
        who = f" by {entry.reviewer}" if entry.reviewer else ""
        return f"{ORIGIN_REVIEWED}{who}, {entry.updated[:10]}\nref {target_digest(entry.target)}"
    text = f"{ORIGIN_MACHINE}\n{entry.model}"
    if entry.flagged:
        why = "; ".join(reasons) or "it failed a check on machine output"
        text += f"\nFLAGGED: {why}; check this first"
    return f"{text}\nref {target_digest(entry.target)}"


# The instructions, in English and, from the catalogs, in the reviewer's language.
RULES = (
    # Translators: the first instruction of the Word review document, for the translator who
    # corrects the machine translations. "Translation" and "Comment" are the columns' English
    # names, printed as they are; OK is what the reviewer types, kept as it is.
    N_(
        "Correct a translation by editing its text in the Translation column; an edited "
        "translation is stored as reviewed. To keep a translation as it is, write OK in its "
        "Comment column. Anything else you write there is kept as a comment beside it."
    ),
    # Translators: Word's own words for Track Changes, accepting a change, hidden text and
    # content controls, as the translator's Word shows them.
    N_(
        "You may keep Track Changes on: the file is read as if you had accepted every change "
        "(inserted text counts, deleted text does not). Hidden text is not read, and a field or "
        "content control counts as the text it shows. Do not merge cells."
    ),
    # Translators: Unit, English source and Origin are the columns' English names; FLAGGED is
    # printed as it is in the Origin column.
    N_(
        "Do not change the Unit, English source or Origin columns, nor the table below. "
        "Sentences marked FLAGGED lost a name, a number or a date in machine translation, or "
        "failed another check on it (brackets, repetition, left in English, length): check "
        "those first."
    ),
    N_("Save as .docx and import with: %(command)s"),
)
IMPORT_COMMAND = "briefing review import FILE.docx --reviewer NAME"


def _instructions(document: ReviewDocument) -> list[str]:
    language = LANGUAGES[document.lang].name
    head = (
        f"English to {language}: every sentence of {document.facts_path} that is translated "
        "by machine or memory, with its current translation."
    )
    english = [rule % {"command": IMPORT_COMMAND} for rule in RULES]
    translations = catalogs.load_translations(document.lang)
    own = [translations.gettext(rule) % {"command": IMPORT_COMMAND} for rule in RULES]
    return [head, *english, *(text for text in own if text not in english)]


def _plain_table(doc: DocxDocument, rows: int, columns: int) -> DocxTable:
    table = doc.add_table(rows=rows, cols=columns)
    names = {style.name for style in doc.styles}
    table.style = doc.styles[TABLE_STYLE if TABLE_STYLE in names else "Table Grid"]
    return table


def _landscape(doc: DocxDocument) -> int:
    """Turn every page sideways, as bilingual review tables are printed; the line's width."""
    for section in doc.sections:
        if section.orientation != WD_ORIENT.LANDSCAPE:
            width, height = section.page_width, section.page_height
            section.orientation = WD_ORIENT.LANDSCAPE
            section.page_width, section.page_height = height, width
    section = doc.sections[-1]
    margins = (section.left_margin or 0) + (section.right_margin or 0)
    return int((section.page_width or 0) - margins)


def build_review_docx(
    document: ReviewDocument,
    known: dict[str, StoredEntry],
    title: str,
    reference: Path,
    fonts: tuple[str, str] | None,
    reasons: dict[str, tuple[str, ...]] | None = None,
) -> bytes:
    """The review document's bytes; the same document and memory give the same bytes.
    `reasons`: the checks each flagged sentence failed."""
    doc = docx.Document(str(reference))
    docx_xml.clear_body(doc)  # the reference document's own text, if any
    apply_language(doc, LANGUAGES[document.lang].tag, *(fonts or (None, None)))
    line_width = _landscape(doc)
    fill_header_footer(doc, f"Review: {document.facts_path}", "Page {page} of {pages}")
    doc.add_paragraph(f"Review: {title}", style="Title")
    for text in _instructions(document):
        doc.add_paragraph(text)

    values = (
        FORMAT,
        document.facts_path,
        document.lang,
        document.sources_digest,
        str(len(document.units)),
    )
    binding = _plain_table(doc, len(BINDING_KEYS), 2)
    for row, (key, value) in zip(binding.rows, zip(BINDING_KEYS, values, strict=True), strict=True):
        row.cells[0].text, row.cells[1].text = key, value

    sections: dict[str, list] = {}
    for unit in document.units:
        sections.setdefault(unit.sections[0], []).append(unit)
    for section, units in sections.items():
        doc.add_paragraph(section, style="Heading 1")
        table = _plain_table(doc, len(units) + 1, len(HEADER))
        table.autofit = False
        for column, share in zip(table.columns, SHARES, strict=True):
            width = Emu(int(line_width * share))
            column.width = width  # the grid, which LibreOffice follows
            for cell in column.cells:  # and each cell, which Word follows
                cell.width = width
        for cell, text in zip(table.rows[0].cells, HEADER, strict=True):
            cell.text = text
        docx_xml.repeat_as_header(table.rows[0])
        for row, unit in zip(table.rows[1:], units, strict=True):
            docx_xml.keep_row_together(row)  # a sentence on one page
            entry = known.get(unit.segment)
            cells = row.cells
            cells[0].text = unit.id
            cells[1].text = unit.segment
            cells[2].text = entry.target if entry is not None else ""
            cells[3].text = _origin_text(entry, (reasons or {}).get(unit.segment, ()))
            for cell in (cells[0], cells[3]):
                for paragraph in cell.paragraphs:
                    for run in paragraph.runs:
                        run.font.size = SMALL
            # The English column is English whatever the document's language.
            for paragraph in cells[1].paragraphs:
                for run in paragraph.runs:
                    docx_xml.set_run_language(run, SOURCE_TAG)

    properties = doc.core_properties
    properties.title = f"Review: {title}"
    properties.subject = f"{document.facts_path} {SOURCE_LANGUAGE}→{document.lang}"
    properties.keywords = FORMAT
    properties.language = LANGUAGES[document.lang].tag
    properties.comments = f"{FORMAT}; {document.facts_path}; {document.lang}"
    buffer = io.BytesIO()
    doc.save(buffer)
    return normalize_zip(buffer.getvalue())


# -- reading --------------------------------------------------------------------------------


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


def _cell_text(cell: etree._Element) -> str:
    """A cell's text as its reader sees it, every tracked change accepted, nothing hidden."""
    return accepted_text(cell).strip()


def read_binding(path: Path, doc: DocxDocument) -> Binding:
    tables = doc.tables
    found: dict[str, str] = {}
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
    return sum(max(len(table.rows) - 1, 0) for table in doc.tables[1:])


def read_units(path: Path, doc: DocxDocument) -> list[ReturnedUnit]:
    """Every sentence row of the unit tables, as the reviewer left it: tracked changes read as
    accepted, hidden text left out; a row whose cells were merged is refused."""
    units: list[ReturnedUnit] = []
    problems = []
    for number, table in enumerate(doc.tables[1:], start=2):
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
            unit = _read_row(path, f"table {number}, row {index}", row, problems)
            if unit is not None:
                units.append(unit)
    if problems:
        raise refusal(problems)
    return units


def _read_row(path: Path, where: str, row: etree._Element, problems: list) -> ReturnedUnit | None:
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
                "Type the character itself (Insert > Symbol, from a Unicode font such as the "
                "document's), or leave it out.",
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
