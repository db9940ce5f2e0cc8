"""`briefing build`: facts files to documents in each language, with progress and a report.

The stages are imported when a build runs, not when the command line loads: `briefing --help`
must stay fast. Over 400 lines, and one idea: most of it is the build's options, one
declaration each; the rest runs one build, or one after each change (--watch).
"""

from __future__ import annotations

import contextlib
import json
import time
import traceback
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from briefing.cli.build_report import (
    check_report_target,
    print_internal,
    print_report,
    report_as_json,
    write_pdfs,
)
from briefing.cli.common import (
    GlossaryOption,
    TemplateOption,
    err,
    options_given,
    out,
    print_problems,
)
from briefing.cli.running import build_request, run_build
from briefing.errors import BriefingError, InputError

if TYPE_CHECKING:
    from briefing.build import BuildReport
    from briefing.watch import Inputs
    from briefing.workspace.settings import Settings

STOPPED = "stopped watching; documents already written are complete, none is half-written"


def build_command(
    ctx: typer.Context,
    facts: Annotated[
        list[Path] | None,
        typer.Argument(
            metavar="FACTS",
            help="Facts files (YAML), or folders of them. Default: every facts file in the "
            "sources folder (setting `sources`, default sources/).",
        ),
    ] = None,
    lang: Annotated[
        str | None,
        typer.Option("--lang", help="Comma-separated languages to write. Default: en,ja,ko."),
    ] = None,
    out_dir: Annotated[
        Path | None, typer.Option("--out", help="Folder for the documents. Default: out/.")
    ] = None,
    template: TemplateOption = None,
    glossary: GlossaryOption = None,
    report_path: Annotated[
        Path | None, typer.Option("--report", help="Also write a JSON report to this file.")
    ] = None,
    layout: Annotated[
        str | None,
        typer.Option(
            "--layout",
            help="single: one document per language; parallel: English beside each target "
            "language (OUT/<stem>.en-<lang>.docx); both. Default: single.",
        ),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Rebuild documents even when nothing changed.")
    ] = False,
    models_dir: Annotated[
        Path | None,
        typer.Option(
            "--models-dir",
            help="Folder of installed translation models (env BRIEFING_MODELS_DIR). "
            "Default: Argos Translate's own.",
        ),
    ] = None,
    model: Annotated[
        list[str] | None,
        typer.Option(
            "--model",
            help="The installed model a language's documents use, when several are: LANG=NAME "
            "(repeat for each language), e.g. --model ja=opus-mt-en-jap. Default: the setting "
            "translation.models, else the Argos package, else the first by name.",
        ),
    ] = None,
    tm: Annotated[
        str | None,
        typer.Option(
            "--tm",
            help="Translation memory: a file (SQLite), or a postgresql:// URL shared by a team "
            "(env BRIEFING_TM). Default: briefing/memory.sqlite in the user data folder.",
        ),
    ] = None,
    engine: Annotated[
        str | None,
        typer.Option(
            "--engine",
            help="Translation engine: argos (installed models, in this process) or "
            "libretranslate (a server; give --engine-url). Default: argos.",
        ),
    ] = None,
    engine_url: Annotated[
        str | None,
        typer.Option(
            "--engine-url",
            help="The LibreTranslate server, e.g. http://translate.example.org:5000. Its API "
            "key, if it needs one, comes from $BRIEFING_LT_API_KEY or briefing.toml.",
        ),
    ] = None,
    device: Annotated[
        str | None,
        typer.Option(
            "--device",
            help="Where the argos engine decodes: auto (a CUDA GPU when there is one), cpu, "
            "cuda. Default: auto.",
        ),
    ] = None,
    compute_type: Annotated[
        str | None,
        typer.Option(
            "--compute-type",
            help="CTranslate2 compute type for the argos engine: auto, int8, float16, … "
            "Default: auto.",
        ),
    ] = None,
    intra_threads: Annotated[
        int | None,
        typer.Option(
            "--intra-threads",
            min=0,
            help="Threads per translator for the argos engine, at most the machine's CPU "
            "cores; 0: one, with one translator per core.",
        ),
    ] = None,
    beam_size: Annotated[
        int | None,
        typer.Option("--beam-size", min=1, max=8, help="Beam width for translation. Default: 2."),
    ] = None,
    batch_size: Annotated[
        int | None,
        typer.Option(
            "--batch-size",
            min=1,
            max=512,
            help="Segments per batch in translation (per request for libretranslate). Default: 16.",
        ),
    ] = None,
    strict: Annotated[
        bool,
        typer.Option(
            "--strict",
            help="Refuse a Japanese or Korean document that would print a name, title, place "
            "or event title in English because the term base lacks it: exit status 2, nothing "
            "written for that language. Default: the setting `strict`.",
        ),
    ] = False,
    pdf: Annotated[
        bool,
        typer.Option(
            "--pdf",
            help="Also write OUT/<stem>.<lang>.pdf beside each document, with LibreOffice. "
            "Exit status 2 if any PDF could not be written (the .docx files still are).",
        ),
    ] = False,
    changes: Annotated[
        bool,
        typer.Option(
            "--changes",
            help="Also write OUT/<stem>.<lang>.changes.docx: each document with Word's tracked "
            "changes since the version last sent (else the previous one; see --since). "
            "Default: the setting `changes`.",
        ),
    ] = False,
    since: Annotated[
        str | None,
        typer.Option(
            "--since",
            help="With --changes: compare with this version (a number from `briefing "
            "versions`), sent, or previous.",
        ),
    ] = None,
    release: Annotated[
        bool,
        typer.Option(
            "--release",
            help="Mark the versions written as sent to their readers (see `briefing release`).",
        ),
    ] = False,
    watch: Annotated[
        bool,
        typer.Option(
            "--watch",
            help="Build, then rebuild whenever a facts file, glossary, the template or "
            "briefing.toml changes, until Ctrl-C (exit status 130). A rebuild's errors are "
            "reported on its line and watching goes on.",
        ),
    ] = False,
) -> None:
    """Write the briefings of facts files, one per language.

    Write a briefing per facts file and language: OUT/<stem>.<lang>.docx.

    Settings not given here come from the environment, then briefing.toml (see `briefing
    config`). Unchanged documents are skipped (see OUT/.briefing-manifest.json); --force
    rebuilds them.
    """
    from briefing.output.render_request import render_process
    from briefing.workspace.settings import load_settings

    # The options that are settings (--lang … --batch-size) reach them by the option names
    # their fields give in `Via`; --model LANG=NAME sets one of translation.models; the others
    # are this command's own.
    overrides = {**options_given(ctx), **model_choices(model or [])}
    with render_process() as renderer:
        if not watch:
            # Started first: it imports Jinja and Babel on the other core while this process
            # reads the settings, imports the stages and reads the term base and the facts.
            renderer.start()
        settings = load_settings(overrides)
        from briefing.versions import parse_since

        since_version = parse_since(since)
        if since is not None and not settings.changes:
            raise InputError(
                "--since chooses what the changes documents compare with: add --changes"
            )
        if watch:
            if pdf or report_path or release:
                raise InputError(
                    "--watch writes documents only; run without --pdf, --report and --release"
                )
            watch_and_rebuild(settings, overrides, facts, force, since_version)
            return
        if report_path:
            check_report_target(report_path)
        request = build_request(settings, facts, force, since_version, release)
        report = run_build(settings, request, show_progress=True, renderer=renderer)
    print_problems(report.problems)
    print_report(report)
    if report_path:
        from briefing.atomic import explain_write_error, write_atomic

        try:  # a link planted at the path is replaced, never written through
            write_atomic(report_path, json.dumps(report_as_json(report), indent=2).encode())
        except OSError as error:
            why = explain_write_error(report_path, error)
            raise InputError(f"cannot write the report: {why}") from None
    code = report.exit_code
    if pdf:
        code = max(code, write_pdfs(report))
    raise typer.Exit(code)


