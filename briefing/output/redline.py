"""What changed between two versions of a document model, as Word's tracked changes see it.

Why the marks are made here and not by a library: python-docx writes no revisions (its issue
#340, open since 2016). docx-revisions (MIT, 60 kB) edits the text of existing paragraphs
one replacement at a time, stamps each change with the clock, and knows neither inserted
paragraphs, table rows nor formatting changes. python-redlines runs Open-XML-PowerTools'
WmlComparer, a .NET program shipped as a 34 MB binary per platform, that compares two finished
.docx files: it would rediscover the structure this model already has, its word splitting is
made for space-separated languages, and its output changes with its releases. The model knows
every statement, row and run; comparing models and writing the few revision elements Word needs
(output/docx_xml.py) is a few hundred lines, works on every platform, and is deterministic.

Changes are found on the document's structure first: paragraphs (headings, list items, notices,
sources) and tables are aligned with difflib on their content; a table that is kept is aligned
row by row; paragraphs and rows that were replaced are paired with the most similar ones. Inside
a paired paragraph or cell the text is compared by words where words are separated by spaces,
and by characters in Japanese and Korean, so that a corrected name or date is a small mark. The
look of every character (bold, italic, superscript, marked) goes through the comparison: text
kept with a different look is a formatting change.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from itertools import groupby
from typing import Literal, TypeVar

from briefing.output.document import (
    BulletList,
    Document,
    Heading,
    Metadata,
    Notice,
    Paragraph,
    Run,
    Table,
)

Change = Literal["", "ins", "del"]
Cells = tuple[tuple[Run, ...], ...]
T = TypeVar("T")

# Pieces of text compared as one: a character of Japanese or Korean script (and full-width
# forms), a word of any other script, a stretch of white space, or any other single character.
_EAST_ASIAN = (
    "\u1100-\u11ff\u3000-\u30ff\u3130-\u318f\u31f0-\u31ff\u3400-\u4dbf"
    "\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef"
)
_TOKEN = re.compile(rf"[{_EAST_ASIAN}]|[^\W{_EAST_ASIAN}]+|\s+|.", re.DOTALL)
# Two paragraphs or rows less alike than this are one deleted and one inserted, not one edited.
SIMILAR = 0.5
# A replaced stretch longer than this (paragraphs × paragraphs) is not paired item by item.
PAIRING_LIMIT = 40_000


@dataclass(frozen=True)
class TrackedRun:
    run: Run  # the text with its look now; for a deletion, as it was
    change: Change = ""
    was: Run | None = None  # the look it had, when only its look changed


TrackedRuns = tuple[TrackedRun, ...]


@dataclass(frozen=True)
class TrackedParagraph:
    style: str  # heading:N, paragraph:STYLE, notice or bullet (see style_key)
    runs: TrackedRuns
    change: Change = ""  # the whole paragraph inserted or deleted, its mark too


@dataclass(frozen=True)
class TrackedRow:
    cells: tuple[TrackedRuns, ...]
    change: Change = ""


@dataclass(frozen=True)
class TrackedTable:
    header: TrackedRow | None
    rows: tuple[TrackedRow, ...]
    # the current table's heading row over the header and its rule for page breaks, as the
    # document model's Table has them (not tracked: they follow the layout, not the facts)
    groups: tuple[tuple[tuple[Run, ...], int], ...] = ()
    keep_rows_together: bool = False


TrackedBlock = TrackedParagraph | TrackedTable


@dataclass(frozen=True)
class Redline:
    """The current document with what the earlier one had, every difference marked."""

    metadata: Metadata
    blocks: tuple[TrackedBlock, ...]

    @property
    def changed(self) -> bool:
        return any(_is_changed(block) for block in self.blocks)


def _runs_changed(runs: TrackedRuns) -> bool:
    return any(run.change or run.was is not None for run in runs)


def _is_changed(block: TrackedBlock) -> bool:
    if isinstance(block, TrackedParagraph):
        return bool(block.change) or _runs_changed(block.runs)
    rows = ([block.header] if block.header else []) + list(block.rows)
    return any(row.change or any(_runs_changed(cell) for cell in row.cells) for row in rows)


# ---------------------------------------------------------------------- the structure


@dataclass(frozen=True)
class _Para:
    style: str
    runs: tuple[Run, ...]


_Unit = _Para | Table


def style_key(block: Heading | Paragraph | Notice | BulletList) -> str:
    """How a paragraph is styled, as one string: paragraphs pair only with their own kind."""
    if isinstance(block, Heading):
        return f"heading:{block.level}"
    if isinstance(block, Paragraph):
        return f"paragraph:{block.style}"
    if isinstance(block, Notice):
        return "notice"
    return "bullet"


def _units(document: Document) -> list[_Unit]:
    """The document as Word lays it out: paragraphs (a list is its items) and tables."""
    units: list[_Unit] = []
    for block in document.blocks:
        if isinstance(block, BulletList):
            units.extend(_Para("bullet", item) for item in block.items)
        elif isinstance(block, Table):
            units.append(block)
        else:
            units.append(_Para(style_key(block), block.runs))
    return units


def _columns(table: Table) -> int:
    return max([len(table.header), *(len(row) for row in table.rows)])


def _key(unit: _Unit) -> object:
    """Equal keys align: paragraphs by style and content, tables by shape and header."""
    if isinstance(unit, Table):
        return ("table", _columns(unit), unit.header)
    return unit


def compare(earlier: Document, current: Document) -> Redline:
    """`current` with every difference from `earlier` marked; unchanged when they are equal."""
    old, new = _units(earlier), _units(current)
    blocks: list[TrackedBlock] = []
    matcher = SequenceMatcher(None, [_key(u) for u in old], [_key(u) for u in new], False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            pairs: list[tuple[_Unit | None, _Unit | None]] = list(
                zip(old[i1:i2], new[j1:j2], strict=True)
            )
        else:
            pairs = _pair(old[i1:i2], new[j1:j2], _unit_similarity)
        blocks.extend(_unit(before, after) for before, after in pairs)
    return Redline(current.metadata, tuple(blocks))


def _unit(before: _Unit | None, after: _Unit | None) -> TrackedBlock:
    if isinstance(before, Table) or isinstance(after, Table):
        assert before is None or isinstance(before, Table)
        assert after is None or isinstance(after, Table)
        return _table(before, after)
    assert before is None or isinstance(before, _Para)
    assert after is None or isinstance(after, _Para)
    if before is None:
        assert after is not None
        return TrackedParagraph(after.style, _whole(after.runs, "ins"), "ins")
    if after is None:
        return TrackedParagraph(before.style, _whole(before.runs, "del"), "del")
    return TrackedParagraph(after.style, compare_runs(before.runs, after.runs))


def _unit_similarity(before: _Unit, after: _Unit) -> float | None:
    if isinstance(before, Table) and isinstance(after, Table):
        # tables of one shape in the same stretch are the same table, edited
        return 1.0 if _columns(before) == _columns(after) else None
    if isinstance(before, _Para) and isinstance(after, _Para) and before.style == after.style:
        ratio = similarity(_text(before.runs), _text(after.runs))
        return ratio if ratio >= SIMILAR else None
    return None


def _pair(
    before: Sequence[T], after: Sequence[T], similar: Callable[[T, T], float | None]
) -> list[tuple[T | None, T | None]]:
    """Items of two stretches in order, each paired with its most similar counterpart (the
    pairing with the greatest total similarity), the others alone: deleted or inserted."""
    n, m = len(before), len(after)
    if n * m > PAIRING_LIMIT:
        return [(item, None) for item in before] + [(None, item) for item in after]
    scores = [[similar(b, a) for a in after] for b in before]
    best = [[0.0] * (m + 1) for _ in range(n + 1)]
    for i in reversed(range(n)):
        for j in reversed(range(m)):
            score = scores[i][j]
            paired = score + best[i + 1][j + 1] if score is not None else -1.0
            best[i][j] = max(best[i + 1][j], best[i][j + 1], paired)
    pairs: list[tuple[T | None, T | None]] = []
    i = j = 0
    while i < n and j < m:
        score = scores[i][j]
        if score is not None and best[i][j] == score + best[i + 1][j + 1]:
            pairs.append((before[i], after[j]))
            i, j = i + 1, j + 1
        elif best[i][j] == best[i + 1][j]:
            pairs.append((before[i], None))
            i += 1
        else:
            pairs.append((None, after[j]))
            j += 1
    pairs += [(item, None) for item in before[i:]] + [(None, item) for item in after[j:]]
    return pairs


# ---------------------------------------------------------------------- tables


def _table(before: Table | None, after: Table | None) -> TrackedTable:
    if after is None:
        assert before is not None
        return _whole_table(before, "del")
    if before is None:
        return _whole_table(after, "ins")
    header: TrackedRow | None = None
    if before.header and after.header:
        header = _row(before.header, after.header)
    elif after.header:
        header = TrackedRow(tuple(_whole(cell, "ins") for cell in after.header), "ins")
    elif before.header:
        header = TrackedRow(tuple(_whole(cell, "del") for cell in before.header), "del")
    rows: list[TrackedRow] = []
    matcher = SequenceMatcher(None, before.rows, after.rows, False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            pairs: list[tuple[Cells | None, Cells | None]] = list(
                zip(before.rows[i1:i2], after.rows[j1:j2], strict=True)
            )
        else:
            pairs = _pair(before.rows[i1:i2], after.rows[j1:j2], _row_similarity)
        rows.extend(_row(old, new) for old, new in pairs)
    return TrackedTable(header, tuple(rows), after.groups, after.keep_rows_together)


def _whole_table(table: Table, change: Change) -> TrackedTable:
    def row(cells: Cells) -> TrackedRow:
        return TrackedRow(tuple(_whole(cell, change) for cell in cells), change)

    header = row(table.header) if table.header else None
    return TrackedTable(header, tuple(map(row, table.rows)), table.groups, table.keep_rows_together)


def _row(before: Cells | None, after: Cells | None) -> TrackedRow:
    if before is None:
        assert after is not None
        return TrackedRow(tuple(_whole(cell, "ins") for cell in after), "ins")
    if after is None:
        return TrackedRow(tuple(_whole(cell, "del") for cell in before), "del")
    return TrackedRow(tuple(compare_runs(old, new) for old, new in zip(before, after, strict=True)))


def _row_similarity(before: Cells, after: Cells) -> float | None:
    if len(before) != len(after):
        return None
    ratio = similarity(
        "\t".join(_text(cell) for cell in before), "\t".join(_text(cell) for cell in after)
    )
    return ratio if ratio >= SIMILAR else None


# ---------------------------------------------------------------------- text


def tokens(text: str) -> list[str]:
    """`text` in the pieces it is compared by: words, or characters of Japanese and Korean."""
    return _TOKEN.findall(text)


def similarity(before: str, after: str) -> float:
    """How alike two texts are, 0 to 1, counting their words and characters but not spaces."""
    a = [token for token in tokens(before) if not token.isspace()]
    b = [token for token in tokens(after) if not token.isspace()]
    if not a and not b:
        return 1.0
    return SequenceMatcher(None, a, b, False).ratio()


def _text(runs: tuple[Run, ...]) -> str:
    return "".join(run.text for run in runs)


def _whole(runs: tuple[Run, ...], change: Change) -> TrackedRuns:
    return tuple(TrackedRun(run, change) for run in runs)


Look = tuple[bool, bool, bool, bool]


def _look(run: Run) -> Look:
    return (run.bold, run.italic, run.superscript, run.marked)


def _with_look(text: str, look: Look) -> Run:
    bold, italic, superscript, marked = look
    return Run(text, bold, italic, superscript, marked)


def _characters(runs: tuple[Run, ...]) -> list[Look]:
    """The look of every character of `runs`."""
    return [_look(run) for run in runs for _ in run.text]


def compare_runs(before: tuple[Run, ...], after: tuple[Run, ...]) -> TrackedRuns:
    """`after` with what differs from `before` marked: deleted and inserted text, and text
    whose look alone changed."""
    if before == after:
        return _whole(after, "")
    old_text, new_text = _text(before), _text(after)
    old_looks, new_looks = _characters(before), _characters(after)
    old_tokens, new_tokens = tokens(old_text), tokens(new_text)
    old_starts = _starts(old_tokens)
    new_starts = _starts(new_tokens)
    opcodes = SequenceMatcher(None, old_tokens, new_tokens, False).get_opcodes()
    pieces: list[tuple[str, Change, Look, Look | None]] = []
    for tag, i1, i2, j1, j2 in _merge_small_islands(opcodes, old_tokens):
        old_span = range(old_starts[i1], old_starts[i2])
        new_span = range(new_starts[j1], new_starts[j2])
        if tag == "equal":
            for o, n in zip(old_span, new_span, strict=True):
                was = old_looks[o] if old_looks[o] != new_looks[n] else None
                pieces.append((new_text[n], "", new_looks[n], was))
            continue
        pieces += [(old_text[o], "del", old_looks[o], None) for o in old_span]
        pieces += [(new_text[n], "ins", new_looks[n], None) for n in new_span]
    return _join(pieces)


def _starts(pieces: list[str]) -> list[int]:
    """Where each token starts in the text, and the text's length last."""
    starts = [0]
    for piece in pieces:
        starts.append(starts[-1] + len(piece))
    return starts


