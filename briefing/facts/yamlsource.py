"""Read YAML into plain data while remembering where every value came from.

Facts files come from other people, so the reader refuses what could hurt (aliases, which enable
"billion laughs" bombs; absurd nesting; huge files) and keeps line and column for every value so
that schema errors can point at the exact spot.
"""

from __future__ import annotations

import codecs
import importlib.util
import os
import re
import stat
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError
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

MAX_BYTES = 5 * 1024 * 1024
MAX_DEPTH = 40
# libyaml through ruamel.yaml.clib reads a term base about ten times faster than the pure-Python
# reader; without it (a platform with no wheel) the pure reader gives the same result.
C_READER = importlib.util.find_spec("_ruamel_yaml") is not None

# Characters XML 1.0 (and so Word) cannot hold: C0 controls except tab, newline, carriage return;
# lone surrogates; U+FFFE and U+FFFF.
XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# Embedding, override and isolate controls: they reorder how text is displayed ("\u202egnp.exe"
# shows as "exe.png"), so a reader could be shown something else than the facts say. The marks
# U+200E, U+200F and U+061C are kept: they only settle the direction of neighbouring punctuation
# in right-to-left names and cannot reverse a run of text.
BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")
SURROGATE_PAIR = re.compile("[\ud800-\udbff][\udc00-\udfff]")
# Characters a YAML reader refuses to read at all (the complement of YAML's printable set). Text
# pasted from PDFs and word processors carries them (form feeds, vertical tabs, backspaces), so
# they are removed before parsing and reported against the value they were in.
YAML_UNREADABLE = re.compile(
    "[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
)

Path_ = tuple[str | int, ...]


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


def decode(path: Path, raw: bytes) -> str:
    """Decode UTF-8 (BOM optional) or UTF-16/32 with a BOM; anything else is a located error."""
    if raw.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):  # before UTF-16: FF FE 00 00
        encoding = "utf-32"
    elif raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    else:
        encoding = "utf-8-sig"
        if b"\x00" in raw:  # valid UTF-8, but no text file holds NUL bytes: UTF-16 without a BOM
            before = raw[: raw.index(b"\x00")]
            raise InputError(
                "",
                [
                    Problem(
                        path,
                        before.count(b"\n") + 1,
                        len(before) - (before.rfind(b"\n") + 1) + 1,
                        "the file contains NUL bytes: it looks like UTF-16 or UTF-32 text "
                        "without a byte-order mark, or not text at all",
                        "Save the file as UTF-8 (in most editors: Save As → Encoding → UTF-8).",
                    )
                ],
            )
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError as err:
        before = raw[: err.start]
        line = before.count(b"\n") + 1
        column = err.start - (before.rfind(b"\n") + 1) + 1
        raise InputError(
            "",
            [
                Problem(
                    path,
                    line,
                    column,
                    f"the file is not valid {encoding.replace('-sig', '')} text "
                    f"(byte 0x{raw[err.start]:02x} cannot be decoded)",
                    "Save the file as UTF-8 (in most editors: Save As → Encoding → UTF-8).",
                )
            ],
        ) from None


