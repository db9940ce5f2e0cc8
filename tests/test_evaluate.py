"""`briefing models evaluate`: every installed model of a language scored on references, best
first, from the memory's reviewed sentences, a TSV or a TMX file.

Models: the random Argos packages (meaningless output, every number lost) beside the copy
models of other families (tests/fixtures/models), whose output is the English with official
names substituted. The references are that output, as a reviewer would have confirmed it: the
copy models must score 100 and rank above the random one.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from briefing.facts.load import load_facts
from briefing.memory.interface import ReviewedTranslation
from briefing.memory.sqlite import TranslationMemory
from briefing.translation.segments import split_segments
from briefing.translation.texts import texts_to_translate
from tests.conftest import FIXTURES, GLOSSARY, NARA, TINY_PACKAGES, invoke
from tests.test_copy_build import official

MODELS = FIXTURES / "models"
NUMBERS = FIXTURES / "events" / "numbers-and-dates.yaml"


@pytest.fixture(scope="module")
def mixed_models_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Random Argos packages for ja and ko, a Marian copy model for ja, an M2M100 one for both."""
    models_dir = tmp_path_factory.mktemp("evaluate") / "models"
    files = [
        *TINY_PACKAGES.values(),
        MODELS / "opus-mt-en-ja-copy.tar.gz",
        MODELS / "m2m100-copy.zip",
    ]
    result = invoke("models", "install", *files, "--models-dir", models_dir)
    assert result.returncode == 0, result.output
    return models_dir


def sentences(path: Path) -> list[str]:
    facts, _ = load_facts(path)
    return list(dict.fromkeys(s for t in texts_to_translate(facts) for s in split_segments(t)))


def reviewed_memory(path: Path, langs: tuple[str, ...] = ("ja", "ko")) -> Path:
    """A memory whose reviewers confirmed the Nara sentences with official names in."""
    with TranslationMemory(path) as memory:
        memory.store_reviewed(
            [
                ReviewedTranslation(s, "en", lang, official(s, lang))
                for lang in langs
                for s in sentences(NARA)
            ],
            "Sato",
        )
    return path


def evaluate(*args: str | Path) -> tuple[int, dict[str, Any], str]:
    result = invoke("models", "evaluate", *args, "--glossary", GLOSSARY, "--json")
    report = json.loads(result.stdout) if result.returncode == 0 else {}
    return result.returncode, report, result.output


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("ja", ["m2m100-copy@1.0", "opus-mt-en-ja-copy@1.0", "translate-en_ja@0.1"]),
        ("ko", ["m2m100-copy@1.0", "translate-en_ko@0.1"]),
    ],
)
def test_models_are_ranked_on_the_memorys_reviewed_sentences(
    mixed_models_dir: Path, tmp_path: Path, lang: str, expected: list[str]
) -> None:
    tm = reviewed_memory(tmp_path / "tm.sqlite")
    code, report, output = evaluate("--lang", lang, "--models-dir", mixed_models_dir, "--tm", tm)
    assert code == 0, output
    assert report["references"] == {
        "from": f"reviewed sentences of {tm}",
        "sentences": len(sentences(NARA)),
    }
    scores = report["models"]
    assert [s["model"] for s in scores] == expected
    best, worst = scores[0], scores[-1]
    assert best["chrf"] == pytest.approx(100.0) and best["bleu"] == pytest.approx(100.0)
    assert best["passed_checks"] == 1.0 and best["family"] == "m2m100"
    assert worst["chrf"] < 10 and worst["family"] == "argos"
    # The random model's loops and lengths fail the checks on nearly every sentence.
    assert worst["passed_checks"] < 0.1
    for score in scores:
        assert score["sentences"] == len(sentences(NARA))
        assert score["sentences_per_second"] > 0 and score["peak_memory_mb"] > 10
        assert f"tok:{lang}-mecab" in score["bleu_signature"]


def test_references_from_a_tsv_at_most_limit(mixed_models_dir: Path, tmp_path: Path) -> None:
    pairs = [(s, official(s, "ja")) for s in sentences(NUMBERS)]
    tsv = tmp_path / "flores.tsv"
    tsv.write_text("".join(f"{en}\t{ja}\n" for en, ja in pairs), encoding="utf-8")
    code, report, output = evaluate(
        "--lang", "ja", "--models-dir", mixed_models_dir, "--references", tsv, "--limit", "5"
    )
    assert code == 0, output
    assert report["references"] == {"from": str(tsv), "sentences": 5}
    scores = {s["model"]: s for s in report["models"]}
    assert scores["opus-mt-en-ja-copy@1.0"]["chrf"] == pytest.approx(100.0)
    # Every one of these sentences holds a number the random model loses: none passes.
    assert scores["translate-en_ja@0.1"]["passed_checks"] == 0.0


