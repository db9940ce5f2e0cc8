"""The term base in layers: the base shipped with the package, the workspace's, the event's.

Layers override by id; the same English form in terms of different layers is reported with
both places; `briefing glossary check` lints files with file:line:column; a --glossary path
that does not exist is an error.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from briefing.errors import InputError
from briefing.facts.load import load_facts
from briefing.terms.check import check_files, normal_form
from briefing.terms.glossary import read_glossary
from briefing.terms.layers import Stack, base_layer, base_path, beside, merge, read_layer
from tests.conftest import GLOSSARY, NARA, ROOT, run_cli

G20 = [
    "argentina", "australia", "brazil", "canada", "china", "france", "germany", "india",
    "indonesia", "italy", "japan", "mexico", "russia", "saudi-arabia", "south-africa",
    "republic-of-korea", "turkiye", "united-kingdom", "united-states", "european-union",
    "african-union",
]  # fmt: skip
ASEAN = [
    "brunei", "cambodia", "indonesia", "laos", "malaysia", "myanmar", "philippines",
    "singapore", "thailand", "vietnam", "timor-leste",
]  # fmt: skip
OFFICES = [
    "emperor-of-japan", "prime-minister-of-japan", "minister-for-foreign-affairs-of-japan",
    "president-of-the-republic-of-korea", "prime-minister-of-the-republic-of-korea",
    "minister-of-foreign-affairs-of-the-republic-of-korea", "president-of-china",
    "premier-of-china", "minister-of-foreign-affairs-of-china", "president-of-the-united-states",
    "us-secretary-of-state",
]  # fmt: skip
GROUPINGS = [
    "united-nations", "asean", "apec", "g7", "g20", "iaea", "wto", "european-union", "nato",
    "oecd", "quad",
]  # fmt: skip
CAPITALS = {
    "north-korea": "pyongyang", "republic-of-korea": "seoul", "japan": "tokyo", "china": "beijing",
    "united-states": "washington-dc", "timor-leste": "dili", "singapore": "singapore",
}  # fmt: skip


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def line_of(path: Path, needle: str) -> int:
    """The 1-based line of `needle` in `path`: expectations are read from the file."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not in {path}")


# ---------------------------------------------------------------- the base term base


def test_the_base_ships_inside_the_package_and_covers_what_recurs() -> None:
    assert base_path().is_relative_to(ROOT / "briefing"), "found through importlib.resources"
    ids = {term.id for term in base_layer().terms}
    for wanted in (G20, ASEAN, OFFICES, GROUPINGS, ["north-korea", "south-korea"]):
        assert set(wanted) <= ids, set(wanted) - ids
    for country, capital in CAPITALS.items():
        assert {country, capital} <= ids
    # each G20 and ASEAN country has its capital as a term (the EU and the AU are not countries)
    places = [t for t in base_layer().terms if t.kind == "place"]
    assert len(places) >= 2 * (len(set(G20) | set(ASEAN)) - 2) - 1  # Singapore is both


def test_every_base_form_says_where_it_was_checked() -> None:
    raw = YAML(typ="safe").load(base_path().read_text(encoding="utf-8"))
    for term in raw["terms"]:
        checked = term.get("checked", {})
        for lang in ("ja", "ko"):
            note = checked.get(lang, "")
            assert note.strip(), (term["id"], lang)
            assert "http" in note or note.startswith("not verified"), (term["id"], lang, note)


def test_the_base_passes_its_own_lint() -> None:
    result = check_files([base_path()])
    assert result.errors == 0, [str(p) for p in result.problems]
    assert result.warnings == 0, [str(p) for p in result.problems]


def test_the_workspace_glossary_sits_on_the_base_without_conflicts() -> None:
    layered = Stack([GLOSSARY]).without_event()
    assert layered.problems == ()
    # a workspace term replaces the base term with the same id
    workspace_ids = {t.id for t in read_layer("workspace", GLOSSARY).terms}
    replaced = workspace_ids & {t.id for t in base_layer().terms}
    assert "japan" in replaced
    for term_id in replaced:
        assert layered.origin[term_id][0].name == "workspace"


# ---------------------------------------------------------------- layering


def test_a_later_layer_overrides_by_id_and_the_event_layer_is_on_top(tmp_path: Path) -> None:
    workspace = write(
        tmp_path / "glossary.yaml",
        "version: '1'\nterms:\n"
        "  - {id: australia, kind: place, en: Australia, ja: 豪州, ko: 호주}\n"
        "  - {id: tokyo, kind: place, en: Tokyo, ja: 東京都, ko: 도쿄도}\n",
    )
    facts = tmp_path / "event.yaml"
    facts.write_text(
        NARA.read_text(encoding="utf-8")
        + "\nglossary:\n  - {id: tokyo, kind: place, en: Tokyo, ja: 東京, ko: 도쿄}\n",
        encoding="utf-8",
    )
    loaded_facts, source = load_facts(facts)
    layered = Stack([workspace]).for_facts(facts, source, loaded_facts.glossary)
    assert base_layer().terms[[t.id for t in base_layer().terms].index("australia")].form("ja") == (
        "オーストラリア"
    )
    assert layered.glossary.render("Australia", "ja") == "豪州"  # workspace over base
    assert layered.glossary.render("Tokyo", "ja") == "東京"  # event over workspace
    assert layered.origin["tokyo"][0].name == "event"
    assert layered.glossary.render("Nara", "ja") is None  # the workspace file replaced none
    assert layered.problems == ()


