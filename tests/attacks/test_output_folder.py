"""Attacks on the output folder: names that collide, links planted where briefing writes its
lock, manifest and temporary files, documents that cannot be replaced, a disk that fills while
the manifest is saved.

Every build runs in a child process, as a user runs it, with a time limit and a memory limit, so
that a regression fails the test instead of exhausting the machine. Faults are real: links,
permissions, the immutable attribute and a full tmpfs (the last two need root and are skipped
where they are not allowed).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import resource
import stat
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Protocol

import docx
import pytest

from tests.conftest import GLOSSARY, NARA, Result, run_cli
from tests.test_faults import tmpfs

MEMORY_LIMIT = 3 * 1024**3  # bytes of address space for a build: about ten times what one uses
TIME_LIMIT = 60.0
DOCUMENT = f"{NARA.stem}.en.docx"
MANIFEST = ".briefing-manifest.json"
LOCK = ".briefing.lock"


def limited() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def build(*facts: Path, out: Path, cwd: Path, extra: tuple[str, ...] = ()) -> Result:
    """`briefing build FACTS --lang en --out OUT` under the time and memory limits."""
    return run_cli(
        "build",
        *facts,
        "--lang",
        "en",
        "--out",
        out,
        "--glossary",
        GLOSSARY,
        *extra,
        cwd=cwd,
        env={"HOME": str(cwd)},
        timeout=TIME_LIMIT,
        preexec_fn=limited,
    )


def assert_clear_error(result: Result, *fragments: str) -> None:
    """Exit 2, no traceback, not an internal error, and every fragment in the message."""
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    assert "internal error" not in result.stderr, result.stderr
    message = " ".join(result.stderr.split())
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} not in: {message}"


def documents(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.glob("*.docx")) if folder.is_dir() else []


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


class FactsFile(Protocol):
    def __call__(self, path: Path, title: str = ...) -> Path: ...


@pytest.fixture
def facts_file(
    tmp_path: Path, minimal_facts: dict[str, Any], facts_yaml: Callable[[object], str]
) -> FactsFile:
    """A valid facts file at `path`, its event titled `title` (each input tells itself apart)."""

    def write(path: Path, title: str = "Test Summit Meeting") -> Path:
        data = json.loads(json.dumps(minimal_facts))
        data["event"]["title"] = title
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(facts_yaml(data), encoding="utf-8")
        return path

    return write


# --------------------------------------------------------------- outputs that would collide


@pytest.mark.parametrize(
    "names, layout",
    [
        (("a/event.yaml", "b/event.yaml"), "single"),
        (("a/event.yaml", "b/event.yml"), "single"),
        (("a/event.yaml", "b/event.yaml"), "both"),
        # one file on Windows and macOS, whose file systems ignore case
        (("a/Event.yaml", "b/event.yaml"), "single"),
    ],
    ids=["same name", "yml and yaml", "parallel layout", "differ in case"],
)
def test_two_inputs_with_one_output_are_refused_before_anything_is_written(
    tmp_path: Path, facts_file: FactsFile, names: tuple[str, str], layout: str
) -> None:
    first = facts_file(tmp_path / names[0], "First Meeting")
    second = facts_file(tmp_path / names[1], "Second Meeting")
    out = tmp_path / "o"

    result = build(first, second, out=out, cwd=tmp_path, extra=("--layout", layout))

    target = out / f"{first.stem}.en.docx"
    assert_clear_error(result, str(first), str(second), str(target))
    assert documents(out) == []
    assert not (out / MANIFEST).exists()


def test_the_same_input_named_twice_is_built_once(tmp_path: Path, facts_file: FactsFile) -> None:
    facts = facts_file(tmp_path / "a" / "event.yaml")
    out = tmp_path / "o"

    result = build(facts, tmp_path / "a" / ".." / "a" / "event.yaml", out=out, cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    assert documents(out) == ["event.en.docx"]
    rows = [line for line in result.stderr.splitlines() if line.startswith("│ event.yaml")]
    assert len(rows) == 1, result.stderr  # one document in the report, not one per mention


# ------------------------------------------------------------------- links planted in OUT


@pytest.mark.parametrize("target_exists", [False, True], ids=["dangling", "to a file"])
def test_symlinked_lock_is_refused_and_nothing_is_made_or_changed_elsewhere(
    tmp_path: Path, target_exists: bool
) -> None:
    out = tmp_path / "shared-out"
    out.mkdir()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    victim = elsewhere / "victim.txt"
    if target_exists:
        victim.write_text("someone's file\n", encoding="utf-8")
    (out / LOCK).symlink_to(victim)

    result = build(NARA, out=out, cwd=tmp_path)

    assert_clear_error(result, str(out / LOCK), "symbolic link", "remove it")
    if target_exists:
        assert victim.read_text(encoding="utf-8") == "someone's file\n"
    else:
        assert not victim.exists()
    assert (out / LOCK).is_symlink()
    assert documents(out) == []


@pytest.mark.parametrize(
    "planted", ["/dev/zero", "fifo", "secret"], ids=["endless device", "fifo", "file outside"]
)
def test_symlinked_manifest_is_never_read_through(tmp_path: Path, planted: str) -> None:
    """A link to an endless device would exhaust memory and a FIFO would block forever."""
    out = tmp_path / "shared-out"
    out.mkdir()
    if planted == "fifo":
        target = tmp_path / "pipe"
        os.mkfifo(target)
    elif planted == "secret":
        target = tmp_path / "secret.json"
        target.write_text('{"documents": {}}', encoding="utf-8")
    else:
        target = Path(planted)
    (out / MANIFEST).symlink_to(target)

    result = build(NARA, out=out, cwd=tmp_path)

    assert_clear_error(result, str(out / MANIFEST), "symbolic link", "remove it")
    assert documents(out) == []
    if planted == "secret":
        assert target.read_text(encoding="utf-8") == '{"documents": {}}'


def test_manifest_that_is_not_a_regular_file_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "shared-out"
    out.mkdir()
    os.mkfifo(out / MANIFEST)

    result = build(NARA, out=out, cwd=tmp_path)

    assert_clear_error(result, str(out / MANIFEST), "not a regular file")
    assert documents(out) == []


def test_links_named_like_leftover_temporary_files_are_not_followed(tmp_path: Path) -> None:
    out = tmp_path / "shared-out"
    out.mkdir()
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me\n", encoding="utf-8")
    planted = out / f".{DOCUMENT}.abcd1234.tmp"
    planted.symlink_to(victim)

    result = build(NARA, out=out, cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    assert victim.read_text(encoding="utf-8") == "keep me\n"
    assert documents(out) == [DOCUMENT]


# ------------------------------------------------------------ documents that cannot be replaced


def changed(tmp_path: Path) -> Path:
    """The example with one statement changed, so that the rebuild writes new bytes."""
    facts = tmp_path / NARA.name
    text = NARA.read_text(encoding="utf-8")
    assert "hosted President" in text
    facts.write_text(text.replace("hosted President", "welcomed President"), encoding="utf-8")
    return facts


def test_read_only_document_is_not_replaced(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert build(NARA, out=out, cwd=tmp_path).returncode == 0
    document = out / DOCUMENT
    old = document.read_bytes()
    document.chmod(0o444)

    result = build(changed(tmp_path), out=out, cwd=tmp_path)

    assert_clear_error(result, str(document), "read-only", "permissions")
    assert document.read_bytes() == old
    assert stat.S_IMODE(document.stat().st_mode) == 0o444
    assert leftovers(out) == []


@contextlib.contextmanager
def immutable(path: Path) -> Iterator[None]:
    """The file system's immutable attribute (chattr +i): not even root may replace the file."""
    made = subprocess.run(["chattr", "+i", str(path)], capture_output=True, text=True)
    if made.returncode != 0:
        pytest.skip(f"cannot make a file immutable here: {made.stderr.strip()}")
    try:
        yield
    finally:
        subprocess.run(["chattr", "-i", str(path)], check=False)


