"""Incremental regeneration: cold build, warm rebuild, and a one-statement change.

50 facts files (variants of the Nara example, every sentence distinct) × en, ja, ko with
realistic-size random models (design.md §3). Measures:
  cold:   empty memory and output folder: every segment goes through the models;
  warm:   nothing changed: every document is skipped, nothing is translated;
  change: one statement of one file edited: only its segments are translated, only that
          file's documents are rewritten.
Usage: python benchmarks/incremental.py [--files 50] [--beam 2] [--max-length 48]
"""

from __future__ import annotations

import argparse
import os
import platform
import tempfile
from pathlib import Path

from common import install_realistic_models, peak_memory_mb, timed, write_variants

from briefing.build import BuildReport, BuildRequest, build
from briefing.languages import parse_languages
from briefing.memory.sqlite import TranslationMemory
from briefing.terms.glossary import load_glossary
from briefing.translation.engines.argos import (
    DEFAULT_BATCH_SIZE,
    DEFAULT_BEAM_SIZE,
    ArgosEngine,
    Settings,
)
from briefing.translation.segments import split_segments
from briefing.translation.stage import TranslationStage


def run(paths: list[Path], work: Path, models_dir: Path, settings: Settings) -> BuildReport:
    glossary = load_glossary(paths[0].parent / "glossary.yaml")
    with TranslationMemory(work / "memory.sqlite") as memory:
        translation = TranslationStage(ArgosEngine(models_dir, settings), glossary, memory)
        request = BuildRequest(paths, parse_languages("en,ja,ko"), work / "out", glossary=glossary)
        return build(request, translation)


def summary(report: BuildReport) -> str:
    written = sum(1 for d in report.documents if d.status == "written")
    unchanged = sum(1 for d in report.documents if d.status == "unchanged")
    return f"{written} written, {unchanged} unchanged"


def memory_rows(work: Path) -> int:
    with TranslationMemory(work / "memory.sqlite") as memory:
        return sum(memory.counts().values())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=50)
    parser.add_argument("--beam", type=int, default=DEFAULT_BEAM_SIZE)
    parser.add_argument("--batch", type=int, default=DEFAULT_BATCH_SIZE)
    parser.add_argument("--max-length", type=int, default=48)
    options = parser.parse_args()
    settings = Settings(options.beam, options.batch, options.max_length)
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )

    with tempfile.TemporaryDirectory(prefix="briefing-bench-") as temporary:
        work = Path(temporary)
        models_dir = install_realistic_models(work, ("ja", "ko"))
        paths = write_variants(work / "sources", options.files)

        with timed() as cold:
            report = run(paths, work, models_dir, settings)
        assert report.exit_code == 0, report.problems
        rows_cold = memory_rows(work)
        print(f"cold:   {cold[0]:8.2f} s  {summary(report)}; memory rows {rows_cold}")

        with timed() as warm:
            report = run(paths, work, models_dir, settings)
        print(f"warm:   {warm[0]:8.2f} s  {summary(report)}; memory rows {memory_rows(work)}")

        target = paths[len(paths) // 2]
        text = target.read_text(encoding="utf-8")
        old = "The visit continues shuttle diplomacy"
        new_statement = "The visit carries on shuttle diplomacy"
        target.write_text(text.replace(old, new_statement, 1), encoding="utf-8")
        changed_segments = len(split_segments(new_statement))  # the statement's first sentence
        with timed() as change:
            report = run(paths, work, models_dir, settings)
        rows_added = memory_rows(work) - rows_cold
        rewritten = sorted({d.source.name for d in report.documents if d.status == "written"})
        print(
            f"change: {change[0]:8.2f} s  {summary(report)}; rewritten files {rewritten}; "
            f"memory rows added {rows_added} (expected {2 * changed_segments}: "
            f"{changed_segments} segment × ja, ko)"
        )

    print(f"warm/cold speed-up:   {cold[0] / warm[0]:7.1f}×  (target >= 20)")
    print(f"change/cold speed-up: {cold[0] / change[0]:7.1f}×")
    print(f"peak memory: {peak_memory_mb():.0f} MB")


if __name__ == "__main__":
    main()
