"""A TMX file read into memory entries: what it may claim, what it records, what it leaves out.

The file is checked before anything is stored. Refused whole (exit status 2): a file that is
not a regular file, over MAX_FILE_BYTES or MAX_UNITS, declaring entities, or not TMX. Then
each <tu> is read on its own, and one that cannot be taken as it is is left out, counted and
named with its reason, while the others come in: a segment with inline codes (inline.py), a
target, note or glossary-forms property over the target's limit, a reviewer or model name over
MAX_LABEL, two translations in one language, an unknown origin. Every text is cleaned as facts
text is before it is compared, measured or stored.

What a file may claim:
- A reviewed translation (x-briefing-origin reviewed, or any <tu> from another tool) is stored
  as reviewed by the person importing (`--reviewer`, else the login name; without either such
  a file is refused). A reviewer the file names (changeid, creationid) is not taken as the
  reviewer: it is kept as a line of the entry's note, "Reviewer named in the TMX file: …".
- A machine translation keeps its model, glossary forms and flag, and no reviewer.
- Dates (briefing's own entries) are believed up to a day after the import's time: a later
  one is taken as the import's time, as is a date that cannot be read, and the import says how
  many, so that no file pins an entry against every later import or copy.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from lxml import etree
from translate.storage import tmx

from briefing.errors import InputError, Problem
from briefing.input_files import read_input
from briefing.languages import SOURCE_LANGUAGE, TARGET_LANGUAGES, language_code
from briefing.memory.exchange import (
    PROP_FLAGGED,
    PROP_MODEL,
    PROP_ORIGIN,
    PROP_TERMS,
    XML_LANG,
    iso_date,
)
from briefing.memory.inline import SegmentText, segment_text
from briefing.memory.interface import (
    FUTURE_SKEW,
    MACHINE,
    MAX_LABEL,
    ORIGINS,
    REVIEWED,
    TARGET_FACTOR,
    TARGET_FLOOR,
    StoredEntry,
    normalize,
    target_limit,
)
from briefing.memory.reviewers import clean_name
from briefing.yamlsource.cleaning import clean_outside

MAX_FILE_BYTES = 64 * 1024 * 1024  # larger than any memory of this tool's scale, far below harm
MAX_UNITS = 200_000
NAMED = "Reviewer named in the TMX file: "  # the note line keeping a name the file asserts
_FORBIDDEN = re.compile(rb"<!\s*ENTITY", re.IGNORECASE)
_NAMED_LINE = re.compile(rf"^{re.escape(NAMED)}.*$\n?", re.MULTILINE)


@dataclass
class TmxImport:
    """What a TMX file brings: entries to store, and what was left out or changed, and why."""

    entries: list[StoredEntry] = field(default_factory=list)
    other_languages: int = 0  # units without an English source or a ja/ko target
    empty: int = 0
    left_out: dict[str, list[str]] = field(default_factory=dict)  # reason → places
    repeated: int = 0  # entries a newer one of the same sentence in the file replaced
    future_dates: int = 0  # entries dated after the import, taken as of the import
    unreadable_dates: int = 0
    named: dict[str, int] = field(default_factory=dict)  # reviewer named in the file → entries

    @property
    def reviewed(self) -> int:
        return sum(1 for entry in self.entries if entry.reviewed)


def _refuse(problems: list[Problem]) -> InputError:
    return InputError("the TMX file was refused; nothing was imported", problems)


def _read(path: Path) -> bytes:
    """The file's bytes: a regular file within the limit; a pipe or device is refused before
    it is read, by the one way every input file is read."""
    return read_input(path, "TMX files", MAX_FILE_BYTES)


def _parse(path: Path, data: bytes) -> list[etree._Element]:
    """The file's <tu> elements (children of <body>), or the file refused."""
    forbidden = _FORBIDDEN.search(data)
    if forbidden:
        line = data.count(b"\n", 0, forbidden.start()) + 1
        message = "the file declares entities (<!ENTITY); TMX needs none and they are refused"
        raise _refuse([Problem(path, line, None, message + " for safety")])
    try:
        store = tmx.tmxfile.parsestring(data)
    except (etree.XMLSyntaxError, AssertionError, ValueError) as err:
        position = getattr(err, "position", (None, None))
        raise _refuse(
            [Problem(path, position[0], None, f"not a TMX file: {err}".strip(": "))]
        ) from None
    body = store.document.getroot().find("body")
    units = [] if body is None else body.findall("tu")
    if len(units) > MAX_UNITS:
        message = f"the file holds {len(units):,} units, over the limit of {MAX_UNITS:,}"
        raise _refuse([Problem(path, None, None, message, "Split the memory into smaller files.")])
    return units


def _date(value: str | None, now: str, found: TmxImport) -> str | None:
    """A TMX date as stored, if it is believed; else the import's time, counted."""
    if value is None:
        return None
    moment = iso_date(value)
    if moment is None:
        found.unreadable_dates += 1
        return now
    if dt.datetime.fromisoformat(moment) > dt.datetime.fromisoformat(now) + FUTURE_SKEW:
        found.future_dates += 1
        return now
    return moment


def _note(element: etree._Element) -> str:
    """The unit's notes, cleaned, without a reviewer an earlier import kept from its file."""
    notes = [clean_outside("".join(note.itertext())) for note in element.findall("note")]
    return _NAMED_LINE.sub("", "\n".join(n for n in notes if n.strip())).strip()


@dataclass(frozen=True)
class _Unit:
    """What one <tu> says beside its segments, cleaned."""

    origin: str
    props: dict[str, str]
    note: str
    named: str  # the reviewer the file names ('' if none)
    created: str | None  # as the file writes them (TMX dates), briefing's own entries only
    updated: str | None


