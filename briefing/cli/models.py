"""`briefing models …`: list, install, remove and evaluate translation models (Argos Translate
packages and CTranslate2 models converted from Marian, M2M100 or NLLB).

Over 400 lines, as one idea: the `models` command group, its commands and how each prints
(the work itself is in briefing/models and briefing/translation/evaluate.py)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from briefing.cli.common import GLOSSARY_OF_SOURCES, LazyConsole, escape, options_given
from briefing.errors import BriefingError, InputError
from briefing.languages import SOURCE_LANGUAGE, TARGET_LANGUAGES

if TYPE_CHECKING:
    from briefing import models
    from briefing.translation import evaluate
    from briefing.workspace.fields import TranslationSettings

models_app = typer.Typer(
    help="Install, list, remove and evaluate translation models.\n\n"
    "Argos Translate packages, from the online index or from files you were given, and "
    "CTranslate2 models converted from Marian, M2M100 or NLLB.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
err = LazyConsole(stderr=True, highlight=False, soft_wrap=True)
out = LazyConsole(highlight=False, soft_wrap=True)

ModelsDir = Annotated[
    Path | None,
    typer.Option(
        "--models-dir",
        help="Folder of installed models. Default: $BRIEFING_MODELS_DIR, else the setting "
        "translation.models_dir in briefing.toml, else Argos Translate's own "
        "(~/.local/share/argos-translate/packages).",
        file_okay=False,
    ),
]

INSTALL_HINT = (
    "install with:  briefing models install ja ko   (downloads; needs the network)\n"
    "          or:  briefing models install FILE.argosmodel   (offline)\n"
    "          or:  briefing models install MODEL_DIR|MODEL.tar.gz   (a converted model)"
)


@contextlib.contextmanager
def reported() -> Iterator[None]:
    """Errors for people: the message on stderr and the error's exit status, no traceback."""
    try:
        yield
    except BriefingError as error:
        err.print(f"[red]error:[/] {escape(str(error))}")
        raise typer.Exit(error.exit_code) from None


def models_settings(ctx: typer.Context) -> TranslationSettings:
    """The translation settings with this command's --models-dir and --index-url over them."""
    from briefing.workspace.settings import load_settings

    return load_settings(options_given(ctx)).translation


def models_folder(ctx: typer.Context) -> Path:
    """--models-dir, else BRIEFING_MODELS_DIR, else briefing.toml, else Argos' own folder."""
    from briefing import models

    return models.resolve_models_dir(models_settings(ctx).models_dir)


def chosen_models() -> dict[str, str]:
    """Language → the model name the settings choose for builds (translation.models)."""
    from briefing.workspace.settings import load_settings

    return load_settings().translation.models.chosen()


def licence_note(model: models.InstalledModel) -> str:
    if model.non_commercial:
        return f"{model.licence}: not for commercial use"
    return model.licence or "see the model's own terms"


def waiting(directory: Path) -> Callable[[], None]:
    """What to say when an install or removal waits for builds that use the models."""

    def say() -> None:
        err.print(f"builds are using the models in {escape(str(directory))}; waiting for them")

    return say


def describe(model: models.InstalledModel) -> str:
    from rich.filesize import decimal

    from briefing import models

    return (
        f"{model.pair} {model.package_version} ({models.model_identity(model)}, "
        f"{decimal(model.size_bytes)})"
    )


@models_app.command("list")
def list_command(ctx: typer.Context, models_dir: ModelsDir = None) -> None:
    """Show the installed models.

    Show the installed models: language pair, name, family, version, licence, which one builds
    use, size and folder.
    """
    from rich.filesize import decimal
    from rich.table import Table

    from briefing import models

    directory = models_folder(ctx)
    found = models.installed_models(directory)
    if not found:
        out.print(f"no models installed in {escape(str(directory))}")
        out.print(INSTALL_HINT, markup=False)
        return
    choices = chosen_models()
    used = {}
    for code in {m.to_code for m in found}:
        model = models.find_model(directory, SOURCE_LANGUAGE, code, choices.get(code))
        used[code] = model.path if model else None
    table = Table(title=f"Models in {escape(str(directory))}")
    for column in ("pair", "name", "family", "version", "licence", "builds", "size", "path"):
        table.add_column(column, overflow="fold")
    for model in found:
        table.add_row(
            model.pair,
            escape(model.name),
            model.family,
            escape(model.package_version),
            ("[yellow]" if model.non_commercial else "") + escape(licence_note(model)),
            "use it" if used.get(model.to_code) == model.path else "",
            decimal(model.size_bytes),
            escape(str(model.path)),
        )
    out.print(table, soft_wrap=False)
    unused = [m for m in found if used.get(m.to_code) != m.path]
    if unused:
        out.print(
            "several models for a language: builds use the Argos package, else the first by "
            'name; choose with --model LANG=NAME or [translation.models] LANG = "NAME"',
            markup=False,
        )


