"""`briefing changes` on the Nara example, read back by independent readers.

A copy of the Nara facts is built in en, ja and ko (copy packages) and released; then one
statement is corrected, a participant added and an outcome confirmed, and one command writes
the changes documents. Pandoc's accept-all and reject-all readings must be exactly its readings
of the current and the earlier document; LibreOffice must read the marks as tracked changes;
the OOXML validator must find nothing the plain document does not have.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from briefing import catalogs
from tests.conftest import GLOSSARY, NARA, Result, run_cli

LANGUAGES = ("en", "ja", "ko")
STEM = NARA.stem
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
AUDIT = Path(sys.executable).with_name("openxml-audit")
MISSING = [
    name
    for name, found in (
        ("LibreOffice", shutil.which("soffice") or shutil.which("libreoffice")),
        ("pandoc", shutil.which("pandoc")),
        ("openxml-audit", AUDIT.exists()),
    )
    if not found
]
pytestmark = [
    pytest.mark.readers,
    pytest.mark.skipif(bool(MISSING), reason=f"not installed: {', '.join(MISSING)}"),
]

CORRECTED = ("on the morning of 13 January", "on the late morning of 13 January")
PARTICIPANT = """  - name: Toshimitsu Motegi
    title: Minister for Foreign Affairs
    country: Japan
    role: delegation
    sources: [japan-news]
"""
MOTEGI = """  - id: toshimitsu-motegi
    kind: person
    en: Toshimitsu Motegi
    ja: 茂木敏充
    ko: 모테기 도시미쓰
    title:
      en: Minister for Foreign Affairs of Japan
      ja: 外務大臣
      ko: 일본 외무대신

"""
CONFIRMED = """      Adoption of an arrangement that formalises cooperation against fraud and other
      cross-border crime.
    sources: [rok-readout]
    status: expected
