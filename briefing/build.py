"""The build: facts files in, one document per file and language out.

Stages run in order and hand plain data to each other: load facts → stack each file's glossary
(base < workspace < event) → translate free text (the files of a language that share a glossary
in one batch) → localize → render the template → write the .docx.
"""

from __future__ import annotations

import contextlib
import gettext
import json
import traceback
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from babel import Locale

from briefing import __version__, catalogs
from briefing.atomic import (
    ensure_writable_dir,
    explain_write_error,
    remove_temporaries,
    write_atomic,
)
from briefing.errors import INTERNAL_ERROR, BriefingError, InputError, Problem
from briefing.facts.check import CheckedFacts, check_facts
from briefing.languages import LANGUAGES, SOURCE_LANGUAGE, Language
from briefing.manifest import Manifest, build_lock, digest, file_digest
from briefing.output.document import Document
from briefing.output.docx_writer import build_docx
from briefing.output.localize import Localizer
from briefing.output.parallel import pair_documents
from briefing.output.render import render_document, render_process
from briefing.output.sandbox_process import LimitedProcess
from briefing.output.template import Template, find_template
from briefing.terms.glossary import Glossary
from briefing.terms.layers import Stack
from briefing.translation.interface import (
    LanguageUnavailable,
    MissingModel,
    Origin,
    Progress,
    SilentProgress,
    TranslatedText,
    Translation,
    TranslationBatch,
)
from briefing.translation.texts import texts_to_translate

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


@dataclass
class DocumentOutcome:
    source: Path
    lang: str
    path: Path | None
    status: str  # written | unchanged | failed | missing-model
    detail: str = ""
    internal: bool = False  # failed through a fault in briefing itself, not in its input
    trace: str = ""  # the traceback of an internal failure, shown with --debug
    from_memory: int = 0
    from_machine: int = 0
    flagged: int = 0
    flagged_texts: list[str] = field(default_factory=list)  # English source of each flagged text
    # names the term base lacks, printed in English and marked: where, and the entry to add
    kept_in_english: list[KeptName] = field(default_factory=list)


@dataclass(frozen=True)
class KeptName:
    english: str
    field: str  # e.g. participants[0].name
    location: str  # file:line:column in the facts file
    entry: dict[str, str]  # the glossary entry to add, official forms left empty


@dataclass
class BuildReport:
    documents: list[DocumentOutcome] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    missing: list[LanguageUnavailable] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        if any(d.internal for d in self.documents):
            return INTERNAL_ERROR
        if any(p.severity == "error" for p in self.problems) or any(
            d.status == "failed" for d in self.documents
        ):
            return 2
        return 1 if self.missing else 0


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
        first_lang = request.languages[0].code if request.languages else SOURCE_LANGUAGE
        parallel = request.layout == "parallel" and first_lang != SOURCE_LANGUAGE
        lines = [
            f"{' and '.join(map(str, paths))} would all be written to "
            f"{output_path(request.out_dir, paths[0], first_lang, parallel)}"
            for paths in clashes
        ]
        raise InputError(
            "two facts files give documents of the same name, and one would replace the "
            f"other: {'; '.join(lines)}. Rename one of them, or build them with different "
            "--out folders. Nothing was written."
        )
    return list(unique.values())


def kept_in_english(checked: CheckedFacts) -> list[KeptName]:
    """The names the term base lacks, each where it is in the facts file."""
    kept = []
    for item in checked.coverage.missing:
        line, column = checked.source.position(item.loc)
        where = f"{checked.path}:{line}:{column}" if line else str(checked.path)
        kept.append(KeptName(item.english, item.field, where, item.entry()))
    return kept


def load_all(paths: list[Path], stack: Stack, report: BuildReport) -> list[CheckedFacts]:
    """Every readable facts file; the others are reported and skipped, not fatal to the rest."""
    loaded = []
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
        problems += checked.coverage.warnings
        loaded.append(checked)
    report.problems.extend(dict.fromkeys(problems))  # shared layers report once
    return loaded


@dataclass(frozen=True)
class Job:
    """One document to write: a facts file in a language, single or beside English."""

    source: CheckedFacts
    language: Language
    parallel: bool
    target: Path


def plan_jobs(sources: list[CheckedFacts], request: BuildRequest) -> list[Job]:
    jobs = []
    for source in sources:
        for language in request.languages:
            single = request.layout in ("single", "both") or language.code == SOURCE_LANGUAGE
            if single:
                target = output_path(request.out_dir, source.path, language.code)
                jobs.append(Job(source, language, False, target))
            if request.layout in ("parallel", "both") and language.code != SOURCE_LANGUAGE:
                target = output_path(request.out_dir, source.path, language.code, parallel=True)
                jobs.append(Job(source, language, True, target))
    return jobs


