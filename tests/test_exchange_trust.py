"""What a TMX or XLIFF file may claim, and what an import records: the person importing as the
reviewer (never a name the file alone asserts), dates no later than the import, plain text only
(one rule for inline codes in both formats), one length limit, every text cleaned; and hostile
files (entities, deep nesting, huge attributes, special files) refused or left out, counted.

Real SQLite memories throughout; where the machine-translation notice matters, the Nara example
built with the tiny packages and read back with python-docx."""

from __future__ import annotations

import contextlib
import datetime as dt
import getpass
import os
import sqlite3
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import docx
import pytest
from lxml import etree

from briefing.memory.interface import (
    MAX_LABEL,
    MemoryEntry,
    MemoryKey,
    ReviewedTranslation,
    target_limit,
)
from briefing.memory.sqlite import TranslationMemory
from briefing.review.xliff import XLIFF_NS
from tests import review_support
from tests.conftest import invoke
from tests.review_support import Workspace, copy_workspace, notice_paragraphs

review_base = review_support.review_base  # the session's built example, a fixture

JA = MemoryKey("en", "ja", "translate-en_ja@1.1")
SUMMIT = "The two leaders met in Nara."
TALKS = "The leaders agreed to open talks."
NS = {"x": XLIFF_NS}
ORIGIN = '<prop type="x-briefing-origin">{}</prop>'


def tu(source: str, target: str, attrs: str = "", inside: str = "", lang: str = "ja") -> str:
    return (
        f"<tu {attrs}>{inside}<tuv xml:lang='en'><seg>{source}</seg></tuv>"
        f"<tuv xml:lang='{lang}'><seg>{target}</seg></tuv></tu>"
    )


def tmx(*units: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<tmx version="1.4">\n'
        '<header creationtool="x" creationtoolversion="1" segtype="sentence" o-tmf="x"'
        ' adminlang="en" srclang="en" datatype="plaintext"/>\n<body>\n'
        + "\n".join(units)
        + "\n</body>\n</tmx>\n"
    )


def rows(path: Path) -> list[dict[str, Any]]:
    with contextlib.closing(sqlite3.connect(path)) as connection:
        connection.row_factory = sqlite3.Row
        return [dict(row) for row in connection.execute("SELECT * FROM entries ORDER BY segment")]


def import_tmx(tmp_path: Path, text: str, *options: str, tm: Path | None = None) -> Any:
    source = tmp_path / "in.tmx"
    source.write_text(text, encoding="utf-8")
    return invoke("memory", "import", source, "--tm", tm or tmp_path / "tm.sqlite", *options)


@pytest.fixture
def no_login(monkeypatch: pytest.MonkeyPatch) -> None:
    """A system that cannot say who runs the command (no LOGNAME, USER, … nor passwd entry)."""

    def unknown() -> str:
        raise OSError("No username set in the environment")

    monkeypatch.setattr(getpass, "getuser", unknown)


# -- 1. who reviewed: the person importing ---------------------------------------------------


def test_the_importer_is_recorded_and_a_reviewer_the_file_names_only_noted(
    tmp_path: Path,
) -> None:
    text = tmx(
        tu(
            SUMMIT,
            "両首脳は奈良で会談した。",
            'creationid="Sato Hanako"',
            ORIGIN.format("reviewed"),
        ),
        tu(
            TALKS,
            "首脳は協議開始に合意した。",
            "",
            ORIGIN.format("reviewed") + "<note>Check.</note>",
        ),
    )
    result = import_tmx(tmp_path, text, "--reviewer", "Mallory")
    assert result.returncode == 0, result.stderr
    stored = {row["segment"]: row for row in rows(tmp_path / "tm.sqlite")}
    assert {row["reviewer"] for row in stored.values()} == {"Mallory"}
    assert stored[SUMMIT]["comment"] == "Reviewer named in the TMX file: Sato Hanako"
    assert stored[TALKS]["comment"] == "Check."
    assert "recorded as reviewed by Mallory" in result.stdout
    assert "reviewers the file names, kept in the entries' notes" in result.stdout
    assert "Sato Hanako (1)" in result.stdout


def test_a_file_naming_many_reviewers_gets_a_summary_of_a_few_lines(tmp_path: Path) -> None:
    units = [tu(f"Sentence {n}.", f"文{n}。", f'creationid="{"N" * 190}{n}"') for n in range(40)]
    result = import_tmx(tmp_path, tmx(*units), "--reviewer", "Kim")
    assert result.returncode == 0, result.stderr
    assert "and 35 others" in result.stdout and len(result.stdout) < 2000
    assert {r["reviewer"] for r in rows(tmp_path / "tm.sqlite")} == {"Kim"}


