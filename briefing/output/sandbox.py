"""The template sandbox: what a template may read, call and make.

A template is trusted to be well-formed, not to be harmless. Jinja's sandbox refuses Python
internals; the loader here reads only files inside the template's folder; and every step is
bounded in size, as follows.

Jinja's sandbox stops a template from reaching Python's internals, not from asking for a string of
two gigabytes or a number with a million digits: one such step runs inside C code, where no time
limit can interrupt it and memory is gone before it returns. So the sandbox here checks the size
of a result *before* computing it, from its operands: powers and products by bit length,
repetition and concatenation by length, padding widths (center, ljust, rjust, zfill, indent,
expandtabs, str.format and %-format fields), and the strings that join, replace, translate,
wordwrap and lorem ipsum would make. What cannot be checked this way (a loop that doubles a list)
is stopped by the render process's memory and CPU limits (briefing/output/sandbox_process.py).
The environment a template renders in is made in environment.py, the render itself in
render_request.py.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable, Iterable
from functools import update_wrapper
from pathlib import Path
from typing import Any

from jinja2 import FileSystemLoader, TemplateNotFound, pass_environment, pass_eval_context
from jinja2.exceptions import SecurityError
from jinja2.filters import (
    do_batch,
    do_center,
    do_format,
    do_indent,
    do_replace,
    do_tojson,
    do_wordwrap,
    make_attrgetter,
    sync_do_join,
    sync_do_slice,
)
from jinja2.loaders import split_template_path
from jinja2.nodes import EvalContext
from jinja2.sandbox import SandboxedEnvironment, SandboxedFormatter
from jinja2.utils import generate_lorem_ipsum
from markupsafe import EscapeFormatter, Markup

from briefing.input_files import is_regular

MAX_SEQUENCE = 1_000_000  # characters or items in one string or list a template makes in one step
MAX_WIDTH = 10_000  # a padding width, precision, indent or tab size
MAX_INT_BITS = 14_000  # a whole number of about 4,200 digits: every one can still be printed
MAX_MARKUP = 20 * 1024 * 1024  # characters of markup a render may produce

# One %-format conversion: %(name)flags width .precision length type.
PERCENT_FIELD = re.compile(
    r"%(?:\([^)]*\))?[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?[hlL]?([diouxXeEfFgGcrsa%])"
)


def _refuse_length(what: str, length: int) -> None:
    if length > MAX_SEQUENCE:
        raise SecurityError(
            f"{what} would make {length:,} characters or items, more than the limit of "
            f"{MAX_SEQUENCE:,}"
        )


def _refuse_width(what: str, width: object) -> None:
    if isinstance(width, int) and not isinstance(width, bool) and abs(width) > MAX_WIDTH:
        raise SecurityError(f"{what} of {width:,} is larger than the limit of {MAX_WIDTH:,}")


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _sized(value: object) -> bool:
    return isinstance(value, str | bytes | list | tuple)


def check_binop(operator: str, left: Any, right: Any) -> None:
    """Refuse `left operator right` when its result would be too large to hold or print."""
    if operator == "**" and _is_int(left) and _is_int(right) and right > 0 and abs(left) > 1:
        # The result has at least (bits of left - 1) * right + 1 bits.
        if (abs(left).bit_length() - 1) * right + 1 > MAX_INT_BITS:
            raise SecurityError(
                f"the power {_short(left)} ** {_short(right)} is too large to compute "
                f"(more than {MAX_INT_BITS:,} bits)"
            )
    elif operator == "*":
        if _is_int(left) and _is_int(right):
            if abs(left).bit_length() + abs(right).bit_length() > MAX_INT_BITS + 1:
                raise SecurityError(
                    f"the product {_short(left)} * {_short(right)} is too large to compute "
                    f"(more than {MAX_INT_BITS:,} bits)"
                )
            return
        for sequence, count in ((left, right), (right, left)):
            if _sized(sequence) and _is_int(count) and len(sequence) * count > MAX_SEQUENCE:
                raise SecurityError(
                    f"repeating {len(sequence):,} items {_short(count)} times is too large "
                    f"(the limit is {MAX_SEQUENCE:,})"
                )
    elif operator == "+" and _sized(left) and _sized(right):
        _refuse_length("joining these two values", len(left) + len(right))
    elif operator == "%" and isinstance(left, str):
        check_percent_format(left)


def _short(number: object) -> str:
    """A number as shown in a message: huge ones by their size, not their digits."""
    if isinstance(number, int) and not isinstance(number, bool) and number.bit_length() > 64:
        return f"(a number of {abs(number).bit_length():,} bits)"
    return repr(number)


def check_percent_format(pattern: str) -> None:
    """Refuse a %-format whose widths or precisions are too large or taken from the values."""
    for match in PERCENT_FIELD.finditer(pattern):
        width, precision, _ = match.groups()
        for part in (width, precision):
            if part == "*":
                raise SecurityError(
                    "a %-format width or precision taken from the values (*) is not allowed; "
                    "write the number in the format"
                )
            if part is not None:
                _refuse_width("a %-format width or precision", int(part))


def check_format_spec(spec: str) -> None:
    """Refuse a str.format field whose width or precision is too large."""
    for number in re.findall(r"\d+", spec):
        # Compare by length first: int() refuses strings of more than 4,300 digits.
        if len(number) > len(str(MAX_WIDTH)) or int(number) > MAX_WIDTH:
            raise SecurityError(
                f"a format width or precision of {number[:20]}{'…' if len(number) > 20 else ''} "
                f"is larger than the limit of {MAX_WIDTH:,}"
            )


class LimitedFormatter(SandboxedFormatter):
    """str.format for templates: sandboxed field lookup, bounded field widths."""

    def format_field(self, value: Any, format_spec: str) -> Any:
        check_format_spec(format_spec)
        return super().format_field(value, format_spec)


class LimitedEscapeFormatter(LimitedFormatter, EscapeFormatter):
    """Markup.format for templates: escapes like Markup, bounded like LimitedFormatter."""


def _argument(args: tuple[Any, ...], kwargs: dict[str, Any], index: int, name: str) -> Any:
    if len(args) > index:
        return args[index]
    return kwargs.get(name)


def _text_length(value: object) -> int:
    return len(value) if isinstance(value, str | bytes) else len(str(value))


def check_method_call(method: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    """Refuse a call to a str, bytes or list method whose result would be too large."""
    owner = getattr(method, "__self__", None)
    name = getattr(method, "__name__", "")
    if isinstance(owner, str | bytes):
        if name in ("center", "ljust", "rjust", "zfill"):
            _refuse_width(f"the width given to {name}()", _argument(args, kwargs, 0, "width"))
        elif name == "expandtabs":
            size = _argument(args, kwargs, 0, "tabsize")
            _refuse_width("the tab size given to expandtabs()", size)
            if _is_int(size):
                tabs = owner.count("\t") if isinstance(owner, str) else owner.count(b"\t")
                _refuse_length("expandtabs()", len(owner) + tabs * max(size, 0))
        elif name == "replace" and len(args) >= 2:
            old, new = args[0], args[1]
            count = args[2] if len(args) > 2 else kwargs.get("count", -1)
            if _sized(old) and _sized(new):
                found = owner.count(old) if old else len(owner) + 1
                if _is_int(count) and count >= 0:
                    found = min(found, count)
                _refuse_length("replace()", len(owner) + found * max(len(new) - len(old), 0))
        elif name == "join" and args and isinstance(args[0], list | tuple):
            separator = len(owner) * max(len(args[0]) - 1, 0)
            _refuse_length("join()", separator + sum(_text_length(item) for item in args[0]))
        elif name == "translate" and args and isinstance(args[0], dict):
            longest = max((len(v) for v in args[0].values() if _sized(v)), default=1)
            _refuse_length("translate()", len(owner) * longest)
    elif isinstance(owner, list) and name == "extend" and args and hasattr(args[0], "__len__"):
        _refuse_length("extend()", len(owner) + len(args[0]))


# Filters and globals that take a size --------------------------------------------------------


def _center(value: str, width: int = 80) -> str:
    _refuse_width("the width given to center", width)
    return do_center(value, width)


def _indent(s: str, width: int | str = 4, first: bool = False, blank: bool = False) -> str:
    text = str(s)
    step = len(width) if isinstance(width, str) else width
    _refuse_width("the width given to indent", step)
    if _is_int(step):
        _refuse_length("indent", len(text) + (text.count("\n") + 1) * max(step, 0))
    return do_indent(s, width, first, blank)


def _format(value: str, *args: Any, **kwargs: Any) -> str:
    check_percent_format(str(value))
    return do_format(value, *args, **kwargs)


@pass_eval_context
def _join(
    eval_ctx: EvalContext, value: Iterable[Any], d: str = "", attribute: str | int | None = None
) -> str:
    items = list(value)
    if attribute is not None:
        items = list(map(make_attrgetter(eval_ctx.environment, attribute), items))
    separator = _text_length(d) * max(len(items) - 1, 0)
    _refuse_length("join", separator + sum(_text_length(item) for item in items))
    return sync_do_join(eval_ctx, items, d)


@pass_eval_context
def _replace(eval_ctx: EvalContext, s: str, old: str, new: str, count: int | None = None) -> str:
    text, old_text, new_text = str(s), str(old), str(new)
    found = text.count(old_text) if old_text else len(text) + 1
    if _is_int(count) and count is not None and count >= 0:
        found = min(found, count)
    _refuse_length("replace", len(text) + found * max(len(new_text) - len(old_text), 0))
    return do_replace(eval_ctx, s, old, new, count)


def _batch(value: Iterable[Any], linecount: int, fill_with: Any = None) -> Any:
    _refuse_length("batch", linecount if _is_int(linecount) else 0)
    return do_batch(value, linecount, fill_with)


def _slice(value: Any, slices: int, fill_with: Any = None) -> Any:
    _refuse_length("slice", slices if _is_int(slices) else 0)
    return sync_do_slice(value, slices, fill_with)


@pass_environment
def _wordwrap(
    environment: Any,
    s: str,
    width: int = 79,
    break_long_words: bool = True,
    wrapstring: str | None = None,
    break_on_hyphens: bool = True,
) -> str:
    if wrapstring is not None:
        _refuse_length("wordwrap", len(str(s)) * (len(str(wrapstring)) + 1))
    return do_wordwrap(environment, s, width, break_long_words, wrapstring, break_on_hyphens)


@pass_eval_context
def _tojson(eval_ctx: EvalContext, value: Any, indent: int | None = None) -> Markup:
    _refuse_width("the indent given to tojson", indent)
    return do_tojson(eval_ctx, value, indent)


def _lipsum(n: int = 5, html: bool = True, min: int = 20, max: int = 100) -> str:  # noqa: A002
    if _is_int(n) and _is_int(max):
        _refuse_length("lipsum", n * max * 12)  # the longest words have 12 letters and a space
    return generate_lorem_ipsum(n, html, min, max)


BOUNDED_FILTERS: dict[str, Callable[..., Any]] = {
    "center": _center,
    "indent": _indent,
    "format": _format,
    "join": _join,
    "replace": _replace,
    "batch": _batch,
    "slice": _slice,
    "wordwrap": _wordwrap,
    "tojson": _tojson,
}


class LimitedSandbox(SandboxedEnvironment):
    """Jinja's sandbox, also refusing any single step whose result would be too large."""

    intercepted_binops = frozenset({"*", "**", "%", "+"})

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.filters.update(BOUNDED_FILTERS)
        self.globals["lipsum"] = _lipsum

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        check_binop(operator, left, right)
        return super().call_binop(context, operator, left, right)

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805
        if args and getattr(__obj, "__name__", "") == "join":
            args = (list(args[0]), *args[1:])  # measured, then joined: iterate once
        check_method_call(__obj, args, kwargs)
        return super().call(__context, __obj, *args, **kwargs)

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        """str.format and format_map through LimitedFormatter (Jinja's own, widths bounded)."""
        wrapped = super().wrap_str_format(value)
        if wrapped is None:
            return None
        owner: str = value.__self__
        formatter: string.Formatter = (
            LimitedEscapeFormatter(self, escape=owner.escape)
            if isinstance(owner, Markup)
            else LimitedFormatter(self)
        )
        is_format_map = value.__name__ == "format_map"

        def wrapper(*args: Any, **kwargs: Any) -> str:
            if is_format_map:
                if kwargs or len(args) != 1:
                    raise TypeError("format_map() takes exactly one argument")
                kwargs, args = args[0], ()
            return type(owner)(formatter.vformat(owner, args, kwargs))

        return update_wrapper(wrapper, value)


class TemplateFolderLoader(FileSystemLoader):
    """Loads templates from one folder only: no absolute paths, no `..`, no symlinks out of it."""

    def __init__(self, directory: Path) -> None:
        super().__init__(str(directory))
        self.root = directory.resolve()

    def get_source(self, environment: Any, template: str) -> tuple[str, str, Callable[[], bool]]:
        if not is_regular(self.root.joinpath(*split_template_path(template))):
            raise TemplateNotFound(template)  # missing, or a FIFO that would block the render
        source, filename, uptodate = super().get_source(environment, template)
        if not Path(filename).resolve().is_relative_to(self.root):
            raise TemplateNotFound(template)
        return source, filename, uptodate
