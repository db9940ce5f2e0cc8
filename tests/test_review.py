"""Review round trip through real XLIFF files and a real memory, checked against the XSD."""

from __future__ import annotations

import datetime as dt
import shutil
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import docx
import pytest
from lxml import etree

from briefing.cli.review import document_loader
from briefing.facts.load import load_facts
from briefing.memory.interface import MemoryEntry, MemoryKey, ReviewedTranslation
from briefing.memory.sqlite import TranslationMemory
from briefing.output.document import BulletList, Document, Heading, Metadata, Paragraph, Run
from briefing.output.template import find_template
from briefing.review.binding import review_document
from briefing.review.worklist import document_sections, sections_in
from briefing.review.xliff import XLIFF_NS
from briefing.terms.glossary import load_glossary
from briefing.terms.protect import terms_key
from briefing.translation.segments import split_segments
from briefing.translation.texts import texts_to_translate
from tests.conftest import ENGLISH_OUTLINE, FIXTURES, GLOSSARY, NARA, ROOT, invoke, run_cli
from tests.support.documents import style_of

NS = {"x": XLIFF_NS}
# The copy package's identity: the model the exports' documents are built with (--models-dir).
KEY = MemoryKey("en", "ja", "translate-en_ja@0.2")
NEW_MODEL = MemoryKey("en", "ja", "translate-en_ja@2.0")

FACTS, _ = load_facts(NARA)
TERMS = load_glossary(GLOSSARY)
UNITS = review_document(FACTS, str(NARA), "ja", {}).units  # ids do not depend on sections
SEGMENTS = [u.segment for u in UNITS]
IDS = {u.segment: u.id for u in UNITS}


def unit_id(segment: str) -> str:
    """The unit id the export gives a sentence (fact path, sentence number, source digest)."""
    return IDS[segment]


BUILD_GLOSSARY = document_loader(None)(NARA)[1]  # the glossary a build of NARA protects


def build_keys(*segments: str) -> dict[str, str]:
    """Segment → its terms key, as a build of NARA keys its machine entries."""
    return {segment: terms_key(segment, BUILD_GLOSSARY, "ja") for segment in segments}


UNTRANSLATED = SEGMENTS[-1]
FLAGGED = SEGMENTS[3]
REVIEWED = SEGMENTS[4]


@pytest.fixture
def tm(tmp_path: Path) -> Path:
    """A memory holding machine output for every sentence but the last, one sentence flagged,
    one reviewed: what a reviewer meets after a first build (keyed as the build keys them)."""
    path = tmp_path / "memory.sqlite"
    with TranslationMemory(path) as memory:
        memory.store_machine(
            {
                segment: MemoryEntry(f"機械訳{i}。", reviewed=False, flagged=segment == FLAGGED)
                for i, segment in enumerate(SEGMENTS[:-1])
            },
            KEY,
            build_keys(*SEGMENTS),
        )
        memory.store_reviewed([ReviewedTranslation(REVIEWED, "en", "ja", "確認済みの訳。")], "Ito")
    return path


@pytest.fixture
def exported(tmp_path: Path, tm: Path, copy_models_dir: Path) -> Path:
    output = tmp_path / "nara.ja.xlf"
    args = ["review", "export", str(NARA), "--lang", "ja", "-o", str(output), "--tm", str(tm)]
    result = invoke(*args, "--models-dir", copy_models_dir)
    assert result.returncode == 0, result.stderr
    return output


def units(path: Path) -> dict[str, ET.Element]:
    root = ET.parse(path).getroot()
    return {u.get("id", ""): u for u in root.iter(f"{{{XLIFF_NS}}}trans-unit")}


def edit(path: Path, change: Callable[[ET.Element], None]) -> None:
    """Change the file as a CAT tool saves it: parse, change, write back."""
    ET.register_namespace("", XLIFF_NS)
    tree = ET.parse(path)
    change(tree.getroot())
    tree.write(path, encoding="utf-8", xml_declaration=True)


