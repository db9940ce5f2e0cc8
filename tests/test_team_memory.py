"""The team set-up end to end, on a real PostgreSQL and a real LibreTranslate: builds through the
server with the memory in PostgreSQL, several builds and reviewers at once, a server killed
mid-build, and `briefing memory copy` between SQLite and PostgreSQL."""

from __future__ import annotations

import json
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import psycopg

from briefing.facts.schema import Facts
from briefing.memory.backend import open_memory
from tests.conftest import NARA, ROOT, TINY_PACKAGES, build_args, run_cli, start_cli
from tests.servers.libretranslate import LibreTranslateServers
from tests.servers.postgresql import PostgresServer
from tests.support import children
from tests.support.variants import write_variants

XLIFF = "urn:oasis:names:tc:xliff:document:1.2"


def _variants(folder: Path, count: int, start: int = 1) -> list[Path]:
    """Facts files like the Nara example whose every sentence is marked with its number."""
    paths = write_variants(folder, count + start - 1)[start - 1 :]
    return paths


def _machine_models(url: str) -> dict[str, int]:
    with psycopg.connect(url) as connection:
        [table] = connection.execute("SELECT to_regclass('briefing_entries')").fetchall()
        if not table[0]:
            return {}
        rows = connection.execute(
            "SELECT model, count(*) FROM briefing_entries WHERE origin = 'machine' GROUP BY model"
        ).fetchall()
    return {model: count for model, count in rows}


def test_nara_builds_through_libretranslate_with_the_memory_in_postgresql(
    libretranslate_servers: LibreTranslateServers, postgres_url: str, tmp_path: Path
) -> None:
    server = libretranslate_servers.start(list(TINY_PACKAGES.values()))
    options = ["--engine", "libretranslate", "--engine-url", server.url, "--tm", postgres_url]
    first = run_cli(
        "build", NARA, "--lang", "ja,ko", "--out", tmp_path / "a",
        "--report", tmp_path / "a.json", *options, cwd=tmp_path,
    )  # fmt: skip
    assert first.returncode == 0, first.stderr
    assert set(_machine_models(postgres_url)) == {
        f"libretranslate:en_{lang}@{server.url}" for lang in ("ja", "ko")
    }
    # A colleague's build (another output folder) finds every sentence in the shared memory.
    second = run_cli(
        "build", NARA, "--lang", "ja,ko", "--out", tmp_path / "b",
        "--report", tmp_path / "b.json", *options, cwd=tmp_path,
    )  # fmt: skip
    assert second.returncode == 0, second.stderr
    report = json.loads((tmp_path / "b.json").read_text())
    assert [d["segments"]["machine"] for d in report["documents"]] == [0, 0]
    assert all(d["segments"]["memory"] > 0 for d in report["documents"])
    for lang in ("ja", "ko"):
        name = f"{NARA.stem}.{lang}.docx"
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def _reviewed_file(source: Path, destination: Path) -> int:
    """A reviewer confirms every unit of an exported file; returns how many units."""
    ET.register_namespace("", XLIFF)
    tree = ET.parse(source)
    units = tree.getroot().iter(f"{{{XLIFF}}}trans-unit")
    count = 0
    for unit in units:
        target = unit.find(f"{{{XLIFF}}}target")
        if target is not None and (target.text or "").strip():
            target.set("state", "final")
            count += 1
    tree.write(destination, encoding="utf-8", xml_declaration=True)
    return count


def test_four_builds_and_two_reviewers_at_once_lose_nothing(
    postgres_url: str, tiny_models_dir: Path, tmp_path: Path
) -> None:
    models: list[str | Path] = ["--models-dir", tiny_models_dir, "--tm", postgres_url]
    setup = run_cli("build", NARA, "--lang", "ja,ko", "--out", tmp_path / "out", *models,
                    cwd=tmp_path)  # fmt: skip
    assert setup.returncode == 0, setup.stderr
    files = {}
    for lang in ("ja", "ko"):
        exported = tmp_path / f"nara.{lang}.xlf"
        result = run_cli("review", "export", NARA, "--lang", lang, "-o", exported,
                         *models, cwd=tmp_path)  # fmt: skip
        assert result.returncode == 0, result.stderr
        files[lang] = (tmp_path / f"reviewed.{lang}.xlf", 0)
        files[lang] = (files[lang][0], _reviewed_file(exported, files[lang][0]))
    machine_before = sum(_machine_models(postgres_url).values())
    variants = _variants(tmp_path / "variants", 4)

    processes = [
        start_cli(
            *build_args(
                path,
                lang="ja,ko",
                out=tmp_path / path.stem,
                models_dir=tiny_models_dir,
                tm=postgres_url,
            ),
            cwd=tmp_path,
        )  # fmt: skip
        for path in variants
    ] + [
        start_cli(
            "review",
            "import",
            path,
            "--reviewer",
            f"Reviewer {lang}",
            "--tm",
            postgres_url,
            cwd=tmp_path,
        )  # fmt: skip
        for lang, (path, _) in files.items()
    ]
    outputs = [p.communicate(timeout=300) for p in processes]
    assert [p.returncode for p in processes] == [0] * 6, outputs

    with open_memory(postgres_url) as memory:
        counts = memory.counts()
        assert counts["reviewed"] == sum(units for _, units in files.values())
        # Every sentence of every variant is in the memory, for both languages.
        from briefing.facts.load import load_facts
        from briefing.translation.segments import split_segments

        for path in variants:
            facts = load_facts(path)[0]
            segments = {s for text in _texts(facts) for s in split_segments(text)}
            assert set(memory.entries_for(segments, "en", "ja")) == segments
    assert sum(_machine_models(postgres_url).values()) > machine_before


