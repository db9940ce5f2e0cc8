"""The checks on machine output (briefing/translation/checks.py): each passes good Japanese and
Korean and fails the faults weak models make, in both languages."""

from __future__ import annotations

from fractions import Fraction

import pytest

from briefing.translation import checks, numbers
from briefing.translation.checks import CHECKS, Context, Sentence


def failed(source: str, target: str, lang: str, **extra: object) -> list[str]:
    """The names of the checks that `target` fails as a translation of `source`."""
    context = extra.pop("context", None)
    sentence = Sentence(source, target, lang, **extra)  # type: ignore[arg-type]
    return [failure.check for failure in checks.check(sentence, context)]  # type: ignore[arg-type]


def fails(name: str, source: str, target: str, lang: str, **extra: object) -> bool:
    return name in failed(source, target, lang, **extra)


# --------------------------------------------------------------------------- numbers

GOOD_NUMBERS = [
    ("The coast guard sent 12 patrol vessels.", "ja", "海上保安庁は巡視船12隻を派遣した。"),
    ("The coast guard sent 12 patrol vessels.", "ko", "해경은 경비함 12척을 보냈다."),
    ("The coast guard sent 12 patrol vessels.", "ja", "海上保安庁は巡視船１２隻を派遣した。"),
    ("They agreed a package worth 1.5 billion dollars.", "ja", "15億ドル規模の支援で合意した。"),
    ("They agreed a package worth 1.5 billion dollars.", "ko", "15억 달러 규모의 지원에 합의했다."),
    ("The leaders met for 75 minutes.", "ja", "両首脳は75分間会談した。"),
    ("The leaders met for 75 minutes.", "ko", "양 정상은 75분간 회담했다."),
    ("About 12,000,000 people visited.", "ja", "約1200万人が訪れた。"),
    ("About 12,000,000 people visited.", "ko", "약 1,200만 명이 방문했다."),
    ("The fund totals 150 million dollars.", "ja", "基金は総額1億5000万ドル。"),
    ("The fund totals 150 million dollars.", "ko", "기금은 총 1억 5천만 달러다."),
    ("Trade rose 3.5% to $85.2 billion.", "ja", "貿易額は3.5％増の852億ドルとなった。"),
    ("Trade rose 3.5% to $85.2 billion.", "ko", "교역액은 3.5퍼센트 늘어난 852억 달러였다."),
    ("A fund of ¥3 trillion will help 1,500 students.", "ja", "3兆円の基金で1,500人を支援する。"),
    ("A fund of ¥3 trillion will help 1,500 students.", "ko", "3조 엔 기금으로 1500명을 돕는다."),
    ("It marks the 60th anniversary.", "ja", "国交正常化60周年にあたる。"),
    ("It marks the 60th anniversary.", "ko", "수교 60주년이다."),
    ("The talks began at 15:20.", "ja", "会談は15時20分に始まった。"),
    ("The talks began at 15:20.", "ko", "회담은 15:20에 시작됐다."),
    ("The treaty of 2026 was signed.", "ja", "令和8年の条約が署名された。"),
    ("Trade grew 2,000 percent.", "ko", "무역은 2천 퍼센트 늘었다."),
]


@pytest.mark.parametrize(("source", "lang", "target"), GOOD_NUMBERS)
def test_numbers_pass_in_any_form_the_target_writes_them(
    source: str, lang: str, target: str
) -> None:
    assert not fails("numbers", source, target, lang)


BAD_NUMBERS = [
    ("The coast guard sent 12 patrol vessels.", "ja", "海上保安庁は巡視船を派遣した。", "12"),
    ("The coast guard sent 12 patrol vessels.", "ko", "해경은 경비함 13척을 보냈다.", "12"),
    ("They agreed a package worth 1.5 billion dollars.", "ja", "1.5億ドルの支援。", "1.5 billion"),
    ("They agreed a package worth 1.5 billion dollars.", "ko", "1.5억 달러 지원.", "1.5 billion"),
    ("The leaders met for 75 minutes.", "ja", "両首脳は57分間会談した。", "75"),
    ("The leaders met for 75 minutes.", "ko", "양 정상은 회담했다.", "75"),
    ("About 12,000,000 people visited.", "ja", "約120万人が訪れた。", "12,000,000"),
    ("About 12,000,000 people visited.", "ko", "약 1,200명이 방문했다.", "12,000,000"),
    ("Trade rose 3.5% this year.", "ja", "貿易額は35％増えた。", "3.5"),
    ("Trade rose 3.5% this year.", "ko", "교역액은 5퍼센트 늘었다.", "3.5"),
]


