"""What a reviewer is given: each unique sentence of the facts' free text, with where it is."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from briefing.facts.schema import Facts, HeadedStatement
from briefing.facts.yamlsource import dotted
from briefing.terms.glossary import Glossary
from briefing.translation.segments import split_segments

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


@dataclass
class ReviewSegment:
    """One unique sentence of a document and every place in the facts it occurs."""

    segment: str
    places: list[str] = field(default_factory=list)  # e.g. "outcomes[3].text, sentence 2 of 3"
    sections: list[str] = field(default_factory=list)


def texts_with_paths(facts: Facts, glossary: Glossary) -> Iterator[tuple[str, str]]:
    """(path in the facts file, English text) of every text the build translates, in the
    order the document shows them: the free text only. Names, titles, places, the event's title
    and kind come from the glossary and the catalogs; a missing one is added to the glossary,
    not reviewed as a translation."""
    topics_done: set[int] = set()
    for loc, statement in facts.statements():
        if loc[0] == "differences" and isinstance(loc[1], int) and loc[1] not in topics_done:
            topics_done.add(loc[1])
            yield f"differences[{loc[1]}].topic", facts.differences[loc[1]].topic
        path = dotted(loc)
        if isinstance(statement, HeadedStatement):
            yield f"{path}.heading", statement.heading
        yield f"{path}.text", statement.text


def document_segments(facts: Facts, glossary: Glossary) -> list[ReviewSegment]:
    """Unique sentences in document order, each with the places it occurs."""
    found: dict[str, ReviewSegment] = {}
    for path, text in texts_with_paths(facts, glossary):
        sentences = split_segments(text)
        section = SECTIONS.get(path.split(".")[0].split("[")[0], path)
        count = len(sentences)
        for number, sentence in enumerate(sentences, start=1):
            place = path if count == 1 else f"{path}, sentence {number} of {count}"
            item = found.setdefault(sentence, ReviewSegment(sentence))
            item.places.append(place)
            if section not in item.sections:
                item.sections.append(section)
    return list(found.values())
