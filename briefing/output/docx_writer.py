"""Write the document model as a .docx, styled by a reference document.

Styles (Title, Heading 1-3, List Bullet, the table style, header and footer) come from the
template's reference.docx, as with Pandoc's --reference-doc: an organisation swaps that file to
get its house style. This module only picks styles by name and sets what Word needs for East
Asian text: the eastAsia font slot and language tag. A changes document (tracked changes
against an earlier version) is written here too, from the same reference and styles: one idea,
the model to Word, past 400 lines for the two kinds of body it writes.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import docx
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.oxml import serialize_part_xml
from docx.oxml import parse_xml
from docx.oxml.table import CT_Row
from docx.oxml.text.paragraph import CT_P
from docx.oxml.text.run import CT_R
from docx.shared import RGBColor
from docx.styles.style import BaseStyle

from briefing.errors import InputError
from briefing.languages import LANGUAGES, SOURCE_LANGUAGE, language_of_tag
from briefing.output import docx_xml
from briefing.output.document import BulletList, Document, Heading, Notice, Paragraph, Run, Table
from briefing.output.redline import Redline, TrackedParagraph, TrackedRow, TrackedRuns

# Semantic paragraph styles of the document model → style names in the reference document.
PARAGRAPH_STYLES = {
    "body": "Normal",
    "handling": "Handling",
    "subtitle": "Subtitle",
    "meta": "Meta",
    "note": "Note",
    "source": "Source",
    "notice": "Notice",
    "bullet": "List Bullet",
}
HEADING_STYLES = {0: "Title", 1: "Heading 1", 2: "Heading 2", 3: "Heading 3"}
# The red of a formal handling designation (대외비) at the top of the page.
FORMAL_RED = RGBColor(0xC0, 0x00, 0x00)
TABLE_STYLE = "Briefing Table"
FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
LATIN_IN_EAST_ASIAN = LANGUAGES[SOURCE_LANGUAGE].tag
# The longest text python-docx writes into a core property (docProps/core.xml); longer values
# are cut to it, ending in an ellipsis. The document's own text is never cut.
PROPERTY_LIMIT = 255
# The most columns a Word table can have.
MAX_COLUMNS = 63
# Which parts of the table style apply (w:tblLook): the header row, bands across rows.
TABLE_LOOK = dict(
    val="04A0",
    firstRow="1",
    lastRow="0",
    firstColumn="0",
    lastColumn="0",
    noHBand="0",
    noVBand="1",
)
DOCUMENT_PART = "word/document.xml"
# Changes documents are read once and thrown away: deflated fast (zlib level 1), for a file
# about a tenth larger than at the documents' level.
CHANGES_LEVEL = 1


def fit_property(value: str, limit: int = PROPERTY_LIMIT) -> str:
    """`value`, or its start cut at a word boundary and ended with "…", within `limit`."""
    if len(value) <= limit:
        return value
    cut = value[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip() + "…"


class _Styles:
    """The reference document's styles by name, read once per document: python-docx searches
    the whole styles part on every lookup by name, and a house style holds hundreds."""

    def __init__(self, doc: DocxDocument) -> None:
        self.doc = doc
        self.by_name = {style.name: style for style in doc.styles}
        self.default = doc.styles.default(WD_STYLE_TYPE.PARAGRAPH)

    def get(self, wanted: str, fallback: str = "Normal") -> BaseStyle:
        return self.by_name.get(wanted) or self.by_name[fallback]

    def paragraph(self, wanted: str) -> CT_P:
        """A new paragraph in style `wanted` (else Normal), as doc.add_paragraph(style=…)
        writes it, without python-docx's search for the default style on every call."""
        style = self.get(wanted)
        return docx_xml.add_paragraph(
            self.doc.element.body, None if style == self.default else style.style_id
        )


