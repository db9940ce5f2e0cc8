"""Facts files: every schema or YAML problem is reported at the line and column where it is."""

from __future__ import annotations

import codecs
import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from briefing.errors import InputError, Problem
from briefing.facts.load import load_facts
from briefing.facts.schema import Facts
from tests.conftest import GLOSSARY, NARA

FactsYaml = Callable[[object], str]


def position(text: str, needle: str, after: str = "") -> tuple[int, int]:
    """1-based line and column of the first `needle` in `text` (after the first `after`)."""
    start = text.index(after) if after else 0
    index = text.index(needle, start)
    line = text.count("\n", 0, index) + 1
    column = index - (text.rfind("\n", 0, index) + 1) + 1
    return line, column


def only_problem(text: str | None = None, path: Path | None = None) -> Problem:
    """The single problem `load_facts` reports for `text` (or the file at `path`)."""
    with pytest.raises(InputError) as caught:
        load_facts(path or Path("facts.yaml"), text)
    problems = caught.value.problems
    assert len(problems) == 1, [str(p) for p in problems]
    return problems[0]


def located(problem: Problem) -> tuple[int | None, int | None]:
    return problem.line, problem.column


def test_minimal_facts_are_valid(minimal_facts: dict[str, Any], facts_yaml: FactsYaml) -> None:
    facts, loaded = load_facts(Path("facts.yaml"), facts_yaml(minimal_facts))
    assert [p.name for p in facts.participants] == ["Sanae Takaichi", "Lee Jae Myung"]
    assert loaded.warnings == []


def test_example_is_valid() -> None:
    facts, loaded = load_facts(NARA)
    assert isinstance(facts, Facts)
    assert loaded.warnings == []
    assert len(facts.differences) >= 1


def test_missing_field_points_at_the_item_that_lacks_it(
    minimal_facts: dict[str, Any], facts_yaml: FactsYaml
) -> None:
    del minimal_facts["participants"][0]["country"]
    text = facts_yaml(minimal_facts)
    problem = only_problem(text)
    # The key is absent, so the nearest place is the start of participants[0].
    assert located(problem) == position(text, "name: Sanae Takaichi")
    assert "missing field 'country'" in problem.message
    assert "participants[0]" in problem.message
    assert "country they represent" in problem.hint


def test_missing_field_in_second_item_points_at_that_item(
    minimal_facts: dict[str, Any], facts_yaml: FactsYaml
) -> None:
    del minimal_facts["participants"][1]["role"]
    text = facts_yaml(minimal_facts)
    problem = only_problem(text)
    assert located(problem) == position(text, "country: Republic of Korea")
    assert "missing field 'role' in participants[1]" in problem.message


def test_wrong_type_points_at_the_value(
    minimal_facts: dict[str, Any], facts_yaml: FactsYaml
) -> None:
    minimal_facts["participants"] = 3
    text = facts_yaml(minimal_facts)
    problem = only_problem(text)
    assert located(problem) == position(text, "3", after="participants:")
    assert "participants" in problem.message
    assert "list" in problem.message


def test_number_where_text_list_expected(
    minimal_facts: dict[str, Any], facts_yaml: FactsYaml
) -> None:
    minimal_facts["summary"]["sources"] = 42
    text = facts_yaml(minimal_facts)
    problem = only_problem(text)
    assert located(problem) == position(text, "42")
    assert "summary.sources" in problem.message


def test_unknown_source_id_points_at_the_list_item_citing_it(
    minimal_facts: dict[str, Any], facts_yaml: FactsYaml
) -> None:
    minimal_facts["outcomes"][0]["sources"] = ["report-1", "report-9"]
    text = facts_yaml(minimal_facts)
    problem = only_problem(text)
    assert located(problem) == position(text, "report-9")
    assert "unknown source id 'report-9'" in problem.message
    assert "report-1, report-2" in problem.hint


