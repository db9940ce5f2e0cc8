"""Review import: a reviewer's translations back from XLIFF 1.2 into the memory, as reviewed.

The import stores a unit's target as reviewed when

* the file says the unit is approved: state="final" or state="signed-off" on <target>, or
  approved="yes" on <trans-unit> (what a reviewer's "confirm"/"approve" writes), or
* the target text differs from what the memory holds for the sentence (the reviewer edited it).

A unit with an empty target is left alone. Everything in the file is checked before anything is
stored, and it is stored in one transaction: a file with any problem imports nothing.
"""

from __future__ import annotations

import getpass
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

from briefing.errors import InputError, Problem
from briefing.facts.yamlsource import decode
from briefing.languages import LANGUAGES, SOURCE_LANGUAGE
from briefing.memory.interface import ReviewedTranslation, ReviewMemory
from briefing.review.xliff import APPROVED_STATES, STATES, XLIFF_NS, XML_NS, qualified, unit_id
from briefing.translation.segments import normalize


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
    if root.tag != qualified("xliff"):
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
    files = root.findall(qualified("file"))
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
        for unit in file.iter(qualified("trans-unit")):
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
    source_element = unit.find(qualified("source"))
    target_element = unit.find(qualified("target"))
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


def import_review(path: Path, memory: ReviewMemory, reviewer: str | None = None) -> ImportSummary:
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
