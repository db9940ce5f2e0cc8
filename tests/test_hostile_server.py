"""A translation server that misbehaves, on purpose: a small loopback HTTP server of the tests'
own, one behaviour at a time, driven through the real command line.

What a server answers is trusted for nothing: an item that is not text fails its language as an
unreachable server does (exit status 1, the server and what it sent named, English written);
characters a document cannot hold are cleaned before they are checked, stored or printed, and
a memory that already holds some heals when read; an answer larger than its request allows is
refused while it is read, and one translation longer than the memory takes is cut and flagged.
The timeout is a deadline on a whole batch, every try included, so a stalled or dripping server
holds a language no longer than that; Ctrl-C and SIGTERM end the process at once.
"""

from __future__ import annotations

import contextlib
import http.server
import json
import os
import signal
import sqlite3
import threading
import time
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import docx
import psycopg
import pytest

from briefing.memory.interface import target_limit
from tests.conftest import Result, ctrl_c_reaches_child, invoke, start_cli
from tests.support.loopback import serving

#: How the server answers one request to translate `texts`: it writes to `handler` itself.
Behaviour = Callable[["Handler", list[str]], None]
TIMEOUT = "1"  # seconds: the setting translation.timeout in every test here


class Handler(http.server.BaseHTTPRequestHandler):
    server: HostileServer

    def log_message(self, *args: object) -> None:
        pass

    def answer(self, body: bytes, length: bool = True, status: int = 200) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        if length:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.write(body)

    def write(self, data: bytes) -> None:
        self.wfile.write(data)
        self.wfile.flush()
        self.server.sent += len(data)

    def do_GET(self) -> None:  # noqa: N802
        self.answer(json.dumps([{"code": "en", "targets": ["ja", "ko"]}]).encode())

    def do_POST(self) -> None:  # noqa: N802
        self.server.posts += 1
        texts = json.loads(self.rfile.read(int(self.headers["Content-Length"])))["q"]
        with contextlib.suppress(OSError):  # the client gave up, as it should
            self.server.behaviour(self, texts)


