"""The English briefing, built from facts and read back with python-docx.

Expected values come from the facts file itself, so the checks follow the example when it is
edited; the fixed English words (section headings, labels) come from the summit template.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import docx
import pytest
from docx.document import Document as DocxDocument
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph

from briefing.build import BuildRequest, build
from briefing.facts.load import load_facts
from briefing.facts.schema import Facts, HeadedStatement, Statement
from briefing.languages import LANGUAGES
from briefing.terms.layers import Stack
from tests.conftest import ENGLISH_OUTLINE, GLOSSARY, NARA, invoke, run_cli
from tests.support.documents import style_of

FactsYaml = Callable[[object], str]

OUTLINE = ENGLISH_OUTLINE
ENGLISH = [LANGUAGES["en"]]


# ------------------------------------------------------------------------------------ helpers


def build_english(facts_path: Path, out_dir: Path, glossary: Path | None = GLOSSARY) -> Path:
    """Build one English document through the build stage; the path of the written file."""
    report = build(
        BuildRequest(
            [facts_path], ENGLISH, out_dir, glossary=Stack([glossary] if glossary else [])
        ),
        None,
    )
    assert report.exit_code == 0, report
    [outcome] = report.documents
    assert outcome.status in ("written", "unchanged") and outcome.path is not None
    assert outcome.path.is_file()
    return outcome.path


def documents_in(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.glob("*.docx"))


def leftovers(folder: Path) -> list[str]:
    """Temporary files a write could leave behind."""
    return sorted(
        p.name for p in folder.iterdir() if p.name.endswith(".tmp") or ".write-check-" in p.name
    )


def headings(doc: DocxDocument, style: str) -> list[str]:
    return [p.text for p in doc.paragraphs if p.style is not None and p.style.name == style]


def section(doc: DocxDocument, heading: str) -> list[Paragraph]:
    """The paragraphs after the Heading 1 `heading`, up to the next Heading 1."""
    found: list[Paragraph] = []
    inside = False
    for paragraph in doc.paragraphs:
        name = paragraph.style.name if paragraph.style is not None else ""
        if name == "Heading 1":
            if inside:
                break
            inside = paragraph.text == heading
            continue
        if inside:
            found.append(paragraph)
    assert inside or found, f"no section {heading!r}"
    return found


def superscripts(paragraph: Paragraph) -> list[str]:
    return [run.text for run in paragraph.runs if run.font.superscript]


def citation(facts: Facts, sources: list[str]) -> str:
    numbers = sorted({facts.source_number(s) for s in sources})
    return "[" + ", ".join(map(str, numbers)) + "]"


def status_suffix(statement: Statement) -> str:
    return {"confirmed": "", "reported": " (reported)", "expected": " (expected)"}[
        statement.status.value
    ]


def style_sequence(doc: DocxDocument) -> list[str]:
    return [p.style.name if p.style is not None else "" for p in doc.paragraphs]


# ------------------------------------------------------------------------ the example, built


@pytest.fixture(scope="module")
def nara() -> Facts:
    facts, _ = load_facts(NARA)
    return facts


@pytest.fixture(scope="module")
def nara_docx(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example built as a user would: `briefing build FACTS --lang en --out DIR`."""
    out_dir = tmp_path_factory.mktemp("out")
    result = invoke("build", str(NARA), "--lang", "en", "--out", str(out_dir))
    assert result.returncode == 0, result.output
    path = out_dir / f"{NARA.stem}.en.docx"
    assert documents_in(out_dir) == [path.name]
    assert leftovers(out_dir) == []
    return path


@pytest.fixture(scope="module")
def doc(nara_docx: Path) -> DocxDocument:
    return docx.Document(str(nara_docx))


def test_title_is_the_event_title(doc: DocxDocument, nara: Facts) -> None:
    assert headings(doc, "Title") == [nara.event.title]
    assert style_of(doc.paragraphs[0]) == "Title"


def test_date_and_place_lines(doc: DocxDocument, nara: Facts) -> None:
    meta = [p.text for p in doc.paragraphs if style_of(p) == "Meta"]
    date = nara.event.date
    assert f"Date: {date.strftime('%A')} {date.day} {date.strftime('%B %Y')}" in meta
    assert f"Place: {nara.event.city}, {nara.event.host_country}" in meta
    assert nara.event.kind == "summit meeting"
    assert "Type of event: Summit meeting" in meta  # the vocabulary word starts the line


def test_heading_outline_in_order(doc: DocxDocument) -> None:
    assert headings(doc, "Heading 1") == OUTLINE


