"""How fast briefing starts and builds one English document, as a user meets it, beside pandoc.

Times whole processes (start-up included) of the installed console script: `briefing --help`,
and `briefing build FACTS --lang en --force` on the Nara example side by side with pandoc
writing the same English briefing: the document briefing built is converted to Markdown once,
then each pandoc run turns that Markdown into .docx with the template's reference document, as
someone who picked pandoc instead would. The two run in turn, several times after a warm-up,
so that both meet the same load; the figures are medians, and the ratio briefing / pandoc is
printed with the median of the ratios of each pair. Targets: --help < 0.3 s, the build < 1 s
and within 2x of pandoc (medians, wall).

The commands run with compiled bytecode (in a temporary cache folder), as an installed
briefing does even where PYTHONDONTWRITEBYTECODE is set, which would otherwise have every run
compile briefing's modules again.

    .venv/bin/python benchmarks/startup.py [--runs 9]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BRIEFING = Path(sys.executable).with_name("briefing")
NARA = ROOT / "sources" / "2026-01-13-nara-summit.yaml"
REFERENCE = ROOT / "templates" / "summit" / "reference.docx"
TARGETS = {"help": 0.3, "build-en": 1.0}
PANDOC_RATIO = 2.0


@dataclass
class Runs:
    """Wall and CPU (user + system, children included) seconds of each counted run.

    CPU time says what the process costs even when other work shares the machine; wall time
    is what the user waits."""

    walls: list[float] = field(default_factory=list)
    cpus: list[float] = field(default_factory=list)

    def row(self, name: str) -> str:
        walls = self.walls
        return (
            f"{name:10} {min(walls):8.3f} {statistics.median(walls):7.3f} {max(walls):7.3f} "
            f"{statistics.median(self.cpus):11.3f}"
        )


def cpu_of_children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_once(command: list[str], env: dict[str, str], runs: Runs | None) -> None:
    """Run `command` once; its times are added to `runs` (None: a warm-up, not counted)."""
    cpu_before = cpu_of_children()
    start = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    cpu = cpu_of_children() - cpu_before
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({done.returncode}):\n{done.stderr}")
    if runs is not None:
        runs.walls.append(elapsed)
        runs.cpus.append(cpu)


def timed(command: list[str], count: int, env: dict[str, str]) -> Runs:
    """`count` runs after one warm-up run."""
    runs = Runs()
    run_once(command, env, None)
    for _ in range(count):
        run_once(command, env, runs)
    return runs


def timed_in_turn(
    first: list[str], second: list[str], count: int, env: dict[str, str]
) -> tuple[Runs, Runs]:
    """Both commands `count` times after a warm-up of each, in turn, the one to go first
    alternating, so that a change in the machine's load falls on both alike."""
    a, b = Runs(), Runs()
    run_once(first, env, None)
    run_once(second, env, None)
    for i in range(count):
        pair = ((first, a), (second, b)) if i % 2 == 0 else ((second, b), (first, a))
        for command, runs in pair:
            run_once(command, env, runs)
    return a, b


def machine() -> str:
    """The processor's model name, as lscpu prints it."""
    with contextlib.suppress(OSError):  # no /proc on this system
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or platform.machine()


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"{one:.2f} (5-minute {five:.2f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    commit = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
    ).stdout.strip()
    print(
        f"{time.strftime('%Y-%m-%d', time.gmtime())}, commit {commit or '?'}, {machine()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}, "
        f"{args.runs} runs each after a warm-up (seconds, whole process)"
    )
    print(f"load average before: {load()}")
    pandoc = shutil.which("pandoc")
    with tempfile.TemporaryDirectory() as work_dir:
        work = Path(work_dir)
        env = {**os.environ, "COLUMNS": "120", "PYTHONPYCACHEPREFIX": str(work / "bytecode")}
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        out = work / "out"
        build = [str(BRIEFING), "build", str(NARA), "--lang", "en", "--force", "--out", str(out)]
        print(f"{'':10} {'wall min':>8} {'median':>7} {'max':>7} {'cpu median':>11}  target")
        help_runs = timed([str(BRIEFING), "--help"], args.runs, env)
        print(help_runs.row("help"), verdict(help_runs, TARGETS["help"]))
        if pandoc is None:
            build_runs = timed(build, args.runs, env)
            print(build_runs.row("build-en"), verdict(build_runs, TARGETS["build-en"]))
            print("pandoc: not installed, not compared")
        else:
            run_once(build, env, None)
            markdown = work / "briefing.md"
            document = out / f"{NARA.stem}.en.docx"
            run_once([pandoc, str(document), "-t", "markdown", "-o", str(markdown)], env, None)
            to_docx = [pandoc, str(markdown), "-o", str(work / "pandoc.docx")]
            to_docx += ["--reference-doc", str(REFERENCE)]
            build_runs, pandoc_runs = timed_in_turn(build, to_docx, args.runs, env)
            print(build_runs.row("build-en"), verdict(build_runs, TARGETS["build-en"]))
            print(pandoc_runs.row("pandoc"), "  Markdown to .docx, the same reference document")
            print_ratios(build_runs, pandoc_runs)
    print(f"load average after: {load()}")


def verdict(runs: Runs, target: float) -> str:
    median = statistics.median(runs.walls)
    return f" median wall < {target} s: {'ok' if median < target else 'over'}"


def print_ratios(briefing: Runs, pandoc: Runs) -> None:
    wall = statistics.median(briefing.walls) / statistics.median(pandoc.walls)
    cpu = statistics.median(briefing.cpus) / statistics.median(pandoc.cpus)
    pairs = statistics.median(a / b for a, b in zip(briefing.walls, pandoc.walls, strict=True))
    print(
        f"briefing / pandoc: wall {wall:.2f}x (median of each pair's ratio {pairs:.2f}x), "
        f"cpu {cpu:.2f}x; within {PANDOC_RATIO:.0f}x (wall): "
        f"{'ok' if wall <= PANDOC_RATIO else 'over'}"
    )


if __name__ == "__main__":
    main()