def test_an_unknown_source_id_hint_names_a_few_known_ids_not_all(
    minimal_facts: dict[str, Any], facts_yaml: FactsYaml
) -> None:
    """Thousands of sources and thousands of bad citations must not print thousands squared
    of ids: each hint names the first few."""
    template = dict(minimal_facts["sources"][0])
    minimal_facts["sources"] = [dict(template, id=f"report-{n}") for n in range(1, 41)]
    minimal_facts["outcomes"][0]["sources"] = ["report-99"]
    problem = only_problem(facts_yaml(minimal_facts))
    assert "report-1, report-2" in problem.hint and problem.hint.count("report-") == 12
    assert "…" in problem.hint


def test_an_empty_optional_field_says_to_leave_the_line_out(
    minimal_facts: dict[str, Any], facts_yaml: FactsYaml
) -> None:
    minimal_facts["event"]["venue"] = ""
    problem = only_problem(facts_yaml(minimal_facts))
    assert "event.venue: the value is empty" in problem.message
    assert "remove the line" in problem.hint


def test_unknown_source_id_of_a_participant(
    minimal_facts: dict[str, Any], facts_yaml: FactsYaml
) -> None:
    minimal_facts["participants"][1]["sources"] = ["nobody"]
    text = facts_yaml(minimal_facts)
    assert located(only_problem(text)) == position(text, "nobody")


def test_every_unknown_source_id_is_reported(
    minimal_facts: dict[str, Any], facts_yaml: FactsYaml
) -> None:
    minimal_facts["summary"]["sources"] = ["gone-1"]
    minimal_facts["outcomes"][0]["sources"] = ["gone-2"]
    text = facts_yaml(minimal_facts)
    with pytest.raises(InputError) as caught:
        load_facts(Path("facts.yaml"), text)
    assert {located(p) for p in caught.value.problems} == {
        position(text, "gone-1"),
        position(text, "gone-2"),
    }


def test_impossible_date_points_at_the_date(
    minimal_facts: dict[str, Any], facts_yaml: FactsYaml
) -> None:
    text = facts_yaml(minimal_facts)
    # Written unquoted, as a person would.
    text = text.replace("date: '2026-01-13'", "date: 2026-02-30")
    assert "date: 2026-02-30" in text
    problem = only_problem(text)
    assert located(problem) == position(text, "2026-02-30")
    assert "event.date" in problem.message
    assert "2026-02-30" in problem.message
    assert "YYYY-MM-DD" in problem.hint


@pytest.mark.parametrize("moment", ["0001-01-01T05:00:00+09:00", "9999-12-31T23:00:00-05:00"])
def test_a_briefing_date_outside_the_years_utc_can_hold_points_at_the_date(
    minimal_facts: dict[str, Any], facts_yaml: FactsYaml, moment: str
) -> None:
    minimal_facts["document"] = {"date": moment}
    text = facts_yaml(minimal_facts).replace(f"date: '{moment}'", f"date: {moment}")
    problem = only_problem(text)
    assert located(problem) == position(text, moment)
    assert "document.date" in problem.message and "years 1 to 9999 in UTC" in problem.message


def test_date_in_the_wrong_format(minimal_facts: dict[str, Any], facts_yaml: FactsYaml) -> None:
    minimal_facts["sources"][1]["date"] = "13/01/2026"
    text = facts_yaml(minimal_facts)
    problem = only_problem(text)
    assert located(problem) == position(text, "13/01/2026")
    assert "sources[1].date" in problem.message


def test_unknown_time_zone(minimal_facts: dict[str, Any], facts_yaml: FactsYaml) -> None:
    minimal_facts["event"]["time_zone"] = "Asia/Atlantis"
    text = facts_yaml(minimal_facts)
    problem = only_problem(text)
    assert located(problem) == position(text, "Asia/Atlantis")
    assert "unknown time zone 'Asia/Atlantis'" in problem.message


def test_unknown_field_points_at_the_misspelt_key(
    minimal_facts: dict[str, Any], facts_yaml: FactsYaml
) -> None:
    minimal_facts["event"]["venu"] = "Nara Hotel"
    text = facts_yaml(minimal_facts)
    problem = only_problem(text)
    assert located(problem) == position(text, "venu:")
    assert "unknown field 'venu' in event" in problem.message
    assert "spelling" in problem.hint


