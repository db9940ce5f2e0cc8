"""Every piece of WordprocessingML briefing sets that python-docx has no API for, in one place.

Word refuses a document whose property elements list their children out of the ECMA-376 order
(LibreOffice is lenient), so each element is added through python-docx's oxml layer
(`get_or_add_*`, `insert_element_before`) with the schema's successors, never appended at the
end. This is the only module that touches python-docx's elements (`._r`, `._p`, `._tbl`, …)
directly: the briefing writer (docx_writer.py), the Word review document (review/docx.py) and
the bundled template's make_reference.py use python-docx's public API and these functions.
It runs past 400 lines because that promise keeps every element-level detail here, tracked
changes included; split, the schema orders it must respect would be kept in two places.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from docx.document import Document as DocxDocument
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import qn
from docx.oxml.table import CT_Row, CT_Tbl
from docx.oxml.text.font import CT_RPr
from docx.oxml.text.paragraph import CT_P
from docx.oxml.text.run import CT_R
from docx.shared import Emu
from docx.styles.style import BaseStyle
from docx.table import Table as DocxTable
from docx.table import _Row
from docx.text.paragraph import Paragraph as DocxParagraph
from docx.text.run import Run

# ECMA-376 Part 1, §17.3.2.28 CT_RPr (EG_RPrBase): the children that may follow w:lang.
_AFTER_LANG = ("w:eastAsianLayout", "w:specVanish", "w:oMath", "w:rPrChange")
# §17.7.5.1 CT_DocDefaults, §17.7.4.18 CT_Styles: what follows w:rPrDefault and w:docDefaults.
_AFTER_RPR_DEFAULT = ("w:pPrDefault",)
_AFTER_DOC_DEFAULTS = ("w:latentStyles", "w:style")
# §17.3.1.26 CT_PPr: the children of a paragraph's (or paragraph style's) properties, in order.
PPR_SEQUENCE = (
    "w:pStyle",
    "w:keepNext",
    "w:keepLines",
    "w:pageBreakBefore",
    "w:framePr",
    "w:widowControl",
    "w:numPr",
    "w:suppressLineNumbers",
    "w:pBdr",
    "w:shd",
    "w:tabs",
    "w:suppressAutoHyphens",
    "w:kinsoku",
    "w:wordWrap",
    "w:overflowPunct",
    "w:topLinePunct",
    "w:autoSpaceDE",
    "w:autoSpaceDN",
    "w:bidi",
    "w:adjustRightInd",
    "w:snapToGrid",
    "w:spacing",
    "w:ind",
    "w:contextualSpacing",
    "w:mirrorIndents",
    "w:suppressOverlap",
    "w:jc",
    "w:textDirection",
    "w:textAlignment",
    "w:textboxTightWrap",
    "w:outlineLvl",
    "w:divId",
    "w:cnfStyle",
    "w:rPr",
    "w:sectPr",
    "w:pPrChange",
)
# §17.15.1.78 CT_Settings: what follows w:themeFontLang.
_AFTER_THEME_FONT_LANG = (
    "w:clrSchemeMapping",
    "w:doNotIncludeSubdocsInStats",
    "w:doNotAutoCompressPictures",
    "w:forceUpgrade",
    "w:captions",
    "w:readModeInkLockDown",
    "w:smartTagType",
    "sl:schemaLibrary",
    "w:shapeDefaults",
    "w:doNotEmbedSmartTags",
    "w:decimalSymbol",
    "w:listSeparator",
)
# §17.4.60 CT_TblPr: what follows w:tblLook.
_AFTER_TBL_LOOK = ("w:tblCaption", "w:tblDescription", "w:tblPrChange")
# §17.4.82 CT_TrPr: what follows w:tblHeader and w:cantSplit (in python-docx's order of its
# choice group, which Word also writes).
_AFTER_TBL_HEADER = ("w:tblCellSpacing", "w:jc", "w:hidden", "w:ins", "w:del", "w:trPrChange")
_AFTER_CANT_SPLIT = ("w:trHeight", "w:tblHeader", *_AFTER_TBL_HEADER)


def _child(parent: Any, tag: str, successors: tuple[str, ...]) -> Any:
    """`parent`'s `tag` child, created before the first of `successors` if it is missing."""
    element = parent.find(qn(tag))
    if element is None:
        element = OxmlElement(tag)
        # python-docx's insert_element_before, which elements it has no class for lack
        following = [parent.find(qn(name)) for name in successors]
        first = next((e for e in following if e is not None), None)
        if first is None:
            parent.append(element)
        else:
            first.addprevious(element)
    return element