def test_references_from_a_tmx_file(mixed_models_dir: Path, tmp_path: Path) -> None:
    units = "".join(
        f'<tu><tuv xml:lang="en"><seg>{s}</seg></tuv>'
        f'<tuv xml:lang="ko-KR"><seg>{official(s, "ko")}</seg></tuv></tu>'
        for s in sentences(NARA)[:6]
    )
    tmx = tmp_path / "refs.tmx"
    tmx.write_text(
        '<?xml version="1.0" encoding="UTF-8"?><tmx version="1.4"><header creationtool="t" '
        'creationtoolversion="1" segtype="sentence" o-tmf="t" adminlang="en" srclang="en" '
        f'datatype="plaintext"/><body>{units}</body></tmx>',
        encoding="utf-8",
    )
    code, report, output = evaluate(
        "--lang", "ko", "--models-dir", mixed_models_dir, "--references", tmx
    )
    assert code == 0, output
    assert report["references"]["sentences"] == 6
    assert report["models"][0]["model"] == "m2m100-copy@1.0"


def test_the_table_names_the_tokenization_and_ranks(mixed_models_dir: Path, tmp_path: Path) -> None:
    tm = reviewed_memory(tmp_path / "tm.sqlite", ("ko",))
    result = invoke(
        "models", "evaluate", "--lang", "ko", "--models-dir", mixed_models_dir, "--tm", tm,
        "--glossary", GLOSSARY,
    )  # fmt: skip
    assert result.returncode == 0, result.output
    rows = [line for line in result.stdout.splitlines() if "@" in line and "│" in line]
    assert rows[0].split("│")[1].strip() == "1" and "m2m100-copy@1.0" in rows[0]
    assert "translate-en_ko@0.1" in rows[1]
    assert "tok:ko-mecab" in result.stdout and "ranked by chrF" in result.stdout


def test_bleu_by_character_without_mecab(mixed_models_dir: Path) -> None:
    from briefing import models
    from briefing.terms.glossary import load_glossary
    from briefing.translation.evaluate import Reference, bleu_tokenizer, evaluate_model

    assert bleu_tokenizer("ja") == "ja-mecab" and bleu_tokenizer("xx") == "char"
    model = models.find_model(mixed_models_dir, "en", "ja", "opus-mt-en-ja-copy")
    assert model is not None
    text = "Trade rose 3.5% in 2025."
    score = evaluate_model(model, [Reference(text, text)], load_glossary(GLOSSARY), "char")
    assert "tok:char" in score.bleu_signature and score.bleu == pytest.approx(100.0)


@pytest.mark.parametrize(
    ("setup", "args", "message"),
    [
        ("memory", ["--lang", "ja"], "has no reviewed en→ja sentences"),
        ("tsv", ["--lang", "ja"], "bad.tsv:2: 1 column(s); expected 2"),
        ("none", ["--lang", "en"], "--lang en: choose a target language: ja, ko"),
        ("none", ["--lang", "ja", "--references", "missing.tsv"], "missing.tsv: no such file"),
        ("fifo", ["--lang", "ja", "--references", "refs.tsv"], "not a regular file (a named pipe)"),
        ("none", ["--lang", "ja", "--references", "/dev/zero"], "not a regular file"),
    ],
)
def test_evaluate_errors_are_clear(
    mixed_models_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    setup: str, args: list[str], message: str,
) -> None:  # fmt: skip
    monkeypatch.chdir(tmp_path)
    extra: list[str] = ["--tm", str(tmp_path / "empty.sqlite")]
    if setup == "tsv":
        (tmp_path / "bad.tsv").write_text("One.\t一つ。\nno tab here\n", encoding="utf-8")
        extra += ["--references", "bad.tsv"]
    if setup == "fifo":  # it used to wait for a writer for ever; /dev/zero, to fill memory
        os.mkfifo(tmp_path / "refs.tsv")
    result = invoke("models", "evaluate", *args, "--models-dir", mixed_models_dir, *extra)
    assert result.returncode == 2, result.output
    assert message in result.stderr
    assert "Traceback" not in result.output


def test_no_model_for_the_language(tmp_path: Path) -> None:
    result = invoke("models", "evaluate", "--lang", "ko", "--models-dir", tmp_path / "none")
    assert result.returncode == 2 and "no en→ko model is installed" in result.stderr
