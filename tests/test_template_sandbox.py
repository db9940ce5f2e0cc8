"""Templates run sandboxed: reaching for Python internals, reading files, or never ending is stopped
with an InputError that names the template file (exit 2 from the command line)."""

from __future__ import annotations

import gettext
import shutil
import time
from pathlib import Path

import pytest

from briefing.errors import InputError
from briefing.facts.load import load_facts
from briefing.languages import parse_languages
from briefing.output.localize import BriefingView, Localizer
from briefing.output.render import render_document, render_markup
from briefing.output.template import Template, find_template
from briefing.terms.glossary import load_glossary
from tests.conftest import GLOSSARY, NARA, ROOT, run_cli


@pytest.fixture(scope="module")
def view() -> BriefingView:
    facts, _ = load_facts(NARA)
    english = parse_languages("en")[0]
    return Localizer(facts, english, load_glossary(GLOSSARY), {}, "").view()


def hostile_template(folder: Path, body: str) -> Template:
    """The summit template with its document replaced by `body`."""
    directory = folder / "hostile"
    shutil.copytree(ROOT / "briefing" / "templates" / "summit", directory)
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
    "huge width": ("{{ '%0999999999d' % 1 }}", "too large", 1),
    "endless macro": ("{% macro f() %}{{ f() }}{% endmacro %}\n{{ f() }}", "without end", 1),
    "self include": ("{% include 'document.xml.j2' %}", "without end", 1),
    "endless output": ("{% for i in range(99999) %}{{ 'x' * 999999 }}{% endfor %}", "output", None),
}


@pytest.mark.parametrize("case", HOSTILE, ids=list(HOSTILE))
def test_hostile_template_is_stopped_with_an_error_naming_it(
    tmp_path: Path, view: BriefingView, case: str
) -> None:
    body, expected, line = HOSTILE[case]
    template = hostile_template(tmp_path, body)

    started = time.monotonic()
    with pytest.raises(InputError) as caught:
        render_document(template, view, gettext.NullTranslations(), time_limit=5)

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


@pytest.mark.parametrize(
    "body",
    [
        # Loops inside loops call nothing the sandbox can see; only the time limit stops them.
        "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
        "{% set n = range(100000)|list %}{% for i in n %}{% for j in n %}{% endfor %}{% endfor %}",
    ],
    ids=["nested ranges", "nested lists"],
)
def test_endless_loop_is_stopped_by_the_time_limit(
    tmp_path: Path, view: BriefingView, body: str
) -> None:
    template = hostile_template(tmp_path, body)

    started = time.monotonic()
    with pytest.raises(InputError, match=r"document.xml.j2:1: template error: rendering took"):
        render_document(template, view, gettext.NullTranslations(), time_limit=0.5)

    assert time.monotonic() - started < 3


# An interruption that lands in a garbage-collector callback (hypothesis installs one) is printed
# as "ignored" by Python and delivered again; pytest reports the ignored one as a warning.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_time_limit_never_fires_after_the_render_has_returned(
    tmp_path: Path, view: BriefingView
) -> None:
    """Renders ending around their limit must not leave an interruption pending for later code."""
    template = hostile_template(tmp_path, "{% for i in range(20000) %}{{ i }}{% endfor %}")
    outcomes = set()
    for limit in [0.001, 0.002, 0.003, 0.005, 0.008, 0.01, 0.02] * 4:
        try:
            render_markup(template, view, gettext.NullTranslations(), time_limit=limit)
            outcomes.add("finished")
        except InputError:
            outcomes.add("stopped")
    deadline = time.monotonic() + 0.3
    while time.monotonic() < deadline:  # a stray interruption would be raised in here
        sum(range(1000))
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
