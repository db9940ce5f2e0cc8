"""Parse a rendered template's markup into the document model.

A template writes a small XML vocabulary (title, h1-h3, p, ul/li, table/tr/th/td, notice; inline
b, i, sup, mark); this turns it into headings, paragraphs, lists, tables and notices.
"""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from dataclasses import replace
from typing import Any

from briefing.errors import InputError
from briefing.languages import LANGUAGES, SOURCE_LANGUAGE
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
from briefing.output.template import Template

INLINE = {"b": "bold", "i": "italic", "sup": "superscript", "mark": "marked", "name": ""}


def _tidy(text: str | None) -> str:
    """Drop template layout (white space that contains a line break); keep everything else."""
    if not text:
        return ""
    return re.sub(r"\s*\n\s*", "", text)


def _look(child: ET.Element, look: dict[str, Any]) -> dict[str, Any]:
    """The look of an inline element's text: a name carries its term and reading."""
    if child.tag == "name":
        return {**look, "term": child.get("term", ""), "reading": child.get("reading", "")}
    return {**look, INLINE[child.tag]: True}


def _runs(element: ET.Element, look: dict[str, Any] | None = None) -> tuple[Run, ...]:
    look = look or {}
    runs: list[Run] = []

    def add(text: str | None, current: dict[str, Any]) -> None:
        text = _tidy(text)
        if text:
            runs.append(Run(text, **current))

    add(element.text, look)
    for child in element:
        if child.tag not in INLINE:
            raise ValueError(f"<{child.tag}> cannot appear inside <{element.tag}>")
        runs.extend(_runs(child, _look(child, look)))
        add(child.tail, look)
    return merge_runs(runs)


def merge_runs(runs: list[Run]) -> tuple[Run, ...]:
    """Join neighbouring runs that look the same, so Word gets one run per look."""
    merged: list[Run] = []
    for run in runs:
        if merged and replace(merged[-1], text="") == replace(run, text=""):
            merged[-1] = replace(run, text=merged[-1].text + run.text)
        else:
            merged.append(run)
    return tuple(merged)


def _block(element: ET.Element) -> Block | None:
    """The block an element writes; None for a table without a cell, which prints nothing."""
    tag = element.tag
    if tag == "title":
        return Heading(0, _runs(element))
    if tag in ("h1", "h2", "h3"):
        return Heading(int(tag[1]), _runs(element))
    if tag == "p":
        return Paragraph(_runs(element), element.get("style", "body"))
    if tag == "notice":
        return Notice(_runs(element))
    if tag == "ul":
        return BulletList(tuple(_runs(li) for li in element if li.tag == "li"))
    if tag == "table":
        header: tuple[tuple[Run, ...], ...] = ()
        rows: list[tuple[tuple[Run, ...], ...]] = []
        for tr in element:
            cells = tuple(_runs(cell) for cell in tr)
            if not cells:
                continue  # a row of no cells (a loop over nothing): Word reads none
            if all(cell.tag == "th" for cell in tr) and not rows and not header:
                header = cells
            else:
                rows.append(cells)
        return Table(header, tuple(rows)) if header or rows else None
    raise ValueError(f"unknown element <{tag}>")


def _metadata(element: ET.Element | None) -> dict[str, Any]:
    if element is None:
        raise ValueError("the document needs a <meta> element")
    attrs = dict(element.attrib)
    return {
        "title": attrs.get("title", ""),
        "subject": attrs.get("subject", ""),
        "language": attrs.get("language", LANGUAGES[SOURCE_LANGUAGE].tag),
        "author": attrs.get("author", ""),
        "created": dt.datetime.fromisoformat(attrs["created"]),
        "keywords": tuple(k for k in attrs.get("keywords", "").split(";") if k),
        "category": attrs.get("category", ""),
        "comments": attrs.get("comments", ""),
        "header": attrs.get("header", ""),
        "header_formal": attrs.get("header-formal", "") == "true",
        "footer": attrs.get("footer", "{page} / {pages}"),
    }


def parse_markup(markup: str, template: Template) -> Document:
    try:
        root = ET.fromstring(markup)
        metadata = Metadata(**_metadata(root.find("meta")))
        found = (_block(child) for child in root if child.tag != "meta")
        blocks = tuple(block for block in found if block is not None)
    except (ET.ParseError, ValueError, KeyError) as err:
        raise InputError(
            f"{template.directory / template.config.document}: the template produced invalid "
            f"markup: {err}"
        ) from None
    return Document(metadata, blocks)