def test_without_reviewer_the_login_name_is_recorded(tmp_path: Path) -> None:
    text = tmx(tu(SUMMIT, "両首脳は奈良で会談した。", 'changeid="Sato Hanako"'))
    result = import_tmx(tmp_path, text, tm=tmp_path / "tm.sqlite")
    assert result.returncode == 0, result.stderr
    (row,) = rows(tmp_path / "tm.sqlite")
    assert row["reviewer"] == getpass.getuser() != "Sato Hanako"


def test_without_any_name_reviewed_entries_are_refused_and_machine_ones_come_in(
    tmp_path: Path, no_login: None
) -> None:
    memory = tmp_path / "tm.sqlite"
    TranslationMemory(memory).close()
    reviewed = tmx(tu(SUMMIT, "両首脳は奈良で会談した。", 'creationid="Sato Hanako"'))
    result = import_tmx(tmp_path, reviewed)
    assert result.returncode == 2 and "--reviewer NAME" in result.stderr
    assert rows(memory) == []
    machine = ORIGIN.format("machine") + '<prop type="x-briefing-model">m@1</prop>'
    result = import_tmx(tmp_path, tmx(tu(SUMMIT, "機械訳。", 'creationid="Sato"', machine)))
    assert result.returncode == 0, result.stderr
    assert [(r["origin"], r["reviewer"]) for r in rows(memory)] == [("machine", None)]


def test_a_review_import_without_any_name_is_refused(
    tmp_path: Path, no_login: None, review_base: Workspace
) -> None:
    space = copy_workspace(review_base, tmp_path / "copy")
    xlf = space.root / "ja.xlf"
    assert space.export(xlf).returncode == 0
    result = space.import_(xlf)
    assert result.returncode == 2 and "--reviewer NAME" in result.stderr
    assert space.import_(xlf, "--reviewer", "Sato").returncode == 0


@pytest.mark.parametrize("command", ["memory", "review"])
def test_a_reviewer_name_over_the_limit_is_refused(tmp_path: Path, command: str) -> None:
    source = tmp_path / ("in.tmx" if command == "memory" else "in.xlf")
    source.write_text(tmx(tu(SUMMIT, "訳。")), encoding="utf-8")
    result = invoke(command, "import", source, "--tm", tmp_path / "tm.sqlite",
                    "--reviewer", "N" * (MAX_LABEL + 1))  # fmt: skip
    assert result.returncode == 2 and f"at most {MAX_LABEL}" in result.stderr
    assert not (tmp_path / "tm.sqlite").exists() or rows(tmp_path / "tm.sqlite") == []


def test_a_tmx_that_claims_every_sentence_reviewed_lifts_the_notice_only_in_the_importers_name(
    review_base: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The document's notice goes when every sentence is reviewed: by a TMX import only when a
    known person imports it, and then the memory names that person, not the file's."""
    space = copy_workspace(review_base, tmp_path / "copy")
    exported = tmp_path / "all.tmx"
    assert invoke("memory", "export", "-o", exported, "--tm", space.tm).returncode == 0
    tree = etree.parse(str(exported))
    for number, seg in enumerate(tree.getroot().iterfind("body/tu/tuv[2]/seg")):
        seg.text = f"確認済みの訳{number}。"  # the file's own text (the tiny models' is long)
    for unit in tree.getroot().iter("tu"):
        for prop in unit.findall("prop"):
            if prop.get("type") == "x-briefing-origin":
                prop.text = "reviewed"
            else:
                unit.remove(prop)
        unit.set("creationid", "Sato Hanako")
        unit.set("changedate", "99991231T235959Z")
    first = tree.getroot().find("body/tu/tuv[2]/seg")
    assert first is not None
    first.text = "\u202e確認済みの訳0。\u2066"
    tree.write(str(exported), encoding="utf-8")
    assert notice_paragraphs(space.document)

    def unknown() -> str:
        raise OSError("no name")

    with monkeypatch.context() as patch:
        patch.setattr(getpass, "getuser", unknown)
        refused = invoke("memory", "import", exported, "--tm", space.tm)
    assert refused.returncode == 2
    space.build()
    assert notice_paragraphs(space.document), "nothing was imported: still machine output"

    imported = invoke("memory", "import", exported, "--tm", space.tm, "--reviewer", "Mallory")
    assert imported.returncode == 0, imported.stderr
    reviewed = [row for row in rows(space.tm) if row["origin"] == "reviewed"]
    assert reviewed and {row["reviewer"] for row in reviewed} == {"Mallory"}
    assert all(row["comment"].endswith("TMX file: Sato Hanako") for row in reviewed)
    soon = dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=1)
    assert all(dt.datetime.fromisoformat(row["updated"]) < soon for row in reviewed)
    assert f"{len(reviewed)} dates later than now" in imported.stdout
    built = space.build()
    assert notice_paragraphs(space.document) == [], imported.stdout + built.stdout
    text = "\n".join(p.text for p in docx.Document(str(space.document)).paragraphs)
    assert "確認済みの訳0。" in text and "\u202e" not in text and "\u2066" not in text


