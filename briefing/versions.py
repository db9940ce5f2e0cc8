"""The versions of each document a build wrote, kept beside the manifest so later builds can
show what changed since the version the readers have.

OUT/.briefing-versions/<stem>.<label>/ holds one record per version, `<n>.json.gz`: the document
model (output/model_json.py), what a reader counts as statements, participants and sources
(their fingerprints), when it was built and by which briefing; `sent.json` says which versions
were released to readers. A build records a version only when the model differs from the
latest one, so rebuilding unchanged facts adds nothing. Records are written once, atomically,
and never change; the oldest are dropped beyond `versions_kept`, never the latest version sent.

None of this reaches the .docx: a document's bytes depend on its inputs only.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import re
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from briefing import __version__
from briefing.atomic import read_owned, refuse_link, remove_temporaries, write_atomic
from briefing.errors import BriefingError, InputError, json_value
from briefing.manifest import digest
from briefing.output import model_json
from briefing.output.document import Document

VERSIONS_NAME = ".briefing-versions"
FORMAT = 1  # of a record; raised only when an older briefing could not read a newer record
DEFAULT_KEPT = 20  # a working day of rebuilds
RECORD_LIMIT = 16 * 1024**2  # bytes; a briefing's model takes about 5 kB compressed
# Unpacked, a record is read only up to this: the output folder may be shared, and a planted
# record of 16 MB could unpack to gigabytes (a gzip bomb). A thousand participants take ~2 MB.
UNPACKED_LIMIT = 64 * 1024**2
_RECORD = re.compile(r"^(\d{1,9})\.json\.gz$")
SENT_NAME = "sent.json"

# What a reader counts: category (statements, participants, sources) → a fingerprint per item.
Inventory = dict[str, tuple[str, ...]]


@dataclass(frozen=True)
class Version:
    number: int
    built: dt.datetime  # aware, UTC
    digest: str  # of the document model: equal digests, equal documents
    sent: dt.datetime | None = None
    tool: str = ""  # the briefing that wrote it


@dataclass(frozen=True)
class StoredVersion:
    version: Version
    document: Document
    inventory: Inventory = field(default_factory=dict)


class VersionError(InputError):
    """A version asked for that is not there: exit status 2, nothing written."""


def model_digest(document: Document) -> str:
    return digest(json.dumps(model_json.encode(document), ensure_ascii=False, sort_keys=True))


def _utc(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(dt.timezone.utc).replace(microsecond=0)


def _time(text: str) -> dt.datetime:
    moment = dt.datetime.fromisoformat(text)
    return _utc(moment if moment.tzinfo else moment.replace(tzinfo=dt.timezone.utc))


def document_name(document: Path) -> str:
    """The name versions are kept under: the document's file name without .docx."""
    return document.name.removesuffix(".docx")


