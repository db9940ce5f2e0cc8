"""Attacks on the template sandbox: every runaway template is a located template error, exit 2.

Every case renders in a child process whose memory and time are bounded (the limits of
tests.test_hostile_input), so a regression fails the test instead of exhausting the machine;
the reproductions of the hardening report also go through the command line. "Located" means
the message starts with the template file and the line of the offending expression; nothing is
written, and the command never reports an internal error.
"""

from __future__ import annotations

import json
import shutil
import sys
import time
from pathlib import Path

import pytest

from briefing.output.template import TEMPLATES_DIR
from tests.conftest import GLOSSARY, NARA, ROOT, run_cli
from tests.support import children
from tests.test_hostile_input import _limit_memory, assert_clear_error, run_briefing

# What a template asks for, on its second line (the first is plain markup), and what the error
# must say. The sizes are those that, unchecked, run for minutes or take gigabytes in one step.
CASES = {
    "power of a power of a power": ("{{ ((10**999)**999)**99 > 1 }}", "too large to compute"),
    "power too long to print": ("{{ (10**999)**5 }}", "too large to compute"),
    "product of huge numbers": (
        "{% set n = 10**999 %}{{ n * n * n * n * n }}",
        "too large to compute",
    ),
    "center method": ("{{ 'x'.center(2*10**9)|length }}", "width given to center()"),
    "ljust method": ("{{ 'x'.ljust(2*10**9)|length }}", "width given to ljust()"),
    "rjust method": ("{{ 'x'.rjust(2*10**9)|length }}", "width given to rjust()"),
    "zfill method": ("{{ '1'.zfill(2*10**9)|length }}", "width given to zfill()"),
    "expandtabs method": ("{{ ('\t' * 999999).expandtabs(9999)|length }}", "expandtabs()"),
    "center filter": ("{{ 'x'|center(2*10**9)|length }}", "width given to center"),
    "indent filter": ("{{ 'a\\nb'|indent(2*10**9)|length }}", "width given to indent"),
    "indent of many lines": ("{{ ('\\n' * 999999)|indent(9999)|length }}", "indent would make"),
    "str.format width": ("{{ '{:>2000000000}'.format('x') }}", "format width"),
    "str.format nested width": ("{{ '{:>{}}'.format('x', 2*10**9) }}", "format width"),
    "format_map width": ("{{ '{a:>2000000000}'.format_map({'a': 1}) }}", "format width"),
    "%-format filter": ("{{ '%2000000000s'|format('x') }}", "%-format width"),
    "%-format operator": ("{{ '%2000000000s' % 'x' }}", "%-format width"),
    "%-format star width": ("{{ '%*s' % (2000000000, 'x') }}", "(*)"),
    "%-format precision": ("{{ '%.2000000000f' % 1.5 }}", "%-format width"),
    "join filter of a huge separator": (
        "{{ range(100000)|join('x'*999999) }}",
        "join would make",
    ),
    "join method of a huge separator": (
        "{{ ('x'*999999).join(range(100000)|map('string')) }}",
        "join() would make",
    ),
    "join of repeated huge strings": ("{{ (['x'*999999] * 1000)|join }}", "join would make"),
    "repetition": ("{{ 'x' * 10**9 }}", "too large"),
    "list repetition": ("{{ ([0] * 10**9)|length }}", "too large"),
    "concatenation": ("{% set s = 'x' * 999999 %}{{ (s + s)|length }}", "joining these two"),
    "replace filter": ("{{ ('x'*999999)|replace('x', 'y'*999999)|length }}", "replace would"),
    "replace method": ("{{ ('x'*999999).replace('x', 'y'*999999)|length }}", "replace()"),
    "translate method": ("{{ ('x'*999999).translate({120: 'y'*9999})|length }}", "translate()"),
    "batch filler": ("{{ [1]|batch(2*10**9, 0)|list|length }}", "batch would make"),
    "slice count": ("{{ [1]|slice(2*10**9)|list|length }}", "slice would make"),
    "wordwrap joiner": ("{{ ('x '*99999)|wordwrap(1, wrapstring='y'*99999) }}", "wordwrap"),
    "tojson indent": ("{{ {'a': [1]}|tojson(indent=2*10**9) }}", "indent given to tojson"),
    "lorem ipsum": ("{{ lipsum(10**6, min=1000, max=1001)|length }}", "lipsum would make"),
    # Steps that no size check sees: the render process's limits stop them.
    "doubling loop (memory limit)": (
        "{% set ns = namespace(s='x' * 999999) %}"
        "{% for i in range(40) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s|length }}",
        "more memory than a template may use",
    ),
}


