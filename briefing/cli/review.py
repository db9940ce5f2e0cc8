"""`briefing review`: send a document's sentences to a reviewer as XLIFF, and take them back."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from briefing.cli.common import LazyConsole
from briefing.errors import InputError
from briefing.languages import SOURCE_LANGUAGE, parse_languages

review_app = typer.Typer(
    help="Reviewer round trip: export sentences as XLIFF 1.2 for a CAT tool, import the "
    "corrections as reviewed translations.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
)
out = LazyConsole(highlight=False, soft_wrap=True)

TmOption = Annotated[
    Path | None,
    typer.Option(
        "--tm",
        help="Translation memory file. Default: $BRIEFING_TM, else the setting "
        "translation.memory in briefing.toml, else "
        "$XDG_DATA_HOME/briefing/memory.sqlite (~/.local/share/briefing/memory.sqlite).",
    ),
]


def memory_setting(tm: Path | None) -> Path | None:
    """--tm, else BRIEFING_TM, else briefing.toml's translation.memory (None: the default)."""
    from briefing.workspace.settings import load_settings

    return load_settings({"translation.memory": tm}).translation.memory


@review_app.command("export")
def export_command(
    facts: Annotated[Path, typer.Argument(help="The facts file (YAML) of the document.")],
    lang: Annotated[str, typer.Option("--lang", help="Target language: ja or ko.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="The XLIFF file to write.")],
    tm: TmOption = None,
    glossary: Annotated[
        Path | None,
        typer.Option("--glossary", help="Glossary file. Default: glossary.yaml beside the facts."),
    ] = None,
) -> None:
    """Write the document's sentences and their current translations as XLIFF 1.2."""
    languages = parse_languages(lang)
    if len(languages) != 1 or languages[0].code == SOURCE_LANGUAGE:
        raise InputError(
            f"--lang takes one target language to review, ja or ko (got '{lang}'); "
            f"{SOURCE_LANGUAGE} is the source language"
        )
    from briefing.facts.load import load_facts
    from briefing.memory.backend import open_memory
    from briefing.review.export_xliff import export_review
    from briefing.terms.glossary import find_glossary, load_glossary

    loaded, _ = load_facts(facts)
    terms = load_glossary(find_glossary(glossary, [facts]))
    with open_memory(memory_setting(tm)) as memory:
        summary = export_review(loaded, facts, languages[0].code, terms, memory, output)
    out.print(
        f"wrote {output}: {summary.units} sentences ({summary.reviewed} reviewed, "
        f"{summary.machine} machine-translated of which {summary.flagged} flagged, "
        f"{summary.new} without translation)"
    )


@review_app.command("import")
def import_command(
    file: Annotated[Path, typer.Argument(help="The reviewed XLIFF 1.2 file.")],
    tm: TmOption = None,
    reviewer: Annotated[
        str | None,
        typer.Option("--reviewer", help="Name stored with the reviewed translations."),
    ] = None,
) -> None:
    """Store the file's approved or edited translations as reviewed; all or nothing."""
    from briefing.memory.backend import open_memory
    from briefing.memory.sqlite import resolve_memory_path
    from briefing.review.import_xliff import import_review

    path = resolve_memory_path(memory_setting(tm))
    with open_memory(path) as memory:
        summary = import_review(file, memory, reviewer)
    out.print(
        f"imported {summary.reviewed} units as reviewed, {summary.unchanged} unchanged"
        + (f", {summary.empty} left empty" if summary.empty else "")
        + f" (memory: {path})"
    )
