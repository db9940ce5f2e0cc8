"""Attacks through model packages and the models folder: packages whose name or folder lies about
their languages, downgrades, installs killed half-way, installs racing builds.

Packages are variants of the tiny real ones in tests/fixtures/argos, made by each test
(tests.test_models.variant). Commands run in child processes with bounded memory and time.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from tests.conftest import NARA, TINY_PACKAGES, Result, build_args, start_cli
from tests.test_hostile_input import MEMORY_LIMIT, assert_clear_error, run_briefing
from tests.test_models import tiny_members, variant, write_zip

JA_0_1 = "translate-en_ja-0_1"


def install(*packages: Path | str, models_dir: Path, cwd: Path, force: bool = False) -> Result:
    args = ["models", "install", *map(str, packages), "--models-dir", str(models_dir)]
    return run_briefing(*args, *(["--force"] if force else []), cwd=cwd, timeout=120)


def installed(models_dir: Path) -> list[str]:
    return sorted(p.name for p in models_dir.iterdir() if not p.name.startswith("."))


def staging_left(models_dir: Path) -> list[str]:
    """Hidden work folders of an install or removal (.incoming-*, .download-*, .removing-*)."""
    return sorted(
        p.name
        for p in models_dir.iterdir()
        if p.name.startswith((".incoming-", ".download-", ".removing-"))
    )


def versioned(tmp_path: Path, version: str, name: str | None = None) -> Path:
    top = f"translate-en_ja-{version.replace('.', '_')}"
    return variant(
        tmp_path / (name or f"{top}.argosmodel"), metadata={"package_version": version}, top=top
    )


# ------------------------------------------------------------------ names that lie


@pytest.mark.parametrize(
    "file_name",
    ["en_ko.argosmodel", "model-en_ko-1.0.argosmodel", "EN_KO.argosmodel"],
)
def test_file_name_naming_other_languages_is_refused(tmp_path: Path, file_name: str) -> None:
    """en→ja metadata inside a file whose name says en_ko is refused, not installed as ja."""
    package = variant(tmp_path / file_name)  # the ja package, renamed
    models_dir = tmp_path / "models"

    result = install(package, models_dir=models_dir, cwd=tmp_path)

    assert_clear_error(result, "refused", "the file name says en→ko but metadata.json says en→ja")
    assert not models_dir.exists() or installed(models_dir) == []


def test_zip_folder_naming_other_languages_is_refused(tmp_path: Path) -> None:
    package = variant(tmp_path / "package.argosmodel", top="translate-en_ko-9_9")
    models_dir = tmp_path / "models"

    result = install(package, models_dir=models_dir, cwd=tmp_path)

    assert_clear_error(
        result,
        "refused",
        "the package folder translate-en_ko-9_9/ says en→ko but metadata.json says en→ja",
    )
    assert not models_dir.exists() or installed(models_dir) == []


def test_neutral_names_still_install(tmp_path: Path) -> None:
    package = variant(tmp_path / "my-model.argosmodel", top="package")
    models_dir = tmp_path / "models"

    result = install(package, models_dir=models_dir, cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    assert installed(models_dir) == [JA_0_1]


# ------------------------------------------------------------------ downgrades


def test_older_version_over_a_newer_one_needs_force(tmp_path: Path) -> None:
    models_dir = tmp_path / "models"
    assert install(versioned(tmp_path, "0.2"), models_dir=models_dir, cwd=tmp_path).returncode == 0
    older = versioned(tmp_path, "0.1")

    refused = install(older, models_dir=models_dir, cwd=tmp_path)

    assert_clear_error(
        refused, "en→ja 0.2 is installed, newer than 0.1", "pass --force to install the older"
    )
    assert installed(models_dir) == ["translate-en_ja-0_2"]

    forced = install(older, models_dir=models_dir, cwd=tmp_path, force=True)

    assert forced.returncode == 0, forced.stderr
    assert "installed en→ja 0.1" in forced.stdout
    assert "replaced the newer en→ja 0.2" in forced.stdout
    assert installed(models_dir) == [JA_0_1]


# ------------------------------------------------------------------ installs cut short


def slow_package(tmp_path: Path) -> Path:
    """The ja package with 48 MB of incompressible filler, so that installing takes a while."""
    filler = zipfile.ZipInfo(f"{JA_0_1}/filler.bin")
    filler.compress_type = zipfile.ZIP_STORED
    members = [(info.filename, data) for info, data in tiny_members("ja")]
    return write_zip(tmp_path / f"{JA_0_1}.argosmodel", [*members, (filler, os.urandom(48 << 20))])


def start_install(package: Path, models_dir: Path, cwd: Path) -> subprocess.Popen[str]:
    import resource

    def limits() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))

    return start_cli(
        "models", "install", package, "--models-dir", models_dir,
        cwd=cwd, env={"HOME": str(cwd)}, preexec_fn=limits,
    )  # fmt: skip


def wait_for_staging(models_dir: Path, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        if models_dir.exists() and any(
            p.name.startswith(".incoming-") and any(p.iterdir())
            for p in models_dir.iterdir()
            if p.is_dir()
        ):
            return
        time.sleep(0.005)
    pytest.fail("the install never staged anything")


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_sigterm_during_install_cleans_up_like_ctrl_c(tmp_path: Path) -> None:
    models_dir = tmp_path / "models"
    process = start_install(slow_package(tmp_path), models_dir, tmp_path)
    wait_for_staging(models_dir, process)

    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=60)

    assert process.returncode == 128 + signal.SIGTERM, stderr
    assert "interrupted" in stderr.lower()
    assert "Traceback" not in stderr
    assert staging_left(models_dir) == []
    assert installed(models_dir) == []


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
@pytest.mark.parametrize("next_command", ["install", "build"])
def test_staging_left_by_a_killed_install_is_removed_next_time(
    tmp_path: Path, next_command: str
) -> None:
    models_dir = tmp_path / "models"
    process = start_install(slow_package(tmp_path), models_dir, tmp_path)
    wait_for_staging(models_dir, process)
    process.kill()
    process.communicate(timeout=60)
    assert staging_left(models_dir), "the kill came too late to leave anything"

    if next_command == "install":
        result = install(TINY_PACKAGES["ko"], models_dir=models_dir, cwd=tmp_path)
    else:
        install(TINY_PACKAGES["ja"], models_dir=models_dir, cwd=tmp_path)
        result = run_briefing(
            "build", NARA, "--lang", "ja", "--out", tmp_path / "out",
            "--models-dir", models_dir, cwd=tmp_path, timeout=120,
        )  # fmt: skip

    assert result.returncode == 0, result.stderr
    assert staging_left(models_dir) == []


# ------------------------------------------------------------------ installs racing builds


def first_line(process: subprocess.Popen[str], deadline: float) -> str:
    """The first line the process writes on stderr ('' if it ends first), waiting until
    `deadline` at most."""
    import selectors

    assert process.stderr is not None
    with selectors.DefaultSelector() as selector:
        selector.register(process.stderr, selectors.EVENT_READ)
        if selector.select(timeout=max(deadline - time.monotonic(), 0)):
            return process.stderr.readline()
    return ""


def test_install_waits_for_a_build_using_the_models(tmp_path: Path) -> None:
    """While a build uses the models folder, an install into it waits, then goes ahead."""
    from briefing import models

    models_dir = tmp_path / "models"
    assert install(TINY_PACKAGES["ja"], models_dir=models_dir, cwd=tmp_path).returncode == 0

    with models.in_use(models_dir):
        process = start_install(versioned(tmp_path, "0.2"), models_dir, tmp_path)
        said = first_line(process, deadline=time.monotonic() + 90)
        time.sleep(0.5)
        waiting = process.poll() is None
        still = installed(models_dir)
    _, stderr = process.communicate(timeout=60)

    assert "waiting" in said, said + stderr
    assert waiting, stderr
    assert still == [JA_0_1]  # nothing changed under the build
    assert process.returncode == 0, stderr
    assert installed(models_dir) == ["translate-en_ja-0_2"]


def test_builds_racing_installs_all_succeed_with_one_version_each(tmp_path: Path) -> None:
    """Builds running while installs switch the package between two versions each use one
    version from start to end: none fails, none advises reinstalling."""
    models_dir = tmp_path / "models"
    packages = [versioned(tmp_path, "0.1"), versioned(tmp_path, "0.2")]
    assert install(packages[0], models_dir=models_dir, cwd=tmp_path).returncode == 0

    def build(number: int) -> subprocess.Popen[str]:
        return start_cli(
            *build_args(
                NARA, lang="ja", out=tmp_path / f"out{number}", models_dir=models_dir,
                tm=tmp_path / f"tm{number}.sqlite",
            ),
            cwd=tmp_path,
            env={"HOME": str(tmp_path)},
        )  # fmt: skip

    builds = [build(n) for n in range(3)]
    for round_ in range(4):
        result = install(
            packages[(round_ + 1) % 2], models_dir=models_dir, cwd=tmp_path, force=True
        )
        assert result.returncode == 0, result.stderr
    outcomes = [process.communicate(timeout=300) for process in builds]

    for process, (_, stderr) in zip(builds, outcomes, strict=True):
        assert process.returncode == 0, stderr
        assert "reinstall" not in stderr