def apply_language(
    doc: DocxDocument, tag: str, body_font: str | None, heading_font: str | None
) -> None:
    """Language tag and East Asian fonts on the defaults and on every style.

    Without them Word and LibreOffice pick a wrong CJK font and break lines by Latin rules.
    """
    language = language_of_tag(tag)
    east_asian = tag if language is not None and language.east_asian else None
    # w:val is the language of Latin-script runs, w:eastAsia that of CJK runs: in a Japanese or
    # Korean briefing the Latin runs (English names, the English column) are English.
    latin = LATIN_IN_EAST_ASIAN if east_asian else tag
    docx_xml.set_theme_font_language(doc, latin, east_asian)
    defaults = docx_xml.default_run_properties(doc)
    docx_xml.set_language(defaults, latin, east_asian)
    if body_font:
        docx_xml.set_east_asian_font(defaults, body_font)
    for style in doc.styles:
        if style.type not in (
            WD_STYLE_TYPE.PARAGRAPH,
            WD_STYLE_TYPE.CHARACTER,
            WD_STYLE_TYPE.TABLE,
        ):
            continue
        style_rpr = docx_xml.style_run_properties(style)
        docx_xml.set_language(style_rpr, latin, east_asian)
        is_heading = style.name in HEADING_STYLES.values() or style.name == "Subtitle"
        font = heading_font if is_heading else body_font
        if font:
            docx_xml.set_east_asian_font(style_rpr, font)


def _add_run(paragraph: CT_P, run: Run) -> CT_R:
    """`run` at the end of `paragraph`, in its look: the one way both bodies write text."""
    return docx_xml.add_run(paragraph, run.text, run.bold, run.italic, run.superscript, run.marked)


def _add_runs(paragraph: CT_P, runs: tuple[Run, ...]) -> None:
    for run in runs:
        _add_run(paragraph, run)


def fill_header_footer(
    doc: DocxDocument, header: str, footer: str, header_formal: bool = False
) -> None:
    """The handling line in every page header; "Page X of Y" with live fields in the footer.

    A mark takes the look of the reference document's Header style; a formal designation
    (`header_formal`) is set as the regulation sets it whatever that style: red and bold,
    centred at the top of the page.
    """
    for section in doc.sections:
        # The reference document's own header text is a placeholder: no mark, no text.
        if section.header.paragraphs:
            docx_xml.clear_runs(section.header.paragraphs[0])
        if header:
            paragraphs = section.header.paragraphs or [section.header.add_paragraph()]
            added = paragraphs[0].add_run(header)
            if header_formal:
                paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
                added.bold = True
                added.font.color.rgb = FORMAL_RED
        if footer:
            paragraphs = section.footer.paragraphs or [section.footer.add_paragraph()]
            target = paragraphs[0]
            docx_xml.clear_runs(target)
            rest = footer
            while rest:
                positions = [(rest.find(f), f) for f in ("{page}", "{pages}") if f in rest]
                if not positions:
                    target.add_run(rest)
                    break
                index, found = min(positions)
                if index:
                    target.add_run(rest[:index])
                docx_xml.add_field(target, "PAGE" if found == "{page}" else "NUMPAGES")
                rest = rest[index + len(found) :]


def _add_table(doc: DocxDocument, table: Table, styles: _Styles) -> None:
    columns = max([len(table.header), *(len(row) for row in table.rows)])
    if columns > MAX_COLUMNS:
        raise InputError(
            f"the template made a table of {columns} columns; Word opens tables of at most "
            f"{MAX_COLUMNS} columns: split it or turn it into a list"
        )
    rows = ([table.header] if table.header else []) + list(table.rows)
    above = 1 if table.groups else 0
    added = docx_xml.add_body_table(
        doc, above + len(rows), columns, styles.get(TABLE_STYLE, "Table Grid")
    )
    docx_xml.set_table_look(added, **TABLE_LOOK)
    # Each row's cells are read from the row, once: python-docx's table.cell(r, c) lays out the
    # whole table's grid on every call, which made a table of many rows cost its rows squared.
    added_rows = added.tr_lst
    if table.groups:
        _add_groups(added_rows[0], table.groups)
    for added_row, row in zip(added_rows[above:], rows, strict=True):
        for cell, cell_runs in zip(added_row.tc_lst, row, strict=False):  # a row may be short
            _add_runs(cell.p_lst[0], cell_runs)
    for header_row in added_rows[: above + (1 if table.header else 0)]:
        docx_xml.repeat_as_header(header_row)
    if table.keep_rows_together:
        for added_row in added_rows:
            docx_xml.keep_row_together(added_row)