def test_a_glossary_file_beside_the_facts_is_the_events_layer(tmp_path: Path) -> None:
    facts = tmp_path / "talks.yaml"
    facts.write_text(NARA.read_text(encoding="utf-8"), encoding="utf-8")
    write(
        beside(facts),
        "version: e\nterms:\n  - {id: nara-city, kind: place, en: Nara, ja: ならし, ko: 나라}\n",
    )
    assert beside(facts).name == "talks.glossary.yaml"
    loaded_facts, source = load_facts(facts)
    layered = Stack([GLOSSARY]).for_facts(facts, source, loaded_facts.glossary)
    assert layered.glossary.render("Nara", "ja") == "ならし"


def test_one_english_form_in_two_layers_is_reported_with_both_places(tmp_path: Path) -> None:
    workspace = write(
        tmp_path / "glossary.yaml",
        "version: '1'\nterms:\n"
        "  - id: tokyo-metropolis\n"
        "    kind: place\n"
        "    en: Tokyo Metropolis\n"
        "    variants: [Tokyo]\n"
        "    ja: 東京都\n"
        "    ko: 도쿄도\n",
    )
    layered = merge([base_layer(), read_layer("workspace", workspace)])
    assert len(layered.problems) == 1
    problem = layered.problems[0]
    assert problem.severity == "warning"
    assert (problem.path, problem.line) == (workspace, line_of(workspace, "- id: tokyo-metropolis"))
    base_line = line_of(base_path(), "- id: tokyo")
    assert f"{base_path()}:{base_line}" in problem.message
    assert "'Tokyo'" in problem.message and "'tokyo-metropolis' is used" in problem.message
    assert layered.glossary.render("Tokyo", "ja") == "東京都"  # the later layer wins the form


def test_two_terms_of_one_layer_sharing_a_form_is_an_error(tmp_path: Path) -> None:
    path = write(
        tmp_path / "glossary.yaml",
        "version: '1'\nterms:\n"
        "  - {id: a, kind: place, en: Seoul, ja: ソウル, ko: 서울}\n"
        "  - {id: b, kind: place, en: Seoul City, variants: [Seoul], ja: ソウル市, ko: 서울시}\n",
    )
    with pytest.raises(InputError) as raised:
        read_glossary(path)
    [problem] = raised.value.problems
    assert problem.line == 4 and "'Seoul' belongs to both 'a' and 'b'" in problem.message