@pytest.mark.parametrize(("source", "lang", "target", "missing"), BAD_NUMBERS)
def test_a_number_dropped_or_changed_fails(
    source: str, lang: str, target: str, missing: str
) -> None:
    detail = checks.numbers(Sentence(source, target, lang), Context())
    assert detail == f"{missing} missing"


@pytest.mark.parametrize("lang", ["ja", "ko"])
def test_numbers_of_a_glossary_term_are_the_stages_not_the_models(lang: str) -> None:
    source = "The G7 leaders met."
    target = {"ja": "主要国の首脳が会談した。", "ko": "주요국 정상들이 회담했다."}[lang]
    form = {"ja": "主要国", "ko": "주요국"}[lang]
    assert fails("numbers", source, target, lang)
    assert not fails("numbers", source, target, lang, terms=(("G7", form),))


def test_units_are_read_as_values() -> None:
    assert Fraction(1_500_000_000) in numbers.target_numbers("15億ドル")
    assert Fraction(150_000_000) in numbers.target_numbers("1억 5천만 달러")
    assert Fraction(2026) in numbers.target_numbers("二千二十六年")
    assert Fraction(2026) in numbers.target_numbers("令和8年")
    assert Fraction(150_000_000) not in numbers.target_numbers("1億 そして 5000万")
    assert numbers.source_numbers("$40bn and 1,500 people in the 1990s") == [
        ("40bn", Fraction(40_000_000_000)),
        ("1,500", Fraction(1500)),
        ("1990", Fraction(1990)),
    ]


# --------------------------------------------------------------------------- dates


@pytest.mark.parametrize(
    ("lang", "good", "bad"),
    [
        (
            "ja",
            "両首脳は2026年1月13日（火）に会談した。",
            "両首脳は2026年2月13日（水）に会談した。",
        ),
        (
            "ko",
            "양 정상은 2026년 1월 13일 화요일에 회담했다.",
            "양 정상은 2026년 2월 13일 수요일에 회담했다.",
        ),
    ],
)
def test_months_and_weekdays_agree(lang: str, good: str, bad: str) -> None:
    source = "The leaders met on Tuesday, 13 January 2026."
    assert not fails("dates", source, good, lang)
    detail = checks.dates(Sentence(source, bad, lang), Context())
    assert detail == "Tuesday missing; January missing"


@pytest.mark.parametrize(
    ("lang", "target"), [("ja", "2024年に会談した。"), ("ko", "2024년에 회담했다.")]
)
def test_a_year_the_source_does_not_have_fails(lang: str, target: str) -> None:
    detail = checks.dates(Sentence("They met in 2025.", target, lang), Context())
    assert detail == "year 2024 not in the source"


@pytest.mark.parametrize(
    ("lang", "target"), [("ja", "両者は会う可能性がある。"), ("ko", "양측은 만날 수 있다.")]
)
def test_may_the_verb_is_no_month(lang: str, target: str) -> None:
    assert not fails("dates", "The two sides may meet again.", target, lang)
    assert fails("dates", "The two sides meet on 4 May.", target, lang)


def test_a_large_amount_is_no_year() -> None:
    assert not fails("dates", "The fund holds 19 million dollars.", "基金は1900万ドル。", "ja")


# --------------------------------------------------------------------------- brackets


@pytest.mark.parametrize(
    ("lang", "good", "bad"),
    [
        ("ja", "約27兆ウォン（3兆円）を拠出する。", "約27兆ウォン（3兆円を拠出する。"),
        ("ko", "약 27조 원(3조 엔)을 낸다.", "약 27조 원(3조 엔을 낸다."),
        ("ja", "「米国第一主義」を掲げた。", "「米国第一主義を掲げた。"),
        ("ko", "“미국 우선주의”를 내세웠다.", '"미국 우선주의를 내세웠다.'),
    ],
)
def test_brackets_and_quotes_pair(lang: str, good: str, bad: str) -> None:
    source = 'They pledged ¥3 trillion (27 trillion won) under "America First".'
    assert not fails("brackets", source, good, lang)
    assert fails("brackets", source, bad, lang)


