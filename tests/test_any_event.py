"""Any event: names never from a machine, kinds from the catalogs, several days, strict builds.

The facts in fixtures/events/unknown-names.yaml hold no name any glossary knows: three
ministers from three countries, two days, a city and venue that are nowhere in the term base.
The Japanese and Korean documents are built through the real engine path with the tiny Argos
packages; what reaches the model is recorded on its way in (the real method is called), so the
tests can show that no name was ever sent.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import docx
import pytest
from babel.dates import format_interval
from babel.messages.pofile import read_po
from docx.oxml.ns import qn
from docx.styles.style import CharacterStyle, ParagraphStyle
from docx.text.run import Run

from briefing.build import BuildRequest, build
from briefing.cli.build_report import report_as_json
from briefing.facts.load import load_facts
from briefing.kinds import KINDS
from briefing.languages import LANGUAGES
from briefing.output.environment import RANGE
from briefing.output.template import TEMPLATES_DIR
from briefing.report import BuildReport
from briefing.terms.coverage import term_id
from briefing.terms.glossary import EMPTY, Glossary, Term
from briefing.terms.layers import load_term_base
from briefing.terms.protect import translate_protected
from briefing.translation.engines.argos import ArgosEngine, Decoding, LoadedModel
from briefing.translation.stage import TranslationStage
from tests.conftest import FIXTURES, ROOT, invoke, run_cli


def term(**fields: object) -> Term:
    """A term as the term base's file writes it: one key per language."""
    return Term.model_validate(fields)


UNKNOWN = FIXTURES / "events" / "unknown-names.yaml"
TELEPHONE = ROOT / "sources" / "2025-10-25-japan-us-telephone-talk.yaml"
LOCALES = ROOT / "briefing" / "locales"
TARGETS = ("ja", "ko")


def catalog_text(lang: str, msgid: str, context: str | None = None, **values: object) -> str:
    with (LOCALES / lang / "LC_MESSAGES" / "briefing.po").open("rb") as handle:
        message = read_po(handle, locale=lang).get(msgid, context=context)
    assert message is not None, (context, msgid)
    text = str(message.string)
    return text % values if values else text


def structured_names() -> dict[str, str]:
    """Every structured field of the unknown-names facts, by its path: read from the file."""
    facts, _ = load_facts(UNKNOWN)
    event = facts.event
    names = {
        "event.title": event.title,
        "event.venue": event.venue or "",
        "event.city": event.city,
        "event.host_country": event.host_country,
    }
    for i, p in enumerate(facts.participants):
        names[f"participants[{i}].name"] = p.name
        names[f"participants[{i}].title"] = p.title
        names[f"participants[{i}].country"] = p.country
    return names


@dataclass
class Built:
    report: BuildReport
    sent: list[str]  # every text that reached the model, as the engine received it
    out: Path


