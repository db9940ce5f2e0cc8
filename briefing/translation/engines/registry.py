"""The translation engines by name: `engine = "NAME"` in briefing.toml, `--engine NAME`.

The names and classes are data in `briefing/engine_names.py`; an engine is imported only when
chosen, so the in-process engine's CTranslate2 is not loaded for a build that uses a server,
and vice versa.
"""

from __future__ import annotations

import importlib

from briefing.engine_names import ENGINES
from briefing.translation.engines import Engine
from briefing.workspace.fields import TranslationSettings


def create_engine(settings: TranslationSettings) -> Engine:
    """The engine `settings.engine` names, made from the translation settings (nothing loaded
    or contacted yet). The settings accept only names in ENGINES."""
    module_name, class_name = ENGINES[settings.engine].split(":")
    engine_class = getattr(importlib.import_module(module_name), class_name)
    engine: Engine = engine_class.from_settings(settings)
    return engine
