"""The build: facts files in, one document per file and language out.

Stages run in order and hand plain data to each other: check each facts file (its glossary
layers stacked, its names looked up in the term base) → translate free text (the files of a
language that share a glossary in one batch) → make each document (`documents.py`) → write it,
unless its inputs have not changed. What happened is a `BuildReport` (`report.py`). It runs
past 400 lines because the order of those stages, the output folder's lock and what each
failure means for the other documents are one idea, best read in one place.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import traceback
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from briefing.atomic import (
    ensure_writable_dir,
    explain_write_error,
    remove_temporaries,
    temporaries_removed_on_failure,
    write_atomic,
)
from briefing.changes import ChangesOptions, History
from briefing.documents import Documents, Job
from briefing.errors import BriefingError, InputError, Problem
from briefing.facts.check import CheckedFacts, check_facts
from briefing.languages import LANGUAGES, SOURCE_LANGUAGE, Language
from briefing.manifest import Manifest, build_lock
from briefing.output.render import render_process
from briefing.output.sandbox_process import LimitedProcess
from briefing.output.template import Template, find_template
from briefing.report import BuildReport, DocumentOutcome, DocumentStatus, kept_names
from briefing.terms.glossary import Glossary
from briefing.terms.layers import Stack
from briefing.translation.interface import (
    LanguageUnavailable,
    MissingModel,
    Progress,
    SilentProgress,
    Translation,
    TranslationBatch,
)
from briefing.translation.texts import texts_to_translate
from briefing.workspace.fields import StyleSettings

LAYOUTS = ("single", "parallel", "both")


@dataclass
class BuildRequest:
    facts_paths: list[Path]
    languages: list[Language]
    out_dir: Path
    template: str = "summit"
    # The term base (base < workspace glossaries), loaded once by the caller with
    # `load_term_base`; each facts file stacks its own event layer over it.
    glossary: Stack = field(default_factory=Stack)
    layout: str = "single"  # single | parallel (English beside each target) | both
    force: bool = False
    strict: bool = False  # a name missing from the term base fails its ja/ko document
    # versions kept beside the manifest, and the changes documents written against one
    changes: ChangesOptions = field(default_factory=ChangesOptions)
    style: StyleSettings = field(default_factory=StyleSettings)  # dates, the handling mark


def output_path(out_dir: Path, facts_path: Path, lang: str, parallel: bool = False) -> Path:
    label = f"{SOURCE_LANGUAGE}-{lang}" if parallel else lang
    return out_dir / f"{facts_path.stem}.{label}.docx"


def distinct_inputs(request: BuildRequest) -> list[Path]:
    """The facts files, each once; an error, before anything is written, when two different
    files would write documents of the same name (one would silently replace the other).

    Names are compared as Windows and macOS compare them, ignoring case and Unicode
    normalisation, so that a build does not depend on the file system it runs on.
    """
    unique: dict[Path, Path] = {}
    for path in request.facts_paths:
        unique.setdefault(path.resolve(), path)
    by_stem: dict[str, list[Path]] = {}
    for path in unique.values():
        key = unicodedata.normalize("NFC", path.stem).casefold()
        by_stem.setdefault(key, []).append(path)
    clashes = [paths for paths in by_stem.values() if len(paths) > 1]
    if clashes:
        first = request.languages[0] if request.languages else LANGUAGES[SOURCE_LANGUAGE]
        parallel = request.layout == "parallel" and not first.is_source
        lines = [
            f"{' and '.join(map(str, paths))} would all be written to "
            f"{output_path(request.out_dir, paths[0], first.code, parallel)}"
            for paths in clashes
        ]
        raise InputError(
            "two facts files give documents of the same name, and one would replace the "
            f"other: {'; '.join(lines)}. Rename one of them, or build them with different "
            "--out folders. Nothing was written."
        )
    return list(unique.values())


def check_all(
    paths: list[Path], stack: Stack, report: BuildReport, translated: bool = True
) -> list[CheckedFacts]:
    """Every readable facts file; the others are reported and skipped, not fatal to the rest.
    `translated`: a Japanese or Korean document is wanted, the only kind a missing name is
    printed in English in, so the only kind it is reported for."""
    files = []
    problems: list[Problem] = []
    for path in paths:
        try:
            checked = check_facts(path, stack)
        except InputError as err:
            problems.extend(err.problems or [Problem(path, None, None, str(err))])
            continue
        problems += [*checked.source.warnings, *checked.layer_problems, *checked.errors]
        if checked.errors:
            continue
        if translated:
            report.name_warnings += checked.coverage.warnings
        files.append(checked)
    report.problems.extend(dict.fromkeys(problems))  # shared layers report once
    return files


def plan_jobs(files: list[CheckedFacts], request: BuildRequest) -> list[Job]:
    return [
        Job(file, language, parallel, target)
        for file in files
        for language, parallel, target in targets(file.path, request)
    ]


def targets(facts_path: Path, request: BuildRequest) -> list[tuple[Language, bool, Path]]:
    """The documents a build writes for one facts file: language, parallel or not, path."""
    found = []
    for language in request.languages:
        if request.layout in ("single", "both") or language.is_source:
            found.append((language, False, output_path(request.out_dir, facts_path, language.code)))
        if request.layout in ("parallel", "both") and not language.is_source:
            target = output_path(request.out_dir, facts_path, language.code, parallel=True)
            found.append((language, True, target))
    return found


class Writer:
    """Writes each document whose inputs changed, and records what it was made from (in the
    manifest) and what it was (a version)."""

    def __init__(
        self,
        documents: Documents,
        manifest: Manifest,
        force: bool,
        strict: bool,
        history: History | None = None,
    ) -> None:
        self.documents = documents
        self.manifest = manifest
        self.force = force
        self.strict = strict  # a name missing from the term base fails its document
        # the versions of the output folder, kept of every document written
        self.history = history or History(manifest.path.parent, ChangesOptions(), _now())

    def write(self, job: Job) -> DocumentOutcome:
        used = self.documents.used(job)
        inputs = self.documents.inputs_digest(job, used)
        outcome = DocumentOutcome(
            job.file.path,
            job.label,
            job.target,
            DocumentStatus.unchanged,
            from_memory=sum(t.from_memory for t in used.values()),
            from_machine=sum(t.from_machine for t in used.values()),
            flagged=sum(t.flagged_segments for t in used.values()),
            flagged_texts=[text for text, t in used.items() if t.flagged],
            flagged_problems={text: list(t.problems) for text, t in used.items() if t.flagged},
            kept_in_english=[] if job.language.is_source else kept_names(job.file),
        )
        if self.strict and outcome.kept_in_english:
            outcome.status, outcome.path = DocumentStatus.failed, None
            outcome.detail = (
                f"{len(outcome.kept_in_english)} name(s) are not in the term base and --strict "
                "is set; nothing was written for this language. Add the entries listed below."
            )
            return outcome
        unchanged = not self.force and self.manifest.unchanged(job.target, inputs)
        if unchanged and self.history.has_version(job.target):
            return outcome
        document, views = self.documents.model(job)
        data = self.documents.docx(job, document)
        try:
            write_atomic(job.target, data)
        except OSError as err:
            outcome.status = DocumentStatus.failed
            outcome.detail = explain_write_error(job.target, err)
            return outcome
        outcome.status = DocumentStatus.written
        # The document is complete and in place. Should the record of it not be saved (a full
        # disk), the manifest keeps its older entry, whose digest does not match the new file,
        # so the next build writes it again: build() reports that once, at the end.
        with contextlib.suppress(OSError):
            self.manifest.record(job.target, inputs, data)
        try:
            self.history.protect_chosen(job.target)
            self.history.record(job.target, document, views)
        except OSError as error:  # a full disk: the document stands, its version is missing
            outcome.detail = (
                f"written, but its version could not be kept ("
                f"{explain_write_error(self.history.store.folder(job.target), error)}); a "
                "changes document cannot compare with it"
            )
        return outcome

    def changes(self, job: Job) -> DocumentOutcome:
        """The changes document of `job`'s document, against the version the options choose;
        its summary in the document's language (and in English beside it, when parallel)."""
        documents = self.documents
        result = self.history.write_changes(
            job.target,
            self.manifest,
            documents.changes_context(job),
            documents.template.reference,
            documents.fonts(job),
            documents.summary_languages(job),
            job.file.facts.event.time_zone,
            self.force,
        )
        counts = result.counts
        return DocumentOutcome(
            job.file.path,
            job.label + " changes",
            result.path if result.status in ("written", "unchanged") else None,
            DocumentStatus(result.status),
            result.detail,
            since=result.since.number if result.since else None,
            counts=(counts.statements, counts.participants, counts.sources) if counts else None,
        )


