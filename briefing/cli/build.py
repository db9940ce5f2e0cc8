"""`briefing build`: facts files to documents in each language, with progress and a report."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from briefing.build import BuildReport, BuildRequest, build, default_glossary
from briefing.cli.common import INTERRUPTED, err, print_problems, state
from briefing.cli.facts import SOURCES_DIR
from briefing.errors import InputError
from briefing.languages import DEFAULT_LANGUAGES, SOURCE_LANGUAGE, parse_languages
from briefing.terms.glossary import load_glossary
from briefing.translation.engines.argos import DEFAULT_BATCH_SIZE, DEFAULT_BEAM_SIZE, Settings
from briefing.translation.stage import ArgosTranslation


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
        self.progress.advance(task, amount)  # type: ignore[arg-type]


def facts_files(paths: list[Path] | None) -> list[Path]:
    """The given files, or every facts file under sources/ (the glossary is not one)."""
    if paths:
        return list(paths)
    found = sorted(p for p in SOURCES_DIR.glob("*.yaml") if p.name != "glossary.yaml")
    if not found:
        raise InputError(
            f"no facts files given and none found in {SOURCES_DIR}/; "
            "name one (briefing build FILE.yaml) or create one with `briefing new NAME`"
        )
    return found


def print_report(report: BuildReport) -> None:
    if report.documents:
        table = Table(title="Build")
        for column in ("facts", "lang", "result", "memory", "machine", "flagged"):
            table.add_column(column, overflow="fold")
        for d in report.documents:
            table.add_row(
                d.source.name,
                d.lang,
                d.status,
                str(d.from_memory),
                str(d.from_machine),
                str(d.flagged),
            )
        err.print(table)
    for d in report.documents:
        if d.detail:
            err.print(f"[red]{escape(d.status)}[/] {d.source.name} ({d.lang}): {escape(d.detail)}")
        if d.internal:
            if state["debug"]:
                err.print(escape(d.trace), end="")
            else:
                err.print("    Run again with --debug for details, and report it with the input.")
        for text in d.flagged_texts:
            shown = text if len(text) <= 90 else text[:87] + "…"
            err.print(f"[yellow]flagged for review[/] {d.source.name} ({d.lang}): {escape(shown)}")
    for missing in report.missing:
        err.print(
            f"[yellow]No {missing.source}→{missing.target} translation model is installed;"
            f" the {missing.target} documents were not written.[/]\n"
            f"    Install it with:  briefing models install {missing.target}\n"
            f"    or from a file:   briefing models install PATH/TO/translate-"
            f"{missing.source}_{missing.target}.argosmodel"
        )


def build_command(
    facts: Annotated[
        list[Path] | None,
        typer.Argument(help="Facts files (YAML). Default: every sources/*.yaml but the glossary."),
    ] = None,
    lang: Annotated[
        str, typer.Option("--lang", help="Comma-separated languages to write.")
    ] = ",".join(DEFAULT_LANGUAGES),
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for the documents.")] = Path("out"),
    template: Annotated[
        str, typer.Option("--template", help="Template name under templates/, or a folder.")
    ] = "summit",
    glossary: Annotated[
        Path | None,
        typer.Option("--glossary", help="Glossary file. Default: glossary.yaml beside the facts."),
    ] = None,
    report_path: Annotated[
        Path | None, typer.Option("--report", help="Also write a JSON report to this file.")
    ] = None,
    layout: Annotated[
        str,
        typer.Option(
            "--layout",
            help="single: one document per language; parallel: English beside each target "
            "language (OUT/<stem>.en-<lang>.docx); both.",
        ),
    ] = "single",
    force: Annotated[
        bool, typer.Option("--force", help="Rebuild documents even when nothing changed.")
    ] = False,
    models_dir: Annotated[
        Path | None,
        typer.Option(
            "--models-dir",
            envvar="BRIEFING_MODELS_DIR",
            help="Folder of installed translation models. Default: Argos Translate's own.",
        ),
    ] = None,
    tm: Annotated[
        Path | None,
        typer.Option(
            "--tm",
            envvar="BRIEFING_TM",
            help="Translation memory file. Default: briefing/memory.sqlite in the user data "
            "folder.",
        ),
    ] = None,
    beam_size: Annotated[
        int, typer.Option("--beam-size", min=1, max=8, help="Beam width for translation.")
    ] = DEFAULT_BEAM_SIZE,
    batch_size: Annotated[
        int,
        typer.Option("--batch-size", min=1, max=512, help="Segments per batch in translation."),
    ] = DEFAULT_BATCH_SIZE,
    pdf: Annotated[
        bool,
        typer.Option(
            "--pdf",
            help="Also write OUT/<stem>.<lang>.pdf beside each document, with LibreOffice. "
            "Exit status 2 if any PDF could not be written (the .docx files still are).",
        ),
    ] = False,
) -> None:
    """Write a briefing per facts file and language: OUT/<stem>.<lang>.docx.

    Unchanged documents are skipped (see OUT/.briefing-manifest.json); --force rebuilds them.
    """
    languages = parse_languages(lang)
    request = BuildRequest(
        facts_files(facts), languages, out_dir, template, glossary, layout, force
    )
    with (
        contextlib.ExitStack() as resources,
        Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=err,
            transient=False,
            disable=not err.is_terminal,
        ) as progress,
    ):
        translation = None
        if any(language.code != SOURCE_LANGUAGE for language in languages):
            from briefing.memory.sqlite import TranslationMemory, resolve_memory_path

            terms = load_glossary(glossary or default_glossary(request.facts_paths))
            memory = resources.enter_context(TranslationMemory(resolve_memory_path(tm)))
            translation = ArgosTranslation(
                models_dir, terms, memory, Settings(beam_size=beam_size, batch_size=batch_size)
            )

        def waiting() -> None:
            err.print(f"another build is writing to {out_dir}; waiting for it to finish")

        try:
            report = build(request, translation, RichProgress(progress), on_wait=waiting)
        except KeyboardInterrupt:
            # Typer turns Ctrl-C into a silent exit 130 before main() sees it; say what it
            # means for the documents here.
            err.print(INTERRUPTED)
            raise typer.Exit(130) from None
    print_problems(report.problems)
    print_report(report)
    if report_path:
        report_path.write_text(json.dumps(report_as_json(report), indent=2), encoding="utf-8")
    code = report.exit_code
    if pdf:
        code = max(code, write_pdfs(report))
    raise typer.Exit(code)


def write_pdfs(report: BuildReport) -> int:
    """A PDF beside each document of the build; 2 if any could not be written, else 0."""
    from briefing.output.pdf import INSTALL_HINT, PdfError, convert_to_pdf, find_soffice, pdf_path

    documents = [
        d.path for d in report.documents if d.path and d.status in ("written", "unchanged")
    ]
    if not documents:
        return 0
    if find_soffice() is None:
        err.print(f"[red]error:[/] {escape(INSTALL_HINT)}. The .docx documents were written.")
        return 2
    failed = 0
    for document in documents:
        target = pdf_path(document)
        if target.is_file() and target.stat().st_mtime >= document.stat().st_mtime:
            continue  # an unchanged document whose PDF is up to date
        try:
            convert_to_pdf(document)
        except PdfError as error:
            err.print(f"[red]error:[/] {escape(str(error))}")
            failed += 1
        else:
            err.print(f"wrote {escape(str(target))}")
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
                },
                "flagged_texts": d.flagged_texts,
            }
            for d in report.documents
        ],
        "missing_models": [f"{m.source}_{m.target}" for m in report.missing],
        "problems": [
            {"severity": p.severity, "location": p.location(), "message": p.message}
            for p in report.problems
        ],
    }
