"""Exit statuses tell the truth: input nested beyond any parser's stack is bad input (2) that
names its file, never an internal error (70); a reader that stops reading (`| head`) ends the
command quietly with 141, as a shell reports a process SIGPIPE ended, never 1 (a missing
model)."""

from __future__ import annotations

import gzip
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from briefing.errors import BROKEN_PIPE, INTERNAL_ERROR, TOO_DEEP, InputError, json_value
from briefing.models.families import read_card
from tests.conftest import (
    COPY_PACKAGES,
    ROOT,
    Result,
    _child_environment,
    _facts_yaml,
    _minimal_facts,
    invoke,
    run_cli,
)

DEPTH = 5000


def assert_named_bad_input(result: Result, path: Path, message: str = "nested too deeply") -> None:
    assert result.returncode == 2, result.output
    assert str(path) in result.stderr and message in result.stderr, result.stderr
    assert "internal error" not in result.output and "Traceback" not in result.output


# ----------------------------------------------------------------------- nested too deeply


@pytest.mark.parametrize(
    "text",
    [
        "languages = " + "[" * DEPTH + "]" * DEPTH + "\n",
        "[translation]\nmodels = " + "{ja = " * DEPTH + '"x"' + "}" * DEPTH + "\n",
        # deep enough to pass the TOML parser, then the settings' own checks
        "glossaries = " + "[" * 300 + "]" * 300 + "\n",
    ],
    ids=["array", "inline tables", "within the parser's reach"],
)
def test_briefing_toml_nested_too_deeply_is_bad_input_naming_it(tmp_path: Path, text: str) -> None:
    config = tmp_path / "briefing.toml"
    config.write_text(text, encoding="utf-8")
    for command in (["config"], ["build", "--lang", "en"], ["validate"]):
        result = invoke(*command, env={"BRIEFING_CONFIG": str(config)})
        assert result.returncode == 2, (command, result.output)
        assert str(config) in result.stderr, result.stderr
        assert "internal error" not in result.output and "Traceback" not in result.output


@pytest.mark.parametrize(
    "text",
    [
        "event: " + "[" * DEPTH + "]" * DEPTH + "\n",
        "event: " + "{a: " * DEPTH + "1" + "}" * DEPTH + "\n",
        "".join("  " * level + "a:\n" for level in range(1500)),
    ],
    ids=["flow sequences", "flow mappings", "block mappings"],
)
def test_facts_and_glossaries_nested_too_deeply_are_bad_input_naming_them(
    tmp_path: Path, text: str
) -> None:
    facts = tmp_path / "deep.yaml"
    facts.write_text(text, encoding="utf-8")
    assert_named_bad_input(invoke("validate", facts), facts, "nesting deeper than")
    glossary = tmp_path / "deep.glossary.yaml"
    glossary.write_text(text.replace("event:", "terms:", 1), encoding="utf-8")
    assert_named_bad_input(invoke("glossary", "check", glossary), glossary, "nesting deeper than")


def test_a_tmx_nested_too_deeply_is_refused_naming_it(tmp_path: Path) -> None:
    tmx = tmp_path / "deep.tmx"
    tmx.write_text(
        '<?xml version="1.0"?><tmx version="1.4"><header srclang="en" datatype="plaintext" '
        'segtype="sentence" adminlang="en" creationtool="x" creationtoolversion="1" o-tmf="x"/>'
        '<body><tu><tuv xml:lang="en"><seg>' + '<bpt i="1">' * DEPTH + "</bpt>" * DEPTH
        + "</seg></tuv></tu></body></tmx>",
        encoding="utf-8",
    )  # fmt: skip
    result = invoke("memory", "import", tmx, "--tm", tmp_path / "tm.sqlite", "--reviewer", "K")
    assert_named_bad_input(result, tmx, "depth")


def test_json_nested_too_deeply_is_malformed_json() -> None:
    with pytest.raises(ValueError, match=TOO_DEEP[:20]):
        json_value("[" * 100_000 + "]" * 100_000)
    assert json_value(b'{"a": [1]}') == {"a": [1]}


def test_a_model_card_nested_too_deeply_is_refused_as_bad_json() -> None:
    deep = ('{"family": ' + "[" * 100_000 + "]" * 100_000 + "}").encode()
    with pytest.raises(InputError, match="not valid JSON.*nested too deeply"):
        read_card(deep, "briefing-model.json", [], None)


def test_a_package_whose_metadata_is_nested_too_deeply_is_refused(tmp_path: Path) -> None:
    package = tmp_path / "translate-en_ja-deep.argosmodel"
    with zipfile.ZipFile(COPY_PACKAGES["ja"]) as source, zipfile.ZipFile(package, "w") as copy:
        for item in source.infolist():
            data = source.read(item)
            if item.filename.endswith("metadata.json"):
                data = ("[" * 100_000 + "]" * 100_000).encode()
            copy.writestr(item, data)
    result = invoke("models", "install", package, "--models-dir", tmp_path / "models")
    assert_named_bad_input(result, package)


