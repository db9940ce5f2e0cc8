"""`briefing memory`: look after translation memories, whichever backend holds them."""

from __future__ import annotations

from typing import Annotated

import typer

from briefing.cli.common import LazyConsole

memory_app = typer.Typer(
    help="Translation memories: copy one into another (a file or a postgresql:// URL).",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
)
out = LazyConsole(highlight=False, soft_wrap=True)


@memory_app.command("copy")
def copy_command(
    source: Annotated[str, typer.Argument(help="The memory to copy: a file or postgresql:// URL.")],
    destination: Annotated[
        str, typer.Argument(help="The memory to copy into (created if new): a file or URL.")
    ],
) -> None:
    """Copy every entry of SOURCE into DESTINATION, in one transaction there.

    Entries DESTINATION already holds under the same key are replaced only by newer ones, so
    copying twice, or back and forth, loses no reviewer's work.
    """
    from briefing.memory.backend import copy_memory, open_memory

    with open_memory(source) as origin, open_memory(destination) as target:
        copied = copy_memory(origin, target)
        counts = target.counts()
        name = target.name
    out.print(
        f"copied {copied} entries into {name} (it now holds {counts['machine']} machine and "
        f"{counts['reviewed']} reviewed)"
    )