# The exact reproductions of the hardening report, run end to end through the command line.
COMMAND_LINE_CASES = [
    "power of a power of a power",
    "center method",
    "join filter of a huge separator",
]

# Renders CASES one after another through the library in a child process of its own, with the
# bounds of tests.test_hostile_input, and prints each outcome as JSON.
# Loops inside loops call nothing the sandbox can see; only the time limit stops them.
ENDLESS = {
    "nested ranges (time limit)": (
        "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
        "rendering took longer than 0.5 s",
    ),
    "nested lists (time limit)": (
        "{% set n = range(100000)|list %}{% for i in n %}{% for j in n %}{% endfor %}{% endfor %}",
        "rendering took longer than 0.5 s",
    ),
}


def hostile_template(folder: Path, second_line: str) -> Path:
    """The summit template with a document of two lines, the second being the attack."""
    directory = folder / "hostile"
    shutil.copytree(TEMPLATES_DIR / "summit", directory)
    document = directory / "document.xml.j2"
    document.write_text("<document>\n" + second_line + "\n</document>\n", encoding="utf-8")
    return directory


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, list]]:
    """Every case of CASES and ENDLESS rendered once, in one bounded child process."""
    cases = {}
    for number, (name, (attack, _)) in enumerate({**CASES, **ENDLESS}.items()):
        directory = hostile_template(tmp_path_factory.mktemp(f"case{number}"), attack)
        cases[name] = (str(directory), 0.5 if name in ENDLESS else 10.0)
    result = run_cli(
        json.dumps(cases), NARA, GLOSSARY,
        cwd=ROOT, timeout=300, preexec_fn=_limit_memory, child=children.render_templates,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    found = json.loads(result.stdout.splitlines()[-1])
    return {name: (Path(cases[name][0]), found[name]) for name in cases}


@pytest.mark.parametrize("case", [*CASES, *ENDLESS], ids=[*CASES, *ENDLESS])
def test_runaway_template_is_a_located_template_error(
    outcomes: dict[str, tuple[Path, list]], case: str
) -> None:
    directory, (status, message, seconds) = outcomes[case]
    expected = {**CASES, **ENDLESS}[case][1]

    assert status == "refused", f"the template rendered: {case}"
    assert message.startswith(f"{directory / 'document.xml.j2'}:2: template error: "), message
    assert expected in message, message
    assert seconds < 15


@pytest.mark.parametrize("case", COMMAND_LINE_CASES)
def test_command_line_refuses_a_runaway_template_with_exit_2(tmp_path: Path, case: str) -> None:
    template = hostile_template(tmp_path, CASES[case][0])
    out = tmp_path / "out"

    started = time.monotonic()
    result = run_briefing(
        "build", NARA, "--lang", "en", "--out", out, "--template", template, cwd=tmp_path
    )

    assert_clear_error(result, f"{template / 'document.xml.j2'}:2: template error", CASES[case][1])
    assert time.monotonic() - started < 30
    assert not list(out.glob("*.docx"))


# ------------------------------------------------------------------ the render process itself


@pytest.mark.skipif(sys.platform == "win32", reason="the CPU limit is POSIX-only")
def test_one_long_c_level_step_is_ended_by_the_cpu_limit() -> None:
    """sum(range(10**12)) is one loop inside C that never checks for signals: no Python-level
    timer can interrupt it, the process's CPU limit does."""
    from briefing.output.sandbox_process import LimitedProcess, ProcessFailed

    with LimitedProcess() as process:
        process.run(1, abs, -1)  # started and warm
        started = time.monotonic()
        with pytest.raises(ProcessFailed, match="longer than 0.5 s"):
            process.run(0.5, sum, range(10**12))
        stopped = time.monotonic() - started

    assert stopped < 20  # the CPU limit: about 2 s of CPU, slower on a busy machine


def test_a_step_that_uses_no_cpu_is_ended_at_the_deadline() -> None:
    from briefing.output.sandbox_process import LimitedProcess, ProcessFailed

    with LimitedProcess() as process:
        process.run(1, abs, -1)  # started and warm
        started = time.monotonic()
        with pytest.raises(ProcessFailed, match="longer than 0.5 s"):
            process.run(0.5, time.sleep, 60)
        stopped = time.monotonic() - started
        assert process.run(1, abs, -2) == 2  # a new process takes over

    assert stopped < 20  # the deadline: 3 × 0.5 s + 10 s
    assert process.started == 2


def test_one_process_serves_every_render_of_a_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A build starts one render process, whatever the number of documents and languages."""
    from briefing.build import BuildRequest, build
    from briefing.languages import parse_languages
    from briefing.output import sandbox_process

    sources = []
    for number in range(3):
        copy = tmp_path / f"event{number}.yaml"
        copy.write_bytes(NARA.read_bytes())
        sources.append(copy)
    starts = []
    original = sandbox_process.LimitedProcess._start

    def counting(self: sandbox_process.LimitedProcess) -> object:
        starts.append(self)
        return original(self)

    monkeypatch.setattr(sandbox_process.LimitedProcess, "_start", counting)
    report = build(BuildRequest(sources, parse_languages("en"), tmp_path / "out"), None)

    assert [d.status for d in report.documents] == ["written"] * 3
    assert len(starts) == 1


# ------------------------------------------------------------------ files a template names


def _with_reference(folder: Path, reference: str) -> Path:
    directory = folder / "hostile"
    shutil.copytree(TEMPLATES_DIR / "summit", directory)
    config = directory / "template.yaml"
    text = config.read_text(encoding="utf-8").replace(
        "reference: reference.docx", f"reference: {reference!r}"
    )
    assert f"reference: {reference!r}" in text
    config.write_text(text, encoding="utf-8")
    return directory


@pytest.mark.parametrize(
    "kind", ["absolute", "dot-dot", "symlink", "symlinked folder", "document dot-dot"]
)
def test_reference_outside_the_template_folder_is_refused(tmp_path: Path, kind: str) -> None:
    """template.yaml's `reference:` obeys the rule for includes: only files inside the folder."""
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    shutil.copy(TEMPLATES_DIR / "summit" / "reference.docx", outside / "secret.docx")
    if kind == "absolute":
        template = _with_reference(tmp_path, str(outside / "secret.docx"))
    elif kind == "dot-dot":
        template = _with_reference(tmp_path, "../elsewhere/secret.docx")
    elif kind == "symlink":
        template = _with_reference(tmp_path, "house.docx")
        (template / "house.docx").symlink_to(outside / "secret.docx")
    elif kind == "symlinked folder":
        template = _with_reference(tmp_path, "styles/secret.docx")
        (template / "styles").symlink_to(outside)
    else:
        template = _with_reference(tmp_path, "reference.docx")
        (outside / "document.xml.j2").write_text("<document/>", encoding="utf-8")
        config = template / "template.yaml"
        text = config.read_text(encoding="utf-8")
        assert "document: document.xml.j2" in text
        text = text.replace("document: document.xml.j2", "document: ../elsewhere/document.xml.j2")
        config.write_text(text, encoding="utf-8")
    out = tmp_path / "out"

    result = run_briefing(
        "build", NARA, "--lang", "en", "--out", out, "--template", template, cwd=tmp_path
    )

    assert_clear_error(
        result,
        f"{template / 'template.yaml'}",
        "document" if kind.startswith("document") else "reference",
        "outside the template folder",
    )
    assert not list(out.glob("*.docx"))


def test_reference_in_a_subfolder_of_the_template_still_works(tmp_path: Path) -> None:
    template = _with_reference(tmp_path, "styles/house.docx")
    (template / "styles").mkdir()
    shutil.copy(template / "reference.docx", template / "styles" / "house.docx")
    out = tmp_path / "out"

    result = run_briefing(
        "build", NARA, "--lang", "en", "--out", out, "--template", template, cwd=tmp_path
    )

    assert result.returncode == 0, result.stderr
    assert (out / f"{NARA.stem}.en.docx").is_file()