def target_of(root: ET.Element, segment: str) -> ET.Element:
    unit = root.find(f".//x:trans-unit[@id='{unit_id(segment)}']", NS)
    assert unit is not None
    target = unit.find("x:target", NS)
    assert target is not None
    return target


def state_of(unit: ET.Element) -> str | None:
    target = unit.find("x:target", NS)
    assert target is not None
    return target.get("state")


def snapshot(path: Path) -> dict[str, tuple[str, str, str]]:
    with TranslationMemory(path) as memory:
        entries = memory.entries_for(SEGMENTS, "en", "ja")
        counts = memory.counts()
    state = {s: (e.target, e.origin, e.updated) for s, e in entries.items()}
    state["(counts)"] = (str(counts["machine"]), str(counts["reviewed"]), "")
    return state


def xliff_schema() -> etree.XMLSchema:
    folder = FIXTURES / "xliff"
    text = (folder / "xliff-core-1.2-strict.xsd").read_bytes()
    text = text.replace(
        b'schemaLocation="http://www.w3.org/2001/xml.xsd"', b'schemaLocation="xml.xsd"'
    )
    parser = etree.XMLParser(no_network=True, resolve_entities=False)
    return etree.XMLSchema(etree.fromstring(text, parser, base_url=f"{folder}/"))


# -- export ---------------------------------------------------------------------------------


def test_export_validates_against_the_xliff_12_schema(exported: Path) -> None:
    schema = xliff_schema()
    document = etree.parse(str(exported))
    assert schema.validate(document), schema.error_log


def test_the_schema_check_catches_a_broken_file(exported: Path) -> None:
    edit(exported, lambda root: target_of(root, SEGMENTS[0]).set("state", "done"))
    assert not xliff_schema().validate(etree.parse(str(exported)))


def test_export_holds_every_sentence_the_build_translates_once_in_document_order(
    exported: Path,
) -> None:
    wanted = [s for text in texts_to_translate(FACTS) for s in split_segments(text)]
    root = ET.parse(exported).getroot()
    sources = [
        u.findtext("x:source", default="", namespaces=NS)
        for u in root.iter(f"{{{XLIFF_NS}}}trans-unit")
    ]
    assert sorted(sources) == sorted(set(wanted))
    assert len(sources) == len(set(sources))
    # the event's title and kind are not translated (they come from the glossary and the
    # catalogs): the summary comes first
    assert FACTS.event.title not in sources and FACTS.event.kind not in sources
    summary = split_segments(FACTS.summary.text)
    assert sources[: len(summary)] == summary


def test_export_file_attributes(exported: Path) -> None:
    file = ET.parse(exported).getroot().find("x:file", NS)
    assert file is not None
    assert (file.get("original"), file.get("source-language"), file.get("target-language")) == (
        str(NARA),
        "en",
        "ja",
    )
    assert file.get("datatype") == "plaintext"


def test_export_states_origins_and_context(exported: Path) -> None:
    found = units(exported)
    machine = found[unit_id(SEGMENTS[0])]
    assert state_of(machine) == "translated"
    assert machine.findtext("x:target", namespaces=NS) == "機械訳0。"

    flagged = found[unit_id(FLAGGED)]
    assert state_of(flagged) == "needs-review-translation"
    assert "flagged" in " ".join(n.text or "" for n in flagged.findall("x:note", NS))

    reviewed = found[unit_id(REVIEWED)]
    assert state_of(reviewed) == "final"
    assert reviewed.get("approved") == "yes"
    assert "reviewed by Ito" in " ".join(n.text or "" for n in reviewed.findall("x:note", NS))

    new = found[unit_id(UNTRANSLATED)]
    assert state_of(new) == "new"
    assert not new.findtext("x:target", namespaces=NS)

    outcome = split_segments(FACTS.outcomes[3].text)[0]
    notes = " ".join(n.text or "" for n in found[unit_id(outcome)].findall("x:note", NS))
    assert "outcomes[3].text" in notes and "Key outcomes" in notes
    assert f"machine translation ({KEY.model})" in notes


