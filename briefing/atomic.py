"""Write files so that a reader sees the old file or the new one, never half of either."""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from pathlib import Path

from briefing.errors import BriefingError


def write_atomic(path: Path, data: bytes) -> None:
    """Write `data` to a temporary file beside `path`, flush it to disk, then rename it over."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


# The temporary names write_atomic makes: .<name>.<8 random characters from mkstemp>.tmp
_TEMPORARY = re.compile(r"^\..+\.[a-z0-9_]{8}\.tmp$")


def remove_temporaries(folder: Path) -> list[Path]:
    """Delete temporary files that a killed process left in `folder` before it could rename them.

    Call it only while no other process writes there (a build holds the folder's lock).
    """
    removed = []
    for path in folder.iterdir() if folder.is_dir() else []:
        if _TEMPORARY.match(path.name) and path.is_file() and not path.is_symlink():
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
                removed.append(path)
    return removed


def ensure_writable_dir(path: Path) -> None:
    """Fail early, before any work, when the output folder cannot take files."""
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path, prefix=".write-check-"):
            pass
    except OSError as err:
        raise BriefingError(
            f"cannot write to the output folder {path}: {err.strerror or err}. "
            "Choose another folder with --out, or fix its permissions."
        ) from None