def model_choices(options: list[str]) -> dict[str, str]:
    """--model ja=NAME … as settings (translation.models.ja)."""
    from briefing.workspace.fields import ModelChoice

    chosen = {}
    for option in options:
        lang, _, name = option.partition("=")
        if not name.strip() or lang.strip() not in ModelChoice.model_fields:
            raise InputError(
                f"--model {option}: give LANG=NAME with LANG one of "
                f"{', '.join(ModelChoice.model_fields)}, e.g. --model ja=opus-mt-en-jap"
            )
        chosen[f"translation.models.{lang.strip()}"] = name.strip()
    return chosen


# --------------------------------------------------------------------------- --watch


def _shown(path: Path) -> str:
    """A path as the user thinks of it: relative to the current folder when inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def watched_inputs(settings: Settings, facts: list[Path] | None) -> Inputs:
    """The files a build with these settings reads: the facts files named (or any in the
    sources folder, new ones included), the glossaries (the events' own `<stem>.glossary.yaml`
    too), briefing.toml and the template."""
    from briefing.output.template import find_template
    from briefing.terms.glossary import GLOSSARY_NAME
    from briefing.terms.layers import beside
    from briefing.watch import Inputs

    folders = [path for path in facts if path.is_dir()] if facts else [settings.sources]
    named = [path for path in facts or [] if path not in folders]
    files = list(named)
    files += [path.parent / GLOSSARY_NAME for path in named]  # the default glossary
    files += [beside(path) for path in named]  # each event's own glossary
    files += settings.glossaries
    if settings.config_file:
        files.append(settings.config_file)
    trees = []
    with contextlib.suppress(BriefingError):  # a missing template is reported by the build
        trees.append(find_template(settings.template).directory)
    return Inputs.of(files, folders, trees)


def summary_line(changed: list[Path], report: BuildReport) -> str:
    """One line per rebuild: what changed, what was written, and what went wrong."""
    what = ", ".join(_shown(p) for p in changed[:3]) + (
        f" and {len(changed) - 3} more" if len(changed) > 3 else ""
    )
    written = [_shown(d.path) for d in report.documents if d.status == "written" and d.path]
    unchanged = sum(d.status == "unchanged" for d in report.documents)
    failed = [d for d in report.documents if d.status == "failed"]
    parts = [f"wrote {', '.join(written)}" if written else "nothing to rewrite"]
    if unchanged:
        parts.append(f"{unchanged} unchanged")
    if report.missing:
        parts.append("no model for " + ", ".join(m.target for m in report.missing))
    for document in failed:
        parts.append(f"error: {_shown(document.source)} ({document.lang}): {document.detail}")
    for problem in report.problems:
        if problem.severity == "error":
            parts.append(f"error: {problem.location()}: {problem.message}")
    return f"{time.strftime('%H:%M:%S')} {what} changed: " + "; ".join(parts)


def watch_and_rebuild(
    settings: Settings,
    overrides: dict[str, Any],
    facts: list[Path] | None,
    force: bool,
    since: str | int | None = None,
) -> None:
    """Build once, then after every change to an input; Ctrl-C ends it with exit status 130."""
    from briefing.watch import watch
    from briefing.workspace.settings import load_settings

    current = {"settings": settings}

    def inputs() -> Inputs:
        return watched_inputs(current["settings"], facts)

    def rebuild(changed: list[Path]) -> None:
        """One rebuild; whatever goes wrong is reported on its line and watching goes on."""
        what = f"{time.strftime('%H:%M:%S')} {', '.join(_shown(p) for p in changed)} changed"
        try:
            if settings.config_file and any(p.name == settings.config_file.name for p in changed):
                current["settings"] = load_settings(overrides)
            request = build_request(current["settings"], facts, False, since)
            report = run_build(current["settings"], request, show_progress=False)
        except BriefingError as error:
            out.print(f"{what}: error: {' '.join(str(error).split())}", markup=False)
            return
        except typer.Exit:
            raise  # Ctrl-C during the build
        except Exception as error:  # noqa: BLE001 - a fault in briefing: this rebuild only
            out.print(f"{what}: internal error: {type(error).__name__}: {error}", markup=False)
            print_internal(traceback.format_exc())
            return
        out.print(summary_line(changed, report), markup=False)
        for document in report.documents:
            if document.internal:
                print_internal(document.trace)

    try:
        first = run_build(
            settings, build_request(settings, facts, force, since), show_progress=True
        )
        print_problems(first.problems)
        print_report(first)

        def ready() -> None:
            out.print(
                f"watching {len(inputs().folders())} folders for changes to facts files, "
                "glossaries, the template and briefing.toml; Ctrl-C to stop",
                markup=False,
            )

        watch(inputs, rebuild, on_ready=ready)
    except KeyboardInterrupt:
        err.print(STOPPED)
        raise typer.Exit(130) from None
    except typer.Exit as stop:
        if stop.exit_code == 130:
            err.print(STOPPED)
        raise
