"""`briefing validate` and `briefing new`: checking facts files and starting one."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from briefing.cli.common import GlossaryOption, err, escape, out, print_problems
from briefing.errors import InputError


def validate_command(
    facts: Annotated[
        list[Path] | None,
        typer.Argument(
            metavar="FACTS",
            help="Facts files (YAML), or folders of them, to check. Default: every facts file "
            "in the sources folder.",
        ),
    ] = None,
    glossary: GlossaryOption = None,
) -> None:
    """Check facts files and name every problem's place.

    Check facts files: every error with file:line:column and what was expected; warnings
    for each name the glossaries (base < workspace < the event's own) lack.
    """
    from briefing.facts.check import check_facts
    from briefing.facts.files import facts_files
    from briefing.terms.layers import load_term_base
    from briefing.translation.texts import texts_to_translate
    from briefing.workspace.settings import load_settings

    settings = load_settings({"glossaries": [glossary] if glossary is not None else None})
    facts = facts_files(facts, settings.sources)
    failed = False
    terms = load_term_base(settings.glossaries, facts)
    for path in facts:
        try:
            checked = check_facts(path, terms)
        except InputError as error:
            if error.problems:
                print_problems(error.problems)
            else:
                err.print(f"[red]error:[/] {escape(str(error))}")
            failed = True
            continue
        print_problems(list(checked.errors))
        failed = failed or bool(checked.errors)
        print_problems(checked.warnings)
        if not checked.errors:
            texts = texts_to_translate(checked.facts)
            out.print(f"{path}: ok ({len(texts)} texts, {len(checked.warnings)} warnings)")
    raise typer.Exit(2 if failed else 0)


def new_command(
    name: Annotated[
        str, typer.Argument(metavar="NAME", help="Name of the event, e.g. 2026-03-01-seoul-talks.")
    ],
    directory: Annotated[
        Path | None,
        typer.Option("--dir", help="Folder for the new file. Default: the sources folder."),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
) -> None:
    """Write a commented starter facts file.

    Write a commented starter facts file, DIR/NAME.yaml.
    """
    from briefing.atomic import explain_write_error, write_atomic
    from briefing.facts.starter import STARTER, glossary_place
    from briefing.workspace.settings import load_settings

    settings = load_settings()
    if directory is None:
        directory = settings.sources
    stem = name[:-5] if name.endswith(".yaml") else name
    if not stem or "/" in stem or stem.startswith("."):
        raise InputError(f"'{name}' is not a usable file name; use letters, digits and dashes")
    path = directory / f"{stem}.yaml"
    if os.path.lexists(path) and not force:  # a link there, even a dangling one, is a file
        raise InputError(f"{path} already exists; choose another name or pass --force")
    place = glossary_place(settings.glossaries, settings.root or Path.cwd())
    try:  # replaces a link at `path` itself, never writes where it points
        write_atomic(path, STARTER.format(path=path, glossaries=place).encode("utf-8"))
    except OSError as err:
        raise InputError(f"cannot write {explain_write_error(path, err)}") from None
    out.print(f"wrote {path}; edit it, then run: briefing validate {path}")
