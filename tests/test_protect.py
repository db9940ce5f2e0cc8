"""Glossary terms through machine translation: kept, restored, retried, or flagged."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from briefing.terms.glossary import Glossary, Term, load_glossary
from briefing.terms.protect import PLACEHOLDER_PATTERN, protect, translate_protected
from tests.conftest import GLOSSARY


def term(**fields: object) -> Term:
    """A term as the term base's file writes it: one key per language."""
    return Term.model_validate(fields)


TERMS = Glossary(
    version="test",
    terms=[
        term(
            id="takaichi", kind="person", en="Sanae Takaichi", ja="高市早苗", ko="다카이치 사나에"
        ),
        term(id="nara", kind="place", en="Nara", ja="奈良市", ko="나라시", variants=["Nara City"]),
        term(
            id="mine",
            kind="place",
            en="Chosei Coal Mine",
            ja="長生炭鉱",
            ko="조세이 탄광",
            variants=["Josei coal mine"],
        ),
    ],
)
SEGMENT = "Sanae Takaichi welcomed the guests to Nara."


def upper(texts: list[str]) -> list[str]:
    """A stand-in model that keeps placeholders and changes everything else."""
    return [re.sub(r"[a-z]+", lambda m: m.group(0).upper(), t) for t in texts]


def test_protect_replaces_every_term_longest_first() -> None:
    protected = protect("Josei coal mine near Nara City and Nara.", TERMS)
    assert protected.text == "ZX1 near ZX2 and ZX3."
    assert [t.id for t in protected.terms] == ["mine", "nara", "nara"]


def test_terms_inside_other_words_are_left_alone() -> None:
    assert protect("Naraya and Sanae Takaichis", TERMS).terms == ()


def test_kept_placeholders_become_official_forms() -> None:
    [outcome] = translate_protected([SEGMENT], TERMS, "ja", upper)
    assert outcome.method == "placeholders"
    assert not outcome.flagged
    assert "高市早苗" in outcome.text and "奈良市" in outcome.text
    assert "Sanae" not in outcome.text and not PLACEHOLDER_PATTERN.search(outcome.text)


def test_reordered_placeholders_put_each_term_in_its_new_place() -> None:
    def reorder(texts: list[str]) -> list[str]:
        return ["ZX2 で ZX1 が歓迎した。" if "ZX" in t else t for t in texts]

    [outcome] = translate_protected([SEGMENT], TERMS, "ja", reorder)
    assert outcome.text == "奈良市 で 高市早苗 が歓迎した。"
    assert not outcome.flagged


@pytest.mark.parametrize(
    "damage",
    [
        lambda t: t.replace("ZX2", ""),  # dropped
        lambda t: t + " ZX1",  # duplicated
        lambda t: t.replace("ZX1", "Z X 1"),  # garbled
        lambda t: t.replace("ZX2", "ZX7"),  # renumbered
    ],
    ids=["dropped", "duplicated", "garbled", "renumbered"],
)
def test_damaged_placeholders_are_retried_by_splitting_around_terms(
    damage: Callable[[str], str],
) -> None:
    calls: list[list[str]] = []

    def engine(texts: list[str]) -> list[str]:
        calls.append(texts)
        return [damage(t) if "ZX" in t else f"〈{t}〉" for t in texts]

    [outcome] = translate_protected([SEGMENT], TERMS, "ja", engine)
    assert outcome.method == "split"
    assert not outcome.flagged
    # the sentence's full stop after the restored term is Japanese
    assert outcome.text == "高市早苗〈welcomed the guests to〉奈良市。"
    assert len(calls) == 2  # one batched call per method, not one per segment


def test_split_pieces_in_latin_letters_keep_their_space_in_japanese() -> None:
    # A name printed in Latin letters (ASEAN's official Japanese form) beside a piece the model
    # left in English: Japanese joins pieces without a space, except between Latin letters.
    terms = Glossary(
        version="test",
        terms=[
            term(id="asean", kind="organisation", en="ASEAN", ja="ASEAN", ko="아세안"),
            *TERMS.terms,
        ],
    )

    def lose_placeholders(texts: list[str]) -> list[str]:
        return [PLACEHOLDER_PATTERN.sub("", t) if "ZX" in t else t for t in texts]

    [outcome] = translate_protected(
        ["Sanae Takaichi briefed ASEAN partners in Nara."], terms, "ja", lose_placeholders
    )
    assert outcome.method == "split"
    assert outcome.text == "高市早苗briefed ASEAN partners in奈良市。"


def test_segments_that_fail_both_ways_are_flagged_not_hidden() -> None:
    def broken(texts: list[str]) -> list[str]:
        return ["" for _ in texts]

    [outcome] = translate_protected([SEGMENT], TERMS, "ko", broken)
    assert outcome.flagged
    assert outcome.method == "failed"
    # the terms are still the official ones, and nothing pretends to be a translation
    assert "다카이치 사나에" in outcome.text and "나라시" in outcome.text


def test_plain_segments_with_leftover_placeholder_text_are_flagged() -> None:
    [ok, bad] = translate_protected(
        ["No names here.", "Nothing here either."],
        TERMS,
        "ja",
        lambda texts: ["名前なし。", "ZX1"],
    )
    assert (ok.flagged, bad.flagged) == (False, True)


def test_each_segment_keeps_its_own_outcome_in_a_mixed_batch() -> None:
    segments = ["Nara is old.", "No names.", "Sanae Takaichi spoke."]

    def drop_in_first(texts: list[str]) -> list[str]:
        return ["古い。" if t == "ZX1 is old." else t.upper() for t in texts]

    outcomes = translate_protected(segments, TERMS, "ja", drop_in_first)
    assert [o.method for o in outcomes] == ["split", "plain", "placeholders"]
    assert outcomes[2].text == "高市早苗 SPOKE."


def test_project_glossary_forms_cover_seed_spellings() -> None:
    glossary = load_glossary(GLOSSARY)
    for english, ja in [
        ("Josei coal mine", "長生炭鉱"),
        ("Lee Jae-myung", "李在明"),
        ("Lee Jae Myung", "李在明"),
    ]:
        term = glossary.lookup(english)
        assert term is not None, english
        assert term.form("ja") == ja
