"""Workspace settings: briefing.toml, environment variables and command-line options, merged.

Every command reads one typed `Settings` object. Precedence, highest first: a command-line option,
an environment variable, briefing.toml (found by walking up from the current folder), the default.

To add a setting, add one field to `Settings` (or to one of its sections) with a description and,
where it has them, its environment variable and command-line option (`Via`). `briefing init`,
`briefing config`, `briefing schema --toml` and the error messages all follow from that field.
"""

from __future__ import annotations

import difflib
import os
import re
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import UnionType
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    SecretStr,
    ValidationError,
    field_validator,
)

from briefing.engine_names import ENGINES
from briefing.errors import InputError, Problem
from briefing.languages import DEFAULT_LANGUAGES, LANGUAGES
from briefing.urls import display_url

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib  # type: ignore[import-not-found]

UNIONS = (Union, UnionType)
CONFIG_NAME = "briefing.toml"
SCHEMA_NAME = "facts.schema.json"
CONFIG_SCHEMA_NAME = "briefing.schema.json"
CONFIG_ENV = "BRIEFING_CONFIG"  # names a briefing.toml explicitly; "" means: use none


@dataclass(frozen=True)
class PathOrUrl:
    """Marks a setting that is a file or a URL: a relative file in briefing.toml is taken
    relative to that file, a URL (scheme://…) is kept as written."""


PATH_OR_URL = PathOrUrl()


@dataclass(frozen=True)
class Via:
    """Where else a setting can come from: its environment variable and command-line option."""

    env: str | None = None
    option: str | None = None


