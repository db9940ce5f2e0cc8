"""Faults of the output folder, made real: a folder that cannot exist, a read-only or full file
system, a write cut off by the kernel midway. Each gives a clear error and exit 2; the document
that was there before is intact and no temporary file is left.

The read-only and full file systems are small tmpfs mounts, which need root with the right to
mount; where that is not given (an unprivileged container) those two tests are skipped. The
write cut off midway (a file-size limit, EFBIG) needs no privileges and always runs.
"""

from __future__ import annotations

import contextlib
import os
import resource
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.conftest import GLOSSARY, NARA, Result, run_cli

DOCUMENT = f"{NARA.stem}.en.docx"


# Under `make coverage` a child process saves its measurements when it exits; one whose files
# are cut off at a few kilobytes cannot, and coverage.py would print its own traceback.
NOT_MEASURED = {"COVERAGE_PROCESS_CONFIG": "", "COVERAGE_PROCESS_START": ""}


def run_build(
    facts: Path, out: Path, cwd: Path, preexec: Callable[[], None] | None = None
) -> Result:
    args = ("build", facts, "--lang", "en", "--out", out, "--glossary", GLOSSARY)
    env = {"HOME": str(cwd), **(NOT_MEASURED if preexec else {})}
    return run_cli(*args, cwd=cwd, env=env, timeout=120, preexec_fn=preexec)


def assert_clear_failure(result: Result, *expected: str) -> None:
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert "internal error" not in result.stderr, result.stderr
    for fragment in expected:
        assert fragment in result.stderr, result.stderr


def changed_facts(folder: Path) -> Path:
    """The example with one statement changed, so a rebuild must write different bytes."""
    facts = folder / NARA.name
    facts.write_text(
        NARA.read_text(encoding="utf-8").replace("hosted President", "welcomed President"),
        encoding="utf-8",
    )
    return facts


def temporary_files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp") or ".docx." in p.name)


@contextlib.contextmanager
def tmpfs(mount_point: Path, size: int) -> Iterator[Path]:
    """A tmpfs of `size` bytes at `mount_point`, or skip the test where mounting is not allowed."""
    mount_point.mkdir()
    result = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs", str(mount_point)],
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {result.stderr.strip()}")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], check=False)


# ---------------------------------------------------------------- folders that cannot be made


@pytest.mark.parametrize(
    "where",
    ["under a regular file", "in /proc", "is a regular file"],
)
def test_output_folder_that_cannot_be_made_is_a_clear_error(tmp_path: Path, where: str) -> None:
    blocker = tmp_path / "notes.txt"
    blocker.write_text("someone's notes\n", encoding="utf-8")
    out = {
        "under a regular file": blocker / "out",
        "in /proc": Path("/proc") / f"briefing-out-{os.getpid()}",
        "is a regular file": blocker,
    }[where]

    result = run_build(NARA, out, tmp_path)

    assert_clear_failure(result, "cannot write to the output folder", str(out), "--out")
    assert blocker.read_text(encoding="utf-8") == "someone's notes\n"
    if where == "is a regular file":  # said as it is, not as the system's "File exists"
        assert "it is a file, not a folder" in result.stderr
    assert not out.exists() or out == blocker


# ------------------------------------------------------------------ writes that fail midway


def test_write_cut_off_by_a_file_size_limit_keeps_the_old_document(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert run_build(NARA, out, tmp_path).returncode == 0
    old = (out / DOCUMENT).read_bytes()
    assert len(old) > 20_000

    def limit_file_size() -> None:  # Python ignores SIGXFSZ, so the write fails with EFBIG
        resource.setrlimit(resource.RLIMIT_FSIZE, (16_384, 16_384))

    result = run_build(changed_facts(tmp_path), out, tmp_path, preexec=limit_file_size)

    assert_clear_failure(result, "failed", str(out / DOCUMENT), "File too large")
    assert (out / DOCUMENT).read_bytes() == old
    assert temporary_files(out) == []


def test_full_file_system_keeps_the_old_document(tmp_path: Path) -> None:
    scratch = tmp_path / "scratch"
    assert run_build(NARA, scratch, tmp_path).returncode == 0
    size = (scratch / DOCUMENT).stat().st_size
    # Room for the old document and a little more, not for a second copy beside it.
    with tmpfs(tmp_path / "small", (size + size // 2) // 4096 * 4096 + 4096) as out:
        assert run_build(NARA, out, tmp_path).returncode == 0
        old = (out / DOCUMENT).read_bytes()

        result = run_build(changed_facts(tmp_path), out, tmp_path)

        assert_clear_failure(result, str(out / DOCUMENT), "No space left on device")
        assert (out / DOCUMENT).read_bytes() == old
        assert temporary_files(out) == []


def test_read_only_file_system_is_a_clear_error(tmp_path: Path) -> None:
    with tmpfs(tmp_path / "ro", 1024 * 1024) as out:
        assert run_build(NARA, out, tmp_path).returncode == 0
        old = (out / DOCUMENT).read_bytes()
        subprocess.run(["mount", "-o", "remount,ro", str(out)], check=True)

        result = run_build(changed_facts(tmp_path), out, tmp_path)

        assert_clear_failure(result, "cannot write to the output folder", "Read-only file system")
        assert (out / DOCUMENT).read_bytes() == old
        assert temporary_files(out) == []
