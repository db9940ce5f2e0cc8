"""Windows, tested from here: the package must not need POSIX-only modules to import or to
build, and every module must import under a simulated `sys.platform == "win32"`.

The real Windows code paths (filelock's msvcrt lock, the refused rename of an open document)
need Windows itself; these tests catch what breaks most often: a module-level `import fcntl`, a
POSIX-only call outside its platform check.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import docx
import pytest

from briefing.atomic import LinkRefused, explain_write_error, read_owned
from briefing.manifest import MANIFEST_NAME
from tests.conftest import ENGLISH_OUTLINE, GLOSSARY, NARA, ROOT, build_args, run_cli
from tests.support import children
from tests.support.documents import style_of


def test_english_example_builds_without_posix_only_modules(tmp_path: Path) -> None:
    out = tmp_path / "out"
    args = build_args(NARA, lang="en", out=out, glossary=GLOSSARY)
    # the command line in an interpreter without the POSIX-only modules, as on Windows
    result = run_cli(*args, cwd=tmp_path, home=tmp_path, child=children.without_posix_modules)

    assert result.returncode == 0, result.stderr
    document = docx.Document(str(out / f"{NARA.stem}.en.docx"))
    headings = [p.text for p in document.paragraphs if style_of(p) == "Heading 1"]
    assert headings == ENGLISH_OUTLINE
    # a second build finds the manifest and the lock and writes nothing
    again = run_cli(*args, cwd=tmp_path, home=tmp_path, child=children.without_posix_modules)
    assert again.returncode == 0, again.stderr
    assert "unchanged" in again.stderr


def test_every_module_compiles_and_imports_under_simulated_windows() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / ".ci" / "windows_imports.py")],
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stderr
    assert " 0 failures" in result.stdout


class SharingViolation(PermissionError):
    """What Windows raises when a rename meets a document open in Word."""

    winerror = 32


def test_document_open_in_another_program_on_windows_says_to_close_it(tmp_path: Path) -> None:
    document = tmp_path / "event.en.docx"
    document.write_bytes(b"old")

    message = explain_write_error(
        document, SharingViolation(13, "The process cannot access the file", str(document))
    )

    assert str(document) in message
    assert "Close it in Word" in message
    assert document.read_bytes() == b"old"


def test_links_are_refused_where_the_system_has_no_o_nofollow(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Windows has no O_NOFOLLOW: the look-up before and the check after opening stand in."""
    monkeypatch.delattr(os, "O_NOFOLLOW", raising=False)
    secret = tmp_path / "secret.json"
    secret.write_text('{"documents": {}}', encoding="utf-8")
    link = tmp_path / MANIFEST_NAME
    link.symlink_to(secret)

    with pytest.raises(LinkRefused, match="symbolic link"):
        read_owned(link, "record of built documents", 1024)
    assert read_owned(secret, "record of built documents", 1024) == b'{"documents": {}}'
