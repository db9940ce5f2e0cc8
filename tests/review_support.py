"""Shared set-up of the review tests: one document built with the tiny packages whose memory
and review exports each test copies, and the commands run on such a copy."""

from __future__ import annotations

import contextlib
import shutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import docx
import pytest

from tests.conftest import GLOSSARY, NARA, Result, invoke
from tests.support.documents import style_of


@dataclass(frozen=True)
class Workspace:
    """A folder with the Nara facts, the glossary, a built Japanese document and its memory."""

    root: Path
    models: Path

    @property
    def facts(self) -> Path:
        return self.root / "src" / NARA.name

    @property
    def glossary(self) -> Path:
        return self.root / "src" / GLOSSARY.name

    @property
    def tm(self) -> Path:
        return self.root / "tm.sqlite"

    @property
    def out(self) -> Path:
        return self.root / "out"

    @property
    def document(self) -> Path:
        return self.out / f"{NARA.stem}.ja.docx"

    def build(self, tm: Path | None = None, lang: str = "ja") -> Result:
        result = invoke(
            "build", self.facts, "--lang", lang, "--out", self.out,
            "--models-dir", self.models, "--tm", tm or self.tm,
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
        return result

    def export(self, output: Path, *extra: str | Path, tm: Path | None = None) -> Result:
        return invoke(
            "review", "export", self.facts, "--lang", "ja", "-o", output,
            "--tm", tm or self.tm, "--models-dir", self.models, *extra,
        )  # fmt: skip

    def import_(self, file: Path, *extra: str | Path, tm: Path | None = None) -> Result:
        return invoke("review", "import", file, "--tm", tm or self.tm, *extra)


def new_workspace(root: Path, models: Path) -> Workspace:
    space = Workspace(root, models)
    (root / "src").mkdir(parents=True)
    shutil.copyfile(NARA, space.facts)
    shutil.copyfile(GLOSSARY, space.glossary)
    return space


def copy_workspace(base: Workspace, root: Path) -> Workspace:
    """A copy of `base` (files, documents, and a consistent copy of the memory)."""
    shutil.copytree(base.root, root, ignore=shutil.ignore_patterns("*.sqlite*"))
    copy = Workspace(root, base.models)
    with (
        contextlib.closing(sqlite3.connect(base.tm)) as source,
        contextlib.closing(sqlite3.connect(copy.tm)) as target,
    ):
        source.backup(target)
    return copy


def memory_rows(tm: Path) -> set[tuple[str, str, str, str]]:
    """(segment, language, origin, target) of every entry."""
    if not tm.exists():
        return set()
    with contextlib.closing(sqlite3.connect(tm)) as connection:
        return set(connection.execute("SELECT segment, target_lang, origin, target FROM entries"))


def reviewed_rows(tm: Path) -> set[tuple[str, str, str, str]]:
    return {row for row in memory_rows(tm) if row[2] == "reviewed"}


def notice_paragraphs(path: Path) -> list[str]:
    return [p.text for p in docx.Document(str(path)).paragraphs if style_of(p) == "Notice"]


_BUILT: dict[Path, Workspace] = {}


@pytest.fixture(scope="session")
def review_base(tmp_path_factory: pytest.TempPathFactory, tiny_models_dir: Path) -> Workspace:
    """The Nara example built in Japanese once per test process (each module that uses this
    fixture registers its own copy of it, so the build itself is kept here); tests work on
    copies."""
    if tiny_models_dir not in _BUILT:
        space = new_workspace(tmp_path_factory.mktemp("review-base"), tiny_models_dir)
        space.build()
        _BUILT[tiny_models_dir] = space
    return _BUILT[tiny_models_dir]


@pytest.fixture
def space(review_base: Workspace, tmp_path: Path) -> Workspace:
    """A copy of the built example for one test."""
    return copy_workspace(review_base, tmp_path / "copy")


@pytest.fixture
def review(space: Workspace) -> Path:
    """The copy's own Word review document: it names the copy's facts file."""
    output = space.root / "nara.ja.docx"
    result = space.export(output, "--format", "docx")
    assert result.returncode == 0, result.stderr
    return output
