"""`briefing build`: facts files to documents in each language, with progress and a report.

The stages are imported when a build runs, not when the command line loads: `briefing --help`
must stay fast.
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
    RichProgress,
    print_internal,
    print_report,
    report_as_json,
    rich_progress,
    write_pdfs,
)
from briefing.cli.common import INTERRUPTED, err, escape, options_given, out, print_problems
from briefing.errors import BriefingError, InputError

if TYPE_CHECKING:
    from briefing.build import BuildReport, BuildRequest
    from briefing.translation.stage import TranslationStage
    from briefing.watch import Inputs
    from briefing.workspace.settings import Settings

STOPPED = "stopped watching; documents already written are complete, none is half-written"


def build_command(
    ctx: typer.Context,
    facts: Annotated[
        list[Path] | None,
        typer.Argument(
            help="Facts files (YAML), or folders of them. Default: every facts file in the "
            "sources folder (setting `sources`, default sources/)."
        ),
    ] = None,
    lang: Annotated[
        str | None,
        typer.Option("--lang", help="Comma-separated languages to write. Default: en,ja,ko."),
    ] = None,
    out_dir: Annotated[
        Path | None, typer.Option("--out", help="Folder for the documents. Default: out/.")
    ] = None,
    template: Annotated[
        str | None,
        typer.Option(
            "--template",
            help="A bundled template's name, or a folder. Default: the setting `template`.",
        ),
    ] = None,
    glossary: Annotated[
        Path | None,
        typer.Option(
            "--glossary",
            help="Workspace glossary file, over the base term base. Default: the setting "
            "`glossaries`, else glossary.yaml beside the facts.",
        ),
    ] = None,
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
            help="Threads per translator for the argos engine; 0: one, with one translator "
            "per core.",
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
    from briefing.workspace.settings import load_settings

    # The options that are settings (--lang … --batch-size) reach them by the option names
    # their fields give in `Via`; --model LANG=NAME sets one of translation.models; the others
    # are this command's own.
    overrides = {**options_given(ctx), **model_choices(model or [])}
    settings = load_settings(overrides)
    if watch:
        if pdf or report_path:
            raise InputError("--watch writes documents only; run without --pdf and --report")
        watch_and_rebuild(settings, overrides, facts, force)
        return
    request = build_request(settings, facts, force)
    report = run_build(settings, request, show_progress=True)
    print_problems(report.problems)
    print_report(report)
    if report_path:
        report_path.write_text(json.dumps(report_as_json(report), indent=2), encoding="utf-8")
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


def build_request(settings: Settings, facts: list[Path] | None, force: bool) -> BuildRequest:
    from briefing.build import BuildRequest
    from briefing.facts.files import facts_files
    from briefing.languages import parse_languages
    from briefing.terms.layers import load_term_base

    paths = facts_files(facts, settings.sources)
    # The term base is read once: the base < the workspace glossaries (the settings' list,
    # else glossary.yaml beside the facts); the build stacks each file's own layer over it.
    terms = load_term_base(settings.glossaries, paths)
    return BuildRequest(
        paths,
        parse_languages(",".join(settings.languages)),
        settings.out,
        settings.template,
        terms,
        settings.layout,
        force,
        settings.strict,
    )


def open_translation(
    settings: Settings, request: BuildRequest, resources: contextlib.ExitStack
) -> TranslationStage | None:
    """The translation stage, when a language other than English is wanted."""
    from briefing.languages import SOURCE_LANGUAGE

    if all(language.code == SOURCE_LANGUAGE for language in request.languages):
        return None
    from briefing.cli.common import open_memory
    from briefing.translation.engines.registry import create_engine
    from briefing.translation.stage import TranslationStage

    engine = create_engine(settings.translation)
    memory = resources.enter_context(open_memory(settings.translation.memory))
    err.print(f"Translating with {escape(engine.describe())}; memory {escape(memory.name)}")
    # Each facts file's own layered glossary is given with its texts; this is the default.
    return TranslationStage(engine, request.glossary.without_event().glossary, memory)


def run_build(settings: Settings, request: BuildRequest, show_progress: bool) -> BuildReport:
    """One build: progress bars on a terminal when asked, a message when another build holds
    the output folder, and Ctrl-C turned into exit 130 with what it means for the documents."""
    from briefing.build import build

    def waiting() -> None:
        err.print(f"another build is writing to {request.out_dir}; waiting for it to finish")

    with contextlib.ExitStack() as resources:
        progress = None
        if show_progress and err.is_terminal:
            progress = RichProgress(resources.enter_context(rich_progress()))
        translation = open_translation(settings, request, resources)
        try:
            return build(request, translation, progress, on_wait=waiting)
        except KeyboardInterrupt:
            # Typer turns Ctrl-C into a silent exit 130 before main() sees it; say what it
            # means for the documents here.
            err.print(INTERRUPTED)
            raise typer.Exit(130) from None


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
    settings: Settings, overrides: dict[str, Any], facts: list[Path] | None, force: bool
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
            request = build_request(current["settings"], facts, force=False)
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
        first = run_build(settings, build_request(settings, facts, force), show_progress=True)
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
