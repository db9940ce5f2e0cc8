"""`briefing validate` and `briefing new`: checking facts files and starting one."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from briefing.cli.common import err, escape, out, print_problems
from briefing.errors import InputError


def validate_command(
    facts: Annotated[
        list[Path] | None,
        typer.Argument(
            help="Facts files (YAML), or folders of them, to check. Default: every facts file "
            "in the sources folder."
        ),
    ] = None,
    glossary: Annotated[
        Path | None,
        typer.Option("--glossary", help="Glossary file. Default: glossary.yaml beside the facts."),
    ] = None,
) -> None:
    """Check facts files and name every problem's place.

    Check facts files: every error with file:line:column and what was expected; warnings
    for each name the glossaries (base < workspace < the event's own) lack.
    """
    from briefing.cli.build import facts_files
    from briefing.facts.load import load_facts
    from briefing.output.localize import glossary_warnings, kind_problems
    from briefing.terms.layers import load_term_base
    from briefing.translation.texts import texts_to_translate
    from briefing.workspace.settings import load_settings

    settings = load_settings({"glossaries": [glossary] if glossary is not None else None})
    facts = facts_files(facts, settings.sources)
    failed = False
    terms = load_term_base(settings.glossaries, facts)
    for path in facts:
        try:
            loaded_facts, source = load_facts(path)
            layered = terms.for_facts(path, source, loaded_facts.glossary)
        except InputError as error:
            if error.problems:
                print_problems(error.problems)
            else:
                err.print(f"[red]error:[/] {escape(str(error))}")
            failed = True
            continue
        kinds = kind_problems(source, loaded_facts, layered.glossary)
        print_problems(kinds)
        failed = failed or bool(kinds)
        warnings = (
            source.warnings
            + list(layered.problems)
            + glossary_warnings(source, loaded_facts, layered.glossary)
        )
        print_problems(warnings)
        if not kinds:
            texts = texts_to_translate(loaded_facts)
            out.print(f"{path}: ok ({len(texts)} texts, {len(warnings)} warnings)")
    raise typer.Exit(2 if failed else 0)


def new_command(
    name: Annotated[str, typer.Argument(help="Name of the event, e.g. 2026-03-01-seoul-talks.")],
    directory: Annotated[
        Path | None,
        typer.Option("--dir", help="Folder for the new file. Default: the sources folder."),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
) -> None:
    """Write a commented starter facts file.

    Write a commented starter facts file, DIR/NAME.yaml.
    """
    from briefing.facts.starter import STARTER
    from briefing.workspace.settings import load_settings

    if directory is None:
        directory = load_settings().sources
    stem = name[:-5] if name.endswith(".yaml") else name
    if not stem or "/" in stem or stem.startswith("."):
        raise InputError(f"'{name}' is not a usable file name; use letters, digits and dashes")
    path = directory / f"{stem}.yaml"
    if path.exists() and not force:
        raise InputError(f"{path} already exists; choose another name or pass --force")
    directory.mkdir(parents=True, exist_ok=True)
    path.write_text(STARTER.format(path=path), encoding="utf-8")
    out.print(f"wrote {path}; edit it, then run: briefing validate {path}")
