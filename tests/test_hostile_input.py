"""Facts files from other people: each hostile input gives a valid document or a clear error.

The command line runs in a child process with a time limit and a 2 GiB address-space limit, so a
regression that expands an alias bomb or recurses without end fails the test instead of the
machine. "Clear" means exit status 2, the file (and line:column where there is one), what is
wrong, and no Python traceback.
"""

from __future__ import annotations

import codecs
import re
import resource
import tempfile
import time
from pathlib import Path
from typing import Any

import docx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from briefing.build import BuildRequest, build
from briefing.kinds import KINDS
from briefing.languages import parse_languages
from briefing.yamlsource.cleaning import BIDI_CONTROLS, XML_ILLEGAL, YAML_UNREADABLE
from briefing.yamlsource.positions import C_READER
from tests.conftest import ROOT, Result, _facts_yaml, _minimal_facts, run_cli

MEMORY_LIMIT = 2 * 1024**3


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def run_briefing(*args: str | Path, cwd: Path, timeout: float = 60) -> Result:
    """`briefing ARGS` in a child process with bounded memory and time, output as text."""
    home = cwd / "home"
    home.mkdir(exist_ok=True)
    env = {
        "HOME": str(home),
        "XDG_DATA_HOME": str(home / "data"),
        "XDG_CONFIG_HOME": str(home / "config"),
        "XDG_CACHE_HOME": str(home / "cache"),
    }
    return run_cli(*args, cwd=cwd, env=env, timeout=timeout, preexec_fn=_limit_memory)


def assert_clear_error(result: Result, *expected: str) -> None:
    """Exit 2, no traceback, and every expected fragment in the message."""
    assert "Traceback" not in result.stderr, result.stderr
    assert "internal error" not in result.stderr, result.stderr
    assert result.returncode == 2, result.stderr
    for fragment in expected:
        assert fragment in result.stderr, f"{fragment!r} not in:\n{result.stderr[:3000]}"


def document_text(path: Path) -> str:
    """Every paragraph and table cell of a .docx, as python-docx reads it."""
    document = docx.Document(str(path))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return "\n".join(parts)


def write(path: Path, data: bytes | str) -> Path:
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


# ------------------------------------------------------------------------- alias bombs, size


def test_alias_bomb_is_refused_at_its_first_anchor(tmp_path: Path) -> None:
    lines = ['lol0: &lol0 "lol"']
    for level in range(1, 10):
        aliases = ", ".join([f"*lol{level - 1}"] * 9)
        lines.append(f"lol{level}: &lol{level} [{aliases}]")
    bomb = "\n".join(lines) + "\nsummary: {text: *lol9, sources: [report-1]}\n"
    path = write(tmp_path / "bomb.yaml", bomb)

    started = time.monotonic()
    result = run_briefing("validate", path, cwd=tmp_path, timeout=30)

    assert_clear_error(result, f"{path}:1:7:", "anchors and aliases", "Write the value out")
    assert time.monotonic() - started < 20


