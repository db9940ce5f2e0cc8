"""A Word review document read as its reviewer left it: with Track Changes on (every change
read as accepted), hidden text, fields, content controls, wrappers and symbols, merged cells and
characters a document must not hold. Each file is a real export of the command, edited in its
XML the way Word saves such edits (and re-saved by LibreOffice where that is the point)."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import sqlite3
import subprocess
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import docx
import pytest
from docx.document import Document as DocxDocument
from docx.enum.style import WD_STYLE_TYPE
from docx.oxml.ns import qn
from docx.table import _Row
from lxml import etree

from tests import review_support
from tests.review_support import Workspace, memory_rows, reviewed_rows

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
XLIFF = "urn:oasis:names:tc:xliff:document:1.2"
TRANSLATION, ORIGIN, COMMENT = 2, 3, 4
DATE = 'w:author="Sato Hanako" w:date="2026-01-14T09:00:00Z"'

review_base = review_support.review_base  # the session's built example, a fixture
space = review_support.space  # a copy of it for each test, a fixture
review = review_support.review  # the copy's Word review document, a fixture


def unit_rows(path: Path) -> tuple[DocxDocument, list[_Row]]:
    """The document and its sentence rows (every table's but the binding's, less headers)."""
    document = docx.Document(str(path))
    return document, [row for table in document.tables[1:] for row in table.rows[1:]]


def row_texts(path: Path, index: int) -> list[str]:
    """(unit id, source, translation) of a sentence row as exported."""
    _, rows = unit_rows(path)
    return [rows[index].cells[c].text for c in range(3)]


def set_cell_xml(path: Path, index: int, column: int, body: str) -> list[str]:
    """Replace the content of one cell of the `index`-th sentence row with `body` (paragraphs,
    content controls: the cell's children as Word writes them); returns the row as exported."""
    before = row_texts(path, index)
    document, rows = unit_rows(path)
    cell = rows[index]._tr.tc_lst[column]
    for child in list(cell):
        if child.tag != qn("w:tcPr"):
            cell.remove(child)
    wrapper = etree.fromstring(f'<w:body xmlns:w="{W_NS}">{body}</w:body>')
    for child in list(wrapper):
        cell.append(child)
    document.save(str(path))
    return before


def para(*runs: str) -> str:
    return f"<w:p>{''.join(runs)}</w:p>"


def run(text: str, properties: str = "") -> str:
    rpr = f"<w:rPr>{properties}</w:rPr>" if properties else ""
    return f'<w:r>{rpr}<w:t xml:space="preserve">{text}</w:t></w:r>'


def inserted(*runs: str, ident: int = 901) -> str:
    return f'<w:ins w:id="{ident}" {DATE}>{"".join(runs)}</w:ins>'


def deleted(text: str, ident: int = 902) -> str:
    return (
        f'<w:del w:id="{ident}" {DATE}><w:r><w:delText xml:space="preserve">{text}'
        "</w:delText></w:r></w:del>"
    )


def imported(space: Workspace, review: Path) -> set[tuple[str, str]]:
    result = space.import_(review, "--reviewer", "Sato")
    assert result.returncode == 0, result.stderr
    return {(row[0], row[3]) for row in reviewed_rows(space.tm)}


# -- tracked changes -----------------------------------------------------------------------


def test_a_translation_replaced_with_track_changes_on_is_stored_as_accepted(
    space: Workspace, review: Path
) -> None:
    row = set_cell_xml(
        review, 1, TRANSLATION, para(deleted("machine text"), inserted(run("首脳会談の訳。")))
    )
    result = space.import_(review, "--reviewer", "Sato")
    assert result.returncode == 0, result.stderr
    assert "imported 1 units as reviewed" in result.stdout and "left empty" not in result.stdout
    assert "1 translation had tracked changes; read as accepted" in result.stdout
    assert reviewed_rows(space.tm) == {(row[1], "ja", "reviewed", "首脳会談の訳。")}


def test_a_partial_tracked_edit_is_stored_as_the_accepted_text(
    space: Workspace, review: Path
) -> None:
    row = set_cell_xml(
        review,
        2,
        TRANSLATION,
        para(run("両首脳は"), deleted("古い"), inserted(run("新しい")), run("関係を確認した。")),
    )
    assert imported(space, review) == {(row[1], "両首脳は新しい関係を確認した。")}


def test_a_moved_text_counts_where_it_went_and_a_deleted_paragraph_mark_joins(
    space: Workspace, review: Path
) -> None:
    moved_from = f'<w:moveFrom w:id="903" {DATE}>{run("移動")}</w:moveFrom>'
    moved_to = f'<w:moveTo w:id="904" {DATE}>{run("移動")}</w:moveTo>'
    joined = f'<w:pPr><w:rPr><w:del w:id="905" {DATE}/></w:rPr></w:pPr>'
    row = set_cell_xml(
        review,
        3,
        TRANSLATION,
        f"<w:p>{joined}{moved_from}{run('前半')}</w:p>" + para(run("後半"), moved_to, run("。")),
    )
    assert imported(space, review) == {(row[1], "前半後半移動。")}


def test_an_ok_typed_with_track_changes_on_confirms_and_a_deleted_row_is_left_out(
    space: Workspace, review: Path
) -> None:
    confirmed = set_cell_xml(review, 4, COMMENT, para(inserted(run("OK"))))
    dropped = set_cell_xml(review, 5, TRANSLATION, para(run("削除された行の訳。")))
    document, rows = unit_rows(review)
    properties = rows[5]._tr.get_or_add_trPr()
    properties.append(etree.fromstring(f'<w:del xmlns:w="{W_NS}" w:id="906" {DATE}/>'))
    document.save(str(review))
    stored = imported(space, review)
    assert (confirmed[1], confirmed[2]) in stored
    assert all(segment != dropped[1] for segment, _ in stored)


# -- hidden text, fields, content controls, wrappers ---------------------------------------


@pytest.mark.parametrize("flag", ["<w:vanish/>", "<w:specVanish/>", "<w:webHidden/>"])
def test_hidden_text_is_not_part_of_the_translation(
    space: Workspace, review: Path, flag: str
) -> None:
    shown = run("これも見える。", '<w:vanish w:val="0"/>')  # hiding turned off again
    row = set_cell_xml(
        review, 1, TRANSLATION, para(run("見える訳、"), run("隠された指示。", flag), shown)
    )
    assert imported(space, review) == {(row[1], "見える訳、これも見える。")}


def test_text_hidden_by_a_style_is_not_part_of_the_translation(
    space: Workspace, review: Path
) -> None:
    """Hidden by a character style (based on another that hides), or by a paragraph style."""
    document = docx.Document(str(review))
    hiding = document.styles.add_style("Hiding", WD_STYLE_TYPE.CHARACTER)
    hiding.font.hidden = True
    note = document.styles.add_style("Reviewer note", WD_STYLE_TYPE.CHARACTER)
    note.base_style = hiding
    aside = document.styles.add_style("Aside", WD_STYLE_TYPE.PARAGRAPH)
    aside.font.hidden = True
    document.save(str(review))
    row = set_cell_xml(
        review,
        1,
        TRANSLATION,
        para(run("見える訳。"), run("注記。", f'<w:rStyle w:val="{note.style_id}"/>'))
        + '<w:p><w:pPr><w:pStyle w:val="Aside"/></w:pPr>'
        + run("隠れた段落。")
        + run("見える続き。", '<w:vanish w:val="0"/>')
        + "</w:p>",
    )
    assert imported(space, review) == {(row[1], "見える訳。 見える続き。")}


def test_a_simple_field_counts_as_its_result(space: Workspace, review: Path) -> None:
    field = f'<w:fldSimple w:instr=" DATE \\@ yyyy/MM/dd ">{run("2026/01/13")}</w:fldSimple>'
    row = set_cell_xml(review, 1, TRANSLATION, para(run("日付は"), field, run("です。")))
    assert imported(space, review) == {(row[1], "日付は2026/01/13です。")}


def test_a_complex_field_inserted_with_tracking_counts_as_its_result(
    space: Workspace, review: Path
) -> None:
    def char(kind: str) -> str:
        return f'<w:r><w:fldChar w:fldCharType="{kind}"/></w:r>'

    field = inserted(
        char("begin"),
        '<w:r><w:instrText xml:space="preserve"> DATE \\@ "yyyy/MM/dd" </w:instrText></w:r>',
        char("separate"),
        run("2026/01/13"),
        char("end"),
    )
    row = set_cell_xml(review, 1, TRANSLATION, para(run("日付は"), field, run("です。")))
    assert imported(space, review) == {(row[1], "日付は2026/01/13です。")}


def test_content_controls_count_as_their_content_not_their_placeholder(
    space: Workspace, review: Path
) -> None:
    control = (
        "<w:sdt><w:sdtPr><w:date/></w:sdtPr><w:sdtContent>"
        f"{run('2026/01/13')}</w:sdtContent></w:sdt>"
    )
    placeholder = (
        "<w:sdt><w:sdtPr><w:showingPlcHdr/></w:sdtPr><w:sdtContent>"
        f"{run('ここをクリックして入力')}</w:sdtContent></w:sdt>"
    )
    inline = set_cell_xml(
        review, 1, TRANSLATION, para(run("日付は"), control, placeholder, run("です。"))
    )
    block = set_cell_xml(
        review,
        2,
        TRANSLATION,
        f"<w:sdt><w:sdtContent>{para(run('ブロックの訳。'))}</w:sdtContent></w:sdt><w:p/>",
    )
    assert imported(space, review) == {
        (inline[1], "日付は2026/01/13です。"),
        (block[1], "ブロックの訳。"),
    }


def test_wrappers_tabs_breaks_hyphens_symbols_and_ruby_read_as_shown(
    space: Workspace, review: Path
) -> None:
    ruby = (
        "<w:r><w:ruby><w:rubyPr/><w:rt>"
        f"{run('なら')}</w:rt><w:rubyBase>{run('奈良')}</w:rubyBase></w:ruby></w:r>"
    )
    row = set_cell_xml(
        review,
        1,
        TRANSLATION,
        para(
            f'<w:smartTag w:uri="urn:x" w:element="place">{ruby}</w:smartTag>',
            f'<w:customXml w:element="note">{run("で")}</w:customXml>',
            f'<w:hyperlink w:anchor="x">{run("会談")}</w:hyperlink>',
            '<w:r><w:sym w:font="Cambria Math" w:char="2192"/><w:t>日韓</w:t>'
            "<w:noBreakHyphen/><w:t>協力</w:t><w:tab/><w:t>A</w:t><w:br/><w:t>B。</w:t></w:r>",
        ),
    )
    assert imported(space, review) == {(row[1], "奈良で会談→日韓-協力 A B。")}


def test_a_symbol_font_character_refuses_the_row(space: Workspace, review: Path) -> None:
    row = set_cell_xml(
        review,
        1,
        TRANSLATION,
        para(run("訳"), '<w:r><w:sym w:font="Wingdings" w:char="F0E0"/></w:r>'),
    )
    before = memory_rows(space.tm)
    result = space.import_(review, "--reviewer", "Sato")
    assert result.returncode == 2, result.stdout
    assert row[0] in result.stderr and "Wingdings" in result.stderr
    assert "Type the character itself" in result.stderr
    assert memory_rows(space.tm) == before


# -- merged cells --------------------------------------------------------------------------


def test_a_translation_merged_with_its_origin_refuses_the_file(
    space: Workspace, review: Path
) -> None:
    set_cell_xml(review, 1, TRANSLATION, para(run("直した訳。")))
    document, rows = unit_rows(review)
    cells = rows[1]._tr.tc_lst
    translation, origin = cells[TRANSLATION], cells[ORIGIN]
    for paragraph in origin.findall(qn("w:p")):
        translation.append(paragraph)  # Word moves the merged cell's text into the first
    origin.getparent().remove(origin)
    translation.get_or_add_tcPr().append(
        etree.fromstring(f'<w:gridSpan xmlns:w="{W_NS}" w:val="2"/>')
    )
    document.save(str(review))
    before = memory_rows(space.tm)
    result = space.import_(review, "--reviewer", "Sato")
    assert result.returncode == 2, result.stdout
    assert "cells of the row are merged" in result.stderr and "Split Cells" in result.stderr
    assert "row 3" in result.stderr and str(review) in result.stderr
    assert memory_rows(space.tm) == before


def test_translations_merged_across_rows_refuse_the_file(space: Workspace, review: Path) -> None:
    document, rows = unit_rows(review)
    first, second = rows[1]._tr.tc_lst[TRANSLATION], rows[2]._tr.tc_lst[TRANSLATION]
    first.get_or_add_tcPr().append(
        etree.fromstring(f'<w:vMerge xmlns:w="{W_NS}" w:val="restart"/>')
    )
    second.get_or_add_tcPr().append(etree.fromstring(f'<w:vMerge xmlns:w="{W_NS}"/>'))
    document.save(str(review))
    result = space.import_(review, "--reviewer", "Sato")
    assert result.returncode == 2 and "cells of the row are merged" in result.stderr
    assert reviewed_rows(space.tm) == set()


# -- characters a document must not hold ----------------------------------------------------


def test_bidirectional_controls_in_a_translation_never_reach_the_memory(
    space: Workspace, review: Path
) -> None:
    row = set_cell_xml(review, 1, TRANSLATION, para(run("訳文\u202e。"), run("\u2066続き\u2069")))
    set_cell_xml(review, 1, COMMENT, para(run("\u202eCheck the date.")))
    assert imported(space, review) == {(row[1], "訳文。続き")}
    with contextlib.closing(sqlite3.connect(space.tm)) as connection:
        comments = set(connection.execute("SELECT comment FROM entries WHERE comment != ''"))
    assert comments == {("Check the date.",)}


def test_bidirectional_controls_in_an_xliff_target_never_reach_the_memory(
    space: Workspace,
) -> None:
    exported = space.root / "nara.ja.xlf"
    assert space.export(exported).returncode == 0
    tree = ET.parse(exported)
    ET.register_namespace("", XLIFF)
    unit = next(tree.getroot().iter(f"{{{XLIFF}}}trans-unit"))
    target = unit.find(f"{{{XLIFF}}}target")
    assert target is not None
    target.text = "\u2067訳文\u202b。\u2069"
    tree.write(exported, encoding="utf-8", xml_declaration=True)
    segment = unit.findtext(f"{{{XLIFF}}}source")
    assert imported(space, exported) == {(segment, "訳文。")}


def test_a_bidirectional_control_alone_is_no_edit(space: Workspace, review: Path) -> None:
    row = row_texts(review, 1)
    set_cell_xml(review, 1, TRANSLATION, para(run("\u202e" + row[2])))
    result = space.import_(review, "--reviewer", "Sato")
    assert result.returncode == 0, result.stderr
    assert "imported 0 units as reviewed" in result.stdout
    assert reviewed_rows(space.tm) == set()


# -- LibreOffice ---------------------------------------------------------------------------


@pytest.mark.readers
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_tracked_changes_re_saved_by_libreoffice_still_import_as_accepted(
    space: Workspace, review: Path, tmp_path: Path
) -> None:
    row = set_cell_xml(
        review,
        1,
        TRANSLATION,
        para(run("両首脳は"), deleted("古い"), inserted(run("新しい")), run("関係を確認した。")),
    )
    converted, profile = tmp_path / "converted", tmp_path / "lo-profile"
    subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{profile}", "--headless",
         "--convert-to", "docx", "--outdir", str(converted), str(review)],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    resaved = converted / review.name
    with zipfile.ZipFile(resaved) as archive:
        body = archive.read("word/document.xml").decode("utf-8")
    assert "<w:ins " in body and "<w:del " in body  # LibreOffice kept the changes as changes
    assert imported(space, resaved) == {(row[1], "両首脳は新しい関係を確認した。")}


