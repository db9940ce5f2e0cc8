"""A new user's first hour: the starter workspace validates and builds without a warning, every
text that says where the workspace glossary is says where the code looks, and a build says
each thing once, only about the documents it writes."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import typer

from briefing.cli.app import app
from briefing.cli.common import GLOSSARY_DEFAULT
from briefing.terms.layers import workspace_glossaries
from briefing.workspace.settings import load_settings
from tests.conftest import ROOT, invoke, run_cli

NO_CONFIG = {"BRIEFING_CONFIG": ""}


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A workspace as `briefing init` makes it, the current folder."""
    folder = tmp_path / "ws"
    made = invoke("init", folder)
    assert made.returncode == 0, made.output
    (folder / "init.out").write_text(made.stdout, encoding="utf-8")
    monkeypatch.chdir(folder)
    for name in (
        "BRIEFING_CONFIG",
        "BRIEFING_GLOSSARIES",
        "BRIEFING_SOURCES",
        "BRIEFING_LANGUAGES",
    ):
        monkeypatch.delenv(name, raising=False)
    return folder


def build(*args: str | Path, models: Path, tm: Path) -> Any:
    return invoke("build", *args, "--models-dir", models, "--tm", tm)


# ----------------------------------------------------------------------- the starter


def test_the_starter_validates_without_a_warning_and_prints_every_name_officially(
    workspace: Path, copy_models_dir: Path
) -> None:
    checked = invoke("validate")
    assert checked.returncode == 0, checked.output
    assert "(6 texts, 0 warnings)" in checked.stdout
    assert checked.stderr == ""
    report = workspace / "report.json"
    built = invoke(
        "build", "--models-dir", copy_models_dir, "--tm", workspace / "tm.sqlite",
        "--report", report,
    )  # fmt: skip
    assert built.returncode == 0, built.output
    documents = json.loads(report.read_text(encoding="utf-8"))["documents"]
    assert [(d["lang"], d["status"], d["kept_in_english"]) for d in documents] == [
        ("en", "written", []),
        ("ja", "written", []),
        ("ko", "written", []),
    ]
    assert "kept in English" not in built.stderr and "warning" not in built.stderr


def test_a_new_facts_file_validates_without_a_warning_in_any_workspace(tmp_path: Path) -> None:
    for workspace in (ROOT, tmp_path):  # the repository's (a glossary of its own), and none
        written = invoke("new", "first", "--dir", tmp_path / "new" / workspace.name)
        assert written.returncode == 0, written.output
        facts = tmp_path / "new" / workspace.name / "first.yaml"
        checked = invoke("validate", facts, env={"BRIEFING_CONFIG": str(ROOT / "briefing.toml")})
        assert checked.returncode == 0 and checked.stderr == "", checked.output


# ----------------------------------------------------------------------- where the glossary is


def options_named(command: Any, name: str, path: str = "briefing") -> dict[str, str]:
    """Every command's help for the parameter `name`, by command path."""
    found = {}
    for param in command.params:
        if name in getattr(param, "opts", []):
            found[path] = getattr(param, "help", "") or ""
    if hasattr(command, "commands"):  # a group
        for sub_name, sub in command.commands.items():
            found.update(options_named(sub, name, f"{path} {sub_name}"))
    return found


def test_every_text_names_the_glossary_the_commands_read(workspace: Path) -> None:
    starter = workspace / "sources" / "first-event.yaml"
    settings = load_settings(cwd=workspace, env={})
    [read] = [p.resolve() for p in workspace_glossaries(settings.glossaries, [starter])]

    # the starter's comment and init's output name the file the commands read
    comment = re.search(
        r"the workspace glossary, (\S+) in the workspace folder", starter.read_text()
    )
    said = re.search(
        r"names go in (\S+) in the workspace folder", (workspace / "init.out").read_text()
    )
    assert comment and said
    assert (workspace / comment.group(1)).resolve() == read
    assert (workspace / said.group(1)).resolve() == read
    assert "sources/glossary.yaml" not in starter.read_text()
    # ... and a term put there is the one validate uses
    read.write_text(
        read.read_text() + "  - {id: kyoto, kind: place, en: Kyoto, ja: 京都, ko: 교토}\n"
    )
    read.write_text(read.read_text().replace("terms: []", "terms:"))
    starter.write_text(starter.read_text().replace("city: Nara", "city: Kyoto"))
    assert invoke("validate").stderr == ""

    # every --glossary option says the one default, and `glossary check` follows it
    command = typer.main.get_command(app)
    helps = options_named(command, "--glossary")
    assert {"briefing build", "briefing validate", "briefing review export"} <= set(helps)
    helps.update(options_named(command, "files"))  # `glossary check`'s files
    assert "briefing glossary check" in helps
    for name, text in helps.items():
        assert GLOSSARY_DEFAULT.removesuffix(".") in text, name
    checked = invoke("glossary", "check")
    assert checked.returncode == 0, checked.output
    assert "in 2 file(s)" in checked.stdout  # the base and the workspace glossary


