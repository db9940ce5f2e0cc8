"""Machine output checked in a build (translation/checks.py through the translation stage):
good output is never flagged, a lost number always is, and a flag reaches the document, the
build table and report with the check that failed, the memory and the review export.

The copy packages return their input pieces (English with official names substituted), so
their output keeps every number, date and bracket: nothing may be flagged. The random packages
lose every number: each sentence that holds one must be flagged for it.
"""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path
from typing import Any

import docx

from briefing.facts.load import load_facts
from briefing.terms.glossary import Glossary, Term
from briefing.terms.protect import TERMS_PROBLEM, translate_protected
from briefing.translation.checks import PassChecks
from briefing.translation.segments import split_segments
from briefing.translation.texts import texts_to_translate
from tests.conftest import FIXTURES, GLOSSARY, NARA, ROOT, invoke

NUMBERS = FIXTURES / "events" / "numbers-and-dates.yaml"
EXAMPLES = sorted((ROOT / "sources").glob("20*.yaml"))
MARK = {"ja": "【訳文要確認】", "ko": "[번역 확인 필요]"}


def build(models_dir: Path, root: Path, *facts: Path, force: bool = False) -> dict[str, Any]:
    report = root / "report.json"
    args: list[str | Path] = [
        "build", *facts, "--glossary", GLOSSARY, "--models-dir", models_dir,
        "--tm", root / "tm.sqlite", "--out", root / "out", "--report", report,
    ]  # fmt: skip
    result = invoke(*args, *(["--force"] if force else []))
    assert result.returncode == 0, result.output
    loaded: dict[str, Any] = json.loads(report.read_text(encoding="utf-8"))
    return loaded


def translated_documents(report: dict[str, Any]) -> list[dict[str, Any]]:
    return [d for d in report["documents"] if d["lang"] in ("ja", "ko")]


def test_the_copy_packages_flag_no_sentence_of_the_examples_or_of_a_file_of_numbers(
    copy_models_dir: Path, tmp_path: Path
) -> None:
    report = build(copy_models_dir, tmp_path, *EXAMPLES, NUMBERS)
    documents = translated_documents(report)
    assert len(documents) == 2 * (len(EXAMPLES) + 1)
    for document in documents:
        assert document["segments"]["machine"] > 5, document
        assert document["segments"]["flagged"] == 0, document["flagged_problems"]
        assert document["flagged_problems"] == {}
    # The numbers came through: the copy model returns them as the source writes them.
    text = "\n".join(
        p.text
        for p in docx.Document(str(tmp_path / "out" / "numbers-and-dates.ja.docx")).paragraphs
    )
    for figure in ("1.5 billion", "12,000,000", "¥3 trillion", "37.5 percent", "8.7%", "10:30"):
        assert figure in text


def test_the_random_packages_flag_every_sentence_that_holds_a_number(
    tiny_models_dir: Path, tmp_path: Path
) -> None:
    report = build(tiny_models_dir, tmp_path, NUMBERS)
    facts, _ = load_facts(NUMBERS)
    with_numbers = {
        text: [s for s in split_segments(text) if re.search(r"\d", s)]
        for text in texts_to_translate(facts)
    }
    assert sum(len(sentences) for sentences in with_numbers.values()) >= 10
    for document in translated_documents(report):
        problems = document["flagged_problems"]
        for text, sentences in with_numbers.items():
            if not sentences:
                continue
            number_problems = [p for p in problems.get(text, []) if p.startswith("numbers: ")]
            assert len(number_problems) == len(sentences), (document["lang"], text, problems)
        by_check = document["segments"]["flagged_by_check"]
        assert by_check["numbers"] == sum(len(s) for s in with_numbers.values())