def test_a_build_record_nested_too_deeply_is_rebuilt_or_named(tmp_path: Path) -> None:
    out = tmp_path / "out"
    facts = ROOT / "sources" / "2026-01-13-nara-summit.yaml"
    assert invoke("build", facts, "--lang", "en", "--out", out).returncode == 0
    deep = ("[" * 100_000 + "]" * 100_000).encode()
    # The manifest is only a record: a damaged one means everything is rebuilt.
    (out / ".briefing-manifest.json").write_bytes(deep)
    rebuilt = invoke("build", facts, "--lang", "en", "--out", out)
    assert rebuilt.returncode == 0, rebuilt.output
    assert "written" in rebuilt.stderr
    # A version record is history: a damaged one is named, with what to do.
    [record] = (out / ".briefing-versions").rglob("1.json.gz")
    record.write_bytes(gzip.compress(deep))
    listed = invoke("changes", facts, "--lang", "en", "--out", out, "--since", "1")
    assert_named_bad_input(listed, record)
    assert listed.returncode != INTERNAL_ERROR


# ----------------------------------------------------------------------- a closed pipe


def closed_pipe_run(*args: str, cwd: Path, stderr_too: bool = False) -> Result:
    """`briefing ARGS` writing into a pipe whose reader has gone (`| head` after its line)."""
    reader, writer = os.pipe()
    os.close(reader)
    try:
        done = subprocess.run(
            [sys.executable, "-m", "briefing.cli", *args],
            cwd=cwd,
            env=_child_environment(None, None),
            stdout=writer,
            stderr=writer if stderr_too else subprocess.PIPE,
            text=True,
            timeout=120,
        )
    finally:
        os.close(writer)
    return Result(done.returncode, "", done.stderr or "")


@pytest.mark.parametrize(
    "args",
    [
        ["--help"],
        ["models", "--help"],
        ["config"],
        ["config", "--json"],
        ["schema"],
        ["validate"],
        ["glossary", "check"],
        ["versions"],
    ],
)
def test_a_closed_pipe_ends_the_command_quietly_with_141(tmp_path: Path, args: list[str]) -> None:
    assert run_cli("init", "ws", cwd=tmp_path).returncode == 0
    workspace = tmp_path / "ws"
    assert run_cli("build", "--lang", "en", cwd=workspace).returncode == 0
    for stderr_too in (False, True):
        result = closed_pipe_run(*args, cwd=workspace, stderr_too=stderr_too)
        assert result.returncode == BROKEN_PIPE, (args, stderr_too, result.stderr)
        assert "Traceback" not in result.stderr and "internal error" not in result.stderr
        assert "Exception ignored" not in result.stderr and "Broken pipe" not in result.stderr


def test_head_reading_one_line_of_a_long_output_ends_it_with_141(tmp_path: Path) -> None:
    """A real `briefing validate 2>&1 | head -1`: 800 names the glossary lacks make warnings far
    larger than a pipe holds, so the command is still writing when head has its line."""
    facts = _minimal_facts()
    facts["participants"] = [
        {"name": f"Delegate Number {n}", "title": "Adviser", "country": "Japan",
         "role": "delegation",
         "sources": ["report-1"]}
        for n in range(800)
    ]  # fmt: skip
    path = tmp_path / "many.yaml"
    path.write_text(_facts_yaml(facts), encoding="utf-8")
    command = [sys.executable, "-m", "briefing.cli", "validate", str(path)]
    environment = _child_environment(None, None)
    whole = subprocess.run(command, cwd=tmp_path, env=environment, capture_output=True)
    assert whole.returncode == 0, whole.stderr
    assert len(whole.stderr) > 4 * 65536  # more than a pipe holds: head really closes it early
    writer = subprocess.Popen(
        command, cwd=tmp_path, env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    assert writer.stdout is not None
    head = subprocess.run(["head", "-1"], stdin=writer.stdout, capture_output=True, timeout=60)
    writer.stdout.close()  # head's end and this process's: no reader is left
    assert writer.wait(timeout=60) == BROKEN_PIPE
    assert head.stdout.decode().startswith(f"{path}:")


def test_only_a_closed_output_counts_as_the_reader_gone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A pipe to anything else closing (a child process, a server) stays a fault (70)."""
    from briefing.cli.app import output_gone

    with (tmp_path / "out.txt").open("w") as file, (tmp_path / "err.txt").open("w") as other:
        monkeypatch.setattr(sys, "stdout", file)
        monkeypatch.setattr(sys, "stderr", other)
        assert not output_gone()
        reader, writer = os.pipe()
        with os.fdopen(writer, "w") as piped:
            monkeypatch.setattr(sys, "stdout", piped)
            assert not output_gone()  # a reader is there
            os.close(reader)
            assert output_gone()
