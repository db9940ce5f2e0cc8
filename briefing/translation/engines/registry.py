"""The translation engines by name: `engine = "NAME"` in briefing.toml, `--engine NAME`.

The names and classes are data in `briefing/engine_names.py`; an engine is imported only when
chosen, so the in-process engine's CTranslate2 is not loaded for a build that uses a server,
and vice versa.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from briefing.engine_names import ENGINES
from briefing.errors import InputError
from briefing.translation.engines import Engine


@dataclass(frozen=True)
class EngineConfig:
    """Engine settings from the command line and the environment (and briefing.toml)."""

    name: str = "argos"
    models_dir: Path | None = None  # argos: installed packages
    beam_size: int | None = None  # None: the engine's default
    batch_size: int | None = None
    device: str = "auto"  # argos: auto | cpu | cuda
    compute_type: str = "auto"  # argos: CTranslate2 compute type
    intra_threads: int = 0  # argos: threads per translation, 0 = thread_layout's
    url: str | None = None  # libretranslate: the server
    api_key: str | None = None  # libretranslate
    options: Mapping[str, str] = field(default_factory=dict)  # anything a new engine needs


def create_engine(config: EngineConfig) -> Engine:
    """The engine `config.name` names, set up from `config` (nothing loaded or contacted yet)."""
    target = ENGINES.get(config.name)
    if target is None:
        raise InputError(
            f"unknown translation engine {config.name!r}; choose one of "
            f"{', '.join(sorted(ENGINES))} (engine in briefing.toml, or --engine)"
        )
    module_name, class_name = target.split(":")
    engine_class = getattr(importlib.import_module(module_name), class_name)
    engine: Engine = engine_class.from_config(config)
    return engine
