"""Render a template into the document model.

A template writes a small XML vocabulary (title, h1-h3, p, ul/li, table/tr/th/td, notice; inline
b, i, sup, mark). Jinja escapes every value, so text from a facts file can never add structure:
`<w:p>`, `**bold**` or `{{ x }}` in a statement come out as the characters they are.
Templates run in Jinja's sandbox; they are trusted to be well-formed, not to be harmless.
"""

from __future__ import annotations

import datetime as dt
import gettext
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from babel.dates import format_date, format_time
from babel.numbers import format_decimal
from jinja2 import FileSystemLoader, StrictUndefined, TemplateError
from jinja2.sandbox import SandboxedEnvironment
from pydantic import BaseModel, ConfigDict, ValidationError

from briefing.document import (
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
from briefing.errors import InputError
from briefing.facts import problems_from_validation
from briefing.localize import BriefingView
from briefing.yamlsource import load_yaml

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates"


class Fonts(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    body: str
    headings: str


class TemplateConfig(BaseModel):
    """`template.yaml` beside a template: which files it uses and its fonts per language."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    description: str = ""
    document: str = "document.xml.j2"
    reference: str = "reference.docx"
    fonts: dict[str, Fonts] = {}


@dataclass(frozen=True)
class Template:
    directory: Path
    config: TemplateConfig
    locale_dirs: list[Path] = field(default_factory=list)

    @property
    def reference(self) -> Path:
        return self.directory / self.config.reference

    def files(self) -> list[Path]:
        """Everything the template's output depends on, for change detection."""
        return sorted(p for p in self.directory.rglob("*") if p.is_file())


def find_template(name_or_path: str, search_dir: Path = TEMPLATES_DIR) -> Template:
    """A template by name (under templates/) or by directory path."""
    candidate = Path(name_or_path)
    directory = candidate if candidate.is_dir() else search_dir / name_or_path
    config_path = directory / "template.yaml"
    if not config_path.is_file():
        known = sorted(p.name for p in search_dir.iterdir() if (p / "template.yaml").is_file())
        raise InputError(
            f"template '{name_or_path}' not found (looked for {config_path}); "
            f"available: {', '.join(known) or 'none'}"
        )
    loaded = load_yaml(config_path)
    try:
        config = TemplateConfig.model_validate(loaded.data)
    except ValidationError as err:
        raise InputError("", problems_from_validation(loaded, err, TemplateConfig)) from None
    for needed in (config.document, config.reference):
        if not (directory / needed).is_file():
            raise InputError(f"{config_path}: the template names '{needed}', which is missing")
    locales = directory / "locales"
    return Template(directory, config, [locales] if locales.is_dir() else [])


def make_environment(
    template: Template, translations: gettext.NullTranslations, locale: str
) -> SandboxedEnvironment:
    env = SandboxedEnvironment(
        loader=FileSystemLoader(str(template.directory)),
        autoescape=True,
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_translations(translations, newstyle=True)  # type: ignore[attr-defined]

    def date_filter(value: dt.date | None, pattern: str = "long") -> str:
        return "" if value is None else format_date(value, format=pattern, locale=locale)

    def time_filter(value: dt.time | None, pattern: str = "short") -> str:
        return "" if value is None else format_time(value, format=pattern, locale=locale)

    def number_filter(value: float | int) -> str:
        return format_decimal(value, locale=locale)

    env.filters.update(date=date_filter, time=time_filter, number=number_filter)
    return env


def render_markup(
    template: Template, view: BriefingView, translations: gettext.NullTranslations
) -> str:
    env = make_environment(template, translations, view.locale)
    try:
        return env.get_template(template.config.document).render(b=view)
    except TemplateError as err:
        where = f"{template.directory / template.config.document}"
        line = getattr(err, "lineno", None)
        raise InputError(
            f"{where}{':' + str(line) if line else ''}: template error: {err}"
        ) from None


def render_document(
    template: Template, view: BriefingView, translations: gettext.NullTranslations
) -> Document:
    return parse_markup(render_markup(template, view, translations), template)


# ---------------------------------------------------------------- markup → document model

INLINE = {"b": "bold", "i": "italic", "sup": "superscript", "mark": "marked"}


def _tidy(text: str | None) -> str:
    """Drop template layout (white space that contains a line break); keep everything else."""
    if not text:
        return ""
    return re.sub(r"\s*\n\s*", "", text)


def _runs(element: ET.Element, look: dict[str, bool] | None = None) -> tuple[Run, ...]:
    look = look or {}
    runs: list[Run] = []

    def add(text: str | None, current: dict[str, bool]) -> None:
        text = _tidy(text)
        if text:
            runs.append(Run(text, **current))

    add(element.text, look)
    for child in element:
        if child.tag not in INLINE:
            raise ValueError(f"<{child.tag}> cannot appear inside <{element.tag}>")
        runs.extend(_runs(child, {**look, INLINE[child.tag]: True}))
        add(child.tail, look)
    return _merge(runs)


def _merge(runs: list[Run]) -> tuple[Run, ...]:
    """Join neighbouring runs that look the same, so Word gets one run per look."""
    merged: list[Run] = []
    for run in runs:
        if merged and replace(merged[-1], text="") == replace(run, text=""):
            merged[-1] = replace(run, text=merged[-1].text + run.text)
        else:
            merged.append(run)
    return tuple(merged)


def _block(element: ET.Element) -> Block:
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
            if all(cell.tag == "th" for cell in tr) and not rows and not header:
                header = cells
            else:
                rows.append(cells)
        return Table(header, tuple(rows))
    raise ValueError(f"unknown element <{tag}>")


def _metadata(element: ET.Element | None) -> dict[str, Any]:
    if element is None:
        raise ValueError("the document needs a <meta> element")
    attrs = dict(element.attrib)
    return {
        "title": attrs.get("title", ""),
        "subject": attrs.get("subject", ""),
        "language": attrs.get("language", "en-GB"),
        "author": attrs.get("author", ""),
        "created": dt.datetime.fromisoformat(attrs["created"]),
        "keywords": tuple(k for k in attrs.get("keywords", "").split(";") if k),
        "category": attrs.get("category", ""),
        "comments": attrs.get("comments", ""),
        "header": attrs.get("header", ""),
        "footer": attrs.get("footer", "{page} / {pages}"),
    }


def parse_markup(markup: str, template: Template) -> Document:
    try:
        root = ET.fromstring(markup)
        metadata = Metadata(**_metadata(root.find("meta")))
        blocks = tuple(_block(child) for child in root if child.tag != "meta")
    except (ET.ParseError, ValueError, KeyError) as err:
        raise InputError(
            f"{template.directory / template.config.document}: the template produced invalid "
            f"markup: {err}"
        ) from None
    return Document(metadata, blocks)