# -- 2. dates ------------------------------------------------------------------------------


def test_a_date_in_the_future_does_not_pin_an_entry(tmp_path: Path) -> None:
    memory = tmp_path / "tm.sqlite"
    future = ORIGIN.format("reviewed")
    pinned = tu(SUMMIT, "古い訳。", 'changedate="99991231T235959Z"', future)
    first = import_tmx(tmp_path, tmx(pinned), "--reviewer", "Kim")
    assert first.returncode == 0 and "1 dates later than now" in first.stdout
    (row,) = rows(memory)
    now = dt.datetime.now(dt.timezone.utc)
    assert abs(dt.datetime.fromisoformat(row["updated"]) - now) < dt.timedelta(minutes=5)
    # a day of clock skew is believed
    soon = (now + dt.timedelta(hours=20)).strftime("%Y%m%dT%H%M%SZ")
    later = tu(SUMMIT, "新しい訳。", f'changedate="{soon}"', future)
    second = import_tmx(tmp_path, tmx(later), "--reviewer", "Kim")
    assert second.returncode == 0 and "later than now" not in second.stdout
    assert [r["target"] for r in rows(memory)] == ["新しい訳。"]
    assert "imported 1 entries" in second.stdout


def test_the_summary_says_what_an_older_entry_did_not_replace(tmp_path: Path) -> None:
    memory = tmp_path / "tm.sqlite"
    with TranslationMemory(memory) as tm:
        tm.store_reviewed([ReviewedTranslation(SUMMIT, "en", "ja", "今の訳。")], "Kim")
    old = tu(SUMMIT, "昔の訳。", 'changedate="20200101T000000Z"', ORIGIN.format("reviewed"))
    new = tu(TALKS, "協議。", 'changedate="20200101T000000Z"', ORIGIN.format("reviewed"))
    result = import_tmx(tmp_path, tmx(old, new), "--reviewer", "Kim")
    assert result.returncode == 0, result.stderr
    assert "imported 1 entries" in result.stdout
    assert "kept: 1 the memory already held as they are or newer" in result.stdout
    assert {r["segment"]: r["target"] for r in rows(memory)}[SUMMIT] == "今の訳。"


@pytest.mark.parametrize(
    ("date", "said"),
    [("00010101T000000Z", ""), ("2026-01-13", "unreadable"), ("20261341T999999Z", "unreadable")],
    ids=["year 1", "ISO, not TMX", "impossible"],
)
def test_dates_far_in_the_past_or_unreadable_import_and_export_back(
    tmp_path: Path, date: str, said: str
) -> None:
    memory = tmp_path / "tm.sqlite"
    unit = tu(
        SUMMIT, "訳。", f'creationdate="{date}" changedate="{date}"', ORIGIN.format("reviewed")
    )
    result = import_tmx(tmp_path, tmx(unit), "--reviewer", "Kim")
    assert result.returncode == 0, result.stderr
    assert (f"2 dates {said}" in result.stdout) == bool(said)
    (row,) = rows(memory)
    exported = tmp_path / "out.tmx"
    assert invoke("memory", "export", "-o", exported, "--tm", memory).returncode == 0
    again = tmp_path / "again.sqlite"
    back = invoke("memory", "import", exported, "--tm", again, "--reviewer", "Kim")
    assert back.returncode == 0 and " dates " not in back.stdout, back.stdout
    assert rows(again)[0]["updated"][:19] == row["updated"][:19]
    if not said:
        assert row["updated"].startswith("0001-01-01")


# -- 3. inline codes: one rule for TMX and XLIFF ---------------------------------------------


