"""The translation engines by name, and the class each name stands for, as plain data.

The settings accept these names (briefing.toml's `engine`, `--engine`, the JSON Schema's enum)
and `translation/engines/registry.py` imports the class of the one chosen. Kept at the base so
that reading the settings never imports the translation stage.
"""

from __future__ import annotations

#: name → "module:Class"; the class implements `translation.engines.Engine`.
ENGINES: dict[str, str] = {
    "argos": "briefing.translation.engines.argos:ArgosEngine",
    "libretranslate": "briefing.translation.engines.libretranslate:LibreTranslateEngine",
}