def test_difference_topics_are_level_two_headings(doc: DocxDocument, nara: Facts) -> None:
    assert headings(doc, "Heading 2") == [d.topic for d in nara.differences]


def test_participant_table(doc: DocxDocument, nara: Facts) -> None:
    assert len(doc.tables) == 1
    table = doc.tables[0]
    rows = [[cell.text for cell in row.cells] for row in table.rows]
    assert rows[0] == ["Name", "Title", "Country", "Role"]
    # The Nara summit is a bilateral meeting in Japan: its host hosts, its guest visits.
    assert [p.role.value for p in nara.participants] == ["host", "guest"]
    assert rows[1:] == [
        [p.name, p.title, p.country, role]
        for p, role in zip(nara.participants, ["Host", "Visitor"], strict=True)
    ]
    assert [row[0] for row in rows[1:]] == ["Sanae Takaichi", "Lee Jae Myung"]
    assert table.style is not None and table.style.name == "Briefing Table"
    # The header row repeats on every page.
    properties = table.rows[0]._tr.trPr
    assert properties is not None and properties.find(qn("w:tblHeader")) is not None


def test_table_sits_under_participants(doc: DocxDocument) -> None:
    body = list(doc.element.body)
    table_index = body.index(doc.tables[0]._tbl)
    before = [e for e in body[:table_index] if e.tag == qn("w:p")][-1]
    assert Paragraph(before, doc).text == "Participants"


def test_outcome_bullets(doc: DocxDocument, nara: Facts) -> None:
    bullets = section(doc, "Key outcomes")
    assert len(bullets) == len(nara.outcomes) > 0
    for paragraph, outcome in zip(bullets, nara.outcomes, strict=True):
        assert style_of(paragraph) == "List Bullet"
        first = paragraph.runs[0]
        assert first.bold is True
        assert first.text == f"{outcome.heading}: "
        assert not any(run.bold for run in paragraph.runs[1:])
        assert paragraph.text == (
            f"{outcome.heading}: {outcome.text}{status_suffix(outcome)}"
            f"{citation(nara, outcome.sources)}"
        )
        assert superscripts(paragraph) == [citation(nara, outcome.sources)]


@pytest.mark.parametrize(
    ("heading", "field"),
    [("Background", "background"), ("Topics discussed", "topics"), ("Next steps", "next_steps")],
)
def test_other_lists_follow_the_facts(
    doc: DocxDocument, nara: Facts, heading: str, field: str
) -> None:
    items: list[Statement] = getattr(nara, field)
    bullets = section(doc, heading)
    assert [style_of(p) for p in bullets] == ["List Bullet"] * len(items)
    for paragraph, item in zip(bullets, items, strict=True):
        lead = f"{item.heading}: " if isinstance(item, HeadedStatement) else ""
        assert paragraph.text == (
            f"{lead}{item.text}{status_suffix(item)}{citation(nara, item.sources)}"
        )
        if item.status.value != "confirmed":
            assert any(run.italic and run.text == status_suffix(item) for run in paragraph.runs)


def test_summary_paragraph(doc: DocxDocument, nara: Facts) -> None:
    [paragraph] = section(doc, "Summary")
    assert paragraph.text == f"{nara.summary.text}{citation(nara, nara.summary.sources)}"


def test_no_handling_line_unless_one_is_chosen(doc: DocxDocument) -> None:
    """The default claims no classification; the reference document's placeholder is gone."""
    for section_ in doc.sections:
        assert [p.text for p in section_.header.paragraphs if p.text] == []


def test_footer_has_page_x_of_y_fields(doc: DocxDocument) -> None:
    footer = doc.sections[0].footer
    [paragraph] = [p for p in footer.paragraphs if p.text]
    instructions = [e.text.strip() for e in paragraph._p.iter(qn("w:instrText"))]
    assert instructions == ["PAGE", "NUMPAGES"]
    kinds = [e.get(qn("w:fldCharType")) for e in paragraph._p.iter(qn("w:fldChar"))]
    assert kinds == ["begin", "separate", "end"] * 2
    texts = [t.text for t in paragraph._p.iter(qn("w:t"))]
    assert texts[0] == "Page " and " of " in texts


def test_core_properties(doc: DocxDocument, nara: Facts) -> None:
    properties = doc.core_properties
    assert properties.title == nara.event.title
    assert properties.subject == f"Briefing: {nara.event.title}"
    assert properties.author == (nara.document.organisation or nara.document.author)
    assert properties.language == "en-GB"
    assert properties.keywords == "; ".join(nara.document.keywords)
    midnight = dt.datetime.combine(nara.event.date, dt.time())
    for stamp in (properties.created, properties.modified):
        assert stamp is not None
        assert stamp.replace(tzinfo=None) == midnight
    assert properties.revision == 1


