"""One document of a build: what its bytes depend on, and the bytes.

A job is a facts file in one language, alone or beside English. Its inputs digest names
everything the document's bytes depend on, so that the build can skip one whose inputs have not
changed; making it runs localize → render (in the build's render process) → pair with English →
Word. The catalogs of each language are read once per build.
"""

from __future__ import annotations

import gettext
import json
from dataclasses import dataclass
from pathlib import Path

from briefing import __version__, catalogs
from briefing.changes import SummaryLanguage
from briefing.errors import InputError, Problem
from briefing.facts.check import CheckedFacts
from briefing.languages import LANGUAGES, SOURCE_LANGUAGE, Language
from briefing.manifest import digest, file_digest
from briefing.output.document import Document
from briefing.output.docx_writer import build_docx
from briefing.output.localize import BriefingView, Localizer
from briefing.output.render import render_document
from briefing.output.sandbox_process import LimitedProcess
from briefing.output.template import Template
from briefing.translation.interface import Origin, TranslatedText, TranslationBatch
from briefing.translation.texts import texts_to_translate
from briefing.workspace.fields import StyleSettings


@dataclass(frozen=True)
class Job:
    """One document to write: a facts file in a language, single or beside English."""

    file: CheckedFacts
    language: Language
    parallel: bool
    target: Path

    @property
    def label(self) -> str:
        """The document as the build's table and report name it: its language's code, and
        "(parallel)" when it stands beside English."""
        return self.language.code + (" (parallel)" if self.parallel else "")


class Documents:
    """Makes the documents of a build from its template, translations and render process."""

    def __init__(
        self,
        template: Template,
        batches: dict[tuple[str, str], TranslationBatch],
        renderer: LimitedProcess | None = None,
        style: StyleSettings | None = None,
    ) -> None:
        self.template = template
        self.batches = batches  # by language and the fingerprint of the glossary protected
        self.renderer = renderer  # the build's render process, one for every document
        self.template_digest = digest(*(file_digest(p) for p in template.files()))
        self.catalogs: dict[str, tuple[gettext.NullTranslations, str]] = {}
        self.style = style or StyleSettings()  # the workspace's; a facts file's style: over it

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

    def batch(self, job: Job, language: Language) -> TranslationBatch:
        found = self.batches.get((language.code, job.file.coverage.protected.fingerprint))
        return found or TranslationBatch({}, "")

    def used(self, job: Job) -> dict[str, TranslatedText]:
        """The translations this document prints, by English text."""
        batch = self.batch(job, job.language)
        return {
            text: batch.texts[text]
            for text in texts_to_translate(job.file.facts)
            if text in batch.texts
        }

    def inputs_digest(self, job: Job, used: dict[str, TranslatedText]) -> str:
        """Everything the document's bytes depend on, and nothing else (no clock, no paths)."""
        # Machine output read back from the memory prints the same as fresh output; only
        # reviewed-or-not changes the document (the notice).
        printed = [
            (text, t.text, t.origin == Origin.reviewed, t.flagged) for text, t in used.items()
        ]
        text = job.file.source.text
        return digest(
            __version__,
            job.language.code,
            str(job.parallel),
            text,
            # only the terms this facts file names: other glossary edits leave it alone
            job.file.coverage.protected.fingerprint_for(
                text,
                [job.language.code, SOURCE_LANGUAGE] if job.parallel else [job.language.code],
            ),
            self.template_digest,
            self.catalog(job.language.code)[1],
            self.catalog(SOURCE_LANGUAGE)[1],
            self.batch(job, job.language).model_label,
            json.dumps(printed, ensure_ascii=False),
            self.style.model_dump_json(),
        )

    def localize(self, job: Job, language: Language) -> BriefingView:
        batch = self.batch(job, language)
        localizer = Localizer(
            job.file.facts,
            language,
            job.file.coverage,
            batch.texts,
            batch.model_label,
            self.catalog(language.code)[0],
            self.style,
        )
        return localizer.view()

    def render(self, view: BriefingView, language: Language) -> Document:
        translations = self.catalog(language.code)[0]
        return render_document(self.template, view, translations, process=self.renderer)

    def model(self, job: Job) -> tuple[Document, list[BriefingView]]:
        """The document model, and the views it was rendered from (English first, when
        parallel): what a version keeps."""
        views = [self.localize(job, job.language)]
        document = self.render(views[0], job.language)
        if job.parallel:
            # the languages' names and the pairing, for parallel documents only
            from babel import Locale

            from briefing.output.parallel import NotParallel, pair_documents

            english = LANGUAGES[SOURCE_LANGUAGE]
            views.insert(0, self.localize(job, english))
            english_document = self.render(views[0], english)
            locale = Locale.parse(job.language.locale)
            english_name = Locale.parse(english.locale).get_language_name(locale)
            labels = (
                english_name or english.name,
                locale.get_language_name(locale) or job.language.name,
            )
            try:
                document = pair_documents(english_document, document, labels)
            except NotParallel as err:
                where = self.template.directory / self.template.config.document
                raise InputError(
                    f"{where}: the parallel layout sets the English and {job.language.name} "
                    f"documents side by side block by block, and the template made them "
                    f"differ: {err}. Make the same headings, paragraphs, lists and tables in "
                    "every language, or build with --layout single"
                ) from None
        return document, views

    def docx(self, job: Job, document: Document) -> bytes:
        return build_docx(document, self.template.reference, self.fonts(job))

    def summary_languages(self, job: Job) -> list[SummaryLanguage]:
        """The languages of a changes document's summary: the document's, and English beside
        it when parallel."""
        languages = [job.language, *([LANGUAGES[SOURCE_LANGUAGE]] if job.parallel else [])]
        return [SummaryLanguage(language, self.catalog(language.code)[0]) for language in languages]

    def changes_context(self, job: Job) -> str:
        """What a changes document's bytes depend on besides the two versions it compares."""
        return digest(
            self.template_digest,
            self.catalog(job.language.code)[1],
            self.catalog(SOURCE_LANGUAGE)[1],
            json.dumps(self.fonts(job)),
        )

    def fonts(self, job: Job) -> tuple[str, str] | None:
        """The East Asian fonts the template names for the job's language (body, headings)."""
        fonts = self.template.config.fonts.get(job.language.code)
        return (fonts.body, fonts.headings) if fonts else None
