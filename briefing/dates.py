"""Date styles: how a document writes a day, a range of days and a time, as each government does.

A style is data: the pieces of a date (year, month-day, day, weekday), the range mark and the
time, per language. Japan's ministries write the era year (令和8年1月13日（火）, mofa.go.jp),
Korea's official documents the dotted form (2026. 1. 13.(화), 행정업무의 운영 및 혁신에 관한 규정
시행령 제7조제5항); English keeps CLDR's long form through Babel. A range repeats only what
changes: 令和8年3月21日（土）～22日（日）, 令和8年3月31日（火）～4月1日（水）, and across years the
whole date (令和8年12月31日（木）～令和9年1月1日（金）).

Babel has no Japanese calendar (it ignores `@calendar=japanese`; python-babel/babel#1020) and the
era libraries checked print 令和01年 or 令和1年 for the first year, never 元年, so the eras are
one small table here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from babel.dates import format_date

#: The eras, each with its first day (inclusive). 明治 is counted from 1873-01-01, the day Japan
#: adopted the Gregorian calendar: earlier dates have no Gregorian month and day in the era, so
#: a day before it is written with its Western year. A briefing needs nothing older.
ERAS: tuple[tuple[str, dt.date], ...] = (
    ("令和", dt.date(2019, 5, 1)),
    ("平成", dt.date(1989, 1, 8)),
    ("昭和", dt.date(1926, 12, 25)),
    ("大正", dt.date(1912, 7, 30)),
    ("明治", dt.date(1873, 1, 1)),
)


def era_year(day: dt.date) -> str:
    """The era and year of `day` as Japan's ministries write it: 令和8, 令和元 (the first year)."""
    for era, first in ERAS:
        if day >= first:
            # The first year of an era runs from its first day to 31 December (元年).
            year = day.year - first.year + 1
            if era == "明治":
                year += 5  # 1873 was 明治6
            return f"{era}{'元' if year == 1 else year}"
    return str(day.year)


@dataclass(frozen=True)
class DateStyle:
    """How a language writes dates in one style. The patterns are str.format templates with
    {year} {month} {day} (no leading zeros), {weekday} (CLDR's short weekday) and, for times,
    {hour} {hour2} (zero-padded) {minute}. `babel` styles hand the template's CLDR patterns to
    Babel instead (English as CLDR writes it)."""

    name: str
    years: Literal["western", "era", "babel"]
    full: str = ""  # a date with its year: 令和8年1月13日
    month_day: str = ""  # within the year of the date before it: 4月1日
    day_only: str = ""  # within its month: 22日
    weekday: str = ""  # after the date: （火）
    range_mark: str = ""  # between the first and last day
    time: str = ""

    def _year(self, day: dt.date) -> str:
        return era_year(day) if self.years == "era" else str(day.year)

    def _fields(self, day: dt.date, locale: str) -> dict[str, str]:
        return {
            "year": self._year(day),
            "month": str(day.month),
            "day": str(day.day),
            "weekday": format_date(day, "E", locale=locale),
        }

    def date(self, day: dt.date, locale: str, weekday: bool) -> str:
        """One day, with its year."""
        return self._piece(self.full, day, locale, weekday)

    def _piece(self, pattern: str, day: dt.date, locale: str, weekday: bool) -> str:
        fields = self._fields(day, locale)
        text = pattern.format(**fields)
        return text + self.weekday.format(**fields) if weekday else text

    def range(self, start: dt.date, end: dt.date, locale: str, weekday: bool) -> str:
        """First to last day, the last repeating only what changes (its year across years;
        the era year counts, so a range across an era change writes both)."""
        if self._year(start) != self._year(end):
            pattern = self.full
        elif start.month != end.month:
            pattern = self.month_day
        else:
            pattern = self.day_only
        last = self._piece(pattern, end, locale, weekday)
        first = self.date(start, locale, weekday)
        return f"{first}{self.range_mark}{last}"

    def clock(self, time: dt.time) -> str:
        return self.time.format(
            hour=time.hour, hour2=f"{time.hour:02d}", minute=f"{time.minute:02d}"
        )


# Japanese: mofa.go.jp dates its pages 令和7年7月1日
# (https://www.mofa.go.jp/mofaj/na/na1/us/pageit_000001_02111.html) and writes
# 令和元年11月20日(水曜日) (…/press/kaiken/kaiken4_000895.html), 令和6年11月22日(金)
# 13:46~14:13 in its conference records; full-width brackets and ～ as Japanese official text
# sets them. Times as the catalogs wrote them before: 14時30分.
_JAPANESE = {
    "full": "{year}年{month}月{day}日",
    "month_day": "{month}月{day}日",
    "day_only": "{day}日",
    "weekday": "（{weekday}）",
    "range_mark": "～",
    "time": "{hour}時{minute}分",
}
# Korean official documents: "연, 월, 일의 글자는 생략하고 그 자리에 마침표", no
# leading zero, a space after each inner dot (2022. 11. 14.); 24-hour times with the hour's
# zero, 08:10, 15:20 (행정안전부 행정업무운영 편람, as quoted at
# https://abcabd.com/entry/공문서-숫자-등의-표시-방법 and https://worldofinfo.tistory.com/1687).
# The range mark is ~: 외교부's releases write a hyphen (7.18.(월)-20.(수),
# https://mofa.go.kr/www/brd/m_4080/view.do?seq=374669) and the regulation names none;
# `style.range_marks.ko = "-"` writes theirs.
_KOREAN_OFFICIAL = {
    "full": "{year}. {month}. {day}.",
    "month_day": "{month}. {day}.",
    "day_only": "{day}.",
    "weekday": "({weekday})",
    "range_mark": "~",
    "time": "{hour2}:{minute}",
}
# Korean as CLDR writes a long date (2026년 1월 13일), the weekday as the catalogs did: (화).
_KOREAN_CLDR = {
    "full": "{year}년 {month}월 {day}일",
    "month_day": "{month}월 {day}일",
    "day_only": "{day}일",
    "weekday": "({weekday})",
    "range_mark": "~",
    "time": "{hour}시 {minute}분",
}

#: The styles of each language, the government's own first (the default).
DATE_STYLES: dict[str, dict[str, DateStyle]] = {
    "en": {"cldr": DateStyle("cldr", "babel")},
    "ja": {
        "era": DateStyle("era", "era", **_JAPANESE),
        "western": DateStyle("western", "western", **_JAPANESE),
    },
    "ko": {
        "official": DateStyle("official", "western", **_KOREAN_OFFICIAL),
        "cldr": DateStyle("cldr", "western", **_KOREAN_CLDR),
    },
}

JaDates = Literal["era", "western"]
KoDates = Literal["official", "cldr"]
EnDates = Literal["cldr"]


def date_style(lang: str, name: str | None = None) -> DateStyle:
    """The style `name` of `lang`, its default when None; a language without styles: Babel."""
    styles = DATE_STYLES.get(lang)
    if not styles:
        return DateStyle("cldr", "babel")
    return styles[name] if name else next(iter(styles.values()))
