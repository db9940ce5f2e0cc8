"""Review in Word: the bilingual review document out, edited with python-docx or re-saved by
LibreOffice, and back in under the same rules as XLIFF."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn

from tests import review_support
from tests.review_support import (
    Workspace,
    memory_rows,
    notice_paragraphs,
    reviewed_rows,
)
from tests.support.documents import style_of
from tests.test_docx_schema import docx_problems

HEADER = ["Unit", "English source", "Translation", "Origin", "Comment"]

review_base = review_support.review_base  # the session's built example, a fixture
space = review_support.space  # a copy of it for each test, a fixture
review = review_support.review  # the copy's Word review document, a fixture


def unit_rows(path: Path) -> list[list[str]]:
    document = docx.Document(str(path))
    return [
        [cell.text for cell in row.cells] for table in document.tables[1:] for row in table.rows[1:]
    ]


def set_cell(path: Path, unit_index: int, column: int, text: str) -> list[str]:
    """Write `text` into one cell of the `unit_index`-th sentence row, as Word would save it."""
    document = docx.Document(str(path))
    rows = [row for table in document.tables[1:] for row in table.rows[1:]]
    cell = rows[unit_index].cells[column]
    cell.text = text
    document.save(str(path))
    return [c.text for c in rows[unit_index].cells]


def test_the_review_document_has_title_instructions_binding_and_section_tables(
    space: Workspace, review: Path
) -> None:
    document = docx.Document(str(review))
    paragraphs = [p for p in document.paragraphs if p.text]
    assert style_of(paragraphs[0]) == "Title" and "Review:" in paragraphs[0].text
    assert any("OK" in p.text and "Comment" in p.text for p in paragraphs)
    binding = {row.cells[0].text: row.cells[1].text for row in document.tables[0].rows}
    assert binding["Facts file"] == str(space.facts) and binding["Language"] == "ja"
    assert binding["Format"] == "briefing-review/2"
    headings = [p.text for p in document.paragraphs if style_of(p) == "Heading 1"]
    assert headings[:2] == ["Summary", "Background"]  # titles are names, not translated
    assert len(document.tables) == len(headings) + 1
    for table in document.tables[1:]:
        assert [c.text for c in table.rows[0].cells] == HEADER
    rows = unit_rows(review)
    assert rows[0][0].startswith("summary.text:1:")
    assert all(row[4] == "" for row in rows)
    assert all(row[3].startswith("machine\ntranslate-en_ja") for row in rows)
    defaults = document.styles.element.find(qn("w:docDefaults"))
    lang = defaults.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}/{qn('w:lang')}")
    assert lang.get(qn("w:eastAsia")) == "ja-JP"
    fonts = defaults.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}/{qn('w:rFonts')}")
    assert fonts.get(qn("w:eastAsia")) == "Yu Mincho"


def test_untouched_document_imports_nothing(space: Workspace, review: Path) -> None:
    other = space.root / "b.sqlite"
    result = space.import_(review, "--reviewer", "Sato", tm=other)
    assert result.returncode == 0, result.stderr
    assert "imported 0 units as reviewed" in result.stdout
    assert reviewed_rows(other) == set()


def test_an_edit_and_an_ok_become_reviewed_and_comments_are_kept(
    space: Workspace, review: Path
) -> None:
    edited = set_cell(review, 1, 2, "首脳会談（修正）")
    confirmed = set_cell(review, 3, 4, "OK")
    commented = set_cell(review, 6, 4, "Check the date against the readout.")
    result = space.import_(review, "--reviewer", "Sato")
    assert result.returncode == 0, result.stderr
    assert "imported 2 units as reviewed" in result.stdout
    assert "Check the date against the readout." in result.stdout and commented[0] in result.stdout
    assert reviewed_rows(space.tm) == {
        (edited[1], "ja", "reviewed", "首脳会談（修正）"),
        (confirmed[1], "ja", "reviewed", confirmed[2]),
    }
    import contextlib
    import sqlite3

    with contextlib.closing(sqlite3.connect(space.tm)) as connection:
        comments = set(
            connection.execute("SELECT segment, comment FROM entries WHERE comment != ''")
        )
    assert (commented[1], "Check the date against the readout.") in comments


def test_a_stale_row_refuses_the_document(space: Workspace, review: Path) -> None:
    row = set_cell(review, 1, 2, "直した訳。")
    text = space.facts.read_text(encoding="utf-8")
    words = " ".join(row[1].split()[:3])
    assert words in text
    space.facts.write_text(text.replace(words, "In another sentence,", 1), encoding="utf-8")
    before = memory_rows(space.tm)
    result = space.import_(review, "--reviewer", "Sato")
    assert result.returncode == 2 and "stale" in result.stderr and row[0] in result.stderr
    assert memory_rows(space.tm) == before


def test_a_huge_translation_cell_is_refused(space: Workspace, review: Path) -> None:
    row = set_cell(review, 4, 2, "長" * 20_000)
    result = space.import_(review, "--reviewer", "Sato")
    assert result.returncode == 2 and row[0] in result.stderr and "limit" in result.stderr
    assert reviewed_rows(space.tm) == set()


def test_a_word_document_that_is_not_a_review_document_is_refused(
    space: Workspace, tmp_path: Path
) -> None:
    other = tmp_path / "letter.docx"
    document = docx.Document()
    document.add_paragraph("Dear reviewer, the translations are attached.")
    document.save(str(other))
    result = space.import_(other, "--reviewer", "Sato")
    assert result.returncode == 2 and "not a review document" in result.stderr


@pytest.mark.readers
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_a_document_re_saved_by_libreoffice_still_imports(
    space: Workspace, review: Path, tmp_path: Path
) -> None:
    edited = set_cell(review, 1, 2, "首脳会談（LibreOffice）")
    set_cell(review, 5, 4, "A comment written in Word.")
    converted = tmp_path / "converted"
    profile = tmp_path / "lo-profile"
    subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{profile}", "--headless",
         "--convert-to", "docx", "--outdir", str(converted), str(review)],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    resaved = converted / review.name
    assert resaved.read_bytes() != review.read_bytes()
    result = space.import_(resaved, "--reviewer", "Sato")
    assert result.returncode == 0, result.stderr
    assert "imported 1 units as reviewed" in result.stdout
    assert "A comment written in Word." in result.stdout
    assert reviewed_rows(space.tm) == {(edited[1], "ja", "reviewed", "首脳会談（LibreOffice）")}


def test_confirming_every_row_in_word_lifts_the_notice(space: Workspace, review: Path) -> None:
    document = docx.Document(str(review))
    for table in document.tables[1:]:
        for row in table.rows[1:]:
            row.cells[4].text = "OK"
    document.save(str(review))
    result = space.import_(review, "--reviewer", "Sato")
    assert result.returncode == 0, result.stderr
    space.build()
    assert notice_paragraphs(space.document) == []


def test_the_review_document_is_landscape_with_whole_rows(review: Path) -> None:
    """Five columns need the page's width: pages are sideways, the table fills the line, and
    no sentence's row is split across two pages."""
    document = docx.Document(str(review))
    section = document.sections[0]
    width, height = section.page_width, section.page_height
    left, right = section.left_margin, section.right_margin
    assert width is not None and height is not None and left is not None and right is not None
    assert width > height
    line = width - left - right
    for table in document.tables[1:]:
        widths = [cell.width for cell in table.rows[0].cells]
        assert abs(sum(widths) - line) < line * 0.01
        assert widths[1] > 2 * widths[0] and widths[2] > 1.5 * widths[3]  # sentences get room
        for row in table.rows[1:]:
            properties = row._tr.trPr
            assert properties is not None and properties.find(qn("w:cantSplit")) is not None


def test_the_review_document_is_in_schema_order(review: Path) -> None:
    """Written through the same XML helpers as the briefings: Word opens it."""
    assert docx_problems(review) == []
