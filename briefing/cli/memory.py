"""`briefing memory`: look after translation memories, whichever backend holds them: exchange
them with other tools as TMX 1.4b, count what they hold, copy one into another."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from briefing.cli.common import LazyConsole, TmOption, escape, memory_setting, open_memory
from briefing.errors import InputError
from briefing.languages import TARGET_LANGUAGES

memory_app = typer.Typer(
    help="Translation memory: TMX export and import, statistics, copy.\n\n"
    "A memory is a file (SQLite) or a postgresql:// URL shared by a team.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
)
out = LazyConsole(highlight=False, soft_wrap=True)


def _check_output(output: Path, memory: Path | None, force: bool) -> None:
    from briefing.memory.backend import writes_over_memory
    from briefing.review.roundtrip import PROTECTED_SUFFIXES

    target = output.resolve()
    why = writes_over_memory(output, memory)
    if why is not None:
        raise InputError(f"will not write the TMX export to {output}: {why}")
    if target.suffix.lower() in PROTECTED_SUFFIXES:
        raise InputError(
            f"will not write the TMX export to {output}: that name is a facts file, glossary "
            "or database; choose a name ending in .tmx"
        )
    if target.is_file():
        with target.open("rb") as handle:
            head = handle.read(4096)
        ours = b"<tmx" in head and b'creationtool="briefing"' in head
        if not ours and not force:
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
    """Write the memory, or part of it, as TMX 1.4b.

    Write the memory (or part of it) as TMX 1.4b, for OmegaT, Trados, memoQ or Phrase.
    """
    if lang is not None and lang not in TARGET_LANGUAGES:
        raise InputError(f"--lang takes a target language, ja or ko (got '{lang}')")
    from briefing.atomic import write_atomic
    from briefing.memory.backend import memory_file, resolve_location
    from briefing.memory.exchange import build_tmx

    location = resolve_location(memory_setting(tm))
    _check_output(output, memory_file(location), force)
    with open_memory(location, reading_will_do=True) as memory:
        entries = memory.entries(lang, reviewed_only)
        name = memory.name
    write_atomic(output, build_tmx(entries))
    out.print(f"wrote {escape(str(output))}: {len(entries)} entries (memory: {escape(name)})")


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
    """Store a TMX file's translations; all or nothing.

    Store a TMX file's English→ja/ko translations; all or nothing.
    """
    from briefing.memory.connected import timestamp
    from briefing.memory.exchange import read_tmx

    read = read_tmx(file, reviewer, timestamp())
    with open_memory(memory_setting(tm)) as memory:
        stored = memory.restore(read.entries)
        path = memory.name
    extra = []
    if read.other_languages:
        extra.append(f"{read.other_languages} units in other languages left out")
    if read.empty:
        extra.append(f"{read.empty} empty left out")
    out.print(
        f"imported {stored} entries from {escape(str(file))}"
        + (f" ({'; '.join(extra)})" if extra else "")
        + f" (memory: {escape(path)})"
    )


@memory_app.command("stats")
def stats_command(tm: TmOption = None) -> None:
    """Count entries per target language, origin and model.

    Entries per target language, origin and model.
    """
    with open_memory(memory_setting(tm), reading_will_do=True) as memory:
        rows = memory.stats()
        path = memory.name
    out.print(f"memory: {escape(path)}")
    width = max([len("model"), *(len(model or "-") for _, _, model, _ in rows)])
    out.print(f"{'language':<9} {'origin':<9} {'model':<{width}} {'entries':>8}")
    for lang, origin, model, count in rows:
        shown = f"{model or '-':<{width}}"
        out.print(f"{lang:<9} {origin:<9} {escape(shown)} {count:>8}")
    out.print(f"{'total':<9} {'':<9} {'':<{width}} {sum(r[3] for r in rows):>8}")


@memory_app.command("copy")
def copy_command(
    source: Annotated[str, typer.Argument(help="The memory to copy: a file or postgresql:// URL.")],
    destination: Annotated[
        str, typer.Argument(help="The memory to copy into (created if new): a file or URL.")
    ],
) -> None:
    """Copy every entry of one memory into another.

    Copy every entry of SOURCE into DESTINATION, in one transaction there.

    Entries DESTINATION already holds under the same key are replaced only by newer ones, so
    copying twice, or back and forth, loses no reviewer's work.
    """
    from briefing.memory.backend import copy_memory

    with (
        open_memory(source, reading_will_do=True) as origin,
        open_memory(destination) as target,
    ):
        copied = copy_memory(origin, target)
        counts = target.counts()
        name = target.name
    out.print(
        f"copied {copied} entries into {name} (it now holds {counts['machine']} machine and "
        f"{counts['reviewed']} reviewed)"
    )