def read_tmx(path: Path, importer: str | None, now: str) -> TmxImport:
    """Check and read a TMX file: the entries it brings, as `importer` (None: not known) would
    store them at `now`; refused whole for a file-wide problem, or when its reviewed entries
    need a name and none is known."""
    units = _parse(path, _read(path))
    found = TmxImport()
    newest: dict[tuple[str, ...], StoredEntry] = {}
    for number, element in enumerate(units, start=1):
        place = f"<tu> {number} (line {element.sourceline})"
        for entry in _unit_entries(element, place, importer or "", now, found):
            key = (entry.target_lang, entry.segment, entry.origin, entry.model, entry.terms)
            held = newest.get(key)
            if held is not None:
                found.repeated += 1
                if held.updated > entry.updated:
                    continue
            newest[key] = entry
    found.entries = list(newest.values())
    if importer is None and found.reviewed:
        raise InputError(
            f"{path}: {found.reviewed} of its translations would be stored as reviewed, which "
            "records the person importing them, and the system does not say who is running "
            "the command: give your name with --reviewer NAME"
        )
    return found


def _leave_out(found: TmxImport, reason: str, place: str) -> list[StoredEntry]:
    found.left_out.setdefault(reason, []).append(place)
    return []


def _unit_entries(
    element: etree._Element, place: str, importer: str, now: str, found: TmxImport
) -> list[StoredEntry]:
    """The entries of one <tu> (one per target language), or none, counted with its reason."""
    tuvs: dict[str, list[etree._Element]] = {}
    for tuv in element.findall("tuv"):
        tuvs.setdefault(language_code(tuv.get(XML_LANG) or tuv.get("lang")), []).append(tuv)
    targets = [code for code in tuvs if code in TARGET_LANGUAGES]
    if SOURCE_LANGUAGE not in tuvs or not targets:
        found.other_languages += 1
        return []
    twice = [code for code in (SOURCE_LANGUAGE, *targets) if len(tuvs[code]) > 1]
    if twice:
        return _leave_out(found, f"more than one <tuv> in {', '.join(twice)}", place)
    source_text = _seg(tuvs[SOURCE_LANGUAGE][0])
    if source_text.codes:
        return _leave_out(found, source_text.reason, place)
    source = normalize(source_text.text)
    unit = _read_unit(element, source, place, now, found)
    if unit is None:
        return []
    entries: list[StoredEntry] = []
    for code in targets:
        target_text = _seg(tuvs[code][0])
        if target_text.codes:
            _leave_out(found, target_text.reason, f"{place} ({code})")
            continue
        target = normalize(target_text.text)
        if not source or not target:
            found.empty += 1
            continue
        limit = target_limit(source)
        if len(target) > limit:
            reason = (
                f"a target over the limit for its source ({TARGET_FACTOR}× its length, at "
                f"least {TARGET_FLOOR} characters)"
            )
            _leave_out(found, reason, f"{place} ({code}: {len(target):,} of {limit:,})")
            continue
        entries.append(_entry(unit, source, code, target, importer, now, found))
    if not entries:
        return []
    changed = _date(unit.updated, now, found)  # counted once per <tu> taken
    created = _date(unit.created, now, found) or changed or now
    updated = changed or created
    return [replace(entry, created=created, updated=updated) for entry in entries]


def _seg(tuv: etree._Element) -> SegmentText:
    seg = tuv.find("seg")
    return segment_text(seg if seg is not None else etree.Element("seg"))


def _read_unit(
    element: etree._Element, source: str, place: str, now: str, found: TmxImport
) -> _Unit | None:
    """What the <tu> says beside its segments, or None when it is left out (counted)."""
    props = {
        str(prop.get("type")): clean_outside("".join(prop.itertext())).strip()
        for prop in element.findall("prop")
    }
    origin = props.get(PROP_ORIGIN, "")
    if origin not in ("", *ORIGINS):
        _leave_out(found, f"an unknown {PROP_ORIGIN}", f"{place} ({origin[:40]!r})")
        return None
    limit = target_limit(source)
    note = _note(element)
    named = clean_name(element.get("changeid") or element.get("creationid") or "")
    longest_label = max(len(named), len(props.get(PROP_MODEL, "")))
    if len(note) > limit or len(props.get(PROP_TERMS, "")) > limit:
        what = "a note" if len(note) > limit else f"glossary forms ({PROP_TERMS})"
        _leave_out(found, f"{what} over the limit for its source (that of a target)", place)
        return None
    if longest_label > MAX_LABEL:
        reason = f"a reviewer's or model's name over {MAX_LABEL} characters"
        _leave_out(found, reason, f"{place} ({longest_label:,} characters)")
        return None
    dates = (element.get("creationdate"), element.get("changedate")) if origin else (None, None)
    return _Unit(origin, props, note, named, *dates)


def _entry(
    unit: _Unit, source: str, code: str, target: str, importer: str, now: str, found: TmxImport
) -> StoredEntry:
    """One target of a <tu> as the memory stores it: a reviewed one in the importer's name."""
    machine = unit.origin == MACHINE
    note = unit.note
    if not machine and unit.named and unit.named != importer:
        note = f"{note}\n{NAMED}{unit.named}".strip()
        found.named[unit.named] = found.named.get(unit.named, 0) + 1
    return StoredEntry(
        segment=source,
        source_lang=SOURCE_LANGUAGE,
        target_lang=code,
        target=target,
        origin=unit.origin or REVIEWED,
        model=unit.props.get(PROP_MODEL, "") if machine else "",
        terms=unit.props.get(PROP_TERMS, "") if machine else "",
        reviewer=None if machine else importer,
        flagged=machine and unit.props.get(PROP_FLAGGED) == "yes",
        created=now,  # the <tu>'s dates are set once its targets are read
        updated=now,
        comment=note,
    )
