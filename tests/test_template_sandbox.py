"""Templates run sandboxed: reaching for Python internals, reading files, or never ending is stopped
with an InputError that names the template file (exit 2 from the command line)."""

from __future__ import annotations

import gettext
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from briefing.errors import InputError
from briefing.facts.load import load_facts
from briefing.languages import parse_languages
from briefing.output.localize import BriefingView, Localizer
from briefing.output.render import render_document, render_markup
from briefing.output.sandbox_process import LimitedProcess
from briefing.output.template import Template, find_template
from briefing.terms.coverage import cover
from briefing.terms.glossary import load_glossary
from tests.conftest import GLOSSARY, NARA, ROOT, run_cli


@pytest.fixture(scope="module")
def view() -> BriefingView:
    facts, source = load_facts(NARA)
    english = parse_languages("en")[0]
    coverage = cover(facts.names(), load_glossary(GLOSSARY), source)
    return Localizer(facts, english, coverage, {}, "").view()


def hostile_template(folder: Path, body: str) -> Template:
    """The summit template with its document replaced by `body`."""
    directory = folder / "hostile"
    shutil.copytree(ROOT / "templates" / "summit", directory)
    (directory / "document.xml.j2").write_text(body, encoding="utf-8")
    return find_template(str(directory))


HOSTILE = {
    "subclasses": ("{{ ''.__class__.__mro__[1].__subclasses__() }}", "unsafe", 1),
    "globals": ("<document>\n{{ b.__init__.__globals__ }}", "unsafe", 2),
    "format": ("{{ '{0.__class__.__init__.__globals__}'.format(b) }}", "unsafe", 1),
    "cycler": ("{{ cycler.__init__.__globals__.os.system('id') }}", "unsafe", 1),
    "absolute include": ("{% include '/etc/passwd' %}", "cannot include '/etc/passwd'", 1),
    "relative include": ("{% include '../../../etc/passwd' %}", "cannot include '../../", 1),
    "import": ("{% import '/etc/hostname' as h %}", "cannot include '/etc/hostname'", 1),
    "huge range": ("{% for i in range(10**12) %}x{% endfor %}", "MAX_RANGE", 1),
    "huge power": ("{{ 10 ** (10 ** 10) }}", "too large to compute", 1),
    "huge string": ("{{ 'x' * 10 ** 9 }}", "too large", 1),
    "huge width": ("{{ '%0999999999d' % 1 }}", "larger than the limit", 1),
    "endless macro": ("{% macro f() %}{{ f() }}{% endmacro %}\n{{ f() }}", "without end", 1),
    "self include": ("{% include 'document.xml.j2' %}", "without end", 1),
    "endless output": ("{% for i in range(99999) %}{{ 'x' * 999999 }}{% endfor %}", "output", None),
}


@pytest.fixture(scope="module")
def process() -> Iterator[LimitedProcess]:
    """One render process for the module, as a build has: each case times its render only."""
    with LimitedProcess() as shared:
        shared.run(60, abs, -1)  # started
        yield shared


@pytest.mark.parametrize("case", HOSTILE, ids=list(HOSTILE))
def test_hostile_template_is_stopped_with_an_error_naming_it(
    tmp_path: Path, view: BriefingView, process: LimitedProcess, case: str
) -> None:
    body, expected, line = HOSTILE[case]
    template = hostile_template(tmp_path, body)

    started = time.monotonic()
    with pytest.raises(InputError) as caught:
        render_document(template, view, gettext.NullTranslations(), 5, process)

    message = str(caught.value)
    where = f"{template.directory / 'document.xml.j2'}" + (f":{line}" if line else "")
    assert message.startswith(f"{where}: template error")
    assert expected in message
    assert "root:" not in message  # nothing of /etc/passwd came through
    assert time.monotonic() - started < 5


def test_symlink_out_of_the_template_folder_is_not_followed(
    tmp_path: Path, view: BriefingView
) -> None:
    template = hostile_template(tmp_path, "<document>{% include 'notes.txt' %}</document>")
    (template.directory / "notes.txt").symlink_to("/etc/passwd")

    with pytest.raises(InputError, match="cannot include 'notes.txt'") as caught:
        render_markup(template, view, gettext.NullTranslations())

    assert "root:" not in str(caught.value)


def test_include_inside_the_template_folder_still_works(tmp_path: Path, view: BriefingView) -> None:
    template = hostile_template(tmp_path, "{% include 'parts/title.j2' %}")
    (template.directory / "parts").mkdir()
    (template.directory / "parts" / "title.j2").write_text("<title>{{ b.title }}</title>")

    assert render_markup(template, view, gettext.NullTranslations()) == (
        "<title>Japan–Republic of Korea Summit Meeting</title>"
    )


def test_a_stopped_render_never_affects_the_next(tmp_path: Path, view: BriefingView) -> None:
    """Renders ending around their CPU-time limit, one after another in one render process: each
    one stopped is reported, and none leaves a stop pending for the render after it."""
    template = hostile_template(tmp_path, "{% for i in range(20000) %}{{ i }}{% endfor %}")
    outcomes = set()
    with LimitedProcess() as process:
        for limit in [0.001, 0.002, 0.005, 0.01, 0.02, 0.05] * 3:
            try:
                render_markup(template, view, gettext.NullTranslations(), limit, process)
                outcomes.add("finished")
            except InputError as error:
                assert "rendering took longer than" in str(error)
                outcomes.add("stopped")
            assert render_markup(template, view, gettext.NullTranslations(), 10, process)
    assert "stopped" in outcomes


def test_command_line_refuses_a_hostile_template_with_exit_2(tmp_path: Path) -> None:
    template = hostile_template(tmp_path, "{% include '../../../../../../etc/passwd' %}")
    out = tmp_path / "out"

    result = run_cli(
        *("build", NARA, "--lang", "en", "--out", out, "--template", template.directory),
        cwd=tmp_path,
        env={"HOME": str(tmp_path)},
        timeout=60,
    )

    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert f"{template.directory / 'document.xml.j2'}:1: template error: cannot include" in (
        result.stderr
    )
    assert "root:" not in result.stdout + result.stderr
    assert not list(out.glob("*.docx"))
