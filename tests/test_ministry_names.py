"""Names, kinds and roles as the two foreign ministries write them, read back from real builds.

Made-up events of two, three and nine sides, at home and abroad, are built once with the copy
packages (each English sentence comes back with its terms in their official forms), so the
exact Japanese and Korean text of every document can be asserted: readings at the first mention
only, the word for the meeting by the number of sides, the role words by the event, titles
found through any spelling of the country, and names kept in English marked inside statements.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import docx
import pytest
from docx.enum.text import WD_COLOR_INDEX, WD_UNDERLINE
from typer.testing import CliRunner

from briefing.cli import app
from briefing.facts.check import check_facts
from briefing.terms.coverage import office_forms
from briefing.terms.layers import load_term_base
from tests.conftest import _facts_yaml
from tests.test_translated_build import offline, table_cells

SOURCES = [{"id": "wire", "publisher": "Synthetic Wire Service", "title": "Ministers meet"}]


def person(name: str, title: str, country: str, role: str) -> dict[str, Any]:
    return {"name": name, "title": title, "country": country, "role": role, "sources": ["wire"]}


def event(title: str, kind: str, city: str, country: str) -> dict[str, Any]:
    return {
        "title": title,
        "kind": kind,
        "date": "2026-03-21",
        "time_zone": "Asia/Tokyo",
        "city": city,
        "host_country": country,
    }


def facts(
    the_event: dict[str, Any], people: list[dict[str, Any]], summary: str, background: str = ""
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "event": the_event,
        "participants": people,
        "summary": {"text": summary, "sources": ["wire"]},
        "sources": SOURCES,
    }
    if background:
        data["background"] = [{"text": background, "sources": ["wire"]}]
    return data


MOTEGI = person("Toshimitsu Motegi", "Minister for Foreign Affairs", "Japan", "host")
EVENTS: dict[str, dict[str, Any]] = {
    # Three sides in Tokyo. The summary (printed before the participants table) names Cho Hyun
    # and Motegi first; Wang Yi is first named in the table, and again in the background below.
    "trilateral-tokyo": facts(
        event("Japan–China–ROK Foreign Ministers' Meeting", "foreign ministers' meeting",
              "Tokyo", "Japan"),
        [MOTEGI,
         person("Cho Hyun", "Minister of Foreign Affairs", "South Korea", "guest"),
         person("Wang Yi", "Minister of Foreign Affairs", "PRC", "guest")],
        "Toshimitsu Motegi welcomed Cho Hyun to Tokyo.",
        "Wang Yi said the meeting was useful.",
    ),
    # Two sides at home: Japan hosts Korea's minister, whose country is spelt "ROK".
    "bilateral-tokyo": facts(
        event("Japan–ROK Foreign Ministers' Meeting", "foreign ministers' meeting", "Tokyo",
              "Japan"),
        [MOTEGI, person("Cho Hyun", "Minister of Foreign Affairs", "ROK", "guest")],
        "Cho Hyun met Toshimitsu Motegi in Tokyo.",
    ),
    # Two sides abroad: Japan's minister visits Seoul. Nobody in the term base holds the name
    # of Korea's vice minister: it stays in English, marked in the table and the statement.
    "bilateral-seoul": facts(
        event("Japan–ROK Foreign Ministers' Meeting", "foreign ministers' meeting", "Seoul",
              "Republic of Korea"),
        [person("Cho Hyun", "Minister of Foreign Affairs", "Republic of Korea", "host"),
         {**MOTEGI, "role": "guest"},
         person("Park Minho", "Vice Minister", "Republic of Korea", "delegation")],
        "Park Minho and Cho Hyun received Toshimitsu Motegi. Park Minho briefed the press.",
    ),
    # Nine sides in Rome: the G7, the EU and Korea. Italy chairs; Japan's minister attends.
    "g7-rome": facts(
        event("G7 Foreign Ministers' Meeting", "foreign ministers' meeting", "Rome", "Italy"),
        [person("Antonio Tajani", "Minister of Foreign Affairs", "Italy", "chair"),
         {**MOTEGI, "role": "guest"},
         person("Marco Rubio", "Secretary of State", "United States", "guest"),
         person("Yvette Cooper", "Foreign Secretary", "United Kingdom", "participant"),
         person("Jean Martin", "Minister for Europe and Foreign Affairs", "France", "guest"),
         person("Eva Schmidt", "Minister for Foreign Affairs", "Germany", "guest"),
         person("Anne Roy", "Minister of Foreign Affairs", "Canada", "guest"),
         person("Kaja Kallas", "High Representative", "European Union", "guest"),
         person("Cho Hyun", "Minister of Foreign Affairs", "Republic of Korea", "guest")],
        "Antonio Tajani opened the meeting. Jean Martin and Eva Schmidt spoke on Ukraine.",
    ),
    # Three leaders: a summit of three sides.
    "summit-seoul": facts(
        event("Japan–China–ROK Summit", "summit meeting", "Seoul", "Republic of Korea"),
        [person("Lee Jae Myung", "President", "Republic of Korea", "host"),
         person("Sanae Takaichi", "Prime Minister", "Japan", "guest"),
         person("Li Qiang", "Premier of the State Council", "China", "guest")],
        "Lee Jae Myung hosted the summit.",
    ),
}  # fmt: skip


class Built:
    def __init__(self, out: Path, report: dict[str, Any]) -> None:
        self.out, self.report = out, report

    def doc(self, name: str, lang: str) -> docx.document.Document:
        return docx.Document(str(self.out / f"{name}.{lang}.docx"))


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, copy_models_dir: Path) -> Built:
    root = tmp_path_factory.mktemp("ministry")
    paths = []
    for name, data in EVENTS.items():
        path = root / f"{name}.yaml"
        path.write_text(_facts_yaml(data), encoding="utf-8")
        paths.append(str(path))
    out, report = root / "out", root / "report.json"
    with offline():
        result = CliRunner().invoke(
            app,
            ["build", *paths, "--models-dir", str(copy_models_dir), "--tm", str(root / "tm.db"),
             "--out", str(out), "--report", str(report), "--lang", "en,ja,ko"],
        )  # fmt: skip
    assert result.exit_code == 0, result.output
    return Built(out, json.loads(report.read_text(encoding="utf-8")))


def paragraph(doc: docx.document.Document, start: str) -> str:
    found = [p.text for p in doc.paragraphs if p.text.startswith(start)]
    assert found, start
    return found[0]


def summary(doc: docx.document.Document) -> str:
    texts = [p.text for p in doc.paragraphs]
    return texts[texts.index(next(t for t in texts if t in ("Summary", "概要", "개요"))) + 1]


def rows(doc: docx.document.Document) -> list[list[str]]:
    return table_cells(doc)[0][1:]


def everything(doc: docx.document.Document) -> str:
    cells = [cell for table in table_cells(doc) for row in table for cell in row]
    return "\n".join([p.text for p in doc.paragraphs] + cells)


# ------------------------------------------------------------------ readings at first mention


def test_japanese_readings_at_the_first_mention_only(built: Built) -> None:
    doc = built.doc("trilateral-tokyo", "ja")
    # Korean and Chinese names: the reading at the first mention, in full-width brackets.
    assert summary(doc).startswith("茂木敏充 welcomed 趙顕（チョ・ヒョン） to 東京")
    table = rows(doc)
    assert [row[0] for row in table] == ["茂木敏充", "趙顕", "王毅（おう・き）"]
    assert "王毅 said" in everything(doc)  # the background, after the table: bare
    text = everything(doc)
    assert text.count("チョ・ヒョン") == 1 and text.count("おう・き") == 1


def test_korean_original_script_at_the_first_mention_only(built: Built) -> None:
    doc = built.doc("trilateral-tokyo", "ko")
    # A Japanese name with its kanji, a space between family and given name, half-width.
    assert summary(doc).startswith("모테기 도시미쓰(茂木 敏充) welcomed 조현 to 도쿄")
    assert [row[0] for row in rows(doc)] == ["모테기 도시미쓰", "조현", "왕이(王毅)"]
    text = everything(doc)
    assert text.count("茂木 敏充") == 1 and text.count("(王毅)") == 1
    assert "왕이 said" in text


def test_the_english_document_prints_no_readings(built: Built) -> None:
    text = everything(built.doc("trilateral-tokyo", "en"))
    assert (
        "Wang Yi" in text
        and "おう・き" not in text
        and "(" not in summary(built.doc("trilateral-tokyo", "en"))
    )


# ------------------------------------------------------------------ kinds by the number of sides


@pytest.mark.parametrize(
    ("name", "ja", "ko"),
    [
        ("bilateral-tokyo", "外相会談", "외교장관회담"),  # two sides
        ("trilateral-tokyo", "外相会合", "외교장관회의"),  # three
        ("g7-rome", "外相会合", "외교장관회의"),  # nine
        ("summit-seoul", "首脳会議", "정상회의"),  # three leaders
    ],
)
def test_the_word_for_the_meeting_follows_the_sides(
    built: Built, name: str, ja: str, ko: str
) -> None:
    assert paragraph(built.doc(name, "ja"), "種別").endswith(f"：{ja}")
    assert paragraph(built.doc(name, "ko"), "행사 유형").endswith(f": {ko}")


def kind_warnings(tmp_path: Path, kind: str, countries: list[str]) -> list[str]:
    people = [person(f"Person {i}", "Envoy", c, "guest") for i, c in enumerate(countries)]
    path = tmp_path / "event.yaml"
    path.write_text(
        _facts_yaml(facts(event("Talks", kind, "Tokyo", "Japan"), people, "They met.")),
        encoding="utf-8",
    )
    checked = check_facts(path, load_term_base([], []))
    return [p.message for p in checked.warnings if "sides" in p.message]


def test_validate_warns_where_the_kind_contradicts_the_participants(tmp_path: Path) -> None:
    assert kind_warnings(tmp_path, "bilateral meeting", ["Japan", "China", "ROK"]) == [
        "the kind 'bilateral meeting' is for 2 sides, but the participants come from 3 "
        "countries or organisations"
    ]
    assert kind_warnings(tmp_path, "trilateral summit", ["Japan", "ROK"]) != []
    # Two spellings of one country are one side.
    assert kind_warnings(tmp_path, "bilateral meeting", ["Japan", "ROK", "South Korea"]) == []
    assert kind_warnings(tmp_path, "trilateral summit", ["Japan", "China", "ROK"]) == []


# ------------------------------------------------------------------ roles


def test_roles_at_home(built: Built) -> None:
    assert [row[3] for row in rows(built.doc("bilateral-tokyo", "ja"))] == ["主催", "訪日"]
    assert [row[3] for row in rows(built.doc("bilateral-tokyo", "ko"))] == ["주최", "방일"]
    assert [row[3] for row in rows(built.doc("bilateral-tokyo", "en"))] == ["Host", "Visitor"]


def test_roles_abroad(built: Built) -> None:
    ja = [row[3] for row in rows(built.doc("bilateral-seoul", "ja"))]
    assert ja == ["主催", "訪韓", "随員"]
    ko = [row[3] for row in rows(built.doc("bilateral-seoul", "ko"))]
    assert ko == ["주최", "방한", "수행원"]


def test_roles_at_a_multilateral_meeting(built: Built) -> None:
    ja = [row[3] for row in rows(built.doc("g7-rome", "ja"))]
    # Italy chairs; everyone else attends, Japan's own minister in Rome included.
    assert ja == ["議長", *["出席"] * 8]
    ko = [row[3] for row in rows(built.doc("g7-rome", "ko"))]
    assert ko == ["의장", *["참석"] * 8]


# ------------------------------------------------------------------ titles and country names


@pytest.mark.parametrize(
    ("country", "ja"),
    [
        ("Republic of Korea", "韓国外交部長官"),
        ("South Korea", "韓国外交部長官"),
        ("ROK", "韓国外交部長官"),
        ("China", "中国外交部長"),
        ("PRC", "中国外交部長"),
        ("People's Republic of China", "中国外交部長"),
    ],
)
def test_titles_through_any_spelling_of_the_country(country: str, ja: str) -> None:
    glossary = load_term_base([], []).without_event().glossary
    office = office_forms(glossary, "Nobody", "Minister of Foreign Affairs", country)
    assert office is not None and office.form("ja") == ja


def test_titles_and_short_country_names_in_the_documents(built: Built) -> None:
    ja = rows(built.doc("trilateral-tokyo", "ja"))
    assert [row[1:3] for row in ja] == [
        ["外務大臣", "日本"],
        ["韓国外交部長官", "韓国"],  # "South Korea"
        ["中国外交部長", "中国"],  # "PRC"
    ]
    g7 = {row[2]: row[1] for row in rows(built.doc("g7-rome", "ja"))}
    assert g7["英国"] == "英外務・開発大臣"
    assert g7["フランス"] == "フランス共和国欧州・外務大臣"
    assert g7["ドイツ"] == "ドイツ連邦共和国外務大臣"
    assert g7["イタリア"] == "イタリア共和国副首相兼外務・国際協力大臣"  # Tajani's own title
    assert g7["カナダ"] == "カナダ外務大臣"
    assert g7["米国"] == "米国国務長官"
    assert g7["EU"] == "欧州連合（EU）外務・安全保障政策上級代表兼欧州委員会副委員長"
    assert g7["韓国"] == "韓国外交部長官"  # the short form of "Republic of Korea"
    ko = {row[2]: row[1] for row in rows(built.doc("g7-rome", "ko"))}
    assert ko["한국"] == "외교부 장관" and ko["EU"] == "EU 외교안보 고위대표"


def test_a_suggested_office_entry_reads_as_english_does(tmp_path: Path) -> None:
    people = [
        person("A", "Chancellor", "UK", "host"),
        person("B", "Envoy", "Japan", "guest"),
        person("C", "Envoy", "EU", "guest"),
    ]
    path = tmp_path / "event.yaml"
    path.write_text(
        _facts_yaml(facts(event("Talks", "ministerial meeting", "Tokyo", "Japan"), people, "x")),
        encoding="utf-8",
    )
    missing = {m.english for m in check_facts(path, load_term_base([], [])).coverage.missing}
    assert {
        "Chancellor of the United Kingdom",
        "Envoy of Japan",
        "Envoy of the European Union",
    } <= missing


# ------------------------------------------------------------------ names kept in English


def marked_runs(doc: docx.document.Document) -> list[tuple[str, bool]]:
    """(text, dotted underline) of every highlighted run, in paragraphs and table cells."""
    paragraphs = list(doc.paragraphs) + [
        p for table in doc.tables for row in table.rows for cell in row.cells
        for p in cell.paragraphs
    ]  # fmt: skip
    return [
        (run.text, run.font.underline == WD_UNDERLINE.DOTTED)
        for p in paragraphs
        for run in p.runs
        if run.font.highlight_color == WD_COLOR_INDEX.YELLOW
    ]


@pytest.mark.parametrize("lang", ["ja", "ko"])
def test_a_name_kept_in_english_is_marked_inside_a_statement(built: Built, lang: str) -> None:
    doc = built.doc("bilateral-seoul", lang)
    runs = [p.runs for p in doc.paragraphs if "Park Minho briefed" in p.text][0]
    marked = [r.text for r in runs if r.font.highlight_color == WD_COLOR_INDEX.YELLOW]
    assert marked == ["Park Minho", "Park Minho"]
    assert all(dotted for _text, dotted in marked_runs(doc))


@pytest.mark.parametrize("lang", ["ja", "ko"])
@pytest.mark.parametrize("name", ["bilateral-seoul", "g7-rome", "trilateral-tokyo"])
def test_the_notice_counts_the_names_the_reader_sees_marked(
    built: Built, name: str, lang: str
) -> None:
    doc = built.doc(name, lang)
    names = {text for text, _dotted in marked_runs(doc) if "[" not in text and "［" not in text}
    notices = [p.text for p in doc.paragraphs if "未登録" in p.text or "아직 없는" in p.text]
    if not names:
        assert notices == []
        return
    (notice,) = notices
    assert re.search(r"(\d+)[件건]", notice).group(1) == str(len(names))  # type: ignore[union-attr]
    # The build report lists each of them with the entry to add (an office as the entry's
    # English, with its country: "Vice Minister of the Republic of Korea").
    (listed,) = [
        [kept["english"] for kept in document["kept_in_english"]]
        for document in built.report["documents"]
        if document["facts"].endswith(f"{name}.yaml") and document["lang"] == lang
    ]
    for marked in names:
        assert any(e == marked or e.startswith(f"{marked} of ") for e in listed), marked
