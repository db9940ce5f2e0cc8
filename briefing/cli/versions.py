"""`briefing changes`, `briefing versions` and `briefing release`: what changed since the version
the readers have, which versions are kept, and which one was sent.

`changes` is a build that also writes the changes documents, so it runs the build's own
helpers (cli/build.py) with the same settings; the history is checked before anything is
written, so a renamed facts file or a version no longer kept stops it with nothing changed.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from briefing.cli.common import (
    GlossaryOption,
    TemplateOption,
    err,
    escape,
    options_given,
    out,
    print_problems,
)

if TYPE_CHECKING:
    from briefing.workspace.settings import Settings

FACTS_HELP = (
    "Facts files (YAML), or folders of them. Default: every facts file in the sources folder."
)
LANG_HELP = "Comma-separated languages. Default: the setting `languages` (en,ja,ko)."
OUT_HELP = "The output folder, where the documents and their versions are. Default: out/."
LAYOUT_HELP = "single, parallel (OUT/<stem>.en-<lang>.docx) or both. Default: single."

# What the three commands share: which documents, as a build would write them.
FactsArgument = Annotated[list[Path] | None, typer.Argument(metavar="FACTS", help=FACTS_HELP)]
LangOption = Annotated[str | None, typer.Option("--lang", help=LANG_HELP)]
OutOption = Annotated[Path | None, typer.Option("--out", help=OUT_HELP)]
LayoutOption = Annotated[str | None, typer.Option("--layout", help=LAYOUT_HELP)]


def _documents(settings: Settings, facts: list[Path] | None) -> list[Path]:
    """The documents a build with these settings writes, whose versions are kept."""
    from briefing.build import BuildRequest, targets
    from briefing.facts.files import facts_files
    from briefing.languages import parse_languages

    paths = facts_files(facts, settings.sources)
    request = BuildRequest(
        paths, parse_languages(",".join(settings.languages)), settings.out, layout=settings.layout
    )
    return [target for path in paths for _, _, target in targets(path, request)]


def changes_command(
    ctx: typer.Context,
    facts: FactsArgument = None,
    since: Annotated[
        str | None,
        typer.Option(
            "--since",
            help="The version to compare with: its number (see `briefing versions`), sent (the "
            "one last released to readers) or previous (the one before the current). "
            "Default: sent, else previous.",
        ),
    ] = None,
    lang: LangOption = None,
    out_dir: OutOption = None,
    template: TemplateOption = None,
    glossary: GlossaryOption = None,
    layout: LayoutOption = None,
    force: Annotated[
        bool, typer.Option("--force", help="Rewrite documents even when nothing changed.")
    ] = False,
    strict: Annotated[
        bool,
        typer.Option("--strict", help="Refuse ja/ko documents with names missing from the terms."),
    ] = False,
    models_dir: Annotated[
        Path | None,
        typer.Option("--models-dir", help="Folder of installed translation models."),
    ] = None,
    tm: Annotated[
        str | None,
        typer.Option("--tm", help="Translation memory: a file (SQLite) or a postgresql:// URL."),
    ] = None,
    engine: Annotated[
        str | None, typer.Option("--engine", help="Translation engine: argos or libretranslate.")
    ] = None,
    engine_url: Annotated[
        str | None, typer.Option("--engine-url", help="The LibreTranslate server.")
    ] = None,
) -> None:
    """Show what changed since a version, as Word's tracked changes.

    Writes OUT/<stem>.<lang>.changes.docx, a summary at the top; Accept All gives the current
    document, Reject All the earlier one.

    The documents are built first (unchanged ones are not rewritten). With nothing changed,
    no changes document is written. Other settings come from the environment and
    briefing.toml, as for `briefing build`.
    """
    from briefing.changes import check_history
    from briefing.cli.build_report import print_report
    from briefing.cli.running import build_request, run_build
    from briefing.versions import VersionStore, parse_since
    from briefing.workspace.settings import load_settings

    # the options that are settings reach them by their option names, as for build
    settings = load_settings({**options_given(ctx), "changes": True})
    chosen = parse_since(since)
    request = build_request(settings, facts, force, chosen)
    check_history(VersionStore(settings.out), _documents(settings, facts), chosen)
    report = run_build(settings, request, show_progress=True)
    print_problems(report.problems)
    print_report(report)
    raise typer.Exit(report.exit_code)


def versions_command(
    ctx: typer.Context,
    facts: FactsArgument = None,
    lang: LangOption = None,
    out_dir: OutOption = None,
    layout: LayoutOption = None,
) -> None:
    """List the versions kept of each document.

    Each version's number, when it was built and whether it was sent; the newest is the
    current one.
    """
    from briefing.changes import check_history
    from briefing.versions import VersionStore, document_name
    from briefing.workspace.settings import load_settings

    settings = load_settings(options_given(ctx))
    store = VersionStore(settings.out)
    documents = _documents(settings, facts)
    if not any(store.numbers(document) for document in documents):
        check_history(store, documents, None)  # says what there is instead (a renamed file)
    for document in documents:
        versions = store.versions(document)
        if not versions:  # a language or layout not built yet: its history starts then
            out.print(f"{document_name(document)}: no versions yet", markup=False)
            continue
        out.print(f"{document_name(document)} (versions in {store.folder(document)})", markup=False)
        for version in versions:
            sent = f"  sent {_local(version.sent)}" if version.sent else ""
            current = "  current" if version is versions[-1] else ""
            out.print(f"  {version.number:>4}  built {_local(version.built)}{sent}{current}")


def release_command(
    ctx: typer.Context,
    facts: FactsArgument = None,
    lang: LangOption = None,
    out_dir: OutOption = None,
    layout: LayoutOption = None,
) -> None:
    """Mark the current versions as sent to their readers.

    `briefing changes` then compares with it by default.
    """
    import datetime as dt

    from briefing.changes import check_history
    from briefing.manifest import build_lock
    from briefing.versions import VersionStore, document_name
    from briefing.workspace.settings import load_settings

    settings = load_settings(options_given(ctx))
    store = VersionStore(settings.out)
    documents = _documents(settings, facts)
    check_history(store, documents, None)
    now = dt.datetime.now(dt.timezone.utc)

    def waiting() -> None:
        err.print(f"a build is writing to {settings.out}; waiting for it to finish")

    with build_lock(settings.out, on_wait=waiting):
        for document in documents:
            version = store.release(document, now)
            out.print(
                f"{escape(document_name(document))}: version {version.number} "
                f"(built {_local(version.built)}) marked as sent"
            )


def _local(moment: Any) -> str:
    """A time in this computer's time zone, to the second."""
    return str(moment.astimezone().strftime("%Y-%m-%d %H:%M:%S %z"))
