"""The translation memory: one suite that every backend passes (an SQLite file, a real PostgreSQL
server), then what only SQLite files can suffer (damage, locks, WAL, where the file goes)."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import multiprocessing
import os
import signal
import sqlite3
import time
from multiprocessing.synchronize import Barrier
from pathlib import Path

import psycopg
import pytest

from briefing.errors import BriefingError, InputError
from briefing.memory.backend import default_memory_path, open_memory, resolve_location
from briefing.memory.interface import MemoryEntry, MemoryKey, ReviewedTranslation
from briefing.memory.sql import SCHEMA_VERSION, SqlMemory
from briefing.memory.sqlite import TranslationMemory
from tests.conftest import ROOT, start_cli
from tests.support import children

# The table as schema 1 had it (the glossary's fingerprint in `glossary`, no comments).
SCHEMA_1 = """CREATE TABLE {table} (
    segment TEXT NOT NULL, source_lang TEXT NOT NULL, target_lang TEXT NOT NULL,
    origin TEXT NOT NULL, model TEXT NOT NULL, glossary TEXT NOT NULL, target TEXT NOT NULL,
    reviewer TEXT, flagged {flagged} NOT NULL, created TEXT NOT NULL, updated TEXT NOT NULL,
    PRIMARY KEY (source_lang, target_lang, segment, origin, model, glossary)
)"""
KEY = MemoryKey("en", "ja", "translate-en_ja@1.1")
SUMMIT = "The two leaders met in Nara."
TALKS = "The leaders agreed to open talks."


def machine(target: str, flagged: bool = False) -> MemoryEntry:
    return MemoryEntry(target, reviewed=False, flagged=flagged)


@pytest.fixture
def memory_path(tmp_path: Path) -> Path:
    return tmp_path / "tm" / "memory.sqlite"


@pytest.fixture(params=["sqlite", "postgresql"])
def memory_location(request: pytest.FixtureRequest, memory_path: Path) -> str:
    """Where a memory lives, for the tests every backend must pass: an SQLite file, or a new
    database on the session's real PostgreSQL server (tests/servers/postgresql.py)."""
    if request.param == "sqlite":
        return str(memory_path)
    return str(request.getfixturevalue("postgres_url"))


def test_hit_and_miss(memory_location: str) -> None:
    with open_memory(memory_location) as memory:
        memory.store_machine({SUMMIT: machine("両首脳は奈良で会談した。")}, KEY)
    with open_memory(memory_location) as memory:
        found = memory.lookup([SUMMIT, TALKS], KEY)
    assert found == {SUMMIT: MemoryEntry("両首脳は奈良で会談した。", reviewed=False)}


def test_segments_are_found_in_normalized_form_and_returned_as_asked(memory_location: str) -> None:
    asked = "The two  leaders\nmet in Nara."
    with open_memory(memory_location) as memory:
        memory.store_machine({SUMMIT: machine("会談")}, KEY)
        found = memory.lookup([asked], KEY)
    assert found == {asked: MemoryEntry("会談", reviewed=False)}


@pytest.mark.parametrize(
    "other",
    [
        MemoryKey("en", "ja", "translate-en_ja@1.2"),
        MemoryKey("en", "ko", KEY.model),
    ],
    ids=["model changed", "other language"],
)
def test_machine_entries_are_keyed_by_model_and_language(
    memory_location: str, other: MemoryKey
) -> None:
    with open_memory(memory_location) as memory:
        memory.store_machine({SUMMIT: machine("会談")}, KEY)
        assert memory.lookup([SUMMIT], other) == {}
        assert memory.lookup([SUMMIT], KEY)[SUMMIT].target == "会談"


def test_machine_entries_are_keyed_by_the_glossary_forms_of_their_sentence(
    memory_location: str,
) -> None:
    with open_memory(memory_location) as memory:
        memory.store_machine({SUMMIT: machine("奈良で")}, KEY, {SUMMIT: '["奈良"]'})
        assert memory.lookup({SUMMIT: '["奈良市"]'}, KEY) == {}
        assert memory.lookup({SUMMIT: ""}, KEY) == {}
        assert memory.lookup({SUMMIT: '["奈良"]'}, KEY)[SUMMIT].target == "奈良で"