@pytest.mark.parametrize(
    "code",
    [
        "<ph>&lt;br/&gt;</ph>",
        '<bpt i="1">&lt;b&gt;</bpt>奈良<ept i="1">&lt;/b&gt;</ept>',
        '<it pos="begin">&lt;i&gt;</it>',
        "<ut>{0}</ut>",
        "<hi><ph>x</ph></hi>",
        "<ph>x<sub>footnote</sub></ph>",
    ],
)
def test_a_tmx_segment_with_inline_codes_is_left_out_and_named(tmp_path: Path, code: str) -> None:
    text = tmx(tu(SUMMIT, f"両首脳は{code}で会談した。"), tu(TALKS, "協議に合意した。"))
    result = import_tmx(tmp_path, text, "--reviewer", "Kim")
    assert result.returncode == 0, result.stderr
    assert [r["target"] for r in rows(tmp_path / "tm.sqlite")] == ["協議に合意した。"]
    assert "left out: 1 with inline codes" in result.stdout and "<tu> 1 " in result.stdout


def test_a_tmx_source_with_inline_codes_is_left_out_and_hi_keeps_its_text(tmp_path: Path) -> None:
    text = tmx(
        tu("The two leaders met in <ph>{0}</ph>.", "奈良で会談。"),
        tu(TALKS, "首脳は<hi>協議</hi>開始に合意した。"),
    )
    result = import_tmx(tmp_path, text, "--reviewer", "Kim")
    assert result.returncode == 0, result.stderr
    assert [(r["segment"], r["target"]) for r in rows(tmp_path / "tm.sqlite")] == [
        (TALKS, "首脳は協議開始に合意した。")
    ]
    assert "left out: 1 with inline codes (<ph>)" in result.stdout


@pytest.fixture
def review_space(review_base: Workspace, tmp_path: Path) -> tuple[Workspace, Path]:
    space = copy_workspace(review_base, tmp_path / "copy")
    xlf = space.root / "ja.xlf"
    assert space.export(xlf).returncode == 0
    return space, xlf


def _targets(xlf: Path) -> list[ET.Element]:
    ET.register_namespace("", XLIFF_NS)
    return list(ET.parse(xlf).getroot().iterfind(".//x:trans-unit/x:target", NS))


def _edit_targets(xlf: Path, fill: dict[int, str]) -> None:
    """Replace targets (by position) with XML fragments, as a CAT tool would save them."""
    ET.register_namespace("", XLIFF_NS)
    tree = ET.parse(xlf)
    targets = list(tree.getroot().iterfind(".//x:trans-unit/x:target", NS))
    for number, fragment in fill.items():
        replacement = ET.fromstring(f'<target xmlns="{XLIFF_NS}">{fragment}</target>')
        target = targets[number]
        target.clear()
        target.text = replacement.text
        target.extend(list(replacement))
    tree.write(xlf, encoding="utf-8", xml_declaration=True)


def test_an_xliff_target_with_inline_codes_is_left_out_as_in_tmx(
    review_space: tuple[Workspace, Path],
) -> None:
    space, xlf = review_space
    _edit_targets(
        xlf,
        {
            0: '修正<x id="1"/>した訳。',
            1: '<bpt id="1">&lt;b&gt;</bpt>太字<ept id="1">&lt;/b&gt;</ept>',
            2: '<g id="1">包まれた</g><mrk mtype="term">訳</mrk>。',
        },
    )
    result = space.import_(xlf, "--reviewer", "Sato")
    assert result.returncode == 0, result.stderr
    assert "imported 1 units as reviewed" in result.stdout and "2 left out" in result.stdout
    assert result.stdout.count("inline codes (<x>)") == 1
    assert result.stdout.count("inline codes (<bpt>, <ept>)") == 1
    reviewed = {row[3] for row in review_support.reviewed_rows(space.tm)}
    assert reviewed == {"包まれた訳。"}


# -- 4. one length limit, and limits on everything a file brings ------------------------------


