"""Read YAML into plain data while remembering where every value came from.

Facts files come from other people, so the reader refuses what could hurt (aliases, which enable
"billion laughs" bombs; absurd nesting; huge files) and keeps line and column for every value so
that schema errors can point at the exact spot.
"""

from __future__ import annotations

import importlib.util
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.composer import MaxDepthExceededError
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import (
    AliasEvent,
    CollectionEndEvent,
    CollectionStartEvent,
    Event,
    NodeEvent,
)
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from briefing.errors import InputError, Problem
from briefing.yamlsource.cleaning import clean, remove_unreadable
from briefing.yamlsource.reading import MAX_BYTES, read_text

MAX_DEPTH = 40
# libyaml through ruamel.yaml.clib reads a term base about ten times faster than the pure-Python
# reader; without it (a platform with no wheel) the pure reader gives the same result.
C_READER = importlib.util.find_spec("_ruamel_yaml") is not None

Path_ = tuple[str | int, ...]
# The YAML tags of values that are not text; every other value is text and is cleaned.
SCALAR_TYPES = (":null", ":bool", ":int", ":float")


@dataclass
class LoadedYaml:
    """Plain data (dicts, lists, scalars) plus the 1-based (line, column) of every value."""

    path: Path
    data: Any
    positions: dict[Path_, tuple[int, int]]
    warnings: list[Problem] = field(default_factory=list)
    # Offsets (in the text as parsed) where unreadable characters were removed; each value
    # claims those inside it, so the warning can name the field.
    removed_at: list[int] = field(default_factory=list, repr=False)
    key_positions: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    text: str = field(default="", repr=False)  # the text as parsed, for change detection

    def position(self, loc: Path_, key: bool = False) -> tuple[int | None, int | None]:
        """Where `loc` is, or its nearest existing ancestor (for a missing key).

        With `key`, where the mapping key naming `loc` is written rather than its value (which
        for a nested block starts on a later line).
        """
        loc = tuple(loc)
        if key and loc in self.key_positions:
            return self.key_positions[loc]
        while loc not in self.positions and loc:
            loc = loc[:-1]
        line, column = self.positions.get(loc, (None, None))
        return line, column

    def problem(
        self, loc: Path_, message: str, hint: str = "", severity: str = "error", key: bool = False
    ) -> Problem:
        line, column = self.position(loc, key)
        return Problem(self.path, line, column, message, hint, severity)


