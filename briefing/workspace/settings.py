"""Workspace settings: briefing.toml, environment variables and command-line options, merged.

Every command reads one typed `Settings` object (`fields.py`) from `load_settings`. Precedence,
highest first: a command-line option, an environment variable, briefing.toml (found by walking
up from the current folder; `config_file.py`), the default. Relative paths are resolved here
once, and a wrong value is reported where it was set: briefing.toml's line, the variable, or
the option.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from types import UnionType
from typing import Any, Union, get_args, get_origin

from pydantic import SecretStr, ValidationError

from briefing.errors import InputError, Problem, reading
from briefing.urls import display_url, is_address, is_postgres_url
from briefing.workspace import wrong_values
from briefing.workspace.config_file import CONFIG_NAME, find_config, read_config
from briefing.workspace.fields import FieldSpec, Settings, field_specs, fields

__all__ = ["Settings", "effective", "load_settings"]

UNIONS = (Union, UnionType)


def _is_path(annotation: Any) -> bool:
    """Path or Path | None."""
    return annotation is Path or (get_origin(annotation) in UNIONS and Path in get_args(annotation))


def _is_path_list(annotation: Any) -> bool:
    return get_origin(annotation) is list and get_args(annotation) == (Path,)


def _is_list(annotation: Any) -> bool:
    return get_origin(annotation) is list


def _from_text(spec: FieldSpec, text: str) -> Any:
    """An environment variable's or option's text as the setting's value (lists: commas)."""
    if _is_list(spec.annotation):
        return [part.strip() for part in text.split(",") if part.strip()]
    return text


def _from_option(spec: FieldSpec, value: Any) -> Any:
    """An option's value as the setting's: a list setting takes commas, or the one value."""
    if not _is_list(spec.annotation) or isinstance(value, list):
        return value
    return _from_text(spec, value) if isinstance(value, str) else [value]


def _resolve_path(value: Any, base: Path, cwd: Path) -> Path:
    path = Path(value).expanduser()
    if not path.is_absolute():
        path = base / path
    return _shown(path, cwd)


def _shown(path: Path, cwd: Path) -> Path:
    """A path relative to the current folder when it lies inside it, else absolute."""
    absolute = Path(os.path.normpath(path if path.is_absolute() else cwd / path))
    try:
        return absolute.relative_to(cwd)
    except ValueError:
        return absolute


def _line_of(key: str, lines: dict[str, int]) -> int | None:
    """The line of a key, or of the inline table that holds it (models = {ja = "…"})."""
    while key:
        if key in lines:
            return lines[key]
        key = key.rpartition(".")[0]
    return None


def load_settings(
    cli: Mapping[str, Any] | None = None,
    *,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
) -> Settings:
    """The effective settings: `cli` (dotted key → value, None = not given) > environment >
    briefing.toml > default. Relative paths in briefing.toml are relative to its folder."""
    cwd = Path.cwd() if cwd is None else cwd
    env = os.environ if env is None else env
    specs = field_specs()
    config = find_config(cwd, env)
    values: dict[str, Any] = {}
    origins: dict[str, str] = {}
    where: dict[str, tuple[Path, int | None]] = {}  # where a value was set, for errors

    root = config.parent if config else cwd
    for key, spec in specs.items():
        default = spec.default
        if _is_path(spec.annotation) and default is not None:
            default = _resolve_path(default, root, cwd)
        elif _is_path_list(spec.annotation):
            default = [_resolve_path(item, root, cwd) for item in default]
        values[key] = default

    if config is not None:
        data, lines = read_config(config)
        shown_config = _shown(config, cwd)
        for key, value in data.items():
            spec = specs[key]
            if _is_path(spec.annotation) and isinstance(value, str):
                value = _resolve_path(value, root, cwd)
            elif _is_path_list(spec.annotation) and isinstance(value, list):
                value = [
                    _resolve_path(item, root, cwd) if isinstance(item, str) else item
                    for item in value
                ]
            elif spec.path_or_url and isinstance(value, str) and not is_address(value):
                value = str(_resolve_path(value, root, cwd))
            elif key == "template" and isinstance(value, str) and (root / value).is_dir():
                value = str(_shown(root / value, cwd))
            values[key] = value
            line = _line_of(key, lines)
            origins[key] = f"{shown_config}:{line or '?'}"
            where[key] = (config, line)

    for key, spec in specs.items():
        if spec.via.env and env.get(spec.via.env, "") != "":
            values[key] = _from_text(spec, env[spec.via.env])
            origins[key] = f"env {spec.via.env}"
            where[key] = (Path(f"environment variable {spec.via.env}"), None)

    for key, value in (cli or {}).items():
        if value is None:
            continue
        spec = specs[key]  # a KeyError here is a programming error: the option names no setting
        values[key] = _from_option(spec, value)
        option = spec.via.option or key
        origins[key] = option
        where[key] = (Path(f"option {option}"), None)

    nested: dict[str, Any] = {}
    for key, value in values.items():
        node = nested
        *tables, name = key.split(".")
        for table in tables:
            node = node.setdefault(table, {})
        node[name] = value
    try:
        with reading(config or Path(CONFIG_NAME)):  # a list nested deep, just within TOML's reach
            settings = Settings.model_validate(nested)
    except ValidationError as err:
        raise InputError("", _validation_problems(err, where)) from None
    settings._origins = origins
    settings._file = config
    return settings


def _validation_problems(
    err: ValidationError, where: dict[str, tuple[Path, int | None]]
) -> list[Problem]:
    """Each wrong value located where it was set: briefing.toml's line, the variable, the option."""
    specs = field_specs()
    problems = []
    for error in err.errors():
        key = ".".join(str(part) for part in error["loc"] if not isinstance(part, int))
        path, line = where.get(key, (Path("default"), None))
        spec = specs.get(key)
        if spec is not None:
            problems.append(wrong_values.problem(spec, dict(error), path, line))
            continue
        message = error["msg"].removeprefix("Value error, ")  # not a setting: not expected
        problems.append(Problem(path, line, None, f"setting '{key}': {message}"))
    return problems


# --------------------------------------------------------------------------- describing


def effective(settings: Settings) -> list[tuple[str, Any, str]]:
    """(key, value, origin) for every setting, in declaration order: what `briefing config`
    prints."""
    return [
        (spec.key, _masked(settings.value(spec.key)), settings.origin(spec.key))
        for spec in fields()
    ]


def _masked(value: Any) -> Any:
    """A secret as its last two characters only: enough to tell two keys apart."""
    if isinstance(value, SecretStr):
        secret = value.get_secret_value()
        return "*" * 8 + (secret[-2:] if len(secret) >= 12 else "")
    if is_postgres_url(value):
        return display_url(value, as_written=True)
    return value
