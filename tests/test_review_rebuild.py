"""The reviewer round trip seen in the document: edits appear, and full review lifts the notice.

Uses the tiny random packages: their output never equals a reviewer's edit, so an edit that shows
in the document can only have come from the review.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import docx
import pytest

from tests.conftest import NARA, invoke
from tests.support.documents import style_of
from tests.support.readings import first_mentions_read

XLIFF = "urn:oasis:names:tc:xliff:document:1.2"
NS = {"x": XLIFF}


def run(*args: str) -> None:
    result = invoke(*args)
    assert result.returncode == 0, result.output


def document_text(path: Path) -> str:
    document = docx.Document(str(path))
    parts = [p.text for p in document.paragraphs]
    parts += [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join(parts)


def notice_paragraphs(path: Path) -> list[str]:
    return [p.text for p in docx.Document(str(path)).paragraphs if style_of(p) == "Notice"]


@pytest.fixture
def built(tmp_path: Path, tiny_models_dir: Path, isolated_home: Path) -> dict[str, Path]:
    paths = {"tm": tmp_path / "tm.sqlite", "out": tmp_path / "out", "xlf": tmp_path / "ja.xlf"}
    common = ["--models-dir", str(tiny_models_dir), "--tm", str(paths["tm"])]
    run("build", str(NARA), "--lang", "ja", "--out", str(paths["out"]), *common)
    run("review", "export", str(NARA), "--lang", "ja", "-o", str(paths["xlf"]), *common)
    paths["doc"] = paths["out"] / f"{NARA.stem}.ja.docx"
    paths["models"] = tiny_models_dir
    return paths


def rebuild(paths: dict[str, Path]) -> None:
    run(
        "build", str(NARA), "--lang", "ja", "--out", str(paths["out"]),
        "--models-dir", str(paths["models"]), "--tm", str(paths["tm"]),
    )  # fmt: skip


def rewrite(path: Path, change: Callable[[ET.Element], None]) -> None:
    ET.register_namespace("", XLIFF)
    tree = ET.parse(path)
    change(tree.getroot())
    tree.write(path, encoding="utf-8", xml_declaration=True)


def test_an_edited_translation_appears_in_the_rebuilt_document(built: dict[str, Path]) -> None:
    correction = "高市早苗内閣総理大臣は、地元の奈良県で李在明大統領を迎えた。"
    before = document_text(built["doc"])
    assert correction not in before

    def edit_first(root: ET.Element) -> None:
        unit = root.find(".//x:trans-unit", NS)
        assert unit is not None
        target = unit.find("x:target", NS)
        assert target is not None
        target.text = correction

    rewrite(built["xlf"], edit_first)
    run("review", "import", str(built["xlf"]), "--tm", str(built["tm"]), "--reviewer", "Sato")
    rebuild(built)
    assert correction in first_mentions_read(document_text(built["doc"]), "ja")
    assert notice_paragraphs(built["doc"])  # other sentences are still machine output


def test_the_notice_goes_once_every_sentence_is_reviewed(built: dict[str, Path]) -> None:
    assert notice_paragraphs(built["doc"]), "a machine-translated document carries the notice"

    def approve_all(root: ET.Element) -> None:
        for target in root.iterfind(".//x:target", NS):
            target.set("state", "final")

    rewrite(built["xlf"], approve_all)
    run("review", "import", str(built["xlf"]), "--tm", str(built["tm"]), "--reviewer", "Sato")
    rebuild(built)
    assert notice_paragraphs(built["doc"]) == []
