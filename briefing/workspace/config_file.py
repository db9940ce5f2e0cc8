"""Reading briefing.toml: finding it, its values by dotted key, and the line of every key.

tomllib gives values without positions, so the keys are found again in the text: every error
about the file names its line, and a key no setting has is named with the one it most likely
meant.
"""

from __future__ import annotations

import difflib
import os
import re
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from briefing.errors import InputError, Problem, reading
from briefing.input_files import check_regular, read_input
from briefing.workspace.fields import field_specs, sections

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib  # type: ignore[import-not-found]

CONFIG_NAME = "briefing.toml"
CONFIG_ENV = "BRIEFING_CONFIG"  # names a briefing.toml explicitly; "" means: use none
CONFIG_LIMIT = 1024 * 1024  # a briefing.toml with every setting written out is about 6 KB


def find_config(start: Path, env: Mapping[str, str] | None = None) -> Path | None:
    """briefing.toml in `start` or the nearest folder above it (BRIEFING_CONFIG overrides)."""
    env = os.environ if env is None else env
    named = env.get(CONFIG_ENV)
    if named is not None:
        if not named:
            return None
        path = Path(named).expanduser()
        if not path.is_absolute():
            path = start / path
        if not path.exists():
            raise InputError(
                f"{CONFIG_ENV}={named}: no such file; unset it or name a briefing.toml"
            )
        check_regular(path, "settings")
        return path
    folder = start.resolve()
    for candidate in (folder, *folder.parents):
        path = candidate / CONFIG_NAME
        if path.exists() and not path.is_dir():
            check_regular(path, "settings")  # a named pipe there would block every command
            return path
    return None


_TABLE = re.compile(r"^\s*\[\s*([^\[\]]+?)\s*\]\s*(#.*)?$")
_KEY = re.compile(
    r"""^\s*((?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*')(?:\s*\.\s*(?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*'))*)\s*="""
)


def _dotted(text: str) -> str:
    parts = re.findall(r"""[A-Za-z0-9_-]+|"[^"]*"|'[^']*'""", text)
    return ".".join(part.strip("\"'") for part in parts)


def key_lines(text: str) -> dict[str, int]:
    """Line number (1-based) of every table and key in a TOML text, by dotted key.

    Lines inside multi-line arrays and strings are skipped.
    """
    lines: dict[str, int] = {}
    table = ""
    depth = 0
    in_string: str | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        if in_string:
            if in_string in line:
                in_string = None
            continue
        if depth > 0:
            depth += line.count("[") - line.count("]")
            continue
        header = _TABLE.match(line)
        if header and not line.lstrip().startswith("[["):
            table = _dotted(header.group(1))
            lines.setdefault(table, number)
            continue
        key = _KEY.match(line)
        if not key:
            continue
        full = f"{table}.{_dotted(key.group(1))}" if table else _dotted(key.group(1))
        lines.setdefault(full, number)
        rest = line[key.end() :]
        for quote in ('"""', "'''"):
            if rest.count(quote) == 1:
                in_string = quote
        if not in_string:
            depth = max(0, rest.split("#", 1)[0].count("[") - rest.split("#", 1)[0].count("]"))
    return lines


def _flatten(data: Mapping[str, Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    """Dotted keys: a table's settings inside it; a setting given a table is a (wrong) value."""
    tables = {name.rstrip(".") for name, _ in sections() if name}
    for key, value in data.items():
        if isinstance(value, dict) and f"{prefix}{key}" in tables:
            yield from _flatten(value, f"{prefix}{key}.")
        else:
            yield f"{prefix}{key}", value


def _unknown_key_problems(
    path: Path, data: Mapping[str, Any], lines: dict[str, int]
) -> list[Problem]:
    """Keys no setting has, each with the setting it most likely meant."""
    specs = field_specs()
    tables = {name.rstrip(".") for name, _ in sections() if name}
    problems: list[Problem] = []

    def walk(node: Mapping[str, Any], prefix: str) -> None:
        for key, value in node.items():
            full = f"{prefix}{key}"
            if full in tables and isinstance(value, dict):
                walk(value, f"{full}.")
                continue
            if full in tables:
                problems.append(Problem(path, lines.get(full), None, *_not_a_table(full, value)))
                continue
            if full in specs:
                continue
            problems.append(
                Problem(path, lines.get(full), None, f"unknown setting '{full}'", _hint(full))
            )

    def _hint(full: str) -> str:
        last = full.rsplit(".", 1)[-1]
        candidates = [*specs, *tables]
        same_name = [key for key in specs if key.rsplit(".", 1)[-1] == last]
        if same_name:
            return f"did you mean '{same_name[0]}'? ({_placement(same_name[0])})"
        close = (
            difflib.get_close_matches(full, candidates, n=1, cutoff=0.6)
            or [
                key
                for key in specs
                if difflib.get_close_matches(last, [key.rsplit(".", 1)[-1]], n=1, cutoff=0.6)
            ][:1]
        )
        if close and close[0] in tables:
            return f"did you mean the table [{close[0]}]?"
        if close:
            return f"did you mean '{close[0]}'? ({_placement(close[0])})"
        return "known settings: " + ", ".join(specs)

    walk(data, "")
    return problems


def _not_a_table(table: str, value: Any) -> tuple[str, str]:
    """A table of settings given one value: what it holds, and how to write it."""
    from briefing.workspace.wrong_values import example_value, given, toml_text

    inside = [spec for spec in field_specs().values() if spec.key.startswith(f"{table}.")]
    names = ", ".join(spec.key.removeprefix(f"{table}.") for spec in inside[:6])
    names += ", …" if len(inside) > 6 else ""
    first = inside[0]
    name = first.key.removeprefix(f"{table}.").split(".")[0]
    parent, _, last = table.rpartition(".")
    inline = f"{last} = {{{name} = {toml_text(example_value(first))}}}"
    under = f" under [{parent}]" if parent else ""
    return (
        f"setting '{table}' is a table of settings ({names}), not one value: {inline}{under}, "
        f"or a [{table}] table with a line for each (got {given(value)})",
        "See `briefing config` for every setting and `briefing init` for a commented file.",
    )


def _placement(key: str) -> str:
    if "." not in key:
        return "a top-level key, before any [table]"
    table, name = key.rsplit(".", 1)
    return f"'{name}' under [{table}]"


def read_config(path: Path) -> tuple[dict[str, Any], dict[str, int]]:
    """The settings a briefing.toml sets, flattened to dotted keys, and each key's line."""
    try:
        text = read_input(path, "settings", CONFIG_LIMIT).decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise InputError(
            "", [Problem(path, None, None, f"not UTF-8 text ({err.reason})")]
        ) from None
    try:
        with reading(path):
            data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        line, column = _decode_position(str(err))
        message = re.sub(r"\s*\(at line \d+, column \d+\)$", "", str(err))
        raise InputError(
            "",
            [Problem(path, line, column, f"not valid TOML: {message}", "See https://toml.io")],
        ) from None
    lines = key_lines(text)
    problems = _unknown_key_problems(path, data, lines)
    if problems:
        raise InputError("", problems)
    return dict(_flatten(data)), lines


def _decode_position(message: str) -> tuple[int | None, int | None]:
    match = re.search(r"at line (\d+), column (\d+)", message)
    return (int(match.group(1)), int(match.group(2))) if match else (None, None)
