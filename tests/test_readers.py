"""The documents in the readers people use: LibreOffice converts every kind of document (each
example in en, ja and ko, the parallel en-ja and en-ko documents, the Word review documents) to
PDF, `pdftotext` finds its headings and names, Pandoc reads it without a warning and finds the
same heading outline as python-docx, and `pdffonts` shows the headings set in the font their
style names. CI installs LibreOffice, poppler, pandoc, Noto CJK and Liberation so these run there.

Uses the copy packages: documents of natural length, as a real model gives (the random packages
would print pages of fragments), so the readers see what users get.
"""

from __future__ import annotations

import gettext
import json
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import docx
import pytest

from briefing.facts.load import load_facts
from briefing.languages import parse_languages
from briefing.output.localize import Localizer
from briefing.output.pdf import PdfError, convert_all, find_soffice
from briefing.output.render import render_document
from briefing.output.template import find_template
from briefing.terms.coverage import cover
from briefing.terms.glossary import load_glossary
from tests.conftest import COPY_PACKAGES, GLOSSARY, NARA, ROOT, run_cli

MISSING = [
    name
    for name, found in (
        ("LibreOffice", find_soffice()),
        ("pdftotext", shutil.which("pdftotext")),
        ("pandoc", shutil.which("pandoc")),
    )
    if not found
]
pytestmark = [
    pytest.mark.readers,
    pytest.mark.skipif(bool(MISSING), reason=f"not installed: {', '.join(MISSING)}"),
]

EXAMPLES = sorted(p for p in (ROOT / "sources").glob("*.yaml") if p.name != "glossary.yaml")
LANGUAGES = ("en", "ja", "ko")
# The other kinds of document, by the part of their file name after the facts file's stem.
OTHER_KINDS = ("en-ja", "en-ko", "review.ja", "review.ko")
HEADING_LEVELS = {"Title": 0, "Heading 1": 1, "Heading 2": 2, "Heading 3": 3}


@dataclass(frozen=True)
class Built:
    out: Path
    documents: dict[tuple[str, str], Path]  # (facts stem, kind: lang, en-LANG, review.LANG)
    pdfs: dict[tuple[str, str], Path]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """Every example in en, ja and ko (copy models), each converted to PDF once."""
    folder = tmp_path_factory.mktemp("readers")
    env = {"HOME": str(folder)}
    models = folder / "models"

    def briefing(*args: str | Path) -> None:
        result = run_cli(*args, cwd=folder, env=env)
        assert result.returncode == 0, result.stderr

    briefing("models", "install", *COPY_PACKAGES.values(), "--models-dir", models)
    out = folder / "out"
    briefing(
        "build", *EXAMPLES, "--lang", ",".join(LANGUAGES), "--layout", "both", "--out", out,
        "--models-dir", models, "--tm", folder / "memory.sqlite",
    )  # fmt: skip
    for facts in EXAMPLES:
        for lang in ("ja", "ko"):
            review = out / f"{facts.stem}.review.{lang}.docx"
            briefing(
                "review", "export", facts, "--lang", lang, "-o", review,
                "--tm", folder / "memory.sqlite", "--models-dir", models,
            )  # fmt: skip
    documents = {
        (p.stem, kind): out / f"{p.stem}.{kind}.docx"
        for p in EXAMPLES
        for kind in (*LANGUAGES, *OTHER_KINDS)
    }
    converted = convert_all(list(documents.values()))
    failed = {path: error for path, error in converted.items() if isinstance(error, PdfError)}
    assert failed == {}
    pdfs = {key: path.with_suffix(".pdf") for key, path in documents.items()}
    return Built(out, documents, pdfs)


CASES = [(p.stem, lang) for p in EXAMPLES for lang in LANGUAGES]
OTHER_CASES = [(p.stem, kind) for p in EXAMPLES for kind in OTHER_KINDS]


def docx_outline(path: Path) -> list[tuple[int, str]]:
    """(level, text) of the title and headings, as python-docx reads the styles."""
    return [
        (HEADING_LEVELS[p.style.name], p.text)
        for p in docx.Document(str(path)).paragraphs
        if p.style is not None and p.style.name in HEADING_LEVELS
    ]


def participant_names(path: Path) -> list[str]:
    """The first column of the participants table, below its header row."""
    table = docx.Document(str(path)).tables[0]
    return [row.cells[0].text for row in table.rows[1:]]


def plain(inlines: list[dict[str, Any]]) -> str:
    """Pandoc inlines → text."""
    text = ""
    for inline in inlines:
        kind: str = inline["t"]
        content: Any = inline.get("c")  # pandoc's JSON: what "c" holds depends on the kind
        if kind == "Str":
            text += content
        elif kind in ("Space", "SoftBreak", "LineBreak"):
            text += " "
        elif kind in ("Emph", "Strong", "Superscript", "Subscript", "SmallCaps", "Underline"):
            text += plain(content)
        elif kind in ("Span", "Link", "Quoted"):
            text += plain(content[1] if kind != "Link" else content[1])
    return text