def test_a_server_killed_mid_write_leaves_whole_batches_and_a_clean_error(
    postgres_server: PostgresServer, postgres_url: str
) -> None:
    writer = start_cli(postgres_url, cwd=ROOT, child=children.memory_writer)
    try:
        assert writer.stdout is not None and writer.stdout.readline() == "writing\n"
        time.sleep(0.3)
        postgres_server.kill()
        _, errors = writer.communicate(timeout=60)
    finally:
        if writer.poll() is None:
            writer.kill()
        if not (postgres_server.data / "postmaster.pid").exists() or not _running(postgres_server):
            postgres_server.start()
    assert writer.returncode == 2, errors
    assert "lost the connection to the translation memory" in errors
    assert "Traceback" not in errors
    with open_memory(postgres_url) as memory:
        stored = memory.counts()["machine"]
    assert stored >= 150 and stored % 50 == 0


def test_a_server_killed_mid_build_fails_the_build_cleanly(
    postgres_server: PostgresServer, postgres_url: str, tiny_models_dir: Path, tmp_path: Path
) -> None:
    """The memory goes away while the second language is being translated: the first language's
    batch is stored whole, the second's not at all, and the build says so with exit status 2."""
    variants = _variants(tmp_path / "variants", 6)
    build = start_cli(
        *build_args(
            *variants, lang="ja,ko", out=tmp_path / "out", models_dir=tiny_models_dir,
            tm=postgres_url,
        ),
        cwd=tmp_path,
    )  # fmt: skip
    killed = False
    try:
        deadline = time.monotonic() + 120
        while not _machine_models(postgres_url) and time.monotonic() < deadline:
            assert build.poll() is None, build.communicate()
            time.sleep(0.02)
        postgres_server.kill()
        killed = True
        _, errors = build.communicate(timeout=120)
    finally:
        if build.poll() is None:
            build.kill()
        if killed:
            postgres_server.start()
    assert build.returncode == 2, errors
    assert "lost the connection to the translation memory" in errors
    assert "Traceback" not in errors
    with open_memory(postgres_url) as memory:
        by_language = {
            lang: len(memory.entries_for(_all_segments(variants), "en", lang))
            for lang in ("ja", "ko")
        }
    assert by_language == {"ja": len(_all_segments(variants)), "ko": 0}
    assert (tmp_path / "out" / f"{variants[0].stem}.ja.docx").exists()
    assert not (tmp_path / "out" / f"{variants[0].stem}.ko.docx").exists()


def _texts(facts: Facts) -> list[str]:
    """The free texts a build translates, as the build derives them."""
    from briefing.translation.texts import texts_to_translate

    return texts_to_translate(facts)


def _running(server: PostgresServer) -> bool:
    try:
        with psycopg.connect(server.url(), connect_timeout=2):
            return True
    except psycopg.OperationalError:
        return False


def _all_segments(paths: list[Path]) -> set[str]:
    from briefing.facts.load import load_facts
    from briefing.translation.segments import split_segments

    return {
        s for path in paths for text in _texts(load_facts(path)[0]) for s in split_segments(text)
    }


def test_memory_copy_between_sqlite_and_postgresql(
    postgres_url: str, tiny_models_dir: Path, tmp_path: Path
) -> None:
    sqlite_path = tmp_path / "tm.sqlite"
    built = run_cli("build", NARA, "--lang", "ja", "--out", tmp_path / "out",
                    "--models-dir", tiny_models_dir, "--tm", sqlite_path, cwd=tmp_path)  # fmt: skip
    assert built.returncode == 0, built.stderr
    there = run_cli("memory", "copy", sqlite_path, postgres_url, cwd=tmp_path)
    assert there.returncode == 0, there.stderr
    back = run_cli("memory", "copy", postgres_url, tmp_path / "back.sqlite", cwd=tmp_path)
    assert back.returncode == 0, back.stderr
    with open_memory(sqlite_path) as original, open_memory(tmp_path / "back.sqlite") as copied:
        rows = list(original.entries())
        assert rows and list(copied.entries()) == rows
    with open_memory(postgres_url) as shared:
        assert list(shared.entries()) == rows
