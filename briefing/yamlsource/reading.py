"""The text of an input file: never more than a limit read, and decoded or refused with a place.

Devices, sockets and FIFOs are refused (briefing.input_files), pipes named on the command line
cut off before they cost more than a file at the limit; the encoding is UTF-8 (a BOM optional)
or UTF-16/32 with a BOM.
"""

from __future__ import annotations

import codecs
import os
import stat
from pathlib import Path

from briefing.errors import InputError, Problem
from briefing.input_files import open_input, read_capped, reading_errors

MAX_BYTES = 5 * 1024 * 1024


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


def read_limited(path: Path, max_bytes: int = MAX_BYTES, *, pipes: bool = False) -> bytes:
    """The bytes of `path`, a regular file (with `pipes`, also a pipe: `<(…)`, /dev/stdin),
    never more than `max_bytes` + 1 of them, so that an endless pipe costs no more than a file
    at the limit. Anything else (a FIFO found in a folder, a device) is refused unopened."""
    with reading_errors(path), open_input(path, "YAML", pipes=pipes) as stream:
        info = os.fstat(stream.fileno())
        if stat.S_ISREG(info.st_mode) and info.st_size > max_bytes:
            raise _too_large(path, info.st_size, max_bytes)
        data = read_capped(stream, max_bytes)
    if len(data) > max_bytes:
        raise _too_large(path, None, max_bytes)
    return data


def read_text(
    path: Path, text: str | None = None, max_bytes: int = MAX_BYTES, *, pipes: bool = False
) -> str:
    """The text of `path`, read within the limit and decoded; or `text` (for tests and stdin),
    held to the same limit. `pipes`: see read_limited."""
    if text is None:
        return decode(path, read_limited(path, max_bytes, pipes=pipes))
    if len(text.encode("utf-8", "surrogatepass")) > max_bytes:
        raise InputError(f"{path}: input is larger than {max_bytes / 1_048_576:.0f} MB")
    return text
