"""How fast briefing starts and builds one English document, as a user meets it.

Times whole processes (start-up included) of the installed console script: `briefing --help`
and `briefing build FACTS --lang en --force` on the Nara example, each several times after a
warm-up run, and prints min / median / max. Targets: --help < 0.3 s, build < 1 s (medians).

    .venv/bin/python benchmarks/startup.py [--runs 9]
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BRIEFING = Path(sys.executable).with_name("briefing")
NARA = ROOT / "sources" / "2026-01-13-nara-summit.yaml"
TARGETS = {"help": 0.3, "build-en": 1.0}


def cpu_of_children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(command: list[str], runs: int, env: dict[str, str]) -> tuple[list[float], list[float]]:
    """Wall and CPU (user + system) seconds of each run, after one warm-up run not counted.

    CPU time says what the process costs even when other work shares the machine; wall time
    is what the user waits."""
    walls, cpus = [], []
    for i in range(runs + 1):
        cpu_before = cpu_of_children()
        start = time.perf_counter()
        done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
        elapsed = time.perf_counter() - start
        cpu = cpu_of_children() - cpu_before
        if done.returncode != 0:
            raise SystemExit(f"{' '.join(command)} failed ({done.returncode}):\n{done.stderr}")
        if i:
            walls.append(elapsed)
            cpus.append(cpu)
    return walls, cpus


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    commit = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
    ).stdout.strip()
    print(
        f"{time.strftime('%Y-%m-%d', time.gmtime())}, commit {commit or '?'}, "
        f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"{args.runs} runs each (wall seconds, whole process)"
    )
    with tempfile.TemporaryDirectory() as out:
        env = {**os.environ, "COLUMNS": "120"}
        commands = {
            "help": [str(BRIEFING), "--help"],
            "build-en": [
                *(str(BRIEFING), "build", str(NARA), "--lang", "en", "--force"),
                *("--out", out),
            ],
        }
        print(f"{'':10} {'wall min':>8} {'median':>7} {'max':>7} {'cpu median':>11}  target")
        for name, command in commands.items():
            walls, cpus = timed(command, args.runs, env)
            median = statistics.median(walls)
            verdict = "ok" if median < TARGETS[name] else "over"
            print(
                f"{name:10} {min(walls):8.3f} {median:7.3f} {max(walls):7.3f} "
                f"{statistics.median(cpus):11.3f}  median wall < {TARGETS[name]} s: {verdict}"
            )
        print(f"load average during the runs: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
