"""The document model as JSON, so that a later build (and a later briefing) can read it back.

A version record keeps the document model a build wrote; `briefing changes` compares the
current model with one written hours or tool upgrades earlier. The encoding names each block's
kind and leaves out looks that are off, and the decoder takes what it knows and fills the rest
with the model's defaults: a field added to the model later reads old records unchanged.
`FORMAT` is raised only when an old reader could no longer understand a new record.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from briefing.output.document import (
    Block,
    BulletList,
    Document,
    Heading,
    Metadata,
    Notice,
    Paragraph,
    Run,
    Table,
)

FORMAT = 1
LOOKS = ("bold", "italic", "superscript", "marked")


class UnreadableModel(ValueError):
    """A stored model this briefing cannot read (damaged, or written by a newer format)."""


def _runs(runs: tuple[Run, ...]) -> list[Any]:
    """A run is its text alone when it has no look, else [text, look, …]."""
    return [run.text if not _looks(run) else [run.text, *_looks(run)] for run in runs]


def _looks(run: Run) -> list[str]:
    return [name for name in LOOKS if getattr(run, name)]


def _block(block: Block) -> dict[str, Any]:
    if isinstance(block, Heading):
        return {"heading": block.level, "runs": _runs(block.runs)}
    if isinstance(block, Paragraph):
        return {"paragraph": block.style, "runs": _runs(block.runs)}
    if isinstance(block, Notice):
        return {"notice": _runs(block.runs)}
    if isinstance(block, BulletList):
        return {"list": [_runs(item) for item in block.items]}
    if isinstance(block, Table):
        table: dict[str, Any] = {
            "table": [_runs(cell) for cell in block.header],
            "rows": [[_runs(cell) for cell in row] for row in block.rows],
        }
        if block.groups:
            table["groups"] = [[_runs(runs), span] for runs, span in block.groups]
        if block.keep_rows_together:
            table["keep_rows_together"] = True
        return table
    raise TypeError(f"no JSON form for {type(block).__name__}")


def encode(document: Document) -> dict[str, Any]:
    meta = document.metadata
    return {
        "metadata": {
            "title": meta.title,
            "subject": meta.subject,
            "language": meta.language,
            "author": meta.author,
            "created": meta.created.isoformat(),
            "keywords": list(meta.keywords),
            "category": meta.category,
            "comments": meta.comments,
            "header": meta.header,
            "footer": meta.footer,
            **({"landscape": True} if meta.landscape else {}),
        },
        "blocks": [_block(block) for block in document.blocks],
    }


def _read_runs(data: Any) -> tuple[Run, ...]:
    runs = []
    for item in data:
        if isinstance(item, str):
            runs.append(Run(item))
        else:
            text, *looks = item
            runs.append(
                Run(
                    str(text),
                    bold="bold" in looks,
                    italic="italic" in looks,
                    superscript="superscript" in looks,
                    marked="marked" in looks,
                )
            )
    return tuple(runs)


def _read_block(data: dict[str, Any]) -> Block:
    if "heading" in data:
        return Heading(int(data["heading"]), _read_runs(data["runs"]))
    if "paragraph" in data:
        return Paragraph(_read_runs(data["runs"]), str(data["paragraph"]))
    if "notice" in data:
        return Notice(_read_runs(data["notice"]))
    if "list" in data:
        return BulletList(tuple(_read_runs(item) for item in data["list"]))
    if "table" in data:
        header = tuple(_read_runs(cell) for cell in data["table"])
        rows = tuple(tuple(_read_runs(cell) for cell in row) for row in data["rows"])
        groups = tuple((_read_runs(runs), int(span)) for runs, span in data.get("groups", ()))
        return Table(header, rows, groups, bool(data.get("keep_rows_together", False)))
    raise UnreadableModel(f"a block of unknown kind: {sorted(data)}")


def decode(data: Any) -> Document:
    """The model `encode` wrote; UnreadableModel when it is not one."""
    try:
        meta = data["metadata"]
        known = set(Metadata.__dataclass_fields__)
        fields = {key: value for key, value in meta.items() if key in known}
        fields["created"] = dt.datetime.fromisoformat(meta["created"])
        fields["keywords"] = tuple(meta.get("keywords", ()))
        blocks = tuple(_read_block(block) for block in data["blocks"])
        return Document(Metadata(**fields), blocks)
    except UnreadableModel:
        raise
    except (KeyError, TypeError, ValueError) as error:
        raise UnreadableModel(f"not a document model: {type(error).__name__}: {error}") from None
