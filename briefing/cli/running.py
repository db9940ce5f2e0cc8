"""Running a build from the command line: the settings made a request, the translation
stage opened for it, progress shown, Ctrl-C said. `build`, `changes` and `release` share it;
it defines no command of its own."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from briefing.cli.build_report import RichProgress, rich_progress
from briefing.cli.common import INTERRUPTED, err, escape

if TYPE_CHECKING:
    from briefing.build import BuildReport, BuildRequest
    from briefing.output.sandbox_process import LimitedProcess
    from briefing.translation.stage import TranslationStage
    from briefing.workspace.settings import Settings


def build_request(
    settings: Settings,
    facts: list[Path] | None,
    force: bool,
    since: str | int | None = None,
    release: bool = False,
) -> BuildRequest:
    from briefing.build import BuildRequest
    from briefing.changes import ChangesOptions
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
        ChangesOptions(
            write=settings.changes,
            since=since,
            release=release,
            author=settings.changes_author,
            kept=settings.versions_kept,
        ),
        settings.style,
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
    memory = resources.enter_context(open_memory(settings.translation.memory, reading_will_do=True))
    err.print(f"Translating with {escape(engine.describe())}; memory {escape(memory.name)}")
    if memory.read_only is not None:
        err.print(
            f"warning: the translation memory {escape(memory.name)} cannot be written "
            f"({escape(memory.read_only)}: permissions); this build reads it and stores no new "
            "machine translation in it"
        )
    # Each facts file's own layered glossary is given with its texts; this is the default.
    return TranslationStage(engine, request.glossary.without_event().glossary, memory)


def run_build(
    settings: Settings,
    request: BuildRequest,
    show_progress: bool,
    renderer: LimitedProcess | None = None,
) -> BuildReport:
    """One build: progress bars on a terminal when asked, a message when another build holds
    the output folder, and Ctrl-C turned into exit 130 with what it means for the documents.
    `renderer`: a render process already started, else the build starts one."""
    from briefing.build import build

    def waiting() -> None:
        err.print(f"another build is writing to {request.out_dir}; waiting for it to finish")

    with contextlib.ExitStack() as resources:
        progress = None
        if show_progress and err.is_terminal:
            progress = RichProgress(resources.enter_context(rich_progress()))
        translation = open_translation(settings, request, resources)
        try:
            return build(request, translation, progress, on_wait=waiting, renderer=renderer)
        except KeyboardInterrupt:
            # Typer turns Ctrl-C into a silent exit 130 before main() sees it; say what it
            # means for the documents here.
            err.print(INTERRUPTED)
            raise typer.Exit(130) from None
