"""Write the document model as a .docx, styled by a reference document.

Styles (Title, Heading 1-3, List Bullet, the table style, header and footer) come from the
template's reference.docx, as with Pandoc's --reference-doc: an organisation swaps that file to
get its house style. This module only picks styles by name and sets what Word needs for East
Asian text: the eastAsia font slot and language tag.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import docx
from docx.document import Document as DocxDocument
from docx.enum.style import WD_STYLE_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.styles.style import BaseStyle
from docx.text.paragraph import Paragraph as DocxParagraph

from briefing.errors import InputError
from briefing.languages import LANGUAGES, SOURCE_LANGUAGE, language_of_tag
from briefing.output.document import BulletList, Document, Heading, Notice, Paragraph, Run, Table

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
TABLE_STYLE = "Briefing Table"
FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
LATIN_IN_EAST_ASIAN = LANGUAGES[SOURCE_LANGUAGE].tag


class _Styles:
    """The reference document's styles by name, read once per document: python-docx searches
    the whole styles part on every lookup by name, and a house style holds hundreds."""

    def __init__(self, doc: DocxDocument) -> None:
        self.doc = doc
        self.by_name = {style.name: style for style in doc.styles}
        self.default = doc.styles.default(WD_STYLE_TYPE.PARAGRAPH)

    def get(self, wanted: str, fallback: str = "Normal") -> BaseStyle:
        return self.by_name.get(wanted) or self.by_name[fallback]

    def paragraph(self, wanted: str) -> DocxParagraph:
        """A new paragraph in style `wanted` (else Normal), as doc.add_paragraph(style=…)
        writes it, without python-docx's search for the default style on every call."""
        paragraph = self.doc.add_paragraph()
        style = self.get(wanted)
        paragraph._p.style = None if style == self.default else style.style_id
        return paragraph


def _clear_body(doc: DocxDocument) -> None:
    body = doc.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)


def _set_child(parent: BaseOxmlElement, tag: str, **attributes: str) -> BaseOxmlElement:
    """Find or create `tag` under `parent` and set its attributes (w: namespace)."""
    element = parent.find(qn(tag))
    if element is None:
        element = OxmlElement(tag)
        parent.append(element)
    for name, value in attributes.items():
        element.set(qn(f"w:{name}"), value)
    return element


def apply_language(
    doc: DocxDocument, tag: str, body_font: str | None, heading_font: str | None
) -> None:
    """Language tag and East Asian fonts on the defaults and on every style.

    Without them Word and LibreOffice pick a wrong CJK font and break lines by Latin rules.
    """
    styles_element = doc.styles.element
    defaults = styles_element.find(qn("w:docDefaults"))
    if defaults is None:
        defaults = OxmlElement("w:docDefaults")
        styles_element.insert(0, defaults)
    rpr_default = _set_child(defaults, "w:rPrDefault")
    rpr = _set_child(rpr_default, "w:rPr")
    language = language_of_tag(tag)
    east_asian = tag if language is not None and language.east_asian else None
    # w:val is the language of Latin-script runs, w:eastAsia that of CJK runs: in a Japanese or
    # Korean briefing the Latin runs (English names, the English column) are English.
    latin = LATIN_IN_EAST_ASIAN if east_asian else tag
    _set_lang(rpr, latin, east_asian)
    if body_font:
        _set_east_asian_font(rpr, body_font)
    for style in doc.styles:
        if style.type not in (
            WD_STYLE_TYPE.PARAGRAPH,
            WD_STYLE_TYPE.CHARACTER,
            WD_STYLE_TYPE.TABLE,
        ):
            continue
        style_rpr = style.element.get_or_add_rPr()
        _set_lang(style_rpr, latin, east_asian)
        is_heading = style.name in HEADING_STYLES.values() or style.name == "Subtitle"
        font = heading_font if is_heading else body_font
        if font:
            _set_east_asian_font(style_rpr, font)


def _set_east_asian_font(rpr: BaseOxmlElement, font: str) -> None:
    """The East Asian font slot; a theme font (w:eastAsiaTheme) would take precedence over it
    (ECMA-376 §17.3.2.26), so the reference document's theme reference is removed."""
    fonts = _set_child(rpr, "w:rFonts", eastAsia=font)
    fonts.attrib.pop(qn("w:eastAsiaTheme"), None)


def _set_lang(rpr: BaseOxmlElement, tag: str, east_asian: str | None) -> None:
    lang = _set_child(rpr, "w:lang", val=tag)
    if east_asian:
        lang.set(qn("w:eastAsia"), east_asian)