class Section(BaseModel):
    """A table of briefing.toml: unknown keys are errors, values are checked by type."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class TranslationSettings(Section):
    """Machine translation of free text: the models, the translation memory, decoding."""

    models_dir: Annotated[
        Path | None,
        Field(
            description="Folder of installed translation models (Argos Translate packages). "
            "Unset: Argos Translate's own folder."
        ),
        Via(env="BRIEFING_MODELS_DIR", option="--models-dir"),
    ] = None
    engine: Annotated[
        str,
        Field(
            description="argos: the installed models, in this process; libretranslate: a "
            "LibreTranslate server (set url).",
            json_schema_extra={"enum": list(ENGINES)},
        ),
        Via(env="BRIEFING_ENGINE", option="--engine"),
    ] = "argos"
    url: Annotated[
        str | None,
        Field(description="The LibreTranslate server, e.g. http://translate.example.org:5000."),
        Via(env="BRIEFING_ENGINE_URL", option="--engine-url"),
    ] = None
    api_key: Annotated[
        SecretStr | None,
        Field(
            description="The LibreTranslate server's API key, if it needs one. Better kept in "
            "the environment than in a shared briefing.toml; `briefing config` masks it."
        ),
        Via(env="BRIEFING_LT_API_KEY"),
    ] = None
    device: Annotated[
        Literal["auto", "cpu", "cuda"],
        Field(description="Where the argos engine decodes: auto (a CUDA GPU when there is one)."),
        Via(env="BRIEFING_DEVICE", option="--device"),
    ] = "auto"
    compute_type: Annotated[
        str,
        Field(
            min_length=1,
            description="CTranslate2 compute type for the argos engine: auto, int8, float16, …",
        ),
        Via(env="BRIEFING_COMPUTE_TYPE", option="--compute-type"),
    ] = "auto"
    intra_threads: Annotated[
        int,
        Field(ge=0, description="Threads per translator for argos; 0: one, a translator per core."),
        Via(env="BRIEFING_INTRA_THREADS", option="--intra-threads"),
    ] = 0
    memory: Annotated[
        str | None,
        Field(
            description="Translation memory: a file (SQLite, relative to this file), or a "
            "postgresql:// URL shared by a team. Unset: briefing/memory.sqlite in the user data "
            "folder."
        ),
        Via(env="BRIEFING_TM", option="--tm"),
        PATH_OR_URL,
    ] = None
    beam_size: Annotated[
        int,
        Field(ge=1, le=8, description="Beam width for decoding (2: chosen by measurement)."),
        Via(env="BRIEFING_BEAM_SIZE", option="--beam-size"),
    ] = 2
    batch_size: Annotated[
        int | None,
        Field(
            ge=1,
            le=512,
            description="Sentences per batch. Unset: each engine's own, chosen by measurement "
            "(argos 16 per decoding batch, libretranslate 16 per request).",
        ),
        Via(env="BRIEFING_BATCH_SIZE", option="--batch-size"),
    ] = None

    @field_validator("engine")
    @classmethod
    def _known_engine(cls, value: str) -> str:
        if value not in ENGINES:
            raise ValueError(f"unknown engine {value!r}; available: {', '.join(ENGINES)}")
        return value


class Settings(Section):
    """Everything a command needs to know beyond its arguments, with where each value came from."""

    languages: Annotated[
        list[str],
        Field(
            min_length=1,
            description="Languages to write, in order.",
            json_schema_extra={"items": {"enum": list(LANGUAGES)}},
        ),
        Via(env="BRIEFING_LANGUAGES", option="--lang"),
    ] = list(DEFAULT_LANGUAGES)
    sources: Annotated[
        Path,
        Field(description="Folder of facts files built when no file is named."),
        Via(env="BRIEFING_SOURCES"),
    ] = Path("sources")
    out: Annotated[
        Path,
        Field(description="Folder the documents are written to."),
        Via(env="BRIEFING_OUT", option="--out"),
    ] = Path("out")
    template: Annotated[
        str,
        Field(
            min_length=1,
            description="A bundled template's name, or a template folder (relative to this file).",
        ),
        Via(env="BRIEFING_TEMPLATE", option="--template"),
    ] = "summit"
    glossaries: Annotated[
        list[Path],
        Field(
            description="Workspace glossaries, stacked in order over the base term base that "
            "ships with briefing; a facts file's own glossary goes on top."
        ),
        Via(env="BRIEFING_GLOSSARIES", option="--glossary"),
    ] = []
    strict: Annotated[
        bool,
        Field(
            description="Refuse to write a Japanese or Korean document that has a name missing "
            "from the term base."
        ),
        Via(env="BRIEFING_STRICT", option="--strict"),
    ] = False
    layout: Annotated[
        Literal["single", "parallel", "both"],
        Field(
            description="single: one document per language; parallel: English beside each "
            "translation; both."
        ),
        Via(env="BRIEFING_LAYOUT", option="--layout"),
    ] = "single"
    translation: Annotated[
        TranslationSettings,
        Field(description="Machine translation of free text."),
    ] = TranslationSettings()

    _origins: dict[str, str] = PrivateAttr(default_factory=dict)
    _file: Path | None = PrivateAttr(default=None)

    @field_validator("languages")
    @classmethod
    def _known_languages(cls, value: list[str]) -> list[str]:
        unknown = [code for code in value if code not in LANGUAGES]
        if unknown:
            raise ValueError(
                f"unknown language code(s): {', '.join(unknown)}; available: {', '.join(LANGUAGES)}"
            )
        return list(dict.fromkeys(value))

    @property
    def config_file(self) -> Path | None:
        """The briefing.toml these settings were read from, if any."""
        return self._file

    @property
    def root(self) -> Path | None:
        """The workspace folder (where briefing.toml is), if there is one."""
        return self._file.parent if self._file else None

    def origin(self, key: str) -> str:
        """Where the value of `key` (dotted, e.g. translation.beam_size) came from."""
        return self._origins.get(key, "default")

    def value(self, key: str) -> Any:
        node: Any = self
        for part in key.split("."):
            node = getattr(node, part)
        return node


# --------------------------------------------------------------------------- the fields


@dataclass(frozen=True)
class FieldSpec:
    key: str  # dotted, e.g. translation.beam_size
    annotation: Any
    default: Any
    description: str
    via: Via
    path_or_url: bool = False


def _via(metadata: list[Any]) -> Via:
    return next((item for item in metadata if isinstance(item, Via)), Via())


def _is_section(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, Section)


def sections(model: type[Section] = Settings, prefix: str = "") -> Iterator[tuple[str, type]]:
    """('', Settings), ('translation', TranslationSettings), …: every table of briefing.toml."""
    yield prefix, model
    for name, info in model.model_fields.items():
        if _is_section(info.annotation):
            yield from sections(info.annotation, f"{prefix}{name}.")  # type: ignore[arg-type]


def fields(model: type[Section] = Settings, prefix: str = "") -> Iterator[FieldSpec]:
    """Every setting (not the sections themselves), in declaration order."""
    for name, info in model.model_fields.items():
        if _is_section(info.annotation):
            yield from fields(info.annotation, f"{prefix}{name}.")  # type: ignore[arg-type]
        else:
            yield FieldSpec(
                f"{prefix}{name}",
                info.annotation,
                info.get_default(call_default_factory=True),
                info.description or "",
                _via(info.metadata),
                PATH_OR_URL in info.metadata,
            )


def _field_specs() -> dict[str, FieldSpec]:
    return {spec.key: spec for spec in fields()}


def _is_path(annotation: Any) -> bool:
    """Path or Path | None."""
    return annotation is Path or (get_origin(annotation) in UNIONS and Path in get_args(annotation))


def _is_path_list(annotation: Any) -> bool:
    return get_origin(annotation) is list and get_args(annotation) == (Path,)


def _is_list(annotation: Any) -> bool:
    return get_origin(annotation) is list


# --------------------------------------------------------------------------- briefing.toml


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
        if not path.is_file():
            raise InputError(
                f"{CONFIG_ENV}={named}: no such file; unset it or name a briefing.toml"
            )
        return path
    folder = start.resolve()
    for candidate in (folder, *folder.parents):
        path = candidate / CONFIG_NAME
        if path.is_file():
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

    tomllib gives values without positions; errors must name the line, so the keys are found
    again here. Lines inside multi-line arrays and strings are skipped.
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
    for key, value in data.items():
        if isinstance(value, dict):
            yield from _flatten(value, f"{prefix}{key}.")
        else:
            yield f"{prefix}{key}", value


def _unknown_key_problems(
    path: Path, data: Mapping[str, Any], lines: dict[str, int]
) -> list[Problem]:
    """Keys no setting has, each with the setting it most likely meant."""
    specs = _field_specs()
    tables = {name.rstrip(".") for name, _ in sections() if name}
    problems: list[Problem] = []

    def walk(node: Mapping[str, Any], prefix: str) -> None:
        for key, value in node.items():
            full = f"{prefix}{key}"
            if full in tables and isinstance(value, dict):
                walk(value, f"{full}.")
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


def _placement(key: str) -> str:
    if "." not in key:
        return "a top-level key, before any [table]"
    table, name = key.rsplit(".", 1)
    return f"'{name}' under [{table}]"


def read_config(path: Path) -> tuple[dict[str, Any], dict[str, int]]:
    """The settings a briefing.toml sets, flattened to dotted keys, and each key's line."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as err:
        raise InputError(
            "", [Problem(path, None, None, f"not UTF-8 text ({err.reason})")]
        ) from None
    except OSError as err:
        raise InputError(f"{path}: cannot read: {err.strerror}") from None
    try:
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