def test_a_memory_at_every_limit_exports_and_imports_back_whole(tmp_path: Path) -> None:
    memory = tmp_path / "full.sqlite"
    limit = target_limit(TALKS)
    with TranslationMemory(memory) as tm:
        tm.store_machine({SUMMIT: MemoryEntry("訳" * target_limit(SUMMIT), False, True)}, JA)
        long_model = MemoryKey("en", "ja", "m" * MAX_LABEL)
        tm.store_machine({SUMMIT: MemoryEntry("機械訳。", False)}, long_model, {SUMMIT: ""})
        note = "注" * limit
        tm.store_reviewed([ReviewedTranslation(TALKS, "en", "ja", "訳" * limit, note)], "R" * 200)
    exported = tmp_path / "full.tmx"
    assert invoke("memory", "export", "-o", exported, "--tm", memory).returncode == 0
    fresh = tmp_path / "fresh.sqlite"
    result = invoke("memory", "import", exported, "--tm", fresh, "--reviewer", "R" * 200)
    assert result.returncode == 0, result.stderr
    assert "imported 3 entries" in result.stdout and "left out" not in result.stdout
    assert len(rows(fresh)) == 3


def test_an_over_limit_entry_of_a_memory_is_left_out_of_its_import_and_named(
    tmp_path: Path,
) -> None:
    """A memory may hold what no import takes (machine output of an older version): its
    export still imports, without that entry, which the summary names."""
    memory = tmp_path / "old.sqlite"
    with TranslationMemory(memory) as tm:
        too_long = "訳" * (target_limit(SUMMIT) + 1)
        tm.store_machine(
            {SUMMIT: MemoryEntry(too_long, False), TALKS: MemoryEntry("訳", False)}, JA
        )
    exported = tmp_path / "old.tmx"
    assert invoke("memory", "export", "-o", exported, "--tm", memory).returncode == 0
    result = invoke("memory", "import", exported, "--tm", tmp_path / "new.sqlite")
    assert result.returncode == 0, result.stderr
    assert "imported 1 entries" in result.stdout
    assert "left out: 1 with a target over the limit" in result.stdout
    assert f"(ja: {len(too_long):,} of {target_limit(SUMMIT):,})" in result.stdout


@pytest.mark.parametrize(
    ("attrs", "inside", "reason"),
    [
        ("", "<note>{big}</note>", "a note over the limit"),
        ('creationid="{big}"', "", "a reviewer's or model's name over 200"),
        ('changeid="{big}"', ORIGIN.format("reviewed"), "a reviewer's or model's name"),
        (
            "",
            ORIGIN.format("machine") + '<prop type="x-briefing-model">{big}</prop>',
            "a reviewer's or model's name",
        ),
        (
            "",
            ORIGIN.format("machine") + '<prop type="x-briefing-terms">{big}</prop>',
            "glossary forms (x-briefing-terms) over the limit",
        ),
        ("", ORIGIN.format("{big}"), "an unknown x-briefing-origin"),
    ],
    ids=["note", "creationid", "changeid", "model", "terms", "origin"],
)
def test_a_huge_value_in_a_tmx_unit_leaves_that_unit_out(
    tmp_path: Path, attrs: str, inside: str, reason: str
) -> None:
    """Three 9 MB notes once made a 6-sentence document's review export 56 MB; every value a
    file brings is held to a limit (here 2 MB, far over it), and its unit left out."""
    big = "x" * 2_000_000
    unit = tu(SUMMIT, "訳。", attrs.format(big=big), inside.format(big=big))
    result = import_tmx(tmp_path, tmx(unit, tu(TALKS, "協議。")), "--reviewer", "Kim")
    assert result.returncode == 0, result.stderr
    assert f"left out: 1 with {reason}" in result.stdout
    assert [r["segment"] for r in rows(tmp_path / "tm.sqlite")] == [TALKS]
    assert len(result.stdout) < 2000, "the summary does not repeat the value"


def test_a_tmx_over_the_unit_or_size_limit_is_refused_before_storing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from briefing.memory import tmx_import

    monkeypatch.setattr(tmx_import, "MAX_UNITS", 2)
    text = tmx(*(tu(f"Sentence {n}.", f"文{n}。") for n in range(3)))
    result = import_tmx(tmp_path, text, "--reviewer", "Kim")
    assert result.returncode == 2 and "3 units, over the limit of 2" in result.stderr
    monkeypatch.setattr(tmx_import, "MAX_FILE_BYTES", 100)
    result = import_tmx(tmp_path, text, "--reviewer", "Kim")
    assert result.returncode == 2 and "larger than the limit of 100 bytes" in result.stderr
    assert not (tmp_path / "tm.sqlite").exists()


@pytest.mark.parametrize("special", ["/dev/zero", "fifo"])
def test_a_device_or_pipe_is_refused_without_reading(tmp_path: Path, special: str) -> None:
    path = Path(special)
    if special == "fifo":
        path = tmp_path / "memory.tmx"
        os.mkfifo(path)
    result = invoke("memory", "import", path, "--tm", tmp_path / "tm.sqlite", "--reviewer", "K")
    assert result.returncode == 2 and "not a regular file" in result.stderr


