"""Incremental builds: unchanged documents are skipped, changes rebuild only what they touch and
translate only what the memory lacks; concurrent and interrupted builds leave whole documents.

Two facts files (copies of the Nara example) are built once per module with the tiny real
packages; each test works on its own copy of that state (facts, glossary, out/, memory). The
`--report` JSON and the memory's rows are the evidence of what was translated.

Uses the tiny random packages: skipping and rebuilding do not depend on what the model says, and
their output differs from the English, so a translation that came from the memory is told apart.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import signal
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import docx
import pytest

from tests.conftest import GLOSSARY, NARA, build_args, ctrl_c_reaches_child, invoke, start_cli
from tests.support.documents import style_of

LANGS = ("en", "ja", "ko")
TARGETS = ("ja", "ko")
STEMS = ("a-summit", "b-summit")
OLD_TIME = 1_000_000_000  # 2001: older than anything a build writes

# One statement of the example, and what it becomes in the changed facts file.
OLD_STATEMENT = (
    "Both sides will expand practical cooperation on artificial intelligence and on the\n"
    "      protection of intellectual property."
)
NEW_SENTENCES = (
    "Both sides will set up a joint working group on artificial intelligence.",
    "It will report to the two leaders within a year.",
)

Rows = set[tuple[str, str, str]]  # (segment, target language, target text)


# ------------------------------------------------------------------------------------ helpers


def memory_rows(tm: Path) -> Rows:
    with contextlib.closing(sqlite3.connect(tm)) as connection:
        return set(connection.execute("SELECT segment, target_lang, target FROM entries"))


def copy_memory(source: Path, target: Path) -> None:
    """A consistent copy of a WAL-mode database, through SQLite's backup API."""
    with (
        contextlib.closing(sqlite3.connect(source)) as src,
        contextlib.closing(sqlite3.connect(target)) as dst,
    ):
        src.backup(dst)


def integrity(tm: Path) -> str:
    with contextlib.closing(sqlite3.connect(tm)) as connection:
        return connection.execute("PRAGMA integrity_check").fetchone()[0]


def snapshot(out: Path) -> dict[str, tuple[bytes, int]]:
    """Bytes and modification time of every document."""
    return {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in sorted(out.glob("*.docx"))}


def temporaries(out: Path) -> list[str]:
    return sorted(p.name for p in out.iterdir() if p.name.startswith(".") and p.suffix == ".tmp")


def doc_name(stem: str, lang: str) -> str:
    return f"{stem}.{lang}.docx"


def changed_facts(text: str) -> str:
    assert text.count(OLD_STATEMENT) == 1
    return text.replace(OLD_STATEMENT, " ".join(NEW_SENTENCES))


@dataclass
class State:
    """Facts files, glossary, out/ and memory of one test."""

    root: Path
    models_dir: Path

    @property
    def src(self) -> Path:
        return self.root / "src"

    @property
    def out(self) -> Path:
        return self.root / "out"

    @property
    def tm(self) -> Path:
        return self.root / "tm.sqlite"

    def facts(self, stem: str) -> Path:
        return self.src / f"{stem}.yaml"

    def args(self, *files: Path) -> list[str | Path]:
        facts = files or [self.facts(s) for s in STEMS]
        return build_args(*facts, models_dir=self.models_dir, tm=self.tm, out=self.out)

    def build(self, *extra: str, files: tuple[Path, ...] = ()) -> dict[str, Any]:
        """Build in this process through the CLI; the --report JSON."""
        report = self.root / f"report-{time.monotonic_ns()}.json"
        result = invoke(*self.args(*files), "--report", str(report), *extra)
        assert result.returncode == 0, result.output
        return json.loads(report.read_text(encoding="utf-8"))


def statuses(report: dict[str, Any]) -> dict[str, str]:
    return {Path(d["path"]).name: d["status"] for d in report["documents"]}


