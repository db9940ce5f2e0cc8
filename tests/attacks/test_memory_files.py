"""Where a translation memory may be, and what briefing does with a file that is not one.

A memory is a postgresql:// URL or a path; briefing opens the path through a file: URI of its
own, so text that looks like another address is refused, a file name holding "?mode=" stays a
name, another program's database is never changed, and a memory briefing may not write is
said to be one (never "damaged, start a new one", which would abandon its reviewed entries).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import sqlite3
import stat
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from briefing.errors import InputError
from briefing.memory.backend import resolve_location
from briefing.memory.interface import ReviewedTranslation
from briefing.memory.sqlite import TranslationMemory
from tests.conftest import _facts_yaml, _minimal_facts, build_args, invoke

SUMMARY = "The two leaders met in Nara."
EMPTY_TMX = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<tmx version="1.4"><header srclang="en" '
    'datatype="plaintext" segtype="sentence" adminlang="en" creationtool="other" '
    'creationtoolversion="1" o-tmf="other"/><body></body></tmx>\n'
)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def foreign_database(path: Path) -> Path:
    with contextlib.closing(sqlite3.connect(path)) as connection:
        connection.execute("CREATE TABLE invoices (number INTEGER)")
        connection.execute("INSERT INTO invoices VALUES (7)")
        connection.commit()
    return path


def journal_mode(path: Path) -> str:
    with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as connection:
        return str(connection.execute("PRAGMA journal_mode").fetchone()[0])


# ------------------------------------------------------------------ what a location may be


@pytest.mark.parametrize(
    "prefix", ["file:", "file://", "sqlite:///", "mysql://host/", "http://example.org/"]
)
def test_other_schemes_are_refused_and_nothing_is_touched(
    tmp_path: Path, prefix: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`--tm file:/path/other.db` once reached SQLite as its own URI (and switched the other
    program's database to WAL); `sqlite:///x` made a folder named "sqlite:"."""
    monkeypatch.chdir(tmp_path)
    other = foreign_database(tmp_path / "other.db")
    before = digest(other)
    location = prefix + str(other).lstrip("/") if "//" in prefix else prefix + str(other)
    for command in (["memory", "stats"], ["memory", "export", "-o", tmp_path / "x.tmx"]):
        result = invoke(*command, "--tm", location)
        assert result.returncode == 2, result.output
        assert "is not a translation memory" in result.stderr
        assert "postgresql://" in result.stderr and "file path" in result.stderr
    assert digest(other) == before and journal_mode(other) == "delete"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["other.db"]


def test_a_scheme_written_in_briefing_toml_is_refused_where_it_is_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "briefing.toml").write_text('[translation]\nmemory = "sqlite:///x.db"\n')
    monkeypatch.chdir(tmp_path)
    result = invoke("memory", "stats")
    assert result.returncode == 2, result.output
    assert "briefing.toml:2" in result.stderr and "sqlite: address" in result.stderr
    assert not (tmp_path / "sqlite:").exists()


def test_memory_copy_refuses_a_scheme_too(tmp_path: Path) -> None:
    result = invoke("memory", "copy", "file:" + str(tmp_path / "a.db"), str(tmp_path / "b.db"))
    assert result.returncode == 2, result.output
    assert "file: address is not a translation memory" in result.stderr
    with pytest.raises(InputError, match="sqlite: address"):
        resolve_location("sqlite:memory.db")