# --------------------------------------------------------------------------- merging


def _from_text(spec: FieldSpec, text: str) -> Any:
    """An environment variable's or option's text as the setting's value (lists: commas)."""
    if _is_list(spec.annotation):
        return [part.strip() for part in text.split(",") if part.strip()]
    return text


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
    specs = _field_specs()
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
            elif spec.path_or_url and isinstance(value, str) and "://" not in value:
                value = str(_resolve_path(value, root, cwd))
            elif key == "template" and isinstance(value, str) and (root / value).is_dir():
                value = str(_shown(root / value, cwd))
            values[key] = value
            origins[key] = f"{shown_config}:{lines.get(key, '?')}"
            where[key] = (config, lines.get(key))

    for key, spec in specs.items():
        if spec.via.env and env.get(spec.via.env, "") != "":
            values[key] = _from_text(spec, env[spec.via.env])
            origins[key] = f"env {spec.via.env}"
            where[key] = (Path(f"environment variable {spec.via.env}"), None)

    for key, value in (cli or {}).items():
        if value is None:
            continue
        spec = specs[key]  # a KeyError here is a programming error: the option names no setting
        if isinstance(value, str) and _is_list(spec.annotation):
            value = _from_text(spec, value)
        values[key] = value
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
    problems = []
    for error in err.errors():
        key = ".".join(str(part) for part in error["loc"] if not isinstance(part, int))
        path, line = where.get(key, (Path("default"), None))
        message = error["msg"].removeprefix("Value error, ")
        value = error.get("input")
        text = f"setting '{key}': {message}"
        if value is not None and not isinstance(value, dict):
            text += f", got {value!r}"
        spec = _field_specs().get(key)
        hint = spec.description if spec else ""
        problems.append(Problem(path, line, None, text, hint))
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
    if isinstance(value, str) and value.startswith(("postgresql://", "postgres://")):
        return display_url(value, as_written=True)
    return value


def config_schema() -> dict[str, Any]:
    """JSON Schema of briefing.toml (editors with a TOML language server use it)."""
    schema = Settings.model_json_schema()
    schema["title"] = "briefing.toml"
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schema
