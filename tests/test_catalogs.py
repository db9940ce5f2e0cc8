"""Template text in Japanese and Korean: catalogs complete and current; Babel dates."""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import gettext
import io
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from functools import cache
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po, write_po

from briefing.catalogs import (
    PACKAGE_LOCALES,
    CheckedTranslations,
    chain,
    compiled_catalogs,
    load_translations,
)
from briefing.facts.load import load_facts
from briefing.languages import LANGUAGES
from briefing.output.localize import BriefingView, Localizer
from briefing.output.render import render_markup
from briefing.output.template import TEMPLATES_DIR, find_template
from briefing.terms.coverage import cover
from briefing.terms.glossary import Glossary, load_glossary
from briefing.translation.interface import Origin, TranslatedText
from briefing.translation.texts import texts_to_translate
from tests.conftest import ENGLISH_OUTLINE, GLOSSARY, NARA, ROOT

TARGETS = ("ja", "ko")
POT = PACKAGE_LOCALES / "briefing.pot"
MODEL_LABEL = "translate-en_xx 1.0"

HEADINGS = {
    "en": ENGLISH_OUTLINE,
    "ja": [
        "概要",
        "出席者",
        "背景",
        "主な成果",
        "主な協議事項",
        "今後の予定",
        "出典間の相違点",
        "出典",
    ],
    "ko": [
        "개요",
        "참석자",
        "배경",
        "주요 성과",
        "주요 논의 사항",
        "향후 계획",
        "출처 간 차이점",
        "출처",
    ],
}
COLUMNS = {
    "en": ["Name", "Title", "Country", "Role"],
    "ja": ["氏名", "役職", "国名", "役割"],
    "ko": ["성명", "직책", "국가", "역할"],
}


# ---------------------------------------------------------------- catalogs


@cache
def extracted() -> Catalog:
    """The messages the templates (and package code) hold now, extracted as `make catalogs` does."""
    with (ROOT / "babel.cfg").open() as handle:
        method_map, options_map = parse_mapping_cfg(handle, "babel.cfg")
    catalog = Catalog()
    for filename, lineno, message, comments, context in extract_from_dir(
        ROOT,
        method_map,
        options_map,
        # NC_ marks a message with its context, as the Makefile's `-k NC_:1c,2` tells pybabel.
        keywords={**DEFAULT_KEYWORDS, "NC_": ((1, "c"), 2)},
        comment_tags=("Translators:",),
    ):
        catalog.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return catalog


def read(lang: str) -> Catalog:
    """The committed catalog of `lang`, or the committed template (.pot) for "pot"."""
    if lang == "pot":
        with POT.open("rb") as handle:
            return read_po(handle)
    with (PACKAGE_LOCALES / lang / "LC_MESSAGES" / "briefing.po").open("rb") as handle:
        return read_po(handle, locale=lang)


# A message is its msgid with its context (None without one): "summit meeting" and the same
# words in the context "three or more sides" are two messages with two translations.
Key = tuple[str | None, str]


def msgids(catalog: Catalog) -> list[Key]:
    return [
        (message.context, message.id)
        for message in catalog
        if message.id and isinstance(message.id, str)
    ]


def entry(catalog: Catalog, key: Key | str) -> Message | None:
    context, msgid = key if isinstance(key, tuple) else (None, key)
    return catalog.get(msgid, context=context)


def missing_translations(catalog: Catalog, wanted: Iterable[Key]) -> list[Key]:
    """The messages of `wanted` that `catalog` leaves untranslated: absent, empty or fuzzy."""
    missing = []
    for msgid in wanted:
        message = entry(catalog, msgid)
        if message is None or message.fuzzy or not str(message.string or "").strip():
            missing.append(msgid)
    return missing


def placeholders(text: str) -> tuple[list[str], list[str]]:
    """The %(name)s placeholders and the {token} fields in `text`, sorted."""
    return (
        sorted(re.findall(r"%\((\w+)\)[sd]", text)),
        sorted(re.findall(r"\{(\w+)\}", text)),
    )


def comment_text(catalog: Catalog, msgid: Key | str) -> str:
    message = entry(catalog, msgid)
    assert message is not None, msgid
    return " ".join(" ".join(message.auto_comments).split())


def test_extraction_finds_the_template_strings() -> None:
    ids = [msgid for _context, msgid in msgids(extracted())]
    assert {"Summary", "INTERNAL", "Page {page} of {pages}", "EEEE d MMMM y"} <= set(ids)
    files = {location[0] for message in extracted() for location in message.locations}
    with_gettext = {
        path.relative_to(ROOT).as_posix()
        for path in TEMPLATES_DIR.rglob("*.j2")
        if "_(" in path.read_text(encoding="utf-8")
    }
    assert with_gettext <= files, "babel.cfg misses a template with gettext strings"


def test_translator_comments_reach_the_catalog() -> None:
    catalog = extracted()
    assert "CLDR date pattern" in comment_text(catalog, "EEEE d MMMM y")
    assert "{page}" in comment_text(catalog, "Page {page} of {pages}")
    assert "joins a label" in comment_text(catalog, ": ")


