"""JSON Schemas of the facts file and of briefing.toml, generated from their typed models.

Editors with the YAML language server (VS Code, Neovim, Emacs …) read the facts schema through
the `# yaml-language-server: $schema=…` line of a facts file and complete and check fields as
the user types; TOML language servers (Taplo) read `#:schema` at the top of briefing.toml.
"""

from __future__ import annotations

import json
from typing import Any

JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
TIME_PATTERN = r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$"


def facts_schema() -> dict[str, Any]:
    """The facts file's schema, from the same pydantic model that validates it."""
    from briefing.facts.schema import Facts

    schema = Facts.model_json_schema()
    schema["$schema"] = JSON_SCHEMA_DIALECT
    schema["title"] = "briefing facts file"
    schema["description"] = (
        "Facts about one diplomatic event; every statement cites ids from `sources`."
    )
    _loosen_times(schema)
    return schema


def _loosen_times(node: Any) -> None:
    """Times are written HH:MM in facts files; JSON Schema's `time` format wants seconds and a
    zone, so editors would flag every valid time. A pattern says what the model accepts."""
    if isinstance(node, dict):
        if node.get("format") == "time":
            del node["format"]
            node["pattern"] = TIME_PATTERN
        for value in node.values():
            _loosen_times(value)
    elif isinstance(node, list):
        for value in node:
            _loosen_times(value)


def config_schema() -> dict[str, Any]:
    """briefing.toml's schema, from the settings' own fields."""
    from briefing.workspace.fields import Settings

    schema = Settings.model_json_schema()
    schema["title"] = "briefing.toml"
    schema["$schema"] = JSON_SCHEMA_DIALECT
    return schema


def dumps(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"
