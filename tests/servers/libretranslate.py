"""A real LibreTranslate server for the tests, on 127.0.0.1, with the generated test packages only.

LibreTranslate (the Argos maintainers' server, from PyPI) pins other versions of our own
dependencies, so it lives in a virtual environment of its own, built once per machine under
`~/.cache/briefing-tests/libretranslate-VERSION/` (or `$BRIEFING_TEST_CACHE`) and reused.

Nothing is downloaded when a server starts:
- its home, XDG folders and `ARGOS_PACKAGES_DIR` are fresh temporary folders holding only the
  packages a test asks for, installed with argostranslate's own `install_from_path`;
- with two or more packages installed, LibreTranslate does not update models at start-up, and
  `ARGOS_PACKAGE_INDEX` points at a closed local port in case it tried;
- argostranslate splits sentences with MiniSBD, which downloads its ONNX model unless a package
  carries one in `minisbd/`: each installed package gets the generated model of
  `minisbd_model.py`, which splits nothing (briefing sends one sentence per text);
- requests name their source language, so language detection (local anyway) never runs.

`python -m tests.servers.libretranslate --prepare` builds the environment ahead of a test run;
`--serve PACKAGE...` runs a server by hand until Ctrl-C.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.servers.minisbd_model import write_model
from tests.support.environments import cache_root, cached_environment

LIBRETRANSLATE_VERSION = "1.9.6"
#: The API key the key-checking test server accepts.
TEST_API_KEY = "briefing-test-key"
START_TIMEOUT = 120.0
#: Decoding settings of the test server, the same as briefing's in-process defaults.
SERVER_ENVIRONMENT = {
    "ARGOS_BEAM_SIZE": "2",
    "ARGOS_INTER_THREADS": "2",
    # One thread inside each translator: the server decodes one sentence per call, and two
    # threads on one sentence took twice as long as one (benchmarks/engines.py, README).
    "ARGOS_INTRA_THREADS": "1",
    "ARGOS_DEVICE_TYPE": "cpu",
}

_INSTALL_SCRIPT = """
import sys
from argostranslate import package
for path in sys.argv[1:]:
    package.install_from_path(path)
"""


def environment_dir() -> Path:
    return cache_root() / f"libretranslate-{LIBRETRANSLATE_VERSION}"


def ensure_environment(log: Path | None = None) -> Path:
    """The Python of LibreTranslate's own virtual environment, built on first use."""
    return cached_environment(
        environment_dir(), [f"libretranslate=={LIBRETRANSLATE_VERSION}"], log=log, check=_no_torch
    )