class HostileServer(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.behaviour: Behaviour = translated
        self.posts = 0
        self.sent = 0  # bytes of answers written
        self.closing = threading.Event()  # ends the behaviours that wait

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


@pytest.fixture
def server() -> Iterator[HostileServer]:
    hostile = HostileServer()
    with serving(hostile):
        try:
            yield hostile
        finally:
            hostile.closing.set()


def translated(handler: Handler, texts: list[str]) -> None:
    """A healthy server: each text "translated" into Japanese."""
    handler.answer(json.dumps({"translatedText": [f"訳：{text}" for text in texts]}).encode())


@pytest.fixture
def facts(
    tmp_path: Path, minimal_facts: dict[str, Any], facts_yaml: Callable[[object], str]
) -> Path:
    path = tmp_path / "event.yaml"
    path.write_text(facts_yaml(minimal_facts), encoding="utf-8")
    return path


def build(
    facts: Path, url: str, tm: str | Path, *more: str, env: dict[str, str] | None = None
) -> Result:
    out = facts.parent / "out"
    return invoke(
        "build", facts, "--lang", "en,ja", "--out", out, "--tm", tm,
        "--engine", "libretranslate", "--engine-url", url, *more,
        env={"BRIEFING_LT_TIMEOUT": TIMEOUT, **(env or {})},
    )  # fmt: skip


def written(facts: Path) -> list[str]:
    return sorted(path.name for path in (facts.parent / "out").glob("*.docx"))


def document_xml(path: Path) -> str:
    """The document's text as Word stores it, after python-docx has read it whole."""
    docx.Document(str(path))  # a document Word cannot open fails here
    with zipfile.ZipFile(path) as package:
        return package.read("word/document.xml").decode("utf-8")


def machine_targets(tm: Path) -> list[str]:
    with sqlite3.connect(tm) as connection:
        rows = connection.execute("SELECT target FROM entries WHERE origin = 'machine'")
        return [target for (target,) in rows]


# ------------------------------------------------------------------- what the server answers


@pytest.mark.parametrize(
    ("item", "shown"), [(None, "None"), (42, "42"), ({"text": "会談"}, "{'text': '会談'}")]
)
def test_an_item_that_is_not_text_fails_the_language_naming_the_server_and_the_item(
    server: HostileServer, facts: Path, item: object, shown: str
) -> None:
    def answer(handler: Handler, texts: list[str]) -> None:
        handler.answer(json.dumps({"translatedText": [item] * len(texts)}).encode())

    server.behaviour = answer
    result = build(facts, server.url, facts.parent / "tm.sqlite")
    assert result.returncode == 1, result.output
    assert f"LibreTranslate at {server.url} cannot translate en→ja" in result.stderr
    assert f"it answered {shown} for a segment" in result.stderr
    assert written(facts) == ["event.en.docx"]
    assert machine_targets(facts.parent / "tm.sqlite") == []  # nothing of it stored


def test_characters_a_document_cannot_hold_are_removed_before_anything_is_stored(
    server: HostileServer, facts: Path
) -> None:
    """A bell, a lone surrogate ("\\ud800" in the JSON) and a right-to-left override in every
    translation: the document is written without them, the memory holds none, and the next
    build from the memory writes the same document."""

    def answer(handler: Handler, texts: list[str]) -> None:
        items = ", ".join(json.dumps(f"訳\a：{t}") + ' + "\\ud800\u202e"' for t in texts)
        body = '{"translatedText": [' + items.replace('" + "', "") + "]}"
        handler.answer(body.encode())

    server.behaviour = answer
    tm = facts.parent / "tm.sqlite"
    result = build(facts, server.url, tm)
    assert result.returncode == 0, result.output
    assert written(facts) == ["event.en.docx", "event.ja.docx"]
    xml = document_xml(facts.parent / "out" / "event.ja.docx")
    assert "訳：The leaders agreed to open talks." in xml
    targets = machine_targets(tm)
    assert targets and all("訳：" in t for t in targets)
    assert not any(char in "".join(targets) for char in "\a\u202e")
    posts = server.posts
    again = build(facts, server.url, tm, "--force")
    assert again.returncode == 0, again.output
    assert server.posts == posts  # the memory answered everything


def test_a_memory_that_already_holds_such_characters_heals_when_read(
    server: HostileServer, facts: Path
) -> None:
    """A memory written before the rule, or by another tool: its entries are cleaned when read,
    so every later build writes the document (it used to fail, "invalid markup")."""
    tm = facts.parent / "tm.sqlite"
    assert build(facts, server.url, tm).returncode == 0
    with sqlite3.connect(tm) as connection:
        connection.execute("UPDATE entries SET target = target || char(7) || char(8238)")
    server.shutdown()  # the memory answers every sentence: no server needed
    result = build(facts, server.url, tm, "--force")
    assert result.returncode == 0, result.output
    xml = document_xml(facts.parent / "out" / "event.ja.docx")
    assert "訳：The leaders agreed to open talks." in xml and "\u202e" not in xml


def test_nul_from_the_server_never_reaches_a_postgresql_memory(
    server: HostileServer, facts: Path, postgres_url: str
) -> None:
    """PostgreSQL refuses NUL in text; the build used to end in an internal error with no
    document at all, not even English."""

    def answer(handler: Handler, texts: list[str]) -> None:
        handler.answer(json.dumps({"translatedText": [f"訳\0：{t}" for t in texts]}).encode())

    server.behaviour = answer
    result = build(facts, server.url, postgres_url)
    assert result.returncode == 0, result.output
    assert written(facts) == ["event.en.docx", "event.ja.docx"]
    with psycopg.connect(postgres_url) as connection:
        targets = [t for (t,) in connection.execute("SELECT target FROM briefing_entries")]
    assert targets and all(t.startswith("訳：") for t in targets)


@pytest.mark.parametrize("declared", [True, False], ids=["content-length", "until-closed"])
def test_an_answer_larger_than_its_request_allows_is_refused_while_it_is_read(
    server: HostileServer, facts: Path, declared: bool
) -> None:
    """200 MB offered for a few sentences: refused from its Content-Length, or after the
    first part of it when it declares none; English is written, the build ends at once."""
    size = 200 * 1024 * 1024

    def answer(handler: Handler, texts: list[str]) -> None:
        handler.send_response(200)
        if declared:
            handler.send_header("Content-Length", str(size + 24))
        handler.end_headers()
        handler.write(b'{"translatedText": ["')
        chunk = b"a" * (1024 * 1024)
        for _ in range(size // len(chunk)):
            handler.write(chunk)

    server.behaviour = answer
    started = time.monotonic()
    result = build(facts, server.url, facts.parent / "tm.sqlite")
    assert result.returncode == 1, result.output
    assert "its answer is too large" in result.stderr
    assert written(facts) == ["event.en.docx"]
    assert time.monotonic() - started < 10
    assert server.sent < 20 * 1024 * 1024  # the client stopped reading long before the end


def test_a_translation_longer_than_the_memory_takes_is_cut_and_flagged(
    server: HostileServer, facts: Path
) -> None:
    """20,000 characters for one sentence, within what the whole answer may hold: that
    sentence is cut to the memory's limit for it and flagged, the others are taken as they are."""

    def answer(handler: Handler, texts: list[str]) -> None:
        items = [("訳" * 20_000 if "agreed" in t else f"訳：{t}") for t in texts]
        handler.answer(json.dumps({"translatedText": items}, ensure_ascii=False).encode())

    server.behaviour = answer
    tm = facts.parent / "tm.sqlite"
    result = build(facts, server.url, tm, "--batch-size", "64")
    assert result.returncode == 0, result.output
    assert "length:" in result.stderr and "too long" in result.stderr
    longest = max(machine_targets(tm), key=len)
    assert len(longest) == target_limit("The leaders agreed to open talks.")
    assert longest.endswith("…")
    assert "訳：Economic security" in machine_targets(tm)


# ------------------------------------------------------------------------ it never hangs


def dripping(handler: Handler, texts: list[str]) -> None:
    """Headers at once, then one byte of the answer every 0.2 s: every read gets something."""
    body = json.dumps({"translatedText": texts}).encode()
    handler.send_response(200)
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    for index in range(len(body)):
        if handler.server.closing.wait(0.2):
            return
        handler.write(body[index : index + 1])


def stalled(handler: Handler, texts: list[str]) -> None:
    """Takes the request and never answers."""
    handler.server.closing.wait(60)


@pytest.mark.parametrize("behaviour", [dripping, stalled])
def test_the_timeout_is_a_deadline_on_the_whole_batch_and_a_stalled_batch_is_not_sent_again(
    server: HostileServer, facts: Path, behaviour: Behaviour
) -> None:
    """With `timeout = 1` and five tries, the language fails after one second, not five
    (a dripping server never outlasted a timeout on each read)."""
    server.behaviour = behaviour
    started = time.monotonic()
    result = build(facts, server.url, facts.parent / "tm.sqlite", "--batch-size", "1",
                   env={"BRIEFING_LT_RETRIES": "5"})  # fmt: skip
    elapsed = time.monotonic() - started
    assert result.returncode == 1, result.output
    assert "no complete answer within the timeout of 1 s" in result.stderr, result.stderr
    assert written(facts) == ["event.en.docx"]
    assert elapsed < 4, elapsed
    assert server.posts <= 4  # the first batches at once (concurrency 4), none sent again


def test_quick_failures_are_retried_only_while_the_deadline_allows(
    server: HostileServer, facts: Path
) -> None:
    """503 at once, every time: tries at 0 s and 0.5 s; the next wait (1 s) would pass the
    deadline of 1 s, so the language fails then, whatever `retries` allows."""

    def busy(handler: Handler, texts: list[str]) -> None:
        handler.answer(b'{"error": "busy"}', status=503)

    server.behaviour = busy
    started = time.monotonic()
    result = build(facts, server.url, facts.parent / "tm.sqlite", "--batch-size", "64",
                   env={"BRIEFING_LT_RETRIES": "20"})  # fmt: skip
    assert result.returncode == 1, result.output
    assert "HTTP 503: busy; no time left for another try within 1 s (tried 2 times)" in (
        result.stderr
    )
    assert server.posts == 2 and time.monotonic() - started < 3


@pytest.mark.parametrize(("signal_number", "status"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_ctrl_c_and_sigterm_end_a_build_waiting_for_the_server_at_once(
    server: HostileServer, facts: Path, signal_number: int, status: int
) -> None:
    """The server holds every request (the timeout is an hour); the signal ends the process
    within a second or two: no thread blocked in a read keeps it alive."""
    server.behaviour = stalled
    process = start_cli(
        "build", facts, "--lang", "en,ja", "--out", facts.parent / "out",
        "--tm", facts.parent / "tm.sqlite", "--engine", "libretranslate",
        "--engine-url", server.url, "--batch-size", "1",
        cwd=facts.parent, env={"BRIEFING_LT_TIMEOUT": "3600"},
        preexec_fn=ctrl_c_reaches_child,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while server.posts < 3:  # three batches in flight, one thread each
            assert process.poll() is None and time.monotonic() < deadline, process.communicate()
            time.sleep(0.05)
        process.send_signal(signal_number)
        sent = time.monotonic()
        _, errors = process.communicate(timeout=30)
        elapsed = time.monotonic() - sent
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == status, errors
    assert "interrupted" in errors and "Traceback" not in errors
    assert elapsed < 3, elapsed
    out = facts.parent / "out"
    assert not out.exists() or not [p for p in out.iterdir() if p.suffix not in (".lock",)]


# ---------------------------------------------------------------- settings out of bounds


@pytest.mark.parametrize(
    ("option", "value", "says"),
    [
        ("--intra-threads", "5000", "takes a whole number from 0 to 64"),
        ("--intra-threads", "100000000000000000000", "takes a whole number from 0 to 64"),
        ("--intra-threads", str((os.cpu_count() or 1) + 1), "CPU cores"),
        ("--batch-size", "100000000000000000000", "--batch-size"),
        ("--beam-size", "100000000000000000000", "--beam-size"),
        ("--batch-size", "0", "--batch-size"),
    ],
)
def test_a_number_option_out_of_bounds_is_a_clear_error(
    facts: Path, tiny_models_dir: Path, option: str, value: str, says: str
) -> None:
    """Not an internal error (70), and not minutes of work on 5,000 threads per translator."""
    result = invoke(
        "build", facts, "--lang", "ja", "--out", facts.parent / "out",
        "--tm", facts.parent / "tm.sqlite", "--models-dir", tiny_models_dir, option, value,
    )  # fmt: skip
    assert result.returncode == 2, result.output
    assert says in result.output and "internal error" not in result.output
    assert not (facts.parent / "out").exists()


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("BRIEFING_LT_TIMEOUT", "nan"),
        ("BRIEFING_LT_TIMEOUT", "inf"),
        ("BRIEFING_LT_TIMEOUT", "0"),
        ("BRIEFING_LT_TIMEOUT", "1e400"),
        ("BRIEFING_LT_CONCURRENCY", "100000000000000000000"),
        ("BRIEFING_LT_RETRIES", "0"),
        ("BRIEFING_LT_RETRIES", "100000000000000000000"),
        ("BRIEFING_INTRA_THREADS", "5000"),
        ("BRIEFING_BATCH_SIZE", "-1"),
        ("BRIEFING_BEAM_SIZE", "100000000000000000000"),
        ("BRIEFING_VERSIONS_KEPT", "100000000000000000000"),
    ],
)
def test_a_number_setting_out_of_bounds_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    monkeypatch.chdir(tmp_path)
    result = invoke("config", env={variable: value})
    assert result.returncode == 2, result.output
    assert f"environment variable {variable}: error: setting" in result.output


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("http://[::1", "cannot be read as a URL (Invalid IPv6 URL)"),
        ("http://127.0.0.1:abc", "cannot be read as a URL (Port could not be cast"),
        ("http://127.0.0.1:99999", "cannot be read as a URL (Port out of range"),
        ("http://127.0.0.1:0", "names port 0"),
        ("http://translate example.org", "holds a space"),
        ("http://translator:s3cret@[::1", "cannot be read as a URL;"),
        ("http://translator:s3/cret@127.0.0.1", "cannot be read as a URL;"),
    ],
)
def test_an_engine_url_that_cannot_be_connected_to_is_a_clear_error(
    facts: Path, url: str, says: str
) -> None:
    """It used to be an internal error (exit 70) when the first request was made."""
    result = build(facts, url, facts.parent / "tm.sqlite")
    assert result.returncode == 2, result.output
    assert "option --engine-url: error: setting 'translation.url' takes a URL" in result.stderr
    assert "the server's URL" in result.stderr
    assert says in result.stderr and "http(s)://HOST[:PORT][/PATH]" in result.stderr
    assert "s3" not in result.stderr.replace("s3cret", "") and "cret" not in result.stderr
    assert not (facts.parent / "out").exists()


def test_an_engine_url_in_briefing_toml_is_located(tmp_path: Path, facts: Path) -> None:
    (tmp_path / "briefing.toml").write_text(
        '[translation]\nengine = "libretranslate"\nurl = "http://127.0.0.1:abc"\n', encoding="utf-8"
    )
    result = invoke("build", facts, "--lang", "en,ja", "--out", tmp_path / "out", env={
        "BRIEFING_CONFIG": str(tmp_path / "briefing.toml")})  # fmt: skip
    assert result.returncode == 2, result.output
    assert "briefing.toml:3: error: setting 'translation.url'" in result.output
