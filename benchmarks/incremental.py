"""Incremental regeneration: cold build, warm rebuild, and a one-statement change.

Facts files (variants of the Nara example, every sentence distinct) × en, ja, ko with
realistic-size models (design.md §3), for each kind of model in its own process: "random"
(every output runs to its decoding limit and loses its placeholders: the worst case) and
"copy" (outputs its input's pieces and ends: natural length, placeholders kept). Measures:
  cold:   empty memory and output folder: every segment goes through the models;
  warm:   nothing changed: every document is skipped, nothing is translated;
  change: one statement of one file edited: only its segments are translated, only that
          file's documents are rewritten;
  term:   one new glossary term that occurs in one sentence of one file: only that sentence is
          translated again (ja, ko), only that file's three documents are rewritten;
  changes: every file edited (a participant added, a status confirmed), then two warm rebuilds
          that rewrite every document (--force), one also writing every changes document:
          what the changes documents cost on top of writing the same documents;
and the share of the cold build spent inside CTranslate2 (the rest: reading facts, protecting
terms, tokenizing, the memory, rendering and writing documents) and in the checks on machine
output (translation/checks.py; target under 5 %). Models are loaded once before
the first build, as in a long-running process. Figures are medians of --repeat runs.
Usage: python benchmarks/incremental.py [--models random,copy] [--files 5] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import tempfile
from pathlib import Path
from typing import Any

from common import (
    MODEL_KINDS,
    TimedTranslator,
    install_realistic_models,
    median,
    peak_memory_mb,
    run_children,
    side_by_side,
    timed,
    write_variants,
)

from briefing import models
from briefing.build import BuildRequest, build
from briefing.changes import ChangesOptions
from briefing.languages import parse_languages
from briefing.memory.sqlite import TranslationMemory
from briefing.report import BuildReport
from briefing.terms.layers import load_term_base
from briefing.translation import checks
from briefing.translation.engines.argos import (
    DEFAULTS,
    ArgosEngine,
    Decoding,
    load_model,
)
from briefing.translation.segments import split_segments
from briefing.translation.stage import TranslationStage

OLD = "The visit continues shuttle diplomacy"
NEW = "The visit carries on shuttle diplomacy"


def run(
    paths: list[Path],
    work: Path,
    models_dir: Path,
    decoding: Decoding,
    force: bool = False,
    changes: bool = False,
) -> BuildReport:
    terms = load_term_base([], paths)
    with TranslationMemory(work / "memory.sqlite") as memory:
        glossary = terms.without_event().glossary
        translation = TranslationStage(ArgosEngine(models_dir, decoding), glossary, memory)
        request = BuildRequest(
            paths,
            parse_languages("en,ja,ko"),
            work / "out",
            glossary=terms,
            force=force,
            changes=ChangesOptions(write=changes),
        )
        return build(request, translation)


def counts(report: BuildReport) -> tuple[int, int]:
    written = sum(1 for d in report.documents if d.status == "written")
    unchanged = sum(1 for d in report.documents if d.status == "unchanged")
    return written, unchanged


def memory_rows(work: Path) -> int:
    with TranslationMemory(work / "memory.sqlite") as memory:
        return sum(memory.counts().values())


NEW_TERM_SENTENCE = (
    "a historic temple in Nara Prefecture",
    "a historic temple below Mount Wakakusa in Nara Prefecture",
)
NEW_TERM = """
  - id: mount-wakakusa
    kind: place
    en: Mount Wakakusa
    ja: 若草山
    ko: 와카쿠사산
"""


def prepare_term_scenario(paths: list[Path]) -> Path:
    """Before the cold build: one sentence of one file names a place the glossary lacks yet."""
    target = paths[len(paths) // 3]
    text = target.read_text(encoding="utf-8")
    old, new = NEW_TERM_SENTENCE
    assert text.count(old) == 1, target
    target.write_text(text.replace(old, new), encoding="utf-8")
    return target


def term_scenario(
    paths: list[Path], target: Path, work: Path, models_dir: Path, decoding: Decoding
) -> tuple[float, dict[str, Any]]:
    """Add one glossary term found in one sentence of `target`: what does the rebuild cost?"""
    rows_before = memory_rows(work)
    with (paths[0].parent / "glossary.yaml").open("a", encoding="utf-8") as handle:
        handle.write(NEW_TERM)
    with timed() as took:
        report = run(paths, work, models_dir, decoding)
    assert report.exit_code == 0, report.problems
    translated: dict[str, int] = {}
    for document in report.documents:
        if document.lang != "en" and document.from_machine:
            translated[document.lang] = translated.get(document.lang, 0) + document.from_machine
    rewritten = sorted(
        f"{d.source.name}:{d.lang}" for d in report.documents if d.status == "written"
    )
    expected = [f"{target.name}:{lang}" for lang in ("en", "ja", "ko")]
    return took[0], dict(
        translated=translated,
        rows_added=memory_rows(work) - rows_before,
        rewritten=rewritten,
        rewritten_expected=rewritten == expected,
    )


PARTICIPANT = """  - name: Toshimitsu Motegi
    title: Minister for Foreign Affairs
    country: Japan
    role: delegation
    sources: [japan-news]