def _add_groups(row: CT_Row, groups: tuple[tuple[tuple[Run, ...], int], ...]) -> None:
    """The row above a table's header: its cells merged into the groups' spans, each group's
    text in its first cell."""
    cells = docx_xml.span_cells(row, [span for _, span in groups])
    for cell, (runs, _) in zip(cells, groups, strict=True):
        _add_runs(cell.p_lst[0], runs)


def turn_sideways(doc: DocxDocument) -> None:
    """Every page in landscape: the reference document's page size turned, margins kept."""
    for section in doc.sections:
        if section.orientation != WD_ORIENT.LANDSCAPE:
            width, height = section.page_width, section.page_height
            section.orientation = WD_ORIENT.LANDSCAPE
            section.page_width, section.page_height = height, width


def upright_styles(doc: DocxDocument) -> None:
    """No style of the document slants its text: a reference document made for English may
    set notes or quotations in italics, which Japanese and Korean typography does not use."""
    for style in doc.styles:
        font = getattr(style, "font", None)
        if font is not None and font.italic:
            font.italic = False


def build_docx(document: Document, reference: Path, fonts: tuple[str, str] | None) -> bytes:
    """The .docx bytes for `document`; the same input always gives the same bytes."""
    meta = document.metadata
    prepared = _prepared_reference(reference, reference.read_bytes(), meta.language, fonts)
    doc = docx.Document(io.BytesIO(prepared))
    if meta.landscape:
        turn_sideways(doc)  # before any table: python-docx sizes tables to the page
    fill_header_footer(doc, meta.header, meta.footer, meta.header_formal)

    styles = _Styles(doc)
    for block in document.blocks:
        if isinstance(block, Heading):
            paragraph = styles.paragraph(HEADING_STYLES[block.level])
            _add_runs(paragraph, block.runs)
        elif isinstance(block, Paragraph):
            style = PARAGRAPH_STYLES.get(block.style, block.style)
            _add_runs(styles.paragraph(style), block.runs)
        elif isinstance(block, Notice):
            _add_runs(styles.paragraph("Notice"), block.runs)
        elif isinstance(block, BulletList):
            for item in block.items:
                _add_runs(styles.paragraph(PARAGRAPH_STYLES["bullet"]), item)
        elif isinstance(block, Table):
            _add_table(doc, block, styles)

    properties = doc.core_properties
    properties.title = fit_property(meta.title)
    properties.subject = fit_property(meta.subject)
    properties.author = fit_property(meta.author)
    properties.last_modified_by = fit_property(meta.author)
    properties.keywords = fit_property("; ".join(meta.keywords))
    properties.language = fit_property(meta.language)
    properties.category = fit_property(meta.category)
    properties.comments = fit_property(meta.comments)
    properties.revision = 1
    docx_xml.set_core_dates(doc, meta.created)

    buffer = io.BytesIO()
    doc.save(buffer)
    return normalize_zip(buffer.getvalue())


