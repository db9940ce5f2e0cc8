"""Attacks on the build as a whole: values longer than the document format holds, and failures
that must stay inside one document.

A facts file that validates must build: every value that reaches a slot the .docx format limits
(core properties: 255 characters) is generated here at the longest length the schema allows, in
every field that reaches such a slot, and built in every language and layout. A failure the
program did not foresee ends with its own exit status (70), never 1 ("a model is missing") or 2
("bad input"), and never stops the other documents of the run.
"""

from __future__ import annotations

import json
import resource
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import docx
import pytest

from tests.conftest import GLOSSARY, ROOT, Result, build_args, run_cli
from tests.support import children

MEMORY_LIMIT = 3 * 1024**3
TIME_LIMIT = 180.0
CORE_PROPERTY_LIMIT = 255  # python-docx's limit for every text property of docProps/core.xml
SHORT_TEXT = 500  # the facts schema's longest name, title or heading
TEXT_PROPERTIES = (
    "title",
    "subject",
    "author",
    "keywords",
    "category",
    "comments",
    "last_modified_by",
    "language",
)
INTERNAL_ERROR = 70


def limited() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def cli(*args: str | Path, cwd: Path, child: Callable[[list[str]], None] | None = None) -> Result:
    """`briefing ARGS` in a child process under the memory and time limits."""
    return run_cli(
        *args, cwd=cwd, env={"HOME": str(cwd)}, timeout=TIME_LIMIT, preexec_fn=limited, child=child
    )


def words(length: int, seed: str) -> str:
    """Readable text of exactly `length` characters (words, so the sentence splitter is real)."""
    text = " ".join(f"{seed}{i}" for i in range(length))
    return text[:length].rstrip() + "x" * (length - len(text[:length].rstrip()))


@pytest.fixture
def write_facts(
    tmp_path: Path, minimal_facts: dict[str, Any], facts_yaml: Callable[[object], str]
) -> Callable[[str, Callable[[dict[str, Any]], None]], Path]:
    def write(name: str, change: Callable[[dict[str, Any]], None]) -> Path:
        data = json.loads(json.dumps(minimal_facts))
        change(data)
        path = tmp_path / name
        path.write_text(facts_yaml(data), encoding="utf-8")
        return path

    return write


def longest_everywhere(data: dict[str, Any]) -> None:
    """Every field that reaches a core property, at the longest length the schema takes."""
    data["event"]["title"] = words(SHORT_TEXT, "Summit")
    # the kind is one of the catalog's kinds or a glossary term, so it stays the facts' own
    data["document"] = {
        "author": words(SHORT_TEXT, "Author"),
        "organisation": words(SHORT_TEXT, "Ministry"),
        "keywords": [words(SHORT_TEXT, f"kw{i}-") for i in range(40)],
    }


def assert_properties_fit(document: Path) -> None:
    properties = docx.Document(str(document)).core_properties
    for name in TEXT_PROPERTIES:
        value = getattr(properties, name)
        assert len(value) <= CORE_PROPERTY_LIMIT, (document.name, name, len(value))
    assert properties.title, document.name


def test_title_of_362_characters_validates_and_builds(
    tmp_path: Path,
    write_facts: Callable[[str, Callable[[dict[str, Any]], None]], Path],
) -> None:
    title = words(362, "Meeting")

    def long_title(data: dict[str, Any]) -> None:
        data["event"]["title"] = title

    facts = write_facts("long-title.yaml", long_title)

    assert cli("validate", facts, "--glossary", GLOSSARY, cwd=tmp_path).returncode == 0
    out = tmp_path / "out"
    result = cli("build", facts, "--lang", "en", "--out", out, "--glossary", GLOSSARY, cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    document = out / "long-title.en.docx"
    assert_properties_fit(document)
    properties = docx.Document(str(document)).core_properties
    assert properties.title.endswith("…")
    assert title.startswith(properties.title[:-1])
    # the document's own title keeps every character
    assert docx.Document(str(document)).paragraphs[0].text == title


def test_longest_values_in_every_limited_field_build_in_every_language_and_layout(
    tmp_path: Path,
    tiny_models_dir: Path,
    write_facts: Callable[[str, Callable[[dict[str, Any]], None]], Path],
) -> None:
    facts = write_facts("longest.yaml", longest_everywhere)
    assert cli("validate", facts, "--glossary", GLOSSARY, cwd=tmp_path).returncode == 0
    out = tmp_path / "out"

    result = cli(
        *build_args(
            facts,
            lang="en,ja,ko",
            layout="both",
            out=out,
            glossary=GLOSSARY,
            models_dir=tiny_models_dir,
            tm=tmp_path / "memory.sqlite",
        ),
        cwd=tmp_path,
    )

    assert result.returncode == 0, result.stderr
    built = sorted(out.glob("*.docx"))
    assert [p.name for p in built] == [
        "longest.en-ja.docx",
        "longest.en-ko.docx",
        "longest.en.docx",
        "longest.ja.docx",
        "longest.ko.docx",
    ]
    for document in built:
        assert_properties_fit(document)


def test_year_before_1000_is_written_as_a_four_digit_w3cdtf_date(
    tmp_path: Path,
    write_facts: Callable[[str, Callable[[dict[str, Any]], None]], Path],
) -> None:
    def early(data: dict[str, Any]) -> None:
        data["event"]["date"] = "0794-10-22"

    facts = write_facts("heian.yaml", early)
    out = tmp_path / "out"
    result = cli("build", facts, "--lang", "en", "--out", out, "--glossary", GLOSSARY, cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    with zipfile.ZipFile(out / "heian.en.docx") as package:
        core = package.read("docProps/core.xml").decode("utf-8")
    assert ">0794-10-22T00:00:00Z</dcterms:created>" in core, core
    assert ">0794-10-22T00:00:00Z</dcterms:modified>" in core, core


# ------------------------------------------------------------------------- internal errors


def test_internal_error_in_one_document_exits_70_and_the_others_are_written(
    tmp_path: Path,
    write_facts: Callable[[str, Callable[[dict[str, Any]], None]], Path],
) -> None:
    def broken(data: dict[str, Any]) -> None:
        data["event"]["title"] = "Broken Meeting"

    def fine(data: dict[str, Any]) -> None:
        data["event"]["title"] = "Fine Meeting"

    inputs = [write_facts("a-broken.yaml", broken), write_facts("b-fine.yaml", fine)]
    out = tmp_path / "out"
    # the command line with a bug planted in the writer
    result = cli(
        *build_args(*inputs, lang="en", out=out, glossary=GLOSSARY),
        cwd=tmp_path,
        child=children.faulty_writer,
    )

    assert result.returncode == INTERNAL_ERROR, result.stderr
    assert "internal error" in result.stderr
    assert "RuntimeError: a bug in the writer" in result.stderr
    assert "Traceback" not in result.stderr
    assert sorted(p.name for p in out.glob("*.docx")) == ["b-fine.en.docx"]


def test_readme_documents_the_internal_error_status() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"| {INTERNAL_ERROR} |" in readme
