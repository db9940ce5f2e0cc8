"""Render a template, in Jinja's sandbox, into the document model.

A template writes a small XML vocabulary (title, h1-h3, p, ul/li, table/tr/th/td, notice; inline
b, i, sup, mark). Jinja escapes every value, so text from a facts file can never add structure:
`<w:p>`, `**bold**` or `{{ x }}` in a statement come out as the characters they are.
Templates run in Jinja's sandbox; they are trusted to be well-formed, not to be harmless: the
sandbox refuses Python internals, the loader reads only files inside the template's folder, and a
render that runs too long, recurses without end or produces absurd output is stopped with an
InputError naming the template file.
"""

from __future__ import annotations

import contextlib
import ctypes
import datetime as dt
import gettext
import os
import re
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from babel.dates import format_date, format_time
from babel.numbers import format_decimal
from jinja2 import (
    FileSystemLoader,
    StrictUndefined,
    TemplateError,
    TemplateNotFound,
    TemplateSyntaxError,
)
from jinja2.exceptions import SecurityError
from jinja2.sandbox import SandboxedEnvironment

from briefing.errors import InputError
from briefing.output.document import Document
from briefing.output.localize import BriefingView
from briefing.output.markup import parse_markup
from briefing.output.template import Template

# Limits on what a template may do while it renders. A briefing renders in milliseconds and its
# markup is well under a megabyte, so these stop only runaway templates.
RENDER_TIME_LIMIT = 10.0  # seconds
MAX_MARKUP = 20 * 1024 * 1024  # characters of markup
MAX_SEQUENCE = 1_000_000  # items or characters made by `*` (repetition) in a template
MAX_EXPONENT = 1_000  # `**` beyond this is refused (10 ** 10 ** 10 would never finish)


class TemplateFolderLoader(FileSystemLoader):
    """Loads templates from one folder only: no absolute paths, no `..`, no symlinks out of it."""

    def __init__(self, directory: Path) -> None:
        super().__init__(str(directory))
        self.root = directory.resolve()

    def get_source(self, environment: Any, template: str) -> tuple[str, str, Callable[[], bool]]:
        source, filename, uptodate = super().get_source(environment, template)
        if not Path(filename).resolve().is_relative_to(self.root):
            raise TemplateNotFound(template)
        return source, filename, uptodate