def test_pot_is_up_to_date_with_the_templates() -> None:
    current, committed = extracted(), read("pot")
    assert msgids(committed) == msgids(current), "run `make catalogs`"
    for msgid in msgids(current):
        assert comment_text(committed, msgid) == comment_text(current, msgid), msgid
        assert entry(committed, msgid).flags == entry(current, msgid).flags, msgid  # type: ignore[union-attr]


@pytest.mark.parametrize("lang", TARGETS)
def test_every_template_string_is_translated(lang: str) -> None:
    assert missing_translations(read(lang), msgids(extracted())) == []


@pytest.mark.parametrize("lang", TARGETS)
def test_catalog_holds_no_strings_the_templates_dropped(lang: str) -> None:
    assert set(msgids(read(lang))) <= set(msgids(extracted())), "run `make catalogs`"


@pytest.mark.parametrize("lang", TARGETS)
def test_a_missing_or_fuzzy_translation_is_detected(lang: str) -> None:
    complete = read(lang)
    wanted = msgids(extracted())
    for msgid in wanted:
        emptied = copy.deepcopy(complete)
        entry(emptied, msgid).string = ""  # type: ignore[union-attr]
        assert missing_translations(emptied, wanted) == [msgid]

    broken = copy.deepcopy(complete)
    broken["Summary"].flags.add("fuzzy")
    del broken["Sources"]
    broken["Next steps"].string = "  "
    assert missing_translations(broken, wanted) == sorted(
        [(None, "Summary"), (None, "Sources"), (None, "Next steps")], key=wanted.index
    )
    # A message with a context is its own: the plain word's translation does not stand for it.
    contexted = copy.deepcopy(complete)
    entry(contexted, ("three or more sides", "summit meeting")).string = ""  # type: ignore[union-attr]
    assert missing_translations(contexted, wanted) == [("three or more sides", "summit meeting")]


@pytest.mark.parametrize("lang", TARGETS)
def test_placeholders_match_the_msgid(lang: str) -> None:
    catalog = read(lang)
    for msgid in msgids(catalog):
        translation = str(entry(catalog, msgid).string)  # type: ignore[union-attr]
        assert placeholders(translation) == placeholders(msgid[1]), (msgid, translation)
        names = placeholders(msgid[1])[0]
        # Jinja's newstyle gettext always %-formats the translation.
        assert "%" not in translation % dict.fromkeys(names, "x"), (msgid, translation)


def test_placeholder_check_sees_a_dropped_token() -> None:
    assert placeholders("{page}ページ") != placeholders("Page {page} of {pages}")
    assert placeholders("%(country)s") != placeholders("%(city)s, %(country)s")


def test_the_render_process_is_sent_the_compiled_catalogs_in_their_order(tmp_path: Path) -> None:
    """A template's own catalog wins over the package's; the bytes a render process is sent
    translate as the parent does, and a message no catalog holds is remembered here."""
    own = Catalog(locale="ja")
    own.add("Summary", "要旨")
    folder = tmp_path / "locales" / "ja" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    with (folder / "briefing.po").open("wb") as handle:
        write_po(handle, own)
    translations = load_translations("ja", [tmp_path / "locales"])
    assert isinstance(translations, CheckedTranslations)  # it remembers what no catalog holds
    compiled = compiled_catalogs(translations)
    assert len(compiled) == 2 and all(isinstance(data, bytes) for data in compiled)
    sent = chain(compiled)
    package = read("ja")
    for message in ("Summary", "Sources", "Participants", "Briefing note"):
        assert sent.gettext(message) == translations.gettext(message)
    assert sent.gettext("Summary") == "要旨"
    assert sent.gettext("Sources") == package["Sources"].string != "Sources"
    assert sent.gettext("A line no catalog holds") == "A line no catalog holds"
    assert translations.missing == set()
    assert translations.gettext("A line no catalog holds") == "A line no catalog holds"
    assert translations.ngettext("One thing", "%(n)s things", 2) == "%(n)s things"
    assert translations.missing == {"A line no catalog holds", "One thing"}


def test_only_catalogs_read_here_can_be_sent_to_a_render_process() -> None:
    assert compiled_catalogs(gettext.NullTranslations()) == ()
    compiled = compiled_catalogs(load_translations("ko"))
    with pytest.raises(TypeError, match="load_translations"):
        compiled_catalogs(gettext.GNUTranslations(io.BytesIO(compiled[0])))


# ---------------------------------------------------------------- rendering


@cache
def glossary() -> Glossary:
    return load_glossary(GLOSSARY)


def view(lang: str) -> BriefingView:
    facts, source = load_facts(NARA)
    translations = (
        {}
        if lang == "en"
        else {text: TranslatedText(text, Origin.machine) for text in texts_to_translate(facts)}
    )
    coverage = cover(facts.names(), glossary(), source)
    return Localizer(facts, LANGUAGES[lang], coverage, translations, MODEL_LABEL).view()


