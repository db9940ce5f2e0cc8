"""The summit template's reference document is a document of today's Word, and its script
rebuilds it byte for byte.

Word opens a compatibility-mode-14 file in "[Compatibility Mode]", prefers a stale
stylesWithEffects part to styles.xml, and lets a theme font attribute override the font a
style names; each test here reads the parts themselves, of the reference and of documents
written from it in every language.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from briefing.languages import LANGUAGES
from briefing.output.document import Document, Heading, Metadata, Paragraph, Run
from briefing.output.docx_writer import build_docx
from briefing.output.template import TEMPLATES_DIR

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"w": W}
SUMMIT = TEMPLATES_DIR / "summit"
REFERENCE = SUMMIT / "reference.docx"
FONTS = {"ja": ("Yu Mincho", "Yu Gothic"), "ko": ("Batang", "Malgun Gothic")}
THEME_ATTRIBUTES = {"ascii": "asciiTheme", "hAnsi": "hAnsiTheme", "eastAsia": "eastAsiaTheme"}
HEADING_STYLES = ("Title", "Subtitle", "Heading1", "Heading2", "Heading3")


def part(path: Path, name: str) -> etree._Element:
    with zipfile.ZipFile(path) as package:
        return etree.fromstring(package.read(name))


def members(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as package:
        return package.namelist()


def written(lang: str, tmp_path: Path) -> Path:
    """A small briefing in `lang`, written from the reference document as a build writes it."""
    document = Document(
        Metadata("Title", "Subject", LANGUAGES[lang].tag, "Author", dt.datetime(2026, 1, 13)),
        (Heading(0, (Run("Title"),)), Heading(1, (Run("Summary"),)), Paragraph((Run("Text"),))),
    )
    path = tmp_path / f"made.{lang}.docx"
    path.write_bytes(build_docx(document, REFERENCE, FONTS.get(lang)))
    return path


def resolved_font(styles: etree._Element, style_id: str, slot: str) -> tuple[str, str]:
    """("font", name) or ("theme", theme font) for one slot of a style's run fonts, as Word
    resolves it: the nearest style along w:basedOn that sets the slot, then the document
    defaults; within one w:rFonts a theme attribute wins over the named font (§17.3.2.26)."""
    by_id = {s.get(f"{{{W}}}styleId"): s for s in styles.iterfind("w:style", NS)}
    chain = []
    current = by_id.get(style_id)
    while current is not None:
        chain.append(current.find("w:rPr/w:rFonts", NS))
        based_on = current.find("w:basedOn", NS)
        current = by_id.get(based_on.get(f"{{{W}}}val")) if based_on is not None else None
    chain.append(styles.find("w:docDefaults/w:rPrDefault/w:rPr/w:rFonts", NS))
    for fonts in chain:
        if fonts is None:
            continue
        theme = fonts.get(f"{{{W}}}{THEME_ATTRIBUTES[slot]}")
        if theme is not None:
            return ("theme", theme)
        named = fonts.get(f"{{{W}}}{slot}")
        if named is not None:
            return ("font", named)
    return ("none", "")


def test_make_reference_rebuilds_the_committed_file() -> None:
    """`make reference` is the source of reference.docx: the script gives the same bytes."""
    spec = importlib.util.spec_from_file_location("make_reference", SUMMIT / "make_reference.py")
    assert spec is not None and spec.loader is not None
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)

    assert script.build() == REFERENCE.read_bytes()


def test_reference_is_in_compatibility_mode_15_with_valid_settings() -> None:
    settings = part(REFERENCE, "word/settings.xml")
    modes = [
        s.get(f"{{{W}}}val")
        for s in settings.iterfind("w:compat/w:compatSetting", NS)
        if s.get(f"{{{W}}}name") == "compatibilityMode"
    ]
    assert modes == ["15"]
    zoom = settings.find("w:zoom", NS)
    assert zoom is not None and zoom.get(f"{{{W}}}percent") == "100"
    assert settings.find("w:proofState", NS) is None


def test_reference_has_no_styles_with_effects_and_no_thumbnail() -> None:
    """Neither the parts nor anything that points at them: relationships, content types."""
    names = members(REFERENCE)
    assert "word/stylesWithEffects.xml" not in names
    assert not [n for n in names if n.startswith("docProps/thumbnail")]
    with zipfile.ZipFile(REFERENCE) as package:
        package_text = b"".join(
            package.read(n) for n in ("[Content_Types].xml", "_rels/.rels")
        ) + package.read("word/_rels/document.xml.rels")
    assert b"stylesWithEffects" not in package_text
    assert b"thumbnail" not in package_text


def test_app_properties_name_briefing_and_claim_no_counts() -> None:
    app = part(REFERENCE, "docProps/app.xml")
    children = {etree.QName(c).localname: c.text for c in app}
    assert children["Application"] == "briefing"
    for stale in ("AppVersion", "Pages", "Words", "Characters", "Lines", "Template"):
        assert stale not in children, stale


def test_font_table_holds_the_east_asian_fonts_with_their_script() -> None:
    fonts = {
        f.get(f"{{{W}}}name"): f
        for f in part(REFERENCE, "word/fontTable.xml").iterfind("w:font", NS)
    }
    shift_jis, hangul = "80", "81"
    for name, charset in (
        ("Yu Mincho", shift_jis),
        ("Yu Gothic", shift_jis),
        ("Batang", hangul),
        ("Malgun Gothic", hangul),
    ):
        assert name in fonts, name
        assert fonts[name].find("w:charset", NS).get(f"{{{W}}}val") == charset
        assert fonts[name].find("w:family", NS) is not None
        assert fonts[name].find("w:panose1", NS) is not None


def test_no_style_of_the_reference_uses_a_theme_font() -> None:
    styles = part(REFERENCE, "word/styles.xml")
    themed = [
        etree.tostring(fonts).decode()
        for fonts in styles.iter(f"{{{W}}}rFonts")
        if any(name.endswith("Theme") or name.endswith("theme") for name in fonts.attrib)
    ]
    assert themed == []


@pytest.mark.parametrize("lang", ["en", "ja", "ko"])
def test_title_and_headings_resolve_to_their_named_fonts(lang: str, tmp_path: Path) -> None:
    """In the document as written: Latin text in the style's Arial, East Asian text in the
    language's heading font (English: the Latin font, as Word's own English template does)."""
    styles = part(written(lang, tmp_path), "word/styles.xml")
    east_asian = FONTS[lang][1] if lang in FONTS else "Arial"
    for style in HEADING_STYLES:
        assert resolved_font(styles, style, "ascii") == ("font", "Arial"), style
        assert resolved_font(styles, style, "hAnsi") == ("font", "Arial"), style
        assert resolved_font(styles, style, "eastAsia") == ("font", east_asian), style
    body = FONTS[lang][0] if lang in FONTS else "Arial"
    assert resolved_font(styles, "Normal", "eastAsia") == ("font", body)


@pytest.mark.parametrize(("lang", "east_asian"), [("en", None), ("ja", "ja-JP"), ("ko", "ko-KR")])
def test_theme_font_language_is_the_documents_own(
    lang: str, east_asian: str | None, tmp_path: Path
) -> None:
    found = part(written(lang, tmp_path), "word/settings.xml").find("w:themeFontLang", NS)
    assert found is not None
    assert found.get(f"{{{W}}}val") == "en-GB"
    assert found.get(f"{{{W}}}eastAsia") == east_asian
