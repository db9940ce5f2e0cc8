"""Model files from others, read safely: a zip (an Argos package is one), a tar archive
(plain, gzip, bzip2 or xz), or a folder.

Every member's path, kind and size is checked before a single byte is extracted: no absolute
or climbing paths, no links or special files, no duplicates, bounded count, size and
compression ratio (a zip bomb). Extraction then writes each checked member itself, never
through the archive library's own extractall, and enforces the sizes again as it writes.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tarfile
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from briefing.errors import InputError
from briefing.input_files import check_regular, open_input

CHUNK = 1024**2
DRIVE_PREFIX = 2  # "C:"


@dataclass(frozen=True)
class PackageLimits:
    """Bounds on what a package may unpack to; anything beyond is refused as a zip bomb."""

    max_unpacked_bytes: int = 2 * 1024**3
    max_ratio: float = 200.0
    ratio_min_bytes: int = 1024**2
    max_members: int = 1000
    max_metadata_bytes: int = 1024**2
    max_vocabulary_bytes: int = 64 * 1024**2  # NLLB-200's holds 256,000 tokens


DEFAULT_LIMITS = PackageLimits()

READ_ERRORS = (zipfile.BadZipFile, tarfile.TarError, zlib.error, EOFError, NotImplementedError)


def refuse(source: str, reason: str) -> InputError:
    return InputError(f"{source}: refused: {reason}")


@dataclass(frozen=True)
class Member:
    """One file or folder of a package, by its path inside it ("top/model/model.bin")."""

    name: str
    is_dir: bool
    size: int
    compressed: int  # bytes in the archive; for a tar, its share is unknown: the size


def name_problem(name: str) -> str | None:
    """Why a member name could write outside the package folder, or None when it cannot."""
    shown = repr(name)
    if not name:
        return "a member has an empty name"
    if "\\" in name:
        return f"member {shown} has a backslash in its path"
    if any(ord(c) < 32 or ord(c) == 127 for c in name):
        return f"member {shown} has control characters in its name"
    if name.startswith("/"):
        return f"member {shown} has an absolute path"
    if len(name) >= DRIVE_PREFIX and name[1] == ":" and name[0].isalpha():
        return f"member {shown} has a drive letter"
    parts = name[:-1].split("/") if name.endswith("/") else name.split("/")
    if ".." in parts:
        return f"member {shown} climbs out of the package folder with '..'"
    if any(part in ("", ".") for part in parts):
        return f"member {shown} has an empty or '.' path component"
    return None


def _zip_kind_problem(info: zipfile.ZipInfo) -> str | None:
    mode = info.external_attr >> 16
    kind = stat.S_IFMT(mode)
    if stat.S_ISLNK(mode):
        return f"member {info.filename!r} is a symbolic link"
    if kind and kind not in (stat.S_IFREG, stat.S_IFDIR):
        return f"member {info.filename!r} is a special file, not a file or folder"
    if info.flag_bits & 0x1:
        return f"member {info.filename!r} is encrypted"
    if info.compress_type not in (
        zipfile.ZIP_STORED,
        zipfile.ZIP_DEFLATED,
        zipfile.ZIP_BZIP2,
        zipfile.ZIP_LZMA,
    ):
        return f"member {info.filename!r} uses an unknown compression method"
    return None


def _tar_kind_problem(info: tarfile.TarInfo) -> str | None:
    if info.issym() or info.islnk():
        return f"member {info.name!r} is a link"
    if info.issparse():
        return f"member {info.name!r} is a sparse file"
    if not (info.isreg() or info.isdir()):
        return f"member {info.name!r} is a special file, not a file or folder"
    return None


class Package:
    """A package file or folder, opened for reading its checked members."""

    def __init__(self, path: Path, label: str) -> None:
        self.path, self.label = path, label
        if not path.is_dir():
            check_regular(path, "model packages")  # a FIFO would block, /dev/zero never end
        self.kind = "folder" if path.is_dir() else "zip" if zipfile.is_zipfile(path) else "tar"
        self._zip: zipfile.ZipFile | None = None
        self._tar: tarfile.TarFile | None = None
        self._tar_members: dict[str, tarfile.TarInfo] = {}

    def __enter__(self) -> Package:
        try:
            if self.kind == "zip":
                self._zip = zipfile.ZipFile(self.path)
            elif self.kind == "tar":
                self._tar = tarfile.open(self.path)  # noqa: SIM115 - closed in __exit__
        except (*READ_ERRORS, OSError, ValueError):
            raise refuse(
                self.label,
                "not a zip archive, a tar archive or a folder (an Argos package is a "
                ".argosmodel zip; a converted model a folder, .zip or .tar.gz)",
            ) from None
        return self

    def __exit__(self, *exc: object) -> None:
        for archive in (self._zip, self._tar):
            if archive is not None:
                archive.close()

    def members(self) -> list[Member]:
        """Every member, each checked for its name and kind (not yet for sizes)."""
        found: list[Member] = []
        try:
            if self._zip is not None:
                for zipped in self._zip.infolist():
                    problem = name_problem(zipped.filename) or _zip_kind_problem(zipped)
                    if problem:
                        raise refuse(self.label, problem)
                    is_dir = zipped.filename.endswith("/") or stat.S_ISDIR(
                        zipped.external_attr >> 16
                    )
                    found.append(
                        Member(zipped.filename, is_dir, zipped.file_size, zipped.compress_size)
                    )
            elif self._tar is not None:
                for info in self._tar.getmembers():
                    problem = name_problem(info.name) or _tar_kind_problem(info)
                    if problem:
                        raise refuse(self.label, problem)
                    self._tar_members[info.name.rstrip("/")] = info
                    found.append(Member(info.name, info.isdir(), info.size, info.size))
            else:
                found = self._folder_members()
        except READ_ERRORS as error:
            raise refuse(self.label, f"the archive is damaged ({error})") from None
        return found

    def _folder_members(self) -> list[Member]:
        """A folder's files as members under its own name; links and special files refused."""
        top = self.path.name
        found = [Member(f"{top}/", True, 0, 0)]
        for root, folders, files in os.walk(self.path):
            folders.sort()
            for name in sorted(folders) + sorted(files):
                path = Path(root) / name
                relative = f"{top}/{path.relative_to(self.path).as_posix()}"
                mode = path.lstat().st_mode
                if stat.S_ISLNK(mode):
                    raise refuse(self.label, f"{relative!r} is a symbolic link")
                if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
                    raise refuse(self.label, f"{relative!r} is a special file")
                size = 0 if stat.S_ISDIR(mode) else path.lstat().st_size
                found.append(Member(relative, stat.S_ISDIR(mode), size, size))
        return found

    @contextlib.contextmanager
    def open(self, member: Member) -> Iterator[IO[bytes]]:
        try:
            if self._zip is not None:
                with self._zip.open(member.name) as stream:
                    yield stream
            elif self._tar is not None:
                name = member.name.rstrip("/")
                info = self._tar_members.get(name) or self._tar.getmember(name)
                tarred = self._tar.extractfile(info)
                if tarred is None:
                    raise refuse(self.label, f"member {member.name!r} cannot be read")
                with tarred:
                    yield tarred
            else:
                relative = member.name.split("/", 1)[1]
                with open_input(self.path / relative, "model files") as stream:
                    yield stream
        except READ_ERRORS as error:
            raise refuse(self.label, f"the archive is damaged ({error})") from None

    def read(self, member: Member, limit: int, what: str) -> bytes:
        """A small member whole (a description, a vocabulary), refused beyond `limit` bytes."""
        if member.size > limit:
            raise refuse(self.label, f"{what} is {member.size} bytes, more than {limit}")
        with self.open(member) as stream:
            data = stream.read(limit + 1)
        if len(data) > limit:
            raise refuse(self.label, f"{what} unpacks to more than it declares")
        return data