def test_unit_ids_are_stable_whatever_the_memory_holds(
    exported: Path, tmp_path: Path, copy_models_dir: Path
) -> None:
    again = tmp_path / "again.xlf"
    args = ["review", "export", str(NARA), "--lang", "ja", "-o", str(again)]
    args += ["--models-dir", str(copy_models_dir)]
    assert invoke(*args, "--tm", str(tmp_path / "empty.sqlite")).returncode == 0
    assert list(units(again)) == list(units(exported))


def test_export_refuses_english_and_unknown_languages(tmp_path: Path, tm: Path) -> None:
    for lang in ("en", "zh"):
        output = tmp_path / f"x.{lang}.xlf"
        args = ["review", "export", str(NARA), "--lang", lang, "-o", str(output), "--tm", str(tm)]
        result = invoke(*args)
        assert result.returncode == 2
        assert not output.exists()
    assert "zh" in result.stderr


# -- import ---------------------------------------------------------------------------------


def test_edited_target_is_imported_as_reviewed_and_wins_after_a_model_change(
    exported: Path, tm: Path
) -> None:
    edited = SEGMENTS[1]
    edit(exported, lambda root: setattr(target_of(root, edited), "text", "首脳会談"))
    args = ["review", "import", str(exported), "--tm", str(tm), "--reviewer", "Sato"]
    result = invoke(*args)
    assert result.returncode == 0
    assert "imported 1 units as reviewed" in result.stdout

    with TranslationMemory(tm) as memory:
        assert memory.lookup([edited], NEW_MODEL) == {
            edited: MemoryEntry("首脳会談", reviewed=True)
        }
        memory.store_machine({edited: MemoryEntry("新モデルの訳", reviewed=False)}, NEW_MODEL)
        assert memory.lookup([edited], NEW_MODEL)[edited].target == "首脳会談"
        assert memory.entries_for([edited], "en", "ja")[edited].reviewer == "Sato"
        # untouched machine output stays machine output
        assert memory.lookup(build_keys(SEGMENTS[0]), KEY)[SEGMENTS[0]].reviewed is False


def test_confirmed_unit_is_imported_as_reviewed_without_an_edit(exported: Path, tm: Path) -> None:
    edit(exported, lambda root: target_of(root, SEGMENTS[0]).set("state", "signed-off"))
    assert invoke("review", "import", str(exported), "--tm", str(tm)).returncode == 0
    with TranslationMemory(tm) as memory:
        assert memory.lookup([SEGMENTS[0]], NEW_MODEL) == {
            SEGMENTS[0]: MemoryEntry("機械訳0。", reviewed=True)
        }
        assert memory.counts()["reviewed"] == 2


def test_untranslated_sentence_translated_by_the_reviewer_is_stored(
    exported: Path, tm: Path
) -> None:
    edit(exported, lambda root: setattr(target_of(root, UNTRANSLATED), "text", "新しい訳。"))
    assert invoke("review", "import", str(exported), "--tm", str(tm)).returncode == 0
    with TranslationMemory(tm) as memory:
        assert memory.lookup([UNTRANSLATED], KEY)[UNTRANSLATED].reviewed


def test_unchanged_file_and_re_import_change_nothing(exported: Path, tm: Path) -> None:
    edit(exported, lambda root: setattr(target_of(root, SEGMENTS[1]), "text", "首脳会談"))
    assert invoke("review", "import", str(exported), "--tm", str(tm)).returncode == 0
    before = snapshot(tm)
    result = invoke("review", "import", str(exported), "--tm", str(tm))
    assert result.returncode == 0
    output = result.stdout
    assert "imported 0 units as reviewed" in output
    assert f"{len(SEGMENTS) - 1} unchanged" in output and "1 left empty" in output
    assert snapshot(tm) == before


