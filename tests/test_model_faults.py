"""Models that disappear or break during a build: the rest is written, the cause is named.

Uses the tiny random packages: the faults are in the files, whatever the weights say.
"""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Iterator
from pathlib import Path

import docx

from briefing.build import BuildRequest, build
from briefing.languages import parse_languages
from briefing.memory.sqlite import TranslationMemory
from briefing.terms.layers import load_term_base
from briefing.translation.engines.argos import ArgosEngine
from briefing.translation.stage import TranslationStage
from tests.conftest import GLOSSARY, NARA, TINY_PACKAGES, invoke


def install(models_dir: Path) -> None:
    files = [str(p) for p in TINY_PACKAGES.values()]
    result = invoke("models", "install", *files, "--models-dir", str(models_dir))
    assert result.returncode == 0, result.output


class RemovesModelsWhenTranslationStarts:
    """A progress reporter that deletes the models folder once the first translation begins,
    as a colleague cleaning up a shared folder might."""

    def __init__(self, models_dir: Path) -> None:
        self.models_dir = models_dir
        self.removed_during: str | None = None

    @contextlib.contextmanager
    def task(self, description: str, total: int) -> Iterator[object]:
        if description.startswith("Translating") and self.removed_during is None:
            shutil.rmtree(self.models_dir)
            self.removed_during = description
        yield None

    def advance(self, task: object, amount: int = 1) -> None:
        pass


def test_models_folder_removed_mid_run(tmp_path: Path, isolated_home: Path) -> None:
    models_dir = tmp_path / "models"
    install(models_dir)
    out = tmp_path / "out"
    progress = RemovesModelsWhenTranslationStarts(models_dir)
    with TranslationMemory(tmp_path / "tm.sqlite") as memory:
        terms = load_term_base([GLOSSARY], [NARA])
        glossary = terms.without_event().glossary
        translation = TranslationStage(ArgosEngine(models_dir), glossary, memory)
        request = BuildRequest([NARA], parse_languages("en,ja,ko"), out, glossary=terms)
        report = build(request, translation, progress)

    assert progress.removed_during == "Translating en→ja"
    assert not list(models_dir.glob("translate-*"))
    status = {d.lang: d.status for d in report.documents}
    # Japanese was loaded before the folder went; Korean is then reported missing, not a crash.
    assert status == {"en": "written", "ja": "written", "ko": "missing-model"}
    assert [m.target for m in report.missing] == ["ko"]
    assert report.exit_code == 1
    for lang in ("en", "ja"):
        assert docx.Document(str(out / f"{NARA.stem}.{lang}.docx")).paragraphs


def test_damaged_model_fails_its_language_only_and_says_how_to_fix_it(
    tmp_path: Path, isolated_home: Path
) -> None:
    models_dir = tmp_path / "models"
    install(models_dir)
    [model_bin] = models_dir.glob("translate-en_ko-*/model/model.bin")
    model_bin.write_bytes(model_bin.read_bytes()[:100])  # a truncated copy, as after a full disk
    out = tmp_path / "out"
    result = invoke("build", str(NARA), "--out", str(out), "--models-dir", str(models_dir),
            "--tm", str(tmp_path / "tm.sqlite"))  # fmt: skip
    assert result.returncode == 2, result.output
    assert "could not be loaded" in result.output
    assert "briefing models install ko" in result.output
    assert "Traceback" not in result.output
    assert sorted(p.name for p in out.glob("*.docx")) == [
        f"{NARA.stem}.en.docx",
        f"{NARA.stem}.ja.docx",
    ]
