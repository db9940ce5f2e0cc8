"""Virtual environments of their own for the tools the tests run beside briefing (LibreTranslate,
the Open XML SDK), built once per machine under `~/.cache/briefing-tests/` (or
`$BRIEFING_TEST_CACHE`) and reused."""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path


def cache_root() -> Path:
    """Where built test environments are kept between runs."""
    configured = os.environ.get("BRIEFING_TEST_CACHE")
    return Path(configured) if configured else Path.home() / ".cache" / "briefing-tests"


def cached_environment(
    venv: Path,
    requirements: Sequence[str],
    *,
    log: Path | None = None,
    check: Callable[[Path], None] | None = None,
) -> Path:
    """The Python of the virtual environment `venv` with `requirements`, built on first use.

    A lock file keeps two test runs on one machine from building it at once; a marker written
    last (after `check`, given the environment's Python, has passed) means a half-built
    environment (an interrupted pip) is built again next time. pip's output goes to `log` when
    given; otherwise its last line is in the error.
    """
    python = venv / "bin" / "python"
    marker = venv / ".complete"
    venv.parent.mkdir(parents=True, exist_ok=True)
    with open(venv.parent / f"{venv.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if marker.exists() and python.exists():
            return python
        shutil.rmtree(venv, ignore_errors=True)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        with open(log, "w") if log else contextlib.nullcontext(subprocess.PIPE) as output:
            installed = subprocess.run(
                [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
                + list(requirements),
                stdout=output,
                stderr=subprocess.STDOUT,
                text=True,
            )
        if installed.returncode != 0:
            said = (
                f"see {log}"
                if log
                else (installed.stdout.strip().splitlines() or ["(no output)"])[-1]
            )
            raise RuntimeError(f"pip could not install {' '.join(requirements)}: {said}")
        if check:
            check(python)
        marker.write_text("\n".join(requirements) + "\n")
        return python