def test_language_tag_on_styles(doc: DocxDocument) -> None:
    lang = doc.styles["Normal"].element.rPr.find(qn("w:lang"))
    assert lang is not None and lang.get(qn("w:val")) == "en-GB"


def test_differences_show_every_account_with_its_citation(doc: DocxDocument, nara: Facts) -> None:
    [coal] = [d for d in nara.differences if "coal mine" in d.topic.lower()]
    paragraphs = section(doc, "Notes on differences between sources")
    texts = [p.text for p in paragraphs]
    start = texts.index(coal.topic)
    assert style_of(paragraphs[start]) == "Heading 2"
    accounts = paragraphs[start + 1 : start + 1 + len(coal.accounts)]
    assert len(coal.accounts) >= 2
    for paragraph, account in zip(accounts, coal.accounts, strict=True):
        assert style_of(paragraph) == "List Bullet"
        assert paragraph.text == f"{account.text}{citation(nara, account.sources)}"
        assert superscripts(paragraph) == [citation(nara, account.sources)]
    # Both names of the mine survive: the briefing does not pick one.
    joined = " ".join(p.text for p in accounts)
    assert "Chosei" in joined and "Josei" in joined
    assert {citation(nara, a.sources) for a in coal.accounts} == {"[1]", "[2]"}


def test_sources_list(doc: DocxDocument, nara: Facts) -> None:
    entries = [p for p in section(doc, "Sources") if style_of(p) == "Source"]
    assert len(entries) == len(nara.sources)
    for number, (paragraph, source) in enumerate(zip(entries, nara.sources, strict=True), 1):
        assert paragraph.text.startswith(f"[{number}] {source.publisher}, {source.title}")
        assert any(run.italic and run.text == source.title for run in paragraph.runs)


def test_a_citation_names_each_source_once_in_the_order_of_the_list(
    tmp_path: Path, minimal_facts: dict[str, Any], facts_yaml: FactsYaml
) -> None:
    minimal_facts["summary"]["sources"] = ["report-2", "report-1", "report-2"]
    facts = tmp_path / "event.yaml"
    facts.write_text(facts_yaml(minimal_facts), encoding="utf-8")
    doc = docx.Document(str(build_english(facts, tmp_path / "out")))
    [summary] = section(doc, "Summary")
    assert superscripts(summary) == ["[1, 2]"]


# ------------------------------------------------------------------------ same input, same bytes


