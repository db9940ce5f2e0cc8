"""Dates, place lines, source lists, the handling mark and the briefing's own date, as each
government writes them, in documents built with the copy packages and read back from Word.

The expected strings are written out whole: the Japanese era year (令和元年 at an era's first
day), Korea's official dotted dates and 24-hour times, ranges across months and years.
"""

from __future__ import annotations

import datetime as dt
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import docx
import pytest
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import RGBColor
from typer.testing import CliRunner

from briefing.cli import app
from briefing.dates import date_style
from briefing.facts.load import load_facts
from briefing.languages import LANGUAGES
from briefing.output.environment import RANGE, locale_filters
from briefing.output.localize import Localizer, Name, venue_holds_city
from briefing.terms.coverage import cover
from briefing.terms.glossary import load_glossary
from tests.conftest import FIXTURES, GLOSSARY, NARA
from tests.test_translated_build import offline, table_cells

BUSAN = FIXTURES / "events" / "busan-trilateral.yaml"
LANGS = ("en", "ja", "ko")


def filters(lang: str, style: str | None = None) -> dict[str, Any]:
    """The template's date filters for `lang` in `style` (its default when None)."""
    return locale_filters(LANGUAGES[lang].locale, date_style(lang, style))


def day(lang: str, value: dt.date, style: str | None = None, weekday: bool = True) -> str:
    return filters(lang, style)["date"](value, "EEEE d MMMM y" if weekday else "d MMMM y")


def days(lang: str, start: dt.date, end: dt.date, style: str | None = None) -> str:
    return filters(lang, style)["date_range"](start, end, RANGE)


# ---------------------------------------------------------------- dates


@pytest.mark.parametrize(
    ("value", "written"),
    [
        (dt.date(1872, 12, 31), "1872年12月31日"),  # before the Gregorian calendar: Western
        (dt.date(1873, 1, 1), "明治6年1月1日"),
        (dt.date(1912, 7, 29), "明治45年7月29日"),
        (dt.date(1912, 7, 30), "大正元年7月30日"),
        (dt.date(1926, 12, 24), "大正15年12月24日"),
        (dt.date(1926, 12, 25), "昭和元年12月25日"),
        (dt.date(1927, 1, 1), "昭和2年1月1日"),
        (dt.date(1989, 1, 7), "昭和64年1月7日"),
        (dt.date(1989, 1, 8), "平成元年1月8日"),
        (dt.date(2019, 4, 30), "平成31年4月30日"),
        (dt.date(2019, 5, 1), "令和元年5月1日"),
        (dt.date(2019, 12, 31), "令和元年12月31日"),
        (dt.date(2020, 1, 1), "令和2年1月1日"),
        (dt.date(2026, 1, 13), "令和8年1月13日"),
    ],
)
def test_the_era_changes_on_its_first_day(value: dt.date, written: str) -> None:
    assert day("ja", value, weekday=False) == written


@pytest.mark.parametrize(
    ("lang", "style", "single", "source"),
    [
        ("en", None, "Tuesday 13 January 2026", "13 January 2026"),
        ("ja", None, "令和8年1月13日（火）", "令和8年1月13日"),
        ("ja", "western", "2026年1月13日（火）", "2026年1月13日"),
        ("ko", None, "2026. 1. 13.(화)", "2026. 1. 13."),
        ("ko", "cldr", "2026년 1월 13일(화)", "2026년 1월 13일"),
    ],
)
def test_a_day_in_each_style(lang: str, style: str | None, single: str, source: str) -> None:
    assert day(lang, dt.date(2026, 1, 13), style) == single
    assert day(lang, dt.date(2026, 1, 13), style, weekday=False) == source


