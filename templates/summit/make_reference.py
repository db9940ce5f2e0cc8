"""Rebuild reference.docx, the house style of the summit template.

Run `make reference` (python templates/summit/make_reference.py) after changing a style
here. An organisation with its own house style can instead open reference.docx in Word, change
the styles (keeping their names) and save it; the code never sets colours or sizes itself.

python-docx starts every new document from its own default template, a file saved by Word for
Mac 2011. Left as it is, every briefing would open in Word in "[Compatibility Mode]" and carry
that program's leftovers; `modernize` below turns it into a document of today's Word, and each
step says why.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

import docx
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml.ns import nsdecls, qn
from docx.shared import Cm, Pt, RGBColor

from briefing.output.docx_writer import normalize_zip
from briefing.output.docx_xml import (
    add_field,
    add_style,
    remove_style_paragraph_property,
    set_style_paragraph_property,
    set_theme_font_language,
)

NAVY = RGBColor(0x1F, 0x38, 0x64)
GREY = RGBColor(0x59, 0x59, 0x59)
DARK_RED = RGBColor(0x9C, 0x1C, 0x1C)
BODY_FONT = "Arial"  # every style's Latin, complex-script and (in English) East Asian font
LANGUAGE = "en-GB"  # the language the writer replaces with each document's own

# The fonts the parts name, as Word lists them in word/fontTable.xml: Arial (every style),
# Symbol (the bullets of numbering.xml), Courier (python-docx's Macro Text and HTML styles),
# and the East Asian fonts template.yaml names for Japanese and Korean, so that a reader
# without them picks a substitute of the right script (charset), kind (family) and shape
# (PANOSE). PANOSE and charset are the values Word writes for these fonts; the Unicode
# coverage (w:sig) is left out, being known only from the font files, which are not here.
FONT_TABLE_XML = f"""<w:fonts {nsdecls("w")}>
  <w:font w:name="Arial">
    <w:panose1 w:val="020B0604020202020204"/><w:charset w:val="00"/>
    <w:family w:val="swiss"/><w:pitch w:val="variable"/>
  </w:font>
  <w:font w:name="Symbol">
    <w:panose1 w:val="05050102010706020507"/><w:charset w:val="02"/>
    <w:family w:val="roman"/><w:pitch w:val="variable"/>
  </w:font>
  <w:font w:name="Courier">
    <w:panose1 w:val="02000500000000000000"/><w:charset w:val="00"/>
    <w:family w:val="modern"/><w:pitch w:val="fixed"/>
  </w:font>
  <w:font w:name="Yu Mincho">
    <w:altName w:val="游明朝"/><w:panose1 w:val="02020400000000000000"/>
    <w:charset w:val="80"/><w:family w:val="roman"/><w:pitch w:val="variable"/>
  </w:font>
  <w:font w:name="Yu Gothic">
    <w:altName w:val="游ゴシック"/><w:panose1 w:val="020B0400000000000000"/>
    <w:charset w:val="80"/><w:family w:val="swiss"/><w:pitch w:val="variable"/>
  </w:font>
  <w:font w:name="Batang">
    <w:altName w:val="바탕"/><w:panose1 w:val="02030600000101010101"/>
    <w:charset w:val="81"/><w:family w:val="roman"/><w:pitch w:val="variable"/>
  </w:font>
  <w:font w:name="Malgun Gothic">
    <w:altName w:val="맑은 고딕"/><w:panose1 w:val="020B0503020000020004"/>
    <w:charset w:val="81"/><w:family w:val="swiss"/><w:pitch w:val="variable"/>
  </w:font>