def _no_torch(python: Path) -> None:
    """Its dependency set must stay free of PyTorch (a multi-gigabyte download)."""
    check = subprocess.run(
        [str(python), "-c", "import importlib.util as u; print(u.find_spec('torch') is None)"],
        capture_output=True,
        text=True,
        check=True,
    )
    if check.stdout.strip() != "True":
        raise RuntimeError("libretranslate's environment pulled in PyTorch")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class LibreTranslateServer:
    """One running server; `url` is what briefing's `--engine-url` takes."""

    python: Path
    packages: tuple[Path, ...]
    root: Path
    port: int
    api_key: str | None = None
    process: subprocess.Popen[bytes] | None = None
    startup_seconds: float = 0.0
    extra_args: tuple[str, ...] = field(default_factory=tuple)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log(self) -> Path:
        return self.root / "server.log"

    @property
    def packages_dir(self) -> Path:
        return self.root / "packages"

    def environment(self) -> dict[str, str]:
        home = self.root / "home"
        return {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "LANG": "C.UTF-8",
            "HOME": str(home),
            "XDG_DATA_HOME": str(home / "data"),
            "XDG_CONFIG_HOME": str(home / "config"),
            "XDG_CACHE_HOME": str(home / "cache"),
            "ARGOS_PACKAGES_DIR": str(self.packages_dir),
            "ARGOS_PACKAGE_INDEX": "http://127.0.0.1:9/",
            "PYTHONUNBUFFERED": "1",
            **SERVER_ENVIRONMENT,
        }

    def install(self) -> None:
        """Install the packages through argostranslate and give each its sentence splitter."""
        (self.root / "home").mkdir(parents=True, exist_ok=True)
        self.packages_dir.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [str(self.python), "-c", _INSTALL_SCRIPT, *map(str, self.packages)],
            env=self.environment(),
            cwd=self.root,
            check=True,
            capture_output=True,
        )
        installed = [p for p in self.packages_dir.iterdir() if (p / "metadata.json").exists()]
        if len(installed) != len(self.packages):
            raise RuntimeError(f"expected {len(self.packages)} packages in {self.packages_dir}")
        for folder in installed:
            write_model(folder)
        if self.api_key:
            self._write_api_key()

    def _write_api_key(self) -> None:
        """LibreTranslate's key database (its own schema), holding one key."""
        database = sqlite3.connect(self.root / "api_keys.db")
        with database:
            database.execute(
                'CREATE TABLE IF NOT EXISTS api_keys ("api_key" TEXT NOT NULL, '
                '"req_limit" INTEGER NOT NULL, "char_limit" INTEGER DEFAULT NULL, '
                'PRIMARY KEY("api_key"))'
            )
            database.execute(
                "INSERT OR REPLACE INTO api_keys VALUES (?, 100000, NULL)", (self.api_key,)
            )
        database.close()

    def command(self) -> list[str]:
        command = [
            str(self.python),
            "-m",
            "libretranslate.main",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--load-only",
            "en,ja,ko",
            "--disable-web-ui",
            "--disable-files-translation",
            "--threads",
            "4",
        ]
        if self.api_key:
            command += ["--api-keys", "--api-keys-db-path", str(self.root / "api_keys.db")]
        return command + list(self.extra_args)

    def start(self, timeout: float = START_TIMEOUT) -> None:
        started = time.monotonic()
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                self.command(),
                env=self.environment(),
                cwd=self.root,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.wait_ready(started + timeout)
        self.startup_seconds = time.monotonic() - started

    def wait_ready(self, deadline: float) -> None:
        """Until /languages lists en→ja and en→ko; a server that exits is an error with its log."""
        assert self.process is not None
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"LibreTranslate exited with {self.process.returncode}:\n{self.log_tail()}"
                )
            try:
                with urllib.request.urlopen(self.url + "/languages", timeout=2) as response:
                    languages = json.load(response)
                english = next((lang for lang in languages if lang["code"] == "en"), None)
                if english and {"ja", "ko"} <= set(english["targets"]):
                    return
            except (OSError, ValueError):
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"LibreTranslate not ready at {self.url}:\n{self.log_tail()}")
            time.sleep(0.1)

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def kill(self) -> None:
        """SIGKILL, as a crash or a pulled plug: no response for requests under way."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()

    def downloaded_files(self) -> list[Path]:
        """Files argostranslate or MiniSBD would have downloaded (their caches): none expected."""
        home = self.root / "home"
        places = [home / "data" / "argos-translate" / "minisbd", home / "cache" / "minisbd"]
        places += [home / "cache" / "argos-translate" / "downloads"]
        return [p for place in places if place.exists() for p in place.rglob("*") if p.is_file()]


class LibreTranslateServers:
    """Starts servers on demand, one per set of packages and key setting, and stops them all."""

    def __init__(self, base: Path) -> None:
        self.base = base
        self.python: Path | None = None
        self.running: dict[tuple[tuple[Path, ...], str | None], LibreTranslateServer] = {}
        self.others: list[LibreTranslateServer] = []

    def start(
        self,
        packages: Sequence[Path],
        *,
        api_key: str | None = None,
        shared: bool = True,
        extra_args: Sequence[str] = (),
    ) -> LibreTranslateServer:
        """A ready server with exactly `packages`; `shared=False` gives the caller its own one
        (to kill, for instance)."""
        key = (tuple(Path(p).resolve() for p in packages), api_key)
        if shared and key in self.running and not extra_args:
            return self.running[key]
        if self.python is None:
            try:
                self.python = ensure_environment(self.base / "pip.log")
            except (RuntimeError, subprocess.CalledProcessError) as error:
                if missing_environment_is_fatal():
                    raise
                pytest.skip(f"LibreTranslate could not be installed here: {error}")
        root = Path(tempfile.mkdtemp(prefix="lt-", dir=self.base))
        server = LibreTranslateServer(
            python=self.python,
            packages=key[0],
            root=root,
            port=free_port(),
            api_key=api_key,
            extra_args=tuple(extra_args),
        )
        server.install()
        server.start()
        if shared and not extra_args:
            self.running[key] = server
        else:
            self.others.append(server)
        return server

    def stop_all(self) -> None:
        for server in [*self.running.values(), *self.others]:
            server.stop()


def missing_environment_is_fatal() -> bool:
    """In CI a test that needs a server fails instead of skipping."""
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


@pytest.fixture(scope="session")
def libretranslate_servers(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[LibreTranslateServers]:
    """Start LibreTranslate servers with given packages; all stop when the session ends."""
    servers = LibreTranslateServers(tmp_path_factory.mktemp("libretranslate"))
    try:
        yield servers
    finally:
        servers.stop_all()


def _main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prepare", action="store_true", help="build the environment and exit")
    parser.add_argument("--serve", nargs="+", metavar="PACKAGE", help="serve these packages")
    args = parser.parse_args(argv)
    started = time.monotonic()
    python = ensure_environment()
    print(f"LibreTranslate {LIBRETRANSLATE_VERSION}: {python} ({time.monotonic() - started:.1f} s)")
    if args.serve:
        root = Path(tempfile.mkdtemp(prefix="briefing-lt-"))
        packages = tuple(Path(p).resolve() for p in args.serve)
        server = LibreTranslateServer(python=python, packages=packages, root=root, port=free_port())
        server.install()
        server.start()
        print(f"ready in {server.startup_seconds:.1f} s at {server.url} (log {server.log})")
        try:
            signal.pause()
        except KeyboardInterrupt:
            pass
        finally:
            server.stop()
            shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(_main())
