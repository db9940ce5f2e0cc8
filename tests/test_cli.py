"""The `briefing` command line: exit codes, messages for people, and the three commands.

A few cases run the installed console script in a subprocess (exit status, stderr, no
traceback); the rest call the entry point in-process to keep the suite fast.
"""

from __future__ import annotations

import gc
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import docx
import pytest

from briefing.errors import INTERNAL_ERROR
from briefing.facts.load import load_facts
from tests.conftest import GLOSSARY, NARA, ROOT, invoke, run_cli

FactsYaml = Callable[[object], str]


def position(text: str, needle: str) -> tuple[int, int]:
    index = text.index(needle)
    return text.count("\n", 0, index) + 1, index - (text.rfind("\n", 0, index) + 1) + 1


def bad_facts(folder: Path, minimal_facts: dict[str, Any], facts_yaml: FactsYaml) -> Path:
    """A facts file with one error: an unknown time zone."""
    minimal_facts["event"]["time_zone"] = "Asia/Atlantis"
    path = folder / "bad.yaml"
    path.write_text(facts_yaml(minimal_facts), encoding="utf-8")
    return path


# ------------------------------------------------------------------------ end to end (script)


def test_validate_bad_file_prints_location_and_exits_2(
    tmp_path: Path, minimal_facts: dict[str, Any], facts_yaml: FactsYaml
) -> None:
    path = bad_facts(tmp_path, minimal_facts, facts_yaml)
    line, column = position(path.read_text(encoding="utf-8"), "Asia/Atlantis")
    result = run_cli("validate", "bad.yaml", script=True, cwd=tmp_path)
    assert result.returncode == 2
    first = result.stderr.splitlines()[0]
    assert first.startswith(f"bad.yaml:{line}:{column}: error: ")
    assert "unknown time zone 'Asia/Atlantis'" in first
    assert "Traceback" not in result.stderr


def test_validate_example_exits_0(tmp_path: Path) -> None:
    result = run_cli("validate", str(NARA), script=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert f"{NARA}: ok" in result.stdout
    assert "error" not in result.stderr


def test_unwritable_output_folder_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a regular file where a folder is needed\n", encoding="utf-8")
    out_dir = blocker / "out"
    result = run_cli(
        "build", str(NARA), "--lang", "en", "--out", str(out_dir), script=True, cwd=tmp_path
    )
    assert result.returncode == 2
    assert "cannot write to the output folder" in result.stderr
    assert str(out_dir) in result.stderr
    assert "Traceback" not in result.stderr
    assert blocker.read_text(encoding="utf-8").startswith("a regular file")


def broken_template(tmp_path: Path) -> Path:
    """A copy of the summit template whose title divides by zero: an unforeseen failure."""
    template = tmp_path / "broken-template"
    shutil.copytree(ROOT / "templates" / "summit", template)
    document = template / "document.xml.j2"
    text = document.read_text(encoding="utf-8")
    assert "<title>{{ b.title }}</title>" in text
    document.write_text(
        text.replace("<title>{{ b.title }}</title>", "<title>{{ b.title }}{{ 1 // 0 }}</title>"),
        encoding="utf-8",
    )
    return template


def test_internal_error_without_and_with_debug(tmp_path: Path) -> None:
    template = broken_template(tmp_path)
    args = ["build", str(NARA), "--lang", "en", "--out", "out", "--template", str(template)]

    plain = run_cli(*args, script=True, cwd=tmp_path)
    assert plain.returncode == INTERNAL_ERROR  # not 1, which means "a model is missing"
    assert "internal error: ZeroDivisionError" in plain.stderr
    assert "--debug" in plain.stderr
    assert "Traceback" not in plain.stderr

    debug = run_cli("--debug", *args, script=True, cwd=tmp_path)
    assert debug.returncode == INTERNAL_ERROR  # not 1, which means "a model is missing"
    assert "Traceback (most recent call last)" in debug.stderr
    assert "ZeroDivisionError" in debug.stderr
    assert not list((tmp_path / "out").glob("*.docx"))


# ------------------------------------------------------------------------------------- help


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ([], ["build", "validate", "new", "--debug", "--version"]),
        (
            ["build"],
            [
                "Facts files (YAML)",
                "--lang",
                "--out",
                "--template",
                "--glossary",
                "Comma-separated",
            ],
        ),
        (["validate"], ["Facts files (YAML)", "--glossary", "line:column"]),
        (["new"], ["Name of the event", "--dir", "--force", "starter"]),
    ],
)
def test_help(args: list[str], expected: list[str]) -> None:
    result = invoke(*args, "--help")
    assert result.returncode == 0
    for word in expected:
        assert word in result.output, word


def test_version() -> None:
    result = invoke("--version")
    assert result.returncode == 0
    assert result.stdout.startswith("briefing ")


