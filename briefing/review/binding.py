"""What ties a review file to its document, and what an import may take from it.

Every review file (XLIFF or Word) names the facts file, the target language and a digest of the
sources it exported, and gives each unit an id made of where the sentence first stands (fact
path and sentence number) and a digest of its source. An import accepts a unit only when its
sentence is part of that document as it stands now; a unit whose sentence has gone is stale.

The file also carries what was exported for each unit: the target and its origin. Whether a
unit becomes reviewed is decided from the file alone, never from what the memory holds at import
time: a unit is stored as reviewed when the reviewer changed the exported target, or when the
file marks it confirmed (final, signed-off, approved) and it was not already a reviewed
translation. An unchanged, unconfirmed unit imports nothing, so moving the memory, changing the
model or importing into another memory never turns machine output into "reviewed".

Limits, checked before a file is parsed whole, keep a hostile or mistaken file from filling the
memory: the file's size (a few times what an export of the document measures, with a floor),
the number of units (the document's), and each target's length (a multiple of its source's).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from briefing.errors import InputError, Problem
from briefing.facts.schema import Facts
from briefing.memory.interface import MACHINE as ORIGIN_MACHINE
from briefing.memory.interface import REVIEWED as ORIGIN_REVIEWED
from briefing.memory.interface import (
    TARGET_FACTOR,
    TARGET_FLOOR,
    StoredEntry,
    normalize,
    target_limit,
)
from briefing.review.worklist import texts_with_paths
from briefing.translation.segments import split_segments
from briefing.yamlsource.cleaning import clean_outside

FORMAT = "briefing-review/2"  # what an export of this version writes; imports require it
DIGEST_LENGTH = 12
SIZE_FACTOR = 4  # a file may be this many times the size of a fresh export of its document
ORIGIN_NONE = "none"  # what an export says of a unit the memory has no translation for


def source_digest(segment: str) -> str:
    return hashlib.sha256(normalize(segment).encode("utf-8")).hexdigest()[:DIGEST_LENGTH]


def target_digest(target: str) -> str:
    """A short digest of an exported target: what a Word review document carries per unit."""
    return hashlib.sha256(normalize(target).encode("utf-8")).hexdigest()[:DIGEST_LENGTH]


def make_unit_id(path: str, number: int, segment: str) -> str:
    """'outcomes[3].text:2:3f2a9c1d4e5f': fact path, sentence number, source digest."""
    return f"{path}:{number}:{source_digest(segment)}"


def digest_of_id(unit_id: str) -> str:
    return unit_id.rsplit(":", 1)[-1]


def exported_origin(entry: StoredEntry | None) -> str:
    """'machine translate-en_ja@1.1', 'reviewed Sato Hanako' or 'none': what an export says
    a unit's translation was; the import reads its first word."""
    if entry is None:
        return ORIGIN_NONE
    if entry.reviewed:
        return f"{ORIGIN_REVIEWED} {entry.reviewer or ''}".strip()
    return f"{ORIGIN_MACHINE} {entry.model}"


def origin_word(origin: str | None) -> str:
    word = (origin or "").split(" ", 1)[0]
    return word if word in (ORIGIN_MACHINE, ORIGIN_REVIEWED, ORIGIN_NONE) else ""


@dataclass
class DocumentUnit:
    """One unique sentence of the document, where it first stands and where else it occurs."""

    id: str
    segment: str
    places: list[str] = field(default_factory=list)
    sections: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ReviewDocument:
    """A document as review sees it: its facts file, language and units in document order."""

    facts_path: str  # as the export names it
    lang: str
    units: tuple[DocumentUnit, ...]

    @property
    def sources_digest(self) -> str:
        hasher = hashlib.sha256()
        for unit in self.units:
            hasher.update(normalize(unit.segment).encode("utf-8") + b"\n")
        return hasher.hexdigest()[: 2 * DIGEST_LENGTH]

    def by_digest(self) -> dict[str, DocumentUnit]:
        return {digest_of_id(unit.id): unit for unit in self.units}


def review_document(
    facts: Facts, facts_path: str, lang: str, sections: Mapping[str, str]
) -> ReviewDocument:
    """The document's unique sentences in document order, each with a stable id and the
    sections it is printed under (`sections`: fact path → heading, worklist.document_sections;
    a path it lacks is its own section)."""
    found: dict[str, DocumentUnit] = {}
    for path, text in texts_with_paths(facts):
        sentences = split_segments(text)
        section = sections.get(path, path)
        count = len(sentences)
        for number, sentence in enumerate(sentences, start=1):
            place = path if count == 1 else f"{path}, sentence {number} of {count}"
            unit = found.get(sentence)
            if unit is None:
                unit = found[sentence] = DocumentUnit(
                    make_unit_id(path, number, sentence), sentence
                )
            unit.places.append(place)
            if section not in unit.sections:
                unit.sections.append(section)
    return ReviewDocument(facts_path, lang, tuple(found.values()))


@dataclass(frozen=True)
class ReturnedUnit:
    """One unit as read back from a reviewer's file."""

    id: str
    source: str
    target: str
    exported_target: str | None  # None: the file no longer says what was exported
    exported_origin: str  # machine | reviewed | none | '' (unknown)
    confirmed: bool  # final / signed-off / approved in the file
    where: str  # how a person finds it in the file: "trans-unit 'id'", "table 2, row 4"
    comment: str = ""
    exported_digest: str | None = None  # Word files carry a digest instead of the text
    tracked: bool = False  # the reviewer's cells held tracked changes (read as accepted)

    def cleaned(self) -> ReturnedUnit:
        """The unit with its texts as a document may print them (clean_outside): what a
        file says is compared and stored only so, whatever tool wrote it."""
        exported = self.exported_target
        return replace(
            self,
            source=clean_outside(self.source),
            target=clean_outside(self.target),
            comment=clean_outside(self.comment),
            exported_target=None if exported is None else clean_outside(exported),
        )


