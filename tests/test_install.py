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
import zipfile
from pathlib import Path

import docx

from tests.conftest import ENGLISH_OUTLINE, ROOT
from tests.support.documents import style_of

SOURCE_FILES = ("pyproject.toml", "README.md")
SOURCE_FOLDERS = ("briefing", "templates")  # the package, and the bundled templates it maps in


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
    skipped = shutil.ignore_patterns("__pycache__")
    for folder in SOURCE_FOLDERS:
        shutil.copytree(ROOT / folder, source / folder, ignore=skipped)
    wheels = tmp_path / "wheels"
    run(
        sys.executable,
        *("-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation"),
        *("--wheel-dir", wheels, source),
        cwd=tmp_path,
    )
    [wheel] = wheels.glob("briefing-*.whl")
    shutil.rmtree(source)  # nothing but the wheel can provide the package's files now
    return wheel


def bundled_template_files() -> list[str]:
    """Every file of the top-level templates/ folder, as the wheel must hold it."""
    templates = ROOT / "templates"
    return sorted(
        f"briefing/templates/{path.relative_to(templates).as_posix()}"
        for path in templates.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    )


def test_the_wheel_carries_the_bundled_templates(tmp_path: Path) -> None:
    with zipfile.ZipFile(build_wheel(tmp_path)) as wheel:
        names = set(wheel.namelist())
    expected = bundled_template_files()
    for name in ("template.yaml", "document.xml.j2", "reference.docx", "make_reference.py"):
        assert f"briefing/templates/summit/{name}" in expected
    assert [name for name in expected if name not in names] == []
    assert not [name for name in names if name.startswith("templates/")]  # not a package of its own


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
    found = "from briefing.output.template import TEMPLATES_DIR as t; print(t)"
    templates = Path(run(python, "-c", found, cwd=empty, env=env).strip())
    assert templates == site / "briefing" / "templates", templates

    briefing = environment / "bin" / "briefing"
    run(briefing, "init", cwd=empty, env=env)
    run(briefing, "validate", "sources/first-event.yaml", cwd=empty, env=env)
    run(briefing, "build", "--lang", "en", cwd=empty, env=env)

    document = docx.Document(str(empty / "out" / "first-event.en.docx"))
    headings = [p.text for p in document.paragraphs if style_of(p).startswith("Heading 1")]
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
