"""Write files so that a reader sees the old file or the new one, never half of either.

Everything here works on POSIX and Windows. Files briefing owns in a folder it shares with
others (the output folder's lock, manifest and temporary files) are opened without following
symbolic links: with O_NOFOLLOW where the system has it, and elsewhere by comparing the file
opened with the link-free look-up made before (`open_no_follow`).
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path

from briefing.errors import BriefingError

# Windows' "the file is open in another program" (ERROR_SHARING_VIOLATION, ERROR_LOCK_VIOLATION)
# and "access denied" (ERROR_ACCESS_DENIED), which a rename over an open document also gives.
_WINDOWS_IN_USE = {32, 33}
_WINDOWS_ACCESS_DENIED = 5


class LinkRefused(BriefingError):
    """A file briefing owns is a symbolic link: someone put it there; it is not followed."""


def open_no_follow(path: Path, flags: int, mode: int = 0o644) -> int:
    """`os.open` that refuses a symbolic link at `path` instead of opening what it points to."""
    nofollow = getattr(os, "O_NOFOLLOW", 0)
    # Windows: look first, open, then check that the same file was opened
    if not nofollow and os.path.islink(path):
        raise OSError(errno.ELOOP, "is a symbolic link", str(path))
    handle = os.open(path, flags | nofollow | getattr(os, "O_BINARY", 0), mode)
    if not nofollow:
        try:
            opened, named = os.fstat(handle), os.lstat(path)
            if (opened.st_dev, opened.st_ino) != (named.st_dev, named.st_ino):
                raise OSError(errno.ELOOP, "changed while it was opened", str(path))
        except BaseException:
            os.close(handle)
            raise
    return handle


def is_link_error(error: OSError) -> bool:
    """What O_NOFOLLOW gives for a link: ELOOP (Linux, macOS), EMLINK (FreeBSD), EFTYPE (BSD)."""
    return error.errno in (errno.ELOOP, errno.EMLINK, getattr(errno, "EFTYPE", -1))


def refuse_link(path: Path, what: str) -> None:
    """A clear error when `path`, a file briefing owns, is a symbolic link."""
    if path.is_symlink():
        raise LinkRefused(link_message(path, what))


def link_message(path: Path, what: str) -> str:
    return (
        f"{path} is a symbolic link; briefing does not follow links for its {what}, which "
        "someone else may have put there. Check where it points, remove it, and build again."
    )


def is_read_only(path: Path) -> bool:
    """True when `path` exists and its owner may not write it (chmod a-w; Windows' read-only
    attribute). A link counts as the link, which a rename replaces, not as its target."""
    try:
        status = os.lstat(path)
    except FileNotFoundError:
        return False
    if stat.S_ISLNK(status.st_mode):
        return False
    immutable = getattr(stat, "UF_IMMUTABLE", 0) | getattr(stat, "SF_IMMUTABLE", 0)
    return not status.st_mode & stat.S_IWUSR or bool(getattr(status, "st_flags", 0) & immutable)


class ReadOnlyTarget(OSError):
    """The file to be replaced is marked read-only: replacing it anyway would ignore the mark."""

    def __init__(self, path: Path) -> None:
        super().__init__(errno.EACCES, "the file is read-only", str(path))


def explain_write_error(path: Path, error: OSError) -> str:
    """What went wrong writing or replacing `path`, and what to do, for a person."""
    folder = path.parent
    reason = error.strerror or str(error)
    winerror = getattr(error, "winerror", None)
    if isinstance(error, ReadOnlyTarget):
        return (
            f"{path} is read-only and was not replaced; the old file is kept. If it should be "
            "rebuilt, check its permissions and make it writable (chmod u+w, or untick "
            "Read-only in its Properties), or choose another folder with --out."
        )
    if winerror in _WINDOWS_IN_USE or error.errno in (errno.EBUSY, errno.ETXTBSY):
        return (
            f"{path} cannot be replaced: it is open in another program ({reason}). Close it in "
            "Word (or the program that has it open) and build again; the old file is kept."
        )
    if error.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", -1)):
        return (
            f"{path}: the disk is full ({reason}); free some space on the disk that holds "
            f"{folder}, or choose another folder with --out, and build again; files written "
            "before are complete."
        )
    if error.errno == errno.EROFS:
        return (
            f"{path}: {folder} is on a read-only file system ({reason}); "
            "choose another folder with --out."
        )
    if error.errno in (errno.EACCES, errno.EPERM) or winerror == _WINDOWS_ACCESS_DENIED:
        if os.path.lexists(path):
            return (
                f"{path} cannot be replaced ({reason}): it may be open in another program "
                "(close it in Word), marked read-only or immutable (chattr -i), or in a folder "
                "you may not write to; check its permissions. The old file is kept."
            )
        return (
            f"{path} cannot be written ({reason}): check the permissions of {folder}, "
            "or choose another folder with --out."
        )
    if error.errno == errno.EFBIG:
        return f"{path}: {reason} (a limit on file size stopped the write); the old file is kept."
    return f"{path}: {reason}"


def write_atomic(path: Path, data: bytes) -> None:
    """Write `data` to a temporary file beside `path`, flush it to disk, then rename it over.

    A target marked read-only is left alone (ReadOnlyTarget): a rename would replace it on
    POSIX, where only the folder's permissions count, and that would ignore the mark.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    if is_read_only(path):
        raise ReadOnlyTarget(path)
    # mkstemp creates the file with O_EXCL (and O_NOFOLLOW where there is one): never through a
    # link, never an existing file.
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
            if hasattr(os, "fchmod"):  # by the handle: a link swapped in changes nothing
                os.fchmod(stream.fileno(), 0o644)
        if not hasattr(os, "fchmod"):
            os.chmod(temporary, 0o644)
        if is_read_only(path):  # marked read-only while this file was written
            raise ReadOnlyTarget(path)
        os.replace(temporary, path)  # replaces a link at `path` itself, never its target
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def read_owned(path: Path, what: str, limit: int) -> bytes | None:
    """The bytes of a file briefing owns, or None when there is none.

    Refused with a clear error: a symbolic link, anything but a regular file (a FIFO would
    block, a device never end), and more than `limit` bytes.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)
    try:
        handle = open_no_follow(path, flags)
    except FileNotFoundError:
        return None
    except OSError as error:
        if is_link_error(error) or path.is_symlink():
            raise LinkRefused(link_message(path, what)) from None
        raise
    with os.fdopen(handle, "rb") as stream:
        if not stat.S_ISREG(os.fstat(stream.fileno()).st_mode):
            raise BriefingError(
                f"{path} is not a regular file; briefing keeps its {what} there. "
                "Remove it and build again."
            )
        data = stream.read(limit + 1)
    if len(data) > limit:
        raise BriefingError(
            f"{path} is larger than {limit // 1024**2} MB, more than briefing ever writes for "
            f"its {what}; remove it and build again."
        )
    return data


# The temporary names write_atomic makes: .<name>.<8 random characters from mkstemp>.tmp
_TEMPORARY = re.compile(r"^\..+\.[a-z0-9_]{8}\.tmp$")


def remove_temporaries(folder: Path) -> list[Path]:
    """Delete temporary files that a killed process left in `folder` before it could rename them.

    Call it only while no other process writes there (a build holds the folder's lock). A link
    with such a name is left alone: unlinking it would be harmless, but it is not ours.
    """
    removed = []
    for path in folder.iterdir() if folder.is_dir() else []:
        if _TEMPORARY.match(path.name) and not path.is_symlink() and path.is_file():
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
                removed.append(path)
    return removed


@contextlib.contextmanager
def temporaries_removed_on_failure(folder: Path) -> Iterator[None]:
    """Remove `folder`'s temporary files when the work inside fails or is interrupted.

    Ctrl-C or SIGTERM can land between a temporary file's creation and its try block (inside
    tempfile.mkstemp); the next build would clear it, but a user who stopped one should not find
    it. Use it only while the folder's lock is held, as remove_temporaries."""
    try:
        yield
    except BaseException:
        remove_temporaries(folder)
        raise


def ensure_writable_dir(path: Path) -> None:
    """Fail early, before any work, when the output folder cannot take files."""
    if path.exists() and not path.is_dir():
        raise BriefingError(
            f"cannot write to the output folder {path}: it is a file, not a folder. Choose a "
            "folder with --out (or the setting `out`)."
        )
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path, prefix=".write-check-"):
            pass
    except OSError as err:
        raise BriefingError(
            f"cannot write to the output folder {path}: {err.strerror or err}. "
            "Choose another folder with --out, or fix its permissions."
        ) from None
