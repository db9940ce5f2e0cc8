"""What a build reports: each document's outcome, the problems of its inputs, the models it
lacked. Plain data that the command line prints as a table, as JSON and as an exit status.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

from briefing.errors import INTERNAL_ERROR, Problem
from briefing.facts.check import CheckedFacts
from briefing.translation.interface import LanguageUnavailable


class DocumentStatus(str, Enum):
    """What became of a document; the value is the word the table and the JSON report print."""

    written = "written"
    unchanged = "unchanged"  # its inputs had not changed: the file was left as it was
    failed = "failed"
    missing_model = "missing-model"  # no model installed for its language
    unavailable = "unavailable"  # the engine cannot translate into its language
    # of a changes document (OUT/<stem>.<lang>.changes.docx)
    no_changes = "no changes"  # none since the version compared with: none written
    first_version = "first version"  # no earlier version to compare with yet
    # of a release (build --release)
    sent = "sent"  # the version written is marked as sent

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class KeptName:
    """A name the term base lacks, printed in English and marked: where, and the entry to add."""

    english: str
    field: str  # e.g. participants[0].name
    location: str  # file:line:column in the facts file
    entry: dict[str, str]  # the glossary entry to add, official forms left empty


def kept_names(checked: CheckedFacts) -> list[KeptName]:
    """The names of a facts file that its target-language documents print in English."""
    kept = []
    for item in checked.coverage.missing:
        line, column = checked.source.position(item.loc)
        where = f"{checked.path}:{line}:{column}" if line else str(checked.path)
        kept.append(KeptName(item.english, item.field, where, item.entry()))
    return kept


@dataclass
class DocumentOutcome:
    source: Path
    lang: str
    path: Path | None
    status: DocumentStatus
    detail: str = ""
    internal: bool = False  # failed through a fault in briefing itself, not in its input
    trace: str = ""  # the traceback of an internal failure, shown with --debug
    from_memory: int = 0
    from_machine: int = 0
    flagged: int = 0
    flagged_texts: list[str] = field(default_factory=list)  # English source of each flagged text
    # each flagged text's problems, "check: detail" (translation/checks.py, or terms)
    flagged_problems: dict[str, list[str]] = field(default_factory=dict)
    kept_in_english: list[KeptName] = field(default_factory=list)
    since: int | None = None  # a changes document: the version it compares with
    counts: tuple[int, int, int] | None = None  # … statements, participants, sources changed

    @property
    def flagged_by_check(self) -> dict[str, int]:
        """Flagged sentences per failed check, e.g. {"numbers": 2, "terms": 1}."""
        counts: dict[str, int] = {}
        for problems in self.flagged_problems.values():
            for problem in problems:
                name = problem.split(":", 1)[0]
                counts[name] = counts.get(name, 0) + 1
        return counts


@dataclass
class BuildReport:
    documents: list[DocumentOutcome] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    missing: list[LanguageUnavailable] = field(default_factory=list)
    # each name the term base lacks, where the facts use it: the detail of the JSON report,
    # said on the terminal once per name by the documents that print it (`kept_in_english`)
    name_warnings: list[Problem] = field(default_factory=list)

    def said(self) -> list[DocumentOutcome]:
        """The documents whose names and flagged texts are worth saying: those this build
        wrote or refused. An unchanged or skipped document says nothing beyond its status."""
        shown = (DocumentStatus.written, DocumentStatus.failed)
        return [d for d in self.documents if d.status in shown]

    @property
    def exit_code(self) -> int:
        if any(d.internal for d in self.documents):
            return INTERNAL_ERROR
        if any(p.severity == "error" for p in self.problems) or any(
            d.status == DocumentStatus.failed for d in self.documents
        ):
            return 2
        return 1 if self.missing else 0