def _merge_small_islands(
    opcodes: Sequence[tuple[str, int, int, int, int]], old_tokens: list[str]
) -> list[tuple[str, int, int, int, int]]:
    """An unchanged space, punctuation mark or single short word between two changes joins
    them: one replaced phrase reads better than a comb of small marks."""
    merged: list[tuple[str, int, int, int, int]] = []
    for index, opcode in enumerate(opcodes):
        tag, i1, i2, j1, j2 = opcode
        between = 0 < index < len(opcodes) - 1 and tag == "equal"
        if between and _small(old_tokens[i1:i2]):
            tag = "replace"
        if merged and tag != "equal" and merged[-1][0] != "equal":
            _, p1, _, q1, _ = merged[-1]
            merged[-1] = ("replace", p1, i2, q1, j2)
        else:
            merged.append((tag, i1, i2, j1, j2))
    return merged


def _small(pieces: list[str]) -> bool:
    """Spaces and punctuation, or one word of at most two letters (one Japanese character)."""
    words = [piece for piece in pieces if piece.isalnum()]
    return not words or (len(words) == 1 and len(words[0]) <= 2)


def _join(pieces: list[tuple[str, Change, Look, Look | None]]) -> TrackedRuns:
    """Neighbouring characters with the same change and look as one run."""
    runs = []
    for (change, look, was), group in groupby(pieces, key=lambda piece: piece[1:]):
        text = "".join(piece[0] for piece in group)
        earlier = None if was is None else _with_look("", was)
        runs.append(TrackedRun(_with_look(text, look), change, earlier))
    return tuple(runs)
