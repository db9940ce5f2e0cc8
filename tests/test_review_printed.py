"""A review export shows what the document prints: with machine entries of two models in the
memory, the model the settings choose for the language, never the newest of any model; an OK
then makes reviewed exactly the text the document printed."""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path

import docx
import pytest

from tests.conftest import FIXTURES, TINY_PACKAGES, invoke
from tests.review_support import Workspace, new_workspace, notice_paragraphs, reviewed_rows
from tests.support.documents import style_of

MARIAN = "opus-mt-en-ja-copy"  # copies its input: a document's text from it is plain to see
ARGOS = "translate-en_ja"  # random weights: its text is nothing like the Marian model's


@pytest.fixture(scope="module")
def two_models_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    models_dir = tmp_path_factory.mktemp("two-models") / "models"
    files = [TINY_PACKAGES["ja"], FIXTURES / "models" / f"{MARIAN}.tar.gz"]
    result = invoke("models", "install", *files, "--models-dir", models_dir)
    assert result.returncode == 0, result.output
    return models_dir


def build(space: Workspace, model: str, *extra: str) -> None:
    result = invoke(
        "build", space.facts, "--lang", "ja", "--out", space.out, "--models-dir", space.models,
        "--tm", space.tm, "--model", f"ja={model}", *extra,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr


def machine_targets(tm: Path, model_prefix: str) -> dict[str, str]:
    with contextlib.closing(sqlite3.connect(tm)) as connection:
        rows = connection.execute(
            "SELECT segment, target FROM entries WHERE origin = 'machine' AND model LIKE ?",
            (f"{model_prefix}@%",),
        )
        return dict(rows.fetchall())


def body_text(path: Path) -> list[str]:
    """Every paragraph and table cell of a document but its notice."""
    document = docx.Document(str(path))
    paragraphs = [p.text for p in document.paragraphs if style_of(p) != "Notice"]
    cells = [c.text for t in document.tables for r in t.rows for c in r.cells]
    return paragraphs + cells


@pytest.fixture
def space(two_models_dir: Path, tmp_path: Path) -> Workspace:
    """The document built with the Marian model, then with the Argos one (whose entries are
    now the newest), then with the Marian model again, as the settings choose it."""
    space = new_workspace(tmp_path / "space", two_models_dir)
    build(space, MARIAN)
    build(space, ARGOS, "--force")
    build(space, MARIAN, "--force")
    return space


def test_the_export_shows_the_chosen_models_text_and_ok_keeps_the_document_as_printed(
    space: Workspace,
) -> None:
    printed, other = machine_targets(space.tm, MARIAN), machine_targets(space.tm, ARGOS)
    differ = [segment for segment in printed if printed[segment] != other.get(segment)]
    assert len(differ) > len(printed) // 2  # (a sentence of names alone reads the same)
    before = body_text(space.document)
    assert notice_paragraphs(space.document)

    review = space.root / "nara.ja.docx"
    result = space.export(review, "--model", MARIAN)
    assert result.returncode == 0, result.stderr
    document = docx.Document(str(review))
    rows = [row for table in document.tables[1:] for row in table.rows[1:]]
    shown = {row.cells[1].text: row.cells[2].text for row in rows}
    assert shown == {segment: printed[segment] for segment in shown}
    assert all(f"{MARIAN}@1.0" in row.cells[3].text for row in rows)

    for row in rows:
        row.cells[4].text = "OK"
    document.save(str(review))
    imported = space.import_(review, "--reviewer", "Sato")
    assert imported.returncode == 0, imported.stderr
    assert {(segment, target) for segment, _, _, target in reviewed_rows(space.tm)} == {
        (segment, printed[segment]) for segment in shown
    }
    build(space, MARIAN)
    assert notice_paragraphs(space.document) == []
    assert body_text(space.document) == before  # reviewed: exactly what was printed


def test_the_export_follows_the_models_setting(
    space: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    """briefing.toml chooses the model, as for build: its text, not the newest entries'."""
    (space.root / "briefing.toml").write_text(
        f'[translation.models]\nja = "{MARIAN}"\n', encoding="utf-8"
    )
    review = space.root / "nara.ja.docx"
    monkeypatch.chdir(space.root)
    result = space.export(review)
    assert result.returncode == 0, result.stderr
    rows = [row for t in docx.Document(str(review)).tables[1:] for row in t.rows[1:]]
    printed = machine_targets(space.tm, MARIAN)
    assert {row.cells[1].text: row.cells[2].text for row in rows} == {
        row.cells[1].text: printed[row.cells[1].text] for row in rows
    }


def test_an_export_without_the_documents_model_stops_as_a_build_does(
    space: Workspace, tmp_path: Path
) -> None:
    review = space.root / "nara.ja.docx"
    result = invoke(
        "review", "export", space.facts, "--lang", "ja", "-o", review, "--tm", space.tm,
        "--models-dir", tmp_path / "no-models",
    )  # fmt: skip
    assert result.returncode == 1
    assert "cannot tell which translations the 'ja' document prints" in result.stderr
    assert "briefing models install ja" in result.stderr
    assert not review.exists()
