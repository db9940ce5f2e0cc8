"""The reading of a name at its first mention in the document, and at no later one.

Japan's foreign ministry prints a Korean or Chinese name with its reading the first time it
appears (李在明（イ・ジェミョン）, 王毅（おう・き）) and bare after that; Korea's prints a
foreign name with its original script (다카이치 사나에(高市 早苗)). "First" is the first in
reading order, which only the rendered document knows: the template decides whether the
participants table comes before or after the summary. So this runs over the document model, in
the order a reader meets its blocks, after the template has placed them; the names were marked
with their term and reading where they were printed (output/printed.py), in structured fields
and inside translated statements alike.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from briefing.output.document import (
    Block,
    BulletList,
    Document,
    Heading,
    Notice,
    Paragraph,
    Run,
)
from briefing.output.markup import merge_runs

Runs = tuple[Run, ...]


def _map_runs(block: Block, change: Callable[[Runs], Runs]) -> Block:
    """`block` with `change` applied to each of its stretches of runs, in reading order."""
    if isinstance(block, Heading | Paragraph | Notice):
        return replace(block, runs=change(block.runs))
    if isinstance(block, BulletList):
        return replace(block, items=tuple(change(item) for item in block.items))
    groups = tuple((change(runs), span) for runs, span in block.groups)
    header = tuple(change(cell) for cell in block.header)
    rows = tuple(tuple(change(cell) for cell in row) for row in block.rows)
    return replace(block, groups=groups, header=header, rows=rows)


def with_readings(document: Document, brackets: tuple[str, str]) -> Document:
    """`document` with each name's reading, in `brackets`, after its first mention."""
    seen: set[str] = set()
    opening, closing = brackets

    def change(runs: Runs) -> Runs:
        changed: list[Run] = []
        for run in runs:
            text = run.text
            if run.reading and run.term not in seen:
                seen.add(run.term)
                text = f"{text}{opening}{run.reading}{closing}"
            changed.append(replace(run, text=text, term="", reading=""))
        return merge_runs(changed)

    blocks = tuple(_map_runs(block, change) for block in document.blocks)
    return replace(document, blocks=blocks)
