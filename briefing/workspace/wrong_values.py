"""A wrong setting said in plain words: what the setting takes, an example written the way it
was set (a line of briefing.toml, an environment variable, an option), and what was given.

What a setting takes is read from its field (type, limits, choices), so every error pydantic can
raise for it, whatever its type, is said the same way, and a new setting needs nothing here but
an example when it has neither a default nor an "e.g." in its description.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from types import UnionType
from typing import Any, Literal, Union, get_args, get_origin

from pydantic import SecretStr
from pydantic.fields import FieldInfo

from briefing.errors import Problem
from briefing.workspace.fields import FieldSpec

# Examples of the settings whose default is unset and whose description gives none.
EXAMPLES: dict[str, Any] = {
    "glossaries": ["glossary.yaml"],
    "changes_author": "Policy Briefing Unit",
    "translation.models_dir": "models",
    "translation.models_index": "https://mirror.example.org/argos/index.json",
    "translation.api_key": "the key",
    "translation.memory": "memory.sqlite",
    "style.range_marks.ja": "～",
    "style.range_marks.ko": "-",
}


def _limit(info: FieldInfo, name: str) -> Any:
    return next((getattr(m, name) for m in info.metadata if hasattr(m, name)), None)


def _range(info: FieldInfo) -> str:
    low = _limit(info, "ge")
    high = _limit(info, "le")
    above = _limit(info, "gt")
    if low is not None and high is not None:
        return f" from {low} to {high}"
    if above is not None and high is not None:
        return f" above {above}, at most {high}"
    if low is not None:
        return f" of {low} or more"
    return ""


def _text_words(info: FieldInfo) -> str:
    longest = _limit(info, "max_length")
    shortest = _limit(info, "min_length")
    if longest:
        return f"text of {shortest or 0} to {longest} characters"
    return "non-empty text" if shortest else "text"


def _choices(info: FieldInfo, annotation: Any) -> list[str]:
    extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
    if get_origin(annotation) is Literal:
        return [str(choice) for choice in get_args(annotation)]
    return [str(choice) for choice in extra.get("enum", [])]  # type: ignore[union-attr]


def _plain(annotation: Any) -> Any:
    """The type without `| None`."""
    if get_origin(annotation) in (Union, UnionType):
        kept = [arg for arg in get_args(annotation) if arg is not type(None)]
        return kept[0] if len(kept) == 1 else annotation
    return annotation


def takes(spec: FieldSpec, in_file: bool = True) -> str:
    """What the setting takes, in words: "a whole number from 1 to 512, without quotes" (in
    briefing.toml; an environment variable or option is text, lists separated by commas)."""
    what, written = _takes(spec)
    if in_file:
        return what + written
    return what + (", separated by commas" if "brackets" in written else "")


def _takes(spec: FieldSpec) -> tuple[str, str]:
    """What the setting takes, and how briefing.toml writes it."""
    info = spec.info
    annotation = _plain(spec.annotation)
    choices = _choices(info, annotation)
    quoted = ", as text in quotes"
    if choices:
        return "one of " + ", ".join(f'"{choice}"' for choice in choices), ", in quotes"
    if annotation is bool:
        return "true or false", ", without quotes"
    if annotation is int:
        return f"a whole number{_range(info)}", ", without quotes"
    if annotation is float:
        return f"a number{_range(info)}", ", without quotes"
    if annotation is Path:
        return "a folder path", quoted
    if get_origin(annotation) is list:
        extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
        items: Any = extra.get("items", {})
        if isinstance(items, dict) and items.get("enum"):
            codes = ", ".join(str(code) for code in items["enum"])
            return f"a list of language codes ({codes})", " in brackets, each in quotes"
        return "a list of file paths", " in brackets, each in quotes"
    if spec.path_or_url:
        return "a file path or a postgresql:// URL", quoted
    if "://" in str(example_value(spec)):
        return "a URL (http:// or https://)", quoted
    if annotation is SecretStr:
        return "text", " in quotes"
    return _text_words(info), " in quotes"


def example_value(spec: FieldSpec) -> Any:
    """A value the setting takes: its default, else an example."""
    if spec.default not in (None, []):
        return spec.default
    if spec.key in EXAMPLES:
        return EXAMPLES[spec.key]
    match = re.search(r"e\.g\. ([^\s,;]+?)\.?(?:\s|$)", spec.description)
    return match.group(1) if match else None


def toml_text(value: Any) -> str:
    """A value as briefing.toml writes it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(toml_text(item) for item in value) + "]"
    return json.dumps(str(value), ensure_ascii=False)


def _as_text(value: Any) -> str:
    """A value as an environment variable or an option writes it (lists: commas)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return ",".join(map(str, value))
    return str(value)


def example(spec: FieldSpec, where: Path) -> str:
    """The setting written with its example value, the way it was set."""
    value = example_value(spec)
    table, _, name = spec.key.rpartition(".")
    if str(where).startswith("environment variable ") and spec.via.env:
        return f"{spec.via.env}={_as_text(value)}"
    if str(where).startswith("option ") and spec.via.option:
        return f"{spec.via.option} {_as_text(value)}"
    line = f"{name} = {toml_text(value)}"
    return f"{line} under [{table}]" if table else line


def given(value: Any) -> str:
    """What was given, as its writer would recognise it."""
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, (dt.date, dt.time)):
        return f"a date or time ({value.isoformat()})"
    text = toml_text(value)
    if isinstance(value, list) and len(text) > 60:
        return f"a list of {len(value)}"
    return text if len(text) <= 60 else text[:57] + "…"


# Errors of a field's own check, whose message names what is wrong: a ValueError, or an error
# of its own type (a server's URL, shown without its secret). pydantic's are said by what the
# setting takes.
OWN_CHECKS = frozenset({"value_error", "server_url"})


def problem(spec: FieldSpec, error: dict[str, Any], path: Path, line: int | None) -> Problem:
    """One pydantic error of a setting, in plain words, located where the value was set."""
    in_file = not str(path).startswith(("environment variable ", "option "))
    message = f"setting '{spec.key}' takes {takes(spec, in_file)}: {example(spec, path)}"
    if "input" in error:
        place = [part for part in error.get("loc", ()) if isinstance(part, int)]
        item = f" as item {place[-1] + 1}" if place else ""
        message += f" (got {given(error['input'])}{item})"
    if error.get("type") in OWN_CHECKS:
        message += "; " + str(error["msg"]).removeprefix("Value error, ")
    return Problem(path, line, None, message, spec.description)