def test_file_of_50_mb_is_refused_before_it_is_read(tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    with path.open("wb") as stream:
        stream.write(b"summary:\n  text: ")
        stream.write(b"a" * (50 * 1024 * 1024))
        stream.write(b"\n")

    started = time.monotonic()
    result = run_briefing("build", path, "--lang", "en", "--out", tmp_path / "out", cwd=tmp_path)

    assert_clear_error(result, str(path), "50.0 MB", "limited to 5 MB")
    assert time.monotonic() - started < 20
    assert not list((tmp_path / "out").glob("*.docx"))


def test_file_just_under_the_size_limit_is_read_in_bounded_time(tmp_path: Path) -> None:
    facts = _minimal_facts()
    statement = "The delegations reviewed cooperation on supply chains and energy. " * 30
    facts["background"] = [{"text": statement, "sources": ["report-1"]} for _ in range(2200)]
    text = _facts_yaml(facts)
    assert 4_000_000 < len(text.encode()) < 5 * 1024 * 1024
    path = write(tmp_path / "large.yaml", text)

    started = time.monotonic()
    result = run_briefing("validate", path, cwd=tmp_path, timeout=60)

    assert result.returncode == 0, result.stderr
    assert time.monotonic() - started < 45


# ------------------------------------------------------------------------------ deep nesting


@pytest.mark.parametrize(
    ("kind", "text", "where"),
    [
        ("flow lists", "summary: " + "[" * 10_000 + "]" * 10_000 + "\n", "1:50"),
        # libyaml points at the 41st "{", the pure reader at the key of the 40th mapping
        (
            "flow mappings",
            "summary: " + "{a: " * 10_000 + "1" + "}" * 10_000 + "\n",
            "1:170" if C_READER else "1:167",
        ),
        ("block lists", "summary:\n" + "".join(" " * i + "-\n" for i in range(1, 2000)), "42:42"),
    ],
)
def test_deep_nesting_is_stopped_where_it_goes_too_deep(
    tmp_path: Path, kind: str, text: str, where: str
) -> None:
    path = write(tmp_path / "deep.yaml", text)

    result = run_briefing("validate", path, cwd=tmp_path, timeout=30)

    assert_clear_error(result, f"{path}:{where}", "nesting deeper than 40 levels")


# --------------------------------------------------------------------------------- encodings


def _example_with_accents() -> str:
    facts = _minimal_facts()
    facts["summary"]["text"] = "The leaders met at a café in Nara (奈良) — «entente» renewed."
    return _facts_yaml(facts)


@pytest.mark.parametrize(
    ("encoding", "bom"),
    [
        ("utf-8", codecs.BOM_UTF8),
        ("utf-16-le", codecs.BOM_UTF16_LE),
        ("utf-16-be", codecs.BOM_UTF16_BE),
        ("utf-32-le", codecs.BOM_UTF32_LE),
    ],
)
def test_unicode_with_byte_order_mark_is_accepted(
    tmp_path: Path, encoding: str, bom: bytes
) -> None:
    path = write(tmp_path / "event.yaml", bom + _example_with_accents().encode(encoding))
    out = tmp_path / "out"

    result = run_briefing("build", path, "--lang", "en", "--out", out, cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    assert "control character" not in result.stderr
    text = document_text(out / "event.en.docx")
    assert "The leaders met at a café in Nara (奈良) — «entente» renewed." in text


def test_utf16_without_byte_order_mark_is_a_located_error(tmp_path: Path) -> None:
    path = write(tmp_path / "event.yaml", _example_with_accents().encode("utf-16-le"))

    result = run_briefing("validate", path, cwd=tmp_path)

    assert_clear_error(result, f"{path}:1:2:", "NUL bytes", "UTF-16", "Save the file as UTF-8")


def test_latin1_bytes_are_a_located_error(tmp_path: Path) -> None:
    text = _example_with_accents().replace(" —", "").replace(" (奈良)", "")
    data = text.encode("latin-1")
    line = text[: text.index("café")].count("\n") + 1
    column = text.index("café") - text.rfind("\n", 0, text.index("café")) + 3  # 1-based, at é
    path = write(tmp_path / "event.yaml", data)

    result = run_briefing("validate", path, cwd=tmp_path)

    assert_clear_error(
        result, f"{path}:{line}:{column}:", "not valid utf-8", "0xe9", "Save the file as UTF-8"
    )


def test_word_file_given_as_facts_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "event.yaml"
    path.write_bytes((ROOT / "templates" / "summit" / "reference.docx").read_bytes())

    result = run_briefing("build", path, "--lang", "en", "--out", tmp_path / "out", cwd=tmp_path)

    assert_clear_error(result, str(path), "Save the file as UTF-8")


# ------------------------------------------------------------------------ control characters


def test_control_characters_are_removed_with_a_warning_naming_each_field(tmp_path: Path) -> None:
    facts = _minimal_facts()
    facts["event"]["title"] = "Test\x01 Summit\x1f Meeting"
    facts["sources"][0]["publisher"] = "The Japan\x07 News"
    text = _facts_yaml(facts)
    assert "\\x01" in text or "\\u0001" in text  # the writer escapes them: YAML's own way
    # Raw characters too, as pasted from a PDF: a form feed, a backspace, a vertical tab.
    text = text.replace("The two leaders met", "The two\x0c leaders\x08 met")
    text = text.replace("name: Lee Jae Myung", "name: Lee Jae\x0b Myung")
    path = write(tmp_path / "event.yaml", text)
    out = tmp_path / "out"

    result = run_briefing("build", path, "--lang", "en", "--out", out, cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    warnings = [line for line in result.stderr.splitlines() if "control character" in line]
    found = [re.search(r"warning: (\S+): removed (\d+)", line) for line in warnings]
    assert all(found), warnings
    named = {match.groups() for match in found if match}
    assert named == {
        ("event.title", "2"),
        ("sources[0].publisher", "1"),
        ("summary.text", "2"),
        ("participants[1].name", "1"),
    }
    summary_line = text[: text.index("The two")].count("\n") + 1
    assert any(f"{path}:{summary_line}:" in line for line in warnings)
    document = out / "event.en.docx"
    body = document_text(document)
    for expected in ("Test Summit Meeting", "The two leaders met", "Lee Jae Myung", "Japan News"):
        assert expected in body
    assert not XML_ILLEGAL.search(body)
    assert docx.Document(str(document)).core_properties.title == "Test Summit Meeting"


# --------------------------------------------------------------------- scripts and long text


RTL_AND_EMOJI = {
    "summary": "التقى الزعيمان في نارا واتفقا على تعزيز التعاون الاقتصادي.",
    "background": "המנהיגים נפגשו בנארה ב-13 בינואר 2026 (שעה 10:00).",
    "outcome": "Agreed 🤝 on people-to-people exchanges 👨‍👩‍👧‍👦 and 🇯🇵🇰🇷 youth visits.",
    "heading": "Exchanges 🎓 ✈️",
    "mixed": "Mixed: English, עברית and العربية in one line, then 𝔪𝔞𝔱𝔥 and 𠀀.",
}


def test_right_to_left_and_emoji_text_comes_through_unchanged(tmp_path: Path) -> None:
    facts = _minimal_facts()
    facts["summary"]["text"] = RTL_AND_EMOJI["summary"]
    facts["background"] = [
        {"text": RTL_AND_EMOJI["background"], "sources": ["report-1"]},
        {"text": RTL_AND_EMOJI["mixed"], "sources": ["report-2"]},
    ]
    facts["outcomes"][0]["text"] = RTL_AND_EMOJI["outcome"]
    facts["outcomes"][0]["heading"] = RTL_AND_EMOJI["heading"]
    facts["participants"][1]["name"] = "محمد بن سلمان"
    path = write(tmp_path / "event.yaml", _facts_yaml(facts))
    out = tmp_path / "out"

    result = run_briefing("build", path, "--lang", "en", "--out", out, cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    body = document_text(out / "event.en.docx")
    for text in [*RTL_AND_EMOJI.values(), "محمد بن سلمان"]:
        assert text in body


def test_statement_of_100k_characters_is_a_short_located_error(tmp_path: Path) -> None:
    facts = _minimal_facts()
    facts["summary"]["text"] = "The leaders met. " * 6000  # 102,000 characters
    text = _facts_yaml(facts)
    path = write(tmp_path / "event.yaml", text)
    line = text[: text.index("The leaders met.")].count("\n") + 1
    out = tmp_path / "out"

    result = run_briefing("build", path, "--lang", "en", "--out", out, cwd=tmp_path)

    assert_clear_error(
        result, f"{path}:{line}:", "summary.text", "at most 20000 characters", "101,999 characters"
    )
    assert len(result.stderr) < 2000, "the message repeats the whole statement"
    assert not list(out.glob("*.docx"))


# ------------------------------------------------------------------------ arbitrary Unicode


def _usable(text: str) -> bool:
    """What the schema accepts: something left after removals and white-space folding."""
    return bool(BIDI_CONTROLS.sub("", XML_ILLEGAL.sub("", YAML_UNREADABLE.sub("", text))).strip())


def _as_document_shows(text: str) -> str:
    """A statement as the document holds it: characters removed, white space folded."""
    cleaned = BIDI_CONTROLS.sub("", XML_ILLEGAL.sub("", text))
    return re.sub(r"\s+", " ", cleaned).strip()


any_text = st.text(max_size=120).filter(_usable)
short_text = st.text(max_size=40).filter(_usable)


@st.composite
def facts_with_arbitrary_text(draw: st.DrawFn) -> dict[str, Any]:
    """The minimal facts with every text field, names and headings included, drawn at random."""
    facts = _minimal_facts()
    event = facts["event"]
    for name in ("title", "city", "host_country", "venue"):
        event[name] = draw(short_text)
    event["kind"] = draw(st.sampled_from(KINDS))  # a controlled vocabulary, not free text
    facts["document"] = {
        "author": draw(short_text),
        "organisation": draw(short_text),
        "keywords": draw(st.lists(short_text, max_size=3)),
    }
    for participant in facts["participants"]:
        for name in ("name", "title", "country"):
            participant[name] = draw(short_text)
    facts["summary"]["text"] = draw(any_text)
    facts["background"] = [{"text": draw(any_text), "sources": ["report-1"]}]
    facts["outcomes"] = [
        {"heading": draw(short_text), "text": draw(any_text), "sources": ["report-1"]}
    ]
    facts["topics"] = [
        {"heading": draw(short_text), "text": draw(any_text), "sources": ["report-2"]}
    ]
    facts["next_steps"] = [{"text": draw(any_text), "sources": ["report-2"], "status": "expected"}]
    facts["differences"] = [
        {
            "topic": draw(short_text),
            "accounts": [
                {"text": draw(any_text), "sources": ["report-1"]},
                {"text": draw(any_text), "sources": ["report-2"]},
            ],
        }
    ]
    for source in facts["sources"]:
        source["publisher"] = draw(short_text)
        source["title"] = draw(short_text)
        source["note"] = draw(short_text)
    return facts


def _statements(facts: dict[str, Any]) -> list[str]:
    texts = [facts["summary"]["text"]]
    for name in ("background", "outcomes", "topics", "next_steps"):
        texts += [item["text"] for item in facts[name]]
    texts += [a["text"] for d in facts["differences"] for a in d["accounts"]]
    return texts


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(facts=facts_with_arbitrary_text())
def test_arbitrary_unicode_in_every_text_field_is_written_and_read_back(
    facts: dict[str, Any],
) -> None:
    with tempfile.TemporaryDirectory() as directory:
        folder = Path(directory)
        path = folder / "event.yaml"
        path.write_text(_facts_yaml(facts), encoding="utf-8")
        out = folder / "out"

        report = build(BuildRequest([path], parse_languages("en"), out), translation=None)

        assert not [p for p in report.problems if p.severity == "error"], report.problems
        assert [d.status for d in report.documents] == ["written"]
        body = document_text(out / "event.en.docx")
        for statement in _statements(facts):
            assert _as_document_shows(statement) in body
