"""A review round trip bound to its document: only a person's change or confirmation becomes
"reviewed", whatever memory the file is imported into; units of other documents, stale units and
oversized files are refused whole; an export never overwrites what it should not.

One Japanese build of the Nara example with the tiny packages is made per module; each test works
on a copy of it (facts, glossary, document, memory)."""

from __future__ import annotations

import hashlib
import os
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import pytest

from briefing.memory.interface import MemoryEntry, MemoryKey
from briefing.memory.sqlite import TranslationMemory
from tests import review_support
from tests.review_support import (
    Workspace,
    memory_rows,
    notice_paragraphs,
    reviewed_rows,
)

XLIFF = "urn:oasis:names:tc:xliff:document:1.2"
NS = {"x": XLIFF}
PATH = r"[a-z_]+(\[\d+\])?(\.[a-z_]+(\[\d+\])?)*"
ID = re.compile(rf"^(?P<path>{PATH}):(?P<n>\d+):(?P<d>[0-9a-f]{{12}})$")

review_base = review_support.review_base  # the session's built example, a fixture
space = review_support.space  # a copy of it for each test, a fixture


@pytest.fixture
def xlf(space: Workspace) -> Path:
    """The copy's own export: it names the copy's facts file."""
    output = space.root / "nara.ja.xlf"
    result = space.export(output)
    assert result.returncode == 0, result.stderr
    return output


def edit(path: Path, change: Callable[[ET.Element], None]) -> None:
    """Change the file as a CAT tool saves it: parse, change, write back."""
    ET.register_namespace("", XLIFF)
    tree = ET.parse(path)
    change(tree.getroot())
    tree.write(path, encoding="utf-8", xml_declaration=True)


def trans_units(root: ET.Element) -> list[ET.Element]:
    return list(root.iter(f"{{{XLIFF}}}trans-unit"))


def target(unit: ET.Element) -> ET.Element:
    found = unit.find("x:target", NS)
    assert found is not None
    return found


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# -- 1. reviewed means a person changed or confirmed it -------------------------------------


def test_an_untouched_export_imported_into_another_memory_stores_nothing(
    space: Workspace, xlf: Path
) -> None:
    other = space.root / "moved-aside" / "b.sqlite"
    other.parent.mkdir()
    result = space.import_(xlf, "--reviewer", "Sato", tm=other)
    assert result.returncode == 0, result.stderr
    assert "imported 0 units as reviewed" in result.stdout
    assert reviewed_rows(other) == set()
    space.build(tm=other)
    assert notice_paragraphs(space.document), "nothing was reviewed: the notice must stay"


def test_an_untouched_export_after_a_model_upgrade_stores_nothing(
    space: Workspace, xlf: Path
) -> None:
    rows = memory_rows(space.tm)
    upgraded = MemoryKey("en", "ja", "translate-en_ja@9.9")
    segments = {segment for segment, lang, _, _ in rows if lang == "ja"}
    with TranslationMemory(space.tm) as memory:
        memory.store_machine(
            {s: MemoryEntry(f"新モデル: {s[:10]}", reviewed=False) for s in segments},
            upgraded,
            {s: "" for s in segments},
        )
    result = space.import_(xlf, "--reviewer", "Sato")
    assert result.returncode == 0, result.stderr
    assert "imported 0 units as reviewed" in result.stdout
    assert reviewed_rows(space.tm) == set()


def test_only_the_edited_and_the_confirmed_units_become_reviewed(
    space: Workspace, xlf: Path
) -> None:
    root = ET.parse(xlf).getroot()
    units = trans_units(root)
    edited, confirmed = units[2], units[5]
    edited_source = edited.findtext("x:source", namespaces=NS)
    confirmed_source = confirmed.findtext("x:source", namespaces=NS)
    confirmed_target = target(confirmed).text

    def change(root: ET.Element) -> None:
        found = {u.get("id"): u for u in trans_units(root)}
        target(found[edited.get("id")]).text = "首脳が会談した。"
        target(found[confirmed.get("id")]).set("state", "signed-off")

    edit(xlf, change)
    result = space.import_(xlf, "--reviewer", "Sato")
    assert result.returncode == 0, result.stderr
    assert "imported 2 units as reviewed" in result.stdout
    assert reviewed_rows(space.tm) == {
        (edited_source, "ja", "reviewed", "首脳が会談した。"),
        (confirmed_source, "ja", "reviewed", confirmed_target),
    }
    again = space.import_(xlf, "--reviewer", "Ito")
    assert "imported 2 units as reviewed" in again.stdout  # the file still says so; same rows
    assert len(reviewed_rows(space.tm)) == 2


