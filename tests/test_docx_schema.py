"""Word is stricter than LibreOffice about the order of elements: every w:rPr, w:pPr, w:tblPr
and w:sectPr the build writes must list its children in the ECMA-376 sequence.

No kept package ships the ECMA-376 schemas, so the sequences are python-docx's own
(`_tag_seq` of CT_RPr, CT_PPr, CT_TblPr, CT_SectPr in docx.oxml), read from its source, with
the few parts of the schema's sequences that python-docx leaves out (header and footer
references at the start of w:sectPr, tracked changes around w:rPr). Every bundled example is
built in every language and layout, and every XML part of each document is checked, as is each
bundled template's reference.docx.
"""

from __future__ import annotations

import ast
import datetime as dt
import zipfile
from functools import cache
from pathlib import Path

import docx
import pytest
from lxml import etree

from briefing.output.document import Document, Heading, Metadata, Paragraph, Run, Table
from briefing.output.docx_writer import build_docx
from briefing.output.template import TEMPLATES_DIR
from tests.conftest import GLOSSARY, ROOT, build_args, run_cli

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
EXAMPLES = sorted(p for p in (ROOT / "sources").glob("*.yaml") if p.name != "glossary.yaml")
REFERENCES = sorted(TEMPLATES_DIR.glob("*/reference.docx"))
assert REFERENCES, f"no reference documents in {TEMPLATES_DIR}"
OXML = Path(docx.__file__).parent / "oxml"


@cache
def python_docx_sequence(module: str, class_name: str) -> tuple[str, ...]:
    """The `_tag_seq` literal of a python-docx element class (it is deleted after class creation,
    so it is read from the source)."""
    tree = ast.parse((OXML / module).read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef) and node.name == class_name:
            for statement in node.body:
                if isinstance(statement, ast.Assign) and any(
                    getattr(target, "id", "") == "_tag_seq" for target in statement.targets
                ):
                    return tuple(ast.literal_eval(statement.value))
    raise AssertionError(f"python-docx has no _tag_seq for {class_name} in {module}")


def sequences() -> dict[str, tuple[str, ...]]:
    """Element name → the schema's order of its children (prefix w:)."""
    rpr = python_docx_sequence("text/font.py", "CT_RPr")
    return {
        # CT_ParaRPr (a paragraph mark's w:rPr) starts with revision marks; CT_RPr may end
        # with w:rPrChange.
        "w:rPr": ("w:ins", "w:del", "w:moveFrom", "w:moveTo", *rpr, "w:rPrChange"),
        "w:pPr": python_docx_sequence("text/parfmt.py", "CT_PPr"),
        "w:tblPr": python_docx_sequence("table.py", "CT_TblPr"),
        # EG_HdrFtrReferences come first in CT_SectPr.
        "w:sectPr": (
            "w:headerReference",
            "w:footerReference",
            *python_docx_sequence("section.py", "CT_SectPr"),
        ),
        "w:trPr": python_docx_sequence("table.py", "CT_TrPr"),
        "w:tcPr": python_docx_sequence("table.py", "CT_TcPr"),
    }


def prefixed(tag: str) -> str:
    namespace, _, local = tag[1:].partition("}")
    return f"w:{local}" if namespace == W else tag


def order_problems(name: str, xml: bytes) -> list[str]:
    """Every element of the checked kinds in `xml` whose children are out of order or unknown."""
    problems = []
    root = etree.fromstring(xml)
    for parent_name, sequence in sequences().items():
        rank = {tag: i for i, tag in enumerate(sequence)}
        header_footer = {"w:headerReference", "w:footerReference"}
        for element in root.iter(f"{{{W}}}{parent_name[2:]}"):
            children = [prefixed(c.tag) for c in element if isinstance(c.tag, str)]
            for child in children:
                if child not in rank:
                    problems.append(f"{name}: <{parent_name}> has <{child}>, not in its schema")
            known = [c for c in children if c in rank]
            for before, child in zip(known, known[1:], strict=False):
                # header and footer references may alternate
                if rank[child] < rank[before] and not {before, child} <= header_footer:
                    problems.append(
                        f"{name}: <{parent_name}> has <{child}> after <{before}>: "
                        + " ".join(children)
                    )
    return problems


