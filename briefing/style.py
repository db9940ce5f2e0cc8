"""A document's style: the workspace's `[style]` with the facts file's `style:` block over it.

Both have one shape (workspace/fields.py `StyleSettings`); what the facts file sets wins, key by
key, so an event can change one language's date style and keep the workspace's mark.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from pydantic import BaseModel

from briefing.dates import DateStyle, date_style
from briefing.workspace.fields import StyleSettings


def _set_values(model: BaseModel) -> dict[str, Any]:
    """The values a model was given (not its defaults), nested models likewise."""
    values: dict[str, Any] = {}
    for name in model.model_fields_set:
        value = getattr(model, name)
        values[name] = _set_values(value) if isinstance(value, BaseModel) else value
    return values


def _overlay(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in over.items():
        below = merged.get(key)
        merged[key] = _overlay(below, value) if isinstance(below, dict) else value
    return merged


def effective_style(workspace: StyleSettings, event: StyleSettings | None) -> StyleSettings:
    """The workspace's style with what the event's own `style:` block sets over it."""
    if event is None:
        return workspace
    return StyleSettings.model_validate(_overlay(workspace.model_dump(), _set_values(event)))


def dates_of(style: StyleSettings, lang: str) -> DateStyle:
    """The date style `style` chooses for `lang`, with its range mark if one is set."""
    chosen = date_style(lang, getattr(style.dates, lang, None))
    mark = getattr(style.range_marks, lang, None)
    return dataclasses.replace(chosen, range_mark=mark) if mark else chosen