"""


def edit_facts(folder: Path) -> None:
    """One statement corrected, a participant added (with its glossary entry), an outcome
    confirmed (no longer expected)."""
    facts = folder / NARA.name
    text = facts.read_text(encoding="utf-8")
    assert text.count(CORRECTED[0]) == 1 and text.count(CONFIRMED) == 1
    text = text.replace(*CORRECTED).replace(
        CONFIRMED, CONFIRMED.replace("    status: expected\n", "")
    )
    text = text.replace("\nsummary:", PARTICIPANT.rstrip("\n") + "\n\nsummary:", 1)
    facts.write_text(text, encoding="utf-8")
    glossary = folder / "glossary.yaml"
    terms = glossary.read_text(encoding="utf-8")
    glossary.write_text(terms.replace("  - id: donald-trump\n", MOTEGI + "  - id: donald-trump\n"))


@dataclass(frozen=True)
class Workspace:
    folder: Path
    models: Path

    @property
    def out(self) -> Path:
        return self.folder / "out"

    def run(self, *args: str | Path, env: dict[str, str] | None = None) -> Result:
        return run_cli(
            *args,
            "--out",
            self.out,
            cwd=self.folder,
            env={"BRIEFING_CONFIG": "", "HOME": str(self.folder), **(env or {})},
        )

    def translated(self, command: str, *args: str | Path, models: Path | None = None) -> Result:
        return self.run(
            command,
            NARA.name,
            *args,
            "--models-dir",
            models or self.models,
            "--tm",
            self.folder / "memory.sqlite",
        )

    def document(self, lang: str, suffix: str = "docx") -> Path:
        return self.out / f"{STEM}.{lang}.{suffix}"


def new_workspace(folder: Path, models: Path) -> Workspace:
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(NARA, folder / NARA.name)
    shutil.copy(GLOSSARY, folder / "glossary.yaml")
    return Workspace(folder, models)


@dataclass(frozen=True)
class Edited:
    space: Workspace
    earlier: dict[str, Path]  # the documents as sent, copied before the edit
    result: Result  # of `briefing changes`


@pytest.fixture(scope="module")
def edited(tmp_path_factory: pytest.TempPathFactory, copy_models_dir: Path) -> Edited:
    space = new_workspace(tmp_path_factory.mktemp("changes") / "work", copy_models_dir)
    first = space.translated("build")
    assert first.returncode == 0, first.output
    released = space.run("release", NARA.name)
    assert released.returncode == 0, released.output
    keep = space.folder / "sent"
    keep.mkdir()
    earlier = {lang: Path(shutil.copy(space.document(lang), keep)) for lang in LANGUAGES}
    edit_facts(space.folder)
    result = space.translated("changes")
    assert result.returncode == 0, result.output
    return Edited(space, earlier, result)


# ---------------------------------------------------------------------- pandoc


def pandoc_json(path: Path, mode: str = "accept") -> dict[str, Any]:
    done = subprocess.run(
        ["pandoc", "-f", "docx", "-t", "json", f"--track-changes={mode}", str(path)],
        capture_output=True,
        check=True,
    )
    return dict(json.loads(done.stdout))


def empty_rows(node: Any) -> int:
    count = 0
    if isinstance(node, dict):
        if node.get("t") == "Table":
            for body in node["c"][4]:
                count += sum(not any(cell[4] for cell in row[1]) for row in body[3])
        count += sum(empty_rows(value) for value in node.values())
    elif isinstance(node, list):
        count += sum(empty_rows(value) for value in node)
    return count


def without_empty_rows(node: Any) -> Any:
    """Pandoc reads no row revisions (its docx reader ignores w:trPr/w:ins and w:del): a row
    deleted and accepted, or inserted and rejected, stays as a row of empty cells. The
    documents have no empty rows of their own (checked), so dropping them hides nothing."""
    if isinstance(node, dict):
        if node.get("t") == "Table":
            for body in node["c"][4]:
                body[3] = [row for row in body[3] if any(cell[4] for cell in row[1])]
        for value in node.values():
            without_empty_rows(value)
    elif isinstance(node, list):
        for value in node:
            without_empty_rows(value)
    return node


def plain(document: dict[str, Any]) -> str:
    done = subprocess.run(
        ["pandoc", "-f", "json", "-t", "plain", "-s", "--wrap=none"],
        input=json.dumps(document).encode("utf-8"),
        capture_output=True,
        check=True,
    )
    return done.stdout.decode("utf-8")


def summary_and_rest(changes: Path, mode: str, notices: int = 1) -> tuple[str, str]:
    """The summary at the top, and the rest of the document as pandoc reads it in `mode`."""
    document = without_empty_rows(pandoc_json(changes, mode))
    summary = document["blocks"][:notices]
    document["blocks"] = document["blocks"][notices:]
    shown = plain({**document, "meta": {}, "blocks": summary})
    return shown, plain(document)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_accept_all_gives_the_current_document_and_reject_all_the_earlier(
    edited: Edited, lang: str
) -> None:
    changes = edited.space.document(lang, "changes.docx")
    current, earlier = edited.space.document(lang), edited.earlier[lang]
    for plain_document in (current, earlier):
        assert empty_rows(pandoc_json(plain_document)) == 0
    summary, accepted = summary_and_rest(changes, "accept")
    assert accepted == plain(pandoc_json(current))
    assert summary_and_rest(changes, "reject")[1] == plain(pandoc_json(earlier))
    assert accepted != plain(pandoc_json(earlier))  # the edit reached this language
    translations = catalogs.load_translations(lang)
    assert translations.gettext("Changes since version %(number)s of %(time)s.").split("%")[0]
    counts = {
        "en": "2 statements, 1 participant and 0 sources",
        "ja": "記述2件、出席者1名、出典0件",
        "ko": "내용 항목 2건, 참석자 1명 및 출처 0건",
    }[lang]
    assert counts in summary.replace("\n", " ")


def test_the_command_says_what_changed(edited: Edited) -> None:
    for lang in LANGUAGES:
        counted = "2 statements, 1 participant, 0 sources changed"
        line = f"{NARA.name} {lang}: changes since version 1 ({counted})"
        assert line in edited.result.stderr, edited.result.stderr


# ---------------------------------------------------------------------- the marks


def document_xml(path: Path) -> etree._Element:
    with zipfile.ZipFile(path) as package:
        return etree.fromstring(package.read("word/document.xml"))


def paragraph_marks(body: etree._Element) -> list[tuple[str, str]]:
    """(kind, text) of every insertion and deletion inside a paragraph."""
    return [
        (etree.QName(element).localname, "".join(element.itertext()))
        for element in body.iter(f"{W}ins", f"{W}del")
        if element.getparent().tag == f"{W}p"
    ]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_exactly_the_edits_are_marked(edited: Edited, lang: str) -> None:
    body = document_xml(edited.space.document(lang, "changes.docx"))
    rows = body.findall(f".//{W}tr/{W}trPr/{W}ins"), body.findall(f".//{W}tr/{W}trPr/{W}del")
    assert (len(rows[0]), len(rows[1])) == (1, 0)  # the participant: one inserted row
    (row,) = [tr for tr in body.iter(f"{W}tr") if tr.find(f"{W}trPr/{W}ins") is not None]
    name = {"en": "Toshimitsu Motegi", "ja": "茂木敏充", "ko": "모테기 도시미쓰"}[lang]
    assert name in "".join(row.itertext())
    label = catalogs.load_translations(lang).gettext(" (expected)")
    in_row = "".join(row.itertext())
    marks = [(kind, text) for kind, text in paragraph_marks(body) if text not in in_row]
    # where the space goes (" late" or "late ") is difflib's choice; the word is the change
    assert sorted((k, t.strip() if k == "ins" else t) for k, t in marks) == sorted(
        [("ins", "late"), ("del", label)]
    )
    assert body.findall(f".//{W}rPrChange") == []  # no look changed


def test_libreoffice_reads_the_marks_as_tracked_changes(edited: Edited, tmp_path: Path) -> None:
    """LibreOffice converts each changes document to its own format: the tracked changes it
    read are listed there, each deletion with its text."""
    sources = [edited.space.document(lang, "changes.docx") for lang in LANGUAGES]
    profile = tmp_path / "profile"
    subprocess.run(
        [
            shutil.which("soffice") or "libreoffice",
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--convert-to",
            "odt",
            "--outdir",
            tmp_path,
            *map(str, sources),
        ],
        capture_output=True,
        timeout=300,
        check=True,
    )
    for lang, source in zip(LANGUAGES, sources, strict=True):
        with zipfile.ZipFile(tmp_path / f"{source.stem}.odt") as package:
            content = etree.fromstring(package.read("content.xml"))
        text = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
        regions = content.findall(f".//{text}tracked-changes/{text}changed-region")
        deleted = [
            "".join(region.find(f"{text}deletion").itertext()).replace("\n", "")
            for region in regions
            if region.find(f"{text}deletion") is not None
        ]
        inserted = [region for region in regions if region.find(f"{text}insertion") is not None]
        label = catalogs.load_translations(lang).gettext(" (expected)")
        assert any(label.strip() in item for item in deleted), (lang, deleted)
        assert len(deleted) == 1, (lang, deleted)
        assert len(inserted) >= 2, lang  # the word, and the new row's cells


def audit(path: Path) -> set[tuple[str, str]]:
    done = subprocess.run(
        [str(AUDIT), "-o", "json", "-m", "0", str(path)], capture_output=True, check=False
    )
    (report,) = json.loads(done.stdout)
    return {(error["description"], error["path"]) for error in report["errors"]}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_validator_finds_nothing_the_plain_document_lacks(edited: Edited, lang: str) -> None:
    """The changes document adds revision marks to the current document; the validator may
    find nothing in them. (Whatever it finds in the plain document, the reference document's
    own, is the concern of that document's tests.)"""
    changes = audit(edited.space.document(lang, "changes.docx"))
    assert changes <= audit(edited.space.document(lang)), changes


# ---------------------------------------------------------------------- bytes, nothing, errors


def test_the_same_versions_give_the_same_bytes(edited: Edited, tmp_path: Path) -> None:
    before = {lang: edited.space.document(lang, "changes.docx").read_bytes() for lang in LANGUAGES}
    elsewhere = Workspace(tmp_path / "work", edited.space.models)
    shutil.copytree(edited.space.folder, elsewhere.folder)
    rewritten = elsewhere.translated("changes", "--force")
    assert rewritten.returncode == 0, rewritten.output
    for lang in LANGUAGES:
        assert elsewhere.document(lang, "changes.docx").read_bytes() == before[lang]


def test_nothing_changed_says_so_and_writes_no_changes_document(
    edited: Edited, tmp_path: Path
) -> None:
    space = Workspace(tmp_path / "work", edited.space.models)
    shutil.copytree(edited.space.folder, space.folder)
    assert space.run("release", NARA.name).returncode == 0
    result = space.translated("changes")
    assert result.returncode == 0, result.output
    for lang in LANGUAGES:
        assert f"{lang}: no changes since version 2; no changes document written" in result.stderr
        assert not space.document(lang, "changes.docx").exists()  # the older comparison's too
    listing = space.run("versions", NARA.name)
    assert re.search(r"1  built .*  sent .*\n\s+2  built .*  sent .*  current", listing.stdout)


def test_versions_lists_what_is_kept_and_says_which_documents_have_none_yet(
    tmp_path: Path, copy_models_dir: Path
) -> None:
    space = new_workspace(tmp_path / "work", copy_models_dir)
    assert space.translated("build", "--lang", "en,ko").returncode == 0
    listing = space.run("versions", NARA.name)  # the workspace writes en, ja and ko
    assert listing.returncode == 0, listing.output
    assert f"{NARA.stem}.ja: no versions yet" in listing.stdout
    assert re.search(
        rf"{NARA.stem}\.ko \(versions in .*\)\n\s+1  built .*  current", listing.stdout
    )


def snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    return {
        str(path.relative_to(folder)): (path.stat().st_mtime_ns, path.stat().st_size)
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def test_a_renamed_facts_file_is_refused_naming_the_documents_with_versions(
    edited: Edited,
) -> None:
    renamed = edited.space.folder / "nara-renamed.yaml"
    shutil.copy(edited.space.folder / NARA.name, renamed)
    try:
        before = snapshot(edited.space.out)
        result = edited.space.run("changes", renamed.name, "--models-dir", edited.space.models)
        assert result.returncode == 2, result.output
        assert "no versions of nara-renamed.en, nara-renamed.ja, nara-renamed.ko" in result.stderr
        assert f"{STEM}.en, {STEM}.ja, {STEM}.ko" in result.stderr
        assert "renamed" in result.stderr
        assert snapshot(edited.space.out) == before
    finally:
        renamed.unlink()


def test_a_version_not_kept_is_refused_listing_those_kept(edited: Edited) -> None:
    before = snapshot(edited.space.out)
    result = edited.space.translated("changes", "--since", "7")
    assert result.returncode == 2, result.output
    assert f"{STEM}.en has no version 7; the versions kept are 1–2 (current: 2)" in result.stderr
    assert snapshot(edited.space.out) == before


# ---------------------------------------------------------------------- memory, layout, setting


def test_unchanged_english_keeps_its_translation_so_shows_no_change(
    tmp_path: Path, copy_models_dir: Path
) -> None:
    """One sentence corrected: the memory gives every other sentence its translation as before,
    so in Japanese and Korean only the corrected statement is marked. The setting `changes`
    makes the build write the changes documents."""
    space = new_workspace(tmp_path / "work", copy_models_dir)
    assert space.translated("build").returncode == 0
    facts = space.folder / NARA.name
    facts.write_text(facts.read_text(encoding="utf-8").replace(*CORRECTED), encoding="utf-8")
    report = tmp_path / "report.json"
    result = space.run(
        "build", NARA.name, "--models-dir", copy_models_dir, "--tm", space.folder / "memory.sqlite",
        "--report", report,
        env={"BRIEFING_CHANGES": "true"},
    )  # fmt: skip
    assert result.returncode == 0, result.output
    documents = {d["lang"]: d for d in json.loads(report.read_text())["documents"]}
    for lang in ("ja", "ko"):
        segments = documents[lang]["segments"]
        assert segments["machine"] == 1 and segments["memory"] > 30, segments
        assert documents[f"{lang} changes"]["changes"] == {
            "since": 1,
            "statements": 1,
            "participants": 0,
            "sources": 0,
        }
        body = document_xml(space.document(lang, "changes.docx"))
        marked = [
            "".join(p.itertext())
            for p in body.iter(f"{W}p")
            if p.find(f".//{W}ins") is not None or p.find(f".//{W}del") is not None
        ]
        assert len(marked) == 1 and "late" in marked[0], (lang, marked)


def test_parallel_documents_have_changes_documents_too(
    tmp_path: Path, copy_models_dir: Path
) -> None:
    space = new_workspace(tmp_path / "work", copy_models_dir)
    parallel = ("--layout", "parallel", "--lang", "ja")
    assert space.translated("build", *parallel).returncode == 0
    earlier = Path(shutil.copy(space.document("en-ja"), tmp_path / "sent.docx"))
    edit_facts(space.folder)
    result = space.translated("build", *parallel, "--changes")
    assert result.returncode == 0, result.output
    changes = space.document("en-ja", "changes.docx")
    summary, accepted = summary_and_rest(changes, "accept", notices=2)
    assert accepted == plain(pandoc_json(space.document("en-ja")))
    assert summary_and_rest(changes, "reject", notices=2)[1] == plain(pandoc_json(earlier))
    assert "記述2件、出席者1名、出典0件" in summary and "2 statements" in summary
    # Its tables span the landscape page's text width, as the parallel document's do.
    for document in (space.document("en-ja"), changes):
        body = document_xml(document).find(f"{W}body")
        page, margins = body.find(f"{W}sectPr/{W}pgSz"), body.find(f"{W}sectPr/{W}pgMar")
        assert page.get(f"{W}orient") == "landscape"
        text_width = (
            int(page.get(f"{W}w")) - int(margins.get(f"{W}left")) - int(margins.get(f"{W}right"))
        )
        for grid in body.iter(f"{W}tblGrid"):
            columns = [int(column.get(f"{W}w")) for column in grid.iter(f"{W}gridCol")]
            assert abs(sum(columns) - text_width) < len(columns), (document.name, columns)


def test_one_character_corrected_in_japanese_is_one_small_mark(
    tmp_path: Path, copy_models_dir: Path
) -> None:
    """The Japanese form of a place corrected by one character: the Japanese statement that
    names it gets one deletion and one insertion of that character; English and Korean did not
    change, and say so."""
    space = new_workspace(tmp_path / "work", copy_models_dir)
    assert space.translated("build", "--release").returncode == 0
    glossary = space.folder / "glossary.yaml"
    terms = glossary.read_text(encoding="utf-8")
    assert terms.count("    ja: 慶州\n") == 1
    glossary.write_text(terms.replace("    ja: 慶州\n", "    ja: 慶洲\n"), encoding="utf-8")
    result = space.translated("changes")
    assert result.returncode == 0, result.output
    for lang in ("en", "ko"):
        assert f"{lang}: no changes since version 1" in result.stderr
        assert not space.document(lang, "changes.docx").exists()
    body = document_xml(space.document("ja", "changes.docx"))
    assert paragraph_marks(body) == [("del", "州"), ("ins", "洲")]
    assert body.findall(f".//{W}trPr/{W}ins") == body.findall(f".//{W}trPr/{W}del") == []


def test_watch_writes_the_changes_document_with_each_rebuild(tmp_path: Path) -> None:
    from tests.test_watch import Watcher

    assert run_cli("init", "ws", cwd=tmp_path).returncode == 0
    workspace = tmp_path / "ws"
    facts = workspace / "sources" / "first-event.yaml"
    watcher = Watcher(workspace, "--lang", "en", "--changes")
    try:
        watcher.wait_for(lambda line: line.startswith("watching"), "watching")
        assert not (workspace / "out" / "first-event.en.changes.docx").exists()  # version 1
        text = facts.read_text(encoding="utf-8")
        changed = text.replace("One or two sentences", "Three sentences")
        assert changed != text
        facts.write_text(changed, encoding="utf-8")
        line = watcher.wait_for(lambda line: "first-event.yaml" in line, "the edited file")
        assert "out/first-event.en.changes.docx" in line, line
    finally:
        code, output = watcher.stop()
    assert code == 130, output
    marks = paragraph_marks(document_xml(workspace / "out" / "first-event.en.changes.docx"))
    assert ("del", "One or two") in marks and ("ins", "Three") in marks, marks