def dotted(loc: Path_) -> str:
    """`('participants', 0, 'name')` → `participants[0].name`, the way people read paths."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(top level)"


def load_yaml(
    path: Path, text: str | None = None, max_bytes: int = MAX_BYTES, *, pipes: bool = False
) -> LoadedYaml:
    """Read `path` (or `text`, for tests and stdin) into a LoadedYaml, or raise InputError.
    `pipes`: the path may be a pipe (a facts file named on the command line)."""
    text, removed_at = remove_unreadable(read_text(path, text, max_bytes, pipes=pipes))
    try:
        root = _compose(path, text)
    except _TooDeep as deep:
        raise InputError(
            "",
            [
                Problem(
                    path,
                    deep.line,
                    deep.column,
                    f"nesting deeper than {MAX_DEPTH} levels",
                    "Facts files are shallow: check for runaway indentation or brackets.",
                )
            ],
        ) from None
    except MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line = mark.line + 1 if mark else None
        column = mark.column + 1 if mark else None
        message = f"YAML syntax: {err.problem or err.context}"
        raise InputError(
            "",
            [
                Problem(
                    path,
                    line,
                    column,
                    message,
                    "Check indentation and quoting here; text with ': ' or '#' must be quoted.",
                )
            ],
        ) from None
    except YAMLError as err:
        raise InputError("", [Problem(path, None, None, f"YAML: {err}")]) from None
    except RecursionError:
        raise InputError(
            "", [Problem(path, None, None, "the YAML is nested too deeply to read")]
        ) from None

    loaded = LoadedYaml(path, None, {}, removed_at=removed_at, text=text)
    loaded.data = _convert(root, (), loaded, set(), 0) if root is not None else None
    if loaded.removed_at:
        first = loaded.removed_at[0]
        line = text.count("\n", 0, first) + 1
        column = first - (text.rfind("\n", 0, first) + 1) + 1
        loaded.warnings.append(
            Problem(
                path,
                line,
                column,
                f"removed {len(loaded.removed_at)} control character(s) outside any value "
                "(in comments, keys or between entries)",
                severity="warning",
            )
        )
    return loaded


class _TooDeep(Exception):
    def __init__(self, line: int | None, column: int | None) -> None:
        self.line, self.column = line, column


def _compose(path: Path, text: str) -> Node | None:
    """The YAML node tree of `text`, after the checks that must come before any recursion."""
    if C_READER:
        try:
            return _compose_fast(path, text)
        except YAMLError:
            pass  # libyaml refuses a few things the YAML 1.2 reader takes (escaped surrogate
            # pairs); the pure reader gives the verdict, and its messages, for every error
    yaml = YAML(typ="safe", pure=True)
    yaml.max_depth = MAX_DEPTH + 1  # the composer recurses: stop it before Python's stack does
    try:
        return yaml.compose(text)
    except MaxDepthExceededError as err:
        mark = err.problem_mark
        raise _TooDeep(mark.line + 1 if mark else None, mark.column + 1 if mark else None) from None


def _compose_fast(path: Path, text: str) -> Node | None:
    """Through libyaml. Its composer recurses in C, where no limit would stop it, so its event
    stream (read without recursion) is checked for depth first, and for anchors and aliases."""
    yaml = YAML(typ="safe", pure=False)
    _check_events(path, yaml.parse(text))
    return yaml.compose(text)


def _check_events(path: Path, events: Iterable[Event]) -> None:
    depth = 0
    for event in events:
        if isinstance(event, CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH + 1:
                mark = event.start_mark
                raise _TooDeep(mark.line + 1, mark.column + 1)
        elif isinstance(event, CollectionEndEvent):
            depth -= 1
        if isinstance(event, AliasEvent):  # its anchor would have been met first: undefined
            raise YAMLError("undefined alias")  # the pure reader words it
        if isinstance(event, NodeEvent) and event.anchor:
            mark = event.start_mark
            raise InputError("", [Problem(path, mark.line + 1, mark.column + 1, *_ANCHORS)])


_ANCHORS = (
    "YAML anchors and aliases (&name / *name) are not accepted",
    "Write the value out in full where it is needed.",
)


def _mark(node: Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


def _refuse(node: Node, loaded: LoadedYaml, message: str, hint: str) -> InputError:
    line, column = _mark(node)
    return InputError("", [Problem(loaded.path, line, column, message, hint)])


def _convert(node: Node, loc: Path_, loaded: LoadedYaml, seen: set[int], depth: int) -> Any:
    if depth > MAX_DEPTH:
        raise _refuse(
            node,
            loaded,
            f"nesting deeper than {MAX_DEPTH} levels",
            "Facts files are shallow: check for runaway indentation or brackets.",
        )
    if id(node) in seen or getattr(node, "anchor", None):
        raise _refuse(node, loaded, *_ANCHORS)
    seen.add(id(node))
    loaded.positions[loc] = _mark(node)
    if isinstance(node, MappingNode):
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):
                raise _refuse(key_node, loaded, "a key must be plain text", "")
            key = str(key_node.value)
            if key == "<<":
                raise _refuse(key_node, loaded, "YAML merge keys (<<) are not accepted", "")
            if key in result:
                raise _refuse(
                    key_node,
                    loaded,
                    f"duplicate key '{key}' in {dotted(loc)}",
                    "Each key may appear once; remove or rename one of them.",
                )
            key_loc: Path_ = (*loc, key)
            loaded.key_positions[key_loc] = _mark(key_node)
            result[key] = _convert(value_node, (*loc, key), loaded, seen, depth + 1)
        return result
    if isinstance(node, SequenceNode):
        return [
            _convert(item, (*loc, index), loaded, seen, depth + 1)
            for index, item in enumerate(node.value)
        ]
    if isinstance(node, ScalarNode):
        return _scalar(node, loc, loaded)
    raise _refuse(node, loaded, "a YAML node of an unknown kind", "Write plain YAML values.")


def _scalar(node: ScalarNode, loc: Path_, loaded: LoadedYaml) -> Any:
    tag = str(node.tag)
    value: str = node.value
    removed = _claim_removed(node, loaded)
    if tag.endswith(SCALAR_TYPES):
        if removed:
            loaded.warnings.append(_removed_warning(loaded, loc, removed))
        return _typed(tag, value)
    cleaned = clean(value)
    if removed or cleaned.illegal:  # one warning per value
        loaded.warnings.append(_removed_warning(loaded, loc, removed + cleaned.illegal))
    if cleaned.bidi:
        loaded.warnings.append(
            loaded.problem(
                loc,
                f"{dotted(loc)}: removed {cleaned.bidi} bidirectional control "
                "character(s) (U+202A–U+202E, U+2066–U+2069), which can make text display in "
                "another order than it is written",
                severity="warning",
            )
        )
    return cleaned.text


def _typed(tag: str, value: str) -> Any:
    """A null, boolean or number as Python holds it; a number that does not parse stays text."""
    if tag.endswith(":null"):
        return None
    if tag.endswith(":bool"):
        return value.lower() == "true"
    if tag.endswith(":int"):
        try:
            return int(value.replace("_", ""), 0)
        except ValueError:
            return value
    try:
        return float(value.replace("_", ""))
    except ValueError:
        return value


def _claim_removed(node: Node, loaded: LoadedYaml) -> int:
    """How many characters removed before parsing lay inside `node`; they are no longer pending."""
    if not loaded.removed_at:
        return 0
    low = bisect_left(loaded.removed_at, node.start_mark.index)
    high = bisect_right(loaded.removed_at, node.end_mark.index)
    del loaded.removed_at[low:high]
    return high - low


def _removed_warning(loaded: LoadedYaml, loc: Path_, count: int) -> Problem:
    return loaded.problem(
        loc,
        f"{dotted(loc)}: removed {count} control character(s) that documents cannot hold",
        severity="warning",
    )