def pandoc_outline(path: Path) -> list[tuple[int, str]]:
    """(level, text): the title from the metadata, then every Header block, as Pandoc reads it.
    Pandoc must read the document without a warning."""
    result = subprocess.run(
        ["pandoc", "--fail-if-warnings", "-f", "docx", "-t", "json", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0 and not result.stderr.strip(), result.stderr
    tree = json.loads(result.stdout)
    outline = []
    title = tree["meta"].get("title")
    if title and title["t"] == "MetaBlocks":  # a title in two paragraphs (parallel documents)
        outline += [(0, plain(block["c"])) for block in title["c"]]
    elif title:
        outline.append((0, plain(title["c"])))
    for block in tree["blocks"]:
        if block["t"] == "Header":
            level, _attributes, inlines = block["c"]
            outline.append((level, plain(inlines)))
    return outline


def squeeze(text: str) -> str:
    """Without white space: PDF text breaks lines wherever the layout did."""
    return re.sub(r"\s+", "", text)


@pytest.mark.parametrize(("stem", "lang"), CASES)
def test_libreoffice_converts_each_document_and_pdftotext_finds_headings_and_names(
    built: Built, stem: str, lang: str
) -> None:
    pdf = built.pdfs[(stem, lang)]
    assert pdf == built.documents[(stem, lang)].with_suffix(".pdf")
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(pdf), "-"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    found = squeeze(text)
    document = built.documents[(stem, lang)]
    outline = docx_outline(document)
    names = participant_names(document)
    assert len(outline) >= 5 and len(names) >= 2
    for _level, heading in outline:
        # The tiny test model's output can make a heading run over a page break, where the page
        # header and footer interleave; a heading's first 60 characters always sit together.
        assert squeeze(heading)[:60] in found, f"heading {heading[:60]!r}… not in the {lang} PDF"
    for name in names:
        assert squeeze(name) in found, f"name {name!r} not in the {lang} PDF"


def test_names_in_the_cjk_pdfs_are_the_glossary_renderings(built: Built) -> None:
    """Not just any text: the official Japanese and Korean names reach the page."""
    expected = {"ja": "高市早苗", "ko": "다카이치사나에"}
    for lang, name in expected.items():
        text = subprocess.run(
            ["pdftotext", "-enc", "UTF-8", str(built.pdfs[(NARA.stem, lang)]), "-"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        assert name in squeeze(text)


@pytest.mark.parametrize(("stem", "lang"), CASES)
def test_pandoc_reads_the_same_heading_outline(built: Built, stem: str, lang: str) -> None:
    document = built.documents[(stem, lang)]

    expected = [(level, " ".join(text.split())) for level, text in docx_outline(document)]
    read = [(level, " ".join(text.split())) for level, text in pandoc_outline(document)]

    assert read == expected
    assert [level for level, _ in read].count(1) >= 4


def test_document_model_outline_is_what_the_readers_find(built: Built) -> None:
    """The English outline rendered straight from the document model equals python-docx's."""
    facts, source = load_facts(NARA)
    english = parse_languages("en")[0]
    coverage = cover(facts.names(), load_glossary(GLOSSARY), source)
    view = Localizer(facts, english, coverage, {}, "").view()
    model = render_document(find_template("summit"), view, gettext.NullTranslations())

    assert docx_outline(built.documents[(NARA.stem, "en")]) == model.outline()
    assert pandoc_outline(built.documents[(NARA.stem, "en")]) == model.outline()


@pytest.mark.parametrize(("stem", "kind"), OTHER_CASES)
def test_libreoffice_converts_parallel_and_review_documents_and_pdftotext_finds_headings(
    built: Built, stem: str, kind: str
) -> None:
    pdf = built.pdfs[(stem, kind)]
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(pdf), "-"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    found = squeeze(text)
    outline = docx_outline(built.documents[(stem, kind)])
    assert len(outline) >= 3
    for _level, heading in outline:
        assert squeeze(heading)[:60] in found, f"heading {heading[:60]!r}… not in the {kind} PDF"


@pytest.mark.parametrize(("stem", "kind"), OTHER_CASES)
def test_pandoc_reads_parallel_and_review_documents_with_the_same_outline(
    built: Built, stem: str, kind: str
) -> None:
    document = built.documents[(stem, kind)]

    expected = [(level, " ".join(text.split())) for level, text in docx_outline(document)]
    read = [(level, " ".join(text.split())) for level, text in pandoc_outline(document)]

    assert read == expected
    if not kind.startswith("review"):  # the title in English, then in the target language
        assert [level for level, _ in read][:2] == [0, 0]


def fonts_in(pdf: Path) -> set[str]:
    """The fonts `pdffonts` lists, without their subset prefix (ABCDEF+)."""
    listing = subprocess.run(
        ["pdffonts", str(pdf)], capture_output=True, text=True, timeout=60, check=True
    ).stdout
    return {line.split()[0].partition("+")[2] for line in listing.splitlines()[2:] if line}


def substitute(font: str) -> str:
    """The font fontconfig (and so LibreOffice) uses for `font` here, as PostScript names it."""
    return subprocess.run(
        ["fc-match", "-f", "%{postscriptname}", font], capture_output=True, text=True, check=True
    ).stdout


@pytest.mark.skipif(shutil.which("fc-match") is None, reason="fontconfig's fc-match is missing")
@pytest.mark.parametrize("stem", [p.stem for p in EXAMPLES])
def test_title_and_headings_are_set_in_the_font_their_style_names(built: Built, stem: str) -> None:
    """The styles name Arial; their theme attribute used to name Calibri instead. Neither is
    installed here: the PDF shows which one LibreOffice substituted for."""
    named, theme = substitute("Arial:bold"), substitute("Calibri:bold")
    if named.split("-")[0] == theme.split("-")[0]:
        pytest.skip(
            f"fontconfig substitutes {named} for both Arial and Calibri here, so a PDF cannot "
            "tell them apart: install fonts-liberation"
        )
    fonts = fonts_in(built.pdfs[(stem, "en")])

    assert named in fonts  # the title and headings, bold
    family = named.split("-")[0]
    others = {f for f in fonts if not f.startswith(family) and "CJK" not in f}  # East Asian text
    assert others <= {"OpenSymbol"}  # the bullets
    assert not [f for f in fonts if f.startswith(theme.split("-")[0])]
