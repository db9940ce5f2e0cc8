"""Render a template, in Jinja's sandbox and a limited child process, into the document model.

A template writes a small XML vocabulary (title, h1-h3, p, ul/li, table/tr/th/td, notice; inline
b, i, sup, mark). Jinja escapes every value, so text from a facts file can never add structure:
`<w:p>`, `**bold**` or `{{ x }}` in a statement come out as the characters they are.
Templates are trusted to be well-formed, not to be harmless: what the sandbox allows and bounds
is in sandbox.py, the process that a render runs in and its limits in sandbox_process.py. A
render that breaks a rule, runs too long or needs too much memory is stopped with an InputError
naming the template file and line.
"""

from __future__ import annotations

import gettext

from briefing.output import sandbox
from briefing.output.document import Document
from briefing.output.localize import BriefingView
from briefing.output.markup import parse_markup
from briefing.output.sandbox_process import RENDER_TIME_LIMIT, LimitedProcess
from briefing.output.template import Template


def render_process() -> LimitedProcess:
    """A render process for a build: one child, started on first use, serving every render."""
    return LimitedProcess(preload=(sandbox.__name__,))


def render_markup(
    template: Template,
    view: BriefingView,
    translations: gettext.NullTranslations,
    time_limit: float = RENDER_TIME_LIMIT,
    process: LimitedProcess | None = None,
) -> str:
    """The template's markup for `view`, or an InputError naming the template file and line.

    `process` is the build's render process; without one, a process is started for this render.
    """
    return sandbox.render_isolated(
        process,
        template.directory,
        template.config.document,
        view.locale,
        translations,
        view,
        time_limit,
    )


def render_document(
    template: Template,
    view: BriefingView,
    translations: gettext.NullTranslations,
    time_limit: float = RENDER_TIME_LIMIT,
    process: LimitedProcess | None = None,
) -> Document:
    markup = render_markup(template, view, translations, time_limit, process)
    return parse_markup(markup, template)