def test_the_instructions_say_tracked_changes_are_read_as_accepted_in_both_languages(
    review: Path,
) -> None:
    paragraphs = [p.text for p in docx.Document(str(review)).paragraphs]
    assert any("read as if you had accepted every change" in p for p in paragraphs)
    assert any("すべての変更を承諾したものとして読み込まれます" in p for p in paragraphs)
    assert any("Translation列の文を書き換えて" in p for p in paragraphs)  # every rule, in Japanese
    binding = docx.Document(str(review)).tables[0]
    assert binding.rows[0].cells[1].text == "briefing-review/2"


EDIT_MACRO = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE script:module PUBLIC "-//OpenOffice.org//DTD OfficeDocument 1.0//EN" "module.dtd">
<script:module xmlns:script="http://openoffice.org/2000/script" script:name="Module1"
 script:language="StarBasic">
Sub Edit
  Dim load(0) As New com.sun.star.beans.PropertyValue
  load(0).Name = "Hidden"
  load(0).Value = True
  doc = StarDesktop.loadComponentFromURL(ConvertToURL(Environ("REVIEW_IN")), "_blank", 0, load())
  doc.RecordChanges = True
  cell = doc.getTextTables().getByIndex(1).getCellByName(Environ("REVIEW_CELL"))
  cursor = cell.createTextCursor()
  cursor.gotoStart(False)
  cursor.gotoEnd(True)
  cursor.setString(Environ("REVIEW_TEXT"))
  Dim save(0) As New com.sun.star.beans.PropertyValue
  save(0).Name = "FilterName"
  save(0).Value = "MS Word 2007 XML"
  doc.storeToURL(ConvertToURL(Environ("REVIEW_OUT")), save())
  doc.close(True)
  StarDesktop.terminate()
