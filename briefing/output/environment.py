"""The Jinja environment a template renders in: the bounded sandbox, the template's folder, the
language's catalogs and Babel's formats for the language's dates, times and numbers.

Made in the render process (render_request.py) from plain data, and kept there per template and
language, so that each template compiles once a build.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from babel.dates import format_date, format_interval, format_time
from babel.numbers import format_decimal
from jinja2 import StrictUndefined

from briefing import catalogs
from briefing.dates import DateStyle
from briefing.output.sandbox import LimitedSandbox, TemplateFolderLoader

# CLDR skeleton for the days of an event over several days: with weekdays, like a single date.
RANGE = "yMMMMEEEEd"

LINE_BREAK = re.compile(r"\s*\n\s*")


def _one_line(value: Any) -> Any:
    """A printed value with each line break (and the white space around it) as one space.

    The markup parser drops white space that holds a line break as template layout, so a value
    printed with one would lose its word break there ("readout.\nSecond" → "readout.Second").
    """
    if isinstance(value, str) and "\n" in value:
        return type(value)(LINE_BREAK.sub(" ", value))  # Markup stays Markup
    return value


def locale_filters(locale: str, style: DateStyle | None = None) -> dict[str, Any]:
    """`date`, `time`, `date_range` and `number`: values written in the document's date style
    (briefing/dates.py), or as CLDR writes them in `locale` with the template's patterns.

    In a style of its own the template's pattern only says whether a date has its weekday (a
    pattern with E does), so a template written for CLDR patterns prints every style.
    """
    own = style if style is not None and style.years != "babel" else None

    def date_filter(value: dt.date | None, pattern: str = "long") -> str:
        if value is None:
            return ""
        if own is not None:
            return own.date(value, locale, weekday="E" in pattern)
        return format_date(value, format=pattern, locale=locale)

    def time_filter(value: dt.time | None, pattern: str = "short") -> str:
        if value is None:
            return ""
        if own is not None:
            return own.clock(value)
        return format_time(value, format=pattern, locale=locale)

    def date_range_filter(start: dt.date, end: dt.date | None, skeleton: str = RANGE) -> str:
        """The days of an event: in the style, the range as a single day is written; in CLDR,
        as CLDR writes an interval in the locale (21–22 March)."""
        if own is not None:
            weekday = "E" in skeleton
            if end is None or end == start:
                return own.date(start, locale, weekday)
            return own.range(start, end, locale, weekday)
        if end is None or end == start:
            return format_date(start, format="long", locale=locale)
        return format_interval(start, end, skeleton, locale=locale)

    def number_filter(value: float | int) -> str:
        return format_decimal(value, locale=locale)

    return {
        "date": date_filter,
        "date_range": date_range_filter,
        "time": time_filter,
        "number": number_filter,
    }


@lru_cache(maxsize=16)
def environment(
    directory: Path, locale: str, compiled: catalogs.Compiled, style: DateStyle | None = None
) -> LimitedSandbox:
    """The sandbox for a template and language (its compiled catalogs, first found wins) in a
    document's date style."""
    env = LimitedSandbox(
        loader=TemplateFolderLoader(directory),
        autoescape=True,
        finalize=_one_line,
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_translations(catalogs.chain(compiled), newstyle=True)  # type: ignore[attr-defined]
    env.filters.update(locale_filters(locale, style))
    return env