def _now() -> dt.datetime:
    """When this build ran: the time of the versions it records."""
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0)


def build(
    request: BuildRequest,
    translation: Translation | None,
    progress: Progress | None = None,
    on_wait: Callable[[], None] | None = None,
    renderer: LimitedProcess | None = None,
) -> BuildReport:
    """Build the request's documents. `renderer` is a render process the caller started (and
    closes); without one, the build starts its own."""
    if request.layout not in LAYOUTS:
        raise InputError(f"unknown layout '{request.layout}'; use one of {', '.join(LAYOUTS)}")
    progress = progress or SilentProgress()
    report = BuildReport()
    facts_paths = distinct_inputs(request)
    template = find_template(request.template)
    ensure_writable_dir(request.out_dir)
    with contextlib.ExitStack() as resources:
        if renderer is None:
            renderer = resources.enter_context(render_process())
        # The render process starts up on the other core while the facts are read and the
        # models translate; it is a third of a short build's time when started on first use.
        renderer.start()
        translated = any(not language.is_source for language in request.languages)
        files = check_all(facts_paths, request.glossary, report, translated)
        return build_locked(
            request, translation, template, files, renderer, report, progress, on_wait
        )


def build_locked(
    request: BuildRequest,
    translation: Translation | None,
    template: Template,
    files: list[CheckedFacts],
    renderer: LimitedProcess,
    report: BuildReport,
    progress: Progress,
    on_wait: Callable[[], None] | None,
) -> BuildReport:
    """The rest of a build, holding the output folder's lock."""
    with (
        build_lock(request.out_dir, on_wait=on_wait),
        temporaries_removed_on_failure(request.out_dir),
    ):
        remove_temporaries(request.out_dir)  # left by a build that was killed mid-write
        manifest = Manifest(request.out_dir)  # refused before any work if it is a link
        batches, failed = translate_all(request, translation, files, progress, report)
        documents = Documents(template, batches, renderer, request.style)
        history = History(request.out_dir, request.changes, _now())
        writer = Writer(documents, manifest, request.force, request.strict, history)
        jobs = plan_jobs(files, request)
        with progress.task("Writing documents", len(jobs)) as task:
            for job in jobs:
                code = job.language.code
                missing = next((m for m in report.missing if m.target == code), None)
                if code in failed:
                    why, trace = failed[code]
                    outcome = DocumentOutcome(
                        job.file.path, code, None, DocumentStatus.failed, why, bool(trace), trace
                    )
                elif missing is not None:
                    status = (
                        DocumentStatus.missing_model
                        if isinstance(missing, MissingModel)
                        else DocumentStatus.unavailable
                    )
                    outcome = DocumentOutcome(job.file.path, code, None, status)
                else:
                    outcome = write_one(writer, job)
                report.documents.append(outcome)
                if outcome.status in (DocumentStatus.written, DocumentStatus.unchanged):
                    report.documents += after_writing(writer, job, request.changes)
                progress.advance(task)
        if manifest.unsaved:
            try:
                manifest.save()
            except OSError as error:
                report.problems.append(
                    Problem(
                        manifest.path,
                        None,
                        None,
                        explain_write_error(manifest.path, error),
                        "The documents written are complete; the record of what they were "
                        "built from could not be saved, so the next build writes them again.",
                    )
                )
    report.problems.extend(documents.catalog_warnings())
    return report


