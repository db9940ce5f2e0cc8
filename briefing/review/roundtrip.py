"""The review round trip for either format: export a document, import a reviewer's file.

Export writes XLIFF 1.2 (for CAT tools) or a Word review document, and only to a new path or
over an earlier export of this tool (unless forced); never over the memory in use, an SQLite
database, a facts file or a glossary, whatever the options.

Import takes a file of either format through the same steps, each of which can refuse the whole
file before anything is stored: a size cap for any review file; the document it names (facts
file, language), as it stands now; a size limit scaled to what an export of that document
measures; the unit count; then each unit (source unchanged, target within its length limit,
sentence still in the document); then one transaction.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from briefing.atomic import write_atomic
from briefing.errors import InputError
from briefing.facts.schema import Facts
from briefing.input_files import check_regular, is_regular, read_input
from briefing.languages import SOURCE_LANGUAGE, TARGET_LANGUAGES
from briefing.memory.backend import DATABASE_SUFFIXES, writes_over_memory
from briefing.memory.interface import ReviewedTranslation, ReviewMemory, StoredEntry
from briefing.memory.reviewers import required_importer
from briefing.output.sandbox_process import LimitedProcess
from briefing.output.template import Template, find_template
from briefing.review import docx as word
from briefing.review import docx_read, import_xliff
from briefing.review.binding import (
    ImportPlan,
    ReviewDocument,
    check_size,
    check_unit_count,
    plan_import,
    problem,
    refusal,
    review_document,
    size_limit,
)
from briefing.review.export_xliff import build_xliff
from briefing.review.printed import PrintingMemory, printed_entries
from briefing.review.worklist import document_sections
from briefing.terms.glossary import Glossary

FORMATS = ("xliff", "docx")
MAX_REVIEW_FILE = 16 * 1024 * 1024  # no review file of any document is larger; checked first
XLIFF_FLOOR = 1024 * 1024  # the scaled limit's floor: room for any CAT tool's additions
DOCX_FLOOR = 4 * 1024 * 1024  # Word and LibreOffice add styles, themes and fonts tables
PROTECTED_SUFFIXES = (".yaml", ".yml", *DATABASE_SUFFIXES)  # facts files, glossaries, memories

# (facts file) → the facts and the effective glossary the build would use for it
DocumentLoader = Callable[[Path], tuple[Facts, Glossary]]


@dataclass(frozen=True)
class ExportSummary:
    units: int
    reviewed: int
    machine: int
    flagged: int
    new: int


def check_output(output: Path, force: bool, memory_path: Path | None, facts_path: Path) -> None:
    """Refuse to write an export where it would destroy something that is not an export
    (`memory_path`: the memory's file; None for a memory on a database server)."""
    target = output.resolve()

    def refuse(why: str, hint: str = "") -> InputError:
        return InputError(f"will not write the review export to {output}: {why}" + hint)

    new_name = "; choose a new file name ending in .xlf or .docx"
    why = writes_over_memory(output, memory_path)
    if why is not None:
        raise refuse(why, new_name)
    if target == facts_path.resolve() or target.suffix.lower() in PROTECTED_SUFFIXES:
        raise refuse("that is a facts file or a glossary", new_name)
    if target.is_dir():
        raise refuse("it is a folder", "; give a file name, e.g. -o review.ja.xlf")
    if not target.exists():
        return
    if not is_regular(target):  # a pipe would block the look below, a device never end it
        raise refuse("it is not a regular file (a pipe or a device)", new_name)
    try:
        with target.open("rb") as handle:
            head = handle.read(4096)
    except OSError as err:
        raise refuse(f"it cannot be read ({err.strerror or err})") from None
    if _is_export(target, head):
        return
    if not force:
        raise refuse(
            "a file that is not a review export of briefing is there",
            "; choose another name, or give --force to replace it",
        )


def _is_export(path: Path, head: bytes) -> bool:
    if b"<xliff" in head and b'product-name="briefing"' in head:
        return True
    if head.startswith(b"PK"):
        try:
            with zipfile.ZipFile(path) as archive:
                data = archive.read("word/document.xml")
        except (zipfile.BadZipFile, KeyError, OSError):
            return False
        return word.FORMAT.encode() in data
    return False


def _document(
    facts: Facts,
    facts_path: str,
    glossary: Glossary,
    lang: str,
    template: Template,
    renderer: LimitedProcess | None,
) -> ReviewDocument:
    """The document as review sees it, under the headings `template` prints."""
    sections = document_sections(template, facts, glossary, renderer)
    return review_document(facts, facts_path, lang, sections)


def _export_bytes(
    document: ReviewDocument,
    known: dict[str, StoredEntry],
    fmt: str,
    facts: Facts,
    template: Template,
    reasons: dict[str, tuple[str, ...]],
) -> bytes:
    if fmt == "xliff":
        return build_xliff(document, known, reasons)
    fonts = template.config.fonts.get(document.lang)
    return word.build_review_docx(
        document,
        known,
        facts.event.title,
        template.reference,
        (fonts.body, fonts.headings) if fonts else None,
        reasons,
    )


def flag_reasons(
    known: dict[str, StoredEntry], lang: str, glossary: Glossary
) -> dict[str, tuple[str, ...]]:
    """Why each flagged machine sentence is flagged, as the build's checks say it today (the
    memory keeps only that it is): "numbers: 183 missing", or the lost term."""
    from briefing.terms.protect import TERMS_PROBLEM
    from briefing.translation.checks import PassChecks

    machine = {s: e.target for s, e in known.items() if not e.reviewed}
    checks = PassChecks(lang, glossary, machine)
    found = checks(list(machine), list(machine.values()))
    return {
        segment: problems or (TERMS_PROBLEM,)
        for segment, problems in zip(machine, found, strict=True)
        if known[segment].flagged
    }


def export_review(
    facts: Facts,
    facts_path: Path,
    lang: str,
    glossary: Glossary,
    memory: PrintingMemory,
    output: Path,
    fmt: str = "xliff",
    force: bool = False,
    memory_path: Path | None = None,
    *,
    template: str,
    model: str,
    renderer: LimitedProcess | None = None,
) -> ExportSummary:
    """Write the review file of one document and language; returns what it holds.

    `template` (a bundled template's name or a folder: the setting) gives the document's
    section headings, rendered in `renderer` (a render process started early; else one of its
    own), and, for a Word review document, its styles and fonts. `model` is the identity of
    the model the document is translated with (the engine's for `lang`): each sentence is
    exported with the translation the document prints, never another model's."""
    if lang not in TARGET_LANGUAGES:
        targets = ", ".join(TARGET_LANGUAGES)
        raise InputError(f"cannot export for review in '{lang}'; choose one of: {targets}")
    if fmt not in FORMATS:
        raise InputError(f"unknown review format '{fmt}'; use one of: {', '.join(FORMATS)}")
    if memory_path is not None:  # checked again just before the write: a file may have come
        check_output(output, force, memory_path, facts_path)
    chosen = find_template(template)
    document = _document(facts, str(facts_path), glossary, lang, chosen, renderer)
    known = printed_entries(memory, [u.segment for u in document.units], lang, glossary, model)
    reasons = flag_reasons(known, lang, glossary)
    write_atomic(output, _export_bytes(document, known, fmt, facts, chosen, reasons))
    entries = [known.get(u.segment) for u in document.units]
    return ExportSummary(
        units=len(document.units),
        reviewed=sum(1 for e in entries if e is not None and e.reviewed),
        machine=sum(1 for e in entries if e is not None and not e.reviewed),
        flagged=sum(1 for e in entries if e is not None and not e.reviewed and e.flagged),
        new=sum(1 for e in entries if e is None),
    )


# -- import ---------------------------------------------------------------------------------


@dataclass
class ImportSummary:
    reviewed: int
    unchanged: int
    empty: int
    unconfirmed: int
    stale: list[str] = field(default_factory=list)  # "unit id: sentence"
    comments: list[str] = field(default_factory=list)  # "unit id: comment"
    facts_path: str = ""
    lang: str = ""
    tracked: int = 0  # units whose cells held tracked changes, read as if all were accepted
    left_out: list[str] = field(default_factory=list)  # "where: why", units not taken
    reviewer: str = ""  # the name recorded with the reviewed translations


def _facts_file(path: Path, named: str, override: Path | None) -> Path:
    facts = override or Path(named)
    if not facts.is_file():
        raise refusal(
            [
                problem(
                    path,
                    f"the review file belongs to the facts file {named}, which is not there "
                    f"({facts.resolve()})",
                    "Run the import in the folder the document was exported from, or give "
                    "the facts file with --facts PATH.",
                )
            ],
        )
    return facts


def _is_docx(path: Path) -> bool:
    with path.open("rb") as handle:
        return handle.read(2) == b"PK"


def import_review(
    path: Path,
    memory: ReviewMemory,
    load_document: DocumentLoader,
    reviewer: str | None = None,
    facts_override: Path | None = None,
    skip_stale: bool = False,
    *,
    template: str,
    renderer: LimitedProcess | None = None,
) -> ImportSummary:
    """Check the whole file against its document, then store what it changes in one go.

    `template` is the one an export uses (the setting), to measure what an export weighs;
    `renderer` as for export_review."""
    if not path.exists():
        raise InputError(f"cannot read {path}: no such file")
    who = required_importer(reviewer, "a review import records who reviewed")
    check_regular(path, "review files")  # a FIFO would block, a device never end
    check_size(path, MAX_REVIEW_FILE, "any review file")
    if _is_docx(path):
        data = read_input(path, "review files", MAX_REVIEW_FILE)
        doc, binding = docx_read.open_review_docx(path, data)
        facts_path, lang = binding.facts_path, binding.lang
        docx_read.refuse_wrong_language(path, binding)
        floor, fmt = DOCX_FLOOR, "docx"
    else:
        text = import_xliff.read_text(path, MAX_REVIEW_FILE)
        xliff_binding = import_xliff.read_binding(path, text)
        facts_path, lang = xliff_binding.facts_path, xliff_binding.lang
        floor, fmt = XLIFF_FLOOR, "xliff"
    facts_file = _facts_file(path, facts_path, facts_override)
    facts, glossary = load_document(facts_file)
    chosen = find_template(template)
    document = _document(facts, facts_path, glossary, lang, chosen, renderer)
    known = memory.entries_for([u.segment for u in document.units], SOURCE_LANGUAGE, lang)
    reasons = flag_reasons(known, lang, glossary)
    exported = len(_export_bytes(document, known, fmt, facts, chosen, reasons))
    check_size(path, size_limit(exported, floor), f"a review file of {facts_path} in '{lang}'")
    left_out: list[str] = []  # units not taken, and why
    if fmt == "docx":
        check_unit_count(path, docx_read.count_units(doc), document)
        units = docx_read.read_units(path, doc)
    else:
        read = import_xliff.read_units(path, text, document)
        units, left_out = read.units, read.left_out
    plan = plan_import(path, document, units, skip_stale)
    stored = _store(plan, memory, lang, who)
    return ImportSummary(
        reviewed=stored,
        unchanged=len(plan.unchanged) + len(plan.reviewed) - stored,
        empty=len(plan.empty),
        unconfirmed=len(plan.unconfirmed),
        stale=[f"{d.unit.id}: {d.segment[:70]}" for d in plan.stale],
        comments=[f"{d.unit.id}: {d.unit.comment}" for d in plan.comments],
        facts_path=facts_path,
        lang=lang,
        tracked=sum(1 for unit in units if unit.tracked),
        left_out=left_out,
        reviewer=who,
    )


def _store(plan: ImportPlan, memory: ReviewMemory, lang: str, reviewer: str) -> int:
    """Store the plan in one transaction; how many reviewed translations were new or changed."""
    comments = {d.segment: d.unit.comment.strip() for d in plan.comments}
    chosen = [
        ReviewedTranslation(
            d.segment, SOURCE_LANGUAGE, lang, d.unit.target, comments.pop(d.segment, "")
        )
        for d in plan.reviewed
    ]
    if not chosen and not comments:
        return 0
    return memory.store_reviewed(
        chosen,
        reviewer,
        [(segment, SOURCE_LANGUAGE, lang, comment) for segment, comment in comments.items()],
    )