def test_without_the_setting_the_glossary_beside_the_facts_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The other half of GLOSSARY_DEFAULT: no setting, the glossary.yaml beside the facts."""
    events = tmp_path / "events"
    events.mkdir()
    assert invoke("new", "first", "--dir", events, env=NO_CONFIG).returncode == 0
    facts = events / "first.yaml"
    assert "glossary.yaml beside this file" in facts.read_text()
    facts.write_text(facts.read_text().replace("city: Nara", "city: Kyoto"))
    monkeypatch.chdir(tmp_path)
    warned = invoke("validate", facts, env=NO_CONFIG)
    assert "'Kyoto' is not in the glossary" in warned.stderr
    (events / "glossary.yaml").write_text(
        'version: "1"\nterms:\n  - {id: kyoto, kind: place, en: Kyoto, ja: 京都, ko: 교토}\n'
    )
    assert invoke("validate", facts, env=NO_CONFIG).stderr == ""
    checked = invoke("glossary", "check", env={**NO_CONFIG, "BRIEFING_SOURCES": str(events)})
    assert checked.returncode == 0 and "in 2 file(s)" in checked.stdout, checked.output


# ----------------------------------------------------------------------- what a build says


def with_names(starter: str, city: str, visitor: str) -> str:
    """The starter with a city and a participant the glossaries lack."""
    return starter.replace("city: Nara", f"city: {city}").replace("Lee Jae Myung", visitor)


def test_an_english_build_says_nothing_of_japanese_and_korean_names(
    workspace: Path, tmp_path: Path
) -> None:
    starter = workspace / "sources" / "first-event.yaml"
    starter.write_text(with_names(starter.read_text(), "Kyoto", "Jane Doe"))
    report = tmp_path / "report.json"
    built = invoke("build", "--lang", "en", "--report", report)
    assert built.returncode == 0, built.output
    assert "Kyoto" not in built.stderr and "Jane Doe" not in built.stderr
    assert "warning" not in built.stderr and "kept in English" not in built.stderr
    assert json.loads(report.read_text())["problems"] == []


def test_a_build_where_one_of_three_files_changed_says_each_name_once(
    workspace: Path, copy_models_dir: Path
) -> None:
    sources = workspace / "sources"
    starter = (sources / "first-event.yaml").read_text()
    names = {
        "one": ("Kyoto", "Jane Doe"),
        "two": ("Osaka", "John Roe"),
        "three": ("Kobe", "Ann Poe"),
    }
    (sources / "first-event.yaml").unlink()
    for stem, (city, visitor) in names.items():
        (sources / f"{stem}.yaml").write_text(with_names(starter, city, visitor))
    tm = workspace / "tm.sqlite"
    first = build(models=copy_models_dir, tm=tm)
    assert first.returncode == 0, first.output
    (sources / "two.yaml").write_text(
        (sources / "two.yaml").read_text().replace("One or two sentences", "Two sentences")
    )
    report = workspace / "report.json"
    second = invoke(
        "build", "--models-dir", copy_models_dir, "--tm", tm, "--report", report
    )  # fmt: skip
    assert second.returncode == 0, second.output
    lines = second.stderr.splitlines()
    table = [line for line in lines if line[:1] in "┏┃┡│└" or line == "Build"]
    said = [line for line in lines if line not in table]
    # a status line for each of the 9 documents, then: what the translation runs on, and each
    # name the changed file's Japanese and Korean documents print in English, once
    assert len(table) == 5 + 9
    assert [line.split(":")[0] for line in said[1:]] == [
        "kept in English two.yaml (ja, ko)", "kept in English two.yaml (ja, ko)",
    ]  # fmt: skip
    assert said[0].startswith("Translating with")
    for name in ("Osaka", "John Roe"):
        assert sum(name in line for line in said) == 1
    for name in ("Kyoto", "Jane Doe", "Kobe", "Ann Poe"):
        assert name not in second.stderr
    # the report keeps the detail: every document's names, and a warning for each
    detail = json.loads(report.read_text())
    kept = {(d["facts"], d["lang"]): len(d["kept_in_english"]) for d in detail["documents"]}
    assert sum(kept.values()) == 3 * 2 * 2
    assert len(detail["problems"]) == 3 * 2


# ----------------------------------------------------------------------- briefing config


def test_config_shows_the_value_used_for_every_setting_left_unset(
    tmp_path: Path, copy_models_dir: Path
) -> None:
    home, folder = tmp_path / "home", tmp_path / "empty"
    home.mkdir()
    folder.mkdir()
    env = {"BRIEFING_CONFIG": ""}
    table = run_cli("config", cwd=folder, home=home, env=env)
    assert table.returncode == 0, table.stderr
    assert "(unset)" not in table.stdout
    shown = run_cli("config", "--json", cwd=folder, home=home, env=env)
    by_key = {item["key"]: item for item in json.loads(shown.stdout)["settings"]}
    for key, item in by_key.items():  # a value, or what is done instead
        assert item["value"] not in (None, []) or item["used"], key
    data = home / ".local" / "share"
    assert by_key["translation.models_dir"]["value"] == str(data / "argos-translate" / "packages")
    assert by_key["translation.memory"]["value"] == str(data / "briefing" / "memory.sqlite")
    assert by_key["translation.batch_size"] == {
        "key": "translation.batch_size",
        "value": 16,
        "origin": "default",
    }
    assert by_key["style.range_marks.ja"]["value"] == "～"
    assert by_key["translation.models.ja"]["used"] == "none installed for ja"
    # the model a build would use, where one is installed
    env["BRIEFING_MODELS_DIR"] = str(copy_models_dir)
    shown = run_cli("config", "--json", cwd=folder, home=home, env=env)
    by_key = {item["key"]: item for item in json.loads(shown.stdout)["settings"]}
    assert by_key["translation.models.ja"]["value"] == "translate-en_ja"