class LimitedSandbox(SandboxedEnvironment):
    """Jinja's sandbox, also refusing arithmetic that would exhaust time or memory in one step."""

    intercepted_binops = frozenset({"*", "**", "%"})

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "**" and _is_number(left) and _is_number(right):
            if abs(right) > MAX_EXPONENT and abs(left) > 1:
                raise SecurityError(f"the power {left!r} ** {right!r} is too large to compute")
        elif operator == "*":
            for sequence, count in ((left, right), (right, left)):
                repeated = isinstance(sequence, str | bytes | list | tuple) and _is_number(count)
                if repeated and len(sequence) * count > MAX_SEQUENCE:
                    raise SecurityError(
                        f"repeating {len(sequence)} items {count} times is too large"
                    )
        elif operator == "%" and isinstance(left, str) and re.search(r"%[^a-zA-Z%]*\d{5}", left):
            raise SecurityError("a %-format width or precision over 9999 is too large")
        return super().call_binop(context, operator, left, right)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def make_environment(
    template: Template, translations: gettext.NullTranslations, locale: str
) -> SandboxedEnvironment:
    env = LimitedSandbox(
        loader=TemplateFolderLoader(template.directory),
        autoescape=True,
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    # The i18n extension adds this method to the environment when it loads, so no type has it.
    env.install_gettext_translations(translations, newstyle=True)  # type: ignore[attr-defined]

    def date_filter(value: dt.date | None, pattern: str = "long") -> str:
        return "" if value is None else format_date(value, format=pattern, locale=locale)

    def time_filter(value: dt.time | None, pattern: str = "short") -> str:
        return "" if value is None else format_time(value, format=pattern, locale=locale)

    def number_filter(value: float | int) -> str:
        return format_decimal(value, locale=locale)

    env.filters.update(date=date_filter, time=time_filter, number=number_filter)
    return env


class RenderTimeout(Exception):
    """Raised inside a render that has run longer than its time limit."""


@contextlib.contextmanager
def _time_limit(seconds: float) -> Iterator[None]:
    """Interrupt this thread's Python code after `seconds`.

    A template loop does not have to call anything the sandbox sees (`{% for %}` inside `{% for %}`
    over a list), so the limit is an exception delivered to the rendering thread, which Python
    raises at its next bytecode, inside whatever loop is running. It is delivered again every
    50 ms until the render ends, in case it landed where Python ignores exceptions (a garbage
    collector or finalizer callback).
    """
    thread_id = ctypes.c_ulong(threading.get_ident())
    lock = threading.Lock()
    done = threading.Event()

    def watch() -> None:
        if done.wait(seconds):
            return
        while True:
            with lock:
                if done.is_set():
                    return
                ctypes.pythonapi.PyThreadState_SetAsyncExc(
                    thread_id, ctypes.py_object(RenderTimeout)
                )
            if done.wait(0.05):
                return

    watcher = threading.Thread(target=watch, name="render-time-limit", daemon=True)
    watcher.start()

    def stop() -> None:
        while True:  # an interruption may arrive while stopping: stop again until it is quiet
            try:
                done.set()
                # The lock waits for a delivery in progress; none follows once done is set.
                # Delivering None drops an interruption that is pending but not yet raised.
                with lock:
                    ctypes.pythonapi.PyThreadState_SetAsyncExc(thread_id, None)
                return
            except RenderTimeout:
                continue

    try:
        yield
    finally:
        stop()


def _template_line(error: BaseException, filename: str) -> int | None:
    """The line of the template where `error` happened, from Jinja's rewritten traceback."""
    if isinstance(error, TemplateSyntaxError):
        return error.lineno
    line = None
    traceback = error.__traceback__
    while traceback is not None:
        if os.path.abspath(traceback.tb_frame.f_code.co_filename) == filename:
            line = traceback.tb_lineno
        traceback = traceback.tb_next
    return line


def render_markup(
    template: Template,
    view: BriefingView,
    translations: gettext.NullTranslations,
    time_limit: float = RENDER_TIME_LIMIT,
) -> str:
    """The template's markup for `view`, or an InputError naming the template file and line."""
    env = make_environment(template, translations, view.locale)
    where = str((template.directory / template.config.document).absolute())
    size = 0
    chunks: list[str] = []
    try:
        with _time_limit(time_limit):
            for chunk in env.get_template(template.config.document).generate(b=view):
                size += len(chunk)
                if size > MAX_MARKUP:
                    raise SecurityError(f"the output grew beyond {MAX_MARKUP:,} characters")
                chunks.append(chunk)
    except RenderTimeout as err:
        line = _template_line(err, where)
        raise InputError(
            f"{where}{':' + str(line) if line else ''}: template error: rendering took longer "
            f"than {time_limit:g} s; does a loop never end?"
        ) from None
    except TemplateNotFound as err:
        line = _template_line(err, where)
        raise InputError(
            f"{where}{':' + str(line) if line else ''}: template error: cannot include "
            f"'{err.name}': no such file inside the template folder {template.directory} "
            "(a template may read only the files in its own folder)"
        ) from None
    except RecursionError as err:
        line = _template_line(err, where)
        raise InputError(
            f"{where}{':' + str(line) if line else ''}: template error: a macro or include "
            "calls itself without end"
        ) from None
    except (TemplateError, OverflowError) as err:  # OverflowError: the sandbox's range() limit
        line = _template_line(err, where)
        kind = "refused by the sandbox: " if isinstance(err, SecurityError) else ""
        raise InputError(
            f"{where}{':' + str(line) if line else ''}: template error: {kind}"
            f"{err or type(err).__name__}"
        ) from None
    return "".join(chunks)


def render_document(
    template: Template,
    view: BriefingView,
    translations: gettext.NullTranslations,
    time_limit: float = RENDER_TIME_LIMIT,
) -> Document:
    return parse_markup(render_markup(template, view, translations, time_limit), template)