def _add_runs(paragraph: DocxParagraph, runs: tuple[Run, ...]) -> None:
    for run in runs:
        added = paragraph.add_run(run.text)
        if run.bold:
            added.bold = True
        if run.italic:
            added.italic = True
        if run.superscript:
            added.font.superscript = True
        if run.marked:
            _set_child(added._r.get_or_add_rPr(), "w:highlight", val="yellow")


def _add_field(paragraph: DocxParagraph, instruction: str) -> None:
    """A Word field (PAGE, NUMPAGES) that the reader fills in when it lays out the pages."""
    for kind, text in (("begin", None), ("instr", instruction), ("separate", None), ("end", None)):
        run = paragraph.add_run()
        if kind == "instr":
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = f" {text} "
        else:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        run._r.append(element)
        if kind == "separate":
            paragraph.add_run("1")


def _replace_text(paragraph: DocxParagraph) -> None:
    for child in list(paragraph._p):
        if child.tag in (qn("w:r"), qn("w:hyperlink"), qn("w:fldSimple")):
            paragraph._p.remove(child)


def fill_header_footer(doc: DocxDocument, header: str, footer: str) -> None:
    """The handling line in every page header; "Page X of Y" with live fields in the footer."""
    for section in doc.sections:
        if header:
            paragraphs = section.header.paragraphs or [section.header.add_paragraph()]
            _replace_text(paragraphs[0])
            paragraphs[0].add_run(header)
        if footer:
            paragraphs = section.footer.paragraphs or [section.footer.add_paragraph()]
            target = paragraphs[0]
            _replace_text(target)
            rest = footer
            while rest:
                positions = [(rest.find(f), f) for f in ("{page}", "{pages}") if f in rest]
                if not positions:
                    target.add_run(rest)
                    break
                index, found = min(positions)
                if index:
                    target.add_run(rest[:index])
                _add_field(target, "PAGE" if found == "{page}" else "NUMPAGES")
                rest = rest[index + len(found) :]


def _add_table(doc: DocxDocument, table: Table, styles: _Styles) -> None:
    columns = max([len(table.header), *(len(row) for row in table.rows)])
    rows = ([table.header] if table.header else []) + list(table.rows)
    added = doc.add_table(rows=len(rows), cols=columns)
    added.style = styles.get(TABLE_STYLE, "Table Grid")
    look = _set_child(added._tbl.tblPr, "w:tblLook")
    for name, value in (
        ("val", "04A0"),
        ("firstRow", "1"),
        ("lastRow", "0"),
        ("firstColumn", "0"),
        ("lastColumn", "0"),
        ("noHBand", "0"),
        ("noVBand", "1"),
    ):
        look.set(qn(f"w:{name}"), value)
    for row_index, row in enumerate(rows):
        for column_index, cell_runs in enumerate(row):
            paragraph = added.cell(row_index, column_index).paragraphs[0]
            _add_runs(paragraph, cell_runs)
    if table.header:
        _set_child(added.rows[0]._tr.get_or_add_trPr(), "w:tblHeader", val="true")


def build_docx(document: Document, reference: Path, fonts: tuple[str, str] | None) -> bytes:
    """The .docx bytes for `document`; the same input always gives the same bytes."""
    try:
        doc = docx.Document(str(reference))
    except Exception as err:  # python-docx raises several types for a bad package
        raise InputError(f"{reference}: not a usable reference .docx: {err}") from None
    _clear_body(doc)
    meta = document.metadata
    apply_language(doc, meta.language, *(fonts or (None, None)))
    fill_header_footer(doc, meta.header, meta.footer)

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
    properties.title = meta.title
    properties.subject = meta.subject
    properties.author = meta.author
    properties.last_modified_by = meta.author
    properties.keywords = "; ".join(meta.keywords)
    properties.language = meta.language
    properties.category = meta.category
    properties.comments = meta.comments
    properties.created = meta.created
    properties.modified = meta.created
    properties.revision = 1

    buffer = io.BytesIO()
    doc.save(buffer)
    return normalize_zip(buffer.getvalue())


def normalize_zip(data: bytes) -> bytes:
    """Rewrite a zip with fixed timestamps and attributes, so equal content gives equal bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=FIXED_ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.create_system = 0
            fixed.external_attr = 0
            target.writestr(fixed, source.read(info.filename), compresslevel=9)
    return out.getvalue()