class VersionStore:
    """The version records of one output folder."""

    def __init__(self, out_dir: Path, kept: int = DEFAULT_KEPT) -> None:
        self.root = out_dir / VERSIONS_NAME
        self.kept = max(1, kept)
        self._read: dict[Path, dict[str, Any]] = {}  # records read: written once, never changed

    def folder(self, document: Path) -> Path:
        return self.root / document_name(document)

    # ------------------------------------------------------------------ reading

    def _read_json(self, path: Path, what: str) -> Any:
        data = read_owned(path, what, RECORD_LIMIT)
        if data is None:
            return None
        try:
            if path.name.endswith(".gz"):
                data = _gunzip(data, UNPACKED_LIMIT)
            return json_value(data)
        except (OSError, EOFError, ValueError) as error:
            raise BriefingError(
                f"{path}: a damaged version record ({error}); remove it, and the other "
                "versions stay usable"
            ) from None

    def _sent(self, document: Path) -> dict[int, dt.datetime]:
        data = self._read_json(self.folder(document) / SENT_NAME, "record of versions sent")
        if not isinstance(data, dict) or not isinstance(data.get("sent"), dict):
            return {}
        return {int(number): _time(at) for number, at in data["sent"].items()}

    def numbers(self, document: Path) -> list[int]:
        """The numbers of the versions kept of `document`, oldest first."""
        folder = self.folder(document)
        refuse_link(self.root, "versions")
        refuse_link(folder, "versions")
        if not folder.is_dir():
            return []
        found = (_RECORD.match(path.name) for path in folder.iterdir())
        return sorted(int(match.group(1)) for match in found if match)

    def _record(self, document: Path, number: int) -> dict[str, Any]:
        path = self.folder(document) / f"{number}.json.gz"
        if path in self._read:
            return self._read[path]
        data = self._read_json(path, "versions")
        if not isinstance(data, dict):
            raise BriefingError(f"{path}: not a version record; remove it")
        if int(data.get("format", 0)) > FORMAT:
            raise BriefingError(
                f"{path}: written by a newer briefing ({data.get('tool', '?')}) in a format this "
                f"one ({__version__}) cannot read; upgrade briefing to compare with it"
            )
        self._read[path] = data
        return data

    def _version(self, data: dict[str, Any], sent: dict[int, dt.datetime]) -> Version:
        number = int(data["number"])
        built, tool = _time(data["built"]), str(data.get("tool", ""))
        return Version(number, built, str(data["digest"]), sent.get(number), tool)

    def versions(self, document: Path) -> list[Version]:
        """The versions of `document` (OUT/<stem>.<label>.docx), oldest first."""
        sent = self._sent(document)
        return [self._version(self._record(document, n), sent) for n in self.numbers(document)]

    def load(self, document: Path, number: int) -> StoredVersion:
        data = self._record(document, number)
        path = self.folder(document) / f"{number}.json.gz"
        try:
            model = model_json.decode(data["document"])
            inventory = {
                str(kind): tuple(str(item) for item in items)
                for kind, items in data.get("inventory", {}).items()
            }
            version = self._version(data, self._sent(document))
        except (model_json.UnreadableModel, KeyError, TypeError, ValueError) as error:
            raise BriefingError(f"{path}: a damaged version record ({error}); remove it") from None
        return StoredVersion(version, model, inventory)

    def names(self) -> list[str]:
        """The documents that have versions here, by name (<stem>.<label>)."""
        if not self.root.is_dir() or self.root.is_symlink():
            return []
        return sorted(
            path.name
            for path in self.root.iterdir()
            if path.is_dir() and any(_RECORD.match(p.name) for p in path.iterdir())
        )

    # ------------------------------------------------------------------ writing

    def record(
        self,
        document: Path,
        model: Document,
        inventory: Inventory,
        built: dt.datetime,
        protect: Iterable[int] = (),
    ) -> Version:
        """Keep `model` as the newest version of `document`, unless it equals the newest."""
        model_key = model_digest(model)
        numbers = self.numbers(document)
        if numbers:
            latest = self._version(self._record(document, numbers[-1]), {})
            if latest.digest == model_key:
                return Version(
                    latest.number,
                    latest.built,
                    latest.digest,
                    self._sent(document).get(latest.number),
                    latest.tool,
                )
        number = (numbers[-1] if numbers else 0) + 1
        payload = {
            "format": FORMAT,
            "number": number,
            "built": _utc(built).isoformat(),
            "tool": __version__,
            "digest": model_key,
            "inventory": {kind: list(items) for kind, items in sorted(inventory.items())},
            "document": model_json.encode(model),
        }
        text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
        folder = self.folder(document)
        remove_temporaries(folder)  # left by a build killed mid-write; this one holds the lock
        write_atomic(folder / f"{number}.json.gz", gzip.compress(text.encode("utf-8"), mtime=0))
        self._read[folder / f"{number}.json.gz"] = payload
        self._prune(document, [*numbers, number], set(protect) | {number})
        return Version(number, _utc(built), model_key, None, __version__)

    def _prune(self, document: Path, numbers: list[int], protect: set[int]) -> None:
        """Drop the oldest versions beyond the bound: never the latest sent, nor `protect`."""
        sent = self._sent(document)
        if sent:
            protect = protect | {max(sent)}
        excess = len(numbers) - self.kept
        dropped: set[int] = set()
        for number in numbers:
            if len(dropped) >= excess:
                break
            if number not in protect:
                path = self.folder(document) / f"{number}.json.gz"
                path.unlink(missing_ok=True)
                self._read.pop(path, None)
                dropped.add(number)
        if dropped & set(sent):
            self._write_sent(document, {n: at for n, at in sent.items() if n not in dropped})

    def release(self, document: Path, at: dt.datetime) -> Version:
        """Mark the newest version of `document` as sent to its readers."""
        numbers = self.numbers(document)
        if not numbers:
            raise VersionError(
                f"{document.name} has no versions yet; build it first (`briefing build`), "
                "then release it"
            )
        sent = self._sent(document)
        sent.setdefault(numbers[-1], _utc(at))
        self._write_sent(document, sent)
        return self._version(self._record(document, numbers[-1]), sent)

    def _write_sent(self, document: Path, sent: dict[int, dt.datetime]) -> None:
        payload = {
            "format": FORMAT,
            "sent": {str(n): at.isoformat() for n, at in sorted(sent.items())},
        }
        write_atomic(
            self.folder(document) / SENT_NAME, json.dumps(payload, indent=1).encode("utf-8")
        )


