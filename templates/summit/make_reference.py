"""Rebuild reference.docx, the house style of the summit template.

Run `make reference` (python templates/summit/make_reference.py) after changing a style
here. An organisation with its own house style can instead open reference.docx in Word, change
the styles (keeping their names) and save it; the code never sets colours or sizes itself.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import docx
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import nsdecls
from docx.shared import Cm, Pt, RGBColor

from briefing.output.docx_writer import normalize_zip
from briefing.output.docx_xml import (
    add_field,
    add_style,
    remove_style_paragraph_property,
    set_style_paragraph_property,
)

NAVY = RGBColor(0x1F, 0x38, 0x64)
GREY = RGBColor(0x59, 0x59, 0x59)
DARK_RED = RGBColor(0x9C, 0x1C, 0x1C)
BODY_FONT = "Arial"

TABLE_STYLE_XML = f"""
<w:style {nsdecls("w")} w:type="table" w:customStyle="1" w:styleId="BriefingTable">
  <w:name w:val="Briefing Table"/>
  <w:basedOn w:val="TableNormal"/>
  <w:uiPriority w:val="59"/>
  <w:pPr><w:spacing w:before="40" w:after="40" w:line="240" w:lineRule="auto"/></w:pPr>
  <w:rPr><w:sz w:val="20"/><w:szCs w:val="20"/></w:rPr>
  <w:tblPr>
    <w:tblBorders>
      <w:top w:val="single" w:sz="12" w:space="0" w:color="1F3864"/>
      <w:bottom w:val="single" w:sz="12" w:space="0" w:color="1F3864"/>
      <w:insideH w:val="single" w:sz="4" w:space="0" w:color="A6A6A6"/>
    </w:tblBorders>
    <w:tblCellMar>
      <w:top w:w="57" w:type="dxa"/><w:left w:w="108" w:type="dxa"/>
      <w:bottom w:w="57" w:type="dxa"/><w:right w:w="108" w:type="dxa"/>
    </w:tblCellMar>
  </w:tblPr>
  <w:tblStylePr w:type="firstRow">
    <w:rPr><w:b/><w:bCs/><w:color w:val="FFFFFF"/></w:rPr>
    <w:tcPr><w:shd w:val="clear" w:color="auto" w:fill="1F3864"/></w:tcPr>
  </w:tblStylePr>
</w:style>
"""


def paragraph_style(document, name: str, base: str = "Normal"):  # type: ignore[no-untyped-def]
    styles = document.styles
    if name in [s.name for s in styles]:
        return styles[name]
    style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    style.base_style = styles[base]
    style.quick_style = True
    return style


def build() -> bytes:
    document = docx.Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    section.left_margin = section.right_margin = Cm(2.5)
    section.top_margin, section.bottom_margin = Cm(2.5), Cm(2.2)
    section.header_distance = section.footer_distance = Cm(1.2)

    styles = document.styles
    normal = styles["Normal"]
    normal.font.name = BODY_FONT
    normal.font.size = Pt(11)
    normal.paragraph_format.space_after = Pt(6)
    normal.paragraph_format.line_spacing = 1.15

    title = styles["Title"]
    title.font.name = BODY_FONT
    title.font.size = Pt(22)
    title.font.bold = True
    title.font.color.rgb = NAVY
    title.paragraph_format.space_after = Pt(4)
    remove_style_paragraph_property(title, "w:pBdr")

    subtitle = styles["Subtitle"]
    subtitle.font.name = BODY_FONT
    subtitle.font.size = Pt(13)
    subtitle.font.italic = False
    subtitle.font.color.rgb = GREY
    subtitle.paragraph_format.space_after = Pt(12)

    for level, size in ((1, 14), (2, 12), (3, 11)):
        heading = styles[f"Heading {level}"]
        heading.font.name = BODY_FONT
        heading.font.size = Pt(size)
        heading.font.bold = True
        heading.font.italic = False
        heading.font.color.rgb = NAVY
        heading.paragraph_format.space_before = Pt(14 if level == 1 else 10)
        heading.paragraph_format.space_after = Pt(4)
        heading.paragraph_format.keep_with_next = True

    bullet = styles["List Bullet"]
    bullet.paragraph_format.space_after = Pt(4)

    handling = paragraph_style(document, "Handling")
    handling.font.size = Pt(9)
    handling.font.bold = True
    handling.font.color.rgb = DARK_RED
    handling.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    handling.paragraph_format.space_after = Pt(18)

    meta = paragraph_style(document, "Meta")
    meta.font.size = Pt(10)
    meta.paragraph_format.space_after = Pt(2)

    note = paragraph_style(document, "Note")
    note.font.size = Pt(9)
    note.font.italic = True
    note.font.color.rgb = GREY

    source = paragraph_style(document, "Source")
    source.font.size = Pt(9.5)
    source.paragraph_format.left_indent = Cm(0.8)
    source.paragraph_format.first_line_indent = Cm(-0.8)
    source.paragraph_format.space_after = Pt(3)

    notice = paragraph_style(document, "Notice")
    notice.font.size = Pt(9.5)
    notice.paragraph_format.space_before = Pt(10)
    notice.paragraph_format.space_after = Pt(10)
    set_style_paragraph_property(
        notice,
        f"<w:pBdr {nsdecls('w')}>"
        '<w:top w:val="single" w:sz="6" w:space="4" w:color="BF9000"/>'
        '<w:left w:val="single" w:sz="6" w:space="4" w:color="BF9000"/>'
        '<w:bottom w:val="single" w:sz="6" w:space="4" w:color="BF9000"/>'
        '<w:right w:val="single" w:sz="6" w:space="4" w:color="BF9000"/>'
        "</w:pBdr>",
    )
    set_style_paragraph_property(
        notice, f'<w:shd {nsdecls("w")} w:val="clear" w:color="auto" w:fill="FFF2CC"/>'
    )

    add_style(document, TABLE_STYLE_XML)

    header_style = styles["Header"]
    header_style.font.size = Pt(8)
    header_style.font.bold = True
    header_style.font.color.rgb = DARK_RED
    header_paragraph = section.header.paragraphs[0]
    header_paragraph.style = header_style
    header_paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    header_paragraph.add_run("FOR OFFICIAL USE ONLY")

    footer_style = styles["Footer"]
    footer_style.font.size = Pt(8)
    footer_style.font.color.rgb = GREY
    footer_paragraph = section.footer.paragraphs[0]
    footer_paragraph.style = footer_style
    footer_paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer_paragraph.add_run("Page ")
    add_field(footer_paragraph, "PAGE")
    footer_paragraph.add_run(" of ")
    add_field(footer_paragraph, "NUMPAGES")

    properties = document.core_properties
    properties.title = "Briefing reference styles"
    properties.author = "briefing"
    properties.last_modified_by = "briefing"
    properties.created = properties.modified = dt.datetime(2026, 1, 1)
    properties.revision = 1
    properties.comments = "Styles for the summit briefing template; see make_reference.py."

    buffer = io.BytesIO()
    document.save(buffer)
    return normalize_zip(buffer.getvalue())


if __name__ == "__main__":
    target = Path(__file__).with_name("reference.docx")
    target.write_bytes(build())
    print(f"wrote {target}")