def default_run_properties(doc: DocxDocument) -> CT_RPr:
    """The document-wide run properties (w:docDefaults/w:rPrDefault/w:rPr)."""
    defaults = _child(doc.styles.element, "w:docDefaults", _AFTER_DOC_DEFAULTS)
    rpr_default = _child(defaults, "w:rPrDefault", _AFTER_RPR_DEFAULT)
    return _child(rpr_default, "w:rPr", ())


def style_run_properties(style: BaseStyle) -> CT_RPr:
    """A style's own run properties, created in their place if it has none."""
    return style.element.get_or_add_rPr()


def set_style_paragraph_property(style: BaseStyle, xml: str) -> None:
    """Put the element written in `xml` (a w:pBdr, w:shd …) into a style's paragraph
    properties, in place of one of its kind, at its place in the schema's sequence."""
    ppr = style.element.get_or_add_pPr()
    element = parse_xml(xml)
    tag = element.tag
    for old in ppr.findall(tag):
        ppr.remove(old)
    name = "w:" + tag.rpartition("}")[2]
    successors = PPR_SEQUENCE[PPR_SEQUENCE.index(name) + 1 :]
    following = [ppr.find(qn(n)) for n in successors]
    first = next((e for e in following if e is not None), None)
    if first is None:
        ppr.append(element)
    else:
        first.addprevious(element)


def remove_style_paragraph_property(style: BaseStyle, tag: str) -> None:
    """Remove a paragraph property (`w:pBdr` …) that a style sets."""
    ppr = style.element.get_or_add_pPr()
    for old in ppr.findall(qn(tag)):
        ppr.remove(old)


def add_style(doc: DocxDocument, xml: str) -> None:
    """A style written as XML (w:style): what python-docx's style API cannot set, such as a
    table style's borders and its first row's look."""
    doc.styles.element.append(parse_xml(xml))


def set_language(rpr: CT_RPr, latin: str, east_asian: str | None) -> None:
    """w:lang: `latin` for Latin-script runs, `east_asian` for CJK runs (when given)."""
    lang = _child(rpr, "w:lang", _AFTER_LANG)
    lang.set(qn("w:val"), latin)
    if east_asian:
        lang.set(qn("w:eastAsia"), east_asian)


def set_run_language(run: Run, latin: str) -> None:
    """w:lang of one run: text in another language than the document's (Latin script)."""
    set_language(run._r.get_or_add_rPr(), latin, None)


def set_theme_font_language(doc: DocxDocument, latin: str, east_asian: str | None) -> None:
    """w:themeFontLang: the languages whose theme fonts Word picks for Latin and (when given)
    East Asian text; without East Asian, none is claimed."""
    lang = _child(doc.settings.element, "w:themeFontLang", _AFTER_THEME_FONT_LANG)
    lang.attrib.clear()
    lang.set(qn("w:val"), latin)
    if east_asian:
        lang.set(qn("w:eastAsia"), east_asian)


def set_east_asian_font(rpr: CT_RPr, font: str) -> None:
    """The East Asian font slot; a theme font (w:eastAsiaTheme) would take precedence over it
    (ECMA-376 §17.3.2.26), so the reference document's theme reference is removed."""
    fonts = rpr.get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), font)
    fonts.attrib.pop(qn("w:eastAsiaTheme"), None)


def clear_body(doc: DocxDocument) -> None:
    """Remove the reference document's content, keeping its section properties (page setup)."""
    clear_body_element(doc.element.body)


def clear_runs(paragraph: DocxParagraph) -> None:
    """Remove a paragraph's text (runs, links, simple fields), keeping its properties."""
    for child in list(paragraph._p):
        if child.tag in (qn("w:r"), qn("w:hyperlink"), qn("w:fldSimple")):
            paragraph._p.remove(child)


def add_field(paragraph: DocxParagraph, instruction: str, placeholder: str = "1") -> None:
    """A complex field (PAGE, NUMPAGES) that the reader fills in when it lays out the pages."""
    for kind in ("begin", "instr", "separate", "end"):
        run = paragraph.add_run()
        if kind == "instr":
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = f" {instruction} "
        else:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        run._r.append(element)  # run content follows the run's w:rPr, which is all it has
        if kind == "separate":
            paragraph.add_run(placeholder)