"""


def changes_scenario(
    paths: list[Path], work: Path, models_dir: Path, decoding: Decoding, repeat: int
) -> tuple[float, float, int]:
    """Every file edited, then rewrites of every document without and with the changes
    documents, alternating: (median seconds without, with, changes documents written)."""
    for path in paths:
        text = path.read_text(encoding="utf-8").replace("    status: expected\n", "", 1)
        path.write_text(text.replace("\nsummary:", PARTICIPANT + "\nsummary:", 1), "utf-8")
    assert run(paths, work, models_dir, decoding).exit_code == 0  # the versions to compare
    without, with_changes = [], []
    for _ in range(repeat):
        with timed() as plain:
            run(paths, work, models_dir, decoding, force=True)
        without.append(plain[0])
        with timed() as both:
            report = run(paths, work, models_dir, decoding, force=True, changes=True)
        with_changes.append(both[0])
    written = sum(d.lang.endswith(" changes") and d.status == "written" for d in report.documents)
    return median(without), median(with_changes), written


def timed_models(models_dir: Path) -> list[TimedTranslator]:
    """Load every installed model now and count the time its translator spends working."""
    timers = []
    for installed in models.installed_models(models_dir):
        model = load_model(installed.path, models.model_identity(installed))
        timer = TimedTranslator(model.translator)
        model.translator = timer
        timers.append(timer)
    return timers


class TimedChecks:
    """Adds up the time the translation stage spends in the checks on machine output."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.init, self.call = checks.PassChecks.__init__, checks.PassChecks.__call__
        timer = self

        def init(self: checks.PassChecks, *args: Any) -> None:
            with timed() as spent:
                timer.init(self, *args)
            timer.seconds += spent[0]

        def call(self: checks.PassChecks, *args: Any) -> Any:
            with timed() as spent:
                result = timer.call(self, *args)
            timer.seconds += spent[0]
            return result

        # the checks timed where they run: the class's own methods, wrapped for this run
        checks.PassChecks.__init__ = init  # type: ignore[method-assign, assignment]
        checks.PassChecks.__call__ = call  # type: ignore[method-assign, assignment]


