"""Attacks through facts files and their companions: endless or special files, text that
misleads a reader, glossaries that are not there, line breaks that glue words together.

The command line runs in a child process with bounded memory and time
(tests.test_hostile_input.run_briefing), so a regression fails the test, not the machine.
"""

from __future__ import annotations

import os
import re
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import NARA, _facts_yaml, _minimal_facts
from tests.test_hostile_input import assert_clear_error, document_text, run_briefing, write

LIMIT = 5 * 1024 * 1024  # the facts size limit the README states

# The controls that reorder what is displayed: embeddings and overrides, then isolates.
BIDI_CONTROLS = [chr(c) for c in range(0x202A, 0x202F)] + [chr(c) for c in range(0x2066, 0x206A)]


# ------------------------------------------------------------------ pipes and special files


class Feeder:
    """Writes an endless stream of valid YAML into a FIFO and counts what the reader took."""

    def __init__(self, fifo: Path) -> None:
        self.fifo = fifo
        self.written = 0
        self.thread = threading.Thread(target=self._feed, daemon=True)

    def _feed(self) -> None:
        line = b"# " + b"x" * 1021 + b"\n"
        try:
            with open(self.fifo, "wb", buffering=0) as stream:
                while self.written < 64 * LIMIT:  # far more than any reader should take
                    stream.write(line)
                    self.written += len(line)
        except OSError:  # the reader closed the pipe: the point of the test
            pass

    def __enter__(self) -> Feeder:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        try:  # unblock a writer still waiting for a reader
            descriptor = os.open(self.fifo, os.O_RDONLY | os.O_NONBLOCK)
            os.close(descriptor)
        except OSError:
            pass
        self.thread.join(timeout=10)


@pytest.fixture
def fifo(tmp_path: Path) -> Iterator[Path]:
    if not hasattr(os, "mkfifo"):
        pytest.skip("named pipes are POSIX-only")
    path = tmp_path / "facts.yaml"
    os.mkfifo(path)
    yield path


@pytest.mark.parametrize("command", ["validate", "build"])
def test_endless_pipe_is_read_only_up_to_the_size_limit(
    tmp_path: Path, fifo: Path, command: str
) -> None:
    """`briefing validate <(cat big.yaml)`: a pipe has no size to check first, so the reader
    stops one byte past the limit and says so."""
    extra = ["--lang", "en", "--out", str(tmp_path / "out")] if command == "build" else []

    with Feeder(fifo) as feeder:
        result = run_briefing(command, fifo, *extra, cwd=tmp_path, timeout=60)

    assert_clear_error(result, str(fifo), "larger than the limit of 5 MB")
    # What the pipe holds beyond what was read is at most its buffer (64 KiB on Linux).
    assert feeder.written <= LIMIT + 1 + 1024 * 1024


def test_small_facts_file_through_a_pipe_still_works(tmp_path: Path, fifo: Path) -> None:
    data = _facts_yaml(_minimal_facts()).encode("utf-8")

    def feed() -> None:
        with open(fifo, "wb") as stream:
            stream.write(data)

    writer = threading.Thread(target=feed, daemon=True)
    writer.start()
    result = run_briefing("validate", fifo, cwd=tmp_path, timeout=60)
    writer.join(timeout=10)

    assert result.returncode == 0, result.stderr
    assert f"{fifo}: ok" in result.stdout


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom", "/dev/null"])
def test_device_is_refused_without_reading_it(tmp_path: Path, device: str) -> None:
    result = run_briefing("validate", device, cwd=tmp_path, timeout=30)

    assert_clear_error(result, f"{device}: not a regular file (a character device)")


def test_symlink_to_a_device_is_refused(tmp_path: Path) -> None:
    if not Path("/dev/zero").exists():
        pytest.skip("needs /dev/zero")
    link = tmp_path / "event.yaml"
    link.symlink_to("/dev/zero")

    result = run_briefing("validate", link, cwd=tmp_path, timeout=30)

    assert_clear_error(result, f"{link}: not a regular file (a character device)")


@pytest.mark.skipif(sys.platform == "win32", reason="UNIX sockets")
def test_socket_is_refused(tmp_path: Path) -> None:
    import socket

    path = tmp_path / "s.yaml"
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        server.bind(str(path))
        result = run_briefing("validate", path, cwd=tmp_path, timeout=30)
    finally:
        server.close()

    assert_clear_error(result, f"{path}: not a regular file (a socket)")


@pytest.mark.parametrize("kind", ["glossary", "template.yaml"])
def test_companion_files_are_bounded_the_same_way(tmp_path: Path, kind: str) -> None:
    """The glossary and a template's template.yaml go through the same reader."""
    if not Path("/dev/zero").exists():
        pytest.skip("needs /dev/zero")
    out = tmp_path / "out"
    if kind == "glossary":
        args = ["--glossary", "/dev/zero"]
    else:
        template = tmp_path / "tpl"
        template.mkdir()
        (template / "template.yaml").symlink_to("/dev/zero")
        args = ["--template", str(template)]

    result = run_briefing("build", NARA, "--lang", "en", "--out", out, *args, cwd=tmp_path)

    assert_clear_error(result, "not a regular file (a character device)")


# ------------------------------------------------------------------ text that misleads a reader