def check_members(package: Package, members: list[Member], limits: PackageLimits) -> str:
    """Sizes, counts, duplicates and the one top folder checked; the top folder's name."""
    label = package.label
    if not members:
        raise refuse(label, "the archive is empty")
    if len(members) > limits.max_members:
        raise refuse(label, f"{len(members)} members, more than the limit of {limits.max_members}")
    tops: set[str] = set()
    files: set[str] = set()
    folders: set[str] = set()
    seen: set[str] = set()
    total = 0
    for member in members:
        parts = member.name.rstrip("/").split("/")
        key = "/".join(parts)
        if key in seen:
            raise refuse(label, f"member {member.name!r} appears twice")
        seen.add(key)
        tops.add(parts[0])
        if len(parts) == 1 and not member.is_dir:
            raise refuse(label, f"member {member.name!r} is not inside the package folder")
        folders.update("/".join(parts[:i]) for i in range(1, len(parts)))
        if member.is_dir:
            folders.add(key)
            continue
        files.add(key)
        total += member.size
        if total > limits.max_unpacked_bytes:
            raise refuse(
                label,
                f"it would unpack to more than {limits.max_unpacked_bytes} bytes "
                "(the size limit; a zip bomb?)",
            )
        ratio = member.size / max(member.compressed, 1)
        if member.size > limits.ratio_min_bytes and ratio > limits.max_ratio:
            raise refuse(
                label,
                f"member {member.name!r} would expand {ratio:.0f}:1 ({member.compressed} → "
                f"{member.size} bytes), beyond the {limits.max_ratio:.0f}:1 limit (a zip bomb?)",
            )
    if package.kind == "tar" and total > limits.ratio_min_bytes:
        ratio = total / max(package.path.stat().st_size, 1)
        if ratio > limits.max_ratio:
            raise refuse(
                label,
                f"it would expand {ratio:.0f}:1, beyond the {limits.max_ratio:.0f}:1 limit "
                "(a tar bomb?)",
            )
    if len(tops) != 1:
        raise refuse(
            label,
            f"it holds {len(tops)} top-level entries ({', '.join(sorted(tops)[:5])}); "
            "a model package holds exactly one folder",
        )
    clash = sorted(files & folders)
    if clash:
        raise refuse(label, f"member {clash[0]!r} is both a file and a folder")
    return next(iter(tops))


def extract(package: Package, members: list[Member], target: Path, limits: PackageLimits) -> None:
    """Write the checked members' package folder into `target`, enforcing the sizes again."""
    target.mkdir()
    root = target.resolve()
    written_total = 0
    for member in members:
        parts = member.name.rstrip("/").split("/")[1:]
        if not parts:
            continue
        destination = target.joinpath(*parts)
        if not destination.resolve().is_relative_to(root):
            raise refuse(package.label, f"member {member.name!r} leaves the folder")
        if member.is_dir:
            destination.mkdir(parents=True, exist_ok=True)
            continue
        destination.parent.mkdir(parents=True, exist_ok=True)
        written = 0
        with package.open(member) as stream, open(destination, "xb") as output:
            while chunk := stream.read(CHUNK):
                written += len(chunk)
                written_total += len(chunk)
                if written > member.size or written_total > limits.max_unpacked_bytes:
                    raise refuse(
                        package.label, f"member {member.name!r} unpacks to more than it declares"
                    )
                output.write(chunk)
        os.chmod(destination, 0o644)
