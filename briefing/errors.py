"""Errors meant for people: each names the file, the place in it, what was expected, and the fix."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

# Exit status of a fault in briefing itself (sysexits.h EX_SOFTWARE): distinct from 1 (a model
# is missing) and 2 (bad input, or a document that could not be written).
INTERNAL_ERROR = 70


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
