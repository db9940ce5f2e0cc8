"""Sentence splitting: the shortcut for texts that cannot hold two sentences gives exactly what
pysbd gives, on every free text of the examples and on texts made to tempt it."""

from __future__ import annotations

import pysbd
import pytest

from briefing.facts.load import load_facts
from briefing.translation.segments import normalize, split_segments
from briefing.translation.texts import texts_to_translate
from tests.conftest import FIXTURES, ROOT

UNKNOWN_NAMES = FIXTURES / "events" / "unknown-names.yaml"
EXAMPLES = [*sorted((ROOT / "sources").glob("20*.yaml")), UNKNOWN_NAMES]

TEMPTING = [
    "",
    "   ",
    "One sentence without an end",
    "One sentence with an end.",
    "first item 1) second item 2) third",
    "a) apples b) oranges c) pears",
    "i) one ii) two iii) three",
    "1. one 2. two",
    "They agreed 奈良。 Then they left",
    "one。two",
    "He left！Then",
    "Why？ Because",
    "Ends with an ellipsis… then goes on",
    "They agreed; then they left",
    "Agenda: trade, security",
    'He said "stop." They stopped',
    "Under Article 9 (1) and (2) they met",
    "The U.S. and the R.O.K. met in Nara",
    "Mr. Lee met Ms. Takaichi",
    "Talks ended at 3 p.m. on Tuesday",
    "Line one\nLine two\n\nLine three",
    "• one • two • three",
    "Version 2.0 was adopted",
    "They met (see the report)",
]


def pysbd_sentences(text: str) -> list[str]:
    segmenter = pysbd.Segmenter(language="en", clean=False, char_span=False)
    text = normalize(text)
    if not text:
        return []
    return [s for s in (normalize(part) for part in segmenter.segment(text)) if s]


def example_texts() -> list[str]:
    return [text for path in EXAMPLES for text in texts_to_translate(load_facts(path)[0])]


@pytest.mark.parametrize("text", TEMPTING)
def test_tempting_texts_split_as_pysbd_splits_them(text: str) -> None:
    assert split_segments(text) == pysbd_sentences(text)


def test_every_example_text_splits_as_pysbd_splits_it() -> None:
    texts = example_texts()
    assert len(texts) > 40
    for text in texts:
        assert split_segments(text) == pysbd_sentences(text), text
    assert any(len(split_segments(text)) > 1 for text in texts)  # the examples hold both kinds