def test_rebuild_is_byte_identical(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    facts = tmp_path / "sources" / NARA.name
    facts.parent.mkdir()
    shutil.copy(NARA, facts)
    first = build_english(facts, tmp_path / "a").read_bytes()
    assert build_english(facts, tmp_path / "b").read_bytes() == first
    # Two days and a few seconds later by the clock that zip entries are stamped from, with the
    # facts file touched (a new mtime), into another output folder.
    later = facts.stat().st_mtime + 2 * 86_400 + 7
    os.utime(facts, (later, later))
    real_time = time.time
    monkeypatch.setattr(time, "time", lambda: real_time() + 2 * 86_400 + 7)
    assert build_english(facts, tmp_path / "c").read_bytes() == first


def test_changed_statement_changes_the_bytes(
    tmp_path: Path, minimal_facts: dict[str, Any], facts_yaml: FactsYaml
) -> None:
    original = tmp_path / "one" / "event.yaml"
    changed = tmp_path / "two" / "event.yaml"
    original.parent.mkdir()
    changed.parent.mkdir()
    original.write_text(facts_yaml(minimal_facts), encoding="utf-8")
    minimal_facts["summary"]["text"] = "The two leaders met in Nara and again in Seoul."
    changed.write_text(facts_yaml(minimal_facts), encoding="utf-8")
    first = build_english(original, tmp_path / "out-one").read_bytes()
    second = build_english(changed, tmp_path / "out-two").read_bytes()
    assert first != second
    assert build_english(original, tmp_path / "out-three").read_bytes() == first


# ------------------------------------------------------------------------------------ escaping

TRICKY = "**bold** {{ x }} {% if %} <w:p> </p><h1>x</h1> & < > \" ' # heading [1]"


def test_markup_in_facts_is_literal_text(
    tmp_path: Path, minimal_facts: dict[str, Any], facts_yaml: FactsYaml
) -> None:
    plain = tmp_path / "plain" / "event.yaml"
    plain.parent.mkdir()
    plain.write_text(facts_yaml(minimal_facts), encoding="utf-8")

    minimal_facts["event"]["title"] = f"Title {TRICKY}"
    minimal_facts["summary"]["text"] = f"Summary {TRICKY}"
    minimal_facts["participants"][0]["name"] = f"Name {TRICKY}"
    minimal_facts["outcomes"][0]["heading"] = f"Heading {TRICKY}"
    minimal_facts["outcomes"][0]["text"] = f"Outcome {TRICKY}"
    tricky = tmp_path / "tricky" / "event.yaml"
    tricky.parent.mkdir()
    tricky.write_text(facts_yaml(minimal_facts), encoding="utf-8")

    # The YAML round trip keeps the characters, so anything lost below is lost by the build.
    loaded, _ = load_facts(tricky)
    assert loaded.summary.text == f"Summary {TRICKY}"

    baseline = docx.Document(str(build_english(plain, tmp_path / "out-plain", None)))
    doc = docx.Document(str(build_english(tricky, tmp_path / "out-tricky", None)))

    # No heading, paragraph or table came or went.
    assert style_sequence(doc) == style_sequence(baseline)
    assert headings(doc, "Heading 1") == headings(baseline, "Heading 1")
    assert len(doc.tables) == len(baseline.tables) == 1

    assert headings(doc, "Title") == [f"Title {TRICKY}"]
    assert doc.core_properties.title == f"Title {TRICKY}"
    assert doc.core_properties.subject == f"Briefing: Title {TRICKY}"

    [summary] = section(doc, "Summary")
    assert summary.text == f"Summary {TRICKY}[1]"
    assert not any(run.bold or run.italic for run in summary.runs)
    assert [run.text for run in summary.runs if not run.font.superscript] == [f"Summary {TRICKY}"]

    [outcome] = section(doc, "Key outcomes")
    assert [(run.text, bool(run.bold)) for run in outcome.runs[:2]] == [
        (f"Heading {TRICKY}: ", True),
        (f"Outcome {TRICKY}", False),
    ]

    table = doc.tables[0]
    assert table.cell(1, 0).text == f"Name {TRICKY}"
    assert [len(row.cells) for row in table.rows] == [4, 4, 4]

    # Nothing became a field, a hyperlink or a break in the body either.
    body = doc.element.body
    assert not list(body.iter(qn("w:instrText")))
    assert not list(body.iter(qn("w:hyperlink")))


# ------------------------------------------------------------------------------ atomic writes


def test_failed_write_leaves_the_good_document_and_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out_dir = tmp_path / "out"
    good = build_english(NARA, out_dir)
    good_bytes = good.read_bytes()
    # Make the new version differ, so that an overwrite would show.
    facts = tmp_path / NARA.name
    facts.write_text(
        NARA.read_text(encoding="utf-8").replace("hosted President", "welcomed President"),
        encoding="utf-8",
    )
    renamed: list[Path] = []

    def failing_replace(source: str | os.PathLike[str], target: str | os.PathLike[str]) -> None:
        renamed.append(Path(source))
        assert Path(source).is_file(), "the temporary file is written before the rename"
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", failing_replace)
    report = build(BuildRequest([facts], ENGLISH, out_dir, glossary=Stack([GLOSSARY])), None)
    monkeypatch.undo()

    assert renamed, "the writer never got as far as renaming"
    [outcome] = report.documents
    assert outcome.status == "failed"
    assert "No space left on device" in outcome.detail
    assert report.exit_code == 2
    assert good.read_bytes() == good_bytes
    assert documents_in(out_dir) == [good.name]
    assert leftovers(out_dir) == []
    assert not renamed[0].exists()


def test_the_build_table_keeps_words_whole_in_a_log(tmp_path: Path) -> None:
    """Written to a file or pipe (no terminal, so no width to keep to), each document's row is
    one line with its file name, language and result whole."""
    facts = tmp_path / "2026-01-13-a-rather-long-name-for-the-nara-summit.yaml"
    shutil.copy(NARA, facts)
    result = run_cli("build", facts, "--lang", "en", "--out", tmp_path / "out", cwd=tmp_path,
                     env={"COLUMNS": ""})  # fmt: skip
    assert result.returncode == 0, result.stderr
    rows = [line for line in result.stderr.splitlines() if line.startswith("│ 2026")]
    assert len(rows) == 1 and " en " in rows[0] and " written " in rows[0], result.stderr
