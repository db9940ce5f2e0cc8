"""`briefing build --pdf`: a PDF beside each document through LibreOffice, with a timeout, a clear
message when LibreOffice is missing, and no soffice process or partial file left behind."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from briefing.output.pdf import (
    DEFAULT_TIMEOUT,
    INSTALL_HINT,
    PER_DOCUMENT_TIMEOUT,
    PdfError,
    convert_all,
    convert_to_pdf,
    find_soffice,
    run_timeout,
)
from tests.conftest import NARA, ROOT, Result, run_cli

needs_soffice = pytest.mark.skipif(find_soffice() is None, reason="LibreOffice is not installed")


def processes_mentioning(marker: str) -> list[str]:
    """Command lines of running processes that contain `marker` (a test's own folder)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            raw = (entry / "cmdline").read_bytes()
        except OSError:
            continue  # ended meanwhile
        command = raw.replace(b"\0", b" ").decode("utf-8", "replace")
        if marker in command and entry.name != str(os.getpid()):
            found.append(f"{entry.name}: {command}")
    return found


def run_briefing(*args: str | Path, cwd: Path, path: str | None = None) -> Result:
    env = {"HOME": str(cwd)}
    if path is not None:
        env["PATH"] = path
    return run_cli(*args, cwd=cwd, env=env)


@dataclass
class PdfBuild:
    out: Path
    result: Result
    seconds: float


@pytest.fixture(scope="module")
def pdf_build(tmp_path_factory: pytest.TempPathFactory) -> PdfBuild:
    """The example built in English with --pdf, once for this module."""
    if find_soffice() is None:
        pytest.skip("LibreOffice is not installed")
    folder = tmp_path_factory.mktemp("pdf-build")
    out = folder / "out"
    started = time.monotonic()
    result = run_briefing("build", NARA, "--lang", "en", "--out", out, "--pdf", cwd=folder)
    return PdfBuild(out, result, time.monotonic() - started)


@needs_soffice
def test_build_with_pdf_writes_a_pdf_beside_the_document(pdf_build: PdfBuild) -> None:
    assert pdf_build.result.returncode == 0, pdf_build.result.stderr
    document = pdf_build.out / f"{NARA.stem}.en.docx"
    pdf = pdf_build.out / f"{NARA.stem}.en.pdf"
    assert document.is_file()
    assert pdf.read_bytes().startswith(b"%PDF-")
    assert f"wrote {pdf}" in pdf_build.result.stderr
    if shutil.which("pdftotext"):
        text = subprocess.run(
            ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
        ).stdout
        assert "Japan–Republic of Korea Summit Meeting" in " ".join(text.split())


@needs_soffice
def test_build_with_pdf_leaves_no_process_and_no_temporary_files(pdf_build: PdfBuild) -> None:
    assert processes_mentioning(str(pdf_build.out)) == []
    leftovers = [p.name for p in pdf_build.out.iterdir() if p.name.startswith(f".{NARA.stem}")]
    assert leftovers == []


@needs_soffice
def test_timeout_kills_libreoffice_and_keeps_the_old_pdf(tmp_path: Path) -> None:
    document = tmp_path / "event.en.docx"
    shutil.copyfile(ROOT / "templates" / "summit" / "reference.docx", document)
    old_pdf = tmp_path / "event.en.pdf"
    old_pdf.write_bytes(b"%PDF-1.4 the previous, complete PDF\n")

    started = time.monotonic()
    with pytest.raises(PdfError, match=r"did not finish the PDF within 0.3 s"):
        convert_to_pdf(document, timeout=0.3)

    assert time.monotonic() - started < 15
    assert old_pdf.read_bytes() == b"%PDF-1.4 the previous, complete PDF\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["event.en.docx", "event.en.pdf"]
    assert processes_mentioning(str(tmp_path)) == []


def test_missing_libreoffice_is_a_clear_message(tmp_path: Path) -> None:
    """With no soffice on PATH the documents are still written; the PDF step says what to do."""
    empty = tmp_path / "bin"
    empty.mkdir()
    out = tmp_path / "out"

    result = run_briefing(
        "build", NARA, "--lang", "en", "--out", out, "--pdf", cwd=tmp_path, path=str(empty)
    )

    assert result.returncode == 2, result.stderr
    assert INSTALL_HINT in result.stderr
    assert "Traceback" not in result.stderr
    assert (out / f"{NARA.stem}.en.docx").is_file()
    assert not list(out.glob("*.pdf"))


def test_convert_without_libreoffice_raises_the_install_hint(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    document = tmp_path / "event.en.docx"
    document.write_bytes(b"not used")

    with pytest.raises(PdfError) as caught:
        convert_to_pdf(document)

    assert str(caught.value) == INSTALL_HINT
    assert not (tmp_path / "event.en.pdf").exists()


@needs_soffice
def test_full_disk_keeps_the_old_pdf_and_leaves_no_partial_file(tmp_path: Path) -> None:
    from tests.test_faults import tmpfs

    source = tmp_path / "source.docx"
    shutil.copyfile(ROOT / "templates" / "summit" / "reference.docx", source)
    # Room for the document and the old PDF, not for LibreOffice's new one.
    with tmpfs(tmp_path / "small", source.stat().st_size // 4096 * 4096 + 8192) as out:
        document = out / "event.en.docx"
        shutil.copyfile(source, document)
        old_pdf = out / "event.en.pdf"
        old_pdf.write_bytes(b"%PDF-1.4 the previous, complete PDF\n")

        with pytest.raises(PdfError, match="no complete PDF"):
            convert_to_pdf(document)

        assert old_pdf.read_bytes() == b"%PDF-1.4 the previous, complete PDF\n"
        assert sorted(p.name for p in out.iterdir()) == ["event.en.docx", "event.en.pdf"]
        assert processes_mentioning(str(out)) == []


# ------------------------------------------------------------------------- one run per folder


def logging_soffice(folder: Path) -> tuple[str, Path]:
    """A PATH whose soffice logs its command line and runs the real LibreOffice, and the log."""
    real = find_soffice()
    assert real is not None
    bin_dir, log = folder / "bin", folder / "soffice.log"
    bin_dir.mkdir()
    wrapper = bin_dir / "soffice"
    wrapper.write_text(f'#!/bin/sh\nprintf "%s\\n" "$*" >> "{log}"\nexec "{real}" "$@"\n')
    wrapper.chmod(0o755)
    return f"{bin_dir}{os.pathsep}{os.environ['PATH']}", log


def runs(log: Path) -> list[str]:
    return log.read_text().splitlines() if log.exists() else []


@needs_soffice
def test_build_with_pdf_converts_all_documents_in_one_libreoffice_run(
    copy_models_dir: Path, tmp_path: Path
) -> None:
    path, log = logging_soffice(tmp_path)
    out = tmp_path / "out"

    result = run_briefing(
        "build", NARA, "--lang", "en,ja,ko", "--layout", "both", "--out", out, "--pdf",
        "--models-dir", copy_models_dir, "--tm", tmp_path / "memory.sqlite",
        cwd=tmp_path, path=path,
    )  # fmt: skip

    assert result.returncode == 0, result.stderr
    documents = sorted(out.glob("*.docx"))
    assert len(documents) == 5  # en, ja, ko, en-ja, en-ko
    [run] = runs(log)
    assert all(str(document) in run for document in documents)
    for document in documents:
        pdf = document.with_suffix(".pdf")
        assert pdf.read_bytes().startswith(b"%PDF-") and f"wrote {pdf}" in result.stderr
    # no staging folder left (the versions a build keeps are a folder of their own)
    assert [p.name for p in out.iterdir() if p.is_dir()] == [".briefing-versions"]
    assert processes_mentioning(str(out)) == []


@needs_soffice
def test_a_document_libreoffice_cannot_read_fails_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path, log = logging_soffice(tmp_path)
    monkeypatch.setenv("PATH", path)
    out = tmp_path / "out"
    out.mkdir()
    good, broken = out / "good.en.docx", out / "broken.en.docx"
    shutil.copyfile(ROOT / "templates" / "summit" / "reference.docx", good)
    broken.write_bytes(b"PK\x03\x04 not a whole document")
    old_pdf = broken.with_suffix(".pdf")
    old_pdf.write_bytes(b"%PDF-1.4 the previous, complete PDF\n")

    results = convert_all([broken, good])

    assert results[good] == good.with_suffix(".pdf")
    assert good.with_suffix(".pdf").read_bytes().startswith(b"%PDF-")
    failure = results[broken]
    assert isinstance(failure, PdfError)
    assert str(broken) in str(failure) and "no complete PDF" in str(failure)
    assert old_pdf.read_bytes() == b"%PDF-1.4 the previous, complete PDF\n"
    assert len(runs(log)) == 1
    assert sorted(p.name for p in out.iterdir()) == [
        "broken.en.docx", "broken.en.pdf", "good.en.docx", "good.en.pdf"
    ]  # fmt: skip


@needs_soffice
def test_documents_of_two_folders_take_one_run_each(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path, log = logging_soffice(tmp_path)
    monkeypatch.setenv("PATH", path)
    documents = []
    for folder in ("first", "second"):
        for stem in ("a", "b"):
            (tmp_path / folder).mkdir(exist_ok=True)
            document = tmp_path / folder / f"{stem}.en.docx"
            shutil.copyfile(ROOT / "templates" / "summit" / "reference.docx", document)
            documents.append(document)

    results = convert_all(documents)

    assert [results[d] for d in documents] == [d.with_suffix(".pdf") for d in documents]
    first, second = runs(log)
    assert "first" in first and "second" not in first.replace(str(tmp_path), "")
    assert "second" in second


def test_the_timeout_grows_with_the_documents_of_a_run() -> None:
    assert run_timeout(1) == DEFAULT_TIMEOUT
    assert run_timeout(6) == DEFAULT_TIMEOUT + 5 * PER_DOCUMENT_TIMEOUT
    assert run_timeout(3, first=10) == 10 + 2 * PER_DOCUMENT_TIMEOUT
