"""Text as a template prints it, with the names in it marked as the document model needs them.

A name the term base lacks is printed in English and highlighted (`<mark>`) wherever it is
printed, in structured fields and inside translated statements alike; a name whose term has a
reading in the language is wrapped in `<name>` so that the first mention in the rendered document
can carry the reading (output/readings.py): which mention is first is only known once the
template has put the blocks in their order.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from markupsafe import escape

from briefing.terms.glossary import Glossary, Term


def name_markup(text: str, missing: bool, term: str = "", reading: str = "") -> str:
    """The markup of one printed name."""
    html = str(escape(text))
    if reading:
        html = f'<name term="{escape(term)}" reading="{escape(reading)}">{html}</name>'
    return f"<mark>{html}</mark>" if missing else html


@dataclass(frozen=True)
class Printed:
    """Free text as printed: `text` bare, `html` with its names marked; `kept` holds the names
    kept in English that it prints."""

    text: str
    html: str
    kept: frozenset[str] = frozenset()

    def __str__(self) -> str:
        return self.text

    def __html__(self) -> str:
        return self.html


def _pattern(form: str) -> re.Pattern[str]:
    """A form as a whole word where it is Latin script; CJK forms have no word boundaries."""
    escaped = re.escape(form)
    if form[:1].isascii() and form[-1:].isascii():
        return re.compile(rf"(?<![A-Za-z0-9-]){escaped}(?![A-Za-z0-9-])")
    return re.compile(escaped)


def printed_text(
    english: str, text: str, lang: str, glossary: Glossary, kept_names: frozenset[str]
) -> Printed:
    """`text`, the `lang` translation of `english`, with the terms of `english` marked where
    their forms stand in it: names kept in English (`kept_names`, protected as terms whose
    every form is the English) highlighted,
    names with a reading wrapped for the first-mention pass. Found by the printed form, so a
    translation from the memory or a reviewer is marked the same way."""
    wanted: dict[str, Term] = {}
    for _start, _end, term in glossary.occurrences(english):
        if term.en in kept_names or term.reading_in(lang):
            wanted.setdefault(term.form(lang), term)
    spans: list[tuple[int, int, Term]] = []
    for form in sorted(wanted, key=len, reverse=True):
        for match in _pattern(form).finditer(text):
            start, end = match.span()
            if all(end <= s or start >= e for s, e, _ in spans):
                spans.append((start, end, wanted[form]))
    spans.sort(key=lambda span: span[0])
    html, position, kept = [], 0, set()
    for start, end, term in spans:
        html.append(str(escape(text[position:start])))
        missing = term.en in kept_names
        if missing:
            kept.add(text[start:end])
        html.append(name_markup(text[start:end], missing, term.id, term.reading_in(lang)))
        position = end
    html.append(str(escape(text[position:])))
    return Printed(text, "".join(html), frozenset(kept))
