"""Shared fixtures: the repository's paths, a network-free process, temporary model folders;
and the two ways tests run the command: `invoke` in this process through `main`, as a user's
process runs it, and `run_cli`/`start_cli` in a child process where the process is the point
(signals, resource limits, crashes, the console script, locks between processes)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from briefing.cli import main

# Real servers for the team features: LibreTranslate and PostgreSQL, started on demand.
pytest_plugins = ("tests.servers.libretranslate", "tests.servers.postgresql")

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
# Random weights: meaningless output of exactly max_decoding_length pieces, placeholders lost.
TINY_PACKAGES = {
    "ja": FIXTURES / "argos" / "translate-en_ja-tiny.argosmodel",
    "ko": FIXTURES / "argos" / "translate-en_ko-tiny.argosmodel",
}
# Hand-set weights: the output is the input's pieces, placeholders kept, then the end.
COPY_PACKAGES = {
    "ja": FIXTURES / "argos" / "translate-en_ja-copy.argosmodel",
    "ko": FIXTURES / "argos" / "translate-en_ko-copy.argosmodel",
}
NARA = ROOT / "sources" / "2026-01-13-nara-summit.yaml"
GLOSSARY = ROOT / "sources" / "glossary.yaml"
# The summit template's section headings in English, in order.
ENGLISH_OUTLINE = [
    "Summary",
    "Participants",
    "Background",
    "Key outcomes",
    "Topics discussed",
    "Next steps",
    "Notes on differences between sources",
    "Sources",
]


BRIEFING = Path(sys.executable).with_name("briefing")  # the installed console script


@dataclass(frozen=True)
class Result:
    """What one run of the command line left behind, in this process or a child."""

    returncode: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


def invoke(*args: str | Path, env: dict[str, str] | None = None) -> Result:
    """`briefing ARGS` in this process, through the entry point: its error handling and exit
    codes as a user gets them, stdout and stderr captured apart, the terminal wide. Fast; use
    `run_cli` or `start_cli` where the process itself matters (signals, limits, crashes, the
    console script, locks between processes)."""
    terminate = signal.getsignal(signal.SIGTERM)  # main() installs its own handler
    with CliRunner().isolation(env={"COLUMNS": "500", **(env or {})}) as (stdout, stderr, _):
        saved = sys.argv
        sys.argv = ["briefing", *map(str, args)]
        try:
            main()
            code = 0
        except SystemExit as exit_:
            code = exit_.code if isinstance(exit_.code, int) else int(exit_.code is not None)
        finally:
            sys.argv = saved
            signal.signal(signal.SIGTERM, terminate)
            sys.stdout.flush()
            sys.stderr.flush()
        return Result(code, stdout.getvalue().decode(), stderr.getvalue().decode())


def build_args(
    *facts: str | Path,
    out: Path,
    lang: str | None = None,
    models_dir: Path | None = None,
    tm: str | Path | None = None,
    glossary: Path | None = None,
    layout: str | None = None,
    report: Path | None = None,
) -> list[str | Path]:
    """The arguments of `briefing build FACTS...` with the options the tests give most often;
    a test adds its own after them."""
    options: dict[str, str | Path | None] = {
        "--lang": lang,
        "--layout": layout,
        "--out": out,
        "--glossary": glossary,
        "--models-dir": models_dir,
        "--tm": tm,
        "--report": report,
    }
    given = [part for name, value in options.items() if value is not None for part in (name, value)]
    return ["build", *facts, *given]


def ctrl_c_reaches_child() -> None:
    """For `preexec_fn`: Ctrl-C reaches the child even when the tests run as a background job,
    whose shell makes its children ignore SIGINT (a Python started so never sees it), as a
    user's command does not."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _child_environment(env: dict[str, str] | None, home: Path | None) -> dict[str, str]:
    environment = dict(os.environ)
    if home is not None:  # a user's fresh account: nothing of this one's settings
        environment = {
            name: value
            for name, value in environment.items()
            if not name.startswith(("XDG_", "ARGOS_", "BRIEFING_"))
        }
        environment["HOME"] = str(home)
    return {**environment, "PYTHONPATH": str(ROOT), "COLUMNS": "500", **(env or {})}


def start_cli(
    *args: str | Path,
    cwd: Path,
    env: dict[str, str] | None = None,
    home: Path | None = None,
    preexec_fn: Callable[[], None] | None = None,
    script: bool = False,
    child: Callable[[list[str]], None] | None = None,
    merge_output: bool = False,
) -> subprocess.Popen[str]:
    """`briefing ARGS` started in a child process, as a user starts it; each message kept on
    one line, stdout and stderr (or both in one, `merge_output`) as text pipes.

    `script` runs the installed console script instead of `python -m briefing.cli`; `child`
    runs one of tests/support/children.py's programs with ARGS instead. `home` gives the child
    a fresh account: that HOME and none of this process's XDG_, ARGOS_ or BRIEFING_
    variables; `env` is added last."""
    if child is not None:
        command = [sys.executable, "-m", "tests.support.children", child.__name__]
    elif script:
        command = [str(BRIEFING)]
    else:
        command = [sys.executable, "-m", "briefing.cli"]
    return subprocess.Popen(
        [*command, *map(str, args)],
        cwd=cwd,
        env=_child_environment(env, home),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT if merge_output else subprocess.PIPE,
        text=True,
        preexec_fn=preexec_fn,
    )


