"""The Nara example built with the copy packages: what the Japanese and Korean documents say.

Uses the copy packages (tests/fixtures/argos/*-copy.argosmodel): their model outputs its input
pieces and ends the sentence, as a good real model keeps a placeholder. So this is the path real
models take most of the time — placeholders kept, terms restored, sentences of natural length —
and the expected text can be written down: each English sentence with every glossary term in
its official form. The expectations come from the facts file and sources/glossary.yaml, read
here with the tests' own helpers.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import docx
import pytest

from briefing import models
from briefing.facts.load import load_facts
from briefing.facts.schema import Facts
from briefing.terms.glossary import load_glossary
from briefing.terms.protect import translate_protected
from briefing.translation.engines.argos import Decoding, LoadedModel, load_model
from briefing.translation.segments import split_segments
from briefing.translation.texts import texts_to_translate
from tests.conftest import GLOSSARY, NARA, build_args, invoke
from tests.support.documents import style_of
from tests.support.readings import first_mentions_read
from tests.test_translated_build import (
    english_forms,
    glossary_terms,
    offline,
    table_cells,
)

TARGETS = ("ja", "ko")
FULL_WIDTH = {".": "。", ",": "、", ":": "：", ";": "；", "?": "？", "!": "！"}


def official(english: str, lang: str) -> str:
    """`english` with every glossary term (whole words, longest form first) in its `lang` form."""
    forms = {form: term for term in glossary_terms().values() for form in english_forms(term)}
    pattern = "|".join(re.escape(f) for f in sorted(forms, key=len, reverse=True))
    if lang != "ja":
        return re.sub(
            rf"(?<![\w-])(?:{pattern})(?![\w-])", lambda m: forms[m.group(0)][lang], english
        )

    # Japanese writes the sentence punctuation right after a name full-width, with no space.
    def japanese(match: re.Match[str]) -> str:
        return forms[match.group(1)][lang] + FULL_WIDTH.get(match.group(2) or "", "")

    return re.sub(rf"(?<![\w-])({pattern})(?![\w-])(?:([.,:;?!])\s*)?", japanese, english)


def expected(text: str, lang: str) -> str:
    """A free text as the copy model's document must show it: sentence by sentence, joined the
    way the language writes: Korean with a space; Japanese with none next to Japanese script
    (。, a name), but with one between two sentences that meet in Latin letters, as the copy
    model's English sentences do."""
    sentences = [official(s, lang) for s in split_segments(text)]
    if lang != "ja":
        return " ".join(sentences)
    text = sentences[0]
    for sentence in sentences[1:]:
        cjk = ord(text[-1]) >= 0x2E80 or ord(sentence[0]) >= 0x2E80
        text += ("" if cjk else " ") + sentence
    return text


@dataclass(frozen=True)
class CopyBuild:
    out: Path
    tm: Path
    models_dir: Path
    report: dict[str, Any]
    facts: Facts
    passes: dict[str, list[int]]  # model identity → token lists in each model pass

    def texts(self) -> list[str]:
        """The free texts of the facts: what goes through translation."""
        return texts_to_translate(self.facts)

    def doc(self, lang: str) -> docx.document.Document:
        return docx.Document(str(self.out / f"{NARA.stem}.{lang}.docx"))


@pytest.fixture(scope="module")
def copy_build(tmp_path_factory: pytest.TempPathFactory, copy_models_dir: Path) -> CopyBuild:
    """The Nara example in en, ja, ko with the copy packages, built once through the CLI."""
    root = tmp_path_factory.mktemp("copy-build")
    out, tm, report = root / "out", root / "tm.sqlite", root / "report.json"
    passes: dict[str, list[int]] = {}
    original = LoadedModel.translate_tokens

    def recording(
        self: LoadedModel,
        batch: list[list[str]],
        settings: Decoding,
        on_result: Callable[[], None] | None = None,
    ) -> list[list[str]]:
        """Count the token lists of every pass the stage makes through the real model."""
        passes.setdefault(self.identity, []).append(len(batch))
        return original(self, batch, settings, on_result)

    with offline(), pytest.MonkeyPatch.context() as patch:
        patch.setattr(LoadedModel, "translate_tokens", recording)
        args = build_args(NARA, models_dir=copy_models_dir, tm=tm, out=out, report=report)
        result = invoke(*args)
    assert result.returncode == 0, result.output
    facts, _ = load_facts(NARA)
    loaded = json.loads(report.read_text(encoding="utf-8"))
    return CopyBuild(out, tm, copy_models_dir, loaded, facts, passes)


