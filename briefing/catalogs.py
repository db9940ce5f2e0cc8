"""Human translations of the templates' fixed text, from gettext catalogs.

The `.po` files are the source of truth; they are compiled in memory on every run, so there is
never a stale or hand-edited `.mo` between a translator's correction and the document. The
compiled bytes are also what a render process is sent: gettext reads them there as it reads a
.mo file.
"""

from __future__ import annotations

import gettext
import hashlib
import io
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING

from briefing.errors import InputError
from briefing.languages import SOURCE_LANGUAGE

if TYPE_CHECKING:
    from babel.messages.catalog import Catalog

DOMAIN = "briefing"
PACKAGE_LOCALES = Path(str(files("briefing").joinpath("locales")))  # shipped in the package


def catalog_paths(lang: str, extra_dirs: list[Path] | None = None) -> list[Path]:
    """The .po files for `lang`: a template's own first, then the package's."""
    dirs = [*(extra_dirs or []), PACKAGE_LOCALES]
    return [d / lang / "LC_MESSAGES" / f"{DOMAIN}.po" for d in dirs if (d / lang).is_dir()]


def read_catalog(path: Path, lang: str) -> Catalog:
    # Babel's catalog reader is imported here: the render process rebuilds translations from
    # compiled bytes and never reads a .po file.
    from babel.messages.pofile import PoFileError, read_po

    try:
        with path.open("rb") as handle:
            return read_po(handle, locale=lang, abort_invalid=True)
    except (PoFileError, ValueError, OSError) as err:
        raise InputError(f"{path}: cannot read the catalog: {err}") from None


Compiled = tuple[bytes, ...]  # a language's .mo catalogs, first found wins


def chain(compiled: Compiled) -> gettext.NullTranslations:
    """gettext translations from compiled catalogs: each later one a fallback of those before.

    The render process rebuilds its translations with this from the bytes it is sent, so that
    it prints exactly what the catalogs looked up here hold.
    """
    translations = gettext.NullTranslations()
    for data in compiled:
        translations.add_fallback(gettext.GNUTranslations(io.BytesIO(data)))
    return translations


class _Missing(gettext.NullTranslations):
    """The last fallback of a chain: a message that reaches it is in no catalog."""

    def __init__(self) -> None:
        super().__init__()
        self.messages: set[str] = set()

    def gettext(self, message: str) -> str:
        self.messages.add(message)
        return message

    def ngettext(self, msgid1: str, msgid2: str, n: int) -> str:
        self.messages.add(msgid1)
        return msgid1 if n == 1 else msgid2


class CheckedTranslations(gettext.NullTranslations):
    """A language's catalogs, first found wins, remembering every message none of them holds.

    A string missing from a catalog prints in English; the build turns what is remembered here
    into a warning naming the string and the catalog, so it is never a silent fall back.
    `compiled` is what a render process is sent to print the same.
    """

    def __init__(self, compiled: Compiled) -> None:
        super().__init__()
        self.compiled = compiled
        self._missing = _Missing()
        self.add_fallback(chain(compiled))
        self.add_fallback(self._missing)

    @property
    def missing(self) -> set[str]:
        return self._missing.messages


def compiled_catalogs(translations: gettext.NullTranslations) -> Compiled:
    """The catalogs behind `translations`, to send to a render process; none for English."""
    if isinstance(translations, CheckedTranslations):
        return translations.compiled
    if type(translations) is gettext.NullTranslations:
        return ()
    raise TypeError(
        f"{type(translations).__name__} cannot be sent to a render process; "
        "read the catalogs with load_translations"
    )


def load_translations(lang: str, extra_dirs: list[Path] | None = None) -> gettext.NullTranslations:
    """gettext translations for `lang`; English (the msgids) needs none."""
    if lang == SOURCE_LANGUAGE:
        return gettext.NullTranslations()
    from babel.messages.mofile import write_mo

    compiled = []
    for path in catalog_paths(lang, extra_dirs):
        buffer = io.BytesIO()
        write_mo(buffer, read_catalog(path, lang), use_fuzzy=False)
        compiled.append(buffer.getvalue())
    return CheckedTranslations(tuple(compiled))


def fingerprint(lang: str, extra_dirs: list[Path] | None = None) -> str:
    digest = hashlib.sha256()
    for path in catalog_paths(lang, extra_dirs):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def look_up_template_strings(translations: gettext.NullTranslations, directory: Path) -> None:
    """Look up every string the templates in `directory` mark for translation, so that
    CheckedTranslations remembers the ones no catalog holds (without rendering anything).

    English prints the msgids themselves and has no catalog to miss a string: its templates
    are not parsed (a tenth of a short English build's time)."""
    if not isinstance(translations, CheckedTranslations):
        return
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