def test_unknown_field_with_a_block_value_points_at_the_key_not_the_value(
    minimal_facts: dict[str, Any], facts_yaml: FactsYaml
) -> None:
    minimal_facts["participants"][0]["extras"] = {"note": "x"}
    text = facts_yaml(minimal_facts)
    assert "extras:\n" in text  # the value starts on the next line
    problem = only_problem(text)
    assert located(problem) == position(text, "extras:")


def test_duplicate_key_points_at_the_second_one(
    minimal_facts: dict[str, Any], facts_yaml: FactsYaml
) -> None:
    text = facts_yaml(minimal_facts).replace("  city: Nara\n", "  city: Nara\n  city: Osaka\n")
    problem = only_problem(text)
    assert located(problem) == position(text, "city: Osaka")
    assert "duplicate key 'city' in event" in problem.message


def test_yaml_syntax_error_is_located(minimal_facts: dict[str, Any], facts_yaml: FactsYaml) -> None:
    # An unquoted ': ' inside a value: the second colon is where YAML gives up.
    text = facts_yaml(minimal_facts).replace("kind: summit meeting", "kind: summit: meeting")
    problem = only_problem(text)
    assert located(problem) == position(text, ": meeting")
    assert problem.message.startswith("YAML syntax")
    assert "quoted" in problem.hint


def test_anchors_and_aliases_are_refused(
    minimal_facts: dict[str, Any], facts_yaml: FactsYaml
) -> None:
    text = facts_yaml(minimal_facts)
    text = text.replace("title: Prime Minister", "title: &office Prime Minister")
    text = text.replace("title: President", "title: *office")
    problem = only_problem(text)
    assert located(problem) == position(text, "&office")
    assert "anchors and aliases" in problem.message


def test_byte_order_mark_does_not_shift_positions(
    tmp_path: Path, minimal_facts: dict[str, Any], facts_yaml: FactsYaml
) -> None:
    minimal_facts["event"]["time_zone"] = "Asia/Atlantis"
    text = facts_yaml(minimal_facts)
    path = tmp_path / "bom.yaml"
    path.write_bytes(codecs.BOM_UTF8 + text.encode("utf-8"))
    assert located(only_problem(path=path)) == position(text, "Asia/Atlantis")


def test_clean_text_gives_no_warning(minimal_facts: dict[str, Any], facts_yaml: FactsYaml) -> None:
    minimal_facts["summary"]["text"] = "Tabs\tand line\nbreaks are fine."
    _, loaded = load_facts(Path("facts.yaml"), facts_yaml(minimal_facts))
    assert loaded.warnings == []


def test_every_problem_is_reported_at_once(
    minimal_facts: dict[str, Any], facts_yaml: FactsYaml
) -> None:
    broken = copy.deepcopy(minimal_facts)
    del broken["participants"][0]["country"]
    broken["event"]["date"] = "2026-13-01"
    broken["participants"][1]["role"] = "emperor"
    text = facts_yaml(broken)
    with pytest.raises(InputError) as caught:
        load_facts(Path("facts.yaml"), text)
    assert {located(p) for p in caught.value.problems} == {
        position(text, "name: Sanae Takaichi"),
        position(text, "'2026-13-01'"),
        position(text, "emperor"),
    }


def test_problem_text_names_file_line_and_column(
    minimal_facts: dict[str, Any], facts_yaml: FactsYaml
) -> None:
    minimal_facts["event"]["time_zone"] = "Nowhere"
    text = facts_yaml(minimal_facts)
    line, column = position(text, "Nowhere")
    problem = only_problem(text)
    assert str(problem).startswith(f"facts.yaml:{line}:{column}: error: ")


def test_top_level_must_be_a_mapping() -> None:
    problem = only_problem("- just\n- a list\n")
    assert located(problem) == (1, 1)
    assert "mapping" in problem.message


def test_a_glossary_given_as_facts_is_named_as_one() -> None:
    """`briefing build sources/*.yaml` takes in the glossary beside the facts: say what it is
    instead of listing the facts fields it lacks."""
    with pytest.raises(InputError) as caught:
        load_facts(GLOSSARY)
    (problem,) = caught.value.problems
    assert "this is a glossary" in problem.message and problem.line is not None
    assert GLOSSARY.read_text(encoding="utf-8").splitlines()[problem.line - 1].startswith("terms")
