"""The term base's coverage of a facts file: worked out once, read by the translation stage (what
it protects), the output stage (what it marks and counts) and the report (what to add)."""

from __future__ import annotations

from pathlib import Path

import pytest

from briefing.facts.check import CheckedFacts, check_facts
from briefing.languages import LANGUAGES
from briefing.output.localize import Localizer
from briefing.terms.layers import load_term_base
from tests.conftest import FIXTURES, GLOSSARY, NARA

UNKNOWN = FIXTURES / "events" / "unknown-names.yaml"


def checked(path: Path, text: str | None = None, tmp_path: Path | None = None) -> CheckedFacts:
    """`path` (or `text` written under its name in `tmp_path`) over the base and the workspace."""
    if text is not None and tmp_path is not None:
        path = tmp_path / path.name
        path.write_text(text, encoding="utf-8")
    return check_facts(path, load_term_base([GLOSSARY], [path]))


def test_each_missing_name_once_in_document_order_an_office_with_its_country() -> None:
    missing = checked(UNKNOWN).coverage.missing
    assert [(item.field, item.english, item.kind) for item in missing] == [
        ("event.title", "Valparaíso Trilateral Foreign Ministers' Meeting", "event"),
        ("event.venue", "Palacio Vergara", "place"),
        ("event.city", "Valparaíso", "place"),
        ("event.host_country", "Chile", "place"),
        ("participants[0].name", "Valentina Ruiz Tagle", "person"),
        ("participants[0].title", "Minister of Foreign Affairs of Chile", "office"),
        ("participants[1].name", "Ingrid Solheim", "person"),
        ("participants[1].title", "Minister of Foreign Affairs of Norway", "office"),
        ("participants[1].country", "Norway", "place"),
        ("participants[2].name", "Daniel Mwangi Otieno", "person"),
        ("participants[2].title", "Cabinet Secretary for Foreign Affairs of Kenya", "office"),
        ("participants[2].country", "Kenya", "place"),
    ]


def test_the_protected_glossary_keeps_missing_names_in_english_but_not_offices() -> None:
    coverage = checked(UNKNOWN).coverage
    kept = coverage.protected.terms[len(coverage.glossary.terms) :]
    assert coverage.protected.terms[: len(coverage.glossary.terms)] == coverage.glossary.terms
    assert [term.en for term in kept] == [
        item.english for item in coverage.missing if item.kind != "office"
    ]
    for term in kept:
        assert set(term.forms.values()) == {term.en}
    assert coverage.protected.lookup("Minister of Foreign Affairs of Chile") is None


def test_a_file_the_term_base_covers_has_nothing_missing_and_protects_the_glossary() -> None:
    coverage = checked(NARA).coverage
    assert coverage.missing == () and coverage.warnings == () and coverage.errors == ()
    assert coverage.protected is coverage.glossary


def test_each_missing_name_is_a_warning_at_its_place_naming_the_entry_to_add() -> None:
    result = checked(UNKNOWN)
    lines = UNKNOWN.read_text(encoding="utf-8").splitlines()
    assert len(result.coverage.warnings) == len(result.coverage.missing)
    first = result.coverage.warnings[0]
    assert first.severity == "warning" and first.line is not None
    assert lines[first.line - 1].strip().startswith("title: Valparaíso")
    assert "id: valparaiso-trilateral-foreign-ministers-meeting, kind: event" in first.hint
    assert result.warnings[-len(result.coverage.warnings) :] == list(result.coverage.warnings)


def test_an_office_the_persons_own_term_titles_is_not_missing(tmp_path: Path) -> None:
    text = UNKNOWN.read_text(encoding="utf-8") + (
        "glossary:\n"
        "  - id: ingrid-solheim\n    kind: person\n    en: Ingrid Solheim\n"
        "    ja: イングリッド・ソールハイム\n    ko: 잉그리드 솔하임\n"
        "    title: {en: Foreign Minister of Norway, ja: ノルウェー外相, ko: 노르웨이 외교장관}\n"
    )
    result = checked(UNKNOWN, text, tmp_path)
    fields = [item.field for item in result.coverage.missing]
    assert "participants[1].name" not in fields and "participants[1].title" not in fields
    view = Localizer(result.facts, LANGUAGES["ja"], result.coverage, {}).view()
    assert view.participants[1].title.text == "ノルウェー外相"
    assert not view.participants[1].title.missing


def test_a_kind_outside_the_vocabulary_needs_a_term_and_is_never_kept(tmp_path: Path) -> None:
    text = UNKNOWN.read_text(encoding="utf-8").replace(
        "kind: foreign ministers' meeting", "kind: ocean dialogue"
    )
    result = checked(UNKNOWN, text, tmp_path)
    assert [p.message.split(";")[0] for p in result.errors] == [
        "unknown event kind 'ocean dialogue'"
    ]
    assert result.errors[0].line == text.splitlines().index("  kind: ocean dialogue") + 1
    assert result.coverage.protected.lookup("ocean dialogue") is None
    covered = checked(
        UNKNOWN,
        text + "glossary:\n  - {id: ocean-dialogue, kind: event, en: ocean dialogue, "
        "ja: 海洋対話, ko: 해양 대화}\n",
        tmp_path,
    )
    assert covered.errors == ()
    assert "event.kind" not in [item.field for item in covered.coverage.missing]


@pytest.mark.parametrize("lang", ["en", "ja", "ko"])
def test_the_notice_counts_what_the_coverage_found(lang: str) -> None:
    result = checked(UNKNOWN)
    view = Localizer(result.facts, LANGUAGES[lang], result.coverage, {}).view()
    # The count is of different names printed in English: an office the term base lacks for
    # two countries ("President") is one name on the page, printed twice.
    printed = {
        result.facts.participants[int(m.loc[1])].title if m.kind == "office" else m.english
        for m in result.coverage.missing
    }
    expected = 0 if LANGUAGES[lang].is_source else len(printed)
    assert view.kept_in_english == expected
    names = [view.title, view.city, *(row.name for row in view.participants)]
    assert all(name.missing for name in names) == (not LANGUAGES[lang].is_source)
