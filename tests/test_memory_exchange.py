"""Translation memory exchange: TMX 1.4b out (checked against the DTD), back into a fresh memory
with the same content, other tools' memories in as reviewed; stats."""

from __future__ import annotations

import contextlib
import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from briefing.memory.interface import MemoryEntry, MemoryKey, ReviewedTranslation
from briefing.memory.sqlite import TranslationMemory
from tests.conftest import FIXTURES, NARA, ROOT, invoke, run_cli
from tests.support import children

JA = MemoryKey("en", "ja", "translate-en_ja@1.1")
KO = MemoryKey("en", "ko", "translate-en_ko@1.1")
SUMMIT = "The two leaders met in Nara."
TALKS = "Prime Minister Sanae Takaichi agreed to open talks."
COLUMNS = "segment, source_lang, target_lang, origin, model, terms, target, reviewer, flagged,"
COLUMNS += " created, updated, comment"


def rows(path: Path) -> set[tuple[Any, ...]]:
    with contextlib.closing(sqlite3.connect(path)) as connection:
        return set(connection.execute(f"SELECT {COLUMNS} FROM entries"))


@pytest.fixture
def memory(tmp_path: Path) -> Path:
    path = tmp_path / "memory.sqlite"
    with TranslationMemory(path) as tm:
        tm.store_machine(
            {
                SUMMIT: MemoryEntry("両首脳は奈良で会談した。", False),
                TALKS: MemoryEntry("協議", False, True),
            },
            JA,
            {SUMMIT: "", TALKS: '["高市早苗"]'},
        )
        tm.store_machine(
            {SUMMIT: MemoryEntry("두 정상은 나라에서 만났다.", False)}, KO, {SUMMIT: ""}
        )
        tm.store_reviewed(
            [
                ReviewedTranslation(
                    TALKS,
                    "en",
                    "ja",
                    "高市早苗内閣総理大臣は協議開始に合意した。",
                    "Check the title.",
                )
            ],
            "Sato Hanako",
        )
    return path


def tmx_dtd() -> etree.DTD:
    return etree.DTD(str(FIXTURES / "tmx" / "tmx14.dtd"))


def parse(path: Path) -> etree._ElementTree:
    return etree.parse(str(path), etree.XMLParser(resolve_entities=False, no_network=True))


def test_export_is_valid_tmx_14b_with_origin_reviewer_and_dates(
    memory: Path, tmp_path: Path
) -> None:
    output = tmp_path / "all.tmx"
    result = invoke("memory", "export", "-o", output, "--tm", memory)
    assert result.returncode == 0, result.stderr
    tree = parse(output)
    dtd = tmx_dtd()
    assert dtd.validate(tree), dtd.error_log.filter_from_errors()
    root = tree.getroot()
    assert root.get("version") == "1.4" and root.find("header").get("creationtool") == "briefing"
    units = root.findall("body/tu")
    assert len(units) == 4
    reviewed = [u for u in units if u.findtext("prop[@type='x-briefing-origin']") == "reviewed"]
    assert len(reviewed) == 1
    assert reviewed[0].get("creationid") == "Sato Hanako"
    assert reviewed[0].findtext("note") == "Check the title."
    assert len(reviewed[0].get("changedate", "")) == len("20260114T090000Z")
    machine = [u for u in units if u.findtext("prop[@type='x-briefing-model']")]
    assert {u.findtext("prop[@type='x-briefing-model']") for u in machine} == {
        "translate-en_ja@1.1",
        "translate-en_ko@1.1",
    }


def test_the_dtd_check_catches_a_broken_file(memory: Path, tmp_path: Path) -> None:
    output = tmp_path / "all.tmx"
    assert invoke("memory", "export", "-o", output, "--tm", memory).returncode == 0
    tree = parse(output)
    tree.getroot().find("body/tu").set("colour", "red")
    assert not tmx_dtd().validate(tree)


def test_language_and_reviewed_only_filters(memory: Path, tmp_path: Path) -> None:
    output = tmp_path / "ko.tmx"
    assert invoke("memory", "export", "-o", output, "--tm", memory, "--lang", "ko").returncode == 0
    langs = {
        tuv.get("{http://www.w3.org/XML/1998/namespace}lang") for tuv in parse(output).iter("tuv")
    }
    assert langs == {"en", "ko"}
    reviewed = tmp_path / "reviewed.tmx"
    exported = invoke("memory", "export", "-o", reviewed, "--tm", memory, "--reviewed-only")
    assert exported.returncode == 0
    assert len(parse(reviewed).findall("body/tu")) == 1