def test_a_name_that_looks_like_a_uri_is_just_a_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The path is percent-quoted into briefing's own URI: "?mode=ro#x" is part of the name,
    and "./file:x" is the file "file:x"."""
    odd = tmp_path / "notes?mode=memory&immutable=1#x.sqlite"
    with TranslationMemory(odd) as memory:
        memory.store_reviewed([ReviewedTranslation(SUMMARY, "en", "ja", "会談")], "Sato")
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith("notes")] == [odd.name]
    with TranslationMemory(odd) as memory:
        assert [e.target for e in memory.entries()] == ["会談"]
    folder = tmp_path / "cwd"
    folder.mkdir()
    monkeypatch.chdir(folder)
    result = invoke("memory", "stats", "--tm", "./file:x?mode=memory")
    assert result.returncode == 0, result.output
    assert sorted(p.name for p in folder.iterdir()) == ["file:x?mode=memory"]


# ------------------------------------------------------------------ files that are not memories


def test_another_programs_database_is_named_so_and_left_as_it_was(tmp_path: Path) -> None:
    other = foreign_database(tmp_path / "accounts.db")
    before = digest(other)
    (tmp_path / "x.tmx").write_text(EMPTY_TMX, encoding="utf-8")
    result = invoke("memory", "import", tmp_path / "x.tmx", "--tm", other, "--reviewer", "Kim")
    assert result.returncode == 2, result.output
    assert "another program's SQLite database" in result.stderr
    assert "damaged" not in result.stderr and "rename" not in result.stderr
    assert digest(other) == before and journal_mode(other) == "delete"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["accounts.db", "x.tmx"]


def test_a_file_that_is_not_sqlite_is_not_called_a_damaged_memory(tmp_path: Path) -> None:
    notes = tmp_path / "passwd"
    notes.write_text("root:x:0:0:root:/root:/bin/bash\n")
    result = invoke("memory", "stats", "--tm", notes)
    assert result.returncode == 2, result.output
    assert "not an SQLite database at all" in result.stderr
    for advice in ("damaged", "move it aside", "rename", "new, empty memory"):
        assert advice not in result.stderr
    assert notes.read_text() == "root:x:0:0:root:/root:/bin/bash\n"


def test_a_damaged_memory_is_kept_not_abandoned(tmp_path: Path) -> None:
    path = tmp_path / "memory.sqlite"
    with TranslationMemory(path) as memory:
        memory.store_reviewed([ReviewedTranslation(SUMMARY, "en", "ja", "会談")], "Sato")
    data = bytearray(path.read_bytes())
    data[100:] = b"\xff" * (len(data) - 100)
    path.write_bytes(bytes(data))
    result = invoke("memory", "stats", "--tm", path)
    assert result.returncode == 2, result.output
    assert "damaged" in result.stderr and "Keep the file" in result.stderr
    assert ".recover" in result.stderr and "new, empty memory" not in result.stderr


def test_a_named_pipe_as_memory_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "memory.sqlite"
    os.mkfifo(fifo)
    result = invoke("memory", "stats", "--tm", fifo)
    assert result.returncode == 2, result.output
    assert "not a regular file (a named pipe)" in result.stderr


# ------------------------------------------------------------------ memories briefing may not write


@contextlib.contextmanager
def unwritable(path: Path) -> Iterator[None]:
    """`path` made unwritable: its write bits cleared and, for root (whom permissions do not
    stop), the file system's immutable attribute set."""
    mode = path.stat().st_mode
    path.chmod(mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))
    immutable = os.geteuid() == 0
    if immutable:
        subprocess.run(["chattr", "+i", str(path)], check=True, capture_output=True)
    try:
        yield
    finally:
        if immutable:
            subprocess.run(["chattr", "-i", str(path)], check=False)
        path.chmod(mode)


@pytest.fixture
def reviewed_memory(tmp_path: Path) -> Path:
    path = tmp_path / "memories" / "memory.sqlite"
    with TranslationMemory(path) as memory:
        memory.store_reviewed(
            [ReviewedTranslation(SUMMARY, "en", "ja", "両首脳が会談した。")], "Sato"
        )
    return path


@pytest.mark.parametrize("which", ["folder", "file"])
def test_an_unwritable_memory_is_said_so_and_an_import_is_refused(
    tmp_path: Path, reviewed_memory: Path, which: str
) -> None:
    """It once was "damaged or not a translation memory: rename it and start an empty one"."""
    tmx = tmp_path / "in.tmx"
    tmx.write_text(EMPTY_TMX, encoding="utf-8")
    before = digest(reviewed_memory)
    with unwritable(reviewed_memory.parent if which == "folder" else reviewed_memory):
        result = invoke("memory", "import", tmx, "--tm", reviewed_memory, "--reviewer", "Kim")
        assert result.returncode == 2, result.output
        assert "cannot be written" in result.stderr and "(permissions)" in result.stderr
        assert "every entry is intact" in result.stderr
        for advice in ("damaged", "rename", "empty"):
            assert advice not in result.stderr
        stats = invoke("memory", "stats", "--tm", reviewed_memory)
        assert stats.returncode == 0, stats.output
        assert "reviewed" in stats.stdout
    assert digest(reviewed_memory) == before


def test_a_memory_cannot_be_created_in_an_unwritable_folder(tmp_path: Path) -> None:
    folder = tmp_path / "locked"
    folder.mkdir()
    with unwritable(folder):
        result = invoke("memory", "stats", "--tm", folder / "memory.sqlite")
    assert result.returncode == 2, result.output
    assert "cannot create the translation memory" in result.stderr
    assert "(permissions)" in result.stderr
    assert list(folder.iterdir()) == []


def test_a_build_reads_an_unwritable_memory_and_says_it_stores_nothing(
    tmp_path: Path, reviewed_memory: Path, copy_models_dir: Path
) -> None:
    facts = tmp_path / "summit.yaml"
    facts.write_text(_facts_yaml(_minimal_facts()), encoding="utf-8")
    out = tmp_path / "out"
    before = digest(reviewed_memory)
    args = build_args(facts, lang="ja", out=out, tm=reviewed_memory, models_dir=copy_models_dir)
    with unwritable(reviewed_memory.parent):
        result = invoke(*args)
    assert result.returncode == 0, result.output
    assert "cannot be written" in result.stderr and "stores no new" in result.stderr
    from tests.test_hostile_input import document_text

    assert "両首脳が会談した。" in document_text(out / "summit.ja.docx")
    assert digest(reviewed_memory) == before
    assert sorted(p.name for p in reviewed_memory.parent.iterdir()) == ["memory.sqlite"]
