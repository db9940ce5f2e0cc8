"""Review round trip: a document's segments out as XLIFF 1.2, a reviewer's translations back in.

XLIFF 1.2 is the version OmegaT, Trados, memoQ and Weblate all open. The export holds one
<trans-unit> per unique sentence of the facts' free text, in document order, with the current
translation from the memory and a note saying where the sentence stands and where its
translation came from. The import stores a unit's target as reviewed when

* the file says the unit is approved: state="final" or state="signed-off" on <target>, or
  approved="yes" on <trans-unit> (what a reviewer's "confirm"/"approve" writes), or
* the target text differs from what the memory holds for the sentence (the reviewer edited it).

A unit with an empty target is left alone. Everything in the file is checked before anything is
stored, and it is stored in one transaction: a file with any problem imports nothing.
"""

from __future__ import annotations

import getpass
import hashlib
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from briefing import __version__
from briefing.atomic import write_atomic
from briefing.errors import InputError, Problem
from briefing.facts.schema import Facts, HeadedStatement
from briefing.facts.yamlsource import decode, dotted
from briefing.languages import LANGUAGES, SOURCE_LANGUAGE
from briefing.localize import glossary_gaps
from briefing.memory.interface import ReviewedTranslation, StoredEntry
from briefing.memory.sqlite import TranslationMemory
from briefing.terms.glossary import Glossary
from briefing.translation.segments import normalize, split_segments

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

SECTIONS = {
    "event": "Event",
    "summary": "Summary",
    "background": "Background",
    "outcomes": "Outcomes",
    "topics": "Topics discussed",
    "next_steps": "Next steps",
    "differences": "Where the sources differ",
    "participants": "Participants",
}


def _q(tag: str) -> str:
    return f"{{{XLIFF_NS}}}{tag}"


def unit_id(segment: str) -> str:
    """A stable id for a sentence: the same source gives the same id in every export."""
    digest = hashlib.sha256(normalize(segment).encode("utf-8")).hexdigest()
    return f"s{digest[:16]}"


# -- what to review -------------------------------------------------------------------------


@dataclass
class ReviewSegment:
    """One unique sentence of a document and every place in the facts it occurs."""

    segment: str
    places: list[str] = field(default_factory=list)  # e.g. "outcomes[3].text, sentence 2 of 3"
    sections: list[str] = field(default_factory=list)


def texts_with_paths(facts: Facts, glossary: Glossary) -> Iterator[tuple[str, str]]:
    """(path in the facts file, English text) of every text the build translates, in the
    order the document shows them."""
    yield "event.title", facts.event.title
    yield "event.kind", facts.event.kind
    topics_done: set[int] = set()
    for loc, statement in facts.statements():
        if loc[0] == "differences" and isinstance(loc[1], int) and loc[1] not in topics_done:
            topics_done.add(loc[1])
            yield f"differences[{loc[1]}].topic", facts.differences[loc[1]].topic
        path = dotted(loc)
        if isinstance(statement, HeadedStatement):
            yield f"{path}.heading", statement.heading
        yield f"{path}.text", statement.text
    for loc, text in glossary_gaps(facts, glossary):
        yield dotted(loc), text
    for i, participant in enumerate(facts.participants):
        term = glossary.lookup(participant.name)
        if term is None or term.title is None:
            yield f"participants[{i}].title", participant.title


def document_segments(facts: Facts, glossary: Glossary) -> list[ReviewSegment]:
    """Unique sentences in document order, each with the places it occurs."""
    found: dict[str, ReviewSegment] = {}
    for path, text in texts_with_paths(facts, glossary):
        sentences = split_segments(text)
        section = SECTIONS.get(path.split(".")[0].split("[")[0], path)
        count = len(sentences)
        for number, sentence in enumerate(sentences, start=1):
            place = path if count == 1 else f"{path}, sentence {number} of {count}"
            item = found.setdefault(sentence, ReviewSegment(sentence))
            item.places.append(place)
            if section not in item.sections:
                item.sections.append(section)
    return list(found.values())


