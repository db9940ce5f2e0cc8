"""Text from any source is cleaned by one rule before a document prints it or a memory stores it."""

from __future__ import annotations

import pytest

from briefing.yamlsource.cleaning import clean_outside, composed


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Caf\u0065\u0301", "Caf\u00e9"),  # a combining accent becomes one character
        ("\u1100\u1161", "\uac00"),  # conjoining jamo become the syllable
        ("\uf900 \u0041\u0301", "\uf900 \u00c1"),  # a compatibility ideograph stays as written
        ("\U0002f800", "\U0002f800"),
        ("plain", "plain"),
    ],
)
def test_composed_is_nfc_except_compatibility_ideographs(raw: str, expected: str) -> None:
    assert composed(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("a\u202eb\u2066c", "abc"),  # display-order controls
        ("a\x00b\x0bc\x1f", "abc"),  # what XML cannot hold
        ("a\ud800b\udfffc", "abc"),  # lone surrogates (a server's "\\ud800")
        ("\ud83d\ude00", "\U0001f600"),  # two halves of one character are joined
        ("Cafe\u0301\u202e", "Caf\u00e9"),
        ("tab\tand\nline", "tab\tand\nline"),
    ],
)
def test_outside_text_is_cleaned_as_facts_text_is(raw: str, expected: str) -> None:
    assert clean_outside(raw) == expected


def test_the_memory_keys_text_as_facts_text_is_composed() -> None:
    from briefing.memory.interface import normalize

    # a reviewed Korean name written with a compatibility ideograph is stored as written
    assert normalize("  \uf900  Cafe\u0301 ") == "\uf900 Caf\u00e9"
