"""Byte-compile every module of the package and import each one as Windows would.

Run on Linux in CI (and by tests/test_platforms.py): sys.platform is set to "win32", the
POSIX-only modules (fcntl, resource, termios, pwd, grp) cannot be imported, and the POSIX-only
functions and constants of os and signal are removed. Third-party libraries are imported first
under the real platform, since their Windows code paths need Windows itself; the package's own
modules are then imported fresh under the simulated one. Exit 0 when every module compiles and
imports, 1 otherwise, listing each failure.
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.abc
import os
import pkgutil
import py_compile
import signal
import sys
import tempfile
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "briefing"
POSIX_ONLY_MODULES = ("fcntl", "resource", "termios", "pwd", "grp", "posix")
POSIX_ONLY_OS = (
    "O_NOFOLLOW",
    "O_DIRECTORY",
    "killpg",
    "getpgid",
    "setsid",
    "fchmod",
    "fchown",
    "getuid",
    "geteuid",
    "getgid",
    "sync",
)
POSIX_ONLY_SIGNALS = ("SIGKILL", "SIGHUP", "SIGQUIT", "SIGALRM", "SIGUSR1", "SIGCHLD")
# Third-party modules the package imports; they are loaded under the real platform first.
THIRD_PARTY = (
    "typer",
    "click",
    "rich.console",
    "rich.progress",
    "rich.table",
    "pydantic",
    "ruamel.yaml",
    "jinja2",
    "jinja2.sandbox",
    "babel",
    "babel.dates",
    "babel.numbers",
    "babel.messages.pofile",
    "babel.messages.mofile",
    "docx",
    "lxml.etree",
    "pysbd",
    "filelock",
)
# Names a library loads on first use (filelock keeps ReadWriteLock in a submodule whose name
# changes between releases): resolved under the real platform too, as they would be on Windows.
LAZY_ATTRIBUTES = (("filelock", "ReadWriteLock"),)


class Unimportable(importlib.abc.MetaPathFinder):
    """Refuses the POSIX-only modules, as a Windows Python does."""

    def find_spec(self, name, path=None, target=None):  # type: ignore[no-untyped-def]
        if name in POSIX_ONLY_MODULES:
            raise ImportError(f"No module named {name!r} (simulated Windows)", name=name)
        return None


def compile_all() -> list[str]:
    failures = []
    with tempfile.TemporaryDirectory() as scratch:
        for path in sorted((ROOT / PACKAGE).rglob("*.py")):
            try:
                py_compile.compile(str(path), cfile=f"{scratch}/x.pyc", doraise=True)
            except py_compile.PyCompileError as error:
                failures.append(f"{path}: does not compile: {error.msg}")
    return failures


def simulate_windows() -> None:
    for name in THIRD_PARTY:
        # an optional library that is not installed: the package must cope anyway
        with contextlib.suppress(ImportError):
            importlib.import_module(name)
    for module_name, attribute in LAZY_ATTRIBUTES:
        with contextlib.suppress(ImportError):
            getattr(importlib.import_module(module_name), attribute)
    for name in POSIX_ONLY_MODULES:
        sys.modules.pop(name, None)
    sys.meta_path.insert(0, Unimportable())
    for name in POSIX_ONLY_OS:
        if hasattr(os, name):
            delattr(os, name)
    for name in POSIX_ONLY_SIGNALS:
        if hasattr(signal, name):
            delattr(signal, name)
    # os.name stays "posix": pathlib and ctypes choose their classes by it, and the package
    # itself tests sys.platform.
    sys.platform = "win32"


def import_all() -> tuple[list[str], int]:
    failures = []
    imported = 0
    sys.path.insert(0, str(ROOT))
    for name in [m for m in list(sys.modules) if m == PACKAGE or m.startswith(PACKAGE + ".")]:
        del sys.modules[name]
    package = importlib.import_module(PACKAGE)
    names = [PACKAGE] + [
        info.name
        for info in pkgutil.walk_packages(package.__path__, prefix=PACKAGE + ".")
        if not info.name.endswith(".__main__")  # importing it runs the program
    ]
    for name in names:
        try:
            importlib.import_module(name)
            imported += 1
        except BaseException:  # noqa: BLE001 - every failure is reported, none stops the check
            failures.append(f"{name}: does not import on Windows:\n{traceback.format_exc()}")
    return failures, imported


def main() -> int:
    failures = compile_all()
    simulate_windows()
    import_failures, imported = import_all()
    failures += import_failures
    for failure in failures:
        print(failure, file=sys.stderr)
    print(f"{imported} modules imported under a simulated Windows, {len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