@pytest.fixture(scope="module")
def built(tiny_models_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Built:
    out = tmp_path_factory.mktemp("unknown") / "out"
    sent: list[str] = []
    real_encode = LoadedModel.encode

    def recording(self: LoadedModel, texts: list[str]) -> list[list[str]]:
        sent.extend(texts)
        return real_encode(self, texts)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(LoadedModel, "encode", recording)
        translation = TranslationStage(
            ArgosEngine(tiny_models_dir, Decoding(max_decoding_length=32)), EMPTY, None
        )
        languages = [LANGUAGES[code] for code in ("en", *TARGETS)]
        report = build(BuildRequest([UNKNOWN], languages, out), translation)
    return Built(report, sent, out)


def highlighted_runs(document: docx.document.Document) -> list[str]:
    runs = [run for p in document.paragraphs for run in p.runs]
    runs += [
        run
        for table in document.tables
        for row in table.rows
        for cell in row.cells
        for p in cell.paragraphs
        for run in p.runs
    ]
    return [
        run.text for run in runs if run._r.find(f"{qn('w:rPr')}/{qn('w:highlight')}") is not None
    ]


def all_runs(document: docx.document.Document) -> list[Run]:
    runs = [run for p in document.paragraphs for run in p.runs]
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                runs += [run for p in cell.paragraphs for run in p.runs]
    return runs


def text_of(document: docx.document.Document) -> str:
    cells = [c.text for t in document.tables for r in t.rows for c in r.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


# ---------------------------------------------------------------- names never from a machine


def test_no_name_reaches_the_model(built: Built) -> None:
    assert built.report.exit_code == 0, [str(p) for p in built.report.problems]
    assert built.sent, "the free text went through the model"
    for field, name in structured_names().items():
        leaked = [text for text in built.sent if name in text]
        assert leaked == [], (field, name, leaked)


@pytest.mark.parametrize("lang", TARGETS)
def test_names_print_in_english_and_highlighted(built: Built, lang: str) -> None:
    document = docx.Document(str(built.out / f"{UNKNOWN.stem}.{lang}.docx"))
    marked = highlighted_runs(document)
    for field, name in structured_names().items():
        assert any(name in run for run in marked), (field, name)
    assert document.paragraphs[0].text == structured_names()["event.title"]
    table = document.tables[0]
    facts, _ = load_facts(UNKNOWN)
    for row, participant in zip(table.rows[1:], facts.participants, strict=True):
        assert [c.text for c in row.cells[:3]] == [
            participant.name,
            participant.title,
            participant.country,
        ]
    # The notice counts the different names printed in English: the two ministers' offices
    # the term base lacks are one name on the page ("Minister of Foreign Affairs"), two
    # entries to add in the report.
    reported = built.report.documents[[d.lang for d in built.report.documents].index(lang)]
    printed = set(structured_names().values())
    assert len(reported.kept_in_english) == len(printed) + 1
    notice = catalog_text(
        lang,
        "Names not yet in the term base are printed in English, highlighted and underlined "
        "with dots wherever they appear; different names so marked: %(count)s.",
        count=len(printed),
    )
    assert notice in text_of(document)


def test_the_english_document_marks_nothing(built: Built) -> None:
    document = docx.Document(str(built.out / f"{UNKNOWN.stem}.en.docx"))
    assert highlighted_runs(document) == []
    [english] = [d for d in built.report.documents if d.lang == "en"]
    assert english.kept_in_english == []


@pytest.mark.parametrize("lang", TARGETS)
def test_the_report_lists_each_name_with_the_entry_to_add(built: Built, lang: str) -> None:
    [outcome] = [d for d in built.report.documents if d.lang == lang]
    listed = {kept.field: kept for kept in outcome.kept_in_english}
    lines = UNKNOWN.read_text(encoding="utf-8").splitlines()
    names = structured_names()
    for field in ("event.title", "event.venue", "event.city", "event.host_country"):
        kept = listed[field]
        assert kept.english == names[field]
        line = int(kept.location.split(":")[-2])
        assert names[field] in lines[line - 1], (field, kept.location)
        assert kept.entry["en"] == names[field] and kept.entry["ja"] == kept.entry["ko"] == ""
    assert listed["participants[0].name"].entry["kind"] == "person"
    assert listed["participants[0].title"].english == "Minister of Foreign Affairs of Chile"
    assert listed["participants[0].title"].entry["kind"] == "office"
    assert listed["event.venue"].entry == {
        "id": "palacio-vergara",
        "kind": "place",
        "en": "Palacio Vergara",
        "ja": "",
        "ko": "",
    }
    as_json = report_as_json(built.report)
    documents = as_json["documents"]
    assert isinstance(documents, list)
    [document] = [d for d in documents if d["lang"] == lang]
    assert {k["english"] for k in document["kept_in_english"]} == {
        k.english for k in outcome.kept_in_english
    }
    json.dumps(as_json)  # the report is plain JSON


def test_strict_fails_with_exit_2_and_writes_nothing_for_those_languages(
    tiny_models_dir: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    result = run_cli(
        "build", UNKNOWN, "--lang", "en,ja,ko", "--out", out, "--strict",
        "--models-dir", tiny_models_dir, "--tm", tmp_path / "tm.sqlite",
        "--report", tmp_path / "report.json", cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 2, result.stderr
    assert (out / f"{UNKNOWN.stem}.en.docx").is_file()
    for lang in TARGETS:
        assert not (out / f"{UNKNOWN.stem}.{lang}.docx").exists()
    assert "--strict" in result.stderr
    assert "kept in English" in result.stderr and "Palacio Vergara" in result.stderr
    report = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    statuses = {d["lang"]: d["status"] for d in report["documents"]}
    assert statuses == {"en": "written", "ja": "failed", "ko": "failed"}


def test_a_name_the_event_glossary_adds_is_no_longer_kept(tmp_path: Path) -> None:
    facts = tmp_path / "event.yaml"
    facts.write_text(
        UNKNOWN.read_text(encoding="utf-8")
        + "glossary:\n  - {id: chile, kind: place, en: Chile, ja: チリ, ko: 칠레}\n",
        encoding="utf-8",
    )
    report = build(BuildRequest([facts], [LANGUAGES["ja"]], tmp_path / "out"), None)
    assert report.missing  # no model: the ja document is not written, the check still runs
    result = run_cli("validate", facts, cwd=tmp_path)
    assert result.returncode == 0
    assert "'Chile' is not in the glossary" not in result.stderr
    assert "'Norway' is not in the glossary" in result.stderr


def test_the_telephone_example_needs_no_name_in_english(
    tiny_models_dir: Path, tmp_path: Path
) -> None:
    translation = TranslationStage(
        ArgosEngine(tiny_models_dir, Decoding(max_decoding_length=32)), EMPTY, None
    )
    languages = [LANGUAGES[code] for code in ("en", *TARGETS)]
    terms = load_term_base([], [TELEPHONE])  # sources/glossary.yaml, found beside the facts
    report = build(BuildRequest([TELEPHONE], languages, tmp_path, glossary=terms), translation)
    assert report.exit_code == 0, [str(p) for p in report.problems]
    assert [d.kept_in_english for d in report.documents] == [[], [], []]
    ja = docx.Document(str(tmp_path / f"{TELEPHONE.stem}.ja.docx"))
    assert ja.paragraphs[0].text == "日米首脳電話会談"
    assert catalog_text("ja", "telephone talks") in text_of(ja)


# ---------------------------------------------------------------- facts for any event


@pytest.mark.parametrize("lang", ("en", *TARGETS))
def test_an_event_over_two_days_prints_its_days_in_the_language_s_style(
    built: Built, lang: str
) -> None:
    """English as CLDR writes an interval; Japanese and Korean as their governments write a
    range (tests/test_official_style.py has every style)."""
    facts, _ = load_facts(UNKNOWN)
    assert facts.event.end_date is not None
    document = docx.Document(str(built.out / f"{UNKNOWN.stem}.{lang}.docx"))
    expected = {
        "en": format_interval(
            facts.event.date, facts.event.end_date, RANGE, locale=LANGUAGES[lang].locale
        ),
        "ja": "令和8年3月21日（土）～22日（日）",
        "ko": "2026. 3. 21.(토)~22.(일)",
    }[lang]
    assert expected in text_of(document)


def test_an_end_date_before_the_date_is_a_located_error(tmp_path: Path) -> None:
    facts = tmp_path / "event.yaml"
    facts.write_text(
        UNKNOWN.read_text(encoding="utf-8").replace("end_date: 2026-03-22", "end_date: 2026-03-20"),
        encoding="utf-8",
    )
    result = run_cli("validate", facts, cwd=tmp_path)
    assert result.returncode == 2
    line = facts.read_text(encoding="utf-8").splitlines().index("  end_date: 2026-03-20") + 1
    assert f"{facts}:{line}:13: error: event.end_date: value error, end_date 2026-03-20 is " in (
        result.stderr
    )


@pytest.mark.parametrize("lang", TARGETS)
def test_the_kind_comes_from_the_catalog(built: Built, lang: str) -> None:
    document = docx.Document(str(built.out / f"{UNKNOWN.stem}.{lang}.docx"))
    # Three countries: the word for a meeting of three or more sides (外相会合 / 외교장관회의).
    word = catalog_text(lang, "foreign ministers' meeting", "three or more sides")
    assert word in text_of(document)
    assert catalog_text(lang, "foreign ministers' meeting") not in text_of(document)


@pytest.mark.parametrize("lang", TARGETS)
def test_every_kind_is_translated_in_the_catalogs(lang: str) -> None:
    with (LOCALES / lang / "LC_MESSAGES" / "briefing.po").open("rb") as handle:
        catalog = read_po(handle, locale=lang)
    for kind in KINDS:
        message = catalog.get(kind)
        assert message is not None and str(message.string).strip(), kind
        assert not message.fuzzy, kind


def test_an_unknown_kind_is_a_located_error_listing_the_allowed_ones(tmp_path: Path) -> None:
    facts = tmp_path / "event.yaml"
    text = UNKNOWN.read_text(encoding="utf-8").replace(
        "kind: foreign ministers' meeting", "kind: ocean dialogue"
    )
    facts.write_text(text, encoding="utf-8")
    result = run_cli("validate", facts, cwd=tmp_path)
    assert result.returncode == 2
    line = text.splitlines().index("  kind: ocean dialogue") + 1
    assert f"{facts}:{line}:9: error: unknown event kind 'ocean dialogue'; allowed: " in (
        result.stderr
    )
    assert ", ".join(KINDS) in result.stderr
    # a glossary term is the escape hatch
    facts.write_text(
        text + "glossary:\n  - {id: ocean-dialogue, kind: event, en: ocean dialogue, "
        "ja: 海洋対話, ko: 해양 대화}\n",
        encoding="utf-8",
    )
    assert run_cli("validate", facts, cwd=tmp_path).returncode == 0


# ---------------------------------------------------------------- typography


@pytest.mark.parametrize("lang", TARGETS)
def test_japanese_and_korean_documents_set_nothing_in_italics(built: Built, lang: str) -> None:
    document = docx.Document(str(built.out / f"{UNKNOWN.stem}.{lang}.docx"))
    assert [run.text for run in all_runs(document) if run.italic] == []
    assert [style.name for style in slanted_styles(document)] == []
    english = docx.Document(str(built.out / f"{UNKNOWN.stem}.en.docx"))
    assert any(run.italic for run in all_runs(english)), "the check can see italics"
    assert "Note" in [style.name for style in slanted_styles(english)], "and italic styles"


def slanted_styles(document: docx.document.Document) -> list[ParagraphStyle | CharacterStyle]:
    """Styles the document's paragraphs and runs use that set their text in italics."""
    used = [p.style for p in document.paragraphs] + [r.style for r in all_runs(document)]
    slanted = {s.name: s for s in used if s is not None and s.font.italic}
    return list(slanted.values())


def _copying(texts: list[str]) -> list[str]:
    """A stand-in model that keeps its input, placeholders included (as a real one should)."""
    return list(texts)


def _spacing(texts: list[str]) -> list[str]:
    """A model that writes a space between a placeholder and the punctuation after it."""
    return [t.replace("ZX1.", "ZX1 .").replace("ZX1,", "ZX1 ,") for t in texts]


def _dropping(texts: list[str]) -> list[str]:
    """A model that loses placeholders: the second method translates between the terms."""
    return [t.replace("ZX1", "").replace("ZX2", "") for t in texts]


NARA = Glossary(
    version="t",
    terms=[
        term(id="nara", kind="place", en="Nara", ja="奈良市", ko="나라시"),
        term(id="japan", kind="place", en="Japan", ja="日本", ko="일본"),
    ],
)


@pytest.mark.parametrize("engine", [_copying, _spacing, _dropping])
def test_punctuation_after_a_restored_term_follows_the_language(
    engine: Callable[[list[str]], list[str]],
) -> None:
    segments = ["They met in Nara.", "In Nara, Japan spoke."]
    ja = [o.text for o in translate_protected(segments, NARA, "ja", engine)]
    ko = [o.text for o in translate_protected(segments, NARA, "ko", engine)]
    assert ja[0].endswith("奈良市。") and "." not in ja[0]
    assert "奈良市、" in ja[1] and "奈良市、 " not in ja[1] and "," not in ja[1]
    assert ko[0].endswith("나라시.") and " ." not in ko[0]
    assert "나라시," in ko[1] and " ," not in ko[1]


def test_a_string_missing_from_a_catalog_is_a_build_warning(
    tiny_models_dir: Path, tmp_path: Path
) -> None:
    template = tmp_path / "summit"
    shutil.copytree(TEMPLATES_DIR / "summit", template)
    document = template / "document.xml.j2"
    heading = '<h1>{{ _("Summary") }}</h1>'
    extra = '<p>{{ _("A line no catalog holds") }}</p>'
    text = document.read_text(encoding="utf-8")
    document.write_text(text.replace(heading, f"{heading}\n{extra}"), encoding="utf-8")
    translation = TranslationStage(
        ArgosEngine(tiny_models_dir, Decoding(max_decoding_length=32)), EMPTY, None
    )
    terms = load_term_base([], [TELEPHONE])
    request = BuildRequest(
        [TELEPHONE], [LANGUAGES["ja"]], tmp_path / "out", str(template), glossary=terms
    )
    report = build(request, translation)
    [warning] = [p for p in report.problems if "A line no catalog holds" in p.message]
    assert warning.severity == "warning"
    assert warning.path == LOCALES / "ja" / "LC_MESSAGES" / "briefing.po"
    assert report.exit_code == 0  # a warning, not a failure
    written = docx.Document(str(tmp_path / "out" / f"{TELEPHONE.stem}.ja.docx"))
    assert "A line no catalog holds" in text_of(written)


def test_suggested_ids_split_words_at_any_punctuation_and_drop_accents() -> None:
    assert term_id("Japan–Republic of Korea Summit Meeting") == (
        "japan-republic-of-korea-summit-meeting"
    )
    assert term_id("Valparaíso") == "valparaiso"
    assert term_id("Minister of Foreign Affairs/Trade (acting)") == (
        "minister-of-foreign-affairs-trade-acting"
    )
    assert term_id("長生炭鉱") == "term"


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", "Sunday 22 March 2026, from 15:20 on the first day"),
        ("ja", "令和8年3月21日（土）～22日（日）（初日15時20分から）"),
        ("ko", "2026. 3. 21.(토)~22.(일) (첫날 15:20부터)"),
    ],
)
def test_the_start_time_of_an_event_over_days_is_said_to_be_the_first_day_s(
    tiny_models_dir: Path, tmp_path: Path, lang: str, expected: str
) -> None:
    """Printed after the range, the time read as the last day's: "…～22日（日）15時20分"."""
    text = UNKNOWN.read_text(encoding="utf-8")
    facts = tmp_path / UNKNOWN.name
    facts.write_text(
        text.replace("  end_date: 2026-03-22\n", '  end_date: 2026-03-22\n  time: "15:20"\n')
    )
    result = invoke(
        "build", facts, "--lang", lang, "--out", tmp_path / "out",
        "--models-dir", tiny_models_dir, "--tm", tmp_path / "tm.sqlite",
    )  # fmt: skip
    assert result.returncode == 0, result.output
    document = docx.Document(str(tmp_path / "out" / f"{UNKNOWN.stem}.{lang}.docx"))
    assert expected in text_of(document)