# -- 5. text is cleaned as facts text is -----------------------------------------------------


def test_tmx_texts_are_cleaned_before_they_are_compared_or_stored(tmp_path: Path) -> None:
    text = tmx(
        tu(
            SUMMIT + "\u202e",
            "両首脳は\u2066奈良\u2069で会談した。\u202e",
            'creationid="Sa\u202eto"',
        ),
        tu(TALKS, "\u202e\u2066", ""),
    )
    result = import_tmx(tmp_path, text, "--reviewer", "K\u202eim")
    assert result.returncode == 0, result.stderr
    (row,) = rows(tmp_path / "tm.sqlite")
    assert (row["segment"], row["target"], row["reviewer"]) == (
        SUMMIT,
        "両首脳は奈良で会談した。",
        "Kim",
    )
    assert row["comment"] == "Reviewer named in the TMX file: Sato"
    assert "left out: 1 empty" in result.stdout


def test_xliff_targets_are_cleaned_before_they_are_stored(
    review_space: tuple[Workspace, Path],
) -> None:
    space, xlf = review_space
    _edit_targets(xlf, {0: "修正&#x202E;した訳&#x2066;。"})
    result = space.import_(xlf, "--reviewer", "Sato")
    assert result.returncode == 0, result.stderr
    assert {row[3] for row in review_support.reviewed_rows(space.tm)} == {"修正した訳。"}


# -- 6. hostile files --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "prologue",
    [
        '<!DOCTYPE tmx [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>',
        '<!DOCTYPE tmx [<!ENTITY % p SYSTEM "http://127.0.0.1:9/x.dtd"> %p;]>',
        '<!DOCTYPE tmx [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>',
    ],
    ids=["external entity", "parameter entity", "expansion"],
)
def test_entity_declarations_are_refused(tmp_path: Path, prologue: str) -> None:
    text = tmx(tu(SUMMIT, "&xxe;")).replace("<tmx ", prologue + "\n<tmx ", 1)
    result = import_tmx(tmp_path, text, "--reviewer", "Kim")
    assert result.returncode == 2 and "ENTITY" in result.stderr
    assert not (tmp_path / "tm.sqlite").exists()


def test_wrong_languages_and_repeated_tuvs_and_units(tmp_path: Path) -> None:
    text = tmx(
        tu(SUMMIT, "Les deux dirigeants.", lang="fr"),
        "<tu><tuv xml:lang='ja'><seg>訳。</seg></tuv><tuv xml:lang='ko'><seg>역.</seg></tuv></tu>",
        "<tu><tuv xml:lang='en'><seg>Two.</seg></tuv><tuv xml:lang='ja'><seg>一。</seg></tuv>"
        "<tuv xml:lang='ja-JP'><seg>二。</seg></tuv></tu>",
        tu(TALKS, "最初。", 'changedate="20200101T000000Z"', ORIGIN.format("reviewed")),
        tu(TALKS, "後。", 'changedate="20210101T000000Z"', ORIGIN.format("reviewed")),
        tu(TALKS, "古い。", 'changedate="20190101T000000Z"', ORIGIN.format("reviewed")),
    )
    result = import_tmx(tmp_path, text, "--reviewer", "Kim")
    assert result.returncode == 0, result.stderr
    assert [(r["segment"], r["target"]) for r in rows(tmp_path / "tm.sqlite")] == [(TALKS, "後。")]
    out = result.stdout
    assert "2 units in other languages" in out and "2 repeated in the file" in out
    assert "left out: 1 with more than one <tuv> in ja: <tu> 3 " in out
    assert "imported 1 entries" in out


def test_deep_nesting_and_nested_units(tmp_path: Path) -> None:
    deep = "<hi>" * 5000 + "奈良" + "</hi>" * 5000
    refused = import_tmx(tmp_path, tmx(tu(SUMMIT, deep)), "--reviewer", "Kim")
    assert refused.returncode == 2 and "not a TMX file" in refused.stderr
    nested = tu(SUMMIT, "訳。", "", tu(TALKS, "入れ子。"))
    result = import_tmx(tmp_path, tmx(nested), "--reviewer", "Kim")
    assert result.returncode == 0, result.stderr
    assert [r["segment"] for r in rows(tmp_path / "tm.sqlite")] == [SUMMIT]
