"""`briefing review`: send a document's sentences to a reviewer (XLIFF for a CAT tool, or a
Word review document), and take the reviewed file back."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from briefing.cli.common import (
    GlossaryOption,
    LazyConsole,
    TmOption,
    escape,
    memory_setting,
    open_memory,
)
from briefing.errors import InputError
from briefing.languages import SOURCE_LANGUAGE, parse_languages

if TYPE_CHECKING:
    from briefing.facts.schema import Facts
    from briefing.terms.glossary import Glossary

review_app = typer.Typer(
    help="Send sentences to a reviewer; store the corrections.\n\n"
    "Export as XLIFF 1.2 for a CAT tool or as a Word review document; import the "
    "corrections as reviewed translations.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
)
out = LazyConsole(highlight=False, soft_wrap=True)

FORMATS = ("xliff", "docx")  # as review.roundtrip.FORMATS, without importing it for --help


def template_setting(template: str | None) -> str:
    """--template, else BRIEFING_TEMPLATE, else briefing.toml's template, as for a build."""
    from briefing.workspace.settings import load_settings

    return load_settings({"template": template}).template


def document_loader(glossary: Path | None) -> Callable[[Path], tuple[Facts, Glossary]]:
    """Reads a facts file and the glossary its build translates with (base < workspace <
    event, and the facts' own names), so that a unit's terms are the build's."""
    from briefing.facts.check import check_facts
    from briefing.terms.layers import load_term_base
    from briefing.workspace.settings import load_settings

    settings = load_settings({"glossaries": [glossary] if glossary is not None else None})

    def load(facts: Path) -> tuple[Facts, Glossary]:
        checked = check_facts(facts, load_term_base(settings.glossaries, [facts]))
        return checked.facts, checked.coverage.protected

    return load


def printed_model(lang: str, overrides: dict[str, object]) -> str:
    """The identity of the model the `lang` document is translated with under the settings
    (engine, models folder, the model chosen for the language), as a build names it."""
    from briefing.languages import LANGUAGES
    from briefing.translation.engines.registry import create_engine
    from briefing.translation.interface import LanguageUnavailable
    from briefing.workspace.settings import load_settings

    settings = load_settings(overrides)
    try:
        return create_engine(settings.translation).identity(LANGUAGES[lang])
    except LanguageUnavailable as missing:
        raise LanguageUnavailable(
            missing.source,
            missing.target,
            f"cannot tell which translations the '{lang}' document prints: {missing}"
            + (f"; {missing.advice}" if missing.advice else "")
            + ", or give the models folder with --models-dir as for build",
        ) from None


