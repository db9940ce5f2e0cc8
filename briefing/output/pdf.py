"""PDF copies of the documents, through LibreOffice headless.

LibreOffice runs with a private, throw-away profile (parallel conversions do not collide and
nothing is written to the user's LibreOffice profile), in a process group of its own (a timeout
kills soffice and every helper it started), and writes into a temporary folder beside the
target, from which the PDF is renamed into place: a reader sees the old PDF or the new one,
never a partial file.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from briefing.atomic import ReadOnlyTarget, explain_write_error, is_read_only
from briefing.errors import BriefingError

SOFFICE_NAMES = ("soffice", "libreoffice")
INSTALL_HINT = "PDF export needs LibreOffice: apt-get install libreoffice-writer-nogui"
DEFAULT_TIMEOUT = 120.0  # seconds; a cold start takes a few, a briefing converts in one or two


class PdfError(BriefingError):
    """LibreOffice is missing, failed, or did not finish in time; no PDF was written."""

    exit_code = 2


def find_soffice() -> str | None:
    """The LibreOffice program on PATH, or None when LibreOffice is not installed."""
    for name in SOFFICE_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def pdf_path(docx_path: Path) -> Path:
    """Where the PDF of a document goes: beside it, same name."""
    return docx_path.with_suffix(".pdf")


def _own_group() -> dict[str, Any]:
    """Popen options that start LibreOffice in a process group of its own."""
    if sys.platform == "win32":
        return {"creationflags": subprocess.CREATE_NEW_PROCESS_GROUP}
    return {"start_new_session": True}


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    """Kill the process group LibreOffice runs in (soffice, oosplash, soffice.bin) and reap it."""
    if sys.platform == "win32":
        # no process groups to signal: taskkill ends the process and every child it started
        with contextlib.suppress(OSError, subprocess.TimeoutExpired):
            subprocess.run(
                ["taskkill", "/F", "/T", "/PID", str(process.pid)],
                stdin=subprocess.DEVNULL,
                capture_output=True,
                timeout=30,
            )
    else:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=10)


def _is_complete_pdf(path: Path) -> bool:
    """A PDF header at the start and the end-of-file marker at the end: not cut off midway."""
    if not path.is_file() or path.stat().st_size < 64:
        return False
    with path.open("rb") as stream:
        head = stream.read(5)
        if path.stat().st_size > 1024:
            stream.seek(-1024, os.SEEK_END)
        tail = stream.read()
    return head == b"%PDF-" and b"%%EOF" in tail


def convert_to_pdf(docx_path: Path, timeout: float = DEFAULT_TIMEOUT) -> Path:
    """Convert `docx_path` to a PDF beside it and return the PDF's path, or raise PdfError."""
    soffice = find_soffice()
    if soffice is None:
        raise PdfError(INSTALL_HINT)
    source = docx_path.resolve()
    if not source.is_file():
        raise PdfError(f"{docx_path}: no such document to convert")
    target = pdf_path(docx_path)
    try:
        _convert(soffice, source, target, timeout)
    except OSError as err:  # the folder is read-only or full, or the rename was refused
        raise PdfError(f"cannot write the PDF: {explain_write_error(target, err)}") from None
    return target


def _convert(soffice: str, source: Path, target: Path, timeout: float) -> None:
    with (
        tempfile.TemporaryDirectory(prefix="briefing-soffice-") as profile,
        tempfile.TemporaryDirectory(prefix=f".{target.name}.", dir=target.parent) as staging,
    ):
        command = [
            soffice,
            f"-env:UserInstallation={Path(profile).as_uri()}",
            "--headless",
            "--invisible",
            "--norestore",
            "--nolockcheck",
            "--nodefault",
            "--convert-to",
            "pdf:writer_pdf_Export",
            "--outdir",
            staging,
            str(source),
        ]
        try:
            process = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                **_own_group(),  # its own process group, killed as a whole
            )
        except OSError as err:
            raise PdfError(f"cannot start LibreOffice ({soffice}): {err}") from None
        try:
            output, _ = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            raise PdfError(
                f"{source}: LibreOffice did not finish the PDF within {timeout:g} s and was "
                "stopped; no PDF was written"
            ) from None
        finally:
            _kill_group(process)  # also any helper left running after a normal exit
        produced = Path(staging) / f"{source.stem}.pdf"
        # soffice exits 0 even when it could not load or save the document: the file is the
        # evidence, and it must be whole (a full disk can cut it off).
        if not _is_complete_pdf(produced):
            said = output.decode("utf-8", "replace").strip().splitlines()
            detail = f": {said[-1]}" if said else ""
            raise PdfError(
                f"{source}: LibreOffice wrote no complete PDF (exit {process.returncode}){detail}"
            )
        os.chmod(produced, 0o644)
        if is_read_only(target):  # a PDF marked read-only is not replaced behind its mark
            raise ReadOnlyTarget(target)
        os.replace(produced, target)
