"""What a build shows: progress bars, the table of documents, the problems, the JSON report,
and the PDFs written beside the documents.

Like the build command, it imports rich and the stages only when called.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, cast

from briefing.cli.common import err, escape, state
from briefing.errors import InputError

if TYPE_CHECKING:
    from rich.progress import Progress

    from briefing.report import BuildReport, KeptName


class RichProgress:
    """Progress bars on the terminal; silent when output is not a terminal."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress

    @contextlib.contextmanager
    def task(self, description: str, total: int) -> Iterator[object]:
        task_id = self.progress.add_task(description, total=total)
        try:
            yield task_id
        finally:
            self.progress.update(task_id, completed=total, visible=True)

    def advance(self, task: object, amount: int = 1) -> None:
        from rich.progress import TaskID

        self.progress.advance(cast(TaskID, task), amount)


def print_report(report: BuildReport) -> None:
    from rich.table import Table

    if report.documents:
        table = Table(title="Build")
        # On a narrow terminal a long file name folds; words and numbers never break.
        table.add_column("facts", overflow="fold", min_width=12)
        for column in ("lang", "result", "memory", "machine", "flagged", "in English"):
            table.add_column(column, no_wrap=True)
        table.add_column("checks failed", overflow="fold")
        for d in report.documents:
            table.add_row(
                d.source.name,
                d.lang,
                d.status,
                str(d.from_memory),
                str(d.from_machine),
                str(d.flagged),
                str(len(d.kept_in_english)),
                ", ".join(f"{name} {count}" for name, count in d.flagged_by_check.items()),
            )
        console = err.console()
        if not console.is_terminal:  # a log file or pipe has no width to keep to
            console.width = max(console.width, 160)
        console.print(table)
    print_changes(report)
    for d in report.documents:
        if d.detail:
            err.print(f"[red]{escape(d.status)}[/] {d.source.name} ({d.lang}): {escape(d.detail)}")
        if d.internal:
            print_internal(d.trace)
    for d in report.said():
        for text in d.flagged_texts:
            shown = text if len(text) <= 90 else text[:87] + "…"
            why = "; ".join(d.flagged_problems.get(text, []))
            err.print(
                f"[yellow]flagged for review[/] {d.source.name} ({d.lang}): {escape(shown)}"
                + (escape(f" [{why}]") if why else "")
            )
    print_kept(report)
    from briefing.translation.interface import MissingModel

    for missing in report.missing:
        if not isinstance(missing, MissingModel):
            err.print(
                f"[yellow]{escape(str(missing))};"
                f" the {missing.target} documents were not written.[/]"
                + (f"\n    {escape(missing.advice)}" if missing.advice else "")
            )
            continue
        err.print(
            f"[yellow]No {missing.source}→{missing.target} translation model is installed;"
            f" the {missing.target} documents were not written.[/]\n"
            f"    Install it with:  briefing models install {missing.target}\n"
            f"    or from a file:   briefing models install PATH/TO/translate-"
            f"{missing.source}_{missing.target}.argosmodel"
        )


def print_kept(report: BuildReport) -> None:
    """Each name a document written prints in English, once per facts file, with the
    languages that print it and the entry to add (the JSON report lists it per document)."""
    languages: dict[tuple[str, str, str], tuple[KeptName, list[str]]] = {}
    for d in report.said():
        for kept in d.kept_in_english:
            key = (d.source.name, kept.location, kept.english)
            languages.setdefault(key, (kept, []))[1].append(d.lang)
    for (name, _, _), (kept, langs) in languages.items():
        entry = ", ".join(f"{key}: {value or '…'}" for key, value in kept.entry.items())
        err.print(
            f"[yellow]kept in English[/] {escape(name)} ({escape(', '.join(langs))}): "
            f"{escape(kept.location)} {escape(kept.field)} '{escape(kept.english)}'; "
            f"add to the glossary: {{{escape(entry)}}}"
        )


NOUNS = ("statement", "participant", "source")  # what a changes document counts
NOUNS_PLURAL = tuple(noun + "s" for noun in NOUNS)


