"""`briefing --help` and each group's help print every command's one-line summary whole."""

from __future__ import annotations

from typing import Any

import pytest
import typer

from briefing.cli import app
from tests.conftest import invoke

WIDTH = 80  # a terminal's usual width: click fits the summaries to it


def commands(group: Any, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = []
    for name, command in group.commands.items():
        found.append((*path, name))
        if hasattr(command, "commands"):  # a group (typer carries its own click)
            found += commands(command, (*path, name))
    return found


ROOT: Any = typer.main.get_command(app)


@pytest.mark.parametrize("group", [(), ("models",), ("review",), ("memory",), ("glossary",)])
def test_summaries_are_printed_whole(group: tuple[str, ...]) -> None:
    result = invoke(*group, "--help", env={"COLUMNS": str(WIDTH)})
    assert result.returncode == 0, result.output
    listing = result.stdout.split("Commands:", 1)[1]
    assert "..." not in listing, listing
    node = ROOT
    for name in group:
        node = node.commands[name]
    for name, command in node.commands.items():
        summary = (command.help or "").split("\n\n", 1)[0].strip()
        assert summary and summary.endswith("."), f"{name}: {summary!r}"
        # one line in the listing, word for word
        assert f"{name} " in listing and summary in " ".join(listing.split()), (name, listing)


def test_every_command_has_a_one_line_summary_that_fits() -> None:
    longest = max(len(path[-1]) for path in commands(ROOT))
    limit = WIDTH - 6 - longest  # what click leaves for a summary beside the names
    for path in commands(ROOT):
        command = ROOT
        for name in path:
            command = command.commands[name]
        summary = (command.help or "").split("\n\n", 1)[0]
        assert "\n" not in summary.strip(), f"{' '.join(path)}: summary spans lines"
        assert len(summary) <= limit, f"{' '.join(path)}: {len(summary)} > {limit}"


def test_memory_is_one_group_that_says_all_it_does() -> None:
    result = invoke("--help", env={"COLUMNS": str(WIDTH)})
    lines = [line for line in result.stdout.splitlines() if line.strip().startswith("memory ")]
    assert len(lines) == 1, lines
    assert "TMX" in lines[0] and "copy" in lines[0]
    sub = invoke("memory", "--help", env={"COLUMNS": str(WIDTH)})
    for name in ("export", "import", "stats", "copy"):
        assert f"  {name} " in sub.stdout
