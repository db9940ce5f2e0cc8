"""A name typed with a combining accent (NFD, as some editors and macOS file names give it) is
the same name as the composed one (NFC): glossary forms and facts are compared composed, so
the glossary's entry is found, protected from machine translation and printed in its official
form, through the whole command line, whichever side was typed which way."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

from tests.conftest import _facts_yaml, _minimal_facts, build_args, invoke
from tests.test_hostile_input import document_text

NAME = "Montréal"
FORMS = {"ja": "モントリオール", "ko": "몬트리올"}


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


def workspace(root: Path, glossary_form: str, facts_form: str) -> tuple[Path, Path]:
    facts = _minimal_facts()
    facts["event"]["city"] = facts_form
    facts["summary"]["text"] = f"The two leaders met in {facts_form}."
    facts_path = root / "summit.yaml"
    facts_path.write_text(_facts_yaml(facts), encoding="utf-8")
    glossary = root / "glossary.yaml"
    glossary.write_text(
        'version: "1"\nterms:\n  - id: montreal\n    kind: place\n'
        f'    en: "{glossary_form}"\n    ja: {FORMS["ja"]}\n    ko: {FORMS["ko"]}\n',
        encoding="utf-8",
    )
    return facts_path, glossary


@pytest.mark.parametrize(
    ("glossary_form", "facts_form"),
    [(nfd(NAME), NAME), (NAME, nfd(NAME))],
    ids=["nfd-glossary", "nfd-facts"],
)
def test_a_name_in_either_form_is_found_protected_and_printed_once(
    tmp_path: Path, copy_models_dir: Path, glossary_form: str, facts_form: str
) -> None:
    assert glossary_form != facts_form and nfd(glossary_form) == nfd(facts_form)
    facts, glossary = workspace(tmp_path, glossary_form, facts_form)

    checked = invoke("glossary", "check", glossary)
    assert checked.returncode == 0, checked.output
    assert "0 error(s), 0 warning(s)" in checked.stdout and not checked.stderr

    validated = invoke("validate", facts, "--glossary", glossary)
    assert validated.returncode == 0, validated.output
    assert "Montr" not in validated.stderr  # no "not in the glossary" for it

    out = tmp_path / "out"
    args = build_args(facts, out=out, glossary=glossary, models_dir=copy_models_dir)
    built = invoke(*args)
    assert built.returncode == 0, built.output
    assert "Montr" not in built.stderr
    english = document_text(out / "summit.en.docx")
    assert english.count(NAME) >= 2 and nfd(NAME) not in english  # printed composed
    for lang, form in FORMS.items():
        text = document_text(out / f"summit.{lang}.docx")
        assert "Montr" not in text and "Montr" not in unicodedata.normalize("NFC", text)
        # the copy model returns the English: the name came back as protected, in its form
        met = "The two leaders met in モントリオール。" if lang == "ja" else f"met in {form}."
        assert met in text, text
        assert text.count(form) >= 2  # the city and the summary
