"""The wheel, installed into a fresh virtual environment, works in an empty folder.

Only briefing itself is installed from the wheel; its dependencies are taken from the test
environment (a path entry, not an install) so the test runs offline and in seconds. The
package's data (templates, reference documents, catalogs, term base) must come from the wheel.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import docx

from tests.conftest import ENGLISH_OUTLINE, ROOT

SOURCE_FILES = ("pyproject.toml", "README.md")


def run(*args: str | Path, cwd: Path, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(
        [str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, f"{args}:\n{done.stdout}\n{done.stderr}"
    return done.stdout + done.stderr


def build_wheel(tmp_path: Path) -> Path:
    """The wheel of a copy of the source tree (building in place would write into it)."""
    source = tmp_path / "source"
    source.mkdir()
    for name in SOURCE_FILES:
        shutil.copy2(ROOT / name, source / name)
    shutil.copytree(
        ROOT / "briefing", source / "briefing", ignore=shutil.ignore_patterns("__pycache__")
    )
    wheels = tmp_path / "wheels"
    run(
        sys.executable,
        *("-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation"),
        *("--wheel-dir", wheels, source),
        cwd=tmp_path,
    )
    [wheel] = wheels.glob("briefing-*.whl")
    return wheel


def test_the_installed_wheel_initialises_validates_and_builds_in_an_empty_folder(
    tmp_path: Path,
) -> None:
    wheel = build_wheel(tmp_path)
    environment = tmp_path / "venv"
    venv.EnvBuilder(with_pip=False).create(environment)
    python = environment / "bin" / "python"
    run(
        sys.executable,
        *("-m", "pip", "--python", python, "install", "--quiet", "--no-deps", "--no-index"),
        wheel,
        cwd=tmp_path,
    )
    site = Path(
        run(
            python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])", cwd=tmp_path
        ).strip()
    )
    dependencies = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    (site / "test-dependencies.pth").write_text("\n".join(sorted(dependencies)) + "\n")

    empty = tmp_path / "empty"
    empty.mkdir()
    home = tmp_path / "home"
    env = {
        "PATH": f"{environment / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}",
        "HOME": str(home),
        "XDG_DATA_HOME": str(home / "data"),
        "LANG": "C.UTF-8",
        "COLUMNS": "200",
    }
    where = run(python, "-c", "import briefing; print(briefing.__file__)", cwd=empty, env=env)
    assert Path(where.strip()).is_relative_to(site), where

    briefing = environment / "bin" / "briefing"
    run(briefing, "init", cwd=empty, env=env)
    run(briefing, "validate", "sources/first-event.yaml", cwd=empty, env=env)
    run(briefing, "build", "--lang", "en", cwd=empty, env=env)

    document = docx.Document(str(empty / "out" / "first-event.en.docx"))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading 1")]
    assert headings == [h for h in ENGLISH_OUTLINE if h in headings] and len(headings) >= 5
    assert document.core_properties.title
    assert sorted(p.name for p in empty.iterdir()) == sorted(
        [
            ".gitignore",
            "briefing.schema.json",
            "briefing.toml",
            "facts.schema.json",
            "glossary.yaml",
            "out",
            "sources",
        ]
    )
