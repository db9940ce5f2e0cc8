"""Reading a reviewer's XLIFF 1.2 file back: which document it belongs to, and its units.

Everything is checked before anything is returned and every problem is reported at once, with
its place: a DOCTYPE or entity declaration, XML that is not well-formed, another XLIFF version,
wrong languages, units without a source or target, unknown states. A unit whose target holds
inline codes is left out and named, as a TMX import does (memory/inline.py). Every text is
cleaned as facts text is. What a unit imports is decided in binding.py, from the file alone.

Kept on ElementTree rather than translate-toolkit's xliff store: that store reads any version
and shape without complaint and loads the file whole, where this reader must refuse a hostile
file early (size first, then only the <file> element to find the document) and say what is
wrong where.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import cast

from briefing.errors import InputError, Problem
from briefing.input_files import read_input
from briefing.languages import SOURCE_LANGUAGE, TARGET_LANGUAGES, language_code
from briefing.memory.inline import segment_text
from briefing.review.binding import (
    FORMAT,
    ReturnedUnit,
    ReviewDocument,
    check_unit_count,
    origin_word,
    refusal,
)
from briefing.review.xliff import APPROVED_STATES, STATES, TOOL, XLIFF_NS, XML_NS, qualified
from briefing.yamlsource.cleaning import clean_outside
from briefing.yamlsource.reading import decode

_FORBIDDEN = re.compile(r"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)


@dataclass(frozen=True)
class XliffBinding:
    """What the file's <file> element says of its document."""

    facts_path: str
    lang: str
    format: str


def _language(value: str | None) -> str | None:
    """'ja-JP' → 'ja'; CAT tools often write regional tags for what was exported as 'ja'."""
    if not value:
        return None
    return language_code(value)


def _text(element: ET.Element) -> str:
    return clean_outside("".join(element.itertext()))


def _refuse(path: Path, message: str, hint: str = "", line: int | None = None) -> InputError:
    return refusal([Problem(path, line, None, message, hint)])


def read_text(path: Path, limit: int) -> str:
    """The file's text, refused if it declares a DOCTYPE or entities."""
    raw = read_input(path, "review files", limit)
    text = decode(path, raw)
    forbidden = _FORBIDDEN.search(text)
    if forbidden:
        line = text.count("\n", 0, forbidden.start()) + 1
        raise _refuse(
            path,
            f"the file declares a document type or entities (<!{forbidden.group(1)}); "
            "XLIFF needs neither and they are refused for safety",
            "Export the file again from the CAT tool as plain XLIFF 1.2.",
            line,
        )
    return text


def _not_well_formed(path: Path, err: ET.ParseError) -> InputError:
    line, column = err.position
    return refusal([Problem(path, line, column + 1, f"not well-formed XML: {err}")])


def _check_root(path: Path, root: ET.Element) -> None:
    if root.tag != qualified("xliff"):
        namespace = root.tag[1:].split("}")[0] if root.tag.startswith("{") else ""
        if root.tag.endswith("xliff") and namespace.endswith(":2.0"):
            raise _refuse(
                path,
                "this is XLIFF 2.0; briefing reads XLIFF 1.2",
                "Save or export the file as XLIFF 1.2 in the CAT tool.",
            )
        raise _refuse(
            path,
            f"not an XLIFF 1.2 file: the root element is <{root.tag}>, "
            f"expected <xliff> in the namespace {XLIFF_NS}",
            "Import the .xlf file that `briefing review export` wrote, after review.",
        )
    if root.get("version") != "1.2":
        raise _refuse(path, f"XLIFF version {root.get('version')!r} is not supported; expected 1.2")


def _check_languages(path: Path, file: ET.Element) -> str:
    """The file's target language; its source language must be English."""
    problems = []
    source_lang = _language(file.get("source-language"))
    target_lang = _language(file.get("target-language"))
    where = f"<file> ({file.get('original') or 'no name'})"
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
    elif target_lang not in TARGET_LANGUAGES:
        known = ", ".join(TARGET_LANGUAGES)
        problems.append(
            Problem(
                path,
                None,
                None,
                f"{where}: target-language {file.get('target-language')!r} is not one "
                f"briefing writes (known: {known})",
            )
        )
    if problems:
        raise refusal(problems)
    return target_lang or ""


