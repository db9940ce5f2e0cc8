"""Every table and paragraph briefing writes costs the same for each further one: no writer
walks a whole table once per row or cell, or the whole body once per paragraph.

A participants table of a multilateral meeting runs to hundreds of rows; python-docx's
`table.cell(r, c)` lays out the whole table's grid on every call, so a writer that fills cells
that way costs its rows squared (800 participants took over five minutes). Likewise python-docx
adds a paragraph or table to a body after searching every child of the body for the section
properties, so a document of n statements cost n squared. Rather than timing builds, these
tests count the work python-docx does: the rows of every table row list it hands out
(`CT_Tbl.tr_lst`: the grid behind `table.cell`, `table.rows`, `row_cells`, `column_cells`, a
cell's merge), and the children of every element it searches for a child
(`first_child_found_in`: behind every add and insert in its schema order). For documents of n,
2n and 3n rows and statements, each further n must cost exactly as much as the n before: the
count grows linearly, whatever its constant.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import docx
import pytest
from docx.oxml.table import CT_Tbl
from docx.oxml.xmlchemy import BaseOxmlElement

from briefing.build import BuildRequest, build
from briefing.languages import parse_languages
from briefing.output import docx_writer
from briefing.output.document import Document, Heading, Metadata, Paragraph, Run, Table
from briefing.output.parallel import pair_documents
from briefing.output.redline import compare
from briefing.review.binding import DocumentUnit, ReviewDocument
from briefing.review.docx import build_review_docx
from briefing.terms.layers import load_term_base
from briefing.translation.engines.argos import ArgosEngine
from briefing.translation.stage import TranslationStage
from tests.conftest import GLOSSARY, ROOT

REFERENCE = ROOT / "templates" / "summit" / "reference.docx"
SIZES = (8, 16, 24)


@contextmanager
def work_counted() -> Iterator[list[int]]:
    """Counts, while the block runs, the rows of every table row list python-docx hands out
    and the children of every element it searches for a child."""
    rows_of, search = CT_Tbl.tr_lst, BaseOxmlElement.first_child_found_in
    count = [0]

    def rows(table: CT_Tbl) -> Any:
        found = rows_of.fget(table)  # type: ignore[attr-defined]
        count[0] += len(found)
        return found

    def searched(element: BaseOxmlElement, *tags: str) -> Any:
        count[0] += len(element) * len(tags)
        return search(element, *tags)

    setattr(CT_Tbl, "tr_lst", property(rows))  # noqa: B010
    setattr(BaseOxmlElement, "first_child_found_in", searched)  # noqa: B010
    try:
        yield count
    finally:
        setattr(CT_Tbl, "tr_lst", rows_of)  # noqa: B010
        setattr(BaseOxmlElement, "first_child_found_in", search)  # noqa: B010


def assert_linear(make: Callable[[int], object]) -> list[int]:
    """`make(n)` for each size: equal steps in size cost equal work."""
    make(SIZES[0])  # what is prepared once (the reference document, per language) is done
    counts = []
    for size in SIZES:
        with work_counted() as work:
            make(size)
        counts.append(work[0])
    steps = [later - earlier for earlier, later in zip(counts, counts[1:], strict=False)]
    assert steps[0] == steps[1], f"work for {SIZES} rows and statements: {counts}"
    return counts


def people(count: int) -> Table:
    header = tuple((Run(text),) for text in ("Name", "Title", "Country", "Role"))
    rows = tuple(
        ((Run(f"Person {i}"),), (Run("Minister"),), (Run("Japan", marked=True),), (Run("guest"),))
        for i in range(count)
    )
    return Table(header, rows)


def briefing(count: int, lang: str = "en-GB") -> Document:
    metadata = Metadata("Test", "Subject", lang, "Unit", dt.datetime(2026, 1, 13))
    statements = tuple(Paragraph((Run(f"Statement {i}."),)) for i in range(count))
    return Document(metadata, (Heading(0, (Run("Test"),)), *statements, people(count)))


def test_a_briefing_table_costs_the_same_for_each_further_row() -> None:
    counts = assert_linear(lambda n: docx_writer.build_docx(briefing(n), REFERENCE, None))
    assert counts[0] > 0  # the writer's walks and searches are what is counted


def test_a_parallel_table_with_its_spanning_header_costs_the_same_for_each_further_row() -> None:
    def parallel(count: int) -> bytes:
        english = briefing(count)
        target = replace(english, metadata=replace(english.metadata, language="ja-JP"))
        paired = pair_documents(english, target, ("English", "日本語"))
        assert any(isinstance(b, Table) and b.groups for b in paired.blocks)
        return docx_writer.build_docx(paired, REFERENCE, None)

    assert_linear(parallel)


def test_a_changes_table_costs_the_same_for_each_further_row() -> None:
    def changes(count: int) -> bytes:
        earlier, current = briefing(count), briefing(count + count // 2)
        current_bytes = docx_writer.build_docx(current, REFERENCE, None)
        revisions = docx_writer.docx_xml.Revisions("Unit", dt.datetime(2026, 1, 14))
        redline = compare(earlier, current)
        return docx_writer.build_tracked_docx(redline, current_bytes, REFERENCE, None, revisions)

    assert_linear(changes)


def test_a_review_table_costs_the_same_for_each_further_row() -> None:
    def review(count: int) -> bytes:
        units = tuple(
            DocumentUnit(f"u{i:04d}", f"Sentence number {i}.", ["summary"], ["Summary"])
            for i in range(count)
        )
        document = ReviewDocument("sources/x.yaml", "ja", units)
        return build_review_docx(document, {}, "Test", REFERENCE, None)

    assert_linear(review)


# -- the participants table of a real build, as the issue met it -----------------------------


def participants_facts(count: int, minimal: dict[str, Any]) -> dict[str, Any]:
    facts = copy.deepcopy(minimal)
    template = facts["participants"][1]
    facts["participants"] += [
        {**copy.deepcopy(template), "name": f"Delegate Number {i}"} for i in range(count - 2)
    ]
    return facts


@pytest.mark.parametrize("layout, lang", [("single", "en"), ("parallel", "ja")])
def test_a_build_with_more_participants_costs_the_same_for_each_further_participant(
    layout: str,
    lang: str,
    tmp_path: Path,
    minimal_facts: dict[str, Any],
    facts_yaml: Callable[[object], str],
    copy_models_dir: Path,
) -> None:
    def built(count: int) -> None:
        path = tmp_path / f"p{count}" / "event.yaml"
        path.parent.mkdir(exist_ok=True)
        path.write_text(facts_yaml(participants_facts(count, minimal_facts)), "utf-8")
        terms = load_term_base([GLOSSARY], [path])
        stage = TranslationStage(ArgosEngine(copy_models_dir), terms.without_event().glossary)
        request = BuildRequest(
            [path],
            parse_languages(lang),
            path.parent / "out",
            glossary=terms,
            layout=layout,
            force=True,
        )
        report = build(request, stage)
        assert report.exit_code == 0, report.problems
        [document] = report.documents
        [table] = [t for t in docx.Document(str(document.path)).tables if len(t.rows) > count]
        assert len(table.rows) == count + (1 if layout == "single" else 2)

    assert_linear(built)
