"""The languages a briefing can be written in, and everything a stage needs to know about each.

Adding an output language means an entry here, a message catalog (briefing/locales) and its
forms in the glossary; the stages read what differs between languages from `Language`.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from briefing.errors import InputError

SOURCE_LANGUAGE = "en"


@dataclass(frozen=True)
class Language:
    code: str  # as on the command line, in Argos package names and as a glossary key
    locale: str  # Babel/CLDR locale for dates and numbers
    tag: str  # BCP 47 tag for Word's language settings
    name: str
    east_asian: bool = False  # CJK text: Word's East Asian language and font slots
    word_separator: str = " "  # between sentences and between words joined around a name
    italics: bool = True  # whether the language sets text in italics (Japanese, Korean do not)
    # The brackets around a name's reading at its first mention: Japanese full-width （）, as
    # MOFA prints 趙顕（チョ・ヒョン）; Korean half-width (), as 외교부 prints
    # 하야시 요시마사(林 芳正).
    brackets: tuple[str, str] = ("(", ")")

    @property
    def is_source(self) -> bool:
        """The facts are written in it: nothing is translated into it."""
        return self.code == SOURCE_LANGUAGE

    def separator_between(self, left: str, right: str) -> str:
        """What goes between two sentences: a language written without spaces still needs one
        where both sides are Latin script (a sentence left in English, a name in Latin
        letters), or "governance.The" would be printed."""
        if self.word_separator or not left or not right:
            return self.word_separator
        if _is_narrow(left[-1]) and _is_narrow(right[0]) and not left[-1].isspace():
            return " "
        return self.word_separator

    def join(self, pieces: Iterable[str]) -> str:
        """Sentences (or words) joined as the language writes them; empty pieces are skipped."""
        text = ""
        for piece in pieces:
            if piece:
                text += (self.separator_between(text, piece) if text else "") + piece
        return text


def _is_narrow(character: str) -> bool:
    return unicodedata.east_asian_width(character) not in ("W", "F")


LANGUAGES: dict[str, Language] = {
    "en": Language("en", "en_GB", "en-GB", "English"),
    "ja": Language(
        "ja",
        "ja_JP",
        "ja-JP",
        "Japanese",
        east_asian=True,
        word_separator="",
        italics=False,
        brackets=("（", "）"),
    ),
    "ko": Language("ko", "ko_KR", "ko-KR", "Korean", east_asian=True, italics=False),
}


# What briefing translates into: every language but the source.
TARGET_LANGUAGES: dict[str, Language] = {
    code: language for code, language in LANGUAGES.items() if not language.is_source
}


def language_code(tag: str | None) -> str:
    """The primary subtag of a language tag, written as BCP 47 or as a locale: 'ja-JP', 'ja_JP'
    and ' JA ' are all 'ja' (CAT tools write regional tags for what was exported as 'ja')."""
    return (tag or "").strip().replace("_", "-").split("-")[0].lower()


def language_of_tag(tag: str) -> Language | None:
    """The language a tag such as ja-JP names, by its primary subtag."""
    return LANGUAGES.get(language_code(tag))


DEFAULT_LANGUAGES = ("en", "ja", "ko")


def parse_languages(value: str) -> list[Language]:
    """`en,ja` → the Language objects, refusing unknown codes with the list of known ones."""
    codes = [part.strip() for part in value.split(",") if part.strip()]
    if not codes:
        raise InputError("--lang needs at least one language code, e.g. --lang en,ja,ko")
    unknown = [code for code in codes if code not in LANGUAGES]
    if unknown:
        raise InputError(
            f"unknown language code(s): {', '.join(unknown)}; "
            f"available: {', '.join(LANGUAGES)} (e.g. --lang en,ja,ko)"
        )
    return [LANGUAGES[code] for code in dict.fromkeys(codes)]
