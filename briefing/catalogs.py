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


def load_translations(lang: str, extra_dirs: list[Path] | None = None) -> gettext.NullTranslations:
    """gettext translations for `lang`; English (the msgids) needs none."""
    result: gettext.NullTranslations = gettext.NullTranslations()
    chain: list[gettext.GNUTranslations] = []
    for path in catalog_paths(lang, extra_dirs):
        catalog = read_catalog(path, lang)
        buffer = io.BytesIO()
        write_mo(buffer, catalog, use_fuzzy=False)
        buffer.seek(0)
        chain.append(gettext.GNUTranslations(buffer))
    if chain:
        result = chain[0]
        for fallback in chain[1:]:
            result.add_fallback(fallback)
    return result


def fingerprint(lang: str, extra_dirs: list[Path] | None = None) -> str:
    digest = hashlib.sha256()
    for path in catalog_paths(lang, extra_dirs):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]