def measure(kind: str, options: argparse.Namespace) -> dict[str, Any]:
    decoding = Decoding(options.beam, options.batch, options.max_length)
    figures: dict[str, Any] = {"model": kind, "load_before": os.getloadavg()[0]}
    cold_runs, warm_runs, change_runs, term_runs, shares, notes = [], [], [], [], [], []
    rewrite_runs, changes_runs, changes_written = [], [], 0
    check_shares = []
    checks_timer = TimedChecks()
    with tempfile.TemporaryDirectory(prefix="briefing-bench-") as temporary:
        base = Path(temporary)
        models_dir = install_realistic_models(base, ("ja", "ko"), kind)
        timers = timed_models(models_dir)
        for attempt in range(options.repeat):
            work = base / f"run{attempt}"
            paths = write_variants(work / "sources", options.files)
            term_target = prepare_term_scenario(paths)
            for timer in timers:
                timer.seconds = 0.0
            checks_timer.seconds = 0.0
            with timed() as cold:
                report = run(paths, work, models_dir, decoding)
            assert report.exit_code == 0, report.problems
            shares.append(sum(t.seconds for t in timers) / cold[0])
            check_shares.append(checks_timer.seconds / cold[0])
            rows_cold = memory_rows(work)
            cold_runs.append(cold[0])

            with timed() as warm:
                warm_report = run(paths, work, models_dir, decoding)
            warm_runs.append(warm[0])

            target = paths[len(paths) // 2]
            text = target.read_text(encoding="utf-8")
            target.write_text(text.replace(OLD, NEW, 1), encoding="utf-8")
            with timed() as change:
                change_report = run(paths, work, models_dir, decoding)
            change_runs.append(change[0])
            rewritten = sorted(
                {d.source.name for d in change_report.documents if d.status == "written"}
            )
            rows_added = memory_rows(work) - rows_cold  # before the term scenario adds its own
            term_seconds, term_notes = term_scenario(paths, term_target, work, models_dir, decoding)
            term_runs.append(term_seconds)
            rewrite, with_changes, changes_written = changes_scenario(
                paths, work, models_dir, decoding, options.repeat
            )
            rewrite_runs.append(rewrite)
            changes_runs.append(with_changes)
            notes.append(
                dict(
                    cold=counts(report),
                    warm=counts(warm_report),
                    change=counts(change_report),
                    rows_cold=rows_cold,
                    rows_added=rows_added,
                    rewritten=rewritten,
                    term=term_notes,
                )
            )
            shutil.rmtree(work)
    # Medians over the runs, in seconds.
    cold_time, warm_time = median(cold_runs), median(warm_runs)
    change_time, term_time = median(change_runs), median(term_runs)
    figures.update(
        files=options.files,
        documents=3 * options.files,
        cold=cold_time,
        warm=warm_time,
        change=change_time,
        cold_runs=cold_runs,
        warm_over_cold=cold_time / warm_time,
        change_over_cold=cold_time / change_time,
        term=term_time,
        term_over_cold=cold_time / term_time,
        inside_share=median(shares),
        rewrite=median(rewrite_runs),
        rewrite_changes=median(changes_runs),
        changes_written=changes_written,
        changes_cost_pct=100 * (median(changes_runs) / median(rewrite_runs) - 1),
        checks_share=median(check_shares),
        changed_segments=len(split_segments(NEW)),
        notes=notes[-1],
        peak_mb=peak_memory_mb(),
        load_after=os.getloadavg()[0],
    )
    return figures


def report(figures: dict[str, dict[str, Any]]) -> None:
    for f in figures.values():
        n = f["notes"]
        f["share_pct"] = 100 * f["inside_share"]
        f["checks_pct"] = 100 * f["checks_share"]
        f["peak"] = f"{f['peak_mb']:.0f} MB"
        f["load"] = f"{f['load_before']:.1f} / {f['load_after']:.1f}"
        f["cold_docs"] = "{} written".format(n["cold"][0])
        f["warm_docs"] = "{} written".format(n["warm"][0])
        f["change_docs"] = "{} written".format(n["change"][0])
        f["rows"] = f"{n['rows_added']} (expected {2 * f['changed_segments']})"
        t = n["term"]
        f["term_translated"] = f"{t['translated']} (expected {{'ja': 1, 'ko': 1}})"
        f["term_rows"] = f"{t['rows_added']} (expected 2)"
        f["changes_docs"] = f"{f['changes_written']} (expected {f['documents']})"
        f["term_docs"] = "{} written{}".format(
            len(t["rewritten"]), "" if t["rewritten_expected"] else " (expected one file's 3)"
        )
    side_by_side(
        [
            ("cold build, s", "cold"),
            ("  documents", "cold_docs"),
            ("warm rebuild, s", "warm"),
            ("  documents", "warm_docs"),
            ("one statement changed, s", "change"),
            ("  documents", "change_docs"),
            ("  memory rows added", "rows"),
            ("one glossary term added, s", "term"),
            ("  sentences translated again", "term_translated"),
            ("  documents", "term_docs"),
            ("  memory rows added", "term_rows"),
            ("every document rewritten (warm), s", "rewrite"),
            ("  and every changes document, s", "rewrite_changes"),
            ("  changes documents written", "changes_docs"),
            ("  cost of the changes documents, % (target <= 25)", "changes_cost_pct"),
            ("warm/cold speed-up (target >= 20)", "warm_over_cold"),
            ("change/cold speed-up", "change_over_cold"),
            ("term/cold speed-up", "term_over_cold"),
            ("share of cold build inside CTranslate2, %", "share_pct"),
            ("share of cold build in output checks, % (target < 5)", "checks_pct"),
            ("peak memory", "peak"),
            ("load average (1 min) before / after", "load"),
        ],
        figures,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", default=",".join(MODEL_KINDS))
    parser.add_argument("--files", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=3, help="runs per figure (median)")
    parser.add_argument("--beam", type=int, default=DEFAULTS.beam_size)
    parser.add_argument("--batch", type=int, default=DEFAULTS.batch_size)
    parser.add_argument("--max-length", type=int, default=48)
    parser.add_argument("--model", help=argparse.SUPPRESS)  # one kind, in a child process
    parser.add_argument("--json", type=Path, help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.model:
        figures = measure(options.model, options)
        options.json.write_text(json.dumps(figures), encoding="utf-8")
        return
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}; {options.files} facts files × en, ja, ko; beam "
        f"{options.beam}, batch {options.batch}, decoding limit {options.max_length}; "
        f"medians of {options.repeat} runs",
        flush=True,
    )
    passed = [
        f"--{name.replace('_', '-')}={getattr(options, name)}"
        for name in ("files", "repeat", "beam", "batch", "max_length")
    ]
    report(run_children(Path(__file__), options.models.split(","), passed))


if __name__ == "__main__":
    main()
