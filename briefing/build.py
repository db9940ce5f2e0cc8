"""The build: facts files in, one document per file and language out.

Stages run in order and hand plain data to each other: load facts → translate free text (all
files of a language in one batch) → localize → render the template → write the .docx.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from briefing import catalogs
from briefing.atomic import ensure_writable_dir
from briefing.docx_writer import write_docx
from briefing.errors import BriefingError, InputError, Problem
from briefing.facts import Facts, load_facts
from briefing.glossary import Glossary, load_glossary
from briefing.languages import SOURCE_LANGUAGE, Language
from briefing.localize import Localizer, glossary_warnings, texts_to_translate
from briefing.render import Template, find_template, render_document
from briefing.translated import TranslatedText

GLOSSARY_NAME = "glossary.yaml"


class Progress(Protocol):
    """Where the build reports how far it is; the CLI shows bars, tests pass a silent one."""

    def task(self, description: str, total: int) -> contextlib.AbstractContextManager[object]: ...

    def advance(self, task: object, amount: int = 1) -> None: ...


class SilentProgress:
    @contextlib.contextmanager
    def task(self, description: str, total: int) -> Iterator[object]:
        yield None

    def advance(self, task: object, amount: int = 1) -> None:
        pass


class MissingModel(BriefingError):
    """No installed translation model for a language pair."""

    exit_code = 1

    def __init__(self, source: str, target: str) -> None:
        super().__init__(f"no translation model installed for {source}→{target}")
        self.source, self.target = source, target


@dataclass(frozen=True)
class TranslationBatch:
    """What the translation stage returns for one language: every requested text's target."""

    texts: dict[str, TranslatedText]
    model_label: str


class Translation(Protocol):
    def translate(
        self, target: Language, texts: list[str], progress: Progress
    ) -> TranslationBatch: ...


@dataclass
class BuildRequest:
    facts_paths: list[Path]
    languages: list[Language]
    out_dir: Path
    template: str = "summit"
    glossary_path: Path | None = None


@dataclass
class DocumentOutcome:
    source: Path
    lang: str
    path: Path | None
    status: str  # written | unchanged | failed | missing-model
    detail: str = ""
    from_memory: int = 0
    from_machine: int = 0
    flagged: int = 0


@dataclass
class BuildReport:
    documents: list[DocumentOutcome] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    missing: list[MissingModel] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        if any(p.severity == "error" for p in self.problems) or any(
            d.status == "failed" for d in self.documents
        ):
            return 2
        return 1 if self.missing else 0


def default_glossary(facts_paths: list[Path]) -> Path | None:
    """The glossary beside the facts files (sources/glossary.yaml), if there is one."""
    for path in facts_paths:
        candidate = path.parent / GLOSSARY_NAME
        if candidate.is_file():
            return candidate
    return None


def output_path(out_dir: Path, facts_path: Path, lang: str) -> Path:
    return out_dir / f"{facts_path.stem}.{lang}.docx"


@dataclass
class LoadedFacts:
    path: Path
    facts: Facts


def load_all(paths: list[Path], glossary: Glossary, report: BuildReport) -> list[LoadedFacts]:
    """Every readable facts file; the others are reported and skipped, not fatal to the rest."""
    loaded = []
    for path in paths:
        try:
            facts, source = load_facts(path)
        except InputError as err:
            report.problems.extend(err.problems or [Problem(path, None, None, str(err))])
            continue
        report.problems.extend(source.warnings)
        report.problems.extend(glossary_warnings(source, facts, glossary))
        loaded.append(LoadedFacts(path, facts))
    return loaded


def build(
    request: BuildRequest,
    translation: Translation | None,
    progress: Progress | None = None,
) -> BuildReport:
    progress = progress or SilentProgress()
    report = BuildReport()
    template = find_template(request.template)
    glossary = load_glossary(request.glossary_path or default_glossary(request.facts_paths))
    ensure_writable_dir(request.out_dir)
    sources = load_all(request.facts_paths, glossary, report)

    batches: dict[str, TranslationBatch] = {}
    for language in request.languages:
        if language.code == SOURCE_LANGUAGE:
            batches[language.code] = TranslationBatch({}, "")
            continue
        texts = list(
            dict.fromkeys(t for s in sources for t in texts_to_translate(s.facts, glossary))
        )
        try:
            if translation is None:
                raise MissingModel(SOURCE_LANGUAGE, language.code)
            batches[language.code] = translation.translate(language, texts, progress)
        except MissingModel as missing:
            report.missing.append(missing)

    with progress.task("Writing documents", len(sources) * len(request.languages)) as task:
        for source in sources:
            for language in request.languages:
                batch = batches.get(language.code)
                if batch is None:
                    report.documents.append(
                        DocumentOutcome(source.path, language.code, None, "missing-model")
                    )
                else:
                    report.documents.append(
                        write_one(source, language, glossary, template, batch, request.out_dir)
                    )
                progress.advance(task)
    return report


def write_one(
    source: LoadedFacts,
    language: Language,
    glossary: Glossary,
    template: Template,
    batch: TranslationBatch,
    out_dir: Path,
) -> DocumentOutcome:
    localizer = Localizer(source.facts, language, glossary, batch.texts, batch.model_label)
    view = localizer.view()
    translations = catalogs.load_translations(language.code, template.locale_dirs)
    document = render_document(template, view, translations)
    target = output_path(out_dir, source.path, language.code)
    fonts = template.config.fonts.get(language.code)
    try:
        write_docx(
            document, template.reference, target, (fonts.body, fonts.headings) if fonts else None
        )
    except OSError as err:
        return DocumentOutcome(source.path, language.code, None, "failed", f"{target}: {err}")
    used = localizer.used.values()
    return DocumentOutcome(
        source.path,
        language.code,
        target,
        "written",
        from_memory=sum(1 for t in used if t.origin.value in ("memory", "reviewed")),
        from_machine=sum(1 for t in used if t.origin.value == "machine"),
        flagged=sum(1 for t in used if t.flagged),
    )
