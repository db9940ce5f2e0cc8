"""PDF copies of the documents, through LibreOffice headless.

LibreOffice converts every document of a folder in one run (`--convert-to pdf --outdir DIR
a.docx b.docx …`): starting it takes longer than converting a briefing, so a build's PDFs
cost about one start per output folder, not one per document. Each run has a private,
throw-away profile (parallel conversions do not collide and nothing is written to the user's
LibreOffice profile), runs in a process group of its own (a timeout, scaled for the number of
documents, kills soffice and every helper it started), and writes into a temporary folder
beside the targets, from which each PDF is checked complete and renamed into place: a reader
sees the old PDF or the new one, never a partial file. A document LibreOffice could not
convert is reported for that document; the others of the run are written.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from briefing.atomic import ReadOnlyTarget, explain_write_error, is_read_only
from briefing.errors import BriefingError

SOFFICE_NAMES = ("soffice", "libreoffice")
INSTALL_HINT = "PDF export needs LibreOffice: apt-get install libreoffice-writer-nogui"
DEFAULT_TIMEOUT = 120.0  # seconds for a run's first document: a cold start takes a few
PER_DOCUMENT_TIMEOUT = 30.0  # seconds for each further document; a briefing takes one or two


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


def run_timeout(count: int, first: float = DEFAULT_TIMEOUT) -> float:
    """How long one run converting `count` documents may take."""
    return first + PER_DOCUMENT_TIMEOUT * max(count - 1, 0)


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
    result = convert_all([docx_path], timeout)[docx_path]
    if isinstance(result, PdfError):
        raise result
    return result


def convert_all(
    documents: Sequence[Path], timeout: float = DEFAULT_TIMEOUT
) -> dict[Path, Path | PdfError]:
    """A PDF beside each document, one LibreOffice run per folder: each document's PDF path,
    or the error that kept it from being written. `timeout` is a run's time for its first
    document (`run_timeout` adds time for the others)."""
    soffice = find_soffice()
    if soffice is None:
        return {document: PdfError(INSTALL_HINT) for document in documents}
    results: dict[Path, Path | PdfError] = {}
    folders: dict[Path, list[Path]] = {}
    for document in documents:
        if not document.resolve().is_file():
            results[document] = PdfError(f"{document}: no such document to convert")
        else:
            folders.setdefault(pdf_path(document).parent, []).append(document)
    for folder, batch in folders.items():
        try:
            results.update(_convert(soffice, folder, batch, run_timeout(len(batch), timeout)))
        except OSError as err:  # the folder is read-only or full
            failure = PdfError(f"cannot write the PDF: {explain_write_error(folder, err)}")
            results.update({document: failure for document in batch})
    return results


def _convert(
    soffice: str, folder: Path, documents: list[Path], timeout: float
) -> dict[Path, Path | PdfError]:
    """One LibreOffice run converting `documents`, whose PDFs all go to `folder`."""
    results: dict[Path, Path | PdfError] = {}
    with (
        tempfile.TemporaryDirectory(prefix="briefing-soffice-") as profile,
        tempfile.TemporaryDirectory(prefix=f".{documents[0].stem}.", dir=folder) as staging,
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
            *(str(document.resolve()) for document in documents),
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
            failure = PdfError(f"cannot start LibreOffice ({soffice}): {err}")
            return {document: failure for document in documents}
        timed_out = False
        try:
            output, _ = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
            output = b""
        finally:
            _kill_group(process)  # also any helper left running after a normal exit
        said = output.decode("utf-8", "replace").strip().splitlines()
        for document in documents:
            source = document.resolve()
            produced = Path(staging) / f"{source.stem}.pdf"
            # soffice exits 0 even when it could not load or save a document: the file is the
            # evidence, and it must be whole (a full disk can cut it off).
            if not _is_complete_pdf(produced):
                if timed_out:
                    results[document] = PdfError(
                        f"{source}: LibreOffice did not finish the PDF within {timeout:g} s and "
                        "was stopped; no PDF was written"
                    )
                    continue
                mentions = (
                    [line for line in said if source.name in line]
                    or [line for line in said if line.startswith("Error")]
                    or said
                )
                detail = f": {mentions[-1]}" if mentions else ""
                results[document] = PdfError(
                    f"{source}: LibreOffice wrote no complete PDF "
                    f"(exit {process.returncode}){detail}"
                )
                continue
            target = pdf_path(document)
            try:
                if is_read_only(target):  # a PDF marked read-only is not replaced behind its mark
                    raise ReadOnlyTarget(target)
                os.chmod(produced, 0o644)
                os.replace(produced, target)
            except OSError as err:  # read-only, or the rename was refused
                results[document] = PdfError(
                    f"cannot write the PDF: {explain_write_error(target, err)}"
                )
                continue
            results[document] = target
    return results
