"""What every command shares: the two consoles, the debug switch, printing located problems."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape

from briefing.errors import Problem

err = Console(stderr=True, highlight=False, soft_wrap=True)
out = Console(highlight=False, soft_wrap=True)
state = {"debug": False}

INTERRUPTED = "interrupted; documents already written are complete, none is half-written"


def print_problems(problems: list[Problem]) -> None:
    for problem in problems:
        colour = "red" if problem.severity == "error" else "yellow"
        where = escape(f"{problem.location()}: {problem.severity}:")
        err.print(f"[{colour}]{where}[/] {escape(problem.message)}")
        if problem.hint:
            err.print(f"    {escape(problem.hint)}")
