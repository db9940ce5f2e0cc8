"""What a reviewer is given: each unique sentence of the facts' free text, with where it is."""

from __future__ import annotations

from collections.abc import Iterator

from briefing.facts.schema import Facts
from briefing.terms.glossary import Glossary
from briefing.translation.texts import source_texts
from briefing.yamlsource.positions import dotted

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


def texts_with_paths(facts: Facts, glossary: Glossary) -> Iterator[tuple[str, str]]:
    """(path in the facts file, English text) of every text the build translates, in the
    order the document shows them."""
    for source in source_texts(facts):
        yield dotted(source.location), source.text