def test_bidirectional_controls_are_removed_with_a_warning_naming_the_field(
    tmp_path: Path,
) -> None:
    """ "\u202egnp.exe" displays as "exe.png": every embedding, override and isolate control
    is removed from every text field, with a warning naming the field."""
    facts = _minimal_facts()
    controls = "".join(BIDI_CONTROLS)
    facts["event"]["title"] = "Test Summit \u202egnp.exe Meeting"
    facts["summary"]["text"] = f"The two leaders{controls} met in Nara."
    facts["sources"][0]["note"] = "see \u2067attachment\u2069"
    path = write(tmp_path / "event.yaml", _facts_yaml(facts))
    out = tmp_path / "out"

    result = run_briefing("build", path, "--lang", "en", "--out", out, cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    warnings = [line for line in result.stderr.splitlines() if "bidirectional control" in line]
    found = [re.search(r"warning: (\S+): removed (\d+)", line) for line in warnings]
    assert all(found), warnings
    named = {match.groups() for match in found if match}
    assert named == {
        ("event.title", "1"),
        ("summary.text", str(len(BIDI_CONTROLS))),
        ("sources[0].note", "2"),
    }
    body = document_text(out / "event.en.docx")
    assert not any(control in body for control in BIDI_CONTROLS)
    assert "Test Summit gnp.exe Meeting" in body
    assert "The two leaders met in Nara." in body


def test_directional_marks_are_kept(tmp_path: Path) -> None:
    """Left-to-right, right-to-left and Arabic letter marks only settle the direction of
    neighbouring punctuation in right-to-left names; they cannot reverse a run, so they stay."""
    facts = _minimal_facts()
    marks = "\u200e\u200f\u061c"
    facts["summary"]["text"] = f"Met with the delegation of محمد{marks} (Riyadh)."
    path = write(tmp_path / "event.yaml", _facts_yaml(facts))
    out = tmp_path / "out"

    result = run_briefing("build", path, "--lang", "en", "--out", out, cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    assert "bidirectional control" not in result.stderr
    assert f"محمد{marks} (Riyadh)" in document_text(out / "event.en.docx")


def test_escaped_surrogate_pair_is_one_emoji(tmp_path: Path) -> None:
    r"""YAML's "\ud83d\ude00" is the UTF-16 spelling of one character, 😀."""
    text = _facts_yaml(_minimal_facts()).replace(
        "text: The two leaders met in Nara.",
        'text: "The two leaders met in Nara \\ud83d\\ude00 and \\U0001F91D."',
    )
    assert "\\ud83d\\ude00" in text
    path = write(tmp_path / "event.yaml", text)
    out = tmp_path / "out"

    result = run_briefing("build", path, "--lang", "en", "--out", out, cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    assert "control character" not in result.stderr
    assert "The two leaders met in Nara 😀 and 🤝." in document_text(out / "event.en.docx")


def test_lone_surrogate_is_still_removed_with_a_warning(tmp_path: Path) -> None:
    text = _facts_yaml(_minimal_facts()).replace(
        "text: The two leaders met in Nara.", 'text: "The two leaders\\ud83d met in Nara."'
    )
    path = write(tmp_path / "event.yaml", text)

    result = run_briefing("validate", path, cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    assert "summary.text: removed 1 control character" in result.stderr


@pytest.mark.parametrize("command", ["build", "validate"])
def test_missing_glossary_is_an_error(tmp_path: Path, command: str) -> None:
    missing = tmp_path / "no-such-glossary.yaml"
    extra = ["--lang", "en", "--out", str(tmp_path / "out")] if command == "build" else []

    result = run_briefing(command, NARA, "--glossary", missing, *extra, cwd=tmp_path)

    assert_clear_error(result, f"{missing}: no such file")
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").glob("*.docx"))


def _text_fields(data: object, loc: tuple[str | int, ...] = ()) -> Iterator[tuple[str | int, ...]]:
    """The path of every free-text string in a facts mapping (ids, codes and dates excluded)."""
    if isinstance(data, dict):
        for key, value in data.items():
            if key in ("id", "sources", "date", "time", "time_zone", "role", "status", "url"):
                continue
            yield from _text_fields(value, (*loc, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _text_fields(value, (*loc, index))
    elif isinstance(data, str):
        yield loc


def _set(data: Any, loc: tuple[str | int, ...], value: str) -> None:
    """Set the value at `loc` in plain YAML data (mappings and lists)."""
    for part in loc[:-1]:
        data = data[part]
    data[loc[-1]] = value


def test_line_breaks_inside_any_text_field_never_glue_words(tmp_path: Path) -> None:
    """ "readout.\n\nSecond" must not become "readout.Second": inside a field, every run of
    white space that holds a line break is one space (a field is one paragraph)."""
    facts = _minimal_facts()
    facts["sources"][0]["note"] = "A note"
    facts["event"]["venue"] = "Nara Hotel"
    facts["document"] = {"author": "Policy Unit", "organisation": "Ministry", "keywords": ["k"]}
    # The kind of event is a word of the kinds vocabulary, not free text: it stays valid.
    fields = [loc for loc in _text_fields(facts) if loc != ("event", "kind")]
    assert len(fields) >= 15
    expected = {}
    for number, loc in enumerate(fields):
        original: Any = facts
        for part in loc:
            original = original[part]
        _set(facts, loc, f"Word{number}.\n\n  Next{number}\r\nend")
        expected[loc] = f"Word{number}. Next{number} end"
    path = write(tmp_path / "event.yaml", _facts_yaml(facts))
    out = tmp_path / "out"

    result = run_briefing("build", path, "--lang", "en", "--out", out, cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    body = document_text(out / "event.en.docx")
    assert not re.search(r"Word\d+\.Next", body), body
    shown = [loc for loc, text in expected.items() if text in body]
    # Names the glossary lacks are printed too; every field that reaches the body is spaced.
    assert len(shown) >= 10, body