@dataclass(frozen=True)
class Decision:
    unit: ReturnedUnit
    segment: str
    action: str  # reviewed | unchanged | empty | unconfirmed | stale


@dataclass
class ImportPlan:
    reviewed: list[Decision] = field(default_factory=list)
    unchanged: list[Decision] = field(default_factory=list)
    empty: list[Decision] = field(default_factory=list)
    unconfirmed: list[Decision] = field(default_factory=list)  # no record of the export
    stale: list[Decision] = field(default_factory=list)
    comments: list[Decision] = field(default_factory=list)


def refusal(problems: list[Problem]) -> InputError:
    """The whole file refused; each problem names the file (and the unit) it is about."""
    return InputError("the review file was refused; nothing was imported", problems)


def problem(path: Path, message: str, hint: str = "") -> Problem:
    return Problem(path, None, None, message, hint)


def check_size(path: Path, limit: int, what: str) -> None:
    """Refuse a file over `limit` bytes before reading it."""
    size = path.stat().st_size
    if size > limit:
        raise refusal(
            [
                problem(
                    path,
                    f"the file is {size:,} bytes, over the limit of {limit:,} bytes for {what}",
                    "A review file of this document is far smaller; export it again with "
                    "`briefing review export` and review that file.",
                )
            ],
        )


def size_limit(exported_size: int, floor: int) -> int:
    return max(floor, SIZE_FACTOR * exported_size)


def _changed(unit: ReturnedUnit) -> bool | None:
    """Whether the reviewer changed the exported target; None when the file cannot tell."""
    target = normalize(unit.target)
    if unit.exported_target is not None:
        return target != normalize(unit.exported_target)
    if unit.exported_digest is not None:
        return target_digest(target) != unit.exported_digest
    return None


def plan_import(
    path: Path,
    document: ReviewDocument,
    units: Iterable[ReturnedUnit],
    skip_stale: bool = False,
) -> ImportPlan:
    """Decide, from the file alone, what each unit imports; refuse the file on any problem."""
    current = document.by_digest()
    plan = ImportPlan()
    problems: list[Problem] = []
    seen: set[str] = set()
    for returned in units:
        unit = returned.cleaned()
        label = f"{unit.where} ({unit.id})" if unit.id not in unit.where else unit.where
        digest = digest_of_id(unit.id)
        if unit.id in seen:
            problems.append(problem(path, f"{label}: appears twice"))
            continue
        seen.add(unit.id)
        source = normalize(unit.source)
        if source_digest(source) != digest:
            problems.append(
                problem(
                    path,
                    f"{label}: its source text is not the one exported (changed, or from "
                    "another file)",
                    "Sources must stay as exported; export again to review changed facts.",
                )
            )
            continue
        segment = current.get(digest)
        if segment is None:
            plan.stale.append(Decision(unit, source, "stale"))
            continue
        target = normalize(unit.target)
        changed = _changed(unit)
        if changed is not False and len(target) > target_limit(source):
            problems.append(
                problem(
                    path,
                    f"{label}: the target is {len(target):,} characters, over the limit "
                    f"of {target_limit(source):,} for this sentence ({TARGET_FACTOR}× its "
                    f"{len(source)} characters, at least {TARGET_FLOOR})",
                    "Put only the translation of the sentence in the target.",
                )
            )
            continue
        if len(unit.comment) > target_limit(source):
            problems.append(
                problem(
                    path,
                    f"{label}: the comment is {len(unit.comment):,} characters, over the limit "
                    f"of {target_limit(source):,} for this sentence",
                    "Keep comments short; longer notes belong in a separate message.",
                )
            )
            continue
        if unit.comment.strip():
            plan.comments.append(Decision(unit, segment.segment, "comment"))
        if not target:
            if unit.confirmed and changed is not False:
                problems.append(
                    problem(
                        path,
                        f"{label}: the target is empty but marked final/approved",
                        "Translate the sentence, or take back its approval.",
                    )
                )
            else:
                plan.empty.append(Decision(unit, segment.segment, "empty"))
        elif changed or (
            # confirmed, unless it is a reviewed translation exported as such and left alone
            unit.confirmed and not (changed is False and unit.exported_origin == ORIGIN_REVIEWED)
        ):
            plan.reviewed.append(Decision(unit, segment.segment, "reviewed"))
        elif changed is None:
            plan.unconfirmed.append(Decision(unit, segment.segment, "unconfirmed"))
        else:
            plan.unchanged.append(Decision(unit, segment.segment, "unchanged"))
    if plan.stale and not skip_stale and not problems:
        listed = [
            problem(
                path,
                f"{d.unit.where}: stale: the sentence is no longer in {document.facts_path}: "
                f"{d.segment[:80]!r}",
            )
            for d in plan.stale
        ]
        listed.append(
            problem(
                path,
                f"{len(plan.stale)} of the file's units belong to sentences that are no longer "
                f"in {document.facts_path}",
                "Import again with --skip-stale to take the other units and leave these, or "
                "export the document again and carry the corrections over.",
            )
        )
        raise refusal(listed)
    if problems:
        raise refusal(problems)
    return plan


def check_unit_count(path: Path, count: int, document: ReviewDocument) -> None:
    if count > len(document.units):
        raise refusal(
            [
                problem(
                    path,
                    f"the file holds {count:,} units, more than the {len(document.units)} "
                    f"sentences of {document.facts_path} in '{document.lang}' (the limit)",
                    "Import only the review file exported for this document.",
                )
            ],
        )
