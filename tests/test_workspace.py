"""The workspace: `briefing init`, briefing.toml found from any folder below it, the precedence
option > environment > briefing.toml > default, and located errors for bad settings."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import typer

from briefing.cli.app import app
from briefing.cli.common import options_given
from briefing.errors import InputError
from briefing.scaffold.init import init_workspace
from briefing.workspace.config_file import CONFIG_NAME, key_lines
from briefing.workspace.fields import Settings, fields, option_keys
from briefing.workspace.settings import load_settings
from tests.conftest import ROOT, run_cli

NO_ENV: dict[str, str] = {}


def write_config(folder: Path, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / CONFIG_NAME
    path.write_text(text, encoding="utf-8")
    return path


def test_init_writes_a_workspace_whose_settings_are_the_documented_defaults(
    tmp_path: Path,
) -> None:
    written = init_workspace(tmp_path / "ws")
    names = {w.path.relative_to(tmp_path / "ws").as_posix() for w in written}
    assert names == {
        "briefing.toml",
        "briefing.schema.json",
        "facts.schema.json",
        "glossary.yaml",
        ".gitignore",
        "sources/first-event.yaml",
    }
    assert (tmp_path / "ws" / "out").is_dir()
    assert (tmp_path / "ws" / ".gitignore").read_text().splitlines()[-1] == "/out/"
    starter = (tmp_path / "ws" / "sources" / "first-event.yaml").read_text()
    assert starter.splitlines()[0] == "# yaml-language-server: $schema=../facts.schema.json"

    settings = load_settings(cwd=tmp_path / "ws", env=NO_ENV)
    defaults = Settings()
    for spec in fields():
        if spec.key == "glossaries":
            assert settings.glossaries == [Path("glossary.yaml")]
        elif spec.default is None:
            assert settings.value(spec.key) is None
            assert settings.origin(spec.key) == "default"
        else:
            # every setting with a value is written out, with its default, on its own line
            assert settings.value(spec.key) == defaults.value(spec.key), spec.key
            assert settings.origin(spec.key).startswith("briefing.toml:"), spec.key


def test_init_keeps_what_is_there_and_refuses_an_existing_workspace(tmp_path: Path) -> None:
    (tmp_path / "sources").mkdir()
    (tmp_path / "sources" / "first-event.yaml").write_text("mine\n")
    actions = {w.path.name: w.action for w in init_workspace(tmp_path)}
    assert actions["first-event.yaml"] == "kept"
    assert (tmp_path / "sources" / "first-event.yaml").read_text() == "mine\n"
    with pytest.raises(InputError, match="already exists"):
        init_workspace(tmp_path)


def test_settings_are_found_from_a_folder_below_and_paths_are_relative_to_the_file(
    tmp_path: Path,
) -> None:
    write_config(tmp_path, 'out = "docs"\nglossaries = ["terms/names.yaml"]\n')
    below = tmp_path / "sources" / "2026"
    below.mkdir(parents=True)
    settings = load_settings(cwd=below, env=NO_ENV)
    assert settings.config_file == tmp_path / CONFIG_NAME
    assert settings.out == tmp_path / "docs"
    assert settings.glossaries == [tmp_path / "terms" / "names.yaml"]
    assert settings.sources == tmp_path / "sources"  # a default, also relative to the workspace
    assert settings.origin("out") == f"{tmp_path / CONFIG_NAME}:1"
    # from the workspace folder itself, paths stay short
    at_root = load_settings(cwd=tmp_path, env=NO_ENV)
    assert at_root.out == Path("docs")


def test_outside_any_workspace_the_defaults_apply(tmp_path: Path) -> None:
    settings = load_settings(cwd=tmp_path, env=NO_ENV)
    assert settings.config_file is None
    assert settings == Settings()
    assert {settings.origin(spec.key) for spec in fields()} == {"default"}


@pytest.mark.parametrize(
    ("in_file", "in_env", "on_command_line", "expected", "origin"),
    [
        (None, None, None, 2, "default"),
        (3, None, None, 3, "briefing.toml:2"),
        (3, "4", None, 4, "env BRIEFING_BEAM_SIZE"),
        (3, "4", 5, 5, "--beam-size"),
        (None, None, 5, 5, "--beam-size"),
        (None, "4", None, 4, "env BRIEFING_BEAM_SIZE"),
    ],
)
def test_precedence_option_over_environment_over_file_over_default(
    tmp_path: Path,
    in_file: int | None,
    in_env: str | None,
    on_command_line: int | None,
    expected: int,
    origin: str,
) -> None:
    text = "[translation]\n" + (f"beam_size = {in_file}\n" if in_file is not None else "")
    write_config(tmp_path, text)
    env = {"BRIEFING_BEAM_SIZE": in_env} if in_env is not None else {}
    settings = load_settings({"translation.beam_size": on_command_line}, cwd=tmp_path, env=env)
    assert settings.translation.beam_size == expected
    assert settings.origin("translation.beam_size") == origin


def test_lists_come_from_commas_in_options_and_environment(tmp_path: Path) -> None:
    write_config(tmp_path, 'languages = ["ko"]\n')
    assert load_settings(cwd=tmp_path, env={"BRIEFING_LANGUAGES": "ja, en"}).languages == [
        "ja",
        "en",
    ]
    assert load_settings({"languages": "en,ko,en"}, cwd=tmp_path, env=NO_ENV).languages == [
        "en",
        "ko",
    ]


def problems_of(tmp_path: Path, text: str, env: dict[str, str] | None = None) -> list[str]:
    write_config(tmp_path, text)
    with pytest.raises(InputError) as caught:
        load_settings(cwd=tmp_path, env=env or NO_ENV)
    return [str(p) for p in caught.value.problems]


def test_a_mistyped_key_names_file_line_and_the_key_it_probably_meant(tmp_path: Path) -> None:
    text = 'languages = ["en"]\n\n[translation]\nbeam_size = 2\nbach_size = 16\n'
    [problem] = problems_of(tmp_path, text)
    assert problem.startswith(f"{tmp_path / CONFIG_NAME}:5: error: unknown setting")
    assert "'translation.bach_size'" in problem
    assert "did you mean 'translation.batch_size'" in problem


def test_a_key_in_the_wrong_table_is_pointed_to_its_table(tmp_path: Path) -> None:
    [problem] = problems_of(tmp_path, 'out = "out"\nbeam_size = 4\n')
    assert ":2: error: unknown setting 'beam_size'" in problem
    assert "did you mean 'translation.beam_size'? ('beam_size' under [translation])" in problem


def test_a_mistyped_table_is_pointed_to_the_table(tmp_path: Path) -> None:
    [problem] = problems_of(tmp_path, '[translaton]\nengine = "argos"\n')
    assert "unknown setting 'translaton'" in problem
    assert "did you mean the table [translation]?" in problem
    assert "top-level" not in problem


def test_wrong_types_are_located_in_the_file_or_the_variable(tmp_path: Path) -> None:
    text = 'languages = ["en", "fr"]\nstrict = "maybe"\n[translation]\nbatch_size = 0\n'
    problems = problems_of(tmp_path, text, {"BRIEFING_BEAM_SIZE": "wide"})
    config = tmp_path / CONFIG_NAME
    assert any(
        p.startswith(f"{config}:1: error: setting 'languages'") and "fr" in p for p in problems
    )
    assert any(p.startswith(f"{config}:2: error: setting 'strict'") for p in problems)
    assert any(
        p.startswith(f"{config}:4: error: setting 'translation.batch_size'") for p in problems
    )
    assert any(
        p.startswith(
            "environment variable BRIEFING_BEAM_SIZE: error: setting 'translation.beam_size'"
        )
        for p in problems
    )
    assert len(problems) == 4


def test_broken_toml_is_located(tmp_path: Path) -> None:
    [problem] = problems_of(tmp_path, 'languages = ["en"\nstrict = true\n')
    assert problem.startswith(f"{tmp_path / CONFIG_NAME}:2:1: error: not valid TOML")


def test_key_lines_skips_multi_line_values() -> None:
    text = (
        'languages = [\n  "en",\n  "ja",\n]\nout = "x"\n'
        'template = """\nsummit = 1\n"""\n[translation]  # decoding\nbeam_size = 2\n'
    )
    assert key_lines(text) == {
        "languages": 1,
        "out": 5,
        "template": 6,
        "translation": 9,
        "translation.beam_size": 10,
    }


def test_the_repository_is_a_workspace_that_builds_its_examples() -> None:
    settings = load_settings(cwd=ROOT, env=NO_ENV)
    assert settings.config_file == ROOT / CONFIG_NAME
    assert settings.sources == Path("sources")
    assert settings.out == Path("out")
    assert all(path.is_file() for path in settings.glossaries)


# --------------------------------------------------------------------------- the command line


def test_init_then_config_from_a_subfolder_shows_each_value_and_its_origin(
    tmp_path: Path,
) -> None:
    done = run_cli("init", "ws", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "briefing.toml" in done.stdout
    subfolder = tmp_path / "ws" / "sources"
    shown = run_cli(
        "config", "--json", cwd=subfolder, env={"BRIEFING_BATCH_SIZE": "8", "BRIEFING_TM": ""}
    )
    assert shown.returncode == 0, shown.stderr
    report = json.loads(shown.stdout)
    assert report["config_file"] == str(tmp_path / "ws" / CONFIG_NAME)
    by_key = {item["key"]: item for item in report["settings"]}
    assert by_key["translation.batch_size"] == {
        "key": "translation.batch_size",
        "value": 8,
        "origin": "env BRIEFING_BATCH_SIZE",
    }
    lines = (tmp_path / "ws" / CONFIG_NAME).read_text().splitlines()
    line_of = {line.split(" =")[0]: n for n, line in enumerate(lines, 1) if " = " in line}
    assert by_key["out"]["value"] == str(tmp_path / "ws" / "out")
    assert by_key["out"]["origin"] == f"{tmp_path / 'ws' / CONFIG_NAME}:{line_of['out']}"
    assert by_key["translation.memory"]["origin"] == "default"

    table = run_cli("config", cwd=subfolder)
    assert table.returncode == 0, table.stderr
    line = next(line for line in table.stdout.splitlines() if line.startswith("languages"))
    assert "en, ja, ko" in line and f"briefing.toml:{line_of['languages']}" in line


def test_a_bad_key_stops_every_command_with_exit_2_and_the_located_error(tmp_path: Path) -> None:
    write_config(tmp_path, 'out = "out"\nlangauges = ["en"]\n')
    for command in (["config"], ["build"]):
        done = run_cli(*command, cwd=tmp_path)
        assert done.returncode == 2, (command, done.stderr)
        assert f"{tmp_path / CONFIG_NAME}:2: error: unknown setting 'langauges'" in done.stderr
        assert "did you mean 'languages'?" in done.stderr
        assert "Traceback" not in done.stderr


def test_validate_without_files_checks_every_facts_file_of_the_workspace(tmp_path: Path) -> None:
    assert run_cli("init", "ws", cwd=tmp_path).returncode == 0
    workspace = tmp_path / "ws"
    checked = run_cli("validate", cwd=workspace / "sources")
    assert checked.returncode == 0, checked.stderr
    assert "first-event.yaml: ok" in checked.stdout

    (workspace / "sources" / "first-event.yaml").unlink()
    empty = run_cli("validate", cwd=workspace)
    assert empty.returncode == 2
    assert "no facts files given and none found in" in empty.stderr


# --------------------------------------------------------------------------- options as settings

#: Options of `briefing build` that are the command's own, not settings (--model LANG=NAME sets
#: one of translation.models by its LANG).
BUILD_OWN_OPTIONS = {
    "--report",
    "--force",
    "--pdf",
    "--watch",
    "--help",
    "--since",
    "--release",
    "--model",
}


def _commands() -> dict[str, Any]:
    """Every (click) command of the command line by its full name, e.g. "models install"."""
    found: dict[str, Any] = {}

    def walk(command: Any, name: str) -> None:
        found[name] = command
        for sub, child in getattr(command, "commands", {}).items():
            walk(child, f"{name} {sub}".strip())

    walk(typer.main.get_command(app), "")
    return found


def test_every_option_a_setting_names_is_an_option_of_a_command_and_build_has_no_other() -> None:
    """A setting's `Via(option=…)` is how its option reaches it: an option declared without
    the field, or a field naming an option no command has, would be silently ignored."""
    commands = _commands()
    declared = {opt for command in commands.values() for p in command.params for opt in p.opts}
    assert set(option_keys()) <= declared
    build = {opt for p in commands["build"].params for opt in p.opts if opt.startswith("--")}
    assert build - BUILD_OWN_OPTIONS == {opt for opt in option_keys() if opt != "--index-url"}


def test_options_given_set_their_settings_and_options_left_out_leave_the_file_in_force(
    tmp_path: Path,
) -> None:
    write_config(tmp_path, 'strict = true\nlayout = "both"\n[translation]\nbeam_size = 3\n')
    build = _commands()["build"]
    args = ["--lang", "ja,ko", "--glossary", "names.yaml", "--beam-size", "4", "--strict"]
    with build.make_context("build", args) as ctx:
        given = options_given(ctx)
    settings = load_settings(given, cwd=tmp_path, env=NO_ENV)
    assert settings.languages == ["ja", "ko"] and settings.origin("languages") == "--lang"
    assert settings.glossaries == [Path("names.yaml")]
    assert settings.translation.beam_size == 4 and settings.strict
    with build.make_context("build", []) as ctx:
        assert options_given(ctx) == {}  # --strict's False and the others' None are defaults
    settings = load_settings(options_given(ctx), cwd=tmp_path, env=NO_ENV)
    assert settings.strict and settings.layout == "both" and settings.translation.beam_size == 3