def test_flagged_machine_output_stays_flagged(memory_location: str) -> None:
    with open_memory(memory_location) as memory:
        memory.store_machine({SUMMIT: machine("会談", flagged=True), TALKS: machine("協議")}, KEY)
        found = memory.lookup([SUMMIT, TALKS], KEY)
    assert found[SUMMIT].flagged and not found[TALKS].flagged


def test_reviewed_entry_survives_model_change_and_later_machine_output(
    memory_location: str,
) -> None:
    new_model = MemoryKey("en", "ja", "translate-en_ja@2.0")
    with open_memory(memory_location) as memory:
        memory.store_machine({SUMMIT: machine("機械訳")}, KEY)
        memory.store_reviewed(
            [ReviewedTranslation(SUMMIT, "en", "ja", "両首脳は奈良で会談を行った。")], "Sato"
        )
        memory.store_machine({SUMMIT: machine("新しい機械訳")}, KEY)
        memory.store_machine({SUMMIT: machine("別モデルの訳")}, new_model)
    with open_memory(memory_location) as memory:
        for key in (KEY, new_model):
            assert memory.lookup([SUMMIT], key) == {
                SUMMIT: MemoryEntry("両首脳は奈良で会談を行った。", reviewed=True)
            }
        stored = memory.entries_for([SUMMIT], "en", "ja")[SUMMIT]
    assert (stored.origin, stored.reviewer) == ("reviewed", "Sato")
    assert stored.created.endswith("+00:00")


def test_reviewed_entries_belong_to_their_target_language(memory_location: str) -> None:
    with open_memory(memory_location) as memory:
        memory.store_reviewed([ReviewedTranslation(SUMMIT, "en", "ko", "두 정상은")], "Kim")
        assert memory.lookup([SUMMIT], KEY) == {}


def test_store_reviewed_upserts_and_keeps_creation_time(memory_location: str) -> None:
    with open_memory(memory_location) as memory:
        memory.store_reviewed([ReviewedTranslation(SUMMIT, "en", "ja", "一")], "Sato")
        first = memory.entries_for([SUMMIT], "en", "ja")[SUMMIT]
        memory.store_reviewed([ReviewedTranslation(SUMMIT, "en", "ja", "二")], "Kato")
        second = memory.entries_for([SUMMIT], "en", "ja")[SUMMIT]
        assert memory.counts() == {"machine": 0, "reviewed": 1}
    assert (second.target, second.reviewer) == ("二", "Kato")
    assert second.created == first.created and second.updated > first.updated


def test_entries_for_prefers_reviewed_then_latest_machine(memory_location: str) -> None:
    newer = MemoryKey("en", "ja", "translate-en_ja@2.0")
    with open_memory(memory_location) as memory:
        memory.store_machine({SUMMIT: machine("古い"), TALKS: machine("古い")}, KEY)
        memory.store_machine({SUMMIT: machine("新しい"), TALKS: machine("新しい")}, newer)
        memory.store_reviewed([ReviewedTranslation(TALKS, "en", "ja", "人の訳")], "Sato")
        shown = memory.entries_for([SUMMIT, TALKS, "Unknown."], "en", "ja")
    assert {s: (e.target, e.origin) for s, e in shown.items()} == {
        SUMMIT: ("新しい", "machine"),
        TALKS: ("人の訳", "reviewed"),
    }
    assert shown[SUMMIT].model == "translate-en_ja@2.0"


