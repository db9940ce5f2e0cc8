"""What a render process is sent, and the render it runs from that.

A render crosses a process boundary (sandbox_process.py), so everything it needs travels as
plain, picklable data: the template's folder and file, the locale, the language's compiled
catalogs (the .mo bytes gettext reads, never gettext's own objects) and the view as namespaces,
tuples and values. The render process imports the modules of RENDER_MODULES (Jinja, Babel and
the sandbox among them) before it says it is ready; the building process only makes requests
and never imports them.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from briefing.catalogs import Compiled
from briefing.dates import DateStyle
from briefing.errors import InputError
from briefing.output.sandbox_process import LimitedProcess, RenderStopped

# What the render process imports before it says it is ready: this module and the Jinja
# environment, which `render_here` imports where it runs.
RENDER_MODULES = (__name__, "briefing.output.environment")


def render_process() -> LimitedProcess:
    """A render process for a build: one child, started on first use, serving every render.

    Made here, where nothing heavy is imported, so that a command can start it first thing."""
    return LimitedProcess(preload=RENDER_MODULES)


@dataclass(frozen=True)
class RenderRequest:
    """One render: `document` of the template in `directory`, for `view`, in `locale`."""

    directory: Path
    document: str
    locale: str
    catalogs: Compiled  # the language's compiled catalogs, first found wins
    view: Any  # plain_view of the BriefingView
    time_limit: float  # seconds of CPU time
    date_style: DateStyle | None = None  # the document's; None: CLDR with the template's patterns

    @property
    def where(self) -> str:
        """The template file, as an error names it."""
        return str((self.directory / self.document).absolute())


class PrintedName(str):
    """A name or a text as a template prints it: the text, with its names highlighted or marked
    for their reading (its `__html__`); its fields as attributes (`.text` the bare text,
    `.english` the facts' English, `.short` the short form of a country's name, else itself)."""

    _html: str
    _fields: dict[str, Any]

    def __new__(cls, text: str, html: str, fields: dict[str, Any]) -> PrintedName:
        printed = super().__new__(cls, text)
        printed._html, printed._fields = html, fields
        for key, value in fields.items():
            setattr(printed, key, value)
        if "short" not in fields:
            printed.short = printed  # type: ignore[attr-defined]
        return printed

    def __html__(self) -> str:
        return self._html

    def __reduce__(self) -> tuple[Any, ...]:
        return (PrintedName, (str(self), self._html, self._fields))


def plain_view(value: Any) -> Any:
    """The view as namespaces, tuples and values: what a template reads, nothing to import."""
    if hasattr(value, "__html__") and dataclasses.is_dataclass(value):  # a Name, a Printed
        html: str = value.__html__()  # type: ignore[union-attr]
        fields = {f.name: plain_view(getattr(value, f.name)) for f in dataclasses.fields(value)}
        short = getattr(value, "short", value)
        if short is not value:
            fields["short"] = plain_view(short)
        return PrintedName(str(value), html, fields)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return SimpleNamespace(
            **{f.name: plain_view(getattr(value, f.name)) for f in dataclasses.fields(value)}
        )
    if isinstance(value, tuple | list):
        return type(value)(plain_view(item) for item in value)
    return value


def _template_line(error: BaseException, filename: str) -> int | None:
    """The line of the template where `error` happened, from Jinja's rewritten traceback."""
    from jinja2 import TemplateSyntaxError

    if isinstance(error, TemplateSyntaxError):
        return error.lineno
    line = None
    traceback = error.__traceback__
    while traceback is not None:
        if os.path.abspath(traceback.tb_frame.f_code.co_filename) == filename:
            line = traceback.tb_lineno
        traceback = traceback.tb_next
    return line


def render_here(request: RenderRequest) -> str:
    """Render the request in this process: the markup, or a located InputError.

    Runs inside the render process (sandbox_process), whose limits end a render that runs too
    long (RenderStopped) or needs too much memory (MemoryError); both are reported here with the
    template line that was running.
    """
    from jinja2 import TemplateError, TemplateNotFound
    from jinja2.exceptions import SecurityError

    from briefing.output.environment import environment
    from briefing.output.sandbox import MAX_MARKUP

    where = request.where
    size = 0
    chunks: list[str] = []

    def fail(error: BaseException, message: str) -> InputError:
        line = _template_line(error, where)
        return InputError(f"{where}{':' + str(line) if line else ''}: template error: {message}")

    try:
        env = environment(request.directory, request.locale, request.catalogs, request.date_style)
        for chunk in env.get_template(request.document).generate(b=request.view):
            size += len(chunk)
            if size > MAX_MARKUP:
                raise SecurityError(f"the output grew beyond {MAX_MARKUP:,} characters")
            chunks.append(chunk)
        return "".join(chunks)
    except RenderStopped as error:  # raised by the render process's CPU timer
        raise fail(
            error, f"rendering took longer than {request.time_limit:g} s; does a loop never end?"
        ) from None
    except MemoryError as error:
        chunks.clear()
        raise fail(error, "rendering needed more memory than a template may use") from None
    except TemplateNotFound as error:
        raise fail(
            error,
            f"cannot include '{error.name}': no such file inside the template folder "
            f"{request.directory} (a template may read only the files in its own folder)",
        ) from None
    except RecursionError as error:
        raise fail(error, "a macro or include calls itself without end") from None
    except (TemplateError, OverflowError, ValueError) as error:
        # OverflowError: the sandbox's range() limit, a float power; ValueError: a format the
        # value does not fit, a number too long to print.
        kind = "refused by the sandbox: " if isinstance(error, SecurityError) else ""
        raise fail(error, f"{kind}{error or type(error).__name__}") from None