def is_package_file(item: str) -> bool:
    """A package file or a converted model's folder, not a language code."""
    return item.lower().endswith(".argosmodel") or "/" in item or Path(item).exists()


@models_app.command("install")
def install_command(
    ctx: typer.Context,
    items: Annotated[
        list[str],
        typer.Argument(
            metavar="LANG|FILE",
            help="Languages to download from the index (ja ko), or .argosmodel files to "
            "install offline, or CTranslate2 models converted from Marian, M2M100 or NLLB "
            "(a folder, .zip or .tar.gz with briefing-model.json).",
            show_default=False,
        ),
    ],
    models_dir: ModelsDir = None,
    index_url: Annotated[
        str | None,
        typer.Option(
            "--index-url",
            help="Argos package index to download from. Default: $BRIEFING_MODELS_INDEX, "
            "else the setting translation.models_index, else Argos Translate's public index.",
        ),
    ] = None,
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="Download again even if that version is installed; install a version older "
            "than the installed one.",
        ),
    ] = False,
    max_unpacked_bytes: Annotated[
        int | None,
        typer.Option(
            "--max-unpacked-bytes",
            help="Refuse packages that unpack to more than this.",
            hidden=True,
        ),
    ] = None,
) -> None:
    """Install models, from the index or from files.

    Install models: English→LANG from the Argos index, package files, or converted models (a
    folder, .zip or .tar.gz with briefing-model.json), each checked first.
    """
    from briefing import models

    settings = models_settings(ctx)
    directory = models.resolve_models_dir(settings.models_dir)
    limits = models.DEFAULT_LIMITS
    if max_unpacked_bytes is not None:
        limits = models.PackageLimits(max_unpacked_bytes=max_unpacked_bytes)
    with reported():
        for item in items:
            if is_package_file(item):
                outcome = models.install_file(
                    Path(item), directory, limits=limits, force=force, on_wait=waiting(directory)
                )
            elif models.CODE_RE.match(item):
                outcome = download_and_install(
                    item, directory, settings.models_index, limits, force
                )
            else:
                raise InputError(
                    f"{item!r} is neither a language code (like ja) nor an .argosmodel file, "
                    "a model folder or archive"
                )
            if outcome.already_installed:
                out.print(
                    f"{escape(describe(outcome.model))} is already the newest; "
                    "pass --force to download it again"
                )
                continue
            for pair in outcome.pairs or [outcome.model]:
                out.print(f"installed {escape(describe(pair))} in {escape(str(pair.path))}")
            model = outcome.model
            if model.card is not None:
                out.print(
                    f"    {escape(model.name)}: family {model.family}; licence "
                    f"{escape(licence_note(model))}"
                )
            if model.non_commercial:
                err.print(
                    f"[yellow]warning:[/] {escape(model.name)} is licensed "
                    f"{escape(model.licence)}, which forbids commercial use: use it only where "
                    "that licence allows"
                )
            for old in outcome.replaced:
                if old.path != outcome.model.path:
                    newer = models.version_key(old.package_version) > models.version_key(
                        outcome.model.package_version
                    )
                    out.print(
                        f"    replaced {'the newer ' if newer else ''}{escape(old.pair)} "
                        f"{escape(old.package_version)}"
                    )


def download_and_install(
    code: str,
    directory: Path,
    index_url: str | None,
    limits: models.PackageLimits,
    force: bool,
) -> models.InstallOutcome:
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
        TransferSpeedColumn,
    )

    from briefing import models

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
        console=err.console(),
        transient=False,
        disable=not err.is_terminal,
    ) as progress:

        def start(entry: models.IndexEntry) -> models.DownloadProgress:
            task = progress.add_task(
                f"{SOURCE_LANGUAGE}→{entry.to_code} {entry.package_version}", total=None
            )

            def update(done: int, total: int | None) -> None:
                progress.update(task, completed=done, total=total)

            return update

        return models.install_code(
            code,
            directory,
            index_url,
            limits=limits,
            progress=start,
            force=force,
            on_wait=waiting(directory),
        )


@models_app.command("remove")
def remove_command(
    ctx: typer.Context,
    code: Annotated[
        str,
        typer.Argument(
            metavar="LANG",
            help="A model's name (as `models list` shows it), or a target language (e.g. ja: "
            "every model for English→ja).",
        ),
    ],
    models_dir: ModelsDir = None,
) -> None:
    """Remove an installed model.

    Remove an installed model by name, or every model for English→LANG.
    """
    from briefing import models

    directory = models_folder(ctx)
    with reported():
        for model in models.remove_model(directory, code, on_wait=waiting(directory)):
            out.print(f"removed {escape(describe(model))} from {escape(str(directory))}")