def set_table_look(table: CT_Tbl, **flags: str) -> None:
    """w:tblLook: which parts of the table style apply (first row, banding …)."""
    look = _child(table.tblPr, "w:tblLook", _AFTER_TBL_LOOK)
    for name, value in flags.items():
        look.set(qn(f"w:{name}"), value)


def _switch_on(element: Any) -> None:
    """An on/off property switched on as Word writes it: the bare element. ISO 29500
    transitional also allows w:val="true", which the Open XML SDK's validator rejects."""
    element.attrib.pop(qn("w:val"), None)


def repeat_as_header(row: _Row | CT_Row) -> None:
    """Repeat `row` at the top of every page the table runs onto."""
    element = row._tr if isinstance(row, _Row) else row
    _switch_on(_child(element.get_or_add_trPr(), "w:tblHeader", _AFTER_TBL_HEADER))


def keep_row_together(row: _Row | CT_Row) -> None:
    """Never break `row` across a page: its cells start and end on the same page."""
    element = row._tr if isinstance(row, _Row) else row
    _switch_on(_child(element.get_or_add_trPr(), "w:cantSplit", _AFTER_CANT_SPLIT))


def span_cells(row: CT_Row, spans: list[int]) -> list[Any]:
    """The cells of `row` merged left to right into groups of `spans` columns (w:gridSpan);
    the first cell of each group, whose paragraph holds the group's text."""
    cells = list(row.tc_lst)
    merged, start = [], 0
    for span in spans:
        cell = cells[start]
        merged.append(cell.merge(cells[start + span - 1]) if span > 1 else cell)
        start += span
    return merged


def set_core_dates(doc: DocxDocument, created: dt.datetime) -> None:
    """dcterms:created and dcterms:modified as W3CDTF with a four-digit year.

    python-docx formats them with strftime, which writes the year 5 as "5" on glibc: a date
    that Word cannot read. The facts allow any year from 1 to 9999.
    """
    properties = doc.core_properties
    properties.created = created
    properties.modified = created
    text = created.replace(tzinfo=None, microsecond=0).isoformat() + "Z"
    element = properties._element
    for name in ("created", "modified"):
        getattr(element, name).text = text


# --------------------------------------------------------------------------- tracked changes
# ECMA-376 Part 1, §17.13.5: revisions. Every w:ins, w:del and w:rPrChange carries a w:id unique
# in the document, the author and the date; Accept All keeps the insertions and drops the
# deletions, Reject All the reverse.


class Revisions:
    """Numbers the revision marks of one document and stamps them with one author and date."""

    def __init__(self, author: str, date: dt.datetime) -> None:
        self.author = author
        moment = date.astimezone(dt.timezone.utc) if date.tzinfo else date
        self.date = moment.replace(tzinfo=None, microsecond=0).isoformat() + "Z"
        self.count = 0

    def mark(self, tag: str) -> Any:
        """A w:ins, w:del or w:rPrChange element with the next id."""
        self.count += 1
        element = OxmlElement(tag)
        element.set(qn("w:id"), str(self.count))
        element.set(qn("w:author"), self.author)
        element.set(qn("w:date"), self.date)
        return element


def clear_body_element(body: Any) -> None:
    """Remove a body's content (w:body), keeping its section properties (page setup)."""
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)


def text_width(body: Any) -> int:
    """The width between the margins of a body's page (its last w:sectPr), in EMU: what its
    tables span. A landscape document's is its turned page's."""
    section = body.sectPr
    if section is None:
        return 0
    return int((section.page_width or 0) - (section.left_margin or 0) - (section.right_margin or 0))


def _append_block(body: Any, element: Any) -> None:
    """`element` at the end of a body, before its section properties (its last child), where
    python-docx's add_p and add_table put it, without their search of every child of the body
    for them, which made a body of n paragraphs cost n squared."""
    try:
        last = body[-1]  # lxml finds the last child directly
    except IndexError:
        last = None
    if last is not None and last.tag == qn("w:sectPr"):
        last.addprevious(element)
    else:
        body.append(element)


def add_body_table(doc: DocxDocument, rows: int, columns: int, style: BaseStyle) -> CT_Tbl:
    """A new table in `style` at the end of the document, as doc.add_table() adds it: as wide
    as the text, its columns of equal width."""
    element = CT_Tbl.new_tbl(rows, columns, doc._block_width)
    _append_block(doc.element.body, element)
    table = DocxTable(element, doc._body)
    table.style = cast(Any, style)  # a table style, whose class python-docx keeps private
    return element


