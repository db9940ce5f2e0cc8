"""What differs between languages is data in languages.py: which are translated into, and which
language a tag names however a tool writes it."""

from __future__ import annotations

import pytest

from briefing.languages import LANGUAGES, SOURCE_LANGUAGE, TARGET_LANGUAGES, language_of_tag


def test_every_language_but_the_source_is_a_target() -> None:
    assert SOURCE_LANGUAGE not in TARGET_LANGUAGES
    assert sorted([*TARGET_LANGUAGES, SOURCE_LANGUAGE]) == sorted(LANGUAGES)
    assert all(not language.is_source for language in TARGET_LANGUAGES.values())
    assert LANGUAGES[SOURCE_LANGUAGE].is_source


@pytest.mark.parametrize("tag", ["ja", "ja-JP", "ja_JP", " JA-jp ", "ja-Jpan-JP"])
def test_a_tag_names_its_language_as_bcp_47_or_as_a_locale(tag: str) -> None:
    assert language_of_tag(tag) is LANGUAGES["ja"]


@pytest.mark.parametrize("tag", ["", "fr-FR", "jap", "-ja"])
def test_a_tag_of_no_language_of_briefing_names_none(tag: str) -> None:
    assert language_of_tag(tag) is None