def segments(report: dict[str, Any], name: str) -> dict[str, int]:
    [found] = [d["segments"] for d in report["documents"] if Path(d["path"]).name == name]
    return found


@dataclass(frozen=True)
class Base:
    state: State
    report: dict[str, Any]
    rows: Rows
    docs: dict[str, tuple[bytes, int]]


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory, tiny_models_dir: Path) -> Base:
    """Two facts files with the example's text, built cold once: the starting point of each test."""
    state = State(tmp_path_factory.mktemp("incremental-base"), tiny_models_dir)
    state.src.mkdir()
    for stem in STEMS:
        shutil.copyfile(NARA, state.facts(stem))
    shutil.copyfile(GLOSSARY, state.src / GLOSSARY.name)
    report = state.build()
    assert set(statuses(report).values()) == {"written"}
    return Base(state, report, memory_rows(state.tm), snapshot(state.out))


@pytest.fixture
def state(base: Base, tmp_path: Path) -> State:
    """A copy of the base state: facts, glossary, out/ (with its manifest) and the memory."""
    mine = State(tmp_path / "state", base.state.models_dir)
    mine.root.mkdir()
    shutil.copytree(base.state.src, mine.src)
    shutil.copytree(base.state.out, mine.out)
    copy_memory(base.state.tm, mine.tm)
    assert memory_rows(mine.tm) == base.rows
    return mine


# --------------------------------------------------------------------------- skipping, rebuilding


def test_nothing_changed_skips_every_document_and_translates_nothing(
    base: Base, state: State
) -> None:
    before = snapshot(state.out)
    report = state.build()
    assert statuses(report) == {doc_name(s, lang): "unchanged" for s in STEMS for lang in LANGS}
    assert snapshot(state.out) == before
    assert memory_rows(state.tm) == base.rows
    for stem in STEMS:
        for lang in TARGETS:
            now, first = (
                segments(report, doc_name(stem, lang)),
                segments(base.report, doc_name(stem, lang)),
            )
            assert first["machine"] > 40 and first["memory"] == 0
            # The random model's sentences are flagged (loops, length, numbers): read back from
            # the memory, they are flagged for the same checks.
            assert first["flagged"] > 40
            assert now == {
                "memory": first["machine"],
                "machine": 0,
                "flagged": first["flagged"],
                "flagged_by_check": first["flagged_by_check"],
            }


def test_one_changed_statement_rebuilds_its_file_and_translates_only_it(
    base: Base, state: State
) -> None:
    changed = state.facts(STEMS[1])
    changed.write_text(changed_facts(changed.read_text(encoding="utf-8")), encoding="utf-8")
    before = snapshot(state.out)
    report = state.build()

    assert statuses(report) == {
        **{doc_name(STEMS[0], lang): "unchanged" for lang in LANGS},
        **{doc_name(STEMS[1], lang): "written" for lang in LANGS},
    }
    after = snapshot(state.out)
    for lang in LANGS:
        assert after[doc_name(STEMS[0], lang)] == before[doc_name(STEMS[0], lang)]
        assert after[doc_name(STEMS[1], lang)] != before[doc_name(STEMS[1], lang)]

    rows = memory_rows(state.tm)
    added = rows - base.rows
    assert base.rows <= rows
    assert {(segment, lang) for segment, lang, _ in added} == {
        (sentence, lang) for sentence in NEW_SENTENCES for lang in TARGETS
    }
    for lang in TARGETS:
        name = doc_name(STEMS[1], lang)
        counts = segments(report, name)
        # The report counts sentences: the new ones from the model, the rest (all but the one
        # sentence of the old statement) from the memory.
        assert (counts["memory"], counts["machine"]) == (
            segments(base.report, name)["machine"] - 1,
            len(NEW_SENTENCES),
        )
        text = "\n".join(p.text for p in docx.Document(str(state.out / name)).paragraphs)
        assert all(target in text for _, target_lang, target in added if target_lang == lang)


