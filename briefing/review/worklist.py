"""What a reviewer is given: each unique sentence of the facts' free text, with where it is."""

from __future__ import annotations

from collections.abc import Iterator

from briefing.facts.schema import Facts, HeadedStatement
from briefing.facts.yamlsource import dotted
from briefing.output.localize import glossary_gaps
from briefing.terms.glossary import Glossary

SECTIONS = {
    "event": "Event",
    "summary": "Summary",
    "background": "Background",
    "outcomes": "Outcomes",
    "topics": "Topics discussed",
    "next_steps": "Next steps",
    "differences": "Where the sources differ",
    "participants": "Participants",
}


def texts_with_paths(facts: Facts, glossary: Glossary) -> Iterator[tuple[str, str]]:
    """(path in the facts file, English text) of every text the build translates, in the
    order the document shows them."""
    yield "event.title", facts.event.title
    yield "event.kind", facts.event.kind
    topics_done: set[int] = set()
    for loc, statement in facts.statements():
        if loc[0] == "differences" and isinstance(loc[1], int) and loc[1] not in topics_done:
            topics_done.add(loc[1])
            yield f"differences[{loc[1]}].topic", facts.differences[loc[1]].topic
        path = dotted(loc)
        if isinstance(statement, HeadedStatement):
            yield f"{path}.heading", statement.heading
        yield f"{path}.text", statement.text
    for loc, text in glossary_gaps(facts, glossary):
        yield dotted(loc), text
    for i, participant in enumerate(facts.participants):
        term = glossary.lookup(participant.name)
        if term is None or term.title is None:
            yield f"participants[{i}].title", participant.title