def test_a_missing_glossary_path_is_an_error_never_an_empty_glossary(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere" / "glossary.yaml"
    for command in (
        ["build", str(NARA), "--lang", "en", "--out", str(tmp_path / "out")],
        ["validate", str(NARA)],
    ):
        result = run_cli(*command, "--glossary", missing, cwd=tmp_path)
        assert result.returncode == 2, result.stderr
        assert f"{missing}: no such file" in result.stderr
    assert not (tmp_path / "out" / f"{NARA.stem}.en.docx").exists()


# ---------------------------------------------------------------- glossary check

LINT = """\
version: "1"
terms:
  - id: seoul
    kind: place
    en: Seoul
    ja: ソウル
    ko: 서울
  - id: seoul-again
    kind: place
    en: Seoul
    ja: ソウル
    ko: 서울
  - id: pusan
    kind: place
    en: Busan
    ja: 釜山
  - id: template-leak
    kind: thing
    en: "{name} talks"
    ja: "%(name)s会談"
    ko: ZX1 회담
  - id: japan-rok
    kind: thing
    en: Japan–ROK
    ja: 日韓
    ko: 한일
  - id: japan-rok-hyphen
    kind: thing
    en: Japan-ROK
    ja: 日韓
    ko: 한일
"""


def test_glossary_check_reports_each_finding_at_its_place(tmp_path: Path) -> None:
    path = write(tmp_path / "glossary.yaml", LINT)
    result = run_cli("glossary", "check", path, "--no-base", cwd=tmp_path)
    assert result.returncode == 2
    found = re.findall(rf"^{re.escape(str(path))}:(\d+):(\d+): (error|warning): (.*)$",
                       result.stderr, re.MULTILINE)  # fmt: skip
    lines = {(int(line), severity, message.split(";")[0]) for line, _, severity, message in found}
    assert (line_of(path, "en: Seoul") + 5, "error", "'Seoul' names both 'seoul' "
            f"({path}:{line_of(path, 'en: Seoul')}:9) and 'seoul-again'") in lines  # fmt: skip
    assert (line_of(path, "- id: pusan"), "error", "term 'pusan' has no ko form") in lines
    for needle in ('en: "{name} talks"', 'ja: "%(name)s会談"', "ko: ZX1 회담"):
        assert any(
            line == line_of(path, needle) and severity == "error" and "placeholder syntax" in text
            for line, severity, text in lines
        ), needle
    assert any(
        line == line_of(path, "en: Japan-ROK") and severity == "warning" and "differ only" in text
        for line, severity, text in lines
    )
    assert "6 terms in 1 file(s): 5 error(s), 1 warning(s)" in result.stdout


def test_glossary_check_of_the_repositorys_glossaries_is_clean(tmp_path: Path) -> None:
    result = run_cli("glossary", "check", GLOSSARY, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert " 0 error(s), 0 warning(s)" in result.stdout


def test_glossary_check_sees_forms_claimed_across_layers(tmp_path: Path) -> None:
    path = write(
        tmp_path / "glossary.yaml",
        "version: '1'\nterms:\n"
        "  - {id: seoul-city, kind: place, en: Seoul, ja: ソウル市, ko: 서울시}\n",
    )
    result = check_files([base_path(), path])
    [problem] = result.problems
    assert problem.severity == "warning" and problem.line == 3
    assert f"{base_path()}:{line_of(base_path(), 'en: Seoul')}" in problem.message


def test_normal_form_sets_aside_case_dashes_and_spacing() -> None:
    assert normal_form("Japan–ROK") == normal_form("japan - rok") == "japan-rok"
    assert normal_form("Nara") != normal_form("Nara Prefecture")


def test_workspace_settings_stack_their_glossaries_in_order_and_set_strict(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from briefing.cli.build import watched_inputs
    from briefing.cli.running import build_request
    from briefing.facts.files import facts_files
    from briefing.workspace.settings import load_settings

    sources = tmp_path / "sources"
    sources.mkdir()
    facts = sources / "talks.yaml"
    facts.write_text(NARA.read_text(encoding="utf-8"), encoding="utf-8")
    write(beside(facts), 'version: "1"\nterms: []\n')
    write(sources / "glossary.yaml", 'version: "1"\nterms: []\n')
    chile = "  - {id: chile, kind: place, en: Chile, ja: %s, ko: 칠레}\n"
    write(tmp_path / "first.yaml", 'version: "1"\nterms:\n' + chile % "チリ共和国")
    write(tmp_path / "second.yaml", 'version: "1"\nterms:\n' + chile % "チリ")
    (tmp_path / "briefing.toml").write_text(
        'strict = true\nglossaries = ["first.yaml", "second.yaml"]\n', encoding="utf-8"
    )
    monkeypatch.chdir(tmp_path)  # the settings' paths are relative to the workspace
    settings = load_settings(cwd=tmp_path, env={})

    found = facts_files(None, settings.sources)
    assert [path.resolve() for path in found] == [facts]  # no glossary is a facts file
    request = build_request(settings, None, force=False)
    assert request.strict
    layered = request.glossary.without_event()
    assert [layer.name for layer in layered.layers] == ["base", "workspace", "workspace"]
    assert layered.glossary.render("Chile", "ja") == "チリ"  # the later setting wins
    watched = watched_inputs(settings, [facts])
    assert watched.accepts(beside(facts)) and watched.accepts(tmp_path / "second.yaml")


READINGS = """\
version: "1"
terms:
  - id: lee-jae-myung
    kind: person
    en: Lee Jae Myung
    ja: 李在明
    ko: 이재명
    reading: {ja: イ・ジェミョン, en: Lee}
  - id: wang-yi
    kind: person
    en: Wang Yi
    ja: 王毅
    ko: 왕이
    reading:
      ja: ""
      ko: 王毅
  - id: korea
    kind: place
    en: South Korea
    ja: 韓国
    ko: 한국
    same_as: republic-of-kore
    short: {fr: Corée}
"""


def test_glossary_check_knows_readings_short_forms_and_same_as(tmp_path: Path) -> None:
    path = write(tmp_path / "glossary.yaml", READINGS)
    result = run_cli("glossary", "check", path, "--no-base", cwd=tmp_path)
    assert result.returncode == 2
    found = re.findall(rf"^{re.escape(str(path))}:(\d+):\d+: (error|warning): (.*)$",
                       result.stderr, re.MULTILINE)  # fmt: skip
    lines = [(int(line), severity, message) for line, severity, message in found]
    reading = line_of(path, "reading: {ja: イ・ジェミョン")
    assert any(n == reading and s == "error" and "no en entry" in m for n, s, m in lines)
    empty = line_of(path, 'ja: ""')
    assert any(n == empty and s == "error" and "at least 1 character" in m for n, s, m in lines)
    short = line_of(path, "short: {fr")
    assert any(n == short and s == "error" and "'fr' is not a language" in m for n, s, m in lines)
    link = line_of(path, "same_as:")
    assert (link, "warning", "same_as names 'republic-of-kore', which no term of these "
            "glossaries has") in lines  # fmt: skip
    assert "3 terms in 1 file(s): 3 error(s), 1 warning(s)" in result.stdout
