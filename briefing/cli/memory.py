"""`briefing memory`: look after translation memories, whichever backend holds them: exchange
them with other tools as TMX 1.4b, count what they hold, copy one into another."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from briefing.cli.common import LazyConsole, TmOption, escape, memory_setting, open_memory
from briefing.errors import InputError
from briefing.languages import TARGET_LANGUAGES

if TYPE_CHECKING:
    from briefing.memory.tmx_import import TmxImport

memory_app = typer.Typer(
    help="Translation memory: TMX export and import, statistics, copy.\n\n"
    "A memory is a file (SQLite) or a postgresql:// URL shared by a team.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
)
out = LazyConsole(highlight=False, soft_wrap=True)
SHOWN = 5  # names or places an import summary lists of each kind; the rest are counted


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
    file: Annotated[
        Path, typer.Argument(metavar="FILE", help="A TMX file (from briefing or another tool).")
    ],
    reviewer: Annotated[
        str | None,
        typer.Option(
            "--reviewer",
            help="Your name, recorded as the reviewer of every translation the file brings as "
            "reviewed (default: your login name); a reviewer the file names is kept in the "
            "entry's note.",
        ),
    ] = None,
    tm: TmOption = None,
) -> None:
    """Store a TMX file's translations in one transaction.

    Store a TMX file's English→ja/ko translations in one transaction; units that cannot be
    taken as they are (inline codes, over a limit) are left out and listed.
    """
    from briefing.memory.connected import timestamp
    from briefing.memory.reviewers import importer
    from briefing.memory.tmx_import import read_tmx

    who = importer(reviewer)
    read = read_tmx(file, who, timestamp())
    with open_memory(memory_setting(tm)) as memory:
        stored = memory.restore(read.entries)
        path = memory.name
    for line in import_report(file, read, stored, who or "", path):
        out.print(escape(line))


def import_report(file: Path, read: TmxImport, stored: int, who: str, memory: str) -> list[str]:
    """What a TMX import says: what it stored and in whose name, what it kept, left out or
    changed, each counted."""
    machine = len(read.entries) - read.reviewed
    kinds = [f"{machine} machine"] if machine else []
    if read.reviewed:
        kinds.insert(0, f"{read.reviewed} reviewed, recorded as reviewed by {who}")
    lines = [
        f"imported {stored} entries from {file} (memory: {memory})"
        + (
            f": of the file's {len(read.entries)} translations, {' and '.join(kinds)}"
            if kinds
            else ""
        )
    ]
    if len(read.entries) > stored:
        lines.append(
            f"  kept: {len(read.entries) - stored} the memory already held as they are or newer"
        )
    if read.named:
        most = sorted(read.named.items(), key=lambda item: (-item[1], item[0]))
        names = ", ".join(f"{name} ({count})" for name, count in most[:SHOWN])
        names += f" and {len(most) - SHOWN} others" if len(most) > SHOWN else ""
        lines.append(
            f"  reviewers the file names, kept in the entries' notes and not recorded as their "
            f"reviewer: {names}"
        )
    if read.future_dates:
        lines.append(
            f"  {read.future_dates} dates later than now, taken as the time of this import"
        )
    if read.unreadable_dates:
        lines.append(
            f"  {read.unreadable_dates} dates unreadable, taken as the time of this import"
        )
    if read.repeated:
        lines.append(f"  {read.repeated} repeated in the file: the newest of each kept")
    if read.other_languages:
        lines.append(f"  left out: {read.other_languages} units in other languages")
    if read.empty:
        lines.append(f"  left out: {read.empty} empty")
    for reason, places in read.left_out.items():
        more = len(places) - SHOWN
        shown = ", ".join(places[:SHOWN]) + (f" and {more} more" if more > 0 else "")
        lines.append(f"  left out: {len(places)} with {reason}: {shown}")
    return lines


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
    source: Annotated[
        str, typer.Argument(metavar="SRC", help="The memory to copy: a file or postgresql:// URL.")
    ],
    destination: Annotated[
        str,
        typer.Argument(
            metavar="DST", help="The memory to copy into (created if new): a file or URL."
        ),
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