@pytest.mark.parametrize(
    ("lang", "style", "same_month", "across_months", "across_years"),
    [
        (
            "ja",
            None,
            "令和8年3月21日（土）～22日（日）",
            "令和8年3月31日（火）～4月1日（水）",
            "令和8年12月31日（木）～令和9年1月1日（金）",
        ),
        (
            "ja",
            "western",
            "2026年3月21日（土）～22日（日）",
            "2026年3月31日（火）～4月1日（水）",
            "2026年12月31日（木）～2027年1月1日（金）",
        ),
        (
            "ko",
            None,
            "2026. 3. 21.(토)~22.(일)",
            "2026. 3. 31.(화)~4. 1.(수)",
            "2026. 12. 31.(목)~2027. 1. 1.(금)",
        ),
        (
            "ko",
            "cldr",
            "2026년 3월 21일(토)~22일(일)",
            "2026년 3월 31일(화)~4월 1일(수)",
            "2026년 12월 31일(목)~2027년 1월 1일(금)",
        ),
        (
            "en",
            None,
            # CLDR's interval, as before, thin spaces and all
            "Saturday 21\u2009March –\u2009Sunday 22 March 2026",
            "Tuesday 31 March\u2009–\u2009Wednesday 1 April 2026",
            "Thursday 31 December 2026\u2009–\u2009Friday 1 January 2027",
        ),
    ],
)
def test_a_range_is_written_like_a_day(
    lang: str, style: str | None, same_month: str, across_months: str, across_years: str
) -> None:
    assert days(lang, dt.date(2026, 3, 21), dt.date(2026, 3, 22), style) == same_month
    assert days(lang, dt.date(2026, 3, 31), dt.date(2026, 4, 1), style) == across_months
    assert days(lang, dt.date(2026, 12, 31), dt.date(2027, 1, 1), style) == across_years


def test_a_range_across_an_era_change_writes_both_eras() -> None:
    assert days("ja", dt.date(2019, 4, 30), dt.date(2019, 5, 1)) == (
        "平成31年4月30日（火）～令和元年5月1日（水）"
    )


@pytest.mark.parametrize(
    ("lang", "style", "morning", "afternoon"),
    [
        ("en", None, "08:10", "15:20"),
        ("ja", None, "8時10分", "15時20分"),
        ("ko", None, "08:10", "15:20"),
        ("ko", "cldr", "8시 10분", "15시 20분"),
    ],
)
def test_times(lang: str, style: str | None, morning: str, afternoon: str) -> None:
    time = filters(lang, style)["time"]
    assert (time(dt.time(8, 10), "HH:mm"), time(dt.time(15, 20), "HH:mm")) == (morning, afternoon)


# ---------------------------------------------------------------- the place line rule


def test_a_venue_holds_its_city_in_english_or_in_print() -> None:
    busan = Name("釜山", "Busan")
    assert venue_holds_city(Name("BEXCO", "Busan Exhibition and Convention Center (BEXCO)"), busan)
    assert venue_holds_city(Name("釜山展示コンベンションセンター", "BEXCO"), busan)
    assert not venue_holds_city(Name("BEXCO", "BEXCO"), busan)
    # A whole word only: "Nara" is not held by "Narita Airport".
    assert not venue_holds_city(Name("成田空港", "Narita Airport"), Name("奈良市", "Nara"))


def test_without_document_date_the_event_day_is_the_creation_date() -> None:
    facts, source = load_facts(NARA)
    coverage = cover(facts.names(), load_glossary(GLOSSARY), source)
    view = Localizer(facts, LANGUAGES["ja"], coverage, {}).view()
    assert (view.created, view.as_of) == (dt.datetime(2026, 1, 13), None)


# ---------------------------------------------------------------- documents


@dataclass(frozen=True)
class Built:
    out: Path

    def doc(self, lang: str, stem: str = BUSAN.stem) -> docx.document.Document:
        return docx.Document(str(self.out / f"{stem}.{lang}.docx"))


def build(facts: Path, out: Path, models: Path, *extra: str, config: Path | None = None) -> None:
    env = {"BRIEFING_CONFIG": str(config) if config else ""}
    with offline():
        result = CliRunner().invoke(
            app,
            ["build", str(facts), "--models-dir", str(models), "--tm", str(out / "tm.sqlite"),
             "--out", str(out), "--lang", ",".join(LANGS), *extra],
            env=env,
        )  # fmt: skip
    assert result.exit_code == 0, result.output


@pytest.fixture(scope="module")
def busan(tmp_path_factory: pytest.TempPathFactory, copy_models_dir: Path) -> Built:
    out = tmp_path_factory.mktemp("busan")
    build(BUSAN, out, copy_models_dir)
    return Built(out)


def meta_lines(doc: docx.document.Document) -> list[str]:
    return [p.text for p in doc.paragraphs if p.style is not None and p.style.name == "Meta"]


def host_country(doc: docx.document.Document) -> str:
    """The host's country as the document's participants table prints it."""
    [participants] = [t for t in table_cells(doc) if len(t[0]) == 4]
    return participants[1][2]