@review_app.command("export")
def export_command(
    facts: Annotated[
        Path, typer.Argument(metavar="FACTS", help="The facts file (YAML) of the document.")
    ],
    lang: Annotated[str, typer.Option("--lang", help="Target language: ja or ko.")],
    output: Annotated[
        Path, typer.Option("-o", "--output", help="The file to write (.xlf or .docx).")
    ],
    tm: TmOption = None,
    glossary: GlossaryOption = None,
    fmt: Annotated[
        str,
        typer.Option(
            "--format",
            help="xliff (XLIFF 1.2, for CAT tools) or docx (a Word review document). "
            "Default: docx when OUTPUT ends in .docx, else xliff.",
        ),
    ] = "",
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="Replace an existing file that is not a review export. The memory, facts "
            "files, glossaries and databases are never replaced.",
        ),
    ] = False,
    template: Annotated[
        str | None,
        typer.Option(
            "--template",
            help="The document's template (a bundled template's name, or a folder): its "
            "section headings group the sentences; a Word review document takes its styles. "
            "Default: the setting `template`, as for build.",
        ),
    ] = None,
    models_dir: Annotated[
        Path | None,
        typer.Option(
            "--models-dir",
            help="Folder of installed translation models (env BRIEFING_MODELS_DIR), as for "
            "build: the export shows the translations of the model the document is built with.",
        ),
    ] = None,
    model: Annotated[
        str | None,
        typer.Option(
            "--model",
            help="The installed model the document uses, when several are (a name from "
            "`briefing models list`). Default: the setting translation.models, as for build.",
        ),
    ] = None,
) -> None:
    """Write a document's sentences for a reviewer.

    Write the document's sentences and their current translations for review.
    """
    languages = parse_languages(lang)
    if len(languages) != 1 or languages[0].is_source:
        raise InputError(
            f"--lang takes one target language to review, ja or ko (got '{lang}'); "
            f"{SOURCE_LANGUAGE} is the source language"
        )
    chosen = fmt or ("docx" if output.suffix.lower() == ".docx" else "xliff")
    if chosen not in FORMATS:
        raise InputError(f"--format takes {' or '.join(FORMATS)} (got '{fmt}')")
    from briefing.memory.backend import memory_file, resolve_location
    from briefing.output.render import render_process
    from briefing.review.roundtrip import check_output, export_review

    location = resolve_location(memory_setting(tm))
    memory_path = memory_file(location)
    check_output(output, force, memory_path, facts)  # before any work, and before the memory
    overrides: dict[str, object] = {}
    if models_dir is not None:
        overrides["translation.models_dir"] = models_dir
    if model is not None:
        overrides[f"translation.models.{languages[0].code}"] = model
    identity = printed_model(languages[0].code, overrides)
    with render_process() as renderer:
        renderer.start()  # the template's headings are rendered in it: it starts meanwhile
        loaded, terms = document_loader(glossary)(facts)
        chosen_template = template_setting(template)
        with open_memory(location, reading_will_do=True) as memory:
            summary = export_review(
                loaded,
                facts,
                languages[0].code,
                terms,
                memory,
                output,
                chosen,
                force,
                memory_path,
                template=chosen_template,
                model=identity,
                renderer=renderer,
            )
    out.print(
        f"wrote {escape(str(output))}: {summary.units} sentences ({summary.reviewed} reviewed, "
        f"{summary.machine} machine-translated of which {summary.flagged} flagged, "
        f"{summary.new} without translation)"
    )


@review_app.command("import")
def import_command(
    file: Annotated[
        Path, typer.Argument(metavar="FILE", help="The reviewed file (.xlf or .docx).")
    ],
    tm: TmOption = None,
    reviewer: Annotated[
        str | None,
        typer.Option(
            "--reviewer",
            help="Name stored with the reviewed translations (default: your login name).",
        ),
    ] = None,
    facts: Annotated[
        Path | None,
        typer.Option("--facts", help="The facts file, where it is not at the path the file names."),
    ] = None,
    glossary: GlossaryOption = None,
    skip_stale: Annotated[
        bool,
        typer.Option(
            "--skip-stale",
            help="Import the other units when some belong to sentences no longer in the "
            "document (by default such a file is refused whole).",
        ),
    ] = False,
) -> None:
    """Store a reviewer's corrections as reviewed.

    Store the translations a reviewer changed or confirmed as reviewed; all or nothing.
    """
    from briefing.output.render import render_process
    from briefing.review.roundtrip import import_review

    chosen_template = template_setting(None)
    with render_process() as renderer, open_memory(memory_setting(tm)) as memory:
        renderer.start()
        summary = import_review(
            file,
            memory,
            document_loader(glossary),
            reviewer,
            facts,
            skip_stale,
            template=chosen_template,
            renderer=renderer,
        )
        path = memory.name
    out.print(
        f"imported {summary.reviewed} units as reviewed, {summary.unchanged} unchanged"
        + (f", {summary.empty} left empty" if summary.empty else "")
        + (
            f", {summary.unconfirmed} unconfirmed (the file no longer says what was exported; "
            "confirm them to import)"
            if summary.unconfirmed
            else ""
        )
        + (f", {len(summary.stale)} stale skipped" if summary.stale else "")
        + (f", {len(summary.left_out)} left out" if summary.left_out else "")
        + f" ({escape(summary.facts_path)}, {summary.lang}; memory: {escape(str(path))})"
        + (f"; reviewer recorded: {escape(summary.reviewer)}" if summary.reviewed else "")
    )
    if summary.tracked:
        these = "translation had" if summary.tracked == 1 else "translations had"
        out.print(
            f"  {summary.tracked} {these} tracked changes; read as accepted (every insertion "
            "kept, every deletion left out)"
        )
    for line in summary.left_out:
        out.print(f"  left out: {escape(line)}")
    for line in summary.stale:
        out.print(f"  stale, not imported: {escape(line)}")
    for line in summary.comments:
        out.print(f"  comment: {escape(line)}")