# -- export ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExportSummary:
    units: int
    reviewed: int
    machine: int
    flagged: int
    new: int


def _state(entry: StoredEntry | None) -> tuple[str, str | None]:
    """(state, state-qualifier) of a unit's target."""
    if entry is None:
        return "new", None
    if entry.reviewed:
        return "final", None
    if entry.flagged:
        return "needs-review-translation", "leveraged-mt"
    return "translated", "leveraged-mt"


def _origin_note(entry: StoredEntry | None) -> str:
    if entry is None:
        return "Origin: none yet; no translation in the memory. Translate it here."
    if entry.reviewed:
        who = f" by {entry.reviewer}" if entry.reviewer else ""
        return f"Origin: reviewed{who} ({entry.updated[:10]})."
    text = f"Origin: machine translation ({entry.model})."
    if entry.flagged:
        text += (
            " flagged: a name or number did not survive machine translation intact;"
            " check this sentence first."
        )
    return text


def build_xliff(
    facts_name: str, lang: str, segments: list[ReviewSegment], known: dict[str, StoredEntry]
) -> bytes:
    """The XLIFF 1.2 document for `segments`, with targets from `known`."""
    ET.register_namespace("", XLIFF_NS)
    root = ET.Element(_q("xliff"), {"version": "1.2"})
    file = ET.SubElement(
        root,
        _q("file"),
        {
            "original": facts_name,
            "source-language": SOURCE_LANGUAGE,
            "target-language": lang,
            "datatype": "plaintext",
            "tool-id": TOOL,
        },
    )
    header = ET.SubElement(file, _q("header"))
    ET.SubElement(
        header,
        _q("tool"),
        {"tool-id": TOOL, "tool-name": TOOL, "tool-version": __version__},
    )
    ET.SubElement(header, _q("note")).text = (
        f"Briefing sentences of {facts_name}, English to {LANGUAGES[lang].name}. Correct the "
        "targets; mark a correct machine translation as final/signed-off (confirmed/approved) "
        "to keep it as it is. Do not change the sources. Import with: briefing review import FILE"
    )
    body = ET.SubElement(file, _q("body"))
    for item in segments:
        entry = known.get(item.segment)
        unit = ET.SubElement(
            body,
            _q("trans-unit"),
            {"id": unit_id(item.segment), "resname": item.places[0]},
        )
        if entry is not None and entry.reviewed:
            unit.set("approved", "yes")
        ET.SubElement(unit, _q("source")).text = item.segment
        state, qualifier = _state(entry)
        target = ET.SubElement(unit, _q("target"), {"state": state})
        if qualifier:
            target.set("state-qualifier", qualifier)
        target.text = entry.target if entry is not None else ""
        context = f"Section: {', '.join(item.sections)}. Fact: {'; '.join(item.places)}."
        ET.SubElement(unit, _q("note"), {"from": TOOL, "annotates": "source"}).text = context
        ET.SubElement(unit, _q("note"), {"from": TOOL, "annotates": "target"}).text = _origin_note(
            entry
        )
    ET.indent(root, space="  ")
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


def export_review(
    facts: Facts,
    facts_path: Path,
    lang: str,
    glossary: Glossary,
    memory: TranslationMemory,
    output: Path,
) -> ExportSummary:
    """Write the XLIFF file for one document and language; returns what it holds."""
    if lang == SOURCE_LANGUAGE or lang not in LANGUAGES:
        targets = ", ".join(code for code in LANGUAGES if code != SOURCE_LANGUAGE)
        raise InputError(f"cannot export for review in '{lang}'; choose one of: {targets}")
    segments = document_segments(facts, glossary)
    known = memory.entries_for([s.segment for s in segments], SOURCE_LANGUAGE, lang)
    write_atomic(output, build_xliff(facts_path.name, lang, segments, known))
    entries = [known.get(s.segment) for s in segments]
    return ExportSummary(
        units=len(segments),
        reviewed=sum(1 for e in entries if e is not None and e.reviewed),
        machine=sum(1 for e in entries if e is not None and not e.reviewed),
        flagged=sum(1 for e in entries if e is not None and not e.reviewed and e.flagged),
        new=sum(1 for e in entries if e is None),
    )


