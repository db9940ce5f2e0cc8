"""Human translations of the templates' fixed text, from gettext catalogs.

The `.po` files are the source of truth; they are compiled in memory on every run, so there is
never a stale or hand-edited `.mo` between a translator's correction and the document.
"""

from __future__ import annotations

import gettext
import hashlib
import io
from importlib.resources import files
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import PoFileError, read_po

from briefing.errors import InputError
from briefing.languages import SOURCE_LANGUAGE

DOMAIN = "briefing"
PACKAGE_LOCALES = Path(str(files("briefing").joinpath("locales")))  # shipped in the package


def catalog_paths(lang: str, extra_dirs: list[Path] | None = None) -> list[Path]:
    """The .po files for `lang`: a template's own first, then the package's."""
    dirs = [*(extra_dirs or []), PACKAGE_LOCALES]
    return [d / lang / "LC_MESSAGES" / f"{DOMAIN}.po" for d in dirs if (d / lang).is_dir()]


def read_catalog(path: Path, lang: str) -> Catalog:
    try:
        with path.open("rb") as handle:
            return read_po(handle, locale=lang, abort_invalid=True)
    except (PoFileError, ValueError, OSError) as err:
        raise InputError(f"{path}: cannot read the catalog: {err}") from None


class CheckedTranslations(gettext.NullTranslations):
    """A language's catalogs, first found wins, remembering every message none of them holds.

    A string missing from a catalog prints in English; the build turns what is remembered here
    into a warning naming the string and the catalog, so it is never a silent fall back.
    """

    def __init__(self, chain: list[gettext.GNUTranslations]) -> None:
        super().__init__()
        self.chain = chain
        self.missing: set[str] = set()

    def _find(self, key: str | tuple[str, int]) -> str | None:
        for translations in self.chain:
            found = translations._catalog.get(key)  # type: ignore[attr-defined]
            if found:
                return found
        return None

    def gettext(self, message: str) -> str:
        found = self._find(message)
        if found is None:
            self.missing.add(message)
            return message
        return found

    def ngettext(self, msgid1: str, msgid2: str, n: int) -> str:
        for translations in self.chain:
            if (msgid1, 0) in translations._catalog:  # type: ignore[attr-defined]
                return translations.ngettext(msgid1, msgid2, n)
        self.missing.add(msgid1)
        return msgid1 if n == 1 else msgid2


def load_translations(lang: str, extra_dirs: list[Path] | None = None) -> gettext.NullTranslations:
    """gettext translations for `lang`; English (the msgids) needs none."""
    if lang == SOURCE_LANGUAGE:
        return gettext.NullTranslations()
    chain: list[gettext.GNUTranslations] = []
    for path in catalog_paths(lang, extra_dirs):
        catalog = read_catalog(path, lang)
        buffer = io.BytesIO()
        write_mo(buffer, catalog, use_fuzzy=False)
        buffer.seek(0)
        chain.append(gettext.GNUTranslations(buffer))
    return CheckedTranslations(chain)


def fingerprint(lang: str, extra_dirs: list[Path] | None = None) -> str:
    digest = hashlib.sha256()
    for path in catalog_paths(lang, extra_dirs):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def look_up_template_strings(translations: gettext.NullTranslations, directory: Path) -> None:
    """Look up every string the templates in `directory` mark for translation, so that
    CheckedTranslations remembers the ones no catalog holds (without rendering anything)."""
    from jinja2 import Environment
    from jinja2.exceptions import TemplateSyntaxError

    parser = Environment(extensions=["jinja2.ext.i18n"])
    for path in sorted(directory.rglob("*.j2")):
        try:
            source = path.read_text(encoding="utf-8")
            # The i18n extension adds this method to the environment, so no type has it.
            found = list(parser.extract_translations(source))  # type: ignore[attr-defined]
        except (OSError, UnicodeDecodeError, TemplateSyntaxError):
            continue  # the render reports an unreadable template, at its line
        for _, function, message in found:
            if isinstance(message, str):
                translations.gettext(message)
            elif function == "ngettext" and isinstance(message[0], str):
                translations.ngettext(message[0], str(message[1] or message[0]), 1)
