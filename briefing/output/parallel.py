"""Bilingual layout: English and the target language side by side, section by section.

Interpreters and desk officers read the two versions against each other. Both documents come
from the same template and facts, so their blocks correspond one to one. English comes first
everywhere, as in the columns: the title is given once in each language, English then the
target; each section's heading names the section in both. A section's paragraphs and lists
become rows of a two-column table (English | target); a table of the template becomes one
table whose rows hold its English cells and its target cells side by side, under a header of
two levels (the language over its columns, then the column headings). The header rows repeat
on every page and no row breaks across a page, so both versions of a row are always read on
the same page. The pages are landscape, as bilingual tables are printed: a participants table
has twice its columns here.
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
BULLET = Run("• ")


class NotParallel(ValueError):
    """The template made the English and the translated document of different blocks, so they
    cannot stand side by side: a fault of the template, which the build names."""


def _cells(block: Block) -> list[Cell]:
    """A paragraph, notice or list as the cells of one column, one row each, in reading order."""
    if isinstance(block, Paragraph | Notice):
        return [block.runs]
    if isinstance(block, BulletList):
        return [(BULLET, *item) for item in block.items]
    raise TypeError(f"no cells for {type(block).__name__}")


def _kind(block: Block | None) -> str:
    """What a template author finds the block by: its kind and the start of its text."""
    if block is None:
        return "nothing more"
    names = {Heading: "a heading", Paragraph: "a paragraph", BulletList: "a list"}
    names |= {Table: "a table", Notice: "a notice"}
    if isinstance(block, Table):
        cells = block.header or (block.rows[0] if block.rows else ())
        first = cells[0] if cells else ()
    elif isinstance(block, BulletList):
        first = block.items[0] if block.items else ()
    else:
        first = block.runs
    text = "".join(run.text for run in first)
    return f"{names[type(block)]} ({text[:40]!r})" if text else names[type(block)]


def _both(english: Cell, target: Cell) -> Cell:
    """One heading in both languages, English first; once when they read the same."""
    if "".join(r.text for r in english) == "".join(r.text for r in target):
        return english
    return (*english, SEPARATOR, *target)


def _width(table: Table) -> int:
    return max([len(table.header), *(len(row) for row in table.rows)])


def _padded(cells: tuple[Cell, ...], width: int) -> tuple[Cell, ...]:
    return cells + ((),) * (width - len(cells))


def _bold(cells: tuple[Cell, ...]) -> tuple[Cell, ...]:
    return tuple(tuple(replace(run, bold=True) for run in cell) for cell in cells)


def _paired_table(english: Table, target: Table, labels: tuple[str, str]) -> Table:
    """One table: each row's English cells, then its target cells; the languages over them."""
    if len(english.rows) != len(target.rows):
        raise NotParallel(
            f"a table has {len(english.rows)} rows in English and {len(target.rows)} in the "
            "translation"
        )
    left, right = _width(english), _width(target)
    header: tuple[Cell, ...] = ()
    if english.header or target.header:
        # The column headings are a second header row, which the table style does not reach:
        # bold marks them as headings in every reader.
        header = _bold(_padded(english.header, left) + _padded(target.header, right))
    rows = tuple(
        _padded(en_row, left) + _padded(target_row, right)
        for en_row, target_row in zip(english.rows, target.rows, strict=True)
    )
    groups = (((Run(labels[0]),), left), ((Run(labels[1]),), right))
    return Table(header, rows, groups, keep_rows_together=True)


def pair_documents(english: Document, target: Document, labels: tuple[str, str]) -> Document:
    """One document holding both; `labels` are the column headings (e.g. English, 日本語)."""
    blocks: list[Block] = []
    rows: list[tuple[Cell, Cell]] = []

    def flush() -> None:
        if rows:
            header = ((Run(labels[0]),), (Run(labels[1]),))
            blocks.append(Table(header, tuple(rows), keep_rows_together=True))
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
            raise NotParallel(
                f"the English document has {_kind(left)} where the translation has {_kind(right)}"
            )
        left_blocks.pop(0)
        right_blocks.pop(0)
        if isinstance(left, Heading) and isinstance(right, Heading):
            flush()
            if left.level == 0:  # the title: once in each language, a line each
                blocks += [left, right]
            else:
                blocks.append(Heading(left.level, _both(left.runs, right.runs)))
        elif isinstance(left, Table) and isinstance(right, Table):
            flush()
            blocks.append(_paired_table(left, right, labels))
        else:
            left_cells, right_cells = _cells(left), _cells(right)
            if len(left_cells) != len(right_cells):
                raise NotParallel(
                    f"a list has {len(left_cells)} items in English and {len(right_cells)} in "
                    "the translation"
                )
            rows.extend(zip(left_cells, right_cells, strict=True))
    flush()
    metadata = replace(
        target.metadata,
        title=f"{english.metadata.title} / {target.metadata.title}",
        comments=english.metadata.comments,
        landscape=True,  # two languages' columns of a table side by side need the width
    )
    return Document(metadata, tuple(blocks))
