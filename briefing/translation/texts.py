"""Which texts of a facts file get translated, each with its place in the file.

This is the one list the build translates, the review export offers sentence by sentence and
`validate` counts: free text (titles, statements, headings, topics), and the names and titles
the glossary does not hold, for which machine translation is the last resort.
"""

from __future__ import annotations

from dataclasses import dataclass

from briefing.errors import Problem
from briefing.facts.schema import Facts, HeadedStatement
from briefing.facts.yamlsource import LoadedYaml
from briefing.languages import LANGUAGES, SOURCE_LANGUAGE
from briefing.terms.glossary import Glossary

Location = tuple[str | int, ...]


@dataclass(frozen=True)
class SourceText:
    """An English text to translate and where it is in the facts file."""

    location: Location  # e.g. ("outcomes", 3, "text")
    text: str


def glossary_gaps(facts: Facts, glossary: Glossary) -> list[SourceText]:
    """Names the glossary should hold but does not: places, countries, people."""
    wanted = [
        SourceText(("event", "city"), facts.event.city),
        SourceText(("event", "host_country"), facts.event.host_country),
    ]
    if facts.event.venue:
        wanted.append(SourceText(("event", "venue"), facts.event.venue))
    for i, participant in enumerate(facts.participants):
        wanted.append(SourceText(("participants", i, "name"), participant.name))
        wanted.append(SourceText(("participants", i, "country"), participant.country))
    return [item for item in wanted if glossary.lookup(item.text) is None]


def source_texts(facts: Facts, glossary: Glossary) -> list[SourceText]:
    """Every text the build translates, in the order the document shows them; a text that
    occurs at several places is listed at each."""
    found = [
        SourceText(("event", "title"), facts.event.title),
        SourceText(("event", "kind"), facts.event.kind),
    ]
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
    found += glossary_gaps(facts, glossary)
    for i, participant in enumerate(facts.participants):
        term = glossary.lookup(participant.name)
        if term is None or term.title is None:
            found.append(SourceText(("participants", i, "title"), participant.title))
    return found


def texts_to_translate(facts: Facts, glossary: Glossary) -> list[str]:
    """The distinct texts of `source_texts`, in order: what the translation stage is given."""
    return list(dict.fromkeys(item.text for item in source_texts(facts, glossary)))


def glossary_warnings(loaded: LoadedYaml, facts: Facts, glossary: Glossary) -> list[Problem]:
    """Warnings naming each glossary entry to add, at the place in the facts file that uses it."""
    targets = [language for code, language in LANGUAGES.items() if code != SOURCE_LANGUAGE]
    names = " and ".join(language.name for language in targets)
    codes = "/".join(language.code for language in targets)
    return [
        loaded.problem(
            gap.location,
            f"'{gap.text}' is not in the glossary, so its {names} forms would be "
            "machine-translated",
            f"Add a term with `en: {gap.text}` (and its official {codes} forms) to the glossary.",
            "warning",
        )
        for gap in glossary_gaps(facts, glossary)
    ]
