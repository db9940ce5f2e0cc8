"""`briefing build`: facts files to documents in each language, with progress and a report."""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, cast

import typer
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from briefing.build import BuildReport, BuildRequest, build
from briefing.cli.common import INTERRUPTED, err, print_problems
from briefing.cli.facts import SOURCES_DIR
from briefing.errors import InputError
from briefing.languages import DEFAULT_LANGUAGES, SOURCE_LANGUAGE, parse_languages
from briefing.memory.backend import open_memory
from briefing.terms.glossary import find_glossary, load_glossary
from briefing.translation.engines.argos import DEFAULT_BATCH_SIZE, DEFAULT_BEAM_SIZE
from briefing.translation.engines.libretranslate import DEFAULT_BATCH_SIZE as LT_BATCH_SIZE
from briefing.translation.engines.libretranslate import ENV_API_KEY
from briefing.translation.engines.registry import DEFAULT_ENGINE, EngineConfig, create_engine
from briefing.translation.interface import MissingModel
from briefing.translation.stage import TranslationStage


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
        self.progress.advance(cast(TaskID, task), amount)


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
        for text in d.flagged_texts:
            shown = text if len(text) <= 90 else text[:87] + "…"
            err.print(f"[yellow]flagged for review[/] {d.source.name} ({d.lang}): {escape(shown)}")
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
        str | None,
        typer.Option(
            "--tm",
            envvar="BRIEFING_TM",
            help="Translation memory: a file (SQLite), or a postgresql:// URL shared by a "
            "team. Default: briefing/memory.sqlite in the user data folder.",
        ),
    ] = None,
    engine: Annotated[
        str,
        typer.Option(
            "--engine",
            envvar="BRIEFING_ENGINE",
            help="Translation engine: argos (installed models, in this process) or "
            "libretranslate (a server; give --engine-url).",
        ),
    ] = DEFAULT_ENGINE,
    engine_url: Annotated[
        str | None,
        typer.Option(
            "--engine-url",
            envvar="BRIEFING_ENGINE_URL",
            help="The LibreTranslate server, e.g. http://translate.example.org:5000. Its API "
            f"key, if it needs one, comes from ${ENV_API_KEY}.",
        ),
    ] = None,
    device: Annotated[
        str,
        typer.Option(
            "--device",
            envvar="BRIEFING_DEVICE",
            help="Where the argos engine decodes: auto (a CUDA GPU when there is one), cpu, cuda.",
        ),
    ] = "auto",
    compute_type: Annotated[
        str,
        typer.Option(
            "--compute-type",
            envvar="BRIEFING_COMPUTE_TYPE",
            help="CTranslate2 compute type for the argos engine: auto, int8, float16, …",
        ),
    ] = "auto",
    intra_threads: Annotated[
        int,
        typer.Option(
            "--intra-threads",
            envvar="BRIEFING_INTRA_THREADS",
            min=0,
            help="Threads per translation for the argos engine; 0: CTranslate2's default.",
        ),
    ] = 0,
    beam_size: Annotated[
        int, typer.Option("--beam-size", min=1, max=8, help="Beam width for translation.")
    ] = DEFAULT_BEAM_SIZE,
    batch_size: Annotated[
        int | None,
        typer.Option(
            "--batch-size",
            min=1,
            max=512,
            help=f"Segments per batch in translation (default {DEFAULT_BATCH_SIZE}; "
            f"{LT_BATCH_SIZE} per request for libretranslate).",
        ),
    ] = None,
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
    paths = facts_files(facts)
    terms = load_glossary(find_glossary(glossary, paths))
    request = BuildRequest(paths, languages, out_dir, template, terms, layout, force)
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
            config = EngineConfig(
                name=engine,
                models_dir=models_dir,
                beam_size=beam_size,
                batch_size=batch_size,
                device=device,
                compute_type=compute_type,
                intra_threads=intra_threads,
                url=engine_url,
                api_key=os.environ.get(ENV_API_KEY) or None,
            )
            chosen = create_engine(config)
            memory = resources.enter_context(open_memory(tm))
            translation = TranslationStage(chosen, terms, memory)
            err.print(f"Translating with {escape(chosen.describe())}; memory {escape(memory.name)}")

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
