"""The parallel layout read back with python-docx: a document a reader can use side by side.

Built from the facts file with every field filled (nine participants, long statements) in
English–Japanese and English–Korean with the copy packages. What is checked is the structure
Word lays out: the title once per language, English first as in the columns; headings in the
columns' order; the participants table as one table whose rows hold the English cells and the
translated cells of the same participant; header rows repeated on every page; no row split
across a page; landscape pages.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import docx
import pytest
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT
from docx.oxml.ns import qn
from docx.table import Table as DocxTable

from briefing.facts.load import load_facts
from tests.conftest import ENGLISH_OUTLINE, FIXTURES, GLOSSARY, ROOT, Result, run_cli

EVERY_FIELD = FIXTURES / "events" / "every-field.yaml"
TARGETS = ("ja", "ko")
LANGUAGE_LABELS = {"ja": ("英語", "日本語"), "ko": ("영어", "한국어")}


def build_beside_english(
    work: Path, facts: Path, languages: str, models_dir: Path, *options: str | Path
) -> tuple[Result, Path]:
    """`briefing build` of `facts` in `languages`, each beside English too, into WORK/out with
    its own memory and home in `work`: the result and the output folder."""
    out = work / "out"
    result = run_cli(
        "build", facts, "--lang", languages, "--layout", "both", *options, "--out", out,
        "--models-dir", models_dir, "--tm", work / "memory.sqlite",
        cwd=work, env={"HOME": str(work)},
    )  # fmt: skip
    return result, out


@dataclass(frozen=True)
class Parallel:
    documents: dict[str, Path]  # target language → the en-LANG document
    singles: dict[str, Path]  # language → the single document of the same build


@pytest.fixture(scope="module")
def parallel(copy_models_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Parallel:
    work = tmp_path_factory.mktemp("parallel")
    result, out = build_beside_english(
        work, EVERY_FIELD, "en,ja,ko", copy_models_dir, "--glossary", GLOSSARY
    )
    assert result.returncode == 0, result.stderr
    stem = EVERY_FIELD.stem
    return Parallel(
        {lang: out / f"{stem}.en-{lang}.docx" for lang in TARGETS},
        {lang: out / f"{stem}.{lang}.docx" for lang in ("en", *TARGETS)},
    )


def styled(doc: DocxDocument, style: str) -> list[str]:
    return [p.text for p in doc.paragraphs if p.style is not None and p.style.name == style]


def row_flags(table: DocxTable, flag: str) -> list[bool]:
    return [
        row._tr.trPr is not None and row._tr.trPr.find(qn(f"w:{flag}")) is not None
        for row in table.rows
    ]


def single_participants(parallel: Parallel, lang: str) -> DocxTable:
    """The participants table of the single document in `lang` (its first table)."""
    return docx.Document(str(parallel.singles[lang])).tables[0]


def participants_table(doc: DocxDocument) -> DocxTable:
    [table] = [t for t in doc.tables if len(t.columns) == 8]
    return table


@pytest.mark.parametrize("lang", TARGETS)
def test_the_title_is_given_once_in_each_language_english_first(
    parallel: Parallel, lang: str
) -> None:
    doc = docx.Document(str(parallel.documents[lang]))
    english_title = styled(docx.Document(str(parallel.singles["en"])), "Title")
    target_title = styled(docx.Document(str(parallel.singles[lang])), "Title")

    assert styled(doc, "Title") == english_title + target_title
    assert english_title != target_title
    body = "\n".join(p.text for p in doc.paragraphs)
    cells = "\n".join(c.text for t in doc.tables for r in t.rows for c in r.cells)
    assert body.count(english_title[0]) == 1 and english_title[0] not in cells


@pytest.mark.parametrize("lang", TARGETS)
def test_section_headings_name_english_first_as_the_columns_do(
    parallel: Parallel, lang: str
) -> None:
    doc = docx.Document(str(parallel.documents[lang]))
    target = styled(docx.Document(str(parallel.singles[lang])), "Heading 1")
    headings = styled(doc, "Heading 1")

    assert headings == [f"{en} / {t}" for en, t in zip(ENGLISH_OUTLINE, target, strict=True)]
    for table in doc.tables:
        assert table.rows[0].cells[0].text == LANGUAGE_LABELS[lang][0]  # English column first


@pytest.mark.parametrize("lang", TARGETS)
def test_participants_are_one_table_with_each_participant_in_one_row(
    parallel: Parallel, lang: str
) -> None:
    """Each row: the participant's row of the English document, then the same participant's
    row of the translated document, cell for cell."""
    table = participants_table(docx.Document(str(parallel.documents[lang])))
    texts = [[cell.text for cell in row.cells] for row in table.rows]
    english = [[c.text for c in r.cells] for r in single_participants(parallel, "en").rows]
    target = [[c.text for c in r.cells] for r in single_participants(parallel, lang).rows]

    # Two header rows: the languages over their four columns, then the column headings.
    english_label, target_label = LANGUAGE_LABELS[lang]
    assert texts[0] == [english_label] * 4 + [target_label] * 4
    assert texts[1] == english[0] + target[0] == ["Name", "Title", "Country", "Role", *target[0]]
    assert row_flags(table, "tblHeader") == [True, True] + [False] * (len(texts) - 2)
    # Then one row per participant, nine of them, with the English and translated cells.
    assert len(texts) - 2 == len(english) - 1 == 9
    assert texts[2:] == [en + tr for en, tr in zip(english[1:], target[1:], strict=True)]
    assert texts[2][0] == "Sanae Takaichi" and texts[2][4] in ("高市早苗", "다카이치 사나에")


@pytest.mark.parametrize("lang", TARGETS)
def test_no_row_of_any_table_breaks_across_a_page(parallel: Parallel, lang: str) -> None:
    doc = docx.Document(str(parallel.documents[lang]))
    assert len(doc.tables) >= 8
    for table in doc.tables:
        assert all(row_flags(table, "cantSplit")), table.rows[0].cells[0].text
        assert row_flags(table, "tblHeader")[0]  # and its header repeats on every page


@pytest.mark.parametrize("lang", TARGETS)
def test_statements_stand_beside_their_translation_in_two_columns(
    parallel: Parallel, lang: str
) -> None:
    doc = docx.Document(str(parallel.documents[lang]))
    facts, _ = load_facts(EVERY_FIELD)
    rows = [
        [cell.text for cell in row.cells]
        for table in doc.tables
        if len(table.columns) == 2
        for row in table.rows
    ]
    summary = [row for row in rows if facts.summary.text in row[0]]
    assert len(summary) == 1
    # the copy package returns its input: the same sentence, names in the target language
    assert "Both leaders presented the meeting" in summary[0][1]


@pytest.mark.parametrize("lang", TARGETS)
def test_pages_are_landscape(parallel: Parallel, lang: str) -> None:
    doc = docx.Document(str(parallel.documents[lang]))
    for section in doc.sections:
        assert section.orientation == WD_ORIENT.LANDSCAPE
        assert (section.page_width or 0) > (section.page_height or 0)
    single = docx.Document(str(parallel.singles[lang]))
    assert single.sections[0].orientation == WD_ORIENT.PORTRAIT


def summit_template_with(folder: Path, before_summary: str) -> Path:
    """The summit template copied into `folder`, with `before_summary` before the Summary."""
    template = folder / "summit"
    shutil.copytree(ROOT / "templates" / "summit", template)
    document = template / "document.xml.j2"
    heading = '<h1>{{ _("Summary") }}</h1>'
    text = document.read_text(encoding="utf-8")
    document.write_text(text.replace(heading, f"{before_summary}\n{heading}"), encoding="utf-8")
    return template


def test_a_template_that_makes_other_blocks_in_another_language_is_named_not_a_fault(
    copy_models_dir: Path, tmp_path: Path
) -> None:
    template = summit_template_with(
        tmp_path, '{% if b.lang == "ja" %}<p>Only in Japanese</p>{% endif %}'
    )
    facts = ROOT / "sources" / "2025-10-25-japan-us-telephone-talk.yaml"
    result, out = build_beside_english(
        tmp_path, facts, "en,ja", copy_models_dir, "--template", template
    )
    assert result.returncode == 2, result.output
    assert "internal error" not in result.output
    assert str(template / "document.xml.j2") in result.output
    assert "a heading ('Summary') where the translation has a paragraph" in result.output
    assert "'Only in Japanese'" in result.output and "--layout single" in result.output
    written = sorted(path.name for path in out.glob("*.docx"))
    assert written == [f"{facts.stem}.en.docx", f"{facts.stem}.ja.docx"]


def test_a_template_table_over_nothing_prints_nothing_in_either_layout(
    copy_models_dir: Path, tmp_path: Path
) -> None:
    """A table a template fills from a list the facts leave empty (no differences here), and a
    row of no cells: no table is written for them, single or beside English."""
    template = summit_template_with(
        tmp_path,
        "<table>{% for d in b.differences %}<tr><td>{{ d.topic }}</td></tr>{% endfor %}</table>"
        "<table><tr><th>Topic</th></tr><tr></tr></table>",
    )
    facts = ROOT / "sources" / "2025-10-25-japan-us-telephone-talk.yaml"
    assert "differences:" not in facts.read_text(encoding="utf-8")
    result, out = build_beside_english(
        tmp_path, facts, "en,ja", copy_models_dir, "--template", template
    )
    assert result.returncode == 0, result.stderr
    for name in ("en", "ja", "en-ja"):
        doc = docx.Document(str(out / f"{facts.stem}.{name}.docx"))
        columns = [len(table.columns) for table in doc.tables]
        rows = [[len(row.cells) for row in table.rows] for table in doc.tables]
        assert 0 not in columns and all(all(rows_of) for rows_of in rows), (name, rows)
        # the header-only table stays: its header (under the languages' row, beside English)
        [topics] = [t for t in doc.tables if any(r.cells[0].text == "Topic" for r in t.rows)]
        assert len(topics.rows) == (2 if name == "en-ja" else 1)