def test_force_rewrites_every_document_with_the_same_bytes(base: Base, state: State) -> None:
    for path in state.out.glob("*.docx"):
        os.utime(path, (OLD_TIME, OLD_TIME))
    report = state.build("--force")
    assert statuses(report) == {doc_name(s, lang): "written" for s in STEMS for lang in LANGS}
    after = snapshot(state.out)
    assert {name: data for name, (data, _) in after.items()} == {
        name: data for name, (data, _) in base.docs.items()
    }
    assert all(mtime > OLD_TIME * 10**9 for _, mtime in after.values())
    assert memory_rows(state.tm) == base.rows
    assert all(d["segments"]["machine"] == 0 for d in report["documents"])


def test_deleted_or_hand_edited_documents_are_rebuilt(base: Base, state: State) -> None:
    deleted, edited = doc_name(STEMS[0], "ja"), doc_name(STEMS[1], "ko")
    (state.out / deleted).unlink()
    document = docx.Document(str(state.out / edited))
    document.add_paragraph("A note added by hand.")
    document.save(str(state.out / edited))
    before = snapshot(state.out)

    report = state.build()
    assert {n for n, s in statuses(report).items() if s == "written"} == {deleted, edited}
    after = snapshot(state.out)
    assert after[deleted][0] == base.docs[deleted][0]
    assert after[edited][0] == base.docs[edited][0]
    assert {n: v for n, v in after.items() if n not in (deleted, edited)} == {
        n: v for n, v in before.items() if n not in (deleted, edited)
    }
    assert memory_rows(state.tm) == base.rows


def test_a_changed_glossary_form_rebuilds_the_documents_in_that_language(
    base: Base, state: State
) -> None:
    glossary = state.src / GLOSSARY.name
    old_form, new_form = "ja: 高市早苗\n", "ja: 高市　早苗\n"
    text = glossary.read_text(encoding="utf-8")
    assert text.count(old_form) == 1
    glossary.write_text(text.replace(old_form, new_form), encoding="utf-8")

    report = state.build("--lang", "en,ja")
    for stem in STEMS:
        name = doc_name(stem, "ja")
        assert statuses(report)[name] == "written"
        document = docx.Document(str(state.out / name))
        assert document.tables[0].rows[1].cells[0].text == "高市　早苗"
        [summary] = [p.text for p in document.paragraphs if style_of(p) == "Normal"]
        assert "高市　早苗" in summary
        english = doc_name(stem, "en")
        assert (state.out / english).read_bytes() == base.docs[english][0]


# ------------------------------------------------------------------ concurrent and interrupted


def test_two_builds_at_once_both_finish_and_lose_no_memory_entry(base: Base, state: State) -> None:
    changed = state.facts(STEMS[1])
    changed.write_text(changed_facts(changed.read_text(encoding="utf-8")), encoding="utf-8")
    shutil.rmtree(state.out)
    state.tm.unlink()
    home = state.root / "home"
    home.mkdir()
    processes = [
        start_cli(*state.args(state.facts(stem)), cwd=state.root, home=home, script=True)
        for stem in STEMS
    ]
    for process in processes:
        stdout, stderr = process.communicate(timeout=120)
        assert process.returncode == 0, stderr
        assert "Traceback" not in stdout + stderr

    names = sorted(p.name for p in state.out.glob("*.docx"))
    assert names == sorted(doc_name(s, lang) for s in STEMS for lang in LANGS)
    for name in names:
        paragraphs = docx.Document(str(state.out / name)).paragraphs
        assert len(paragraphs) == len(docx.Document(str(base.state.out / name)).paragraphs)
    assert temporaries(state.out) == []
    keys = {(segment, lang) for segment, lang, _ in memory_rows(state.tm)}
    assert keys == {(segment, lang) for segment, lang, _ in base.rows} | {
        (sentence, lang) for sentence in NEW_SENTENCES for lang in TARGETS
    }
    assert integrity(state.tm) == "ok"