def test_the_same_review_twice_changes_nothing(memory_location: str) -> None:
    reviewed = ReviewedTranslation(TALKS, "en", "ja", "協議を始める。")
    with open_memory(memory_location) as memory:
        memory.store_machine({SUMMIT: machine("会談")}, KEY)
        assert memory.store_reviewed([reviewed], "Sato") == 1
        before = memory.entries()
        assert memory.store_reviewed([reviewed], "Sato") == 0
        assert memory.entries() == before
        assert memory.store_reviewed([reviewed], "Kim") == 1  # another reviewer signs it
        memory.store_reviewed([], "Kim", comments=[(SUMMIT, "en", "ja", "Say 'summit'.")])
        comments = {(e.segment, e.origin): e.comment for e in memory.entries("ja")}
    assert comments == {(SUMMIT, "machine"): "Say 'summit'.", (TALKS, "reviewed"): ""}


def test_restore_replaces_an_entry_only_with_a_newer_one(memory_location: str) -> None:
    with open_memory(memory_location) as memory:
        memory.store_reviewed([ReviewedTranslation(TALKS, "en", "ja", "新しい")], "Sato")
        (current,) = memory.entries()
        older = dataclasses.replace(current, target="古い", updated="2000-01-01T00:00:00+00:00")
        in_an_hour = (dt.datetime.now(dt.timezone.utc) + dt.timedelta(hours=1)).isoformat()
        newer = dataclasses.replace(current, target="最新", updated=in_an_hour)
        # what it returns is what it stored: an import's summary counts on it
        assert memory.restore([older]) == 0
        assert memory.entries() == [current]
        assert memory.restore([newer]) == 1
        assert [e.target for e in memory.entries()] == ["最新"]
        assert memory.stats() == [("ja", "reviewed", "", 1)]
        fresh = dataclasses.replace(current, target_lang="ko", target="새로운")
        assert memory.restore([fresh, older]) == 1


def test_an_entry_dated_in_the_future_is_replaced_by_the_next_restore(
    memory_location: str,
) -> None:
    """A date after tomorrow, stored before imports stopped believing such dates, pins no
    entry: the next import or copy replaces it, whatever its own date."""
    with open_memory(memory_location) as memory:
        memory.store_reviewed([ReviewedTranslation(TALKS, "en", "ja", "今")], "Sato")
        (current,) = memory.entries()
        pinned = dataclasses.replace(current, target="固定", updated="9999-12-31T00:00:00+00:00")
        assert memory.restore([pinned]) == 1
        tomorrow = dt.datetime.now(dt.timezone.utc) + dt.timedelta(hours=20)
        soon = dataclasses.replace(current, target="明日", updated=tomorrow.isoformat())
        later = dataclasses.replace(current, target="後", updated="2020-01-01T00:00:00+00:00")
        assert memory.restore([later]) == 1
        assert memory.restore([soon]) == 1
        assert memory.restore([later]) == 0, "a day of clock skew is believed"
        assert [e.target for e in memory.entries()] == ["明日"]


def test_many_segments_in_one_call(memory_location: str) -> None:
    segments = [f"Sentence number {i}." for i in range(1500)]
    with open_memory(memory_location) as memory:
        memory.store_machine({s: machine(f"文{i}") for i, s in enumerate(segments)}, KEY)
        found = memory.lookup(segments, KEY)
    assert len(found) == 1500 and found[segments[1234]].target == "文1234"


def test_a_failed_write_stores_nothing_of_its_call(memory_location: str) -> None:
    with open_memory(memory_location) as memory:
        # a flag that is no value, on purpose: the database refuses it midway through the call
        broken = {SUMMIT: machine("会談"), TALKS: MemoryEntry("協議", False, None)}  # type: ignore[arg-type]
        with pytest.raises((sqlite3.IntegrityError, psycopg.IntegrityError)):
            memory.store_machine(broken, KEY)
        assert memory.counts() == {"machine": 0, "reviewed": 0}
        memory.store_machine({TALKS: machine("協議")}, KEY)  # the memory is usable afterwards
        assert memory.counts()["machine"] == 1


