"""Comparing two document models as Word's tracked changes, and the XML written for them.

The models are built here by hand, small and explicit, so that each test says exactly which
change it makes; tests/test_changes.py runs the whole command on the Nara example.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from dataclasses import replace

from lxml import etree

from briefing.output import model_json
from briefing.output.document import (
    BulletList,
    Document,
    Heading,
    Metadata,
    Notice,
    Paragraph,
    Run,
    Table,
)
from briefing.output.docx_writer import build_docx, build_tracked_docx
from briefing.output.docx_xml import Revisions
from briefing.output.redline import (
    Redline,
    TrackedParagraph,
    TrackedRun,
    TrackedTable,
    compare,
    compare_runs,
    tokens,
)
from briefing.output.template import find_template

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
META = Metadata("日韓首脳会談", "説明資料", "ja-JP", "政策説明班", dt.datetime(2026, 1, 13))
STATEMENT = (
    "高市早苗内閣総理大臣は、奈良市で李在明大統領を迎えた。両首脳は関係の新たな時代を確認した。"
)
PEOPLE = (("高市早苗", "内閣総理大臣"), ("李在明", "大統領"))


def briefing(
    statement: str = STATEMENT,
    people: tuple[tuple[str, str], ...] = PEOPLE,
    status: str = "（予定）",
    marked: bool = False,
) -> Document:
    header = ((Run("氏名"),), (Run("役職"),))
    rows = tuple(((Run(name, marked=marked),), (Run(title),)) for name, title in people)
    return Document(
        META,
        (
            Heading(0, (Run("日韓首脳会談"),)),
            Heading(1, (Run("概要"),)),
            Paragraph((Run(statement), Run("[1]", superscript=True))),
            Heading(1, (Run("出席者"),)),
            Table(header, rows),
            BulletList(((Run("視察", bold=True), Run(status)), (Run("協議の継続"),))),
            Notice((Run("機械翻訳に関する注記"),)),
            Paragraph((Run("[1] 出典"),), "source"),
        ),
    )


def marks(redline: Redline) -> list[TrackedRun]:
    """Every run that carries a change, wherever it is."""
    found: list[TrackedRun] = []
    for block in redline.blocks:
        if isinstance(block, TrackedParagraph):
            runs = list(block.runs)
        else:
            rows = ([block.header] if block.header else []) + list(block.rows)
            runs = [run for row in rows for cell in row.cells for run in cell]
        found += [run for run in runs if run.change or run.was is not None]
    return found


def test_equal_documents_have_no_change() -> None:
    redline = compare(briefing(), briefing())
    assert not redline.changed
    assert marks(redline) == []


def test_one_character_corrected_in_japanese_is_one_small_mark() -> None:
    corrected = STATEMENT.replace("奈良市", "奈良県")
    redline = compare(briefing(), briefing(statement=corrected))
    changed = marks(redline)
    assert [(run.change, run.run.text) for run in changed] == [("del", "市"), ("ins", "県")]
    statement = next(
        b for b in redline.blocks if isinstance(b, TrackedParagraph) and b.style == "paragraph:body"
    )
    assert not statement.change  # the paragraph itself stays
    assert "".join(r.run.text for r in statement.runs if r.change != "del") == corrected + "[1]"


def test_english_is_compared_by_words() -> None:
    before = (Run("The two leaders had last met in October 2025 in Gyeongju."),)
    after = (Run("The two leaders had last met in November 2025 in Gyeongju."),)
    runs = compare_runs(before, after)
    assert [(r.change, r.run.text) for r in runs if r.change] == [
        ("del", "October"),
        ("ins", "November"),
    ]
    assert tokens("in October 2025,") == ["in", " ", "October", " ", "2025", ","]


def test_latin_names_inside_japanese_are_words_and_the_script_is_characters() -> None:
    assert tokens("Lee氏と会談") == ["Lee", "氏", "と", "会", "談"]
    assert tokens("이재명 대통령") == ["이", "재", "명", " ", "대", "통", "령"]


def test_a_participant_added_is_one_inserted_row() -> None:
    added = (*PEOPLE, ("茂木敏充", "外務大臣"))
    redline = compare(briefing(), briefing(people=added))
    (table,) = [b for b in redline.blocks if isinstance(b, TrackedTable)]
    assert [row.change for row in table.rows] == ["", "", "ins"]
    assert table.header is not None and not table.header.change
    inserted = table.rows[2]
    assert [[r.run.text for r in cell] for cell in inserted.cells] == [["茂木敏充"], ["外務大臣"]]
    assert all(r.change == "ins" for cell in inserted.cells for r in cell)
    assert len(marks(redline)) == 2  # the two cells of that row, nothing else


def test_a_participant_removed_is_one_deleted_row() -> None:
    redline = compare(briefing(), briefing(people=PEOPLE[:1]))
    (table,) = [b for b in redline.blocks if isinstance(b, TrackedTable)]
    assert [row.change for row in table.rows] == ["", "del"]


def test_a_status_label_removed_is_a_deletion_and_its_look_is_kept() -> None:
    redline = compare(briefing(status="（予定）"), briefing(status=""))
    assert [(r.change, r.run.text) for r in marks(redline)] == [("del", "（予定）")]


def test_a_name_newly_marked_is_a_formatting_change() -> None:
    redline = compare(briefing(), briefing(marked=True))
    changed = marks(redline)
    assert [(r.run.text, r.change, r.run.marked) for r in changed] == [
        ("高市早苗", "", True),
        ("李在明", "", True),
    ]
    assert all(r.was is not None and not r.was.marked for r in changed)


def test_paragraphs_inserted_and_deleted_carry_their_paragraph_mark() -> None:
    before = briefing()
    after = replace(
        before,
        blocks=(*before.blocks[:2], Paragraph((Run("新しい段落。"),)), *before.blocks[3:]),
    )
    redline = compare(before, after)
    changes = [
        (b.change, b.runs[0].run.text)
        for b in redline.blocks
        if isinstance(b, TrackedParagraph) and b.change
    ]
    assert sorted(changes) == [("del", STATEMENT), ("ins", "新しい段落。")]


def test_a_rewritten_paragraph_is_not_a_comb_of_marks() -> None:
    before = (Run("Both sides will expand practical cooperation on artificial intelligence."),)
    after = (Run("The two governments agreed to study export controls for chips."),)
    runs = compare_runs(before, after)
    assert [(r.change, r.run.text[-6:]) for r in runs] == [
        ("del", "igence"),
        ("ins", " chips"),
        ("", "."),
    ]


def test_model_json_reads_back_what_it_wrote() -> None:
    document = briefing(marked=True)
    assert model_json.decode(model_json.encode(document)) == document


def test_model_json_ignores_fields_a_later_briefing_added() -> None:
    data = model_json.encode(briefing())
    data["metadata"]["reading_time"] = 5
    data["blocks"][0]["anchor"] = "top"
    assert model_json.decode(data) == briefing()


def _document_xml(data: bytes) -> etree._Element:
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        return etree.fromstring(package.read("word/document.xml"))


def test_the_revisions_are_written_as_word_writes_them() -> None:
    before, after = (
        briefing(),
        briefing(
            statement=STATEMENT.replace("奈良市", "奈良県"),
            people=(*PEOPLE, ("茂木敏充", "外務大臣")),
            status="",
            marked=True,
        ),
    )
    when = dt.datetime(2026, 1, 13, 6, 2, tzinfo=dt.timezone.utc)
    reference = find_template("summit").reference
    current = build_docx(after, reference, None)
    redline = compare(before, after)
    data = build_tracked_docx(redline, current, reference, None, Revisions("班", when))
    body = _document_xml(data)
    revisions = body.findall(f".//{W}ins") + body.findall(f".//{W}del")
    revisions += body.findall(f".//{W}rPrChange")
    ids = [element.get(f"{W}id") for element in revisions]
    assert len(ids) == len(set(ids)) and ids  # every mark its own id
    assert {element.get(f"{W}author") for element in revisions} == {"班"}
    assert {element.get(f"{W}date") for element in revisions} == {"2026-01-13T06:02:00Z"}
    deleted = ["".join(e.itertext()) for e in body.iter(f"{W}del") if e.getparent().tag == f"{W}p"]
    assert deleted == ["市", "（予定）"]
    assert body.findall(f".//{W}del//{W}t") == []  # deleted text is w:delText
    inserted_rows = body.findall(f".//{W}tr/{W}trPr/{W}ins")
    assert len(inserted_rows) == 1
    assert len(body.findall(f".//{W}rPr/{W}rPrChange")) == 2  # the two names newly marked
    # the same models give the same bytes
    again = build_tracked_docx(redline, current, reference, None, Revisions("班", when))
    assert again == data
