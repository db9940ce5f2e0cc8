"""A schema's validation errors as problems located in the YAML file, saying what was expected."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ValidationError

from briefing.errors import Problem
from briefing.yamlsource.positions import LoadedYaml, dotted


def _expected(model: type[BaseModel], loc: tuple[str | int, ...]) -> str:
    """The field's description, to tell the user what belongs at `loc`."""
    current: Any = model
    description = ""
    for part in loc:
        if isinstance(part, int):
            continue
        fields = getattr(current, "model_fields", None)
        if not fields or part not in fields:
            return description
        info = fields[part]
        description = info.description or ""
        annotation = info.annotation
        args = getattr(annotation, "__args__", ())
        candidates = [annotation, *args]
        current = next(
            (c for c in candidates if isinstance(c, type) and issubclass(c, BaseModel)), None
        )
    return description


def _shorten(value: object, limit: int = 60) -> str:
    """A value as it appears in an error message: its repr, cut to a readable length."""
    if isinstance(value, str) and len(value) > limit:
        return f"{value[:limit]!r}… ({len(value):,} characters)"
    text = repr(value)
    return text if len(text) <= limit + 2 else f"{text[:limit]}…"


def problems_from_validation(
    loaded: LoadedYaml, error: ValidationError, model: type[BaseModel]
) -> list[Problem]:
    """Turn pydantic's errors into located problems that say what was expected."""
    problems = []
    for item in error.errors(include_url=False):
        loc = tuple(part for part in item["loc"] if not str(part).startswith("function-"))
        message = item["msg"]
        if item["type"] == "missing":
            message = f"missing field '{loc[-1]}' in {dotted(loc[:-1])}"
        elif item["type"] == "extra_forbidden":
            message = f"unknown field '{loc[-1]}' in {dotted(loc[:-1])}"
        else:
            message = f"{dotted(loc)}: {message[0].lower()}{message[1:]}"
            if "input" in item and not isinstance(item["input"], dict | list):
                message += f" (got {_shorten(item['input'])})"
        expected = _expected(model, loc)
        hint = f"Expected {expected}." if expected else ""
        if item["type"] == "string_too_short" and item.get("input") == "":
            message = f"{dotted(loc)}: the value is empty"
            if expected.endswith("(optional)"):  # an empty line is not "none": leave it out
                hint = f"Expected {expected}. To give none, remove the line (or comment it out)."
        if item["type"] == "extra_forbidden":
            hint = "Check the spelling; `briefing new NAME` writes a file showing every field."
        at_key = item["type"] == "extra_forbidden"
        problems.append(loaded.problem(loc, message, hint, key=at_key))
    return problems