def test_garbage_collection_pauses_for_start_up_only() -> None:
    """Paused while the command line is parsed, it runs again for the command (start-up's own
    objects frozen), after a usage error too; a caller that paused it finds it paused."""
    assert gc.isenabled()
    assert invoke("validate", NARA).returncode == 0
    assert gc.isenabled() and gc.get_freeze_count() > 0
    assert invoke("no-such-command").returncode == 2
    assert gc.isenabled()
    gc.disable()
    try:
        assert invoke("validate", NARA).returncode == 0
        assert not gc.isenabled()
    finally:
        gc.enable()


# -------------------------------------------------------------------------------- validate


def test_validate_reports_each_file(
    tmp_path: Path,
    minimal_facts: dict[str, Any],
    facts_yaml: FactsYaml,
) -> None:
    good = tmp_path / "good.yaml"
    good.write_text(facts_yaml(minimal_facts), encoding="utf-8")
    bad = bad_facts(tmp_path, minimal_facts, facts_yaml)
    line, column = position(bad.read_text(encoding="utf-8"), "Asia/Atlantis")
    result = invoke("validate", str(good), str(bad))
    assert result.returncode == 2
    assert f"{good}: ok" in result.stdout
    assert f"{bad}:{line}:{column}: error:" in result.stderr
    assert "Expected an IANA time zone" in result.stderr


def test_validate_shows_brackets_in_values_literally(
    tmp_path: Path,
    minimal_facts: dict[str, Any],
    facts_yaml: FactsYaml,
) -> None:
    minimal_facts["event"]["time_zone"] = "[/bold] [red]Zone"
    path = tmp_path / "brackets.yaml"
    path.write_text(facts_yaml(minimal_facts), encoding="utf-8")
    result = invoke("validate", str(path))
    assert result.returncode == 2
    assert "unknown time zone '[/bold] [red]Zone'" in result.stderr
    assert "internal error" not in result.stderr


def test_validate_missing_file(tmp_path: Path) -> None:
    result = invoke("validate", str(tmp_path / "nowhere.yaml"))
    assert result.returncode == 2
    assert "nowhere.yaml" in result.stderr
    assert "no such file" in result.stderr


# ------------------------------------------------------------------------------------- new


def test_new_writes_a_file_that_validates_and_builds(tmp_path: Path) -> None:
    folder = tmp_path / "events"
    created = invoke("new", "my-event", "--dir", str(folder))
    assert created.returncode == 0, created.stderr
    path = folder / "my-event.yaml"
    assert path.is_file()
    text = path.read_text(encoding="utf-8")
    assert text.startswith("#")  # commented for the person who fills it in
    assert f"briefing validate {path}" in text

    validated = invoke("validate", str(path))
    assert validated.returncode == 0, validated.stderr
    assert f"{path}: ok" in validated.stdout

    out_dir = tmp_path / "out"
    built = invoke("build", str(path), "--lang", "en", "--out", str(out_dir))
    assert built.returncode == 0, built.stderr
    document = docx.Document(str(out_dir / "my-event.en.docx"))
    facts, _ = load_facts(path)
    assert document.paragraphs[0].text == facts.event.title
    assert document.core_properties.title == facts.event.title


def test_new_refuses_to_overwrite_without_force(tmp_path: Path) -> None:
    path = tmp_path / "my-event.yaml"
    path.write_text("# my own notes\n", encoding="utf-8")
    refused = invoke("new", "my-event", "--dir", str(tmp_path))
    assert refused.returncode == 2
    assert "already exists" in refused.stderr
    assert "--force" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert path.read_text(encoding="utf-8") == "# my own notes\n"

    forced = invoke("new", "my-event", "--dir", str(tmp_path), "--force")
    assert forced.returncode == 0
    assert path.read_text(encoding="utf-8") != "# my own notes\n"
    load_facts(path)


@pytest.mark.parametrize("name", ["../escape", ".hidden", ""])
def test_new_refuses_unusable_names(tmp_path: Path, name: str) -> None:
    result = invoke("new", name, "--dir", str(tmp_path))
    assert result.returncode == 2
    assert "not a usable file name" in result.stderr
    assert list(tmp_path.iterdir()) == []


# ------------------------------------------------------------------------------------ build


def test_build_without_facts_builds_every_source_but_the_glossary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "sources").mkdir()
    shutil.copy(NARA, tmp_path / "sources" / NARA.name)
    shutil.copy(GLOSSARY, tmp_path / "sources" / GLOSSARY.name)
    monkeypatch.chdir(tmp_path)
    result = invoke("build", "--lang", "en")
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in (tmp_path / "out").glob("*.docx")) == [f"{NARA.stem}.en.docx"]
    assert NARA.name in result.stderr  # the build table lists the facts file it read
    assert GLOSSARY.name not in result.stderr


def test_build_without_facts_and_no_sources_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = invoke("build", "--lang", "en")
    assert result.returncode == 2
    assert "briefing new" in result.stderr