SPECIAL_FILES = (
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def _too_large(path: Path, size: int | None, max_bytes: int) -> InputError:
    """The file is `size` bytes, or (a pipe, whose size is unknown) more than `max_bytes`."""
    limit = f"{max_bytes / 1_048_576:.0f} MB"
    message = (
        f"the file is {size / 1_048_576:.1f} MB; input files are limited to {limit}"
        if size is not None
        else f"the input is larger than the limit of {limit}"
    )
    hint = "A facts file describes one event; split the content or check that the right file "
    hint += "was given."
    return InputError("", [Problem(path, None, None, message, hint)])


def _not_a_file(path: Path, mode: int) -> InputError | None:
    """Why `path` (of `mode`) is not something to read YAML from, or None when it is."""
    if stat.S_ISDIR(mode):
        return InputError(f"{path}: is a directory, expected a YAML file")
    if stat.S_ISREG(mode) or stat.S_ISFIFO(mode):
        return None
    kind = next((name for test, name in SPECIAL_FILES if test(mode)), "a special file")
    return InputError(f"{path}: not a regular file ({kind}); give the path of a YAML file")


def read_limited(path: Path, max_bytes: int = MAX_BYTES) -> bytes:
    """The bytes of `path`: a regular file or a pipe (`<(…)`, /dev/stdin), never more than
    `max_bytes` + 1 of them, so that an endless pipe costs no more than a file at the limit.

    Devices, sockets and other special files are refused before they are opened.
    """
    try:
        refusal = _not_a_file(path, os.stat(path).st_mode)
        if refusal:
            raise refusal
        with open(path, "rb", buffering=0) as stream:
            info = os.fstat(stream.fileno())
            refusal = _not_a_file(path, info.st_mode)  # replaced since the first look
            if refusal:
                raise refusal
            if stat.S_ISREG(info.st_mode) and info.st_size > max_bytes:
                raise _too_large(path, info.st_size, max_bytes)
            chunks: list[bytes] = []
            total = 0
            while total <= max_bytes:
                chunk = stream.read(min(1 << 20, max_bytes + 1 - total))
                if not chunk:
                    break
                chunks.append(chunk)
                total += len(chunk)
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a directory, expected a YAML file") from None
    except PermissionError:
        raise InputError(f"{path}: permission denied when reading the file") from None
    except OSError as error:
        raise InputError(f"{path}: cannot read the file ({error.strerror or error})") from None
    if total > max_bytes:
        raise _too_large(path, None, max_bytes)
    return b"".join(chunks)


def load_yaml(path: Path, text: str | None = None, max_bytes: int = MAX_BYTES) -> LoadedYaml:
    """Read `path` (or `text`, for tests and stdin) into a LoadedYaml, or raise InputError."""
    if text is None:
        raw = read_limited(path, max_bytes)
        text = decode(path, raw)
    elif len(text.encode("utf-8", "surrogatepass")) > max_bytes:
        raise InputError(f"{path}: input is larger than {max_bytes / 1_048_576:.0f} MB")

    removed_at = [m.start() - k for k, m in enumerate(YAML_UNREADABLE.finditer(text))]
    if removed_at:
        text = YAML_UNREADABLE.sub("", text)

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
    if removed:
        loaded.warnings.append(_removed_warning(loaded, loc, removed))
    if tag.endswith(":null"):
        return None
    if tag.endswith(":bool"):
        return value.lower() == "true"
    if tag.endswith(":int"):
        try:
            return int(value.replace("_", ""), 0)
        except ValueError:
            return value
    if tag.endswith(":float"):
        try:
            return float(value.replace("_", ""))
        except ValueError:
            return value
    # "\ud83d\ude00" in YAML is UTF-16 for one character; the reader keeps the two halves.
    value = SURROGATE_PAIR.sub(_join_pair, value)
    cleaned = XML_ILLEGAL.sub("", value)
    if cleaned != value:
        if removed:  # one warning per value
            loaded.warnings.pop()
        loaded.warnings.append(_removed_warning(loaded, loc, removed + len(value) - len(cleaned)))
    visible = BIDI_CONTROLS.sub("", cleaned)
    if visible != cleaned:
        loaded.warnings.append(
            loaded.problem(
                loc,
                f"{dotted(loc)}: removed {len(cleaned) - len(visible)} bidirectional control "
                "character(s) (U+202A–U+202E, U+2066–U+2069), which can make text display in "
                "another order than it is written",
                severity="warning",
            )
        )
    return visible


def _join_pair(match: re.Match[str]) -> str:
    return match.group().encode("utf-16-le", "surrogatepass").decode("utf-16-le")


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
        if item["type"] == "extra_forbidden":
            hint = "Check the spelling; `briefing new NAME` writes a file showing every field."
        at_key = item["type"] == "extra_forbidden"
        problems.append(loaded.problem(loc, message, hint, key=at_key))
    return problems


def fold_whitespace(value: Any) -> Any:
    """Fold runs of white space (YAML line folding, indentation, line breaks) into one space.

    A field is one paragraph or one name in a document, so a line break inside it can only
    separate words: "readout.\n\nSecond" is "readout. Second", never "readout.Second".
    """
    if isinstance(value, str):
        # An ideographic space is part of a Japanese name as its official form writes it.
        return re.sub(r"[^\S\u3000]+", " ", value).strip()
    return value