def test_regional_language_tags_from_cat_tools_are_accepted(exported: Path, tm: Path) -> None:
    def retag(root: ET.Element) -> None:
        file = root.find("x:file", NS)
        assert file is not None
        file.set("source-language", "en-US")
        file.set("target-language", "ja-JP")
        target_of(root, SEGMENTS[2]).text = "修正した訳。"

    edit(exported, retag)
    assert invoke("review", "import", str(exported), "--tm", str(tm)).returncode == 0
    with TranslationMemory(tm) as memory:
        assert memory.lookup(build_keys(SEGMENTS[2]), KEY)[SEGMENTS[2]].target == "修正した訳。"


def _set_file(name: str, value: str | None) -> Callable[[ET.Element], None]:
    def change(root: ET.Element) -> None:
        file = root.find("x:file", NS)
        assert file is not None
        if value is None:
            del file.attrib[name]
        else:
            file.set(name, value)

    return change


def _empty_final(root: ET.Element) -> None:
    target = target_of(root, SEGMENTS[5])
    target.text = ""
    target.set("state", "final")


def _changed_source(root: ET.Element) -> None:
    unit = root.find(f".//x:trans-unit[@id='{unit_id(SEGMENTS[6])}']", NS)
    assert unit is not None
    source = unit.find("x:source", NS)
    assert source is not None
    source.text = "Something the facts never said."


def _dropped_target(root: ET.Element) -> None:
    unit = root.find(f".//x:trans-unit[@id='{unit_id(SEGMENTS[6])}']", NS)
    assert unit is not None
    unit.remove(target_of(root, SEGMENTS[6]))


BROKEN_TREES: dict[str, tuple[Callable[[ET.Element], None], str]] = {
    "wrong target language": (_set_file("target-language", "zh"), "target-language 'zh'"),
    "wrong source language": (_set_file("source-language", "fr"), "source-language is 'fr'"),
    "missing target language": (_set_file("target-language", None), "missing target-language"),
    "empty target marked final": (_empty_final, "empty but marked final"),
    "source changed": (_changed_source, "source text is not the one exported"),
    "unit without target": (_dropped_target, "has no <target>"),
    "version 1.1": (lambda root: root.set("version", "1.1"), "version '1.1'"),
}