def test_a_folder_given_builds_and_validates_every_facts_file_in_it(tmp_path: Path) -> None:
    events = tmp_path / "events"
    events.mkdir()
    shutil.copy(NARA, events / "b-summit.yaml")
    shutil.copy(NARA, events / "a-summit.yaml")
    shutil.copy(GLOSSARY, events / GLOSSARY.name)
    (events / "a-summit.glossary.yaml").write_text('version: "1"\nterms: []\n', "utf-8")
    out = tmp_path / "out"
    result = invoke("build", events, "--lang", "en", "--out", out)
    assert result.returncode == 0, result.output
    assert sorted(p.name for p in out.glob("*.docx")) == ["a-summit.en.docx", "b-summit.en.docx"]
    checked = invoke("validate", events)
    assert checked.returncode == 0, checked.output
    assert "a-summit.yaml: ok" in checked.output and "b-summit.yaml: ok" in checked.output
    assert "glossary.yaml: ok" not in checked.output


def test_a_folder_without_facts_files_is_an_error_naming_it(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / GLOSSARY.name).write_text('version: "1"\nterms: []\n', "utf-8")
    out = tmp_path / "out"
    result = invoke("build", NARA, empty, "--lang", "en", "--out", out)
    assert result.returncode == 2
    assert f"{empty}/: no facts files in this folder" in result.output
    assert not out.exists()  # refused before the other file was built


def test_watching_a_folder_takes_new_facts_files_in_it(tmp_path: Path) -> None:
    from briefing.cli.build import watched_inputs
    from briefing.workspace.settings import load_settings

    events = tmp_path / "events"
    events.mkdir()
    shutil.copy(NARA, events / NARA.name)
    settings = load_settings(cwd=tmp_path, env={})
    watched = watched_inputs(settings, [events])
    assert watched.accepts(events / "new-event.yaml")  # not there yet: a folder takes new files
    assert watched.accepts(events / GLOSSARY.name)
    assert not watched.accepts(tmp_path / "elsewhere.yaml")


def test_unknown_language_lists_the_known_ones(tmp_path: Path) -> None:
    result = invoke("build", str(NARA), "--lang", "en,xx", "--out", str(tmp_path))
    assert result.returncode == 2
    assert "unknown language code(s): xx" in result.stderr
    for code in ("en", "ja", "ko"):
        assert code in result.stderr.split("available:")[1]
    assert not list(tmp_path.glob("*.docx"))


def test_build_of_a_bad_facts_file_is_located_and_writes_nothing(
    tmp_path: Path,
    minimal_facts: dict[str, Any],
    facts_yaml: FactsYaml,
) -> None:
    path = bad_facts(tmp_path, minimal_facts, facts_yaml)
    line, column = position(path.read_text(encoding="utf-8"), "Asia/Atlantis")
    out_dir = tmp_path / "out"
    result = invoke("build", str(path), "--lang", "en", "--out", str(out_dir))
    assert result.returncode == 2
    assert f"{path}:{line}:{column}: error:" in result.stderr
    assert not list(out_dir.glob("*.docx"))


def test_unknown_template_names_the_available_ones(tmp_path: Path) -> None:
    result = invoke(
        "build", str(NARA), "--lang", "en", "--out", str(tmp_path), "--template", "gala"
    )
    assert result.returncode == 2
    assert "template 'gala' not found" in result.stderr
    assert "summit" in result.stderr.split("available:")[1]


def test_each_build_reads_the_reference_document_as_it_is_now(
    tmp_path: Path, copy_models_dir: Path
) -> None:
    # Builds in one process (as under --watch) share the prepared reference document: an
    # edited reference must reach the next build, and one language must not leak into another.
    template = tmp_path / "template"
    shutil.copytree(ROOT / "templates" / "summit", template)
    reference = template / "reference.docx"

    def build(out: Path, lang: str = "en") -> docx.document.Document:
        result = invoke(
            "build", NARA, "--lang", lang, "--out", out, "--template", template,
            "--models-dir", copy_models_dir, "--tm", tmp_path / "tm.sqlite",
        )  # fmt: skip
        assert result.returncode == 0, result.output
        return docx.Document(str(out / f"{NARA.stem}.{lang}.docx"))

    before = build(tmp_path / "one").styles["Normal"].font.size
    build(tmp_path / "two", "ja")
    again = build(tmp_path / "three")
    assert again.styles["Normal"].font.size == before
    assert (tmp_path / "one" / f"{NARA.stem}.en.docx").read_bytes() == (
        tmp_path / "three" / f"{NARA.stem}.en.docx"
    ).read_bytes()

    house_style = docx.Document(str(reference))
    house_style.styles["Normal"].font.size = docx.shared.Pt(14)
    house_style.save(str(reference))
    assert build(tmp_path / "four").styles["Normal"].font.size == docx.shared.Pt(14) != before


def test_corrupt_reference_document_is_an_input_error(tmp_path: Path) -> None:
    template = tmp_path / "template"
    shutil.copytree(ROOT / "templates" / "summit", template)
    (template / "reference.docx").write_bytes(b"PK\x03\x04 not really a zip")
    out_dir = tmp_path / "out"
    result = invoke(
        "build", str(NARA), "--lang", "en", "--out", str(out_dir), "--template", str(template)
    )
    assert result.returncode == 2
    assert "not a usable reference .docx" in result.stderr
    assert "Traceback" not in result.stderr
    assert not list(out_dir.glob("*.docx"))