def read_binding(path: Path, text: str) -> XliffBinding:
    """The document the file belongs to, from its first <file> element: only the file's start
    is parsed, so that a file of the wrong size is refused before it is read whole."""
    parser: ET.XMLPullParser = ET.XMLPullParser(events=("start",))
    root: ET.Element | None = None
    step = 65536
    try:
        for start in range(0, len(text), step):
            parser.feed(text[start : start + step])
            events = cast("Iterator[tuple[str, object]]", parser.read_events())
            for _event, element in events:
                if not isinstance(element, ET.Element):
                    continue
                if root is None:
                    root = element
                    _check_root(path, root)
                elif element.tag == qualified("file"):
                    return _binding(path, element)
    except ET.ParseError as err:
        raise _not_well_formed(path, err) from None
    if root is None:
        raise _refuse(path, "the file is empty or holds no XML element")
    raise _refuse(path, "the file holds no <file> element, so no translations")


def _binding(path: Path, file: ET.Element) -> XliffBinding:
    lang = _check_languages(path, file)
    fmt = file.get("product-version") if file.get("product-name") == TOOL else None
    if fmt != FORMAT:
        raise _refuse(
            path,
            "this file was not exported by this version of briefing for review (its <file> "
            f'should say product-name="{TOOL}" product-version="{FORMAT}"), so it does '
            "not say which document and which translations it holds",
            "Export the document again with `briefing review export` and review that file.",
        )
    original = file.get("original") or ""
    if not original:
        raise _refuse(path, "the <file> element does not name its facts file (original)")
    return XliffBinding(original, lang, fmt)


@dataclass(frozen=True)
class XliffUnits:
    units: list[ReturnedUnit]
    left_out: list[str]  # "trans-unit 'id': why", for units not taken (inline.py's rule)


def read_units(path: Path, text: str, document: ReviewDocument) -> XliffUnits:
    """Every trans-unit of the file, checked; the count within the document's."""
    try:
        root = ET.fromstring(text)
    except ET.ParseError as err:
        raise _not_well_formed(path, err) from None
    _check_root(path, root)
    files = root.findall(qualified("file"))
    if len(files) != 1:
        raise _refuse(path, f"the file holds {len(files)} <file> elements; an export has one")
    _check_languages(path, files[0])
    elements = list(files[0].iter(qualified("trans-unit")))
    check_unit_count(path, len(elements), document)
    problems: list[Problem] = []
    found = XliffUnits([], [])
    for element in elements:
        problems += _check_unit(path, element, document.lang, found)
    if problems:
        raise refusal(problems)
    return found


def _check_unit(path: Path, unit: ET.Element, target_lang: str, found: XliffUnits) -> list[Problem]:
    ident = unit.get("id") or ""

    def problem(message: str, hint: str = "") -> Problem:
        return Problem(path, None, None, f"trans-unit '{ident}': {message}", hint)

    if not ident:
        return [Problem(path, None, None, "a <trans-unit> has no id")]
    source_element = unit.find(qualified("source"))
    target_element = unit.find(qualified("target"))
    if source_element is None:
        return [problem("has no <source>")]
    if target_element is None:
        return [problem("has no <target>", "Keep every unit's <target>, empty if untranslated.")]
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
    exported, origin = None, ""
    for alternative in unit.findall(qualified("alt-trans")):
        if alternative.get("tool-id") == TOOL and alternative.get("alttranstype") == (
            "previous-version"
        ):
            previous = alternative.find(qualified("target"))
            exported = _text(previous) if previous is not None else ""
            origin = origin_word(alternative.get("origin"))
    target = segment_text(target_element)
    if target.codes:
        found.left_out.append(f"trans-unit '{ident}': {target.reason}")
        return []
    found.units.append(
        ReturnedUnit(
            id=ident,
            source=_text(source_element),
            target=target.text,
            exported_target=exported,
            exported_origin=origin,
            confirmed=state in APPROVED_STATES or unit.get("approved") == "yes",
            where=f"trans-unit '{ident}'",
        )
    )
    return []
