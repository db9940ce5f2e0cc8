"""Translation memory exchange as TMX 1.4b, the format OmegaT, Trados, memoQ and Phrase read:
the format's names and dates, and the export (the import, which must check what it reads, is
tmx_import.py).

Writing and parsing go through translate-toolkit's `translate.storage.tmx` (the library Weblate
builds on; it parses with entities unresolved and no network). What it does not model, the
attributes and properties of a <tu> and its <tuv>s, is set on its lxml elements directly.

An export holds one <tu> per entry: the English <tuv> and the target <tuv>, the dates as TMX
creationdate/changedate, the reviewer as creationid/changeid, and briefing's own facts as
properties: x-briefing-origin (machine or reviewed), x-briefing-model, x-briefing-terms (the
glossary forms the sentence was translated with), x-briefing-flagged; a reviewer's comment is a
<note>.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from lxml import etree
from translate.storage import tmx

from briefing import __version__
from briefing.languages import SOURCE_LANGUAGE
from briefing.memory.interface import MACHINE, StoredEntry

PROP_ORIGIN = "x-briefing-origin"
PROP_MODEL = "x-briefing-model"
PROP_TERMS = "x-briefing-terms"
PROP_FLAGGED = "x-briefing-flagged"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def tmx_date(iso: str) -> str:
    """ISO 8601 (as the memory stores it) → TMX's YYYYMMDDThhmmssZ, in UTC. Written field by
    field: strftime gives the year 1 as "1", which no reader takes for a date."""
    m = dt.datetime.fromisoformat(iso).astimezone(dt.timezone.utc)
    return f"{m.year:04d}{m.month:02d}{m.day:02d}T{m.hour:02d}{m.minute:02d}{m.second:02d}Z"


def iso_date(value: str | None) -> str | None:
    if not value:
        return None
    try:
        moment = dt.datetime.strptime(value, "%Y%m%dT%H%M%SZ")
    except ValueError:
        return None
    return moment.replace(tzinfo=dt.timezone.utc).isoformat(timespec="microseconds")


def _prop(unit: tmx.tmxunit, kind: str, value: str) -> None:
    prop = etree.Element("prop", type=kind)
    prop.text = value
    first_tuv = unit.xmlelement.find("tuv")
    if first_tuv is None:
        unit.xmlelement.append(prop)
    else:
        first_tuv.addprevious(prop)


def build_tmx(entries: Iterable[StoredEntry]) -> bytes:
    """The TMX 1.4b document holding `entries`."""
    store = tmx.tmxfile(sourcelanguage=SOURCE_LANGUAGE)
    header = store.document.getroot().find("header")
    header.set("creationtool", "briefing")
    header.set("creationtoolversion", __version__)
    for entry in entries:
        unit = store.addsourceunit(entry.segment)
        unit.settarget(entry.target, entry.target_lang, append=True)
        element = unit.xmlelement
        element.set("creationdate", tmx_date(entry.created))
        element.set("changedate", tmx_date(entry.updated))
        if entry.reviewer:
            element.set("creationid", entry.reviewer)
            element.set("changeid", entry.reviewer)
        if entry.comment:
            note = etree.Element("note")
            note.text = entry.comment
            element.insert(0, note)
        _prop(unit, PROP_ORIGIN, entry.origin)
        if entry.origin == MACHINE:
            _prop(unit, PROP_MODEL, entry.model)
            _prop(unit, PROP_TERMS, entry.terms)
            _prop(unit, PROP_FLAGGED, "yes" if entry.flagged else "no")
    return bytes(store)