def schema_1_memory(location: str, rows: list[tuple[object, ...]]) -> None:
    """A memory as schema 1 left it (in either backend), holding `rows`."""
    if location.startswith("postgresql://"):
        with psycopg.connect(location) as connection:
            connection.execute("CREATE TABLE briefing_schema (version INTEGER NOT NULL)")
            connection.execute("INSERT INTO briefing_schema VALUES (1)")
            connection.execute(SCHEMA_1.format(table="briefing_entries", flagged="BOOLEAN"))
            marks = ", ".join(["%s"] * 11)
            connection.cursor().executemany(f"INSERT INTO briefing_entries VALUES ({marks})", rows)
        return
    Path(location).parent.mkdir(parents=True, exist_ok=True)
    with contextlib.closing(sqlite3.connect(location)) as connection:
        connection.execute(SCHEMA_1.format(table="entries", flagged="INTEGER"))
        connection.executemany(f"INSERT INTO entries VALUES ({', '.join('?' * 11)})", rows)
        connection.execute("PRAGMA user_version = 1")
        connection.commit()


def test_schema_1_entries_answer_under_their_glossary_and_take_their_terms_key(
    memory_location: str,
) -> None:
    """Both backends upgrade alike: a migrated machine entry answers only under the glossary it
    was made with and takes its sentence's terms key then; an entry made since under that key
    wins, and the legacy one is left as it is, even when the two meet in a re-keying."""
    schema_1_memory(
        memory_location,
        [
            (SUMMIT, "en", "ja", "machine", KEY.model, "fp-1", "旧訳", None, False, "t0", "t0"),
            (TALKS, "en", "ja", "machine", KEY.model, "fp-1", "旧協議", None, False, "t0", "t0"),
        ],
    )
    legacy = dataclasses.replace(KEY, legacy_glossary="fp-1")
    wanted = {SUMMIT: '["奈良"]', TALKS: '["協議"]'}
    with open_memory(memory_location) as memory:
        assert memory.lookup(wanted, dataclasses.replace(KEY, legacy_glossary="fp-2")) == {}
        assert memory.lookup(wanted, KEY) == {}  # no glossary of schema 1: nothing re-keyed
        memory.store_machine({TALKS: machine("新協議")}, KEY, wanted)
        found = memory.lookup(wanted, legacy)
        assert {s: e.target for s, e in found.items()} == {SUMMIT: "旧訳", TALKS: "新協議"}
        # Another build stored TALKS under its terms between a lookup's read and its re-keying:
        assert isinstance(memory, SqlMemory)  # both backends re-key through the one SQL memory
        memory._rekey_legacy([(TALKS, wanted[TALKS])], KEY, "v1:fp-1")
        keys = {(e.segment, e.terms, e.target) for e in memory.entries()}
        assert memory.lookup(wanted, KEY)[SUMMIT].target == "旧訳"  # found by its terms now
    assert keys == {
        (SUMMIT, '["奈良"]', "旧訳"),
        (TALKS, '["協議"]', "新協議"),
        (TALKS, "v1:fp-1", "旧協議"),
    }


def test_a_reviewer_signing_an_entry_that_had_none_is_a_change(memory_location: str) -> None:
    """A reviewed entry without a reviewer (another tool's, restored) differs from the same
    translation signed by a person: NULL is compared as a value in both backends."""
    with open_memory(memory_location) as memory:
        memory.store_reviewed([ReviewedTranslation(TALKS, "en", "ja", "協議")], "Sato")
        (entry,) = memory.entries()
        memory.restore([dataclasses.replace(entry, reviewer=None, updated="2999-01-01")])
        assert memory.store_reviewed([ReviewedTranslation(TALKS, "en", "ja", "協議")], "Kim") == 1
        assert [e.reviewer for e in memory.entries()] == ["Kim"]


def test_not_a_database_is_refused_naming_the_file(memory_path: Path) -> None:
    memory_path.parent.mkdir(parents=True)
    content = b"These are meeting notes, not a database.\n" * 200
    memory_path.write_bytes(content)
    with pytest.raises(InputError) as caught:
        TranslationMemory(memory_path)
    message = str(caught.value)
    assert str(memory_path) in message and "not an SQLite database" in message
    assert "move it aside" not in message and "damaged" not in message
    assert memory_path.read_bytes() == content


