"""Numbers as English, Japanese and Korean write them, read as values.

"1.5 billion" in English is 15億 in Japanese and 15억 in Korean, 12,000,000 is 1200万 or
1,200만, 2026 may be 令和8年: to tell whether a translation kept a number, both sides are read
as exact values (fractions) and compared, whatever the digits (１２ is 12), separators and units.
"""

from __future__ import annotations

import re
import unicodedata
from fractions import Fraction

#: Japanese era years, written 令和8年 for 2026: the era's name and the year before its first.
ERAS = {"令和": 2018, "平成": 1988, "昭和": 1925}

ENGLISH_SCALES = {
    "thousand": 10**3,
    "million": 10**6,
    "billion": 10**9,
    "trillion": 10**12,
    "mn": 10**6,
    "bn": 10**9,
    "tn": 10**12,
}
# Japanese and Korean count in groups of four digits (万/만 10^4, 億/억 10^8, 兆/조 10^12),
# with 千/천, 百/백 and 十/십 inside a group: 15億 is 1.5 billion, 1억 5천만 is 150 million.
LARGE_UNITS = {
    "万": 10**4,
    "萬": 10**4,
    "億": 10**8,
    "兆": 10**12,
    "만": 10**4,
    "억": 10**8,
    "조": 10**12,
}
SMALL_UNITS = {"千": 1000, "百": 100, "十": 10, "천": 1000, "백": 100, "십": 10}
KANJI_DIGITS = {d: n for n, d in enumerate("〇一二三四五六七八九")} | {"零": 0}

NUMBER = r"\d+(?:,\d{3})*(?:\.\d+)?|\.\d+"
SOURCE_NUMBER_RE = re.compile(
    rf"(?<![\d.,])({NUMBER})(?:\s*({'|'.join(ENGLISH_SCALES)})\b)?", re.IGNORECASE
)
UNIT_GROUP_RE = re.compile(
    rf"({NUMBER})\s?([{''.join(SMALL_UNITS)}])?\s?([{''.join(LARGE_UNITS)}])?"
    rf"|([{''.join(KANJI_DIGITS)}{''.join(SMALL_UNITS)}]+)([{''.join(LARGE_UNITS)}])?"
)
# A year as a target writes it: four digits, not part of a larger number (1900万 is 19 million).
YEAR_RE = re.compile(r"(?<![\d,.])(1[89]\d\d|20\d\d)(?![\d,.]?\d|\s?[万億兆千百萬만억조천백])")
ERA_RE = re.compile(rf"({'|'.join(ERAS)})\s?(\d{{1,2}}|元)\s?年")


def _value(digits: str) -> Fraction:
    return Fraction(digits.replace(",", ""))


def source_numbers(text: str) -> list[tuple[str, Fraction]]:
    """Each number of an English text as written and as a value: "1.5 billion" is 1500000000,
    "1,500" is 1500, "60th" is 60. Digits inside words count too (COVID-19, F-35)."""
    found = []
    for match in SOURCE_NUMBER_RE.finditer(unicodedata.normalize("NFKC", text)):
        value = _value(match.group(1))
        if match.group(2):
            value *= ENGLISH_SCALES[match.group(2).lower()]
        found.append((match.group(0), value))
    return found


def _kanji_number(text: str) -> Fraction | None:
    """二千二十六 → 2026, 十二 → 12; None for anything else."""
    total, digit = 0, None
    for char in text:
        if char in KANJI_DIGITS:
            digit = KANJI_DIGITS[char]
        elif char in SMALL_UNITS:
            total += (1 if digit is None else digit) * SMALL_UNITS[char]
            digit = None
        else:
            return None
    total += digit or 0
    return Fraction(total) if total or digit == 0 else None


def target_numbers(text: str) -> set[Fraction]:
    """Every value a target text writes: its plain numbers, each with the units after it
    (15億 → 1500000000, 5천만 → 50000000), runs of units summed (1億5000万 → 150000000),
    English scales left in the text (1.5 billion), kanji numerals, era years as AD years."""
    text = unicodedata.normalize("NFKC", text)
    values: set[Fraction] = set()
    for match in SOURCE_NUMBER_RE.finditer(text):
        values.add(_value(match.group(1)))
        if match.group(2):
            values.add(_value(match.group(1)) * ENGLISH_SCALES[match.group(2).lower()])
    run_total, run_unit, run_end = Fraction(0), 0, -1
    for match in UNIT_GROUP_RE.finditer(text):
        if match.group(1) is not None:
            number: Fraction | None = _value(match.group(1))
            small, large = match.group(2), match.group(3)
        else:
            number, small, large = _kanji_number(match.group(4)), None, match.group(5)
            if number is None:
                continue
        assert number is not None
        group = number * (SMALL_UNITS[small] if small else 1)
        unit = LARGE_UNITS[large] if large else 1
        value = group * unit
        values.update((number, group, value))
        # A run: units that fall (億 then 万 then none), each group right after the last.
        adjacent = match.start() - run_end <= 1
        if adjacent and run_unit > unit:
            run_total += value
        else:
            run_total = value
        run_unit, run_end = unit, match.end()
        values.add(run_total)
    for era, match in ((m.group(1), m) for m in ERA_RE.finditer(text)):
        year = 1 if match.group(2) == "元" else int(match.group(2))
        values.add(Fraction(ERAS[era] + year))
    return values
