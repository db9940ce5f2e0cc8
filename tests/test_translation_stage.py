"""The translation stage with a real tiny package: batching, determinism, memory, reassembly.

Uses the tiny random packages: every output runs to its decoding limit, so a sentence batched
beside a long one is the hardest case for "translates the same whatever it is built with".
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from briefing import models
from briefing.languages import LANGUAGES
from briefing.memory.sqlite import TranslationMemory
from briefing.terms.glossary import EMPTY, load_glossary
from briefing.translation.engines.argos import ArgosEngine, Decoding, load_model, thread_layout
from briefing.translation.interface import SilentProgress
from briefing.translation.segments import split_segments
from briefing.translation.stage import TranslationStage
from tests.conftest import GLOSSARY

SHORT = "The leaders met in the morning."
LONG = " ".join(
    f"Officials from both governments reviewed item {n} of the joint agenda at length."
    for n in range(8)
)


def test_a_sentence_translates_the_same_whatever_it_is_built_with(tiny_models_dir: Path) -> None:
    stage = TranslationStage(ArgosEngine(tiny_models_dir, Decoding()), EMPTY, None)
    alone = stage.translate(LANGUAGES["ja"], [SHORT], SilentProgress()).texts[SHORT].text
    beside_long = stage.translate(LANGUAGES["ja"], [LONG, SHORT], SilentProgress()).texts[SHORT]
    assert alone
    assert beside_long.text == alone


def test_one_model_pass_per_language_and_each_sentence_once(tiny_models_dir: Path) -> None:
    installed = models.find_model(tiny_models_dir, "en", "ko")
    assert installed is not None
    model = load_model(installed.path, models.model_identity(installed))
    calls: list[int] = []
    original = model.translator

    class CountingTranslator:
        """Counts the batched calls the stage makes on the real CTranslate2 translator."""

        def translate_batch(self, source: Iterable[list[str]], **options: Any) -> Any:
            source = list(source)
            calls.append(len(source))
            return original.translate_batch(source, **options)

    model.translator = CountingTranslator()
    try:
        texts = [SHORT, f"{SHORT} {SHORT}", "A second sentence. And a third one."]
        result = TranslationStage(ArgosEngine(tiny_models_dir, Decoding()), EMPTY, None).translate(
            LANGUAGES["ko"], texts, SilentProgress()
        )
    finally:
        model.translator = original
    unique = {s for t in texts for s in split_segments(t)}
    assert sum(calls) == len(unique)  # every distinct sentence once, none twice
    assert len(calls) <= 2  # grouped by decoding limit, not one call per sentence
    # a repeated sentence is reassembled from the one translation, with Korean spacing
    once = result.texts[SHORT].text
    assert result.texts[f"{SHORT} {SHORT}"].text == f"{once} {once}"


def test_the_memory_answers_before_the_model(tiny_models_dir: Path, tmp_path: Path) -> None:
    glossary = load_glossary(GLOSSARY)
    with TranslationMemory(tmp_path / "tm.sqlite") as memory:
        stage = TranslationStage(ArgosEngine(tiny_models_dir, Decoding()), glossary, memory)
        first = stage.translate(LANGUAGES["ja"], [SHORT], SilentProgress())
        # The random model runs on to its decoding limit: the length check flags it.
        assert stage.statistics["ja"] == {"segments": 1, "memory": 0, "machine": 1, "flagged": 1}
        second = stage.translate(LANGUAGES["ja"], [SHORT], SilentProgress())
        assert stage.statistics["ja"]["machine"] == 0
        assert second.texts[SHORT].text == first.texts[SHORT].text
        assert second.texts[SHORT].origin.value == "memory"


def test_thread_layout_puts_translators_before_threads_inside_them() -> None:
    assert thread_layout(1) == (1, 1)
    assert thread_layout(2) == (2, 1)
    assert thread_layout(16) == (8, 2)  # beyond MAX_TRANSLATORS, threads go inside each
    inter, intra = thread_layout()
    assert inter * intra <= max(1, os.cpu_count() or 1)


def test_japanese_sentences_are_joined_without_space_unless_both_sides_are_latin(
    copy_models_dir: Path,
) -> None:
    # The copy model returns English, as a sentence the engine could not translate is printed:
    # Japanese joins sentences without a space, which would print "governance.The".
    text = "They talked for two days about ocean governance. The three ministers agreed."
    result = TranslationStage(ArgosEngine(copy_models_dir, Decoding()), EMPTY, None).translate(
        LANGUAGES["ja"], [text], SilentProgress()
    )
    joined = result.texts[text].text
    assert "governance. The" in joined, joined
    assert "." + "The" not in joined
    ja = LANGUAGES["ja"]
    assert ja.separator_between("会談を行った。", "両首脳は") == ""
    assert ja.separator_between("会談を行った。", "The leaders") == ""
    assert ja.separator_between("talks ended.", "両首脳は") == ""
    assert LANGUAGES["ko"].separator_between("회담했다.", "양국은") == " "