def run_cli(
    *args: str | Path,
    cwd: Path,
    env: dict[str, str] | None = None,
    home: Path | None = None,
    timeout: float = 300,
    preexec_fn: Callable[[], None] | None = None,
    script: bool = False,
    child: Callable[[list[str]], None] | None = None,
) -> Result:
    """`briefing ARGS` (or a `child` program) run to its end in a child process: `start_cli`'s
    process, waited for at most `timeout` seconds."""
    process = start_cli(
        *args, cwd=cwd, env=env, home=home, preexec_fn=preexec_fn, script=script, child=child
    )
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        raise
    return Result(process.returncode, stdout, stderr)


_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex
# What socket.connect takes: (host, port, ...) for IP, a path (str or bytes) for a Unix socket.
Address = tuple[Any, ...] | str | bytes


def _loopback_only(address: Address) -> None:
    host = address[0] if isinstance(address, tuple) else address
    if isinstance(host, str) and (
        host.startswith("127.") or host in ("localhost", "::1") or host.startswith("/")
    ):
        return
    raise OSError(f"network access blocked in tests: {address!r}")


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test reaches beyond this machine; loopback servers of the tests' own still work."""

    def connect(self: socket.socket, address: Address) -> None:
        _loopback_only(address)
        return _real_connect(self, address)

    def connect_ex(self: socket.socket, address: Address) -> int:
        _loopback_only(address)
        return _real_connect_ex(self, address)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)


@pytest.fixture(scope="session", autouse=True)
def session_cache_folder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """briefing's cache folder (the parsed base term base) for the whole run, shared by the
    commands the tests run here and in child processes, never the real user's."""
    folder = tmp_path_factory.mktemp("cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CACHE_HOME", str(folder))
        yield folder


@pytest.fixture
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh HOME and XDG folders, so nothing a test writes lands in the real user's folders."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    for name in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME"):
        monkeypatch.setenv(name, str(home / name.lower()))
    monkeypatch.delenv("BRIEFING_MODELS_DIR", raising=False)
    monkeypatch.delenv("BRIEFING_TM", raising=False)
    monkeypatch.delenv("ARGOS_PACKAGES_DIR", raising=False)
    return home


def _minimal_facts() -> dict[str, Any]:
    return {
        "event": {
            "title": "Test Summit Meeting",
            "kind": "summit meeting",
            "date": "2026-01-13",
            "time_zone": "Asia/Tokyo",
            "city": "Nara",
            "host_country": "Japan",
        },
        "participants": [
            {
                "name": "Sanae Takaichi",
                "title": "Prime Minister",
                "country": "Japan",
                "role": "host",
                "sources": ["report-1"],
            },
            {
                "name": "Lee Jae Myung",
                "title": "President",
                "country": "Republic of Korea",
                "role": "guest",
                "sources": ["report-1"],
            },
        ],
        "summary": {"text": "The two leaders met in Nara.", "sources": ["report-1"]},
        "outcomes": [
            {
                "heading": "Economic security",
                "text": "The leaders agreed to open talks.",
                "sources": ["report-1", "report-2"],
            }
        ],
        "sources": [
            {"id": "report-1", "publisher": "The Japan News", "title": "Summit report"},
            {"id": "report-2", "publisher": "Government of Korea", "title": "Readout"},
        ],
    }


@pytest.fixture
def minimal_facts() -> dict[str, Any]:
    """A small valid facts file as plain data; each test breaks or changes one thing in it."""
    return _minimal_facts()


def _facts_yaml(data: object) -> str:
    import io

    from ruamel.yaml import YAML

    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = False
    yaml.allow_unicode = True
    yaml.width = 4096
    stream = io.StringIO()
    yaml.dump(data, stream)
    return stream.getvalue()


@pytest.fixture
def facts_yaml() -> Callable[[object], str]:
    """Plain data → block-style YAML text, the way a person would write a facts file."""
    return _facts_yaml


def _install_session_models(
    factory: pytest.TempPathFactory, name: str, packages: dict[str, Path]
) -> Path:
    """Install `packages` into a new models folder the way users do:
    `briefing models install FILE... --models-dir DIR`."""
    models_dir = factory.mktemp(name) / "models"
    result = invoke("models", "install", *packages.values(), "--models-dir", models_dir)
    assert result.returncode == 0, result.output
    return models_dir


@pytest.fixture(scope="session")
def tiny_models_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A models folder with both tiny (random) packages, installed once per session.
    Tests only read it."""
    return _install_session_models(tmp_path_factory, "tiny-models", TINY_PACKAGES)


@pytest.fixture(scope="session")
def copy_models_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A models folder with both copy packages, installed once per session. Tests only read it."""
    return _install_session_models(tmp_path_factory, "copy-models", COPY_PACKAGES)
