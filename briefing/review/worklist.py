"""What a reviewer is given: each unique sentence of the facts' free text, with where it is."""

from __future__ import annotations

from dataclasses import dataclass, field

from briefing.facts.schema import Facts
from briefing.facts.yamlsource import dotted
from briefing.terms.glossary import Glossary
from briefing.translation.segments import split_segments
from briefing.translation.texts import source_texts

# The document's English section headings (templates/summit), by the facts file's key.
SECTIONS = {
    "event": "Event",
    "summary": "Summary",
    "background": "Background",
    "outcomes": "Key outcomes",
    "topics": "Topics discussed",
    "next_steps": "Next steps",
    "differences": "Notes on differences between sources",
    "participants": "Participants",
}


@dataclass
class ReviewSegment:
    """One unique sentence of a document and every place in the facts it occurs."""

    segment: str
    places: list[str] = field(default_factory=list)  # e.g. "outcomes[3].text, sentence 2 of 3"
    sections: list[str] = field(default_factory=list)


def document_segments(facts: Facts, glossary: Glossary) -> list[ReviewSegment]:
    """Unique sentences in document order, each with the places it occurs."""
    found: dict[str, ReviewSegment] = {}
    for source in source_texts(facts):
        path = dotted(source.location)
        sentences = split_segments(source.text)
        section = SECTIONS[str(source.location[0])]
        count = len(sentences)
        for number, sentence in enumerate(sentences, start=1):
            place = path if count == 1 else f"{path}, sentence {number} of {count}"
            item = found.setdefault(sentence, ReviewSegment(sentence))
            item.places.append(place)
            if section not in item.sections:
                item.sections.append(section)
    return list(found.values())