def translate_all(
    request: BuildRequest,
    translation: Translation | None,
    files: list[CheckedFacts],
    progress: Progress,
    report: BuildReport,
) -> tuple[dict[tuple[str, str], TranslationBatch], dict[str, tuple[str, str]]]:
    """The batches of every target language wanted, by language and the fingerprint of the
    glossary they protect, and the languages whose translation failed (with why, and the trace
    of a fault in briefing); a language without a model is reported as missing. Whatever goes
    wrong in one language's translation fails that language only: English is always written."""
    # Files that share a glossary share one batch per language (usually all of them).
    groups: dict[str, tuple[Glossary, dict[str, None]]] = {}  # texts in order, each once
    for file in files:
        terms = file.coverage.protected
        texts = groups.setdefault(terms.fingerprint, (terms, {}))[1]
        texts.update(dict.fromkeys(texts_to_translate(file.facts)))
    batches: dict[tuple[str, str], TranslationBatch] = {}
    failed: dict[str, tuple[str, str]] = {}
    for language in request.languages:
        if language.is_source:
            continue
        try:
            if translation is None:
                raise MissingModel(SOURCE_LANGUAGE, language.code)
            for fingerprint, (terms, texts) in groups.items():
                batches[(language.code, fingerprint)] = translation.translate(
                    language, list(texts), progress, terms
                )
        except LanguageUnavailable as missing:
            report.missing.append(missing)
        except BriefingError as error:  # e.g. a model damaged or removed while in use
            failed[language.code] = (str(error), "")
        except Exception as error:  # noqa: BLE001 - a fault in briefing: this language only
            why = f"internal error: {type(error).__name__}: {error}"
            failed[language.code] = (why, traceback.format_exc())
    return batches, failed