# ---------------------------------------------------------------------- choosing a version

SINCE_CHOICES = ("sent", "previous")


def parse_since(since: str | None) -> str | int | None:
    """--since: a version number, `sent`, `previous`; None for the default (sent, else previous)."""
    if since is None:
        return None
    text = since.strip().lower()
    if text in SINCE_CHOICES:
        return text
    if text.isdigit() and int(text) > 0:
        return int(text)
    raise InputError(
        f"--since {since!r}: give a version number (see `briefing versions`), `sent` (the "
        "version last released to readers) or `previous` (the one before the current)"
    )


def describe(versions: list[Version]) -> str:
    """The numbers of `versions` for a message: 1–5, 7, 9."""
    spans: list[list[int]] = []
    for version in versions:
        if spans and version.number == spans[-1][-1] + 1:
            spans[-1].append(version.number)
        else:
            spans.append([version.number])
    return (
        ", ".join(str(span[0]) if len(span) == 1 else f"{span[0]}–{span[-1]}" for span in spans)
        or "none"
    )


def choose(versions: list[Version], since: str | int | None, name: str) -> Version | None:
    """The version to compare the newest with; None when there is no earlier one (a first
    build). A number that is not kept, or `sent` when none was sent, is a VersionError."""
    if not versions:
        return None
    current = versions[-1]
    sent = [v for v in versions if v.sent is not None]
    if since is None:
        since = "sent" if sent else "previous"
    if since == "sent":
        if not sent:
            raise VersionError(
                f"no version of {name} was marked as sent (versions kept: "
                f"{describe(versions)}); mark the one your readers have with `briefing "
                "release`, or give --since previous or a version number"
            )
        return sent[-1]
    if since == "previous":
        return versions[-2] if len(versions) > 1 else None
    for version in versions:
        if version.number == since:
            return version
    raise VersionError(
        f"{name} has no version {since}; the versions kept are {describe(versions)} "
        f"(current: {current.number}). See `briefing versions`."
    )


def _gunzip(data: bytes, limit: int) -> bytes:
    """The one gzip member `data` holds, unpacked to at most `limit` bytes (ValueError above
    it or when cut short), so that a record never costs more memory than the limit."""
    unpacker = zlib.decompressobj(16 + zlib.MAX_WBITS)
    unpacked = unpacker.decompress(data, limit + 1)
    if len(unpacked) > limit:
        raise ValueError(f"it unpacks to more than {limit // 1024**2} MB")
    if not unpacker.eof:
        raise ValueError("the compressed data ends early")
    return unpacked
