"""`briefing glossary check`: lint glossary files with file:line locations."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from briefing.cli.common import out, print_problems
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
            help="Glossary files, lowest layer first (a facts file's own `glossary:` counts). "
            "Default: the setting `glossaries`, else glossary.yaml in the sources folder."
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
    from briefing.input_files import readable_there
    from briefing.terms.check import check_files
    from briefing.terms.glossary import GLOSSARY_NAME
    from briefing.terms.layers import base_path
    from briefing.workspace.settings import load_settings

    paths = list(files or [])
    if not paths:
        settings = load_settings()
        default = settings.sources / GLOSSARY_NAME
        paths = list(settings.glossaries)
        if not paths and not readable_there(default):
            raise InputError(f"no glossary given and {default} does not exist; name the files")
        paths = paths or [default]
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
