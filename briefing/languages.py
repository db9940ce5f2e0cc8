"""The languages a briefing can be written in, and what each needs from Babel and Word."""

from __future__ import annotations

from dataclasses import dataclass

from briefing.errors import InputError

SOURCE_LANGUAGE = "en"


@dataclass(frozen=True)
class Language:
    code: str  # as on the command line and in Argos package names
    locale: str  # Babel/CLDR locale for dates and numbers
    tag: str  # BCP 47 tag for Word's language settings
    name: str
    east_asian: bool = False
    italics: bool = True  # Japanese and Korean typography sets nothing in italics


LANGUAGES: dict[str, Language] = {
    "en": Language("en", "en_GB", "en-GB", "English"),
    "ja": Language("ja", "ja_JP", "ja-JP", "Japanese", east_asian=True, italics=False),
    "ko": Language("ko", "ko_KR", "ko-KR", "Korean", east_asian=True, italics=False),
}

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