def after_writing(writer: Writer, job: Job, options: ChangesOptions) -> list[DocumentOutcome]:
    """The changes document, then the release of the version written, as asked."""
    outcomes = []
    if options.write:
        outcomes.append(guarded(job, lambda: writer.changes(job)))
    if options.release:

        def release() -> DocumentOutcome:
            version = writer.history.release(job.target)
            sent = DocumentStatus.sent
            return DocumentOutcome(
                job.file.path, f"{job.label} release", job.target, sent, since=version.number
            )

        outcomes.append(guarded(job, release))
    return outcomes


def write_one(writer: Writer, job: Job) -> DocumentOutcome:
    """One document; whatever goes wrong with it is its outcome and never stops the others."""
    return guarded(job, lambda: writer.write(job))


def guarded(job: Job, step: Callable[[], DocumentOutcome]) -> DocumentOutcome:
    """`step`'s outcome; what goes wrong is the failed outcome of `job`, never the others'."""
    failed = DocumentStatus.failed
    try:
        return step()
    except BriefingError as error:
        return DocumentOutcome(job.file.path, job.language.code, job.target, failed, str(error))
    except OSError as error:  # reading back an existing document, for one
        detail = explain_write_error(job.target, error)
        return DocumentOutcome(job.file.path, job.language.code, job.target, failed, detail)
    except Exception as error:  # noqa: BLE001 - a fault in briefing: this document only
        return DocumentOutcome(
            job.file.path,
            job.language.code,
            job.target,
            failed,
            f"internal error: {type(error).__name__}: {error}",
            internal=True,
            trace=traceback.format_exc(),
        )