class Writer:
    """Renders and writes documents, skipping those whose inputs have not changed."""

    def __init__(
        self,
        template: Template,
        batches: dict[tuple[str, str], TranslationBatch],
        manifest: Manifest,
        force: bool,
        strict: bool = False,
        renderer: LimitedProcess | None = None,
    ) -> None:
        self.template = template
        self.renderer = renderer  # the build's render process, one for every document
        self.batches = batches
        self.manifest = manifest
        self.force = force
        self.strict = strict
        self.template_digest = digest(*(file_digest(p) for p in template.files()))
        self.catalogs: dict[str, tuple[gettext.NullTranslations, str]] = {}

    def catalog(self, lang: str) -> tuple[gettext.NullTranslations, str]:
        """The language's compiled catalogs and their fingerprint, read once per build."""
        if lang not in self.catalogs:
            dirs = self.template.locale_dirs
            translations = catalogs.load_translations(lang, dirs)
            # Templates render in a child process, so the strings they use are looked up here
            # as well: one the catalogs lack is remembered for `catalog_warnings`.
            catalogs.look_up_template_strings(translations, self.template.directory)
            self.catalogs[lang] = (translations, catalogs.fingerprint(lang, dirs))
        return self.catalogs[lang]

    def catalog_warnings(self) -> list[Problem]:
        """A template string some catalog lacks, once per string and language: the document
        printed the English words there."""
        problems = []
        for lang, (translations, _) in sorted(self.catalogs.items()):
            for message in sorted(getattr(translations, "missing", ())):
                where = catalogs.catalog_paths(lang, self.template.locale_dirs)
                problems.append(
                    Problem(
                        where[-1] if where else catalogs.PACKAGE_LOCALES / lang,
                        None,
                        None,
                        f"the {lang} catalog has no translation for '{message}'; the {lang} "
                        "documents print it in English",
                        "Run `make catalogs` and translate the new entry (an empty or fuzzy "
                        "msgstr counts as missing).",
                        "warning",
                    )
                )
        return problems

    def batch(self, job: Job, lang: str | None = None) -> TranslationBatch:
        code = lang or job.language.code
        found = self.batches.get((code, job.source.coverage.protected.fingerprint))
        return found or TranslationBatch({}, "")

    def used(self, job: Job) -> dict[str, TranslatedText]:
        """The translations this document prints, by English text."""
        batch = self.batch(job)
        return {
            text: batch.texts[text]
            for text in texts_to_translate(job.source.facts)
            if text in batch.texts
        }

    def inputs_digest(self, job: Job, used: dict[str, TranslatedText]) -> str:
        """Everything the document's bytes depend on, and nothing else (no clock, no paths)."""
        # Machine output read back from the memory prints the same as fresh output; only
        # reviewed-or-not changes the document (the notice).
        printed = [
            (text, t.text, t.origin == Origin.reviewed, t.flagged) for text, t in used.items()
        ]
        return digest(
            __version__,
            job.language.code,
            str(job.parallel),
            job.source.source.text,
            # only the terms this facts file names: other glossary edits leave it alone
            job.source.coverage.protected.fingerprint_for(
                job.source.source.text,
                [job.language.code, SOURCE_LANGUAGE] if job.parallel else [job.language.code],
            ),
            self.template_digest,
            self.catalog(job.language.code)[1],
            self.catalog(SOURCE_LANGUAGE)[1],
            self.batch(job).model_label,
            json.dumps(printed, ensure_ascii=False),
        )

    def render(self, job: Job, language: Language) -> Document:
        batch = self.batch(job, language.code)
        translations = self.catalog(language.code)[0]
        localizer = Localizer(
            job.source.facts,
            language,
            job.source.coverage,
            batch.texts,
            batch.model_label,
            translations,
        )
        return render_document(self.template, localizer.view(), translations, process=self.renderer)

    def write(self, job: Job) -> DocumentOutcome:
        used = self.used(job)
        inputs = self.inputs_digest(job, used)
        english = job.language.code == SOURCE_LANGUAGE
        outcome = DocumentOutcome(
            job.source.path,
            job.language.code + (" (parallel)" if job.parallel else ""),
            job.target,
            "unchanged",
            from_memory=sum(t.from_memory for t in used.values()),
            from_machine=sum(t.from_machine for t in used.values()),
            flagged=sum(t.flagged_segments for t in used.values()),
            flagged_texts=[text for text, t in used.items() if t.flagged],
            kept_in_english=[] if english else kept_in_english(job.source),
        )
        if self.strict and outcome.kept_in_english:
            outcome.status, outcome.path = "failed", None
            outcome.detail = (
                f"{len(outcome.kept_in_english)} name(s) are not in the term base and --strict "
                "is set; nothing was written for this language. Add the entries listed below."
            )
            return outcome
        if not self.force and self.manifest.unchanged(job.target, inputs):
            return outcome
        document = self.render(job, job.language)
        if job.parallel:
            english_document = self.render(job, LANGUAGES[SOURCE_LANGUAGE])
            locale = Locale.parse(job.language.locale)
            english_name = Locale.parse(LANGUAGES[SOURCE_LANGUAGE].locale).get_language_name(locale)
            labels = (
                english_name or LANGUAGES[SOURCE_LANGUAGE].name,
                locale.get_language_name(locale) or job.language.name,
            )
            document = pair_documents(english_document, document, labels)
        fonts = self.template.config.fonts.get(job.language.code)
        data = build_docx(
            document, self.template.reference, (fonts.body, fonts.headings) if fonts else None
        )
        try:
            write_atomic(job.target, data)
        except OSError as err:
            outcome.status, outcome.detail = "failed", explain_write_error(job.target, err)
            return outcome
        outcome.status = "written"
        # The document is complete and in place. Should the record of it not be saved (a full
        # disk), the manifest keeps its older entry, whose digest does not match the new file,
        # so the next build writes it again: build() reports that once, at the end.
        with contextlib.suppress(OSError):
            self.manifest.record(job.target, inputs, data)
        return outcome


