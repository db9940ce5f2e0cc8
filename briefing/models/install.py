"""Installing and removing checked packages, never leaving a half-installed one.

A checked package is extracted into a hidden staging folder inside the models folder, loaded
once with Argos and CTranslate2, and only then renamed into place; older versions of its
language pair are removed after. Nothing is written outside the models folder.
"""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
import zipfile
import zlib
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
from briefing.models.store import InstalledModel, configure_argos, installed_models, read_installed

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
    trash = Path(tempfile.mkdtemp(prefix=".removing-", dir=models_dir))
    os.replace(path, trash / "package")
    shutil.rmtree(trash, ignore_errors=True)


def install_file(
    path: Path,
    models_dir: Path,
    expected_target: str | None = None,
    limits: PackageLimits = DEFAULT_LIMITS,
    source: str | None = None,
    file_name: str | None = None,
) -> InstallOutcome:
    """Check, extract, load and install a package file; older versions of its pair are replaced.

    Nothing is extracted unless every check passes, and the package appears in `models_dir` only
    once it is complete and loads.
    """
    checked = check_package(path, expected_target, limits, source, file_name)
    models_dir.mkdir(parents=True, exist_ok=True)
    configure_argos(models_dir)
    staging = Path(tempfile.mkdtemp(prefix=".incoming-", dir=models_dir))
    try:
        folder = staging / checked.folder_name
        _extract(path, checked, folder, limits)
        _prove_loads(folder, checked)
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
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    installed = read_installed(final)
    if installed is None:  # pragma: no cover - the checks above make this unreachable
        raise BriefingError(f"{final}: the installed package cannot be read back")
    return InstallOutcome(installed, older)


def remove_model(
    models_dir: Path, to_code: str, from_code: str = SOURCE_LANGUAGE
) -> list[InstalledModel]:
    """Remove every installed version of from_code→to_code; InputError when there is none."""
    matches = [
        m for m in installed_models(models_dir) if (m.from_code, m.to_code) == (from_code, to_code)
    ]
    if not matches:
        raise InputError(f"no {from_code}→{to_code} model is installed in {models_dir}")
    for model in matches:
        _discard(model.path, models_dir)
    return matches