def add_paragraph(body: Any, style_id: str | None) -> CT_P:
    """A new paragraph at the end of a body, in style `style_id` (None: the default style)."""
    paragraph: CT_P = OxmlElement("w:p")
    _append_block(body, paragraph)
    paragraph.style = style_id
    return paragraph


def add_table(body: Any, rows: int, columns: int, width: int, style_id: str) -> CT_Tbl:
    """A new table at the end of a body, as python-docx's add_table writes it, in a style."""
    table = CT_Tbl.new_tbl(rows, columns, Emu(width))
    _append_block(body, table)
    table.tblPr.style = style_id
    return table


def add_run(
    paragraph: CT_P, text: str, bold: bool, italic: bool, superscript: bool, marked: bool
) -> CT_R:
    """A run of `text` with its look, as python-docx's Run properties write it."""
    run: CT_R = paragraph.add_r()
    _set_look(run, bold, italic, superscript, marked)
    if any(character in text for character in "\t\n\r"):
        run.text = text  # tabs and breaks become w:tab and w:br
    elif text:
        element = OxmlElement("w:t")
        element.text = text
        if text != text.strip():
            element.set(qn("xml:space"), "preserve")
        run.append(element)
    return run


def _set_look(run: CT_R, bold: bool, italic: bool, superscript: bool, marked: bool) -> None:
    if not (bold or italic or superscript or marked):
        return
    properties = run.get_or_add_rPr()  # each child in its place in CT_RPr's sequence
    if bold:
        properties.get_or_add_b()
    if italic:
        properties.get_or_add_i()
    if marked:
        # as the writer marks a name kept in English: yellow, and a dotted underline that a
        # greyscale printout keeps
        properties.get_or_add_highlight().set(qn("w:val"), "yellow")
        properties.get_or_add_u().set(qn("w:val"), "dotted")
    if superscript:
        properties.get_or_add_vertAlign().set(qn("w:val"), "superscript")


def track_run(run: CT_R, change: str, revisions: Revisions) -> None:
    """Put a run inside a w:ins or w:del; deleted text is w:delText."""
    wrapper = revisions.mark(f"w:{change}")
    run.addprevious(wrapper)
    wrapper.append(run)
    if change == "del":
        for text in run.findall(qn("w:t")):
            text.tag = qn("w:delText")


def track_look(
    run: CT_R, bold: bool, italic: bool, superscript: bool, marked: bool, revisions: Revisions
) -> None:
    """Record that `run` had another look before (w:rPrChange, the last child of its w:rPr):
    a formatting change, such as a highlight added or removed."""
    earlier = OxmlElement("w:r")
    _set_look(earlier, bold, italic, superscript, marked)
    change = revisions.mark("w:rPrChange")
    change.append(earlier.rPr if earlier.rPr is not None else OxmlElement("w:rPr"))
    run.get_or_add_rPr().append(change)


def track_paragraph_mark(paragraph: CT_P, change: str, revisions: Revisions) -> None:
    """Mark a paragraph's own mark as inserted or deleted (w:pPr/w:rPr/w:ins|w:del): with its
    text, the whole paragraph goes on Reject All (inserted) or Accept All (deleted)."""
    ppr = paragraph.get_or_add_pPr()
    mark_properties = _child(ppr, "w:rPr", PPR_SEQUENCE[PPR_SEQUENCE.index("w:rPr") + 1 :])
    mark_properties.insert(0, revisions.mark(f"w:{change}"))  # CT_ParaRPr: w:ins/w:del first


def track_row(row: CT_Row, change: str, revisions: Revisions) -> None:
    """Mark a table row as inserted or deleted (w:trPr/w:ins|w:del)."""
    properties = row.get_or_add_trPr()
    if not len(properties):
        # CT_TrPr starts with at least one row property; zero grid columns before the first
        # cell is what every row has anyway
        grid_before = OxmlElement("w:gridBefore")
        grid_before.set(qn("w:val"), "0")
        properties.append(grid_before)
    following = [properties.find(qn(name)) for name in ("w:del", "w:trPrChange")]
    first = next((e for e in following if e is not None), None)
    mark = revisions.mark(f"w:{change}")
    if first is None:
        properties.append(mark)
    else:
        first.addprevious(mark)
