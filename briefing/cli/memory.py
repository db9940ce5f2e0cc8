"""`briefing memory`: exchange the translation memory with other tools as TMX 1.4b, and count
what it holds."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from briefing.cli.common import LazyConsole, escape
from briefing.cli.review import TmOption, memory_setting
from briefing.errors import InputError
from briefing.languages import LANGUAGES, SOURCE_LANGUAGE

memory_app = typer.Typer(
    help="Translation memory: export and import TMX 1.4b, statistics.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
)
out = LazyConsole(highlight=False, soft_wrap=True)


def _check_output(output: Path, memory: Path, force: bool) -> None:
    from briefing.memory.sqlite import SQLITE_MAGIC
    from briefing.review.roundtrip import PROTECTED_SUFFIXES

    target = output.resolve()
    if target in (
        memory.resolve(),
        Path(f"{memory.resolve()}-wal"),
        Path(f"{memory.resolve()}-shm"),
    ):
        raise InputError(f"will not write the TMX export to {output}: that is the memory itself")
    if target.suffix.lower() in PROTECTED_SUFFIXES:
        raise InputError(
            f"will not write the TMX export to {output}: that name is a facts file, glossary "
            "or database; choose a name ending in .tmx"
        )
    if target.is_file():
        with target.open("rb") as handle:
            head = handle.read(4096)
        ours = b"<tmx" in head and b'creationtool="briefing"' in head
        if head.startswith(SQLITE_MAGIC) or (not ours and not force):
            raise InputError(
                f"will not write the TMX export to {output}: a file that is not a TMX export "
                "of briefing is there; choose another name, or give --force to replace it"
            )


@memory_app.command("export")
def export_command(
    output: Annotated[Path, typer.Option("-o", "--output", help="The TMX file to write.")],
    tm: TmOption = None,
    lang: Annotated[
        str | None, typer.Option("--lang", help="Only this target language (ja or ko).")
    ] = None,
    reviewed_only: Annotated[
        bool, typer.Option("--reviewed-only", help="Only translations a person reviewed.")
    ] = False,
    force: Annotated[
        bool, typer.Option("--force", help="Replace an existing file that is not a TMX export.")
    ] = False,
) -> None:
    """Write the memory (or part of it) as TMX 1.4b, for OmegaT, Trados, memoQ or Phrase."""
    if lang is not None and (lang == SOURCE_LANGUAGE or lang not in LANGUAGES):
        raise InputError(f"--lang takes a target language, ja or ko (got '{lang}')")
    from briefing.atomic import write_atomic
    from briefing.memory.backend import open_memory
    from briefing.memory.exchange import build_tmx
    from briefing.memory.sqlite import resolve_memory_path

    path = resolve_memory_path(memory_setting(tm))
    _check_output(output, path, force)
    with open_memory(path) as memory:
        entries = memory.entries(lang, reviewed_only)
    write_atomic(output, build_tmx(entries))
    out.print(f"wrote {escape(str(output))}: {len(entries)} entries (memory: {escape(str(path))})")


@memory_app.command("import")
def import_command(
    file: Annotated[Path, typer.Argument(help="A TMX file (from briefing or another tool).")],
    reviewer: Annotated[
        str,
        typer.Option(
            "--reviewer",
            help="Name stored with translations from another tool, which come in as reviewed.",
        ),
    ],
    tm: TmOption = None,
) -> None:
    """Store a TMX file's English→ja/ko translations; all or nothing."""
    from briefing.memory.backend import open_memory
    from briefing.memory.exchange import read_tmx
    from briefing.memory.sqlite import resolve_memory_path

    path = resolve_memory_path(memory_setting(tm))
    now = dt.datetime.now(dt.timezone.utc).isoformat(timespec="microseconds")
    read = read_tmx(file, reviewer, now)
    with open_memory(path) as memory:
        stored = memory.restore(read.entries)
    extra = []
    if read.other_languages:
        extra.append(f"{read.other_languages} units in other languages left out")
    if read.empty:
        extra.append(f"{read.empty} empty left out")
    out.print(
        f"imported {stored} entries from {escape(str(file))}"
        + (f" ({'; '.join(extra)})" if extra else "")
        + f" (memory: {escape(str(path))})"
    )


@memory_app.command("stats")
def stats_command(tm: TmOption = None) -> None:
    """Entries per target language, origin and model."""
    from briefing.memory.backend import open_memory
    from briefing.memory.sqlite import resolve_memory_path

    path = resolve_memory_path(memory_setting(tm))
    with open_memory(path) as memory:
        rows = memory.stats()
    out.print(f"memory: {escape(str(path))}")
    out.print(f"{'language':<9} {'origin':<9} {'model':<32} {'entries':>8}")
    for lang, origin, model, count in rows:
        out.print(f"{lang:<9} {origin:<9} {escape(model or '-'):<32} {count:>8}")
    out.print(f"{'total':<9} {sum(r[3] for r in rows):<9}")
