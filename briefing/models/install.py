"""Installing and removing checked packages, never leaving a half-installed one.

A checked package is extracted into a hidden staging folder inside the models folder, loaded
once with CTranslate2 and its tokenizer, and only then renamed into place; older versions of
the same model (an Argos package's language pair, a converted model's name) are removed after.
Other models of the same pair stay: several may be installed, and a setting chooses. Nothing is
written outside the models folder.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from briefing.errors import BriefingError, InputError
from briefing.languages import SOURCE_LANGUAGE
from briefing.models.archive import DEFAULT_LIMITS, Package, PackageLimits, extract, refuse
from briefing.models.check import CheckedPackage, check_package
from briefing.models.families import DESCRIPTION_NAME, Tokens, card_json
from briefing.models.store import (
    InstalledModel,
    changing,
    configure_argos,
    find_model,
    installed_models,
    read_installed,
    remove_abandoned_work,
    version_key,
    work_folder,
)


@dataclass(frozen=True)
class InstallOutcome:
    model: InstalledModel
    replaced: list[InstalledModel]
    already_installed: bool = False
    # every pair the model serves (a multilingual model serves several), `model` first
    pairs: list[InstalledModel] = field(default_factory=list)


def _prove_loads(folder: Path, checked: CheckedPackage) -> None:
    """Load the model with CTranslate2 and its tokenizer and translate two words into each of
    its languages, or say why not."""
    import ctranslate2

    try:
        if checked.card is None:
            _prove_argos_loads(folder, checked)
            return
        tokens = Tokens(folder, checked.card)
        translator = ctranslate2.Translator(str(folder), device="cpu")
        for target in checked.card.targets:
            prefix = tokens.target_prefix(target)
            results = translator.translate_batch(
                [tokens.encode("Good morning.", target)],
                beam_size=1,
                max_decoding_length=8,
                target_prefix=[prefix] if prefix else None,
            )
            tokens.decode(results[0].hypotheses[0], target)
        del translator
    except InputError:
        raise
    except Exception as error:  # noqa: BLE001 - any failure to load means the package is unusable
        raise refuse(
            checked.source, f"it does not load as a model ({type(error).__name__}: {error})"
        ) from None


def _prove_argos_loads(folder: Path, checked: CheckedPackage) -> None:
    import ctranslate2
    from argostranslate.package import Package as ArgosPackage

    package = ArgosPackage(folder)
    if (package.from_code, package.to_code) != (checked.from_code, checked.to_code):
        raise refuse(checked.source, "Argos reads other languages from it than checked")
    tokenizer = getattr(package, "tokenizer", None)
    if tokenizer is None:
        raise refuse(checked.source, "Argos finds no tokenizer in it")
    tokens = tokenizer.encode("Good morning.")
    translator = ctranslate2.Translator(str(folder / "model"), device="cpu")
    results = translator.translate_batch([tokens], beam_size=1, max_decoding_length=8)
    tokenizer.decode(results[0].hypotheses[0])
    del translator


def _discard(path: Path, models_dir: Path) -> None:
    """Remove a folder: first renamed to a hidden name, so it vanishes from listings at once."""
    with work_folder(models_dir, ".removing-") as trash:
        os.replace(path, trash / "package")


def _refuse_downgrade(models_dir: Path, checked: CheckedPackage) -> None:
    installed = find_model(models_dir, checked.from_code, checked.to_code, checked.name)
    if installed is not None and version_key(installed.package_version) > version_key(
        checked.package_version
    ):
        shown = installed.pair if checked.card is None else f"{checked.name}"
        raise InputError(
            f"{checked.source}: {shown} {installed.package_version} is installed, newer "
            f"than {checked.package_version}; pass --force to install the older version instead"
        )


def install_file(
    path: Path,
    models_dir: Path,
    expected_target: str | None = None,
    limits: PackageLimits = DEFAULT_LIMITS,
    source: str | None = None,
    file_name: str | None = None,
    force: bool = False,
    on_wait: Callable[[], None] | None = None,
) -> InstallOutcome:
    """Check, extract, load and install a package (a file, or a converted model's folder);
    other versions of the same model are replaced.

    Nothing is extracted unless every check passes, and the package appears in `models_dir` only
    once it is complete and loads. An older version than the one installed needs `force`. The
    swap waits for builds using the folder (`on_wait` is called if it has to wait).
    """
    checked = check_package(path, expected_target, limits, source, file_name)
    models_dir.mkdir(parents=True, exist_ok=True)
    remove_abandoned_work(models_dir)
    if not force:
        _refuse_downgrade(models_dir, checked)
    configure_argos(models_dir)
    with work_folder(models_dir) as staging:
        folder = staging / checked.folder_name
        with Package(path, checked.source) as package:
            extract(package, checked.members, folder, limits)
        if checked.card is not None:  # the card as checked, every field resolved
            (folder / DESCRIPTION_NAME).write_bytes(card_json(checked.card))
        _prove_loads(folder, checked)
        with changing(models_dir, on_wait):
            if not force:  # another install may have come first
                _refuse_downgrade(models_dir, checked)
            older = list(
                {
                    m.path: m
                    for m in installed_models(models_dir)
                    if m.name == checked.name and m.from_code == checked.from_code
                }.values()
            )
            final = models_dir / checked.folder_name
            previous = staging / "previous"
            if final.exists():
                os.replace(final, previous)
            try:
                os.replace(folder, final)
            except OSError:
                if previous.exists():
                    os.replace(previous, final)
                raise
            for model in older:
                if model.path != final and model.path.exists():
                    _discard(model.path, models_dir)
    installed = read_installed(final)
    if not installed:  # pragma: no cover - the checks above make this unreachable
        raise BriefingError(f"{final}: the installed package cannot be read back")
    return InstallOutcome(installed[0], older, pairs=installed)


def remove_model(
    models_dir: Path,
    what: str,
    from_code: str = SOURCE_LANGUAGE,
    on_wait: Callable[[], None] | None = None,
) -> list[InstalledModel]:
    """Remove every installed version of the model named `what`, or every model that serves
    from_code→`what` (a multilingual one with all its pairs); the removed models, one per
    folder. InputError when there is none."""
    none = f"no model named {what} and no {from_code}→{what} model is installed in {models_dir}"
    if not models_dir.is_dir():
        raise InputError(none)
    with changing(models_dir, on_wait):
        installed = installed_models(models_dir)
        matches = [m for m in installed if m.name == what] or [
            m for m in installed if (m.from_code, m.to_code) == (from_code, what)
        ]
        if not matches:
            raise InputError(none)
        folders = {m.path: m for m in matches}
        for path in folders:
            _discard(path, models_dir)
    return list(folders.values())
