"""Every file briefing reads as input is a regular file: a named pipe would block open() (and
`build --watch` with it, for good), a device never end. Each is refused by name, with exit 2,
in bounded time; only a facts file named on the command line may be a pipe (`<(…)`), read up
to its size limit (tests/attacks/test_facts.py).

Every command runs in a child process with a time limit, so a regression fails, not hangs.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.conftest import NARA, ROOT, _facts_yaml, _minimal_facts
from tests.test_hostile_input import assert_clear_error, run_briefing

if not hasattr(os, "mkfifo"):
    pytest.skip("named pipes are POSIX-only", allow_module_level=True)

TIMEOUT = 60  # far more than any refusal takes; a blocked reader would take for ever


def fifo(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    os.mkfifo(path)
    return path


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """A workspace with one facts file in its sources folder."""
    root = tmp_path / "ws"
    (root / "sources").mkdir(parents=True)
    (root / "briefing.toml").write_text("", encoding="utf-8")
    (root / "sources" / "summit.yaml").write_text(_facts_yaml(_minimal_facts()), "utf-8")
    return root


@pytest.mark.parametrize("command", [["validate"], ["build", "--lang", "en"]])
def test_a_named_pipe_in_the_sources_folder_is_refused(workspace: Path, command: list[str]) -> None:
    pipe = fifo(workspace / "sources" / "stray.yaml")
    result = run_briefing(*command, cwd=workspace, timeout=TIMEOUT)
    assert_clear_error(
        result, str(Path("sources") / "stray.yaml"), "not a regular file (a named pipe)"
    )
    assert pipe.exists()


def test_a_named_pipe_as_glossary_is_refused(workspace: Path) -> None:
    fifo(workspace / "sources" / "glossary.yaml")
    result = run_briefing("validate", "sources/summit.yaml", cwd=workspace, timeout=TIMEOUT)
    assert_clear_error(result, "glossary.yaml", "not a regular file (a named pipe)")
    pipe = fifo(workspace / "terms.yaml")
    result = run_briefing("glossary", "check", pipe, cwd=workspace, timeout=TIMEOUT)
    assert_clear_error(result, "terms.yaml", "not a regular file (a named pipe)")


def test_a_named_pipe_as_briefing_toml_is_refused(workspace: Path) -> None:
    (workspace / "briefing.toml").unlink()
    fifo(workspace / "briefing.toml")
    result = run_briefing("validate", cwd=workspace, timeout=TIMEOUT)
    assert_clear_error(result, "briefing.toml", "not a regular file (a named pipe)")


def test_a_facts_file_event_glossary_that_is_a_pipe_is_refused(workspace: Path) -> None:
    fifo(workspace / "sources" / "summit.glossary.yaml")
    result = run_briefing("validate", "sources/summit.yaml", cwd=workspace, timeout=TIMEOUT)
    assert_clear_error(result, "summit.glossary.yaml", "not a regular file (a named pipe)")


@pytest.mark.parametrize("kind", ["pipe", "device"])
def test_memory_import_refuses_a_pipe_and_a_device(tmp_path: Path, kind: str) -> None:
    """`memory import /dev/zero` read until memory ran out; a FIFO blocked for ever."""
    source = fifo(tmp_path / "in.tmx") if kind == "pipe" else Path("/dev/zero")
    tm = tmp_path / "memory.sqlite"
    args = ("memory", "import", source, "--tm", tm, "--reviewer", "Kim")
    result = run_briefing(*args, cwd=tmp_path, timeout=TIMEOUT)
    assert_clear_error(
        result, str(source), "(a named pipe)" if kind == "pipe" else "(a character device)"
    )


@pytest.mark.parametrize("kind", ["pipe", "device"])
def test_review_import_refuses_a_pipe_and_a_device(tmp_path: Path, kind: str) -> None:
    source = fifo(tmp_path / "review.xliff") if kind == "pipe" else Path("/dev/zero")
    args = ("review", "import", source, "--tm", tmp_path / "m.sqlite", "--reviewer", "Kim")
    result = run_briefing(*args, cwd=tmp_path, timeout=TIMEOUT)
    assert_clear_error(
        result, str(source), "(a named pipe)" if kind == "pipe" else "(a character device)"
    )


def test_models_install_refuses_a_pipe(tmp_path: Path) -> None:
    pipe = fifo(tmp_path / "translate-en_ja.argosmodel")
    args = ("models", "install", pipe, "--models-dir", tmp_path / "models")
    result = run_briefing(*args, cwd=tmp_path, timeout=TIMEOUT)
    assert_clear_error(result, str(pipe), "not a regular file (a named pipe)")


def test_a_template_file_that_is_a_pipe_is_refused(tmp_path: Path) -> None:
    template = tmp_path / "mine"
    shutil.copytree(ROOT / "templates" / "summit", template)
    (template / "document.xml.j2").unlink()
    fifo(template / "document.xml.j2")
    args = ("build", NARA, "--lang", "en", "--template", template, "--out", tmp_path / "out")
    result = run_briefing(*args, cwd=tmp_path, timeout=TIMEOUT)
    assert_clear_error(result, "document.xml.j2", "not a regular file (a named pipe)")
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").glob("*.docx"))