# -- import ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReviewUnit:
    """One trans-unit read from a reviewer's file."""

    id: str
    source: str
    target: str
    target_lang: str
    approved: bool  # the file marks it final / signed-off / approved


@dataclass(frozen=True)
class ImportSummary:
    reviewed: int
    unchanged: int
    empty: int
    languages: tuple[str, ...]


_FORBIDDEN = re.compile(r"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)


def _language(value: str | None) -> str | None:
    """'ja-JP' → 'ja'; CAT tools often write regional tags for what was exported as 'ja'."""
    if not value:
        return None
    return value.strip().replace("_", "-").split("-")[0].lower()


def _text(element: ET.Element) -> str:
    return "".join(element.itertext())


def read_review_file(path: Path) -> list[ReviewUnit]:
    """Read and check a reviewer's XLIFF 1.2 file; every problem found is reported at once."""
    try:
        raw = path.read_bytes()
    except OSError as err:
        raise InputError(f"cannot read {path}: {err.strerror or err}") from None
    text = decode(path, raw)

    def refuse(message: str, hint: str = "", line: int | None = None) -> InputError:
        problem = Problem(path, line, None, message, hint)
        return InputError("the review file was refused; nothing was imported", [problem])

    forbidden = _FORBIDDEN.search(text)
    if forbidden:
        line = text.count("\n", 0, forbidden.start()) + 1
        raise refuse(
            f"the file declares a document type or entities (<!{forbidden.group(1)}); "
            "XLIFF needs neither and they are refused for safety",
            "Export the file again from the CAT tool as plain XLIFF 1.2.",
            line,
        )
    try:
        root = ET.fromstring(text)
    except ET.ParseError as err:
        line, column = err.position
        raise InputError(
            "the review file was refused; nothing was imported",
            [Problem(path, line, column + 1, f"not well-formed XML: {err}")],
        ) from None
    if root.tag != _q("xliff"):
        namespace = root.tag[1:].split("}")[0] if root.tag.startswith("{") else ""
        if root.tag.endswith("xliff") and namespace.endswith(":2.0"):
            raise refuse(
                "this is XLIFF 2.0; briefing reads XLIFF 1.2",
                "Save or export the file as XLIFF 1.2 in the CAT tool.",
            )
        raise refuse(
            f"not an XLIFF 1.2 file: the root element is <{root.tag}>, "
            f"expected <xliff> in the namespace {XLIFF_NS}",
            "Import the .xlf file that `briefing review export` wrote, after review.",
        )
    if root.get("version") != "1.2":
        raise refuse(f"XLIFF version {root.get('version')!r} is not supported; expected 1.2")

    problems: list[Problem] = []
    units: list[ReviewUnit] = []
    seen: set[tuple[str, str]] = set()
    files = root.findall(_q("file"))
    if not files:
        raise refuse("the file holds no <file> element, so no translations")
    for number, file in enumerate(files, start=1):
        where = f"<file> {number} ({file.get('original') or 'no name'})"
        source_lang = _language(file.get("source-language"))
        target_lang = _language(file.get("target-language"))
        if source_lang != SOURCE_LANGUAGE:
            problems.append(
                Problem(
                    path,
                    None,
                    None,
                    f"{where}: source-language is {file.get('source-language')!r}; "
                    f"briefing translates from '{SOURCE_LANGUAGE}'",
                )
            )
        if target_lang is None:
            problems.append(Problem(path, None, None, f"{where}: missing target-language"))
            continue
        if target_lang == SOURCE_LANGUAGE or target_lang not in LANGUAGES:
            known = ", ".join(code for code in LANGUAGES if code != SOURCE_LANGUAGE)
            problems.append(
                Problem(
                    path,
                    None,
                    None,
                    f"{where}: target-language {file.get('target-language')!r} is not one "
                    f"briefing writes (known: {known})",
                )
            )
            continue
        for unit in file.iter(_q("trans-unit")):
            problems += _check_unit(path, where, unit, target_lang, seen, units)
    if problems:
        raise InputError("the review file was refused; nothing was imported", problems)
    return units


def _check_unit(
    path: Path,
    where: str,
    unit: ET.Element,
    target_lang: str,
    seen: set[tuple[str, str]],
    units: list[ReviewUnit],
) -> list[Problem]:
    def problem(message: str, hint: str = "") -> Problem:
        return Problem(path, None, None, f"{where}, trans-unit '{ident}': {message}", hint)

    ident = unit.get("id") or ""
    if not ident:
        return [Problem(path, None, None, f"{where}: a <trans-unit> has no id")]
    if (target_lang, ident) in seen:
        return [problem("appears twice")]
    seen.add((target_lang, ident))
    source_element = unit.find(_q("source"))
    target_element = unit.find(_q("target"))
    if source_element is None:
        return [problem("has no <source>")]
    if target_element is None:
        return [problem("has no <target>", "Keep every unit's <target>, empty if untranslated.")]
    source = normalize(_text(source_element))
    if unit_id(source) != ident:
        return [
            problem(
                "its source text is not the one exported (changed, or from another file)",
                "Sources must stay as exported; export again to review changed facts.",
            )
        ]
    codes = sorted({child.tag.split("}")[-1] for child in target_element.iter()} - {"target"})
    codes = [code for code in codes if code != "mrk"]
    if codes:
        return [
            problem(
                f"the target holds inline codes ({', '.join('<' + c + '>' for c in codes)}) "
                "that a plain-text sentence cannot keep",
                "Remove the tags from the target, leaving the text.",
            )
        ]
    declared = _language(target_element.get(f"{{{XML_NS}}}lang"))
    if declared is not None and declared != target_lang:
        return [
            problem(
                f"the target is marked xml:lang={target_element.get(f'{{{XML_NS}}}lang')!r} "
                f"in a file whose target-language is '{target_lang}'"
            )
        ]
    state = target_element.get("state")
    if state is not None and state not in STATES and not state.startswith("x-"):
        return [problem(f"unknown state {state!r}; XLIFF 1.2 states are {', '.join(STATES)}")]
    approved = state in APPROVED_STATES or unit.get("approved") == "yes"
    target = normalize(_text(target_element))
    if approved and not target:
        return [
            problem(
                "the target is empty but marked final/approved",
                "Translate the sentence, or take back its approval.",
            )
        ]
    units.append(ReviewUnit(ident, source, target, target_lang, approved))
    return []


def import_review(
    path: Path, memory: TranslationMemory, reviewer: str | None = None
) -> ImportSummary:
    """Check the whole file, then store its approved or edited targets in one transaction."""
    units = read_review_file(path)
    by_lang: dict[str, list[ReviewUnit]] = {}
    for unit in units:
        by_lang.setdefault(unit.target_lang, []).append(unit)
    chosen: list[ReviewedTranslation] = []
    unchanged = empty = 0
    for lang, group in by_lang.items():
        current = memory.entries_for([u.source for u in group], SOURCE_LANGUAGE, lang)
        for unit in group:
            entry = current.get(unit.source)
            if not unit.target:
                empty += 1
            elif entry is not None and entry.reviewed and entry.target == unit.target:
                unchanged += 1
            elif unit.approved or entry is None or entry.target != unit.target:
                chosen.append(ReviewedTranslation(unit.source, SOURCE_LANGUAGE, lang, unit.target))
            else:
                unchanged += 1
    if chosen:
        memory.store_reviewed(chosen, reviewer or default_reviewer())
    return ImportSummary(len(chosen), unchanged, empty, tuple(by_lang))


def default_reviewer() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"