def test_the_export_carries_what_it_exported_and_its_origin(xlf: Path) -> None:
    for unit in trans_units(ET.parse(xlf).getroot()):
        alternative = unit.find("x:alt-trans", NS)
        assert alternative is not None, unit.get("id")
        assert alternative.get("alttranstype") == "previous-version"
        assert alternative.get("origin", "").startswith("machine translate-en_ja")
        assert alternative.findtext("x:target", namespaces=NS) == target(unit).text


# -- 2. bound to its document ----------------------------------------------------------------


def test_the_file_names_its_document_and_its_units_where_they_stand(
    space: Workspace, xlf: Path
) -> None:
    root = ET.parse(xlf).getroot()
    file = root.find("x:file", NS)
    assert file is not None
    assert file.get("original") == str(space.facts)
    assert file.get("target-language") == "ja"
    reference = file.find("x:header/x:reference/x:external-file", NS)
    assert reference is not None and reference.get("href") == str(space.facts)
    assert re.fullmatch(r"[0-9a-f]{24}", reference.get("crc", ""))
    ids = [u.get("id", "") for u in trans_units(root)]
    assert ids[0].startswith("summary.text:1:")  # titles are names, not translated
    assert all(ID.match(i) for i in ids), [i for i in ids if not ID.match(i)]
    assert len(set(ids)) == len(ids)


def _stale_setup(space: Workspace, xlf: Path) -> tuple[str, str]:
    """Edit two units; then change the facts so that the first one's sentence is gone."""
    units = trans_units(ET.parse(xlf).getroot())
    gone = next(u for u in units if u.get("id", "").startswith("summary.text:1:"))
    kept = units[-1]
    gone_source = gone.findtext("x:source", namespaces=NS) or ""

    def change(root: ET.Element) -> None:
        found = {u.get("id"): u for u in trans_units(root)}
        target(found[gone.get("id")]).text = "消える文の訳。"
        target(found[kept.get("id")]).text = "残る文の訳。"

    edit(xlf, change)
    text = space.facts.read_text(encoding="utf-8")
    first_words = " ".join(gone_source.split()[:3])
    assert first_words in text
    space.facts.write_text(text.replace(first_words, "In a changed sentence,", 1), "utf-8")
    return gone.get("id", ""), kept.findtext("x:source", namespaces=NS) or ""


def test_a_stale_unit_refuses_the_whole_file_and_lists_it(space: Workspace, xlf: Path) -> None:
    gone, _ = _stale_setup(space, xlf)
    before = memory_rows(space.tm)
    result = space.import_(xlf, "--reviewer", "Sato")
    assert result.returncode == 2
    assert gone in result.stderr and "stale" in result.stderr and "--skip-stale" in result.stderr
    assert "nothing was imported" in result.stderr
    assert memory_rows(space.tm) == before


def test_skip_stale_imports_the_rest(space: Workspace, xlf: Path) -> None:
    gone, kept_source = _stale_setup(space, xlf)
    result = space.import_(xlf, "--reviewer", "Sato", "--skip-stale")
    assert result.returncode == 0, result.stderr
    assert "imported 1 units as reviewed" in result.stdout
    assert "1 stale" in result.stdout and gone in result.stdout
    assert reviewed_rows(space.tm) == {(kept_source, "ja", "reviewed", "残る文の訳。")}


def test_a_hand_made_unit_for_a_sentence_of_no_document_is_refused(
    space: Workspace, xlf: Path
) -> None:
    foreign = "The leaders agreed to abolish every tariff by Friday."
    digest = hashlib.sha256(foreign.encode()).hexdigest()[:12]

    def add(root: ET.Element) -> None:
        body = root.find("x:file/x:body", NS)
        assert body is not None
        unit = ET.SubElement(body, f"{{{XLIFF}}}trans-unit", {"id": f"summary.text:9:{digest}"})
        ET.SubElement(unit, f"{{{XLIFF}}}source").text = foreign
        ET.SubElement(unit, f"{{{XLIFF}}}target", {"state": "final"}).text = "関税撤廃。"
        body.remove(trans_units(root)[3])  # keep the count within the document's

    edit(xlf, add)
    before = memory_rows(space.tm)
    result = space.import_(xlf, "--reviewer", "Mallory")
    assert result.returncode == 2 and "stale" in result.stderr and digest in result.stderr
    assert memory_rows(space.tm) == before
    skipped = space.import_(xlf, "--reviewer", "Mallory", "--skip-stale")
    assert skipped.returncode == 0, skipped.stderr
    assert not any(row[0] == foreign for row in memory_rows(space.tm))