</w:fonts>"""

# What Word reads from docProps/app.xml: the program that wrote the file, nothing else. The
# statistics Word keeps there (pages, words, characters) would be stale the moment a briefing
# is written, so none are claimed; Word counts them again when it saves.
APP_XML = (
    '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"'
    ' xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
    "<Application>briefing</Application><DocSecurity>0</DocSecurity><ScaleCrop>false</ScaleCrop>"
    "<LinksUpToDate>false</LinksUpToDate><SharedDoc>false</SharedDoc>"
    "<HyperlinksChanged>false</HyperlinksChanged></Properties>"
)
# Word 2010's relationship to its copy of the styles (python-docx names no constant for it).
STYLES_WITH_EFFECTS = "http://schemas.microsoft.com/office/2007/relationships/stylesWithEffects"
THEME_FONT_ATTRIBUTES = ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme")
FONT_SLOTS = ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs")

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


def name_fonts_explicitly(styles_element) -> None:  # type: ignore[no-untyped-def]
    """Every w:rFonts of the styles part names its fonts, none through the theme.

    A theme attribute takes precedence over the named font beside it (ECMA-376 §17.3.2.26):
    python-docx's template gives Title and the headings both w:ascii="Arial" and
    w:asciiTheme="majorHAnsi", so Word set them in the theme's heading font (Calibri) and
    LibreOffice in its substitute for Calibri, wider than the Arial beside them. Every slot
    gets the house font: East Asian text in an English document too, as Word's own English
    template does (the writer names the Japanese and Korean fonts in their documents)."""
    for fonts in styles_element.iter(qn("w:rFonts")):
        if not any(fonts.get(qn(name)) is not None for name in THEME_FONT_ATTRIBUTES):
            continue  # a named font only (Courier for Macro Text): already explicit
        for name in THEME_FONT_ATTRIBUTES:
            fonts.attrib.pop(qn(name), None)
        for slot in FONT_SLOTS:
            fonts.set(qn(slot), fonts.get(qn(slot)) or BODY_FONT)


def modern_settings(document) -> None:  # type: ignore[no-untyped-def]
    """word/settings.xml as today's Word writes it."""
    settings = document.settings.element
    # Compatibility mode 15 (Word 2013 and later): 14 made Word open every briefing in
    # "[Compatibility Mode]" and lay it out as Word 2010 did.
    for setting in settings.iter(qn("w:compatSetting")):
        if setting.get(qn("w:name")) == "compatibilityMode":
            setting.set(qn("w:val"), "15")
    # w:percent is required by the schema; the template had only w:val="bestFit". Open at 100%.
    zoom = settings.find(qn("w:zoom"))
    zoom.attrib.clear()
    zoom.set(qn("w:percent"), "100")
    for name in (
        "w:proofState",  # claimed the spelling and grammar of text not yet written "clean"
        "w:savePreviewPicture",  # asked for the thumbnail that is no longer there
        "w:rsids",  # the editing sessions of the Word for Mac file the template was
    ):
        for element in settings.findall(qn(name)):
            settings.remove(element)
    # The language whose theme fonts Word would pick for East Asian text: none in English.
    # The writer sets each document's own (ja-JP, ko-KR); the template said ja-JP for all.
    set_theme_font_language(document, LANGUAGE, None)


def drop_stale_parts(document) -> None:  # type: ignore[no-untyped-def]
    """Remove the template's parts that today's Word does not write or that say nothing true.

    python-docx writes only the parts still related, and the content types of those, so
    dropping a relationship removes the part and its content-type override with it."""
    stale = (
        # Word 2010's copy of the styles (with its text effects): it lacked the ten styles
        # made here and its defaults differed from styles.xml, which Word reports as
        # unreadable content; Word 2013 and later no longer write it.
        STYLES_WITH_EFFECTS,
        # an empty bibliography store (Word's citation sources); briefings cite no sources
        # through it
        RT.CUSTOM_XML,
    )
    for rel_id, rel in list(document.part.rels.items()):
        if rel.reltype in stale:
            document.part.drop_rel(rel_id)
    # the template's picture of its own blank first page, which file managers would show as
    # the preview of every briefing
    package_rels = document.part.package.rels
    for rel_id, rel in list(package_rels.items()):
        if rel.reltype == RT.THUMBNAIL:
            package_rels.pop(rel_id)


def replace_members(data: bytes, replacements: dict[str, bytes]) -> bytes:
    """The zip `data` with the named members' content replaced (python-docx keeps the parts it
    has no class for, such as the font table and the app properties, as they were read)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            content = replacements.get(info.filename, source.read(info.filename))
            target.writestr(info, content)
    return out.getvalue()


def xml_part(xml: str) -> bytes:
    return b"<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n" + xml.encode()


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

    name_fonts_explicitly(styles.element)
    modern_settings(document)
    drop_stale_parts(document)

    buffer = io.BytesIO()
    document.save(buffer)
    modern = replace_members(
        buffer.getvalue(),
        {"docProps/app.xml": xml_part(APP_XML), "word/fontTable.xml": xml_part(FONT_TABLE_XML)},
    )
    return normalize_zip(modern)


if __name__ == "__main__":
    target = Path(__file__).with_name("reference.docx")
    target.write_bytes(build())
    print(f"wrote {target}")
