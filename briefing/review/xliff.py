"""XLIFF 1.2, the exchange format of the review round trip: namespaces, states, unit ids.

XLIFF 1.2 is the version OmegaT, Trados, memoQ and Weblate all open. A unit's id names where
its sentence stands and a digest of it (see binding.py).
"""

from __future__ import annotations

XLIFF_NS = "urn:oasis:names:tc:xliff:document:1.2"
XML_NS = "http://www.w3.org/XML/1998/namespace"
STATES = (
    "new",
    "needs-translation",
    "needs-l10n",
    "needs-adaptation",
    "translated",
    "needs-review-translation",
    "needs-review-l10n",
    "needs-review-adaptation",
    "final",
    "signed-off",
)
APPROVED_STATES = ("final", "signed-off")
TOOL = "briefing"


def qualified(tag: str) -> str:
    return f"{{{XLIFF_NS}}}{tag}"
