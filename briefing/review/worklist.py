"""What a reviewer is given: each text the build translates, where it is in the facts file, and
the section of the document it is printed under.

The sections come from the document itself: the template is rendered in English for the facts,
as the build renders the English document, and each text is found in that document's outline,
under the last top-level heading before it. This is the least fragile way to know them. A list
of headings kept here, or declared beside the template, would be a second copy of the
template's words: wrong as soon as the template changes, and absent for a template of one's
own. The rendered outline is any template's, in its order and with its conditions, at the
cost of one render. A text the template does not print as written (left out, or changed by a
filter) is grouped under its key in the facts file.
"""

from __future__ import annotations

from collections.abc import Iterator

from briefing import catalogs
from briefing.facts.schema import Facts
from briefing.languages import LANGUAGES, SOURCE_LANGUAGE
from briefing.output.document import BulletList, Document, Heading, Notice, Paragraph, Run, Table
from briefing.output.localize import Localizer
from briefing.output.render import render_document
from briefing.output.sandbox_process import LimitedProcess
from briefing.output.template import Template
from briefing.terms.coverage import Coverage
from briefing.terms.glossary import Glossary
from briefing.translation.texts import source_texts
from briefing.yamlsource.positions import dotted


def texts_with_paths(facts: Facts) -> Iterator[tuple[str, str]]:
    """(path in the facts file, English text) of every text the build translates, in the
    order the document shows them."""
    for source in source_texts(facts):
        yield dotted(source.location), source.text


def _words(runs: tuple[Run, ...]) -> str:
    return " ".join("".join(run.text for run in runs).split())


def _printed(document: Document) -> list[tuple[str, str | None]]:
    """Each paragraph, list item, table cell and heading of `document` as (its words, the
    top-level heading it stands under; None before the first)."""
    levels = [level for level, _ in document.outline() if level > 0]
    top = min(levels, default=None)
    printed: list[tuple[str, str | None]] = []
    section: str | None = None
    for block in document.blocks:
        if isinstance(block, Heading):
            if block.level == top:
                section = _words(block.runs)
            printed.append((_words(block.runs), section))
        elif isinstance(block, Paragraph | Notice):
            printed.append((_words(block.runs), section))
        elif isinstance(block, BulletList):
            printed.extend((_words(item), section) for item in block.items)
        elif isinstance(block, Table):
            rows = (block.header, *block.rows) if block.header else block.rows
            printed.extend((_words(cell), section) for row in rows for cell in row)
    return printed


def sections_in(document: Document, texts: list[tuple[str, str]]) -> dict[str, str]:
    """Path → the heading `document` prints the text of (path, text) under, for `texts` in
    document order; a text not found under a heading is under its facts key."""
    printed = _printed(document)
    sections: dict[str, str] = {}
    position = 0
    for path, text in texts:
        words = " ".join(text.split())
        # From the last text's place on, so that a text printed twice is taken where the
        # document's order puts it; else anywhere (a template may order sections its own way).
        found = next((i for i in range(position, len(printed)) if words in printed[i][0]), None)
        if found is None:
            found = next((i for i in range(position) if words in printed[i][0]), None)
        section = printed[found][1] if found is not None else None
        if found is not None:
            position = found
        sections[path] = section or path.split(".")[0].split("[")[0]
    return sections


def document_sections(
    template: Template,
    facts: Facts,
    glossary: Glossary,
    process: LimitedProcess | None = None,
) -> dict[str, str]:
    """Path → the English heading the template prints each text of `facts` under.

    `process` is a render process started early (render.render_process); without one, a
    process is started for this render."""
    english = LANGUAGES[SOURCE_LANGUAGE]
    # The English document prints every name as the facts write it: nothing is missing there.
    coverage = Coverage(glossary, missing=(), protected=glossary, errors=(), warnings=())
    view = Localizer(facts, english, coverage, {}).view()
    translations = catalogs.load_translations(english.code, template.locale_dirs)
    document = render_document(template, view, translations, process=process)
    return sections_in(document, list(texts_with_paths(facts)))