BROKEN_TEXTS: dict[str, tuple[Callable[[str], str], str]] = {
    "not XML": (lambda text: "Dear reviewer, the translations are attached.\n", "not well-formed"),
    "truncated": (lambda text: text[: len(text) // 2], "not well-formed"),
    "not XLIFF": (
        lambda text: "<?xml version='1.0'?><html><body>翻訳</body></html>",
        "not an XLIFF 1.2 file",
    ),
    "XLIFF 2.0": (
        lambda text: (
            "<xliff xmlns='urn:oasis:names:tc:xliff:document:2.0' version='2.0'"
            " srcLang='en' trgLang='ja'/>"
        ),
        "XLIFF 2.0",
    ),
    "DOCTYPE with entities": (
        lambda text: text.replace(
            "<xliff ",
            '<!DOCTYPE xliff [<!ENTITY edit "改ざんされた訳">]>\n<xliff ',
            1,
        ).replace("機械訳0。", "&edit;"),
        "document type or entities",
    ),
}


def _edit_then_break(path: Path, change: Callable[[ET.Element], None]) -> None:
    def both(root: ET.Element) -> None:
        target_of(root, SEGMENTS[1]).text = "この修正は取り込まれてはならない。"
        change(root)

    edit(path, both)


def test_a_changed_target_may_be_8_times_its_source_as_in_a_tmx_file(
    exported: Path, tm: Path
) -> None:
    """The same limit as a TMX import's (README: 8 times its English source, at least 400)."""
    longest = max(SEGMENTS, key=len)
    limit = max(400, 8 * len(longest))
    args = ["review", "import", str(exported), "--tm", str(tm), "--reviewer", "Sato"]
    edit(exported, lambda root: setattr(target_of(root, longest), "text", "訳" * (limit + 1)))
    refused = invoke(*args)
    assert refused.returncode == 2 and f"over the limit of {limit:,}" in refused.stderr
    edit(exported, lambda root: setattr(target_of(root, longest), "text", "訳" * limit))
    accepted = invoke(*args)
    assert accepted.returncode == 0, accepted.stderr
    with TranslationMemory(tm) as memory:
        assert memory.entries_for([longest], "en", "ja")[longest].target == "訳" * limit


@pytest.mark.parametrize("case", list(BROKEN_TREES) + list(BROKEN_TEXTS))
def test_bad_file_is_refused_and_nothing_is_imported(
    case: str,
    exported: Path,
    tm: Path,
) -> None:
    if case in BROKEN_TREES:
        change, reason = BROKEN_TREES[case]
        _edit_then_break(exported, change)
    else:
        mangle, reason = BROKEN_TEXTS[case]
        _edit_then_break(exported, lambda root: None)
        exported.write_text(mangle(exported.read_text(encoding="utf-8")), encoding="utf-8")
    before = snapshot(tm)
    result = invoke("review", "import", str(exported), "--tm", str(tm))
    assert result.returncode == 2
    error = result.stderr
    assert str(exported) in error and reason in error and "nothing was imported" in error
    assert snapshot(tm) == before


def test_every_problem_of_a_file_is_reported_at_once(exported: Path, tm: Path) -> None:
    def two(root: ET.Element) -> None:
        _empty_final(root)
        _changed_source(root)

    edit(exported, two)
    result = invoke("review", "import", str(exported), "--tm", str(tm))
    assert result.returncode == 2
    error = result.stderr
    assert "empty but marked final" in error and "source text is not the one exported" in error


def test_missing_file_is_a_clear_error(tmp_path: Path, tm: Path) -> None:
    missing = tmp_path / "nowhere.xlf"
    result = invoke("review", "import", str(missing), "--tm", str(tm))
    assert result.returncode == 2
    assert str(missing) in result.stderr


def test_review_sections_are_the_documents_headings() -> None:
    """A reviewer finds a sentence under the heading the English document shows it under."""
    sections = document_sections(find_template("summit"), FACTS, TERMS)
    assert set(sections.values()) <= set(ENGLISH_OUTLINE)
    assert sections["summary.text"] == "Summary"
    assert sections["outcomes[0].heading"] == sections["outcomes[0].text"] == "Key outcomes"
    assert sections["differences[0].topic"] == "Notes on differences between sources"
    assert sections["differences[0].accounts[1].text"] == "Notes on differences between sources"
    assert sections["next_steps[0].text"] == "Next steps"


def _runs(text: str) -> tuple[Run, ...]:
    return (Run(text),)


def test_sections_follow_the_outline_in_its_order_and_fall_back_to_the_facts_key() -> None:
    """Sections come from the top level of headings there are, in the template's order; a
    text printed twice is taken where the document's order puts it; a text the template
    does not print is under its key."""
    document = Document(
        Metadata("t", "s", "en-GB", "a", dt.datetime(2026, 1, 1)),
        (
            Heading(0, _runs("Title")),
            Paragraph(_runs("Printed before any heading.")),
            Heading(2, _runs("Later first")),
            BulletList((_runs("Plan:  the next\nstep."), _runs("Trade"))),
            Heading(2, _runs("Overview")),
            Paragraph((Run("The "), Run("summary", bold=True), Run(" [1]"))),
            Heading(3, _runs("Trade")),
            Paragraph(_runs("Trade figures.")),
        ),
    )
    texts = [
        ("summary.text", "The summary"),
        ("topics[0].heading", "Trade"),
        ("topics[0].text", "Trade figures."),
        ("next_steps[0].text", "the next step."),
        ("next_steps[1].text", "Trade"),
        ("background[0].text", "Not printed at all."),
        ("event_notes[0].text", "Printed before any heading."),
    ]
    assert sections_in(document, texts) == {
        "summary.text": "Overview",
        "topics[0].heading": "Overview",
        "topics[0].text": "Overview",
        "next_steps[0].text": "Later first",
        "next_steps[1].text": "Later first",
        "background[0].text": "background",
        "event_notes[0].text": "event_notes",
    }


def custom_template(folder: Path) -> Path:
    """The summit template with two section headings of its own."""
    template = folder / "house"
    shutil.copytree(ROOT / "templates" / "summit", template)
    document = template / "document.xml.j2"
    text = document.read_text(encoding="utf-8")
    for old, new in (("Summary", "Overview"), ("Key outcomes", "What was agreed")):
        assert f'<h1>{{{{ _("{old}") }}}}</h1>' in text
        text = text.replace(f'<h1>{{{{ _("{old}") }}}}</h1>', f'<h1>{{{{ _("{new}") }}}}</h1>')
    document.write_text(text, encoding="utf-8")
    return template


def xliff_sections(path: Path) -> dict[str, str]:
    """Unit id → the section its note names."""
    found = {}
    for unit_id, unit in units(path).items():
        notes = " ".join(note.text or "" for note in unit.iter(f"{{{XLIFF_NS}}}note"))
        found[unit_id] = notes.split("Section: ", 1)[1].split(". Fact:", 1)[0]
    return found


def word_headings(path: Path) -> list[str]:
    document = docx.Document(str(path))
    return [p.text for p in document.paragraphs if style_of(p) == "Heading 1"]


def test_the_review_export_shows_the_chosen_templates_headings(
    tmp_path: Path, tm: Path, copy_models_dir: Path
) -> None:
    template = custom_template(tmp_path)
    exports = {}
    for suffix in ("xlf", "docx"):
        output = tmp_path / f"house.ja.{suffix}"
        result = invoke(
            *("review", "export", NARA, "--lang", "ja", "-o", output, "--tm", tm),
            *("--template", template, "--models-dir", copy_models_dir),
        )
        assert result.returncode == 0, result.stderr
        exports[suffix] = output
    sections = xliff_sections(exports["xlf"])
    assert sections[unit_id(split_segments(FACTS.summary.text)[0])] == "Overview"
    assert sections[unit_id(split_segments(FACTS.outcomes[0].text)[0])] == "What was agreed"
    assert "Summary" not in sections.values() and "Key outcomes" not in sections.values()
    headings = word_headings(exports["docx"])
    assert headings[:3] == ["Overview", "Background", "What was agreed"]
    assert "Summary" not in headings and "Key outcomes" not in headings


def test_the_review_export_follows_the_template_setting(
    tmp_path: Path, tm: Path, copy_models_dir: Path
) -> None:
    """`template` in briefing.toml (relative to it) is the review export's template, as it is
    the build's; the reviewed file imports with the same setting."""
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    custom_template(workspace / "templates")
    (workspace / "briefing.toml").write_text('template = "templates/house"\n', encoding="utf-8")
    output = workspace / "house.ja.docx"
    args = ("review", "export", NARA, "--lang", "ja", "-o", output, "--tm", tm)
    exported = run_cli(
        *args, "--glossary", GLOSSARY, "--models-dir", copy_models_dir, cwd=workspace
    )
    assert exported.returncode == 0, exported.stderr
    assert word_headings(output)[:3] == ["Overview", "Background", "What was agreed"]
    imported = run_cli("review", "import", output, "--tm", tm, "--reviewer", "Ito", cwd=workspace)
    assert imported.returncode == 0, imported.stderr
    assert "imported 0 units as reviewed" in imported.stdout