def test_a_number_lost_from_the_memory_is_flagged_in_document_report_memory_and_review(
    copy_models_dir: Path, tmp_path: Path
) -> None:
    """A memory made before the checks holds a translation that lost a number: the next build
    flags it everywhere a flag shows."""
    build(copy_models_dir, tmp_path, NARA)
    sentence = next(
        s for t in texts_to_translate(load_facts(NARA)[0]) for s in split_segments(t) if "183" in s
    )
    tm = tmp_path / "tm.sqlite"
    with sqlite3.connect(tm) as connection:
        changed = connection.execute(
            "UPDATE entries SET target = replace(target, '183 ', '') WHERE segment = ?",
            (sentence,),
        ).rowcount
    assert changed == 2  # ja and ko

    report = build(copy_models_dir, tmp_path, NARA, force=True)
    for document in translated_documents(report):
        lang = document["lang"]
        assert document["segments"]["flagged"] == 1
        assert document["segments"]["flagged_by_check"] == {"numbers": 1}
        [(text, problems)] = document["flagged_problems"].items()
        assert sentence in text and problems == ["numbers: 183 missing"]
        paragraphs = docx.Document(str(tmp_path / "out" / f"{NARA.stem}.{lang}.docx")).paragraphs
        [marked] = [p.text for p in paragraphs if "undersea mine" in p.text]
        assert "183" not in marked and marked.endswith(MARK[lang])

    with sqlite3.connect(tm) as connection:
        flags = connection.execute(
            "SELECT target_lang, flagged FROM entries WHERE segment = ?", (sentence,)
        ).fetchall()
    assert sorted(flags) == [("ja", 1), ("ko", 1)]
    exported = tmp_path / "review.xlf"
    models = ("--models-dir", copy_models_dir)
    result = invoke("review", "export", NARA, "--lang", "ja", "-o", exported, "--tm", tm, *models)
    assert result.returncode == 0, result.output
    xliff = exported.read_text(encoding="utf-8")
    unit = xliff[: xliff.index("undersea mine")].rsplit("<trans-unit", 1)[1]
    whole = xliff[xliff.index(unit) :].split("</trans-unit>")[0]
    assert 'state="needs-review-translation"' in whole
    assert "flagged: numbers: 183 missing; check this sentence first." in whole
    word = tmp_path / "review.docx"
    result = invoke("review", "export", NARA, "--lang", "ko", "-o", word, "--tm", tm, *models)
    assert result.returncode == 0, result.output
    cells = [c.text for t in docx.Document(str(word)).tables for r in t.rows for c in r.cells]
    [origin] = {c for c in cells if c.startswith("machine") and "FLAGGED" in c}
    assert "FLAGGED: numbers: 183 missing; check this first" in origin


def test_the_build_table_names_the_failed_check(tiny_models_dir: Path, tmp_path: Path) -> None:
    result = invoke(
        "build", NUMBERS, "--glossary", GLOSSARY, "--models-dir", tiny_models_dir,
        "--tm", tmp_path / "tm.sqlite", "--out", tmp_path / "out", "--lang", "ja",
    )  # fmt: skip
    assert result.returncode == 0, result.output
    [row] = [
        line for line in result.stderr.splitlines() if "numbers-and-dates" in line and "│" in line
    ]
    assert re.search(r"numbers \d+", row), row
    assert re.search(
        r"flagged for review numbers-and-dates.yaml \(ja\): .*\[.*numbers: .* missing",
        result.stderr,
    )


# --------------------------------------------------------------------------- the retry

TERMS = Glossary(
    version="test",
    terms=[
        Term.model_validate(
            {"id": "nara", "kind": "place", "en": "Nara", "ja": "奈良市", "ko": "나라시"}
        )
    ],
)


def drops_numbers_around_placeholders(texts: list[str]) -> list[str]:
    """A model that loses the numbers of a sentence with a placeholder in it, as weak models
    do with unfamiliar input, and keeps them in plain text (the retry's pieces)."""
    return [re.sub(r"\d+", "", t) if "ZX" in t else f"【{t}】" for t in texts]


def test_a_sentence_with_terms_that_fails_a_check_is_retried_and_passes() -> None:
    segment = "The leaders met in Nara for 75 minutes."
    checks = PassChecks("ja", TERMS, {})
    [outcome] = translate_protected(
        [segment], TERMS, "ja", drops_numbers_around_placeholders, checks
    )
    assert outcome.method == "split" and not outcome.flagged, outcome
    assert "75" in outcome.text and "奈良市" in outcome.text


def test_a_sentence_without_terms_that_fails_is_flagged_with_the_check() -> None:
    def drops(texts: list[str]) -> list[str]:
        return [re.sub(r"\d+", "", t) + "です" for t in texts]

    segment = "The leaders met for 75 minutes."
    checks = PassChecks("ko", TERMS, {})
    [outcome] = translate_protected([segment], TERMS, "ko", drops, checks)
    assert outcome.flagged and outcome.method == "plain"
    assert outcome.problems == ("numbers: 75 missing",)


def test_a_lost_placeholder_is_named_as_the_terms_check() -> None:
    def loses(texts: list[str]) -> list[str]:
        return ["ZX9" for _ in texts]

    [outcome] = translate_protected(["The leaders met in Nara."], TERMS, "ja", loses)
    assert outcome.flagged and outcome.problems == (TERMS_PROBLEM,)
