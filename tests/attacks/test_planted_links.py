"""Symbolic links planted where briefing writes its files: never written through.

A link where `briefing init` (or `briefing new`, or a build's --report) writes counts as a file
that is there; --force replaces the link itself, and what it points to stays as it was. A
sources or out folder that is a link leading out of the workspace is refused by init.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.conftest import _facts_yaml, _minimal_facts, invoke

PRECIOUS = "someone else's file\n"


def planted(link: Path, target: Path, content: str | None = PRECIOUS) -> Path:
    """A link at `link` to `target`, which holds `content` (None: does not exist)."""
    if content is not None:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content)
    link.parent.mkdir(parents=True, exist_ok=True)
    os.symlink(target, link)
    return link


@pytest.fixture
def elsewhere(tmp_path: Path) -> Path:
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    return folder


def test_a_link_planted_as_briefing_toml_stops_init(tmp_path: Path, elsewhere: Path) -> None:
    workspace = tmp_path / "ws"
    planted(workspace / "briefing.toml", elsewhere / "settings", content=None)
    result = invoke("init", workspace)
    assert result.returncode == 2, result.output
    assert "is a symbolic link" in result.stderr and "--force" in result.stderr
    assert list(elsewhere.iterdir()) == []


@pytest.mark.parametrize(
    "name", ["briefing.toml", ".gitignore", "facts.schema.json", "briefing.schema.json"]
)
def test_force_replaces_a_planted_link_never_its_target(
    tmp_path: Path, elsewhere: Path, name: str
) -> None:
    workspace = tmp_path / "ws"
    link = planted(workspace / name, elsewhere / "target")
    result = invoke("init", workspace, "--force")
    assert result.returncode == 0, result.output
    assert (elsewhere / "target").read_text() == PRECIOUS
    assert not link.is_symlink() and link.is_file() and link.read_text() != PRECIOUS


def test_without_force_a_planted_link_is_kept_as_a_file_that_is_there(
    tmp_path: Path, elsewhere: Path
) -> None:
    workspace = tmp_path / "ws"
    links = [planted(workspace / ".gitignore", elsewhere / "gitignore", content=None)]
    links.append(planted(workspace / "glossary.yaml", elsewhere / "glossary"))
    result = invoke("init", workspace)
    assert result.returncode == 0, result.output
    assert sorted(p.name for p in elsewhere.iterdir()) == ["glossary"]
    assert (elsewhere / "glossary").read_text() == PRECIOUS
    assert all(link.is_symlink() for link in links)
    assert "kept" in result.stdout


@pytest.mark.parametrize("folder", ["sources", "out"])
def test_a_workspace_folder_linked_outside_is_refused(
    tmp_path: Path, elsewhere: Path, folder: str
) -> None:
    workspace = tmp_path / "ws"
    workspace.mkdir()
    os.symlink(elsewhere, workspace / folder)
    for force in ([], ["--force"]):
        result = invoke("init", workspace, *force)
        assert result.returncode == 2, result.output
        assert f"{folder} is a symbolic link to {elsewhere}" in result.stderr
        assert "outside the workspace" in result.stderr
    assert list(elsewhere.iterdir()) == []
    assert sorted(p.name for p in workspace.iterdir()) == [folder]


def test_a_workspace_folder_linked_inside_it_is_fine(tmp_path: Path) -> None:
    workspace = tmp_path / "ws"
    (workspace / "facts").mkdir(parents=True)
    os.symlink("facts", workspace / "sources")
    result = invoke("init", workspace)
    assert result.returncode == 0, result.output
    assert (workspace / "facts" / "first-event.yaml").is_file()


def test_new_does_not_write_through_a_planted_link(tmp_path: Path, elsewhere: Path) -> None:
    sources = tmp_path / "sources"
    link = planted(sources / "visit.yaml", elsewhere / "visit", content=None)
    result = invoke("new", "visit", "--dir", sources)
    assert result.returncode == 2, result.output
    assert "already exists" in result.stderr
    assert list(elsewhere.iterdir()) == []
    result = invoke("new", "visit", "--dir", sources, "--force")
    assert result.returncode == 0, result.output
    assert list(elsewhere.iterdir()) == []
    assert not link.is_symlink() and "event:" in link.read_text(encoding="utf-8")


def test_the_build_report_replaces_a_planted_link(tmp_path: Path, elsewhere: Path) -> None:
    facts = tmp_path / "summit.yaml"
    facts.write_text(_facts_yaml(_minimal_facts()), encoding="utf-8")
    report = planted(tmp_path / "report.json", elsewhere / "report")
    args: list[str | Path] = ["build", facts, "--lang", "en", "--out", tmp_path / "out"]
    result = invoke(*args, "--report", report)
    assert result.returncode == 0, result.output
    assert (elsewhere / "report").read_text() == PRECIOUS
    assert not report.is_symlink() and '"documents"' in report.read_text(encoding="utf-8")


@pytest.mark.parametrize("folder", ["sources", "out"])
def test_a_workspace_folder_that_is_a_file_or_a_dangling_link_is_refused(
    tmp_path: Path, folder: str
) -> None:
    """It was an internal error (FileExistsError) for out/, and for sources/ a message
    about the starter file."""
    for kind in ("link", "file"):
        workspace = tmp_path / kind
        workspace.mkdir()
        if kind == "link":
            os.symlink("nowhere", workspace / folder)
        else:
            (workspace / folder).write_text(PRECIOUS)
        result = invoke("init", workspace, "--force")
        assert result.returncode == 2, result.output
        assert f"{folder} is there but is not a folder" in result.stderr
        assert sorted(p.name for p in workspace.iterdir()) == [folder]


@pytest.mark.parametrize("victim", ["facts", "glossary", "manifest", "document", "notes"])
def test_the_build_report_never_replaces_a_file_that_is_not_a_report(
    tmp_path: Path, victim: str
) -> None:
    """--report given the facts file's name (a slip of the shell's completion) replaced the
    facts with JSON; now only a new file or an earlier report is written, checked before the
    build."""
    facts = tmp_path / "event.yaml"
    facts.write_text(_facts_yaml(_minimal_facts()), encoding="utf-8")
    out = tmp_path / "out"
    args = ("build", facts, "--lang", "en", "--out", out)
    first = invoke(*args, "--report", tmp_path / "report.json")
    assert first.returncode == 0, first.output
    (tmp_path / "terms").mkdir()
    (tmp_path / "terms" / "glossary.yaml").write_text("terms: []\n", encoding="utf-8")
    (tmp_path / "notes.txt").write_text(PRECIOUS, encoding="utf-8")
    target = {
        "facts": facts,
        "glossary": tmp_path / "terms" / "glossary.yaml",
        "manifest": out / ".briefing-manifest.json",
        "document": out / "event.en.docx",
        "notes": tmp_path / "notes.txt",
    }[victim]
    before = target.read_bytes()
    result = invoke(*args, "--force", "--report", target)
    assert result.returncode == 2, result.output
    assert f"will not write the report to {target}" in result.stderr
    assert "not a report of briefing build" in result.stderr
    assert target.read_bytes() == before
    again = invoke(*args, "--force", "--report", tmp_path / "report.json")  # an earlier report
    assert again.returncode == 0, again.output
