"""A real, throwaway PostgreSQL cluster for the tests, reachable only through a Unix socket.

`initdb` makes a cluster in a new temporary folder; the server listens on no TCP address, only on
a socket in that folder, trusts local connections, and is stopped and removed at the end of the
session. PostgreSQL refuses to run as root, so when the tests run as root the cluster belongs to
the `postgres` system user (Debian's package creates it) or, failing that, `nobody`, and the
server is started through `runuser`. The server binaries come from `$BRIEFING_TEST_PG_BIN`, or the
newest `/usr/lib/postgresql/*/bin` (Debian's `postgresql` package), or `PATH`.

Each test gets a database of its own (`CREATE DATABASE`, fast), so the session needs one server.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

SUPERUSER = "briefing"


def find_binaries() -> Path | None:
    configured = os.environ.get("BRIEFING_TEST_PG_BIN")
    if configured:
        return Path(configured)
    candidates = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"),
        key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0,
    )
    if candidates:
        return candidates[-1].parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def server_user() -> str | None:
    """The unprivileged user that runs the server when the tests run as root, else None."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        with contextlib.suppress(KeyError):
            pwd.getpwnam(name)
            return name
    raise RuntimeError("running as root, and neither a 'postgres' nor a 'nobody' user exists")


@dataclass
class PostgresServer:
    """One cluster: `url(dbname)` gives a libpq URL briefing's `--tm` takes."""

    bindir: Path
    root: Path
    user: str | None
    port: int = 5432
    startup_seconds: float = 0.0

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def socket_dir(self) -> Path:
        return self.root

    @property
    def log(self) -> Path:
        return self.root / "server.log"

    def _run(self, *command: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        prefix = ["runuser", "-u", self.user, "--"] if self.user else []
        return subprocess.run(
            [*prefix, *command],
            capture_output=True,
            text=True,
            check=check,
            cwd=self.root,
            env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8"},
        )

    def init(self) -> None:
        if self.user:
            info = pwd.getpwnam(self.user)
            os.chown(self.root, info.pw_uid, info.pw_gid)
        self._run(
            str(self.bindir / "initdb"),
            "--pgdata",
            str(self.data),
            "--username",
            SUPERUSER,
            "--auth",
            "trust",
            "--encoding",
            "UTF8",
            "--no-locale",
            "--no-sync",
        )

    def start(self) -> None:
        started = time.monotonic()
        options = (
            f"-c listen_addresses='' -k {self.socket_dir} -p {self.port} "
            "-c fsync=off -c full_page_writes=off -c max_connections=60"
        )
        result = self._run(
            str(self.bindir / "pg_ctl"),
            "--pgdata",
            str(self.data),
            "--log",
            str(self.log),
            "--options",
            options,
            "--wait",
            "--timeout",
            "60",
            "start",
            check=False,
        )
        if result.returncode != 0:
            raise RuntimeError(f"PostgreSQL did not start: {result.stderr}\n{self.log_tail()}")
        self.startup_seconds = time.monotonic() - started

    def stop(self, mode: str = "fast") -> None:
        if (self.data / "postmaster.pid").exists():
            self._run(
                str(self.bindir / "pg_ctl"),
                "--pgdata",
                str(self.data),
                "--mode",
                mode,
                "--wait",
                "stop",
                check=False,
            )

    def kill(self) -> None:
        """SIGKILL the postmaster and its children, as a crash would; `start()` recovers."""
        pid_file = self.data / "postmaster.pid"
        pid = int(pid_file.read_text().splitlines()[0])
        children = subprocess.run(
            ["pgrep", "-P", str(pid)], capture_output=True, text=True
        ).stdout.split()
        for process in [pid, *map(int, children)]:
            with contextlib.suppress(ProcessLookupError):
                os.kill(process, 9)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.05)

    def log_tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def url(self, dbname: str = "postgres") -> str:
        return f"postgresql://{SUPERUSER}@/{dbname}?host={self.socket_dir}&port={self.port}"

    def psql(self, sql: str, dbname: str = "postgres") -> str:
        result = subprocess.run(
            [
                str(self.bindir / "psql"),
                "-X",
                "-A",
                "-t",
                "-v",
                "ON_ERROR_STOP=1",
                "-c",
                sql,
                self.url(dbname),
            ],
            capture_output=True,
            text=True,
        )
        if result.returncode != 0:
            raise RuntimeError(f"psql failed: {result.stderr}")
        return result.stdout

    def create_database(self) -> str:
        name = "t_" + uuid.uuid4().hex[:12]
        self.psql(f"CREATE DATABASE {name}")
        return name

    def drop_database(self, name: str) -> None:
        with contextlib.suppress(RuntimeError):
            self.psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def start_cluster() -> PostgresServer:
    """A new, started cluster in a new temporary folder; the caller stops and removes it."""
    bindir = find_binaries()
    if bindir is None:
        raise FileNotFoundError("PostgreSQL server binaries (Debian package 'postgresql')")
    # Not under pytest's own temporary folder: that is private to root (mode 0700), and the
    # server's user must be able to reach its socket and data.
    root = Path(tempfile.mkdtemp(prefix="briefing-pg-"))
    server = PostgresServer(bindir=bindir, root=root, user=server_user())
    try:
        server.init()
        server.start()
    except BaseException:
        server.stop("immediate")
        shutil.rmtree(root, ignore_errors=True)
        raise
    return server


@contextlib.contextmanager
def cluster() -> Iterator[PostgresServer]:
    server = start_cluster()
    try:
        yield server
    finally:
        server.stop("immediate")
        shutil.rmtree(server.root, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """The session's PostgreSQL; in CI a missing PostgreSQL fails the tests that need it."""
    try:
        manager = cluster()
        server = manager.__enter__()
    except FileNotFoundError as missing:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"{missing} not found; .ci/run installs it")
        pytest.skip(f"{missing} not installed")
    try:
        yield server
    finally:
        manager.__exit__(None, None, None)


@pytest.fixture
def postgres_url(postgres_server: PostgresServer) -> Iterator[str]:
    """A URL to a new, empty database of the session's server, dropped after the test."""
    name = postgres_server.create_database()
    try:
        yield postgres_server.url(name)
    finally:
        postgres_server.drop_database(name)