def test_immutable_document_is_a_clear_error_and_stays(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert build(NARA, out=out, cwd=tmp_path).returncode == 0
    document = out / DOCUMENT
    old = document.read_bytes()

    with immutable(document):
        result = build(changed(tmp_path), out=out, cwd=tmp_path)

    assert_clear_error(result, str(document), "cannot be replaced", "permissions")
    assert document.read_bytes() == old
    assert leftovers(out) == []


def test_one_document_that_cannot_be_replaced_does_not_stop_the_others(
    tmp_path: Path, facts_file: FactsFile
) -> None:
    first = facts_file(tmp_path / "first.yaml", "First Meeting")
    second = facts_file(tmp_path / "second.yaml", "Second Meeting")
    out = tmp_path / "out"
    assert build(first, second, out=out, cwd=tmp_path).returncode == 0
    (out / "first.en.docx").chmod(0o444)
    facts_file(first, "First Meeting, revised")
    facts_file(second, "Second Meeting, revised")

    result = build(first, second, out=out, cwd=tmp_path)

    assert_clear_error(result, str(out / "first.en.docx"), "read-only")
    title = docx.Document(str(out / "second.en.docx")).core_properties.title
    assert title == "Second Meeting, revised"


# ------------------------------------------------------------- a disk that fills at the manifest


def pages(size: int) -> int:
    return -(-size // 4096) * 4096


def manifest_matches_documents(out: Path) -> None:
    """Every document the manifest lists has the bytes it records: nothing stale is trusted."""
    if not (out / MANIFEST).exists():
        return
    recorded = json.loads((out / MANIFEST).read_text(encoding="utf-8"))["documents"]
    for name, entry in recorded.items():
        data = (out / name).read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry["sha256"], name


def test_disk_full_while_the_manifest_is_saved_is_a_clear_error(tmp_path: Path) -> None:
    scratch = tmp_path / "scratch"
    assert build(NARA, out=scratch, cwd=tmp_path).returncode == 0
    size = (scratch / DOCUMENT).stat().st_size
    extra = sum(pages(p.stat().st_size) for p in scratch.iterdir() if p.name == LOCK)
    total = 1024 * 1024
    with tmpfs(tmp_path / "small", total) as out:
        # Leave room for exactly the document (and the lock's contents, if any): the manifest
        # written after it finds the disk full.
        (out / "filler").write_bytes(b"\0" * (total - pages(size) - extra))

        result = build(NARA, out=out, cwd=tmp_path)

        assert_clear_error(result, str(out), "disk is full", "free some space")
        assert documents(out) == [DOCUMENT]
        assert docx.Document(str(out / DOCUMENT)).core_properties.title
        manifest_matches_documents(out)
        assert leftovers(out) == []

        (out / "filler").unlink()
        again = build(NARA, out=out, cwd=tmp_path)
        assert again.returncode == 0, again.stderr
        manifest_matches_documents(out)
        assert DOCUMENT in json.loads((out / MANIFEST).read_text(encoding="utf-8"))["documents"]
