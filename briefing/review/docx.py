"""The Word review document: a bilingual table a translator corrects in Word (read back by
docx_read.py).

In the manner of the CAT tools' bilingual review export (Trados, memoQ), for reviewers who have
Word and no CAT tool. The document opens with its title and instructions and a small table
that binds it to its document (format, facts file, language, digest of the sources); then,
per section of the briefing, a table with one row per sentence: unit id, English source,
current translation, origin, and an empty comment column. Only the translation and comment
columns are meant for editing. The origin cell ends with "ref" and a digest of the exported
translation, so the import tells an edit from an untouched row by the file alone, after any
word processor has saved it again, Track Changes on or off.

Python-docx writes it (styles and East Asian fonts from the template's reference document, as
for briefings), with what it has no API for from output/docx_xml.py. The instructions are
given in English and, from the catalogs, in the reviewer's language.
"""

from __future__ import annotations

import io
from pathlib import Path

import docx
from docx.document import Document as DocxDocument
from docx.shared import Emu, Pt
from docx.table import Table as DocxTable

from briefing import catalogs
from briefing.kinds import N_
from briefing.languages import LANGUAGES, SOURCE_LANGUAGE
from briefing.memory.interface import StoredEntry
from briefing.output import docx_xml
from briefing.output.docx_writer import (
    TABLE_STYLE,
    apply_language,
    fill_header_footer,
    normalize_zip,
    turn_sideways,
)
from briefing.review.binding import (
    FORMAT,
    ORIGIN_MACHINE,
    ORIGIN_NONE,
    ORIGIN_REVIEWED,
    ReviewDocument,
    target_digest,
)

HEADER = ("Unit", "English source", "Translation", "Origin", "Comment")
SHARES = (0.12, 0.29, 0.29, 0.15, 0.15)  # of the line's width: the sentences get the room
SMALL = Pt(8)  # the Unit and Origin columns: read by the tool more than by people
BINDING_KEYS = ("Format", "Facts file", "Language", "Sources digest", "Sentences")
SOURCE_TAG = LANGUAGES[SOURCE_LANGUAGE].tag  # the English column's language
CONFIRM_WORDS = ("ok", "confirmed", "approved")  # a comment cell saying only this confirms


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
    turn_sideways(doc)
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