@lru_cache(maxsize=4)  # a build's languages
def _prepared_reference(
    reference: Path, content: bytes, tag: str, fonts: tuple[str, str] | None
) -> bytes:
    """The reference document emptied and set for one language, once per build and language:
    every document of that language starts from these bytes (keyed by the file's content, so
    a reference edited during `--watch` is read again)."""
    try:
        doc = docx.Document(io.BytesIO(content))
    except Exception as err:  # python-docx raises several types for a bad package
        raise InputError(f"{reference}: not a usable reference .docx: {err}") from None
    docx_xml.clear_body(doc)
    apply_language(doc, tag, *(fonts or (None, None)))
    language = language_of_tag(tag)
    if language is not None and not language.italics:
        upright_styles(doc)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def normalize_zip(data: bytes, parts: dict[str, bytes] | None = None, level: int = 6) -> bytes:
    """Rewrite a zip with fixed timestamps and attributes, so equal content gives equal bytes;
    `parts` replace the content of those names."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=FIXED_ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.create_system = 0
            fixed.external_attr = 0
            content = (parts or {}).get(info.filename) or source.read(info.filename)
            target.writestr(fixed, content, compresslevel=level)
    return out.getvalue()


# --------------------------------------------------------------------------- tracked changes


@dataclass(frozen=True)
class _Layout:
    """What writing a body needs from the prepared reference: its style ids."""

    style_ids: dict[str, str]  # style name → id
    default: str | None  # the default paragraph style's id: paragraphs in it name no style
    table_style: str


@lru_cache(maxsize=4)  # a build's languages
def _layout(reference: Path, content: bytes, tag: str, fonts: tuple[str, str] | None) -> _Layout:
    doc = docx.Document(io.BytesIO(_prepared_reference(reference, content, tag, fonts)))
    styles = _Styles(doc)
    return _Layout(
        {name: style.style_id for name, style in styles.by_name.items()},
        styles.default.style_id if styles.default is not None else None,
        styles.get(TABLE_STYLE, "Table Grid").style_id,
    )


def style_name(key: str) -> str:
    """The reference document's style for a paragraph's style key (redline.style_key)."""
    kind, _, value = key.partition(":")
    if kind == "heading":
        return HEADING_STYLES[int(value)]
    if kind == "paragraph":
        return PARAGRAPH_STYLES.get(value, value)
    return "Notice" if kind == "notice" else PARAGRAPH_STYLES["bullet"]


def build_tracked_docx(
    redline: Redline,
    current: bytes,
    reference: Path,
    fonts: tuple[str, str] | None,
    revisions: docx_xml.Revisions,
) -> bytes:
    """The .docx bytes of `redline`: the current document (`current`, as build_docx wrote it)
    with its body rewritten with Word's tracked changes, so that Accept All gives the current
    document and Reject All the earlier one. Its styles, header, footer and properties are the
    current document's, copied; only the body is written anew."""
    layout = _layout(reference, reference.read_bytes(), redline.metadata.language, fonts)
    with zipfile.ZipFile(io.BytesIO(current)) as package:
        document = parse_xml(package.read(DOCUMENT_PART))
    body = document.body
    # Tables span the current document's page, which a parallel document turned sideways: the
    # reference's own page is narrower.
    width = docx_xml.text_width(body)
    docx_xml.clear_body_element(body)
    for block in redline.blocks:
        if isinstance(block, TrackedParagraph):
            style = layout.style_ids.get(style_name(block.style)) or layout.style_ids["Normal"]
            paragraph = docx_xml.add_paragraph(body, None if style == layout.default else style)
            _add_tracked_runs(paragraph, block.runs, revisions)
            if block.change:
                docx_xml.track_paragraph_mark(paragraph, block.change, revisions)
            continue
        rows: list[TrackedRow] = ([block.header] if block.header else []) + list(block.rows)
        columns = max(len(row.cells) for row in rows)
        if columns > MAX_COLUMNS:
            raise InputError(f"a table of {columns} columns; Word opens at most {MAX_COLUMNS}")
        above = 1 if block.groups else 0
        table = docx_xml.add_table(body, above + len(rows), columns, width, layout.table_style)
        docx_xml.set_table_look(table, **TABLE_LOOK)
        if block.groups:
            _add_groups(table.tr_lst[0], block.groups)
        for element in table.tr_lst[: above + (1 if block.header else 0)]:
            docx_xml.repeat_as_header(element)
        for row, element in zip(rows, table.tr_lst[above:], strict=True):
            for cell, runs in zip(element.tc_lst, row.cells, strict=False):
                _add_tracked_runs(cell.p_lst[0], runs, revisions)
            if row.change:
                docx_xml.track_row(element, row.change, revisions)
        if block.keep_rows_together:
            for element in table.tr_lst:
                docx_xml.keep_row_together(element)
    return normalize_zip(current, {DOCUMENT_PART: serialize_part_xml(document)}, CHANGES_LEVEL)


def _add_tracked_runs(paragraph: CT_P, runs: TrackedRuns, revisions: docx_xml.Revisions) -> None:
    for tracked in runs:
        added = _add_run(paragraph, tracked.run)
        was = tracked.was
        if was is not None:
            looks = (was.bold, was.italic, was.superscript, was.marked)
            docx_xml.track_look(added, *looks, revisions)
        if tracked.change:
            docx_xml.track_run(added, tracked.change, revisions)
