"""Which texts of a facts file get translated, each with its place in the file.

This is the one list the build translates, the review export offers sentence by sentence and
`validate` counts: the free text (statements, their headings, the topics where sources differ)
and nothing else. Names, titles, places, the event's title and kind come from the layered
glossary and the catalogs; one the glossary lacks is printed in English, never machine-made.
"""

from __future__ import annotations

from dataclasses import dataclass

from briefing.facts.schema import Facts, HeadedStatement

Location = tuple[str | int, ...]


@dataclass(frozen=True)
class SourceText:
    """An English text to translate and where it is in the facts file."""

    location: Location  # e.g. ("outcomes", 3, "text")
    text: str


def source_texts(facts: Facts) -> list[SourceText]:
    """Every text the build translates, in the order the document shows them; a text that
    occurs at several places is listed at each."""
    found: list[SourceText] = []
    topics_done: set[int] = set()
    for loc, statement in facts.statements():
        if loc[0] == "differences" and isinstance(loc[1], int) and loc[1] not in topics_done:
            topics_done.add(loc[1])
            found.append(
                SourceText(("differences", loc[1], "topic"), facts.differences[loc[1]].topic)
            )
        if isinstance(statement, HeadedStatement):
            found.append(SourceText((*loc, "heading"), statement.heading))
        found.append(SourceText((*loc, "text"), statement.text))
    return found


def texts_to_translate(facts: Facts) -> list[str]:
    """The distinct texts of `source_texts`, in order: what the translation stage is given."""
    return list(dict.fromkeys(item.text for item in source_texts(facts)))