def test_a_quotation_open_in_the_source_may_stay_open() -> None:
    source = '"We agreed on the plan.'  # a quotation that goes on in the next sentence
    assert not fails("brackets", source, "「計画で合意した。", "ja")
    assert not fails("brackets", source, '"계획에 합의했다.', "ko")


# --------------------------------------------------------------------------- repetition


@pytest.mark.parametrize(
    ("lang", "good", "bad"),
    [
        ("ja", "東京で会談した。", "東東東東東東東東東東京で会談した。"),
        ("ko", "협력을 강화하기로 했다.", "협력 협력 협력 협력을 강화하기로 했다."),
        ("ja", "人々が1000000円を集めた。", "自由貿易協定の自由貿易協定の自由貿易協定の"),
        ("ko", "사람들이 1000000원을 모았다.", "자유무역협정자유무역협정자유무역협정"),
    ],
)
def test_a_loop_fails(lang: str, good: str, bad: str) -> None:
    source = "The two sides agreed to deepen cooperation in Tokyo."
    assert not fails("repetition", source, good, lang)
    assert fails("repetition", source, bad, lang)


def test_a_repetition_the_source_has_is_kept() -> None:
    source = "He said: no no no no."
    assert not fails("repetition", source, source, "ko")


# --------------------------------------------------------------------------- untranslated


@pytest.mark.parametrize(
    ("lang", "good"),
    [("ja", "両首脳は奈良で会談した。"), ("ko", "양 정상은 나라에서 회담했다.")],
)
def test_left_in_english_fails(lang: str, good: str) -> None:
    source = "The two leaders met in Nara."
    assert not fails("untranslated", source, good, lang)
    assert checks.untranslated(Sentence(source, source, lang), Context()) == (
        "identical to the source"
    )
    # A glossary form the stage put in is not the model's Japanese or Korean.
    form = {"ja": "奈良", "ko": "나라"}[lang]
    mixed = f"The two leaders met in {form}."
    assert fails("untranslated", source, mixed, lang, terms=(("Nara", form),))


@pytest.mark.parametrize("lang", ["ja", "ko"])
def test_english_is_not_flagged_when_the_model_writes_no_target_script_at_all(lang: str) -> None:
    source = "The two leaders met in Nara."
    context = Context(writes_target_script=False)
    assert not fails("untranslated", source, source, lang, context=context)
    sentences = [Sentence(source, source, lang), Sentence("Trade rose.", "Trade rose.", lang)]
    assert not checks.writes_target_script(sentences)
    assert checks.check_all(sentences) == [(), ()]
    translated = {"ja": "貿易が伸びた。", "ko": "교역이 늘었다."}[lang]
    sentences[1] = Sentence("Trade rose.", translated, lang)
    assert [f.check for f in checks.check_all(sentences)[0]] == ["untranslated"]


@pytest.mark.parametrize("lang", ["ja", "ko"])
def test_a_short_name_may_stay_in_english(lang: str) -> None:
    assert not fails("untranslated", "G7 summit", "G7 summit", lang)


# --------------------------------------------------------------------------- length


@pytest.mark.parametrize(
    ("lang", "good", "long", "short"),
    [
        ("ja", "両首脳は経済安全保障での協力で合意した。", "協力" * 100, "合意。"),
        ("ko", "양 정상은 경제안보 협력에 합의했다.", "협력 " * 100, "합의."),
    ],
)
def test_length_within_bounds(lang: str, good: str, long: str, short: str) -> None:
    source = "The two leaders agreed on closer cooperation in economic security."
    assert not fails("length", source, good, lang)
    assert "too long" in (checks.length(Sentence(source, long, lang), Context()) or "")
    assert "too short" in (checks.length(Sentence(source, short, lang), Context()) or "")


# --------------------------------------------------------------------------- registry


def test_every_check_is_registered_and_a_good_translation_passes_them_all() -> None:
    assert list(CHECKS) == ["numbers", "dates", "brackets", "repetition", "untranslated", "length"]
    source = 'On 13 January 2026 the leaders agreed a "new era" worth 1.5 billion dollars (75%).'
    good = {
        "ja": "2026年1月13日、両首脳は15億ドル（75％）規模の「新時代」で合意した。",
        "ko": "2026년 1월 13일 양 정상은 15억 달러(75%) 규모의 “새 시대”에 합의했다.",
    }
    for lang, target in good.items():
        assert failed(source, target, lang) == []