@models_app.command("evaluate")
def evaluate_command(
    ctx: typer.Context,
    lang: Annotated[str, typer.Option("--lang", help="Target language, e.g. ja.")],
    references: Annotated[
        Path | None,
        typer.Option(
            "--references",
            help="Reference translations: a TMX file, or a TSV file of English<TAB>translation "
            "lines (e.g. FLORES-200 devtest). Default: the translation memory's reviewed "
            "sentences for the language.",
            dir_okay=False,
        ),
    ] = None,
    limit: Annotated[
        int | None, typer.Option("--limit", min=1, help="Use at most this many sentences.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the figures as JSON.")] = False,
    models_dir: ModelsDir = None,
    tm: Annotated[
        str | None,
        typer.Option("--tm", help="Translation memory (a file or a postgresql:// URL)."),
    ] = None,
    glossary: Annotated[
        Path | None,
        typer.Option(
            "--glossary",
            help=f"Workspace glossary file, over the base term base. {GLOSSARY_OF_SOURCES}",
        ),
    ] = None,
) -> None:
    """Score the installed models of a language.

    Score every installed model of a language on reference sentences (the memory's reviewed
    sentences, or a TMX or TSV file), best first: chrF, BLEU, the share passing the checks on
    machine output, sentences per second and peak memory.
    """
    import json
    from dataclasses import asdict

    from briefing import models
    from briefing.terms.layers import load_term_base
    from briefing.translation import evaluate
    from briefing.workspace.settings import load_settings

    with reported():
        settings = load_settings(options_given(ctx))
        if lang not in TARGET_LANGUAGES:
            targets = ", ".join(TARGET_LANGUAGES)
            raise InputError(f"--lang {lang}: choose a target language: {targets}")
        directory = models.resolve_models_dir(settings.translation.models_dir)
        found = [m for m in models.installed_models(directory) if m.to_code == lang]
        if not found:
            raise InputError(f"no {SOURCE_LANGUAGE}→{lang} model is installed in {directory}")
        pairs, where = evaluate.load_references(references, lang, settings.translation.memory)
        pairs = pairs[:limit] if limit else pairs
        # The workspace glossary as builds use it: the setting, else the sources folder's.
        beside = sorted(settings.sources.glob("*.yaml")) if settings.sources.is_dir() else []
        terms = load_term_base(settings.glossaries, beside).without_event().glossary
        tokenize = evaluate.bleu_tokenizer(lang)
        scores = []
        models.configure_argos(directory)
        with scoring_progress() as progress:
            for model in found:
                task = progress.add_task(models.model_identity(model), total=len(pairs))
                done = [0]

                def advance(task: object = task, done: list[int] = done) -> None:
                    if done[0] < len(pairs):
                        done[0] += 1
                        progress.advance(task)

                scores.append(evaluate.evaluate_model(model, pairs, terms, tokenize, None, advance))
        scores = evaluate.ranked(scores)
    if as_json:
        report = {
            "lang": lang,
            "references": {"from": where, "sentences": len(pairs)},
            "models": [asdict(score) for score in scores],
        }
        out.print_json(json.dumps(report, ensure_ascii=False))
        return
    print_scores(scores, lang, where, len(pairs))


@contextlib.contextmanager
def scoring_progress() -> Iterator[Any]:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=err.console(),
        disable=not err.is_terminal,
    ) as progress:
        yield progress


def print_scores(scores: list[evaluate.Score], lang: str, where: str, count: int) -> None:
    from rich.table import Table

    table = Table(title=f"{SOURCE_LANGUAGE}→{lang}: {count} sentences from {escape(where)}")
    table.add_column("#", justify="right", no_wrap=True)
    table.add_column("model", overflow="fold", min_width=12)
    table.add_column("family", overflow="fold")
    for column in ("chrF", "BLEU", "checks ok", "sent/s", "peak MB"):
        table.add_column(column, justify="right", no_wrap=True)
    table.add_column("licence", overflow="fold")
    for rank, score in enumerate(scores, start=1):
        memory = f"{score.peak_memory_mb:.0f}" if score.peak_memory_mb is not None else "?"
        table.add_row(
            str(rank),
            escape(score.model),
            score.family,
            f"{score.chrf:.1f}",
            f"{score.bleu:.1f}",
            f"{100 * score.passed_checks:.0f} %",
            f"{score.sentences_per_second:.1f}",
            memory,
            escape(score.licence or "?"),
        )
    out.print(table, soft_wrap=False)
    if scores:
        out.print(f"BLEU: {escape(scores[0].bleu_signature)}; ranked by chrF", markup=False)
