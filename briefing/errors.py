"""Errors meant for people: each names the file, the place in it, what was expected, and the fix."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# Exit status of a fault in briefing itself (sysexits.h EX_SOFTWARE): distinct from 1 (a model
# is missing) and 2 (bad input, or a document that could not be written).
INTERNAL_ERROR = 70
# Exit status when the reader of the output went away (`briefing config | head -1`): what a
# shell reports for a process that SIGPIPE ended (128 + 13), and no ordinary outcome's.
BROKEN_PIPE = 141

# Python's TOML and JSON parsers recurse once per level of brackets: a file nested a few
# thousand deep exhausts the stack (RecursionError) before anything can be checked.
TOO_DEEP = "nested too deeply to read (brackets, tables or elements hundreds of levels deep)"
TOO_LARGE = "too large to hold in memory while reading it"
DEEP_HINT = "No file briefing reads nests more than a few levels: is this the right file?"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input file, located as precisely as the input allows."""

    path: Path
    line: int | None
    column: int | None
    message: str
    hint: str = ""
    severity: str = "error"

    def location(self) -> str:
        if self.line is None:
            return str(self.path)
        if self.column is None:
            return f"{self.path}:{self.line}"
        return f"{self.path}:{self.line}:{self.column}"

    def __str__(self) -> str:
        text = f"{self.location()}: {self.severity}: {self.message}"
        if self.hint:
            text += f"\n    {self.hint}"
        return text


class BriefingError(Exception):
    """A failure the user can fix: printed without a traceback, exit status `exit_code`."""

    exit_code = 2

    def __init__(self, message: str, problems: list[Problem] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or []

    def __str__(self) -> str:
        lines = [self.args[0]] if self.args and self.args[0] else []
        lines += [str(p) for p in self.problems]
        return "\n".join(lines)


class InputError(BriefingError):
    """Bad input: a facts file, glossary, template or package that cannot be used as it is."""


@contextmanager
def reading(path: Path) -> Iterator[None]:
    """Parsing `path`: a file nested beyond the parser's stack, or beyond memory, is bad input
    named by its file (exit status 2), never an internal error."""
    try:
        yield
    except RecursionError:
        raise InputError("", [Problem(path, None, None, TOO_DEEP, DEEP_HINT)]) from None
    except MemoryError:
        raise InputError("", [Problem(path, None, None, TOO_LARGE, DEEP_HINT)]) from None


def json_value(text: str | bytes) -> Any:
    """json.loads, where nesting beyond the parser's stack is a ValueError like any other
    malformed JSON, so each reader's own handling of a damaged file applies to it."""
    import json  # here: every command imports this module, few read JSON

    try:
        return json.loads(text)
    except (RecursionError, MemoryError):
        raise ValueError(TOO_DEEP) from None
