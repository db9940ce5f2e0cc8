"""The kinds of event a facts file may name, a controlled vocabulary translated by the catalogs.

`event.kind` is one of these English words (or a glossary term, for anything else); the
Japanese and Korean documents print the catalog's translation, so the kind of an event is never
left to machine translation. Like the languages, the vocabulary is data that several stages
read: the facts schema names it, the term base's coverage of a facts file asks whether a kind
needs a term, the output stage prints the catalog's word.
"""

from __future__ import annotations

from briefing.errors import Problem
from briefing.yamlsource.positions import LoadedYaml


def N_(message: str) -> str:
    """Marks a message for extraction into the catalogs; the catalog translates it at render."""
    return message


# Translators: the kinds of diplomatic event, printed after "Type of event: ". Use the term
# your foreign ministry uses for each (Japanese 首脳会談, Korean 정상회담 for a summit meeting).
KINDS: tuple[str, ...] = (
    N_("summit meeting"),
    N_("bilateral meeting"),
    N_("trilateral summit"),
    N_("foreign ministers' meeting"),
    N_("ministerial meeting"),
    N_("telephone talks"),
    N_("video conference"),
    N_("state visit"),
    N_("official visit"),
    N_("working visit"),
    N_("multilateral conference"),
)


def normalise(kind: str) -> str:
    """The vocabulary word `kind` stands for: case, spacing and the apostrophe do not matter."""
    folded = " ".join(kind.replace("’", "'").split()).casefold()
    for known in KINDS:
        if known.casefold() == folded:
            return known
    return kind


def is_known(kind: str) -> bool:
    return normalise(kind) in KINDS


def unknown_kind_problem(loaded: LoadedYaml, kind: str) -> Problem:
    """The located error for a kind outside the vocabulary, listing the allowed ones."""
    return loaded.problem(
        ("event", "kind"),
        f"unknown event kind '{kind}'; allowed: {', '.join(KINDS)}",
        "Use one of the allowed kinds, or add a glossary term with "
        f"`en: {kind}` and its official ja/ko forms (the event's own `glossary:` will do).",
    )