def build(
    request: BuildRequest,
    translation: Translation | None,
    progress: Progress | None = None,
    on_wait: Callable[[], None] | None = None,
) -> BuildReport:
    if request.layout not in LAYOUTS:
        raise InputError(f"unknown layout '{request.layout}'; use one of {', '.join(LAYOUTS)}")
    progress = progress or SilentProgress()
    report = BuildReport()
    facts_paths = distinct_inputs(request)
    template = find_template(request.template)
    ensure_writable_dir(request.out_dir)
    with render_process() as renderer:
        # The render process starts up on the other core while the facts are read and the
        # models translate; it is a third of a short build's time when started on first use.
        renderer.start()
        sources = load_all(facts_paths, request.glossary, report)
        return build_locked(
            request, translation, template, sources, renderer, report, progress, on_wait
        )


def build_locked(
    request: BuildRequest,
    translation: Translation | None,
    template: Template,
    sources: list[CheckedFacts],
    renderer: LimitedProcess,
    report: BuildReport,
    progress: Progress,
    on_wait: Callable[[], None] | None,
) -> BuildReport:
    """The rest of a build, holding the output folder's lock."""
    with build_lock(request.out_dir, on_wait=on_wait):
        remove_temporaries(request.out_dir)  # left by a build that was killed mid-write
        manifest = Manifest(request.out_dir)  # refused before any work if it is a link
        batches: dict[tuple[str, str], TranslationBatch] = {}
        done: set[str] = set()  # languages whose translation ran (or needs none)
        failed: dict[str, str] = {}  # language → why its translation could not be made
        wanted = [lang.code for lang in request.languages]
        if request.layout != "single" and SOURCE_LANGUAGE not in wanted:
            wanted.append(SOURCE_LANGUAGE)
        # Files that share a glossary share one batch per language (usually all of them).
        groups: dict[str, tuple[Glossary, list[str]]] = {}
        for source in sources:
            terms = source.coverage.protected
            texts = groups.setdefault(terms.fingerprint, (terms, []))[1]
            texts.extend(t for t in texts_to_translate(source.facts) if t not in texts)
        for code in sorted(wanted, key=lambda c: c != SOURCE_LANGUAGE):
            if code == SOURCE_LANGUAGE:
                done.add(code)
                continue
            try:
                if translation is None:
                    raise MissingModel(SOURCE_LANGUAGE, code)
                for fingerprint, (terms, texts) in groups.items():
                    batches[(code, fingerprint)] = translation.translate(
                        LANGUAGES[code], texts, progress, terms
                    )
                done.add(code)
            except LanguageUnavailable as missing:
                report.missing.append(missing)
            except BriefingError as error:  # e.g. a model damaged or removed while in use
                failed[code] = str(error)

        writer = Writer(template, batches, manifest, request.force, request.strict, renderer)
        jobs = plan_jobs(sources, request)
        with progress.task("Writing documents", len(jobs)) as task:
            for job in jobs:
                if job.language.code in failed:
                    report.documents.append(
                        DocumentOutcome(
                            job.source.path,
                            job.language.code,
                            None,
                            "failed",
                            failed[job.language.code],
                        )
                    )
                elif job.language.code not in done:
                    why = next(m for m in report.missing if m.target == job.language.code)
                    status = "missing-model" if isinstance(why, MissingModel) else "unavailable"
                    report.documents.append(
                        DocumentOutcome(job.source.path, job.language.code, None, status)
                    )
                else:
                    report.documents.append(write_one(writer, job))
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
    report.problems.extend(writer.catalog_warnings())
    return report


def write_one(writer: Writer, job: Job) -> DocumentOutcome:
    """One document; whatever goes wrong with it is its outcome and never stops the others."""
    try:
        return writer.write(job)
    except BriefingError as error:
        return DocumentOutcome(job.source.path, job.language.code, job.target, "failed", str(error))
    except OSError as error:  # reading back an existing document, for one
        detail = explain_write_error(job.target, error)
        return DocumentOutcome(job.source.path, job.language.code, job.target, "failed", detail)
    except Exception as error:  # noqa: BLE001 - a fault in briefing: this document only
        return DocumentOutcome(
            job.source.path,
            job.language.code,
            job.target,
            "failed",
            f"internal error: {type(error).__name__}: {error}",
            internal=True,
            trace=traceback.format_exc(),
        )
