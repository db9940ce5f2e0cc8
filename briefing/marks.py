"""Handling marks: the line at the top of every page, a small vocabulary the catalogs translate.

None is the default: a briefing built from public reports claims no security classification.
The words are neutral (Japan's 行政文書の管理に関するガイドライン classes documents as 特定秘密,
極秘 and 秘; Korea's 보안업무규정 designates 대외비; neither is bundled). A user's own text per
language replaces the vocabulary word. A Korean text that is a designation of the 보안업무규정
(대외비) is printed as such designations are: red, centred at the top (design.md §2a; the
regulation's text itself was not found in the stored pages searched, so the layout rests on that
card).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal


def N_(message: str) -> str:
    """Marks a message for extraction into the catalogs; the catalog translates it at render."""
    return message


MarkName = Literal["none", "internal", "limited", "draft"]

# Translators: the handling mark printed at the top of every page when a workspace chooses one.
# Neutral words, not a government's security classification: Japanese 内部資料, 配布限定, 未定稿;
# Korean 내부자료, 배포 제한, 초안.
MARKS: dict[str, str] = {
    "none": "",
    "internal": N_("INTERNAL"),
    "limited": N_("LIMITED DISTRIBUTION"),
    "draft": N_("DRAFT"),
}

#: Texts that are a government's formal designation, by language: printed in its layout.
FORMAL: dict[str, frozenset[str]] = {"ko": frozenset({"대외비"})}


@dataclass(frozen=True)
class Mark:
    """The handling mark as a document prints it; formal: a designation in its own layout."""

    text: str = ""
    formal: bool = False


def mark_for(lang: str, name: str, own_text: str | None, translate: Callable[[str], str]) -> Mark:
    """The mark of a `lang` document: the user's own text, else the vocabulary word through the
    catalog (`translate` is gettext's function)."""
    if own_text is not None:
        text = own_text.strip()
    else:
        english = MARKS[name]
        text = translate(english) if english else ""
    return Mark(text, text in FORMAL.get(lang, frozenset()))