def test_damaged_database_is_refused_naming_the_file(memory_path: Path) -> None:
    with TranslationMemory(memory_path) as memory:
        memory.store_machine({f"Sentence {i}.": machine("文") for i in range(2000)}, KEY)
    with sqlite3.connect(memory_path) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    data = bytearray(memory_path.read_bytes())
    data[4096 : len(data)] = b"\xff" * (len(data) - 4096)  # every page after the first
    memory_path.write_bytes(bytes(data))
    with pytest.raises(InputError) as caught, TranslationMemory(memory_path) as memory:
        memory.lookup(["Sentence 5."], KEY)
    assert str(memory_path) in str(caught.value)


def test_another_sqlite_database_is_not_taken_for_a_memory(memory_path: Path) -> None:
    memory_path.parent.mkdir(parents=True)
    with sqlite3.connect(memory_path) as connection:
        connection.execute("CREATE TABLE invoices (number INTEGER)")
    connection.close()
    with pytest.raises(InputError, match="not a briefing translation memory"):
        TranslationMemory(memory_path)


def test_postgresql_memory_from_a_newer_version_is_refused(postgres_url: str) -> None:
    open_memory(postgres_url).close()
    with psycopg.connect(postgres_url) as connection:
        connection.execute("UPDATE briefing_schema SET version = 99")
    with pytest.raises(InputError, match="newer version"):
        open_memory(postgres_url)


def test_postgresql_memory_migrates_an_older_schema(postgres_url: str) -> None:
    """A database at schema 0 (only the version table, as a crashed first open could leave
    it) is brought up to date, and two openers at once both succeed."""
    with psycopg.connect(postgres_url) as connection:
        connection.execute("CREATE TABLE briefing_schema (version INTEGER NOT NULL)")
        connection.execute("INSERT INTO briefing_schema VALUES (0)")
    with open_memory(postgres_url) as first, open_memory(postgres_url) as second:
        first.store_machine({SUMMIT: machine("会談")}, KEY)
        assert second.lookup([SUMMIT], KEY)[SUMMIT].target == "会談"
    with psycopg.connect(postgres_url) as connection:
        assert connection.execute("SELECT version FROM briefing_schema").fetchall() == [
            (SCHEMA_VERSION,)
        ]


def test_postgresql_memory_of_schema_1_keeps_its_entries(postgres_url: str) -> None:
    """A team database written before keys followed each sentence's terms: its machine entry
    still answers under the glossary it was made with (and only that one), takes the
    sentence's terms key on the way, and its reviewed entry wins as before."""
    with psycopg.connect(postgres_url) as connection:
        connection.execute("CREATE TABLE briefing_schema (version INTEGER NOT NULL)")
        connection.execute("INSERT INTO briefing_schema VALUES (1)")
        connection.execute(SCHEMA_1.format(table="briefing_entries", flagged="BOOLEAN"))
        connection.execute(
            "INSERT INTO briefing_entries VALUES"
            " (%s, 'en', 'ja', 'machine', %s, 'fp-1', '会談', NULL, FALSE, 't0', 't0'),"
            " (%s, 'en', 'ja', 'reviewed', '', '', '協議', 'Sato', FALSE, 't0', 't0')",
            (SUMMIT, KEY.model, TALKS),
        )
    legacy = MemoryKey("en", "ja", KEY.model, legacy_glossary="fp-1")
    other = MemoryKey("en", "ja", KEY.model, legacy_glossary="fp-2")
    with open_memory(postgres_url) as memory:
        assert memory.lookup({SUMMIT: '["奈良"]'}, other) == {}
        assert memory.lookup({SUMMIT: '["奈良"]'}, legacy)[SUMMIT].target == "会談"
        assert memory.lookup({SUMMIT: '["奈良"]'}, KEY)[SUMMIT].target == "会談"  # re-keyed
        assert memory.lookup([TALKS], KEY)[TALKS] == MemoryEntry("協議", reviewed=True)
        assert memory.store_reviewed([ReviewedTranslation(TALKS, "en", "ja", "協議", "ok")], "B")
        assert memory.entries("ja", reviewed_only=True)[0].comment == "ok"