COPIES = 10


@pytest.mark.parametrize("how", [signal.SIGINT, signal.SIGKILL], ids=["ctrl-c", "kill"])
def test_an_interrupted_build_leaves_whole_documents_and_a_sound_memory(
    base: Base, state: State, how: signal.Signals
) -> None:
    """Every target already holds a good document (old); a forced build over ten copies is
    stopped after its first write. Each document must then be the old one or the new one."""
    shutil.rmtree(state.out)
    state.out.mkdir()
    stems = [f"copy-{i:02d}" for i in range(COPIES)]
    for stem in stems:
        shutil.copyfile(state.facts(STEMS[0]), state.facts(stem))
        for lang in LANGS:
            target = state.out / doc_name(stem, lang)
            target.write_bytes(base.docs[doc_name(STEMS[0], lang)][0])
            os.utime(target, (OLD_TIME, OLD_TIME))
    expected = {
        doc_name(s, lang): base.docs[doc_name(STEMS[0], lang)][0] for s in stems for lang in LANGS
    }
    home = state.root / "home"
    home.mkdir()
    process = start_cli(
        *state.args(*(state.facts(s) for s in stems)), "--force",
        cwd=state.root, home=home, script=True, preexec_fn=ctrl_c_reaches_child,
    )  # fmt: skip
    deadline = time.monotonic() + 120
    while not any(p.stat().st_mtime_ns > OLD_TIME * 10**9 for p in state.out.glob("*.docx")):
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline
        time.sleep(0.005)
    process.send_signal(how)
    stdout, stderr = process.communicate(timeout=60)

    rewritten = [p for p in state.out.glob("*.docx") if p.stat().st_mtime_ns > OLD_TIME * 10**9]
    assert 1 <= len(rewritten) < len(expected), "the build was not interrupted"
    if how == signal.SIGINT:
        assert process.returncode == 130
        assert "interrupted" in stderr and "Traceback" not in stderr
        assert temporaries(state.out) == []
    else:
        assert process.returncode == -signal.SIGKILL
    assert {p.name: p.read_bytes() for p in state.out.glob("*.docx")} == expected
    for path in rewritten:
        assert docx.Document(str(path)).paragraphs
    manifest = state.out / ".briefing-manifest.json"
    if manifest.exists():  # it is first written after the first document
        entries = json.loads(manifest.read_text(encoding="utf-8"))["documents"]
        assert set(entries) <= set(expected)
        for name, entry in entries.items():
            assert hashlib.sha256((state.out / name).read_bytes()).hexdigest() == entry["sha256"]
    assert integrity(state.tm) == "ok"
    assert memory_rows(state.tm) == base.rows

    if how == signal.SIGKILL:
        # A kill can land between a temporary file and its rename; the next build clears it.
        report = state.build(files=tuple(state.facts(s) for s in stems))
        assert set(statuses(report)) == set(expected)
        assert temporaries(state.out) == []
        assert {p.name: p.read_bytes() for p in state.out.glob("*.docx")} == expected


def test_a_build_clears_temporary_files_left_by_a_killed_one(state: State) -> None:
    """What a process killed between writing a temporary file and renaming it leaves behind."""
    left = [
        state.out / f".{doc_name(STEMS[0], 'ja')}.k1ll3d_x.tmp",
        state.out / ".briefing-manifest.json.abcd1234.tmp",
    ]
    for path in left:
        path.write_bytes(b"PK\x03\x04 half a file")
    own = state.out / "notes.tmp"  # not a name the build makes: not the build's to delete
    own.write_text("kept", encoding="utf-8")
    report = state.build()
    assert set(statuses(report).values()) == {"unchanged"}
    assert temporaries(state.out) == []
    assert own.read_text(encoding="utf-8") == "kept"
