"""Bilingual layout: English and the target language side by side, section by section.

Interpreters and desk officers read the two versions against each other. Both documents come
from the same template and facts, so their blocks correspond one to one; each section's
heading carries both languages, and its content becomes a two-column table.
"""

from __future__ import annotations

from dataclasses import replace

from briefing.output.document import (
    Block,
    BulletList,
    Document,
    Heading,
    Notice,
    Paragraph,
    Run,
    Table,
)

Cell = tuple[Run, ...]
SEPARATOR = Run(" / ")


def _cells(block: Block) -> list[tuple[Cell, ...]]:
    """A block as rows of one cell each (a table row's cells joined), in reading order."""
    if isinstance(block, Paragraph | Notice):
        return [(block.runs,)]
    if isinstance(block, BulletList):
        return [((Run("• "), *item),) for item in block.items]
    if isinstance(block, Table):
        rows = ([block.header] if block.header else []) + list(block.rows)
        return [(_join(row),) for row in rows]
    return []


def _join(cells: tuple[Cell, ...]) -> Cell:
    joined: list[Run] = []
    for index, cell in enumerate(cells):
        if index:
            joined.append(SEPARATOR)
        joined.extend(cell)
    return tuple(joined)


def pair_documents(english: Document, target: Document, labels: tuple[str, str]) -> Document:
    """One document holding both; `labels` are the column headings (e.g. English, 日本語)."""
    blocks: list[Block] = []
    rows: list[tuple[Cell, Cell]] = []

    def flush() -> None:
        if rows:
            header = (tuple([Run(labels[0])]), tuple([Run(labels[1])]))
            blocks.append(Table(header, tuple(rows)))
            rows.clear()

    left_blocks, right_blocks = list(english.blocks), list(target.blocks)
    while left_blocks or right_blocks:
        left = left_blocks[0] if left_blocks else None
        right = right_blocks[0] if right_blocks else None
        if isinstance(right, Notice) and not isinstance(left, Notice):
            flush()  # notices only the translation carries (machine translation) stand alone
            blocks.append(right_blocks.pop(0))
            continue
        if left is None or right is None or type(left) is not type(right):
            raise ValueError("the English and translated documents do not have the same structure")
        left_blocks.pop(0)
        right_blocks.pop(0)
        if isinstance(left, Heading) and isinstance(right, Heading):
            flush()
            blocks.append(Heading(left.level, (*right.runs, SEPARATOR, *left.runs)))
            continue
        for (en_cell,), (target_cell,) in zip(_cells(left), _cells(right), strict=True):
            rows.append((en_cell, target_cell))
    flush()
    metadata = replace(
        target.metadata,
        title=f"{target.metadata.title} / {english.metadata.title}",
        comments=english.metadata.comments,
    )
    return Document(metadata, tuple(blocks))