def test_unreachable_postgresql_memory_is_a_clear_error(postgres_server: object) -> None:
    url = "postgresql://briefing@/nothing?host=/nonexistent-socket-dir"
    with pytest.raises(BriefingError) as caught:
        open_memory(url)
    assert "cannot connect to the translation memory" in str(caught.value)
    assert "postgresql://briefing@/nothing" in str(caught.value)


def test_memory_from_a_newer_version_is_refused(memory_path: Path) -> None:
    TranslationMemory(memory_path).close()
    with sqlite3.connect(memory_path) as connection:
        connection.execute("PRAGMA user_version = 99")
    connection.close()
    with pytest.raises(InputError, match="newer version"):
        TranslationMemory(memory_path)


def test_memory_held_by_another_writer_beyond_the_timeout(memory_path: Path) -> None:
    TranslationMemory(memory_path).close()
    holder = sqlite3.connect(memory_path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with TranslationMemory(memory_path, timeout=0.2) as memory:
            assert memory.lookup([SUMMIT], KEY) == {}  # readers are not blocked (WAL)
            with pytest.raises(BriefingError, match="in use by another build") as caught:
                memory.store_machine({SUMMIT: machine("会談")}, KEY)
        assert str(memory_path) in str(caught.value)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    with TranslationMemory(memory_path) as memory:
        memory.store_machine({SUMMIT: machine("会談")}, KEY)
        assert memory.counts()["machine"] == 1


def _store_many(path: str, worker: int, batches: int, start: Barrier) -> None:
    start.wait()  # both workers write at the same time
    key = MemoryKey("en", "ja", "translate-en_ja@1.1")
    with open_memory(path) as memory:
        for batch in range(batches):
            targets = {
                f"Worker {worker} sentence {batch}-{i}.": MemoryEntry(
                    f"{worker}:{batch}:{i}", False
                )
                for i in range(5)
            }
            targets["A sentence both workers translate."] = machine(f"{worker}")
            memory.store_machine(targets, key)


def test_two_processes_storing_at_once_lose_no_entry(memory_location: str) -> None:
    context = multiprocessing.get_context("spawn")
    start = context.Barrier(2)
    batches = 150
    workers = [
        context.Process(target=_store_many, args=(memory_location, n, batches, start))
        for n in (1, 2)
    ]
    for process in workers:
        process.start()
    for process in workers:
        process.join(timeout=120)
    assert [p.exitcode for p in workers] == [0, 0]
    key = MemoryKey("en", "ja", "translate-en_ja@1.1")
    expected = {
        f"Worker {w} sentence {b}-{i}.": f"{w}:{b}:{i}"
        for w in (1, 2)
        for b in range(batches)
        for i in range(5)
    }
    with open_memory(memory_location) as memory:
        found = memory.lookup([*expected, "A sentence both workers translate."], key)
        assert memory.counts()["machine"] == len(expected) + 1
    assert {s: e.target for s, e in found.items() if s in expected} == expected
    assert found["A sentence both workers translate."].target in ("1", "2")


def test_killed_writer_leaves_whole_transactions_only(memory_location: str) -> None:
    writer = start_cli(memory_location, cwd=ROOT, child=children.memory_writer)
    assert writer.stdout is not None and writer.stdout.readline() == "writing\n"
    time.sleep(0.3)
    os.kill(writer.pid, signal.SIGKILL)
    writer.communicate(timeout=30)
    with open_memory(memory_location) as memory:
        stored = memory.counts()["machine"]
        if isinstance(memory, TranslationMemory):
            check = memory.connection.execute("PRAGMA integrity_check").fetchone()[0]
            assert check == "ok"
    assert stored >= 150 and stored % 50 == 0


def test_the_memory_goes_where_it_is_told_and_reads_no_environment(
    isolated_home: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The settings resolve --tm, BRIEFING_TM and briefing.toml; below them, a location is
    taken as given and None is the data folder, whatever the environment says."""
    monkeypatch.setenv("BRIEFING_TM", str(tmp_path / "env.sqlite"))
    data_folder = isolated_home / "xdg_data_home" / "briefing"
    assert resolve_location(None) == data_folder / "memory.sqlite"
    assert resolve_location(str(tmp_path / "opt.sqlite")) == tmp_path / "opt.sqlite"
    assert resolve_location("~/tm.sqlite") == isolated_home / "tm.sqlite"
    url = "postgresql://briefing@db.example/tm"
    assert resolve_location(url) == url
    with open_memory(None) as memory:
        memory.store_machine({SUMMIT: machine("会談")}, KEY)
    assert (data_folder / "memory.sqlite").is_file() and not (tmp_path / "env.sqlite").exists()


def _windows_folder(monkeypatch: pytest.MonkeyPatch, local_app_data: Path) -> Path:
    """platformdirs' answer on Windows, from %LOCALAPPDATA% (its Windows API calls are not
    there to make on this machine)."""
    from platformdirs import windows

    monkeypatch.setenv("LOCALAPPDATA", str(local_app_data))
    monkeypatch.setattr(windows, "_RESOLVE_WIN_FOLDER", windows.get_win_folder_from_env_vars)
    return Path(windows.Windows("briefing", appauthor=False).user_data_dir)


@pytest.mark.parametrize("platform", ["macOS", "Windows"])
def test_a_memory_at_the_old_place_is_used_until_one_exists_at_the_new(
    isolated_home: Path, monkeypatch: pytest.MonkeyPatch, platform: str
) -> None:
    """Earlier versions kept the memory in ~/.local/share/briefing on every platform: it stays
    the memory there until the platform's own data folder holds one."""
    from platformdirs.macos import MacOS

    monkeypatch.delenv("XDG_DATA_HOME")  # as on a Mac or a Windows machine
    if platform == "macOS":
        folder = Path(MacOS("briefing", appauthor=False).user_data_dir)
        assert folder == isolated_home / "Library" / "Application Support" / "briefing"
    else:
        folder = _windows_folder(monkeypatch, isolated_home / "AppData" / "Local")
        assert folder == isolated_home / "AppData" / "Local" / "briefing"
    new = folder / "memory.sqlite"
    old = isolated_home / ".local" / "share" / "briefing" / "memory.sqlite"
    assert default_memory_path(folder) == new  # a first memory goes to the new place
    with TranslationMemory(old) as memory:
        memory.store_machine({SUMMIT: machine("会談")}, KEY)
    assert default_memory_path(folder) == old
    with open_memory(str(default_memory_path(folder))) as memory:
        assert memory.lookup([SUMMIT], KEY)[SUMMIT].target == "会談"
    new.parent.mkdir(parents=True)
    TranslationMemory(new).close()
    assert default_memory_path(folder) == new


def test_the_old_place_follows_xdg_data_home(isolated_home: Path, tmp_path: Path) -> None:
    old = isolated_home / "xdg_data_home" / "briefing" / "memory.sqlite"
    TranslationMemory(old).close()
    assert default_memory_path(tmp_path / "new") == old


def test_default_memory_is_created_in_the_data_folder(isolated_home: Path) -> None:
    with open_memory(None) as memory:
        memory.store_machine({SUMMIT: machine("会談")}, KEY)
    path = isolated_home / "xdg_data_home" / "briefing" / "memory.sqlite"
    with sqlite3.connect(path) as connection:
        mode = connection.execute("PRAGMA journal_mode").fetchone()[0]
        version = connection.execute("PRAGMA user_version").fetchone()[0]
    connection.close()
    assert (mode, version) == ("wal", SCHEMA_VERSION)


def test_a_folder_is_not_a_memory(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="is a folder"):
        TranslationMemory(tmp_path)