def test_import_into_a_fresh_memory_gives_the_same_content(memory: Path, tmp_path: Path) -> None:
    output = tmp_path / "all.tmx"
    assert invoke("memory", "export", "-o", output, "--tm", memory).returncode == 0
    fresh = tmp_path / "fresh.sqlite"
    # the person who reviewed imports her own export: nothing to tell apart
    result = invoke("memory", "import", output, "--tm", fresh, "--reviewer", "Sato Hanako")
    assert result.returncode == 0, result.stderr
    assert "imported 4 entries" in result.stdout and "names" not in result.stdout
    ours = rows(memory)
    theirs = rows(fresh)
    # TMX dates are to the second
    assert {r[:9] + (r[11],) for r in theirs} == {r[:9] + (r[11],) for r in ours}
    assert {(r[9][:19], r[10][:19]) for r in theirs} == {(r[9][:19], r[10][:19]) for r in ours}


OTHER_TOOL = """<?xml version="1.0" encoding="UTF-8"?>
<tmx version="1.4">
  <header creationtool="OmegaT" creationtoolversion="6" segtype="sentence" o-tmf="OmegaT TMX"
          adminlang="EN-US" srclang="EN-US" datatype="plaintext"/>
  <body>
    <tu>
      <tuv xml:lang="EN-US"><seg>The two leaders met in Nara.</seg></tuv>
      <tuv xml:lang="JA-JP"><seg>両首脳は奈良で会談を行った。</seg></tuv>
    </tu>
    <tu>
      <tuv xml:lang="EN-US"><seg>Good morning.</seg></tuv>
      <tuv xml:lang="FR-FR"><seg>Bonjour.</seg></tuv>
    </tu>
    {extra}
  </body>
</tmx>
"""


def test_another_tools_memory_comes_in_as_reviewed_by_the_importer(
    memory: Path, tmp_path: Path
) -> None:
    source = tmp_path / "omegat.tmx"
    source.write_text(OTHER_TOOL.format(extra=""), encoding="utf-8")
    result = invoke("memory", "import", source, "--tm", memory, "--reviewer", "Kim")
    assert result.returncode == 0, result.stderr
    with TranslationMemory(memory) as tm:
        entry = tm.entries_for([SUMMIT], "en", "ja")[SUMMIT]
    assert (entry.origin, entry.reviewer, entry.target) == (
        "reviewed",
        "Kim",
        "両首脳は奈良で会談を行った。",
    )
    assert "1 entries" in result.stdout and "1 units in other languages" in result.stdout


def test_a_broken_tmx_imports_nothing(memory: Path, tmp_path: Path) -> None:
    source = tmp_path / "bad.tmx"
    source.write_text(OTHER_TOOL.format(extra="<tu><tuv"), encoding="utf-8")
    reason = "not a TMX file"
    before = rows(memory)
    result = invoke("memory", "import", source, "--tm", memory, "--reviewer", "Kim")
    assert result.returncode == 2 and str(source) in result.stderr and reason in result.stderr
    assert "nothing was imported" in result.stderr
    assert rows(memory) == before


def test_a_tmx_target_may_be_8_times_its_source_as_in_a_review_file(
    memory: Path, tmp_path: Path
) -> None:
    """One limit on a target's length for every file that fills the memory (README: 8 times
    its English source, at least 400 characters)."""
    english = "Long sentence " * 7 + "Nara."  # 103 characters: the limit is 824
    unit = '<tu><tuv xml:lang="en"><seg>{0}</seg></tuv><tuv xml:lang="ja"><seg>{1}</seg></tuv></tu>'
    source = tmp_path / "long.tmx"
    source.write_text(OTHER_TOOL.format(extra=unit.format(english, "長" * 825)), encoding="utf-8")
    left_out = invoke("memory", "import", source, "--tm", memory, "--reviewer", "Kim")
    assert left_out.returncode == 0, left_out.stderr
    assert "left out: 1 with a target over the limit" in left_out.stdout
    assert "<tu> 3 (line 14) (ja: 825 of 824)" in left_out.stdout
    with TranslationMemory(memory) as tm:
        assert english not in tm.entries_for([english], "en", "ja")
    source.write_text(OTHER_TOOL.format(extra=unit.format(english, "長" * 824)), encoding="utf-8")
    accepted = invoke("memory", "import", source, "--tm", memory, "--reviewer", "Kim")
    assert accepted.returncode == 0, accepted.stderr
    with TranslationMemory(memory) as tm:
        assert tm.entries_for([english], "en", "ja")[english].target == "長" * 824