def test_a_file_naming_a_facts_file_that_is_not_there_is_refused(
    space: Workspace, xlf: Path
) -> None:
    missing = space.root / "src" / "nowhere.yaml"

    def rename(root: ET.Element) -> None:
        file = root.find("x:file", NS)
        assert file is not None
        file.set("original", str(missing))

    edit(xlf, rename)
    result = space.import_(xlf, "--reviewer", "Sato")
    assert result.returncode == 2 and str(missing) in result.stderr and "--facts" in result.stderr


# -- 2. limits --------------------------------------------------------------------------------


def test_a_file_far_larger_than_its_document_is_refused_before_parsing(
    space: Workspace, xlf: Path
) -> None:
    size = xlf.stat().st_size
    with xlf.open("ab") as handle:
        handle.write(b"<!--" + b" " * max(8 * size, 4 * 1024 * 1024) + b"-->\n")
    before = memory_rows(space.tm)
    result = space.import_(xlf, "--reviewer", "Sato")
    assert result.returncode == 2
    assert (
        str(xlf) in result.stderr and "over the limit" in result.stderr and "bytes" in result.stderr
    )
    assert memory_rows(space.tm) == before


def test_more_units_than_the_document_has_is_refused(space: Workspace, xlf: Path) -> None:
    def double(root: ET.Element) -> None:
        body = root.find("x:file/x:body", NS)
        assert body is not None
        for unit in trans_units(root):
            copy = ET.fromstring(ET.tostring(unit))
            copy.set("id", unit.get("id", "") + "0")
            body.append(copy)

    edit(xlf, double)
    result = space.import_(xlf, "--reviewer", "Sato")
    assert result.returncode == 2 and "units" in result.stderr and "limit" in result.stderr
    assert reviewed_rows(space.tm) == set()


def test_a_huge_target_is_refused_naming_the_unit_and_the_limit(
    space: Workspace, xlf: Path
) -> None:
    units = trans_units(ET.parse(xlf).getroot())
    victim = units[4].get("id", "")

    def inflate(root: ET.Element) -> None:
        found = {u.get("id"): u for u in trans_units(root)}
        target(found[victim]).text = "長" * 50_000
        target(found[units[1].get("id")]).text = "正しい修正。"

    edit(xlf, inflate)
    result = space.import_(xlf, "--reviewer", "Sato")
    assert result.returncode == 2
    assert (
        victim in result.stderr
        and "50,000 characters" in result.stderr
        and "limit" in result.stderr
    )
    assert reviewed_rows(space.tm) == set()


# -- 3. what an export may overwrite ---------------------------------------------------------


def test_export_never_overwrites_the_memory_facts_or_glossary(space: Workspace) -> None:
    for victim in (space.tm, space.facts, space.glossary):
        before = sha(victim)
        for extra in ((), ("--force",)):
            result = space.export(victim, *extra)
            assert result.returncode == 2, (victim, extra, result.stdout)
            assert str(victim) in result.stderr
            assert sha(victim) == before


def test_export_overwrites_another_file_only_with_force(space: Workspace, xlf: Path) -> None:
    notes = space.root / "notes.txt"
    notes.write_text("my notes\n", encoding="utf-8")
    result = space.export(notes)
    assert result.returncode == 2 and "--force" in result.stderr
    assert notes.read_text(encoding="utf-8") == "my notes\n"
    assert space.export(notes, "--force").returncode == 0
    assert "<xliff" in notes.read_text(encoding="utf-8")
    again = space.export(xlf)  # over an earlier export of this tool: fine
    assert again.returncode == 0, again.stderr


def test_export_to_a_named_pipe_is_refused_without_waiting_on_it(space: Workspace) -> None:
    """Looking whether the file there is an earlier export opened it: a FIFO blocked the
    command until some program wrote to it."""
    pipe = space.root / "review.xlf"
    os.mkfifo(pipe)
    for extra in ((), ("--force",)):
        result = space.export(pipe, *extra)
        assert result.returncode == 2, result.stdout
        assert "not a regular file" in result.stderr


def test_export_refuses_another_sqlite_database_even_with_force(space: Workspace) -> None:
    other = space.root / "other.sqlite"
    with TranslationMemory(other) as memory:
        memory.counts()
    before = sha(other)
    result = space.export(other, "--force")
    assert result.returncode == 2 and str(other) in result.stderr
    assert sha(other) == before