@pytest.mark.parametrize(
    ("lang", "date_line", "as_of"),
    [
        (
            "en",
            "Date: Saturday 21\u2009March –\u2009Sunday 22 March 2026, from 08:10 on the first day",
            "As of 20 March 2026 18:00",
        ),
        (
            "ja",
            "日時：令和8年3月21日（土）～22日（日）（初日8時10分から）",
            "令和8年3月20日18時00分現在",
        ),
        ("ko", "일시: 2026. 3. 21.(토)~22.(일) (첫날 08:10부터)", "2026. 3. 20. 18:00 현재"),
    ],
)
def test_the_date_lines_of_a_built_document(
    busan: Built, lang: str, date_line: str, as_of: str
) -> None:
    lines = meta_lines(busan.doc(lang))
    assert lines[0] == date_line
    assert lines[3] == as_of


@pytest.mark.parametrize(
    ("lang", "place"),
    [
        ("en", "Place: Busan Exhibition and Convention Center (BEXCO), {country}"),
        ("ja", "場所：{country}、釜山展示コンベンションセンター（BEXCO）"),
        ("ko", "장소: {country} 부산 전시컨벤션센터(BEXCO)"),
    ],
)
def test_the_place_line_names_a_city_the_venue_holds_once(
    busan: Built, lang: str, place: str
) -> None:
    doc = busan.doc(lang)
    line = meta_lines(doc)[1]
    assert line == place.format(country=host_country(doc))
    assert line.count("（") + line.count("(") == 1


@pytest.mark.parametrize(
    ("lang", "source"),
    [
        ("en", "[1] Synthetic Wire Service, Ministers meet in Busan, 19 March 2026"),
        ("ja", "[1] Synthetic Wire Service「Ministers meet in Busan」（令和8年3月19日）"),
        ("ko", "[1] Synthetic Wire Service, “Ministers meet in Busan”, 2026. 3. 19."),
    ],
)
def test_source_lists_set_titles_off(busan: Built, lang: str, source: str) -> None:
    [line] = [p.text for p in busan.doc(lang).paragraphs if p.text.startswith("[1] ")]
    assert line == source


@pytest.mark.parametrize("lang", LANGS)
def test_no_handling_mark_by_default_and_the_briefing_date_in_the_properties(
    busan: Built, lang: str
) -> None:
    doc = busan.doc(lang)
    assert all(p.text == "" for p in doc.sections[0].header.paragraphs)
    created = doc.core_properties.created
    assert created is not None
    assert created.replace(tzinfo=None) == dt.datetime(2026, 3, 20, 18, 0)


def test_the_same_input_gives_the_same_bytes(
    busan: Built, tmp_path: Path, copy_models_dir: Path
) -> None:
    build(BUSAN, tmp_path, copy_models_dir)
    for lang in LANGS:
        name = f"{BUSAN.stem}.{lang}.docx"
        assert (tmp_path / name).read_bytes() == (busan.out / name).read_bytes()


def test_workspace_style_and_an_event_s_own_over_it(tmp_path: Path, copy_models_dir: Path) -> None:
    """briefing.toml chooses Western dates and a vocabulary mark; the facts file changes the
    Korean mark to its own text, a formal designation, and the Korean range mark."""
    config = tmp_path / "briefing.toml"
    config.write_text(
        '[style]\nmark = "internal"\n[style.dates]\nja = "western"\nko = "cldr"\n',
        encoding="utf-8",
    )
    facts = tmp_path / "busan.yaml"
    shutil.copy(BUSAN, facts)
    with facts.open("a", encoding="utf-8") as handle:
        handle.write('style:\n  mark_text: {ko: 대외비}\n  range_marks: {ko: "-"}\n')
    out = tmp_path / "out"
    build(facts, out, copy_models_dir, config=config)
    built = Built(out)

    ja, ko, en = built.doc("ja", "busan"), built.doc("ko", "busan"), built.doc("en", "busan")
    assert meta_lines(ja)[0] == "日時：2026年3月21日（土）～22日（日）（初日8時10分から）"
    assert meta_lines(ko)[0] == "일시: 2026년 3월 21일(토)-22일(일) (첫날 8시 10분부터)"
    assert [p.text for p in en.sections[0].header.paragraphs][0] == "INTERNAL"
    assert [p.text for p in ja.sections[0].header.paragraphs][0] == "内部資料"

    [mark] = [p for p in ko.sections[0].header.paragraphs if p.text]
    assert mark.text == "대외비"
    assert mark.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert [(r.font.color.rgb, r.bold) for r in mark.runs] == [(RGBColor(0xC0, 0, 0), True)]
    # A vocabulary mark is not a designation: the reference document's Header style's look.
    [plain] = [p for p in ja.sections[0].header.paragraphs if p.text]
    assert [(r.font.color.rgb, r.bold) for r in plain.runs] == [(None, None)]