def render(briefing: BriefingView) -> ET.Element:
    markup = render_markup(find_template("summit"), briefing, load_translations(briefing.lang))
    return ET.fromstring(markup)


def texts(root: ET.Element, path: str) -> list[str]:
    return ["".join(element.itertext()) for element in root.iterfind(path)]


@pytest.mark.parametrize("lang", ["en", *TARGETS])
def test_headings_and_labels_are_in_the_document_language(lang: str) -> None:
    root = render(view(lang))
    assert texts(root, "h1") == HEADINGS[lang]
    assert texts(root, "table/tr/th") == COLUMNS[lang]
    if lang != "en":
        meta = root.find("meta")
        assert meta is not None
        fixed = [
            *texts(root, "h1"),
            *texts(root, "table/tr/th"),
            *texts(root, "p[@style='subtitle']"),
            *texts(root, "p[@style='meta']/b"),
            *texts(root, "notice"),
            *(meta.get(name, "") for name in ("category", "header", "footer")),
        ]
        english = [*HEADINGS["en"], *COLUMNS["en"], "Briefing note", "INTERNAL"]
        english += ["Date", "Place", "Type of event", "Page", "Machine translation"]
        for text in fixed:
            for word in english:
                assert word not in text, (word, text)


def test_japanese_document_text() -> None:
    root = render(view("ja"))
    meta = root.find("meta")
    assert meta is not None
    assert meta.get("header") == ""  # no handling mark unless one is chosen
    assert meta.get("footer") == "{page}/{pages}ページ"
    assert texts(root, "p[@style='subtitle']") == ["説明資料"]
    nara, japan = glossary().render("Nara", "ja"), glossary().render("Japan", "ja")
    assert texts(root, "p[@style='meta']")[1] == f"場所：{nara}（{japan}）"
    notice = texts(root, "notice")[0]
    assert notice.startswith("機械翻訳に関する注記：") and f"（{MODEL_LABEL}）" in notice
    assert any(item.endswith("（報道）[1]") for item in texts(root, "ul/li"))
    assert any(item.endswith("（予定）[1]") for item in texts(root, "ul/li"))
    assert texts(root, "p[@style='source']")[0] == (
        "[1] The Japan News「Takaichi, Lee Hold Japan-South Korea Summit in Nara, Aiming to "
        "Further Improve Ties (Update)」（令和8年1月13日）。News report based partly on unnamed "
        "government sources."
    )


def test_korean_document_text() -> None:
    root = render(view("ko"))
    meta = root.find("meta")
    assert meta is not None
    assert meta.get("header") == ""  # no handling mark unless one is chosen
    assert meta.get("footer") == "{page} / {pages}쪽"
    nara, japan = glossary().render("Nara", "ko"), glossary().render("Japan", "ko")
    assert texts(root, "p[@style='meta']")[1] == f"장소: {japan} {nara}"
    notice = texts(root, "notice")[0]
    assert notice.startswith("기계 번역 안내: ") and f"({MODEL_LABEL})" in notice
    assert any(item.endswith(". (보도)[1]") for item in texts(root, "ul/li"))


@pytest.mark.parametrize("lang", TARGETS)
def test_flagged_passages_are_marked_and_counted(lang: str) -> None:
    briefing = view(lang)
    summary = dataclasses.replace(briefing.summary, flagged=True)
    root = render(dataclasses.replace(briefing, summary=summary, flagged_count=1))
    marker = {"ja": "【訳文要確認】", "ko": " [번역 확인 필요]"}[lang]
    count = {"ja": "の表示箇所：1件。", "ko": " 표시 부분: 1건."}[lang]
    mark = root.find("p/mark")
    assert mark is not None and "".join(mark.itertext()) == marker
    assert texts(root, "notice")[0].endswith(marker.strip() + count)


@pytest.mark.parametrize(
    ("lang", "date_line", "source_date"),
    [
        ("en", "Date: Tuesday 13 January 2026", ", 13 January 2026. "),
        ("ja", "日時：令和8年1月13日（火）", "」（令和8年1月13日）。News"),
        ("ko", "일시: 2026. 1. 13.(화)", "”, 2026. 1. 13. (News"),
    ],
)
def test_dates_follow_the_locale(lang: str, date_line: str, source_date: str) -> None:
    root = render(view(lang))
    assert texts(root, "p[@style='meta']")[0] == date_line
    assert source_date in texts(root, "p[@style='source']")[0]


@pytest.mark.parametrize(
    ("lang", "date_line"),
    [
        ("en", "Date: Tuesday 13 January 2026 14:30"),
        ("ja", "日時：令和8年1月13日（火）14時30分"),
        ("ko", "일시: 2026. 1. 13.(화) 14:30"),
    ],
)
def test_event_time_follows_the_date(lang: str, date_line: str) -> None:
    root = render(dataclasses.replace(view(lang), time=dt.time(14, 30)))
    assert texts(root, "p[@style='meta']")[0] == date_line
