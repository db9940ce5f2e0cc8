"""A glossary edit costs what it touches: each sentence's memory key holds the glossary forms found
in that sentence, so adding, removing or changing a term re-translates exactly the sentences that
contain it, and rewrites exactly the documents that print those sentences or that term.

Two facts files, built once per module with the tiny real packages in en, ja and ko: A is the
Nara example, B the same with one sentence that names Mount Wakakusa. Each test edits the
glossary of its own copy and rebuilds; the --report JSON and the memory are the evidence."""

from __future__ import annotations

import contextlib
import json
import shutil
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import GLOSSARY, NARA, invoke

OLD_SENTENCE = "The two leaders were scheduled to visit a historic temple in Nara Prefecture"
NEW_SENTENCE = (
    "The two leaders were scheduled to visit a historic temple below Mount Wakakusa in Nara "
    "Prefecture"
)
NEW_TERM = """
  - id: mount-wakakusa
    kind: place
    en: Mount Wakakusa
    ja: 若草山
    ko: 와카쿠사산
"""
AIRPORT_SENTENCE_START = "President Lee Jae Myung landed at Kansai Airport"


@dataclass(frozen=True)
class State:
    root: Path
    models: Path

    @property
    def src(self) -> Path:
        return self.root / "src"

    @property
    def tm(self) -> Path:
        return self.root / "tm.sqlite"

    @property
    def glossary(self) -> Path:
        return self.src / GLOSSARY.name

    def files(self) -> list[Path]:
        return [self.src / "a.yaml", self.src / "b.yaml"]

    def build(self, langs: str = "en,ja,ko") -> dict[str, Any]:
        report = self.root / f"report-{time.monotonic_ns()}.json"
        result = invoke(
            "build", *self.files(), "--lang", langs, "--out", self.root / "out",
            "--models-dir", self.models, "--tm", self.tm, "--report", report,
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
        return json.loads(report.read_text(encoding="utf-8"))

    def rows(self) -> set[tuple[str, str, str]]:
        with contextlib.closing(sqlite3.connect(self.tm)) as connection:
            return set(
                connection.execute(
                    "SELECT segment, target_lang, terms FROM entries WHERE origin = 'machine'"
                )
            )


def written(report: dict[str, Any]) -> set[str]:
    return {Path(d["path"]).name for d in report["documents"] if d["status"] == "written"}


def machine_sentences(report: dict[str, Any]) -> dict[str, int]:
    return {
        Path(d["path"]).name: d["segments"]["machine"]
        for d in report["documents"]
        if d["segments"]["machine"]
    }


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory, tiny_models_dir: Path) -> State:
    state = State(tmp_path_factory.mktemp("glossary-edits"), tiny_models_dir)
    state.src.mkdir()
    text = NARA.read_text(encoding="utf-8")
    assert text.count(OLD_SENTENCE) == 1
    state.files()[0].write_text(text, encoding="utf-8")
    state.files()[1].write_text(text.replace(OLD_SENTENCE, NEW_SENTENCE), encoding="utf-8")
    shutil.copyfile(GLOSSARY, state.glossary)
    report = state.build()
    assert len(written(report)) == 6
    return state


@pytest.fixture
def state(base: State, tmp_path: Path) -> State:
    mine = State(tmp_path / "state", base.models)
    shutil.copytree(base.root, mine.root, ignore=shutil.ignore_patterns("*.sqlite*"))
    with (
        contextlib.closing(sqlite3.connect(base.tm)) as source,
        contextlib.closing(sqlite3.connect(mine.tm)) as target,
    ):
        source.backup(target)
    return mine


def sentence_with(rows: set[tuple[str, str, str]], start: str) -> str:
    [found] = {segment for segment, _, _ in rows if segment.startswith(start)}
    return found


def test_a_new_term_re_translates_only_its_sentence_and_rewrites_only_that_file(
    state: State,
) -> None:
    before = state.rows()
    with state.glossary.open("a", encoding="utf-8") as handle:
        handle.write(NEW_TERM)
    report = state.build()
    added = state.rows() - before
    sentence = sentence_with(before, NEW_SENTENCE[:60])
    assert {(segment, lang) for segment, lang, _ in added} == {(sentence, "ja"), (sentence, "ko")}
    assert {terms for _, lang, terms in added if lang == "ja"} != {""}
    assert machine_sentences(report) == {"b.ja.docx": 1, "b.ko.docx": 1}
    assert written(report) == {"b.en.docx", "b.ja.docx", "b.ko.docx"}


def test_a_changed_form_re_translates_only_its_sentences_in_that_language(state: State) -> None:
    before = state.rows()
    text = state.glossary.read_text(encoding="utf-8")
    old, new = "ko: 간사이 국제공항", "ko: 간사이공항"
    assert text.count(old) == 1, "the glossary's Korean form of Kansai Airport"
    state.glossary.write_text(text.replace(old, new), encoding="utf-8")
    report = state.build()
    added = state.rows() - before
    sentence = sentence_with(before, AIRPORT_SENTENCE_START)
    assert {(segment, lang) for segment, lang, _ in added} == {(sentence, "ko")}
    assert machine_sentences(report) == {"a.ko.docx": 1, "b.ko.docx": 1}
    assert written(report) == {"a.ko.docx", "b.ko.docx"}


def test_a_removed_term_re_translates_only_the_sentences_that_held_it(state: State) -> None:
    before = state.rows()
    text = state.glossary.read_text(encoding="utf-8")
    start = text.index("  - id: kansai-airport")
    end = text.index("  - id:", start + 1)
    state.glossary.write_text(text[:start] + text[end:], encoding="utf-8")
    report = state.build("ja,ko")
    added = state.rows() - before
    sentence = sentence_with(before, AIRPORT_SENTENCE_START)
    assert {(segment, lang) for segment, lang, _ in added} == {(sentence, "ja"), (sentence, "ko")}
    assert machine_sentences(report) == {
        n: 1 for n in ("a.ja.docx", "a.ko.docx", "b.ja.docx", "b.ko.docx")
    }
    assert written(report) == {"a.ja.docx", "a.ko.docx", "b.ja.docx", "b.ko.docx"}


def test_an_unrelated_term_changes_nothing(state: State) -> None:
    before = state.rows()
    with state.glossary.open("a", encoding="utf-8") as handle:
        handle.write(NEW_TERM.replace("wakakusa", "ikoma").replace("Wakakusa", "Ikoma")
                     .replace("若草山", "生駒山").replace("와카쿠사산", "이코마산"))  # fmt: skip
    report = state.build()
    assert state.rows() == before
    assert written(report) == set()
