"""Remember what each document was built from, so unchanged documents are not rebuilt.

The manifest (OUT/.briefing-manifest.json) maps each document to a digest of its inputs (facts
file, glossary, template, catalogs, translations used, model, tool version) and of its bytes.
A document is skipped only when both still match: a file edited or deleted by hand is rebuilt,
and so is one written by a build that could not save the manifest afterwards.

The manifest and the output folder's lock are opened without following symbolic links: in a
shared folder, a link planted there would make the build read or create a file elsewhere.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from filelock import FileLock, Timeout

from briefing.atomic import (
    LinkRefused,
    is_link_error,
    link_message,
    read_owned,
    refuse_link,
    write_atomic,
)
from briefing.errors import BriefingError, json_value

MANIFEST_NAME = ".briefing-manifest.json"
LOCK_NAME = ".briefing.lock"
MANIFEST_LIMIT = 64 * 1024**2  # bytes; 150 documents take about 30 kB


def digest(*parts: bytes | str) -> str:
    hasher = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        hasher.update(len(data).to_bytes(8, "big"))
        hasher.update(data)
    return hasher.hexdigest()


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


class Manifest:
    def __init__(self, out_dir: Path) -> None:
        self.path = out_dir / MANIFEST_NAME
        self.entries: dict[str, dict[str, str]] = {}
        self.unsaved = False  # entries recorded that the file on disk does not hold yet
        try:
            data = read_owned(self.path, "record of built documents", MANIFEST_LIMIT)
        except OSError:
            data = None  # unreadable: everything is rebuilt
        try:
            loaded = json_value(data) if data else None
        except ValueError:
            loaded = None  # damaged: everything is rebuilt
        if isinstance(loaded, dict) and isinstance(loaded.get("documents"), dict):
            self.entries = loaded["documents"]

    def unchanged(self, document: Path, inputs: str) -> bool:
        entry = self.entries.get(document.name)
        if not entry or entry.get("inputs") != inputs or not document.is_file():
            return False
        return entry.get("sha256") == file_digest(document)

    def record(self, document: Path, inputs: str, data: bytes) -> None:
        """Remember `document` and save at once, so a build killed later keeps the record.

        An OSError from saving (a full disk) leaves the entry unsaved: the file on disk still
        has the old entry, whose digest no longer matches, so the next build rebuilds it.
        """
        self.entries[document.name] = {
            "inputs": inputs,
            "sha256": hashlib.sha256(data).hexdigest(),
        }
        self.unsaved = True
        self.save()

    def save(self) -> None:
        payload = {"documents": dict(sorted(self.entries.items()))}
        write_atomic(self.path, json.dumps(payload, indent=1).encode("utf-8"))
        self.unsaved = False


@contextlib.contextmanager
def build_lock(
    out_dir: Path, timeout: float = 600.0, on_wait: Callable[[], None] | None = None
) -> Iterator[None]:
    """One build at a time per output folder; a second one waits its turn.

    filelock takes the lock with flock on POSIX and msvcrt.locking on Windows, and opens the
    lock file without following a link (O_NOFOLLOW; a reparse-point check on Windows).
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / LOCK_NAME
    refuse_link(path, "lock")
    lock = FileLock(path, mode=0o644)
    try:
        try:
            lock.acquire(timeout=0)
        except Timeout:
            if on_wait:
                on_wait()
            started = time.monotonic()
            try:
                lock.acquire(timeout=timeout, poll_interval=0.2)
            except Timeout:
                waited = time.monotonic() - started
                raise BriefingError(
                    f"another build has been writing to {out_dir} for over {waited:.0f} s; "
                    "wait for it to finish or choose another folder with --out"
                ) from None
    except OSError as error:
        if is_link_error(error) or path.is_symlink():
            raise LinkRefused(link_message(path, "lock")) from None
        raise BriefingError(
            f"cannot lock the output folder {out_dir} ({path}: {error.strerror or error}); "
            "check its permissions, or choose another folder with --out"
        ) from None
    try:
        yield
    finally:
        lock.release()
