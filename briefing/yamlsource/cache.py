"""A YAML file read once and kept parsed in briefing's cache folder, used only while provably
current: the base term base shipped with briefing is the same at every start, and parsing it
was a twentieth of a short English build.

An entry is used only when its key is the one computed now from the SHA-256 of the file's
bytes, read at this start, and of the reader: briefing's version, the source of the modules
that turn YAML into a LoadedYaml, ruamel.yaml's version and whether libyaml reads. Anything
else (no entry, another key, a damaged, unreadable or malformed one) is ignored: the file is
parsed from the bytes that were hashed and the entry written again, atomically. An entry
carries the digest of its own body, so damage is found before the body is read; the body is
JSON, data only. What comes back is exactly what `load_yaml` gives for the same bytes.

Kept at run time in the user's cache folder rather than made when the package is built: a
wheel has no install step that could write it, an artefact made at build time would still need
this key check in a source tree (where base.yaml and the reader change without a new version),
and one found stale in a read-only installation would leave every start parsing again.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from pathlib import Path
from typing import Any

from briefing import __version__
from briefing.atomic import read_owned, write_atomic
from briefing.errors import BriefingError, json_value
from briefing.yamlsource import cleaning, positions, reading
from briefing.yamlsource.positions import LoadedYaml, Path_, load_yaml
from briefing.yamlsource.reading import MAX_BYTES, decode, read_limited

APP_NAME = "briefing"
FORMAT = "briefing parsed YAML 1"
# The code that turns a file's bytes into a LoadedYaml: a change to any of it is a new key.
READER_MODULES = (positions, cleaning, reading)
ENTRY_LIMIT = 8 * MAX_BYTES  # an entry holds the text, its data and every position


def cache_folder() -> Path:
    """briefing's cache folder, the one platformdirs names for this platform
    (~/.cache/briefing on Linux, ~/Library/Caches/briefing on macOS,
    %LOCALAPPDATA%\\briefing\\Cache on Windows)."""
    import platformdirs

    return Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False))


def load_yaml_cached(path: Path, folder: Path | None = None) -> LoadedYaml:
    """What `load_yaml(path)` gives, taken from the cache `folder` when its entry for `path`
    is current, else parsed and stored there. A cache that cannot be read or written only
    costs the parse."""
    raw = read_limited(path)
    key = _key(raw)
    entry = (folder or cache_folder()) / f"yaml-{_digest(str(path.resolve()).encode())[:16]}.json"
    cached = _read_entry(entry, key, path) if key else None
    if cached is not None:
        return cached
    loaded = load_yaml(path, decode(path, raw))
    if key and not loaded.warnings and not loaded.removed_at:  # a file with warnings is re-read
        _write_entry(entry, key, loaded)
    return loaded


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _key(raw: bytes) -> str | None:
    """The file's bytes and everything that decides how they are read; None where the
    reader's own source cannot be read (then nothing is cached)."""
    from ruamel.yaml import __version__ as ruamel_version

    parts = [FORMAT, __version__, _digest(raw), str(ruamel_version), str(positions.C_READER)]
    for module in READER_MODULES:
        source = module.__file__
        if source is None:  # frozen, no file of its own: nothing is cached
            return None
        try:
            parts.append(_digest(Path(source).read_bytes()))
        except OSError:  # inside a zip
            return None
    return _digest("\n".join(parts).encode())


def _read_entry(entry: Path, key: str, path: Path) -> LoadedYaml | None:
    """The LoadedYaml stored under `key`, or None for anything else."""
    try:
        stored = read_owned(entry, "cache", ENTRY_LIMIT)
        if stored is None:
            return None
        header, body = stored.split(b"\n", 1)
        if json_value(header) != {"key": key, "body": _digest(body)}:
            return None  # another file, reader or version; or damaged
        return _loaded(path, json_value(body))
    except (BriefingError, OSError, ValueError, TypeError, KeyError, AttributeError):
        return None


def _loaded(path: Path, body: dict[str, Any]) -> LoadedYaml:
    return LoadedYaml(
        path,
        body["data"],
        _positions(body["positions"]),
        key_positions=_positions(body["key_positions"]),
        text=str(body["text"]),
    )


def _positions(rows: list[list[Any]]) -> dict[Path_, tuple[int, int]]:
    return {tuple(loc): (int(line), int(column)) for loc, line, column in rows}


def _write_entry(entry: Path, key: str, loaded: LoadedYaml) -> None:
    """Store `loaded` under `key` when it reads back exactly; a value JSON cannot hold (a NaN)
    or a cache folder that cannot be written leaves it to be parsed next time."""
    body = {
        "data": loaded.data,
        "positions": [[list(loc), *at] for loc, at in loaded.positions.items()],
        "key_positions": [[list(loc), *at] for loc, at in loaded.key_positions.items()],
        "text": loaded.text,
    }
    try:
        encoded = json.dumps(body, ensure_ascii=False, allow_nan=False).encode("utf-8")
    except ValueError:
        return
    back = _loaded(loaded.path, json.loads(encoded))
    if (back.data, back.positions, back.key_positions) != (
        loaded.data,
        loaded.positions,
        loaded.key_positions,
    ):
        return
    header = json.dumps({"key": key, "body": _digest(encoded)}).encode("ascii")
    with contextlib.suppress(OSError, BriefingError):  # a read-only home, a full disk
        write_atomic(entry, header + b"\n" + encoded)