End Sub
</script:module>
"""


def soffice(profile: Path, *args: str, env: dict[str, str] | None = None) -> None:
    """LibreOffice headless in its own process group, which dies with the test on a timeout."""
    command = ["soffice", f"-env:UserInstallation=file://{profile}", "--headless", *args]
    process = subprocess.Popen(
        command,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
        env={**os.environ, **(env or {})},
    )
    try:
        assert process.wait(timeout=180) == 0
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


@pytest.mark.readers
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_a_translation_replaced_in_libreoffice_with_changes_recorded_imports_as_accepted(
    space: Workspace, review: Path, tmp_path: Path
) -> None:
    """LibreOffice itself records the edit (Edit > Track Changes > Record), through a Basic
    macro that replaces the second sentence's translation and saves as Word."""
    profile = tmp_path / "lo-profile"
    soffice(profile, "--convert-to", "docx", "--outdir", str(tmp_path / "first"), str(review))
    library = profile / "user" / "basic" / "Standard"
    assert (library / "script.xlb").is_file()  # the profile's own Basic library, Module1 in it
    (library / "Module1.xba").write_text(EDIT_MACRO, encoding="utf-8")
    row = row_texts(review, 1)
    edited = tmp_path / "edited.docx"
    soffice(
        profile,
        "vnd.sun.star.script:Standard.Module1.Edit?language=Basic&location=application",
        env={
            "REVIEW_IN": str(review),
            "REVIEW_OUT": str(edited),
            "REVIEW_CELL": "C3",
            "REVIEW_TEXT": "首脳会談の新しい訳。",
        },
    )
    with zipfile.ZipFile(edited) as archive:
        body = archive.read("word/document.xml").decode("utf-8")
    assert "<w:ins " in body and "<w:delText>" in body  # recorded as a change, not applied
    result = space.import_(edited, "--reviewer", "Sato")
    assert result.returncode == 0, result.stderr
    assert "1 translation had tracked changes; read as accepted" in result.stdout
    assert reviewed_rows(space.tm) == {(row[1], "ja", "reviewed", "首脳会談の新しい訳。")}


