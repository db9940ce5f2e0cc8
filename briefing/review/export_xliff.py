"""Review export: a document's sentences out as XLIFF 1.2, with the memory's translations.

The export holds one <trans-unit> per unique sentence of the facts' free text, in document order,
with the current translation from the memory and a note saying where the sentence stands and
where its translation came from.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

from briefing import __version__
from briefing.atomic import write_atomic
from briefing.errors import InputError
from briefing.facts.schema import Facts
from briefing.languages import LANGUAGES, SOURCE_LANGUAGE
from briefing.memory.interface import ReviewMemory, StoredEntry
from briefing.review.worklist import ReviewSegment, document_segments
from briefing.review.xliff import TOOL, XLIFF_NS, qualified, unit_id
from briefing.terms.glossary import Glossary


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
    root = ET.Element(qualified("xliff"), {"version": "1.2"})
    file = ET.SubElement(
        root,
        qualified("file"),
        {
            "original": facts_name,
            "source-language": SOURCE_LANGUAGE,
            "target-language": lang,
            "datatype": "plaintext",
            "tool-id": TOOL,
        },
    )
    header = ET.SubElement(file, qualified("header"))
    ET.SubElement(
        header,
        qualified("tool"),
        {"tool-id": TOOL, "tool-name": TOOL, "tool-version": __version__},
    )
    ET.SubElement(header, qualified("note")).text = (
        f"Briefing sentences of {facts_name}, English to {LANGUAGES[lang].name}. Correct the "
        "targets; mark a correct machine translation as final/signed-off (confirmed/approved) "
        "to keep it as it is. Do not change the sources. Import with: briefing review import FILE"
    )
    body = ET.SubElement(file, qualified("body"))
    for item in segments:
        entry = known.get(item.segment)
        unit = ET.SubElement(
            body,
            qualified("trans-unit"),
            {"id": unit_id(item.segment), "resname": item.places[0]},
        )
        if entry is not None and entry.reviewed:
            unit.set("approved", "yes")
        ET.SubElement(unit, qualified("source")).text = item.segment
        state, qualifier = _state(entry)
        target = ET.SubElement(unit, qualified("target"), {"state": state})
        if qualifier:
            target.set("state-qualifier", qualifier)
        target.text = entry.target if entry is not None else ""
        context = f"Section: {', '.join(item.sections)}. Fact: {'; '.join(item.places)}."
        ET.SubElement(unit, qualified("note"), {"from": TOOL, "annotates": "source"}).text = context
        origin = _origin_note(entry)
        ET.SubElement(unit, qualified("note"), {"from": TOOL, "annotates": "target"}).text = origin
    ET.indent(root, space="  ")
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


def export_review(
    facts: Facts,
    facts_path: Path,
    lang: str,
    glossary: Glossary,
    memory: ReviewMemory,
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
