"""Remember what each document was built from, so unchanged documents are not rebuilt.

The manifest (OUT/.briefing-manifest.json) maps each document to a digest of its inputs (facts
file, glossary, template, catalogs, translations used, model, tool version) and of its bytes.
A document is skipped only when both still match: a file edited or deleted by hand is rebuilt.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from briefing.atomic import write_atomic
from briefing.errors import BriefingError

MANIFEST_NAME = ".briefing-manifest.json"
LOCK_NAME = ".briefing.lock"


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
        try:
            loaded = json.loads(self.path.read_text(encoding="utf-8"))
            if isinstance(loaded, dict) and isinstance(loaded.get("documents"), dict):
                self.entries = loaded["documents"]
        except (OSError, ValueError):
            self.entries = {}  # no manifest, or an unreadable one: everything is rebuilt

    def unchanged(self, document: Path, inputs: str) -> bool:
        entry = self.entries.get(document.name)
        if not entry or entry.get("inputs") != inputs or not document.is_file():
            return False
        return entry.get("sha256") == file_digest(document)

    def record(self, document: Path, inputs: str, data: bytes) -> None:
        self.entries[document.name] = {
            "inputs": inputs,
            "sha256": hashlib.sha256(data).hexdigest(),
        }
        self.save()

    def save(self) -> None:
        payload = {"documents": dict(sorted(self.entries.items()))}
        write_atomic(self.path, json.dumps(payload, indent=1).encode("utf-8"))


@contextlib.contextmanager
def build_lock(
    out_dir: Path, timeout: float = 600.0, on_wait: Callable[[], None] | None = None
) -> Iterator[None]:
    """One build at a time per output folder; a second one waits its turn."""
    out_dir.mkdir(parents=True, exist_ok=True)
    handle = os.open(out_dir / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + timeout
        told = False
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if not told and on_wait:
                    on_wait()
                    told = True
                if time.monotonic() > deadline:
                    raise BriefingError(
                        f"another build has been writing to {out_dir} for over {timeout:.0f} s; "
                        "wait for it to finish or choose another folder with --out"
                    ) from None
                time.sleep(0.2)
        yield
    finally:
        os.close(handle)