def test_a_table_wrapped_in_a_content_control_is_read_with_its_corrections(
    space: Workspace, review: Path
) -> None:
    """Word wraps a table in a content control when one is added around it; the corrections
    inside it were not seen at all (python-docx lists only the body's own tables)."""
    row = set_cell_xml(review, 1, TRANSLATION, para(run("包まれた表の訳。")))
    document = docx.Document(str(review))
    before = len(document.tables)
    table = document.tables[1]._tbl
    sdt = etree.SubElement(table.getparent(), qn("w:sdt"))
    table.addprevious(sdt)
    content = etree.SubElement(sdt, qn("w:sdtContent"))
    content.append(table)  # moves the table into the control
    document.save(str(review))
    assert len(docx.Document(str(review)).tables) == before - 1  # python-docx no longer sees it
    result = space.import_(review, "--reviewer", "Sato")
    assert result.returncode == 0, result.stderr
    assert reviewed_rows(space.tm) == {(row[1], "ja", "reviewed", "包まれた表の訳。")}


def test_a_field_that_never_ends_refuses_the_row_instead_of_hiding_the_rest(
    space: Workspace, review: Path
) -> None:
    """An unclosed complex field would swallow every character after it: the correction would
    be stored cut short, or as empty."""
    begin = '<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
    instruction = '<w:r><w:instrText xml:space="preserve"> DATE </w:instrText></w:r>'
    separate = '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
    row = set_cell_xml(
        review,
        1,
        TRANSLATION,
        para(run("日付は"), begin, instruction, separate, run("2026/01/13"), run("です。")),
    )
    before = memory_rows(space.tm)
    result = space.import_(review, "--reviewer", "Sato")
    assert result.returncode == 2, result.stdout
    assert row[0] in result.stderr and "a field that begins and never ends" in result.stderr
    assert "Ctrl+Shift+F9" in result.stderr
    assert memory_rows(space.tm) == before
