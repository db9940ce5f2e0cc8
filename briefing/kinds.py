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


def NC_(context: str, message: str) -> tuple[str, str]:
    """Marks a message with its context for extraction (`make catalogs` passes -k NC_:1c,2)."""
    return context, message


THREE_OR_MORE = "three or more sides"
TWO = "two sides"

# The governments name a meeting by how many sides take part: two sides meet in talks (会談,
# 회담), three or more in a meeting (会合 or 会議, 회의). A kind whose catalog word is the form
# for two sides has a form for three or more in the context THREE_OR_MORE; one whose word is
# the multilateral form has a form for two in the context TWO. The evidence for each form is
# in the translator comments of the catalogs.
BY_SIDES: dict[str, tuple[str, str]] = {
    # Translators: a summit of three or more sides. ja 首脳会議 (日中韓首脳会議; the Kantei also
    # writes 日中韓サミット: https://kantei.go.jp/jp/98_abe/actions/201805/09jck.html); ko 정상회의
    # (외교부: 제9차 한일중 정상회의). Two sides meet in 首脳会談 / 정상회담.
    "summit meeting": NC_("three or more sides", "summit meeting"),
    # Translators: foreign ministers of three or more sides. ja 外相会合, as MOFA writes G7外相会合
    # and 日米韓外相会合 (https://www.mofa.go.jp/mofaj/a_o/na2/pageit_000001_02528.html); a named
    # series keeps its own 会議 (日中韓外相会議) in its title. ko 외교장관회의 (G7 외교장관회의,
    # https://pak-islamabad.mofa.go.kr/www/brd/m_4076/view.do?seq=371132).
    "foreign ministers' meeting": NC_("three or more sides", "foreign ministers' meeting"),
    # Translators: a video meeting of two sides. ko 화상 회담 (seen in the press, not yet on
    # 외교부's site); ja keeps テレビ会議 until a MOFA page shows its two-sided word.
    "video conference": NC_("two sides", "video conference"),
}

# Kinds that name how many sides take part: (fewest, most; None: no limit).
SIDES: dict[str, tuple[int, int | None]] = {
    "bilateral meeting": (2, 2),
    "trilateral summit": (3, 3),
    "multilateral conference": (3, None),
}


def context_for(kind: str, sides: int) -> str | None:
    """The catalog context of the word for `kind` (a vocabulary word) with `sides` sides, or
    None when the plain word is the one."""
    entry = BY_SIDES.get(kind)
    if entry is None:
        return None
    context = entry[0]
    multilateral = sides >= 3
    if (context == THREE_OR_MORE) == multilateral:
        return context
    return None


def sides_problem(loaded: LoadedYaml, kind: str, sides: int) -> Problem | None:
    """A warning where the kind says how many sides meet and the participants say otherwise."""
    limits = SIDES.get(normalise(kind))
    if limits is None:
        return None
    fewest, most = limits
    # One side only: the facts list one delegation, which says nothing about the others.
    if sides < 2 or sides >= fewest and (most is None or sides <= most):
        return None
    wanted = f"{fewest}" if fewest == most else f"{fewest} or more"
    better = "bilateral meeting" if sides == 2 else "multilateral conference"
    return loaded.problem(
        ("event", "kind"),
        f"the kind '{kind}' is for {wanted} sides, but the participants come from {sides} "
        "countries or organisations",
        f"Use a kind that fits, e.g. '{better}', or correct the participants' countries.",
        "warning",
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