def docx_problems(path: Path) -> list[str]:
    problems = []
    with zipfile.ZipFile(path) as package:
        for part in package.namelist():
            if part.startswith("word/") and part.endswith(".xml"):
                problems += order_problems(f"{path.name}:{part}", package.read(part))
    return problems


def test_the_checker_finds_the_orders_word_refuses() -> None:
    """The two orders Word refuses (w:lang before w:rFonts, w:vertAlign before w:highlight)."""
    wrong = (
        f'<w:r xmlns:w="{W}"><w:rPr><w:lang w:val="en"/><w:rFonts w:eastAsia="x"/>'
        '<w:vertAlign w:val="superscript"/><w:highlight w:val="yellow"/></w:rPr></w:r>'
    ).encode()
    found = order_problems("wrong", wrong)
    assert any("<w:rFonts> after <w:lang>" in p for p in found), found
    assert any("<w:highlight> after <w:vertAlign>" in p for p in found), found
    right = (
        f'<w:r xmlns:w="{W}"><w:rPr><w:rFonts w:eastAsia="x"/><w:highlight w:val="yellow"/>'
        '<w:vertAlign w:val="superscript"/><w:lang w:val="en"/></w:rPr></w:r>'
    ).encode()
    assert order_problems("right", right) == []


@pytest.mark.parametrize("reference", REFERENCES, ids=lambda p: p.parent.name)
def test_reference_document_styles_are_in_schema_order(reference: Path) -> None:
    assert docx_problems(reference) == []


@pytest.fixture(scope="module")
def built(tiny_models_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Every bundled example in English, Japanese and Korean, single and parallel layout."""
    work = tmp_path_factory.mktemp("schema")
    out = work / "out"
    result = run_cli(
        *build_args(
            *EXAMPLES,
            lang="en,ja,ko",
            layout="both",
            out=out,
            glossary=GLOSSARY,
            models_dir=tiny_models_dir,
            tm=work / "memory.sqlite",
        ),
        cwd=work,
        env={"HOME": str(work)},
    )
    assert result.returncode == 0, result.stderr
    documents = sorted(out.glob("*.docx"))
    assert len(documents) == len(EXAMPLES) * 5  # en, ja, ko, en-ja, en-ko
    return documents


def test_every_built_document_is_in_schema_order(built: list[Path]) -> None:
    problems = [p for document in built for p in docx_problems(document)]
    assert problems == [], f"{len(problems)} elements out of order, e.g.\n" + "\n".join(
        problems[:10]
    )


def test_highlighted_superscript_run_in_a_table_of_a_japanese_document(tmp_path: Path) -> None:
    """The runs that went wrong, made directly: superscript and highlighted at once, bold and
    italic, in a paragraph and in a table with a header row, with East Asian fonts."""
    run = Run("[1]", bold=True, italic=True, superscript=True, marked=True)
    document = Document(
        Metadata(
            title="題",
            subject="件名",
            language="ja-JP",
            author="著者",
            created=dt.datetime(2026, 1, 13),
        ),
        (
            Heading(0, (Run("題"),)),
            Paragraph((Run("本文"), run)),
            Table(((Run("見出し"),), (Run("値"),)), (((Run("一"),), (Run("二"), run)),)),
        ),
    )
    reference = TEMPLATES_DIR / "summit" / "reference.docx"
    path = tmp_path / "made.docx"
    path.write_bytes(build_docx(document, reference, ("Yu Mincho", "Yu Gothic")))

    assert docx_problems(path) == []
    with zipfile.ZipFile(path) as package:
        xml = package.read("word/document.xml")
    # the header row is marked as Word marks it: the bare element, no w:val="true"
    for marker in (b"<w:highlight", b"<w:vertAlign", b"<w:tblHeader/>", b"<w:tblLook"):
        assert marker in xml, marker
