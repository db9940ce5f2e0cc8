"""Versions and changes documents, as a build uses them.

Every document a build writes is kept as a version (versions.py). When asked, the build also
writes OUT/<stem>.<label>.changes.docx: the current version with Word's tracked changes
against an earlier one (output/redline.py), a summary in the document's language at the top.
The revisions carry the author from the facts (or the setting `changes_author`) and the time
the current version was built, so the same versions give the same bytes. With nothing
changed, no changes document is written, and one left from an earlier comparison is removed:
it would show changes that are no longer news.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gettext
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from briefing import __version__
from briefing.atomic import explain_write_error, write_atomic
from briefing.languages import Language
from briefing.manifest import Manifest, digest
from briefing.output.change_summary import ChangeCounts, count_changes, inventory, summary_notice
from briefing.output.document import Document
from briefing.output.docx_writer import build_tracked_docx
from briefing.output.docx_xml import Revisions
from briefing.output.localize import BriefingView
from briefing.output.redline import (
    Redline,
    TrackedBlock,
    TrackedParagraph,
    TrackedRun,
    compare,
)
from briefing.versions import (
    DEFAULT_KEPT,
    StoredVersion,
    Version,
    VersionError,
    VersionStore,
    choose,
    document_name,
)

CHANGES_SUFFIX = ".changes.docx"
TITLE_BLOCK = ("heading:0", "paragraph:subtitle")  # what the summary follows


def changes_path(document: Path) -> Path:
    """OUT/<stem>.<label>.changes.docx beside OUT/<stem>.<label>.docx."""
    return document.with_name(document_name(document) + CHANGES_SUFFIX)


@dataclass(frozen=True)
class ChangesOptions:
    """What a build does with versions beyond recording them."""

    write: bool = False  # write the changes documents
    since: str | int | None = None  # a version number, sent, previous; None: sent, else previous
    release: bool = False  # mark the versions written as sent
    author: str | None = None  # the revisions' author; None: the document's (from the facts)
    kept: int = DEFAULT_KEPT


@dataclass(frozen=True)
class ChangesOutcome:
    path: Path
    status: str  # written | unchanged | no changes | first version | failed
    since: Version | None = None
    counts: ChangeCounts | None = None
    detail: str = ""


@dataclass(frozen=True)
class SummaryLanguage:
    """A language the summary is written in, with its catalogs."""

    language: Language
    translations: gettext.NullTranslations


class History:
    """The versions of one output folder during one build."""

    def __init__(self, out_dir: Path, options: ChangesOptions, built: dt.datetime) -> None:
        self.store = VersionStore(out_dir, options.kept)
        self.options = options
        self.built = built
        self._protected: dict[str, set[int]] = {}

    def has_version(self, document: Path) -> bool:
        return bool(self.store.numbers(document))

    def protect_chosen(self, document: Path) -> None:
        """Keep the version this build compares with, should the new one push it out."""
        if not self.options.write:
            return
        versions = self.store.versions(document)
        try:
            chosen = choose(versions, self.options.since, document_name(document))
        except VersionError:
            return  # reported when the changes document is made
        if chosen is not None:
            self._protected.setdefault(document.name, set()).add(chosen.number)

    def record(self, document: Path, model: Document, views: Sequence[BriefingView]) -> Version:
        version = self.store.record(
            document,
            model,
            inventory(views),
            self.built,
            protect=self._protected.get(document.name, ()),
        )
        return version

    def release(self, document: Path) -> Version:
        return self.store.release(document, self.built)

    def write_changes(
        self,
        document: Path,
        manifest: Manifest,
        context: str,
        reference: Path,
        fonts: tuple[str, str] | None,
        summary: Sequence[SummaryLanguage],
        time_zone: str,
        force: bool = False,
    ) -> ChangesOutcome:
        """The changes document of `document` (OUT/<stem>.<label>.docx, written from the newest
        version) against the chosen version. `context` is the digest of everything else its
        bytes depend on (template, catalogs)."""
        target = changes_path(document)
        versions = self.store.versions(document)
        try:
            earlier = choose(versions, self.options.since, document_name(document))
        except VersionError as error:
            return ChangesOutcome(target, "failed", detail=str(error))
        if earlier is None:
            return ChangesOutcome(target, "first version")
        current = versions[-1]
        if earlier.digest == current.digest:
            target.unlink(missing_ok=True)  # an older comparison's, no longer news
            return ChangesOutcome(target, "no changes", earlier, ChangeCounts())
        before = self.store.load(document, earlier.number)
        after = self.store.load(document, current.number)
        author = self.options.author or after.document.metadata.author
        inputs = digest(
            __version__,
            context,
            author,
            time_zone,
            *(f"{v.number}:{v.built.isoformat()}:{v.digest}" for v in (earlier, current)),
        )
        counts = count_changes(before.inventory, after.inventory)
        if not force and manifest.unchanged(target, inputs):
            return ChangesOutcome(target, "unchanged", earlier, counts)
        redline = _with_summary(
            compare(before.document, after.document), before, counts, summary, time_zone
        )
        revisions = Revisions(author, current.built)
        data = build_tracked_docx(redline, document.read_bytes(), reference, fonts, revisions)
        try:
            write_atomic(target, data)
        except OSError as error:
            detail = explain_write_error(target, error)
            return ChangesOutcome(target, "failed", earlier, counts, detail)
        with contextlib.suppress(OSError):  # unsaved: the next build writes it again
            manifest.record(target, inputs, data)
        return ChangesOutcome(target, "written", earlier, counts)


def _with_summary(
    redline: Redline,
    earlier: StoredVersion,
    counts: ChangeCounts,
    summary: Sequence[SummaryLanguage],
    time_zone: str,
) -> Redline:
    """The redline with the summary, untracked, after the title block (the title and the
    subtitle): it describes the changes and is part of neither version."""
    version = earlier.version
    notices = [
        summary_notice(counts, version.number, version.built, s.language, s.translations, time_zone)
        for s in summary
    ]
    paragraphs = tuple(
        TrackedParagraph("notice", tuple(TrackedRun(run) for run in notice.runs))
        for notice in notices
    )
    blocks = redline.blocks
    top = 0
    while top < len(blocks) and _in_title_block(blocks[top]):
        top += 1
    return Redline(redline.metadata, blocks[:top] + paragraphs + blocks[top:])


def _in_title_block(block: TrackedBlock) -> bool:
    return isinstance(block, TrackedParagraph) and block.style in TITLE_BLOCK


def check_history(store: VersionStore, documents: Sequence[Path], since: str | int | None) -> None:
    """Before a build compares: every document has versions, and the one asked for is kept.
    A VersionError names what there is instead (a facts file renamed keeps its history under
    its old name)."""
    missing = [document_name(d) for d in documents if not store.numbers(d)]
    if missing:
        kept = store.names()
        there = (
            f"versions are kept there for: {', '.join(kept)}; was the facts file renamed? "
            "Its history stays under its old name"
            if kept
            else "no document has versions there yet"
        )
        raise VersionError(
            f"no versions of {', '.join(missing)} in {store.root} ({there}). Build it with "
            "`briefing build` to start its history, or name the facts file as before."
        )
    for document in documents:
        choose(store.versions(document), since, document_name(document))
