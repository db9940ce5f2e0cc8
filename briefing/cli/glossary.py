"""`briefing glossary check`: lint glossary files with file:line locations."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from briefing.cli.common import GLOSSARY_OF_SOURCES, out, print_problems
from briefing.errors import InputError

glossary_app = typer.Typer(
    help="Check glossaries (term bases).\n\n"
    "Duplicate or overlapping forms, missing Japanese or Korean forms, placeholder syntax.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
)


@glossary_app.command("check")
def check_command(
    files: Annotated[
        list[Path] | None,
        typer.Argument(
            metavar="FILES",
            help="Glossary files, lowest layer first (a facts file's own `glossary:` counts). "
            f"{GLOSSARY_OF_SOURCES}",
        ),
    ] = None,
    base: Annotated[
        bool,
        typer.Option(
            "--base/--no-base",
            help="Check against the term base shipped with briefing too (the lowest layer).",
        ),
    ] = True,
) -> None:
    """Lint glossaries: forms, missing ja/ko, placeholders.

    Lint glossaries: duplicate or overlapping English forms, missing ja or ko forms, forms
    with placeholder syntax; each finding with file:line:column. Exit status 2 on errors.
    """
    from briefing.facts.files import facts_in
    from briefing.input_files import readable_there
    from briefing.terms.check import check_files
    from briefing.terms.glossary import GLOSSARY_NAME
    from briefing.terms.layers import base_path, workspace_glossaries
    from briefing.workspace.settings import load_settings

    paths = list(files or [])
    if not paths:
        settings = load_settings()
        # the workspace glossaries a build of the sources folder reads
        paths = workspace_glossaries(settings.glossaries, facts_in(settings.sources))
        if not paths:
            raise InputError(
                f"no glossary given, none set (`glossaries`) and no {GLOSSARY_NAME} beside the "
                f"facts files of {settings.sources}; name the files"
            )
    for path in paths:
        if not readable_there(path):
            raise InputError(f"{path}: no such glossary file")
    layers = ([base_path()] if base else []) + paths
    result = check_files(layers)
    print_problems(result.problems)
    out.print(
        f"{result.terms} terms in {result.files} file(s): "
        f"{result.errors} error(s), {result.warnings} warning(s)"
    )
    raise typer.Exit(2 if result.errors else 0)
