"""`briefing build --watch`: a real watcher in a child process, real edits to a workspace."""

from __future__ import annotations

import queue
import shutil
import signal
import threading
import time
from collections.abc import Callable
from pathlib import Path

import docx

from tests.conftest import ctrl_c_reaches_child, run_cli, start_cli
from tests.support import children

WAIT = 60.0  # seconds; a rebuild of one English document takes about one


class Watcher:
    """`briefing build --watch` running in a workspace, its output read line by line."""

    def __init__(
        self,
        workspace: Path,
        *args: str,
        child: Callable[[list[str]], None] | None = None,
    ) -> None:
        self.process = start_cli(
            "build",
            "--watch",
            *args,
            cwd=workspace,
            env={"PYTHONUNBUFFERED": "1"},
            preexec_fn=ctrl_c_reaches_child,
            child=child,
            merge_output=True,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))

    def wait_for(self, wanted: Callable[[str], bool], what: str) -> str:
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.2)
            except queue.Empty:
                if self.process.poll() is not None and self.lines.empty():
                    break
                continue
            self.seen.append(line)
            if wanted(line):
                return line
        raise AssertionError(f"no line with {what}; output so far:\n" + "\n".join(self.seen))

    def stop(self) -> tuple[int, str]:
        """Ctrl-C; the exit status and everything the watcher printed."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
        try:
            code = self.process.wait(timeout=WAIT)
        finally:
            if self.process.poll() is None:
                self.process.kill()
                self.process.wait()
        self.reader.join(timeout=WAIT)
        while not self.lines.empty():
            self.seen.append(self.lines.get())
        return code, "\n".join(self.seen)


def paragraphs(path: Path) -> str:
    return "\n".join(p.text for p in docx.Document(str(path)).paragraphs)


def test_watch_rebuilds_the_changed_document_and_stops_cleanly_on_ctrl_c(tmp_path: Path) -> None:
    assert run_cli("init", "ws", cwd=tmp_path).returncode == 0
    workspace = tmp_path / "ws"
    facts = workspace / "sources" / "first-event.yaml"
    document = workspace / "out" / "first-event.en.docx"
    watcher = Watcher(workspace, "--lang", "en")
    try:
        watcher.wait_for(lambda line: line.startswith("watching"), "watching")
        assert document.is_file()
        before = document.stat().st_mtime_ns

        # A second facts file appears; only its document is written.
        second = workspace / "sources" / "second-event.yaml"
        second.write_text(facts.read_text(encoding="utf-8"), encoding="utf-8")
        line = watcher.wait_for(lambda line: "second-event.yaml" in line, "the new file")
        assert "wrote out/second-event.en.docx" in line, line
        assert "first-event" not in line.split("wrote", 1)[1], line
        assert document.stat().st_mtime_ns == before

        # An edit to the first file rewrites its document, with the new text.
        text = facts.read_text(encoding="utf-8")
        changed = text.replace(
            "One or two sentences, in your own words,",
            "The ministers met again today, in their own words,",
        )
        assert changed != text
        facts.write_text(changed, encoding="utf-8")
        line = watcher.wait_for(lambda line: "first-event.yaml" in line, "the edited file")
        assert "wrote out/first-event.en.docx" in line, line
        assert "The ministers met again today" in paragraphs(document)

        # A broken edit is reported with its place and the watcher goes on.
        facts.write_text(changed.replace("date: 2026-01-13", "date: 13 January"), encoding="utf-8")
        line = watcher.wait_for(lambda line: "error" in line, "an error")
        assert "first-event.yaml:" in line
        assert watcher.process.poll() is None
        facts.write_text(changed, encoding="utf-8")
        watcher.wait_for(lambda line: "first-event.yaml" in line, "the repaired file")
    finally:
        code, output = watcher.stop()
    assert code == 130, output
    assert "stopped watching" in output
    assert "Traceback" not in output


STARTER_TITLE = "title: Japan–Republic of Korea Summit Meeting"  # the starter's event title


def test_internal_errors_in_a_rebuild_are_reported_and_watching_goes_on(tmp_path: Path) -> None:
    assert run_cli("init", "ws", cwd=tmp_path).returncode == 0
    workspace = tmp_path / "ws"
    facts = workspace / "sources" / "first-event.yaml"
    document = workspace / "out" / "first-event.en.docx"
    text = facts.read_text(encoding="utf-8")
    broken = text.replace(STARTER_TITLE, "title: Broken Meeting", 1)
    repaired = text.replace(STARTER_TITLE, "title: Repaired Meeting", 1)
    assert broken != text and repaired != text
    # the command line with a bug planted in the writer and in the build
    watcher = Watcher(workspace, "--lang", "en", child=children.faulty_writer)
    try:
        watcher.wait_for(lambda line: line.startswith("watching"), "watching")
        written = document.read_bytes()

        facts.write_text(broken, encoding="utf-8")
        line = watcher.wait_for(lambda line: "first-event.yaml" in line, "the broken rebuild")
        assert "internal error: RuntimeError: a bug in the writer" in line, line
        watcher.wait_for(lambda line: "--debug" in line, "how to see the details")
        assert watcher.process.poll() is None
        assert document.read_bytes() == written  # the last good document stays

        crashing = text.replace(STARTER_TITLE, "title: Crashing Meeting", 1)
        facts.write_text(crashing, encoding="utf-8")
        line = watcher.wait_for(lambda line: "first-event.yaml" in line, "the crashed rebuild")
        assert "internal error: RuntimeError: a bug in the build" in line, line
        watcher.wait_for(lambda line: "--debug" in line, "how to see the details")
        assert watcher.process.poll() is None
        assert document.read_bytes() == written

        facts.write_text(repaired, encoding="utf-8")
        line = watcher.wait_for(lambda line: "first-event.yaml" in line, "the repaired file")
        assert "wrote out/first-event.en.docx" in line, line
        assert "Repaired Meeting" in paragraphs(document)
    finally:
        code, output = watcher.stop()
    assert code == 130, output
    assert "Traceback" not in output


def test_watch_follows_a_sources_folder_removed_and_created_again(tmp_path: Path) -> None:
    """A checkout or a sync tool replaces the folder: the new one is watched as the old was,
    and Ctrl-C stops the watcher while the folder is gone as well."""
    assert run_cli("init", "ws", cwd=tmp_path).returncode == 0
    workspace = tmp_path / "ws"
    sources = workspace / "sources"
    text = (sources / "first-event.yaml").read_text(encoding="utf-8")
    watcher = Watcher(workspace, "--lang", "en")
    try:
        watcher.wait_for(lambda line: line.startswith("watching"), "watching")
        for round_ in ("Replaced", "Replaced Again"):
            shutil.rmtree(sources)
            watcher.wait_for(lambda line: "error" in line, "the missing facts files")
            sources.mkdir()
            changed = text.replace(STARTER_TITLE, f"title: {round_} Meeting", 1)
            assert changed != text
            (sources / "first-event.yaml").write_text(changed, encoding="utf-8")
            watcher.wait_for(lambda line: "wrote out/first-event.en.docx" in line, "a rebuild")
            assert f"{round_} Meeting" in paragraphs(workspace / "out" / "first-event.en.docx")
        shutil.rmtree(sources)
        watcher.wait_for(lambda line: "error" in line, "the missing facts files")
        started = time.monotonic()
    finally:
        code, output = watcher.stop()
    assert code == 130, output
    assert time.monotonic() - started < 10, output
    assert "stopped watching" in output and "Traceback" not in output
