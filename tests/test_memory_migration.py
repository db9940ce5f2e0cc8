"""Opening a memory safely: a memory of the previous version is migrated in place once, with a
backup; a newer one and a database that is not a memory are refused with not a byte changed; a
full disk is said to be a full disk."""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from briefing.errors import BriefingError, InputError
from briefing.memory.interface import MemoryEntry, MemoryKey
from briefing.memory.sql import SCHEMA_VERSION
from briefing.memory.sqlite import TranslationMemory
from tests.conftest import FIXTURES, invoke
from tests.test_faults import tmpfs

V1 = FIXTURES / "memory" / "memory-v1.sqlite"
V1_FINGERPRINT = "2026.1+c5f595ecd20a"
REVIEWED_JA = "summit meeting"


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def version(path: Path) -> int:
    with contextlib.closing(sqlite3.connect(path)) as connection:
        return connection.execute("PRAGMA user_version").fetchone()[0]


@pytest.fixture
def old(tmp_path: Path) -> Path:
    path = tmp_path / "tm" / "memory.sqlite"
    path.parent.mkdir()
    shutil.copyfile(V1, path)
    return path


def test_fixture_is_a_schema_1_memory() -> None:
    assert version(V1) == 1


def rows(path: Path) -> set[tuple[Any, ...]]:
    with contextlib.closing(sqlite3.connect(path)) as connection:
        return set(connection.execute("SELECT * FROM entries"))


def test_a_previous_version_memory_is_migrated_once_with_a_backup(old: Path) -> None:
    original = rows(old)
    with TranslationMemory(old) as memory:
        entries = memory.entries_for([REVIEWED_JA], "en", "ja")
        counts = memory.counts()
    assert version(old) == SCHEMA_VERSION
    backups = [p for p in old.parent.iterdir() if p.name.startswith("memory.sqlite.v1")]
    assert len(backups) == 1
    assert version(backups[0]) == 1 and rows(backups[0]) == original
    assert entries[REVIEWED_JA].target == "首脳会談（確認済み）"
    assert entries[REVIEWED_JA].reviewer == "Sato Hanako"
    assert counts == {"machine": 20, "reviewed": 3}
    with TranslationMemory(old) as memory:
        memory.counts()
    assert len([p for p in old.parent.iterdir() if p.name.startswith("memory.sqlite.v1")]) == 1


def test_the_command_that_upgrades_a_memory_says_where_the_old_one_is(old: Path) -> None:
    """The memory named by BRIEFING_TM (through the settings) is upgraded by the first command
    that opens it, which says so on stderr with the backup's name; later commands say nothing."""
    first = invoke("memory", "stats", env={"BRIEFING_TM": str(old)})
    assert first.returncode == 0, first.stderr
    backup = old.with_name("memory.sqlite.v1-backup")
    assert first.stderr.strip() == (
        f"upgraded the translation memory {old} to version {SCHEMA_VERSION}; "
        f"the old one is saved as {backup}"
    )
    assert version(backup) == 1 and "total" in first.stdout
    again = invoke("memory", "stats", "--tm", old)
    assert again.returncode == 0 and again.stderr == ""


def test_migrated_machine_entries_are_found_only_under_their_old_glossary(old: Path) -> None:
    with TranslationMemory(old) as memory:
        segments = [s for s, in memory.connection.execute(
            "SELECT segment FROM entries WHERE origin = 'machine' AND target_lang = 'ja'"
        )]  # fmt: skip
        wanted = {s: "" for s in segments}
        same = MemoryKey("en", "ja", "translate-en_ja@1.1", legacy_glossary=V1_FINGERPRINT)
        other = MemoryKey("en", "ja", "translate-en_ja@1.1", legacy_glossary="2026.2+0000")
        found_other = memory.lookup(wanted, other)
        found_same = memory.lookup(wanted, same)
        found_again = memory.lookup(wanted, other)  # re-keyed by the lookup before
    machine = {s for s, e in found_same.items() if not e.reviewed}
    assert len(found_same) == 10 and len(machine) == 9  # "summit meeting" was reviewed
    assert {s for s, e in found_other.items() if not e.reviewed} == set()
    assert {s for s, e in found_again.items() if not e.reviewed} == machine


def test_a_memory_from_a_newer_version_is_refused_untouched(old: Path) -> None:
    with contextlib.closing(sqlite3.connect(old)) as connection:
        connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    before = sha(old)
    with pytest.raises(InputError, match="newer version of briefing"):
        TranslationMemory(old)
    assert sha(old) == before
    assert sorted(p.name for p in old.parent.iterdir()) == ["memory.sqlite"]


def test_another_sqlite_database_is_refused_with_not_a_byte_changed(tmp_path: Path) -> None:
    other = tmp_path / "contacts.db"
    with contextlib.closing(sqlite3.connect(other)) as connection:
        connection.execute("CREATE TABLE people (name TEXT)")
        connection.execute("INSERT INTO people VALUES ('Sato')")
        connection.commit()
    before = sha(other)
    with pytest.raises(InputError, match="not a briefing translation memory") as caught:
        TranslationMemory(other)
    assert str(other) in str(caught.value)
    assert sha(other) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["contacts.db"]  # no -wal, no -shm
    with contextlib.closing(sqlite3.connect(other)) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "delete"


def test_a_file_that_is_not_a_database_is_left_alone(tmp_path: Path) -> None:
    other = tmp_path / "notes.txt"
    other.write_text("not a database\n" * 100, encoding="utf-8")
    before = sha(other)
    with pytest.raises(InputError, match="not a translation memory"):
        TranslationMemory(other)
    assert sha(other) == before


def test_a_full_disk_is_reported_as_a_full_disk_naming_the_folder(tmp_path: Path) -> None:
    with tmpfs(tmp_path / "small", 512 * 1024) as folder:
        path = folder / "memory.sqlite"
        key = MemoryKey("en", "ja", "translate-en_ja@1.1")
        with TranslationMemory(path) as memory:
            memory.store_machine({"Seed.": MemoryEntry("種。", False)}, key, {"Seed.": ""})
        filler = folder / "filler"
        with contextlib.suppress(OSError), filler.open("wb") as handle:
            while True:
                handle.write(b"\0" * 65536)
                handle.flush()
                os.fsync(handle.fileno())
        many = {f"Sentence number {i} of a long text. " * 4: MemoryEntry("訳" * 200, False)
                for i in range(400)}  # fmt: skip
        with pytest.raises(BriefingError) as caught, TranslationMemory(path) as memory:
            memory.store_machine(many, key, {s: "" for s in many})
        message = str(caught.value)
        assert "full" in message and str(folder) in message
        assert "damaged" not in message and "move it aside" not in message
        filler.unlink()
        with TranslationMemory(path) as memory:
            assert memory.counts()["machine"] == 1  # the failed call stored nothing