def test_entities_are_refused(memory: Path, tmp_path: Path) -> None:
    source = tmp_path / "bomb.tmx"
    text = OTHER_TOOL.format(extra="").replace(
        "<tmx ", '<!DOCTYPE tmx [<!ENTITY a "aaaaaaaaaa">]>\n<tmx ', 1
    )
    source.write_text(text, encoding="utf-8")
    result = invoke("memory", "import", source, "--tm", memory, "--reviewer", "Kim")
    assert result.returncode == 2 and "ENTITY" in result.stderr


def test_stats_counts_entries_per_language_origin_and_model(memory: Path) -> None:
    result = invoke("memory", "stats", "--tm", memory)
    assert result.returncode == 0, result.stderr
    lines = [" ".join(line.split()) for line in result.stdout.splitlines()]
    assert "ja machine translate-en_ja@1.1 2" in lines
    assert "ja reviewed - 1" in lines
    assert "ko machine translate-en_ko@1.1 1" in lines
    assert any(line.startswith("total 4") for line in lines)


def test_export_refuses_to_overwrite_the_memory(memory: Path) -> None:
    before = memory.read_bytes()
    result = invoke("memory", "export", "-o", memory, "--tm", memory, "--force")
    assert result.returncode == 2
    assert memory.read_bytes() == before


@pytest.mark.parametrize("command", ["memory export", "review export"])
@pytest.mark.parametrize("target", ["wal", "database named as an export"])
def test_no_export_writes_over_a_memory_even_forced(
    memory: Path, tmp_path: Path, command: str, target: str
) -> None:
    """Both exports ask the memory's one guard: never its -wal file, nor any SQLite database
    whatever its name, --force or not."""
    if target == "wal":
        output = Path(f"{memory}-wal")
    else:
        output = tmp_path / "export.xlf"
        TranslationMemory(output).close()
    before = output.read_bytes() if output.exists() else None
    extra: list[str | Path] = [NARA, "--lang", "ja"] if command == "review export" else []
    result = invoke(*command.split(), *extra, "-o", output, "--tm", memory, "--force")
    assert result.returncode == 2 and "will not write" in result.stderr, result.stderr
    assert (output.read_bytes() if output.exists() else None) == before


def test_help_of_the_review_and_memory_commands_imports_no_exchange_library() -> None:
    """`--help` stays fast: TMX, XML, Word and the model runtime load only when a command runs."""
    commands = [[], ["memory"], ["review", "export"]]
    done = run_cli(
        json.dumps(commands), cwd=ROOT, timeout=60, child=children.heavy_modules_after_help
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.splitlines()[-1]) == [], done.stdout + done.stderr


def test_a_team_memory_exchanges_the_same_tmx(
    memory: Path, tmp_path: Path, postgres_url: str
) -> None:
    """SQLite → TMX → PostgreSQL → TMX: the team's memory holds and gives back the same entries,
    and counts them alike."""
    first, second = tmp_path / "first.tmx", tmp_path / "second.tmx"
    assert invoke("memory", "export", "-o", first, "--tm", memory).returncode == 0
    imported = invoke("memory", "import", first, "--tm", postgres_url, "--reviewer", "Sato Hanako")
    assert imported.returncode == 0, imported.stderr
    assert invoke("memory", "export", "-o", second, "--tm", postgres_url).returncode == 0

    def units(path: Path) -> list[bytes]:
        return [etree.tostring(tu) for tu in parse(path).findall("body/tu")]

    assert units(second) == units(first) and len(units(first)) == 4
    counts = [
        invoke("memory", "stats", "--tm", where).stdout.splitlines()[1:]
        for where in (memory, postgres_url)
    ]
    assert counts[0] == counts[1]
