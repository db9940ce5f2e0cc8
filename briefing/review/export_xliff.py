"""Review export as XLIFF 1.2: a document's sentences with the memory's translations.

One <trans-unit> per unique sentence of the facts' free text, in document order, with the
current translation, a note saying where the sentence stands and where its translation came
from, and, in an <alt-trans alttranstype="previous-version">, the translation as exported and
its origin, so that the import can tell what the reviewer changed from the file alone. The
<file> names the facts file (original) and the target language; its header's <reference>
carries the facts file again with a digest of the exported sources (crc).

Written with ElementTree rather than translate-toolkit's xliff store: the export is a dozen
elements, and keeping it beside the reader (import_xliff.py, which must check untrusted files
strictly and report each problem with its place) keeps the one format in one hand.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from briefing import __version__
from briefing.languages import LANGUAGES, SOURCE_LANGUAGE
from briefing.memory.interface import StoredEntry
from briefing.review.binding import FORMAT, ReviewDocument, exported_origin
from briefing.review.xliff import TOOL, XLIFF_NS, qualified


def _state(entry: StoredEntry | None) -> tuple[str, str | None]:
    """(state, state-qualifier) of a unit's target."""
    if entry is None:
        return "new", None
    if entry.reviewed:
        return "final", None
    if entry.flagged:
        return "needs-review-translation", "leveraged-mt"
    return "translated", "leveraged-mt"


def _origin_note(entry: StoredEntry | None, reasons: tuple[str, ...] = ()) -> str:
    if entry is None:
        return "Origin: none yet; no translation in the memory. Translate it here."
    if entry.reviewed:
        who = f" by {entry.reviewer}" if entry.reviewer else ""
        return f"Origin: reviewed{who} ({entry.updated[:10]})."
    text = f"Origin: machine translation ({entry.model})."
    if entry.flagged and reasons:
        text += f" flagged: {'; '.join(reasons)}; check this sentence first."
    elif entry.flagged:
        text += (
            " flagged: a name, number or date did not come through machine translation intact,"
            " or another check on its output failed (brackets, repetition, left in English,"
            " length);"
            " check this sentence first."
        )
    return text


def build_xliff(
    document: ReviewDocument,
    known: dict[str, StoredEntry],
    reasons: dict[str, tuple[str, ...]] | None = None,
) -> bytes:
    """The XLIFF 1.2 file for `document`, with targets from `known` and, for flagged
    sentences, the checks they failed (`reasons`, by sentence)."""
    ET.register_namespace("", XLIFF_NS)
    root = ET.Element(qualified("xliff"), {"version": "1.2"})
    file = ET.SubElement(
        root,
        qualified("file"),
        {
            "original": document.facts_path,
            "source-language": SOURCE_LANGUAGE,
            "target-language": document.lang,
            "datatype": "plaintext",
            "tool-id": TOOL,
            "product-name": TOOL,
            "product-version": FORMAT,
        },
    )
    header = ET.SubElement(file, qualified("header"))
    ET.SubElement(
        header,
        qualified("tool"),
        {"tool-id": TOOL, "tool-name": TOOL, "tool-version": __version__},
    )
    reference = ET.SubElement(header, qualified("reference"))
    ET.SubElement(
        reference,
        qualified("external-file"),
        {"href": document.facts_path, "crc": document.sources_digest, "uid": "facts"},
    )
    ET.SubElement(header, qualified("note")).text = (
        f"Briefing sentences of {document.facts_path}, English to "
        f"{LANGUAGES[document.lang].name}. Correct the targets; mark a correct machine "
        "translation as final/signed-off (confirmed/approved) to keep it as it is. Do not "
        "change the sources. Import with: briefing review import FILE"
    )
    body = ET.SubElement(file, qualified("body"))
    for item in document.units:
        entry = known.get(item.segment)
        unit = ET.SubElement(
            body, qualified("trans-unit"), {"id": item.id, "resname": item.places[0]}
        )
        if entry is not None and entry.reviewed:
            unit.set("approved", "yes")
        ET.SubElement(unit, qualified("source")).text = item.segment
        state, qualifier = _state(entry)
        target = ET.SubElement(unit, qualified("target"), {"state": state})
        if qualifier:
            target.set("state-qualifier", qualifier)
        exported = entry.target if entry is not None else ""
        target.text = exported
        context = f"Section: {', '.join(item.sections)}. Fact: {'; '.join(item.places)}."
        ET.SubElement(unit, qualified("note"), {"from": TOOL, "annotates": "source"}).text = context
        origin = _origin_note(entry, (reasons or {}).get(item.segment, ()))
        ET.SubElement(unit, qualified("note"), {"from": TOOL, "annotates": "target"}).text = origin
        alternative = ET.SubElement(
            unit,
            qualified("alt-trans"),
            {
                "alttranstype": "previous-version",
                "origin": exported_origin(entry),
                "tool-id": TOOL,
            },
        )
        ET.SubElement(alternative, qualified("target")).text = exported
    ET.indent(root, space="  ")
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"