def print_changes(report: BuildReport) -> None:
    """A line per changes document: since which version, and how much changed."""
    for d in report.documents:
        if not d.lang.endswith(" changes"):
            continue
        what = escape(f"{d.source.name} {d.lang.removesuffix(' changes')}")
        if d.status == "first version":
            err.print(f"{what}: the first version; nothing to compare with yet")
        elif d.status == "no changes":
            err.print(f"{what}: no changes since version {d.since}; no changes document written")
        elif d.counts is not None and d.path is not None:
            counted = ", ".join(
                f"{count} {noun if count == 1 else noun + 's'}"
                for count, noun in zip(d.counts, NOUNS, strict=True)
            )
            err.print(
                f"{what}: changes since version {d.since} ({counted} changed): "
                f"{escape(str(d.path))}"
            )


def print_internal(trace: str) -> None:
    """After an internal error: its traceback with --debug, else how to get it."""
    if state["debug"]:
        err.print(escape(trace), end="")
    else:
        err.print("    Run again with --debug for details, and report it with the input.")


def rich_progress() -> Progress:
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err.console(),
        transient=False,
    )


def write_pdfs(report: BuildReport) -> int:
    """A PDF beside each document of the build, in one LibreOffice run per output folder;
    2 if any could not be written, else 0."""
    from briefing.output.pdf import INSTALL_HINT, PdfError, convert_all, find_soffice, pdf_path

    documents = [
        d.path for d in report.documents if d.path and d.status in ("written", "unchanged")
    ]
    if not documents:
        return 0
    if find_soffice() is None:
        err.print(f"[red]error:[/] {escape(INSTALL_HINT)}. The .docx documents were written.")
        return 2
    stale = [
        document
        for document in documents
        # an unchanged document whose PDF is up to date keeps it
        if not (
            pdf_path(document).is_file()
            and pdf_path(document).stat().st_mtime >= document.stat().st_mtime
        )
    ]
    results = convert_all(stale)
    failed = 0
    for document in stale:  # in the build's order
        result = results[document]
        if isinstance(result, PdfError):
            err.print(f"[red]error:[/] {escape(str(result))}")
            failed += 1
        else:
            err.print(f"wrote {escape(str(result))}")
    return 2 if failed else 0


def report_as_json(report: BuildReport) -> dict[str, object]:
    return {
        "exit_code": report.exit_code,
        "documents": [
            {
                "facts": str(d.source),
                "lang": d.lang,
                "status": d.status,
                "path": str(d.path) if d.path else None,
                "detail": d.detail,
                "segments": {
                    "memory": d.from_memory,
                    "machine": d.from_machine,
                    "flagged": d.flagged,
                    "flagged_by_check": d.flagged_by_check,
                },
                "flagged_texts": d.flagged_texts,
                "flagged_problems": d.flagged_problems,
                **(
                    {
                        "changes": dict(
                            zip(("since", *NOUNS_PLURAL), (d.since, *d.counts), strict=True)
                        )
                    }
                    if d.counts is not None
                    else {}
                ),
                "kept_in_english": [
                    {
                        "english": kept.english,
                        "field": kept.field,
                        "location": kept.location,
                        "glossary_entry": kept.entry,
                    }
                    for kept in d.kept_in_english
                ],
            }
            for d in report.documents
        ],
        "missing_models": [f"{m.source}_{m.target}" for m in report.missing],
        "problems": [
            {"severity": p.severity, "location": p.location(), "message": p.message}
            for p in [*report.problems, *report.name_warnings]
        ],
    }


# An earlier report of a build, as report_as_json writes it: the only file --report replaces.
_REPORT_START = re.compile(rb'\A\{\s*"exit_code"\s*:\s*-?\d+\s*,\s*"documents"\s*:')


def check_report_target(path: Path) -> None:
    """Refuse, before anything is built, a --report path where writing would destroy something
    that is not an earlier report: a facts file, a glossary, the manifest, a document."""

    def refuse(why: str) -> InputError:
        return InputError(
            f"will not write the report to {path}: {why}; choose a new file name (e.g. "
            "--report report.json), or remove the file if it is yours to lose"
        )

    if os.path.islink(path):
        return  # the link itself is replaced, never what it points to (write_atomic)
    if path.is_dir():
        raise refuse("it is a folder")
    if not path.exists():
        return
    from briefing.input_files import open_input

    try:
        with open_input(path, "reports") as stream:
            head = stream.read(256)
    except OSError as error:
        raise refuse(f"it cannot be read ({error.strerror or error})") from None
    if not _REPORT_START.match(head):
        raise refuse("a file that is not a report of briefing build is there")
