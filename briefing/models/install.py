"""Installing and removing checked packages, never leaving a half-installed one.

A checked package is extracted into a hidden staging folder inside the models folder, loaded
once with Argos and CTranslate2, and only then renamed into place; older versions of its
language pair are removed after. Nothing is written outside the models folder.
"""

from __future__ import annotations

import os
import stat
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from briefing.errors import BriefingError, InputError
from briefing.languages import SOURCE_LANGUAGE
from briefing.models.check import (
    DEFAULT_LIMITS,
    CheckedPackage,
    PackageLimits,
    check_package,
    refuse,
)
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

CHUNK = 1024**2


@dataclass(frozen=True)
class InstallOutcome:
    model: InstalledModel
    replaced: list[InstalledModel]
    already_installed: bool = False


def _extract(path: Path, checked: CheckedPackage, target: Path, limits: PackageLimits) -> None:
    """Extract the checked package's folder into `target`, enforcing the sizes as it writes."""
    target.mkdir()
    root = target.resolve()
    written_total = 0
    try:
        with zipfile.ZipFile(path) as archive:
            for info in checked.members:
                parts = info.filename.rstrip("/").split("/")[1:]
                if not parts:
                    continue
                destination = target.joinpath(*parts)
                if not destination.resolve().is_relative_to(root):
                    raise refuse(checked.source, f"member {info.filename!r} leaves the folder")
                if info.filename.endswith("/") or stat.S_ISDIR(info.external_attr >> 16):
                    destination.mkdir(parents=True, exist_ok=True)
                    continue
                destination.parent.mkdir(parents=True, exist_ok=True)
                written = 0
                with archive.open(info) as stream, open(destination, "xb") as output:
                    while chunk := stream.read(CHUNK):
                        written += len(chunk)
                        written_total += len(chunk)
                        if written > info.file_size or written_total > limits.max_unpacked_bytes:
                            raise refuse(
                                checked.source,
                                f"member {info.filename!r} unpacks to more than it declares",
                            )
                        output.write(chunk)
                os.chmod(destination, 0o644)
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError) as error:
        raise refuse(checked.source, f"the zip archive is damaged ({error})") from None


def _prove_loads(folder: Path, checked: CheckedPackage) -> None:
    """Load the package with Argos and CTranslate2 and translate two words, or say why not."""
    import ctranslate2
    from argostranslate.package import Package

    try:
        package = Package(folder)
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
    except InputError:
        raise
    except Exception as error:  # noqa: BLE001 - any failure to load means the package is unusable
        raise refuse(
            checked.source, f"it does not load as a model ({type(error).__name__}: {error})"
        ) from None


def _discard(path: Path, models_dir: Path) -> None:
    """Remove a folder: first renamed to a hidden name, so it vanishes from listings at once."""
    with work_folder(models_dir, ".removing-") as trash:
        os.replace(path, trash / "package")


def _refuse_downgrade(models_dir: Path, checked: CheckedPackage) -> None:
    installed = find_model(models_dir, checked.from_code, checked.to_code)
    if installed is not None and version_key(installed.package_version) > version_key(
        checked.package_version
    ):
        raise InputError(
            f"{checked.source}: {installed.pair} {installed.package_version} is installed, newer "
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
    """Check, extract, load and install a package file; other versions of its pair are replaced.

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
        _extract(path, checked, folder, limits)
        _prove_loads(folder, checked)
        with changing(models_dir, on_wait):
            if not force:  # another install may have come first
                _refuse_downgrade(models_dir, checked)
            older = [
                m
                for m in installed_models(models_dir)
                if (m.from_code, m.to_code) == (checked.from_code, checked.to_code)
            ]
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
    if installed is None:  # pragma: no cover - the checks above make this unreachable
        raise BriefingError(f"{final}: the installed package cannot be read back")
    return InstallOutcome(installed, older)


def remove_model(
    models_dir: Path,
    to_code: str,
    from_code: str = SOURCE_LANGUAGE,
    on_wait: Callable[[], None] | None = None,
) -> list[InstalledModel]:
    """Remove every installed version of from_code→to_code; InputError when there is none."""
    if not models_dir.is_dir():
        raise InputError(f"no {from_code}→{to_code} model is installed in {models_dir}")
    with changing(models_dir, on_wait):
        matches = [
            m
            for m in installed_models(models_dir)
            if (m.from_code, m.to_code) == (from_code, to_code)
        ]
        if not matches:
            raise InputError(f"no {from_code}→{to_code} model is installed in {models_dir}")
        for model in matches:
            _discard(model.path, models_dir)
    return matches
