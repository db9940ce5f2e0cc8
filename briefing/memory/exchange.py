"""Translation memory exchange as TMX 1.4b, the format OmegaT, Trados, memoQ and Phrase read.

Writing and parsing go through translate-toolkit's `translate.storage.tmx` (the library Weblate
builds on; it parses with entities unresolved and no network). What it does not model, the
attributes and properties of a <tu> and its <tuv>s, is set on its lxml elements directly.

An export holds one <tu> per entry: the English <tuv> and the target <tuv>, the dates as TMX
creationdate/changedate, the reviewer as creationid/changeid, and briefing's own facts as
properties: x-briefing-origin (machine or reviewed), x-briefing-model, x-briefing-terms (the
glossary forms the sentence was translated with), x-briefing-flagged; a reviewer's comment is a
<note>. Importing such a file restores those entries as they were. A <tu> from another tool
(without x-briefing-origin) comes in as reviewed by the importer, since a person's memory is
what another tool exports.

An import is checked whole before anything is stored, within limits taken before parsing: file
size, number of units, length of each target against its source. Any problem refuses the file.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree
from translate.storage import tmx

from briefing import __version__
from briefing.errors import InputError, Problem
from briefing.input_files import check_regular, read_input
from briefing.languages import SOURCE_LANGUAGE, TARGET_LANGUAGES, language_code
from briefing.memory.interface import (
    MACHINE,
    ORIGINS,
    REVIEWED,
    TARGET_FACTOR,
    TARGET_FLOOR,
    StoredEntry,
    normalize,
    target_limit,
)

MAX_FILE_BYTES = 64 * 1024 * 1024  # larger than any memory of this tool's scale, far below harm
MAX_UNITS = 200_000
PROP_ORIGIN = "x-briefing-origin"
PROP_MODEL = "x-briefing-model"
PROP_TERMS = "x-briefing-terms"
PROP_FLAGGED = "x-briefing-flagged"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_FORBIDDEN = re.compile(rb"<!\s*ENTITY", re.IGNORECASE)


def tmx_date(iso: str) -> str:
    """ISO 8601 (as the memory stores it) → TMX's YYYYMMDDThhmmssZ, in UTC."""
    moment = dt.datetime.fromisoformat(iso).astimezone(dt.timezone.utc)
    return moment.strftime("%Y%m%dT%H%M%SZ")


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


# -- import ---------------------------------------------------------------------------------


@dataclass
class TmxImport:
    """What a TMX file brings: entries to store, and what was left out and why."""

    entries: list[StoredEntry] = field(default_factory=list)
    other_languages: int = 0  # units without an English source or a ja/ko target
    empty: int = 0


def _language(value: str | None) -> str:
    return language_code(value)


def _refuse(path: Path, problems: list[Problem]) -> InputError:
    return InputError("the TMX file was refused; nothing was imported", problems)


def read_tmx(path: Path, reviewer: str, now: str) -> TmxImport:
    """Check and read a TMX file; every problem is reported at once and nothing is returned."""
    try:
        check_regular(path, "TMX files")  # a FIFO would block, /dev/zero never end
        size = path.stat().st_size
    except OSError as err:
        raise InputError(f"cannot read {path}: {err.strerror or err}") from None
    if size > MAX_FILE_BYTES:
        raise _refuse(
            path,
            [
                Problem(
                    path,
                    None,
                    None,
                    f"the file is {size:,} bytes, over the limit of {MAX_FILE_BYTES:,} bytes",
                    "Split the memory into smaller TMX files (per language, for instance).",
                )
            ],
        )
    data = read_input(path, "TMX files", MAX_FILE_BYTES)
    forbidden = _FORBIDDEN.search(data)
    if forbidden:
        line = data.count(b"\n", 0, forbidden.start()) + 1
        raise _refuse(
            path,
            [
                Problem(
                    path,
                    line,
                    None,
                    "the file declares entities (<!ENTITY); TMX needs none and they are "
                    "refused for safety",
                )
            ],
        )
    try:
        store = tmx.tmxfile.parsestring(data)
    except (etree.XMLSyntaxError, AssertionError, ValueError) as err:
        position = getattr(err, "position", (None, None))
        raise _refuse(
            path, [Problem(path, position[0], None, f"not a TMX file: {err}".strip(": "))]
        ) from None
    units = store.units
    if len(units) > MAX_UNITS:
        raise _refuse(
            path,
            [
                Problem(
                    path,
                    None,
                    None,
                    f"the file holds {len(units):,} units, over the limit of {MAX_UNITS:,}",
                    "Split the memory into smaller TMX files.",
                )
            ],
        )
    result = TmxImport()
    problems: list[Problem] = []
    for number, unit in enumerate(units, start=1):
        element = unit.xmlelement
        line = element.sourceline
        tuvs = {_language(tuv.get(XML_LANG) or tuv.get("lang")): tuv for tuv in element.iter("tuv")}
        source_tuv = tuvs.get(SOURCE_LANGUAGE)
        targets = [code for code in tuvs if code in TARGET_LANGUAGES]
        if source_tuv is None or not targets:
            result.other_languages += 1
            continue
        source = normalize(_seg_text(source_tuv))
        props = {p.get("type"): (p.text or "") for p in element.findall("prop")}
        origin = props.get(PROP_ORIGIN, "")
        if origin not in ("", *ORIGINS):
            problems.append(
                Problem(path, line, None, f"<tu> {number}: unknown {PROP_ORIGIN} {origin!r}")
            )
            continue
        note = element.find("note")
        for code in targets:
            target = normalize(_seg_text(tuvs[code]))
            if not source or not target:
                result.empty += 1
                continue
            limit = target_limit(source)
            if len(target) > limit:
                problems.append(
                    Problem(
                        path,
                        line,
                        None,
                        f"<tu> {number} ({code}): the target is {len(target):,} characters, "
                        f"over the limit of {limit:,} for its source ({TARGET_FACTOR}× its "
                        f"{len(source)} characters, at least {TARGET_FLOOR})",
                    )
                )
                continue
            created = iso_date(element.get("creationdate")) or now
            updated = iso_date(element.get("changedate")) or created
            if origin:
                who = element.get("changeid") or element.get("creationid")
                machine = origin == MACHINE
                entry = StoredEntry(
                    segment=source,
                    source_lang=SOURCE_LANGUAGE,
                    target_lang=code,
                    target=target,
                    origin=origin,
                    model=props.get(PROP_MODEL, "") if machine else "",
                    terms=props.get(PROP_TERMS, "") if machine else "",
                    reviewer=None if machine else who,
                    flagged=machine and props.get(PROP_FLAGGED) == "yes",
                    created=created,
                    updated=updated,
                    comment=(note.text or "") if note is not None else "",
                )
            else:
                entry = StoredEntry(
                    segment=source,
                    source_lang=SOURCE_LANGUAGE,
                    target_lang=code,
                    target=target,
                    origin=REVIEWED,
                    model="",
                    terms="",
                    reviewer=reviewer,
                    flagged=False,
                    created=now,
                    updated=now,
                    comment=(note.text or "") if note is not None else "",
                )
            result.entries.append(entry)
    if problems:
        raise _refuse(path, problems)
    return result


def _seg_text(tuv: etree._Element) -> str:
    seg = tuv.find("seg")
    return "" if seg is None else "".join(seg.itertext())
