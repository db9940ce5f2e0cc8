"""What `--pdf` adds to a build, against LibreOffice converting the same documents directly.

Builds the bundled examples in English, Japanese and Korean (six documents, the copy test
packages) as whole processes of the installed console script, without and with `--pdf`
(`--force`, so every document and PDF is written again), and times one direct LibreOffice call
converting the same six documents (`soffice --convert-to pdf --outdir DIR six.docx`, a fresh
profile each time, as briefing runs it), and six calls of one document each (how `--pdf`
worked before it converted a folder in one run). Each several times after a warm-up run;
prints min / median / max. Target: the PDF step (build with --pdf less build) within 1.5× of
the direct call (medians).

    .venv/bin/python benchmarks/pdf.py [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BRIEFING = Path(sys.executable).with_name("briefing")
EXAMPLES = sorted(p for p in (ROOT / "sources").glob("*.yaml") if p.name != "glossary.yaml")
PACKAGES = sorted((ROOT / "tests" / "fixtures" / "argos").glob("*-copy.argosmodel"))
TARGET_RATIO = 1.5


def run(command: list[str | Path], env: dict[str, str]) -> None:
    done = subprocess.run(
        [str(part) for part in command], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if done.returncode != 0:
        shown = " ".join(map(str, command))
        raise SystemExit(f"{shown} failed ({done.returncode}):\n{done.stderr}")


def timed(work: Callable[[], None], runs: int) -> list[float]:
    """Wall seconds of each run, after one warm-up run not counted."""
    walls = []
    for i in range(runs + 1):
        start = time.perf_counter()
        work()
        if i:
            walls.append(time.perf_counter() - start)
    return walls


def soffice_call(soffice: str, documents: list[Path], env: dict[str, str]) -> None:
    """One LibreOffice run converting `documents`, with a fresh profile and output folder."""
    with tempfile.TemporaryDirectory() as profile, tempfile.TemporaryDirectory() as out:
        run(
            [
                soffice, f"-env:UserInstallation={Path(profile).as_uri()}", "--headless",
                "--invisible", "--norestore", "--nolockcheck", "--nodefault",
                "--convert-to", "pdf:writer_pdf_Export", "--outdir", out, *documents,
            ],
            env,
        )  # fmt: skip
        made = sorted(Path(out).glob("*.pdf"))
        if len(made) != len(documents):
            raise SystemExit(f"LibreOffice wrote {len(made)} of {len(documents)} PDFs")


def each_alone(soffice: str, documents: list[Path], env: dict[str, str]) -> None:
    for document in documents:
        soffice_call(soffice, [document], env)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        raise SystemExit("LibreOffice is not installed")
    commit = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
    ).stdout.strip()
    print(
        f"{time.strftime('%Y-%m-%d', time.gmtime())}, commit {commit or '?'}, "
        f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"{args.runs} runs each (wall seconds, whole processes)"
    )
    with tempfile.TemporaryDirectory() as work_name:
        work = Path(work_name)
        env = {**os.environ, "COLUMNS": "120", "HOME": str(work)}
        models, out = work / "models", work / "out"
        run([BRIEFING, "models", "install", *PACKAGES, "--models-dir", models], env)
        build: list[str | Path] = [
            BRIEFING, "build", *EXAMPLES, "--lang", "en,ja,ko", "--force", "--out", out,
            "--models-dir", models, "--tm", work / "memory.sqlite",
        ]  # fmt: skip
        run(build, env)
        documents = sorted(out.glob("*.docx"))
        print(f"{len(documents)} documents: {', '.join(d.name for d in documents)}")
        measured = {
            "build": timed(lambda: run(build, env), args.runs),
            "build --pdf": timed(lambda: run([*build, "--pdf"], env), args.runs),
            "soffice, 1 call": timed(lambda: soffice_call(soffice, documents, env), args.runs),
            f"soffice, {len(documents)} calls": timed(
                lambda: each_alone(soffice, documents, env), args.runs
            ),
        }
    print(f"{'':18} {'min':>7} {'median':>7} {'max':>7}")
    for name, walls in measured.items():
        print(f"{name:18} {min(walls):7.2f} {statistics.median(walls):7.2f} {max(walls):7.2f}")
    pdf_step = statistics.median(measured["build --pdf"]) - statistics.median(measured["build"])
    direct = statistics.median(measured["soffice, 1 call"])
    ratio = pdf_step / direct
    verdict = "ok" if ratio <= TARGET_RATIO else "over"
    print(
        f"PDF step (median build --pdf − median build): {pdf_step:.2f} s = {ratio:.2f}× one "
        f"direct call; target ≤ {TARGET_RATIO}×: {verdict}"
    )
    print(f"load average during the runs: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
