"""The settings as typed fields: `Settings`, its sections, and what else sets each field.

To add a setting, add one field here (to `Settings` or one of its sections) with its default, a
description and, where it has them, its environment variable and command-line option (`Via`).
Reading briefing.toml (`config_file.py`), merging the layers (`settings.py`), `briefing init`,
`briefing config`, `briefing schema --toml`, the error messages and the options a command passes
all follow from that field; the engines are made from the `translation` section itself.
It runs past 400 lines because every setting is declared here with its description, limits,
environment variable and option: one idea, the settings' schema, kept whole so that a new
setting is one field in one place.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    SecretStr,
    ValidationError,
    field_validator,
)
from pydantic.fields import FieldInfo
from pydantic_core import InitErrorDetails, PydanticCustomError

from briefing.dates import EnDates, JaDates, KoDates
from briefing.engine_names import ENGINES
from briefing.languages import DEFAULT_LANGUAGES, LANGUAGES
from briefing.marks import MarkName
from briefing.urls import location_problem, server_url_problem, shown_server_url

#: Where the argos engine decodes (translation/engines/device.py chooses for "auto").
DeviceName = Literal["auto", "cpu", "cuda"]
#: The most threads per translator any machine is given (device.py: at most its cores).
MAX_INTRA_THREADS = 64


@dataclass(frozen=True)
class PathOrUrl:
    """Marks a setting that is a file or a URL: a relative file in briefing.toml is taken
    relative to that file, a URL (scheme:…) is kept as written, for the field to judge."""


PATH_OR_URL = PathOrUrl()


@dataclass(frozen=True)
class Via:
    """Where else a setting can come from: its environment variable and command-line option."""

    env: str | None = None
    option: str | None = None


class Section(BaseModel):
    """A table of briefing.toml: unknown keys are errors, values are checked by type."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class ModelChoice(Section):
    """Which installed model builds use for each language, by name, when several are installed
    (`briefing models list` shows the names). Unset: the Argos package, else the first by name.
    `briefing build --model LANG=NAME` sets one for a build."""

    ja: Annotated[
        str | None,
        Field(min_length=1, description="The model for Japanese, e.g. opus-mt-en-jap."),
        Via(env="BRIEFING_MODEL_JA"),
    ] = None
    ko: Annotated[
        str | None,
        Field(min_length=1, description="The model for Korean, e.g. opus-mt-tc-big-en-ko."),
        Via(env="BRIEFING_MODEL_KO"),
    ] = None

    def chosen(self) -> dict[str, str]:
        """Language → model name, for the languages that have a choice."""
        return {code: name for code, name in self.model_dump().items() if name}


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
    models: Annotated[
        ModelChoice,
        Field(description="The installed model each language's builds use."),
    ] = ModelChoice()
    models_index: Annotated[
        str | None,
        Field(
            min_length=1,
            description="The Argos package index `briefing models install` downloads from, "
            "e.g. a mirror inside a closed network. Unset: Argos Translate's public index.",
        ),
        Via(env="BRIEFING_MODELS_INDEX", option="--index-url"),
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
    timeout: Annotated[
        float,
        Field(
            gt=0,
            le=3600,
            description="Seconds the libretranslate engine gives one batch of sentences, from "
            "connecting to the last byte of the answer, every try included; a batch without "
            "a complete answer by then fails its language.",
        ),
        Via(env="BRIEFING_LT_TIMEOUT"),
    ] = 120.0
    concurrency: Annotated[
        int,
        Field(
            ge=1,
            le=64,
            description="Requests the libretranslate engine sends the server at once (4: a "
            "LibreTranslate server runs 4 request threads by default).",
        ),
        Via(env="BRIEFING_LT_CONCURRENCY"),
    ] = 4
    retries: Annotated[
        int,
        Field(
            ge=1,
            le=20,
            description="Tries the libretranslate engine gives one batch when the server is "
            "busy (429), fails (5xx) or drops the connection, within the timeout; the wait "
            "between tries starts at half a second and doubles.",
        ),
        Via(env="BRIEFING_LT_RETRIES"),
    ] = 5
    device: Annotated[
        DeviceName,
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
        # More threads than cores only make each other wait (on 2 cores, 64 took a build from
        # 2 to 9 s and 5,000 from 2 s to over 5 minutes, deaf to SIGTERM): device.py also
        # refuses more than the machine's cores.
        Field(
            ge=0,
            le=MAX_INTRA_THREADS,
            description="Threads per translator for argos, at most the machine's CPU cores; "
            "0: one, a translator per core.",
        ),
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
        # About 1.4× the speed of beam 4; beam 1 (greedy) costs quality (README, Benchmarks).
        Field(ge=1, le=8, description="Beam width for decoding (2: chosen by measurement)."),
        Via(env="BRIEFING_BEAM_SIZE", option="--beam-size"),
    ] = 2
    batch_size: Annotated[
        int,
        # 16 gives every argos translator (one per core) batches of its own even in a small
        # build, and is the fastest request size measured against a LibreTranslate server.
        Field(
            ge=1,
            le=512,
            description="Sentences per batch: per decoding batch for argos, per request for "
            "libretranslate (16: chosen by measurement).",
        ),
        Via(env="BRIEFING_BATCH_SIZE", option="--batch-size"),
    ] = 16

    @field_validator("engine")
    @classmethod
    def _known_engine(cls, value: str) -> str:
        if value not in ENGINES:
            raise ValueError(f"unknown engine {value!r}; available: {', '.join(ENGINES)}")
        return value

    @field_validator("memory")
    @classmethod
    def _path_or_postgres(cls, value: str | None) -> str | None:
        problem = None if value is None else location_problem(value)
        if problem is not None:
            raise ValueError(problem)
        return value

    @field_validator("url")
    @classmethod
    def _server_address(cls, value: str | None) -> str | None:
        """An address the engine can connect to; the error shows it without any secret."""
        problem = None if value is None else server_url_problem(value)
        if value is not None and problem is not None:
            error = PydanticCustomError("server_url", f"the server's URL {problem}")
            details = InitErrorDetails(type=error, loc=(), input=shown_server_url(value))
            raise ValidationError.from_exception_data("url", [details])
        return value


class DateStyles(Section):
    """The date style of each language (briefing/dates.py); the government's own by default."""

    en: Annotated[EnDates, Field(description="cldr: Tuesday 13 January 2026.")] = "cldr"
    ja: Annotated[
        JaDates,
        Field(
            description="era: 令和8年1月13日（火） (as mofa.go.jp); western: 2026年1月13日（火）."
        ),
    ] = "era"
    ko: Annotated[
        KoDates,
        Field(
            description="official: 2026. 1. 13.(화), times 08:10 (as official documents); "
            "cldr: 2026년 1월 13일(화)."
        ),
    ] = "official"


class RangeMarks(Section):
    """The mark between the first and last day of a range, where it is not the style's own
    (English writes CLDR's interval)."""

    ja: Annotated[str | None, Field(min_length=1, max_length=5, description="Unset: ～.")] = None
    ko: Annotated[
        str | None,
        Field(
            min_length=1,
            max_length=5,
            description="Unset: ~. 외교부's releases write a hyphen: -.",
        ),
    ] = None


class MarkTexts(Section):
    """Your own handling mark per language, printed instead of the `mark` word."""

    en: Annotated[str | None, Field(min_length=1, max_length=80, description="e.g. INTERNAL")] = (
        None
    )
    ja: Annotated[str | None, Field(min_length=1, max_length=80, description="e.g. 内部資料")] = (
        None
    )
    ko: Annotated[
        str | None,
        Field(
            min_length=1,
            max_length=80,
            description="e.g. 내부자료. 대외비 (a designation of the 보안업무규정) is printed red "
            "and centred, as the designation is.",
        ),
    ] = None


class StyleSettings(Section):
    """How the documents write dates, and the handling mark at the top of every page (a facts
    file's `style:` block of the same shape overrides what it sets)."""

    mark: Annotated[
        MarkName,
        Field(
            description="The handling mark at the top of every page: none, internal, limited "
            "(limited distribution) or draft, in each language's words; none claims no "
            "security classification."
        ),
        Via(env="BRIEFING_MARK"),
    ] = "none"
    mark_text: Annotated[MarkTexts, Field(description="Your own mark per language.")] = MarkTexts()
    dates: Annotated[DateStyles, Field(description="The date style of each language.")] = (
        DateStyles()
    )
    range_marks: Annotated[
        RangeMarks, Field(description="The mark between the days of a range, per language.")
    ] = RangeMarks()


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
    versions_kept: Annotated[
        int,
        Field(
            ge=1,
            le=1000,
            description="Versions kept of each document (OUT/.briefing-versions), for `briefing "
            "changes`; the oldest are dropped first, never the one last sent.",
        ),
        Via(env="BRIEFING_VERSIONS_KEPT"),
    ] = 20
    changes: Annotated[
        bool,
        Field(
            description="Write OUT/<stem>.<lang>.changes.docx with every build: the document "
            "with Word's tracked changes since the version last sent (else the previous one)."
        ),
        Via(env="BRIEFING_CHANGES", option="--changes"),
    ] = False
    changes_author: Annotated[
        str | None,
        Field(
            min_length=1,
            description="The author of the tracked changes. Unset: the document's author, "
            "from the facts.",
        ),
        Via(env="BRIEFING_CHANGES_AUTHOR"),
    ] = None
    translation: Annotated[
        TranslationSettings,
        Field(description="Machine translation of free text."),
    ] = TranslationSettings()
    style: Annotated[
        StyleSettings,
        Field(description="Date styles and the handling mark."),
    ] = StyleSettings()

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
    info: FieldInfo = field(compare=False, repr=False)  # its limits and choices
    path_or_url: bool = False


def _via(metadata: list[Any]) -> Via:
    return next((item for item in metadata if isinstance(item, Via)), Via())


def _is_section(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, Section)


def sections(model: type[Section] = Settings, prefix: str = "") -> Iterator[tuple[str, type]]:
    """('', Settings), ('translation.', TranslationSettings), …: every table of briefing.toml."""
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
                info,
                PATH_OR_URL in info.metadata,
            )


def field_specs() -> dict[str, FieldSpec]:
    """Every setting by its dotted key."""
    return {spec.key: spec for spec in fields()}


def option_keys() -> dict[str, str]:
    """The command-line options that set a setting, e.g. "--beam-size" → "translation.beam_size"."""
    return {spec.via.option: spec.key for spec in fields() if spec.via.option}
