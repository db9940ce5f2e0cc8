"""Readings at first mention in the documents built from the workspace glossary: checked where
they stand, then taken out, so that tests of the statements compare with what the model and the
memory returned."""

from __future__ import annotations

from typing import Any

from ruamel.yaml import YAML

from tests.conftest import GLOSSARY

BRACKETS = {"ja": ("（", "）"), "ko": ("(", ")")}  # as output/readings.py prints them


def readings(lang: str) -> dict[str, str]:
    """Each name of the workspace glossary with a reading in `lang` → the bracketed reading."""
    data: dict[str, Any] = YAML(typ="safe").load(GLOSSARY.read_text(encoding="utf-8"))
    opening, closing = BRACKETS[lang]
    return {
        term[lang]: f"{opening}{term['reading'][lang]}{closing}"
        for term in data["terms"]
        if lang in (term.get("reading") or {})
    }


def first_mentions_read(text: str, lang: str) -> str:
    """`text` (a whole document's) with each reading found right after the name's first
    mention and nowhere else, then removed."""
    for name, reading in readings(lang).items():
        if name not in text:
            continue
        first = text.index(name)
        assert text.startswith(name + reading, first), (name, text[first : first + 40])
        assert text.count(reading) == 1, f"{reading} printed {text.count(reading)} times"
        text = text.replace(name + reading, name)
    return text