def document_text(doc: docx.document.Document) -> str:
    cells = [cell for table in table_cells(doc) for row in table for cell in row]
    return "\n".join([p.text for p in doc.paragraphs] + cells)


def test_expectations_are_not_the_english() -> None:
    assert expected("Prime Minister Sanae Takaichi met Lee Jae-myung in Nara.", "ja") == (
        "Prime Minister 高市早苗 met 李在明 in 奈良市。"
    )
    assert expected("Lee Jae-myung met Sanae Takaichi in Nara, then left.", "ko") == (
        "이재명 met 다카이치 사나에 in 나라시, then left."
    )


@pytest.mark.parametrize("lang", TARGETS)
def test_each_free_text_is_the_english_with_official_names(
    copy_build: CopyBuild, lang: str
) -> None:
    text = first_mentions_read(document_text(copy_build.doc(lang)), lang)
    texts = copy_build.texts()
    assert len(texts) > 20
    changed = 0
    for english in texts:
        wanted = expected(english, lang)
        assert wanted in text, f"the {lang} document lacks {wanted!r}"
        changed += wanted != english
    assert changed >= 10  # most statements name someone or somewhere


@pytest.mark.parametrize("lang", TARGETS)
def test_nothing_flagged_one_model_pass_and_no_retry(copy_build: CopyBuild, lang: str) -> None:
    [document] = [d for d in copy_build.report["documents"] if d["lang"] == lang]
    assert document["status"] == "written"
    assert document["segments"]["flagged"] == 0 and document["flagged_texts"] == []
    assert document["segments"]["machine"] > 40
    installed = models.find_model(copy_build.models_dir, "en", lang)
    assert installed is not None and installed.package_version == "0.2"
    unique = {s for t in copy_build.texts() for s in split_segments(t)}
    # One pass with every sentence once; a second pass would be the retry around the terms.
    assert copy_build.passes[models.model_identity(installed)] == [len(unique)]


@pytest.mark.parametrize("lang", TARGETS)
def test_the_notice_names_the_copy_package(copy_build: CopyBuild, lang: str) -> None:
    notices = [p.text for p in copy_build.doc(lang).paragraphs if style_of(p) == "Notice"]
    assert len(notices) == 1
    assert f"translate-en_{lang}" in notices[0] and "0.2" in notices[0]


def test_parallel_layout_pairs_each_statement_with_itself(
    copy_build: CopyBuild, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    result = invoke(
        *build_args(
            NARA, lang="ko", layout="parallel", models_dir=copy_build.models_dir,
            tm=copy_build.tm, out=out,
        )
    )  # fmt: skip
    assert result.returncode == 0, result.output
    doc = docx.Document(str(out / f"{NARA.stem}.en-ko.docx"))
    # The statements' tables: English | translation (the participants table has both
    # languages' columns, tests/test_parallel_layout.py).
    rows = [row for table in table_cells(doc) if len(table[0]) == 2 for row in table]
    assert rows
    paired = 0
    # the right column read as one text: a name's reading at its first mention there only
    right_column = first_mentions_read("\x1e".join(right for _, right in rows), "ko")
    pairs = zip([left for left, _ in rows], right_column.split("\x1e"), strict=True)
    for left, right in pairs:
        for english in copy_build.texts():
            if len(english) > 20 and english in left:
                # Beside each English statement: the same statement, names in Korean.
                assert expected(english, "ko") in right, f"{right!r} does not copy {english!r}"
                paired += 1
    assert paired >= 20


def test_kept_placeholders_are_restored_through_the_real_engine(copy_models_dir: Path) -> None:
    """protect.py's main path: terms out, placeholders through CTranslate2, official forms in."""
    installed = models.find_model(copy_models_dir, "en", "ja")
    assert installed is not None
    model = load_model(installed.path, models.model_identity(installed))
    sent: list[list[str]] = []
    engine = model.engine(Decoding())

    def recording(texts: list[str]) -> list[str]:
        sent.append(list(texts))
        return engine(texts)

    segments = [
        "Prime Minister Sanae Takaichi welcomed President Lee Jae Myung to Nara.",
        "The two leaders discussed the Chosei Coal Mine.",
        "Trade rose 4.5% last year.",
    ]
    outcomes = translate_protected(segments, load_glossary(GLOSSARY), "ja", recording)
    assert [o.method for o in outcomes] == ["placeholders", "placeholders", "plain"]
    assert not any(o.flagged for o in outcomes)
    assert len(sent) == 1 and "ZX1" in sent[0][0] and "ZX2" in sent[0][0]
    assert [o.text for o in outcomes] == [official(s, "ja") for s in segments]
    assert "高市早苗" in outcomes[0].text and "李在明" in outcomes[0].text
