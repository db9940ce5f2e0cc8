"""A wrong value in briefing.toml, the environment or an option is said in plain words: the
file and line, the setting, what it takes, an example written the way it was set, and what was
given; never the words of the library that checks it ("Input is not a valid path")."""

from __future__ import annotations

from pathlib import Path

import pytest

from briefing.errors import InputError
from briefing.workspace.config_file import CONFIG_NAME
from briefing.workspace.fields import fields
from briefing.workspace.settings import load_settings
from briefing.workspace.wrong_values import example_value, takes
from tests.conftest import invoke

# What the checking library says, which no message may repeat.
LIBRARY_WORDS = ("Input should", "Input is not", "valid path", "pathlib", "<class", "pydantic",
                 "type=", "should have at", "Value error", "unable to parse")  # fmt: skip


def problems_of(folder: Path, text: str, env: dict[str, str] | None = None) -> list[str]:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / CONFIG_NAME).write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as raised:
        load_settings(cwd=folder, env=env or {})
    return [str(problem) for problem in raised.value.problems]


@pytest.mark.parametrize(
    ("text", "said"),
    [
        # path
        ("out = 5", "setting 'out' takes a folder path, as text in quotes: out = \"out\" (got 5)"),
        ("out = 2026-01-01", "(got a date or time (2026-01-01))"),
        # whole number, with its limits
        ('versions_kept = "many"', "setting 'versions_kept' takes a whole number from 1 to "
         ' 1000, without quotes: versions_kept = 20 (got "many")'.replace("  ", " ")),
        ("[translation]\nbatch_size = 0", "setting 'translation.batch_size' takes a whole number"
         " from 1 to 512, without quotes: batch_size = 16 under [translation] (got 0)"),
        ('[translation]\ntimeout = "fast"', "takes a number above 0, at most 3600, without "
         'quotes: timeout = 120.0 under [translation] (got "fast")'),
        # true or false
        ('strict = "maybe"', "setting 'strict' takes true or false, without quotes: strict = "
         'false (got "maybe")'),
        # a list of languages
        ('languages = "en"', "setting 'languages' takes a list of language codes (en, ja, ko) in"
         ' brackets, each in quotes: languages = ["en", "ja", "ko"] (got "en")'),
        ('languages = ["en", 3]', "(got 3 as item 2)"),
        ('languages = ["fr"]', "(got [\"fr\"]); unknown language code(s): fr"),
        # one of a few words
        ('layout = "double"', "setting 'layout' takes one of \"single\", \"parallel\", \"both\", "
         'in quotes: layout = "single" (got "double")'),
        ('[style]\ndates = {ja = "mayan"}', 'takes one of "era", "western", in quotes: ja = '
         '"era" under [style.dates] (got "mayan")'),
        # a URL
        ("[translation]\nurl = 5", "setting 'translation.url' takes a URL (http:// or https://), "
         'as text in quotes: url = "http://translate.example.org:5000" under [translation]'),
        ("[translation]\nmemory = 5", "takes a file path or a postgresql:// URL, as text in "
         "quotes"),
        # text with limits
        ('[style]\nrange_marks = {ja = "very long"}', "takes text of 1 to 5 characters in "
         'quotes: ja = "～" under [style.range_marks] (got "very long")'),
        ('changes_author = ""', "takes non-empty text in quotes"),
        # a table (mapping) given one value
        ('[style]\ndates = "era"', "setting 'style.dates' is a table of settings (en, ja, ko), "
         'not one value: dates = {en = "cldr"} under [style], or a [style.dates] table'),
        ("translation = 5", "setting 'translation' is a table of settings"),
    ],
)  # fmt: skip
def test_a_wrong_value_says_what_the_setting_takes(tmp_path: Path, text: str, said: str) -> None:
    [problem] = problems_of(tmp_path, text)
    line = text.count("\n") + 1
    assert problem.startswith(f"{tmp_path / CONFIG_NAME}:{line}: error: setting '"), problem
    assert said in problem, problem
    assert not any(words in problem for words in LIBRARY_WORDS), problem


def test_the_environment_and_options_are_shown_as_they_are_written(tmp_path: Path) -> None:
    env = {"BRIEFING_BEAM_SIZE": "wide", "BRIEFING_LANGUAGES": "en,fr"}
    problems = problems_of(tmp_path, "", env)
    assert (
        "environment variable BRIEFING_BEAM_SIZE: error: setting 'translation.beam_size' takes "
        'a whole number from 1 to 8: BRIEFING_BEAM_SIZE=2 (got "wide")'
    ) in problems[1] + problems[0]
    assert any("separated by commas: BRIEFING_LANGUAGES=en,ja,ko" in p for p in problems)
    built = invoke("build", "--lang", "fr", env={"BRIEFING_CONFIG": str(tmp_path / CONFIG_NAME)})
    assert built.returncode == 2
    assert "option --lang: error: setting 'languages' takes a list of language codes" in (
        built.stderr
    )
    assert '--lang en,ja,ko (got ["fr"])' in built.stderr


# Values of every kind TOML has, each wrong for most settings.
WRONG = ("5", "1.5", "true", '"x"', '""', "[]", '["x", 1]', "{a = 1}", "2026-01-01",
         '"' + "y" * 90 + '"')  # fmt: skip


@pytest.mark.parametrize("spec", list(fields()), ids=lambda spec: spec.key)
def test_every_setting_is_explained_in_plain_words_whatever_is_wrong(
    tmp_path: Path, spec: object
) -> None:
    from briefing.workspace.fields import FieldSpec

    assert isinstance(spec, FieldSpec)
    assert takes(spec) and example_value(spec) is not None, spec.key
    table, _, name = spec.key.rpartition(".")
    for value in WRONG:
        text = (f"[{table}]\n" if table else "") + f"{name} = {value}\n"
        (tmp_path / CONFIG_NAME).write_text(text, encoding="utf-8")
        try:
            load_settings(cwd=tmp_path, env={})
        except InputError as error:
            for problem in map(str, error.problems):
                assert not any(words in problem for words in LIBRARY_WORDS), (value, problem)
                assert f"'{spec.key}'" in problem or "unknown setting" in problem, problem
