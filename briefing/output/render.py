"""Render a template, in Jinja's sandbox and a limited child process, into the document model.

A template writes a small XML vocabulary (title, h1-h3, p, ul/li, table/tr/th/td, notice; inline
b, i, sup, mark). Jinja escapes every value, so text from a facts file can never add structure:
`<w:p>`, `**bold**` or `{{ x }}` in a statement come out as the characters they are.
Templates are trusted to be well-formed, not to be harmless: what the sandbox allows and bounds
is in sandbox.py, the process that a render runs in and its limits in sandbox_process.py, what
that process is sent and does with it in render_request.py. A render that breaks a rule, runs
too long or needs too much memory is stopped with an InputError naming the template file and
line.
"""

from __future__ import annotations

import builtins
import gettext

from briefing.catalogs import compiled_catalogs
from briefing.errors import InputError
from briefing.languages import LANGUAGES
from briefing.output.document import Document
from briefing.output.localize import BriefingView
from briefing.output.markup import parse_markup
from briefing.output.readings import with_readings
from briefing.output.render_request import RenderRequest, plain_view, render_here, render_process
from briefing.output.sandbox_process import (
    RENDER_TIME_LIMIT,
    LimitedProcess,
    ProcessFailed,
    RemoteError,
)
from briefing.output.template import Template


def render_markup(
    template: Template,
    view: BriefingView,
    translations: gettext.NullTranslations,
    time_limit: float = RENDER_TIME_LIMIT,
    process: LimitedProcess | None = None,
) -> str:
    """The template's markup for `view`, or an InputError naming the template file and line.

    `process` is the build's render process; without one, a process is started for this render.
    Every way a render can fail because of the template is an InputError naming the template
    file, and its line where the render process could still tell it.
    """
    request = RenderRequest(
        template.directory,
        template.config.document,
        view.locale,
        compiled_catalogs(translations),
        plain_view(view),
        time_limit,
        view.date_style,
    )
    worker = process or render_process()
    try:
        return worker.run(time_limit, render_here, request)
    except RemoteError as error:
        if error.kind == "InputError":
            raise InputError(error.message) from None
        if error.kind in ("MemoryError", "RenderStopped"):
            message = f"{request.where}: template error: rendering {error.message}"
            raise InputError(message) from None
        # Not the template's doing, as far as anyone can tell: an internal error, of the kind
        # the render process met when it is a built-in one.
        kind = getattr(builtins, error.kind, None)
        if isinstance(kind, type) and issubclass(kind, Exception):
            raise kind(error.message) from None
        raise RuntimeError(f"{error.kind}: {error.message}") from None
    except ProcessFailed as error:
        raise InputError(f"{request.where}: template error: {error}") from None
    finally:
        if process is None:
            worker.close()


def render_document(
    template: Template,
    view: BriefingView,
    translations: gettext.NullTranslations,
    time_limit: float = RENDER_TIME_LIMIT,
    process: LimitedProcess | None = None,
) -> Document:
    markup = render_markup(template, view, translations, time_limit, process)
    return with_readings(parse_markup(markup, template), LANGUAGES[view.lang].brackets)
