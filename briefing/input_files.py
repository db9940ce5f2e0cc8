"""Every file briefing reads as input is a regular file, opened so that nothing can block, and
read with a cap: the one way in for facts, glossaries, briefing.toml, templates, TMX, XLIFF and
Word review files, memories and model archives.

A named pipe would block open() until some writer came (and `build --watch` with it), a device
(/dev/zero) never ends: both are refused by name, before and after opening (a file swapped
between the look and the open is caught by the second look). The one exception is a facts file
named on the command line, which may be a pipe (`briefing validate <(…)`): the person asked for
it, and it is read up to the same cap as a file.
"""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from briefing.errors import InputError

_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a named pipe"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def kind_of(mode: int) -> str:
    """What a file of `mode` is, in words ("a named pipe"); "a file" for a regular one."""
    if stat.S_ISREG(mode):
        return "a file"
    return next((name for test, name in _KINDS if test(mode)), "a special file")


class NotAFile(InputError):
    """An input that is a pipe, a device, a socket or a folder instead of a regular file."""

    def __init__(self, path: Path, mode: int, what: str) -> None:
        super().__init__(
            f"{path}: not a regular file ({kind_of(mode)}); briefing reads {what} only from "
            "regular files (a pipe could block, a device never end). Give the path of a file."
        )


def is_regular(path: Path) -> bool:
    """Whether `path` is a regular file (following links); False when it is missing."""
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except OSError:
        return False


def readable_there(path: Path) -> bool:
    """Whether something other than a folder is at `path`: a file to read, or a pipe or device
    to refuse by name. Where briefing looks for an optional file (a glossary beside the facts),
    a FIFO must not pass for no file at all, nor block."""
    return path.exists() and not path.is_dir()


def check_regular(path: Path, what: str) -> None:
    """Refuse `path` (NotAFile) unless it is a regular file or missing; OSError passes."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return
    if not stat.S_ISREG(mode):
        raise NotAFile(path, mode, what)


def open_input(path: Path, what: str, *, pipes: bool = False) -> BinaryIO:
    """`path` open for reading, a regular file (or, with `pipes`, a pipe); NotAFile otherwise.

    A path that was a regular file when looked at is opened with O_NONBLOCK, so that one
    replaced by a FIFO meanwhile cannot block the open; the second look (fstat) refuses it.
    OSError (missing, permissions) passes to the caller, which knows what to say."""
    mode = os.stat(path).st_mode
    pipe = pipes and stat.S_ISFIFO(mode)
    if not (stat.S_ISREG(mode) or pipe):
        raise NotAFile(path, mode, what)
    flags = os.O_RDONLY | getattr(os, "O_BINARY", 0)
    handle = os.open(path, flags if pipe else flags | getattr(os, "O_NONBLOCK", 0))
    try:
        opened = os.fstat(handle).st_mode
        if not (stat.S_ISREG(opened) or (pipe and stat.S_ISFIFO(opened))):
            raise NotAFile(path, opened, what)
        if not pipe and hasattr(os, "set_blocking"):
            os.set_blocking(handle, True)  # a regular file: back to ordinary reads
    except BaseException:
        os.close(handle)
        raise
    return os.fdopen(handle, "rb", buffering=0)


def read_capped(stream: BinaryIO, limit: int, piece: int = 1 << 20) -> bytes:
    """At most `limit` + 1 bytes of `stream`, in pieces of at most `piece` bytes: one more
    than the limit says "over"."""
    chunks: list[bytes] = []
    total = 0
    while total <= limit:
        chunk = stream.read(min(piece, limit + 1 - total))
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
    return b"".join(chunks)


@contextlib.contextmanager
def reading_errors(path: Path) -> Iterator[None]:
    """A file that cannot be read, said in words naming it (InputError), whatever reads it."""
    try:
        yield
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except PermissionError:
        raise InputError(f"{path}: permission denied when reading the file") from None
    except OSError as error:
        raise InputError(f"{path}: cannot read the file ({error.strerror or error})") from None


def read_input(path: Path, what: str, limit: int) -> bytes:
    """The bytes of `path`, a regular file of at most `limit` bytes; a clear InputError for a
    missing, unreadable, special or larger file."""
    with reading_errors(path), open_input(path, what) as stream:
        size = os.fstat(stream.fileno()).st_size
        data = b"" if size > limit else read_capped(stream, limit)
    if size > limit or len(data) > limit:
        raise InputError(
            f"{path} is larger than the limit of {_megabytes(limit)} for {what}; "
            "check that the right file was given"
        )
    return data


def _megabytes(size: int) -> str:
    return f"{size / 1_048_576:g} MB" if size >= 1_048_576 else f"{size:,} bytes"
