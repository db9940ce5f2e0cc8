"""Where translation models live, which are installed, and what each is called.

A model is an Argos Translate package (a folder with `metadata.json`, a CTranslate2 model in
`model/` and a tokenizer) or a converted CTranslate2 model of another family (`model.bin`, its
tokenizer files and `briefing-model.json`: models/families.py). Several may serve one language
pair; builds use the one a setting names, else the Argos package, else the first by name. The
models folder is Argos' own unless another is given; Argos is pointed at it before it is first
imported, so that nothing is written elsewhere.

Builds and installs share the folder through a read-write lock (filelock's, on every platform):
a build finds and uses its models under the shared side, an install or removal swaps packages
under the exclusive side, so a build never sees a package half replaced. Work folders of an
install are hidden (`.incoming-*`) and each is held by a lock file of its own while in use; one
that nobody holds was left by a killed install and is removed by the next install or build.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import shutil
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from filelock import FileLock, ReadWriteLock, Timeout

from briefing.errors import InputError, json_value
from briefing.models.families import DESCRIPTION_NAME, ModelCard, card_as_installed

METADATA_NAME = "metadata.json"
PRIVATE_ARGOS_DIR = ".argos"


@dataclass(frozen=True)
class InstalledModel:
    """One installed model for one language pair, as its metadata.json or briefing-model.json
    describes it (a multilingual model is one of these per pair it serves)."""

    from_code: str
    to_code: str
    package_version: str
    code: str  # translate-en_ja
    path: Path
    size_bytes: int
    card: ModelCard | None = None  # a converted model's; None for an Argos package

    @property
    def pair(self) -> str:
        return f"{self.from_code}→{self.to_code}"

    @property
    def family(self) -> str:
        return self.card.family if self.card else "argos"

    @property
    def name(self) -> str:
        """What a setting chooses it by: the card's name, or the Argos package code."""
        return self.card.name if self.card else self.code

    @property
    def licence(self) -> str:
        return self.card.licence if self.card else ""

    @property
    def non_commercial(self) -> bool:
        return bool(self.card and self.card.non_commercial)


def _env_path(name: str) -> Path | None:
    value = os.environ.get(name)
    return Path(value).expanduser() if value else None


def default_models_dir() -> Path:
    """Argos Translate's own package folder: $ARGOS_PACKAGES_DIR, else $XDG_DATA_HOME/…/packages."""
    configured = _env_path("ARGOS_PACKAGES_DIR")
    if configured is not None:
        return configured.absolute()
    data_home = _env_path("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return (data_home / "argos-translate" / "packages").absolute()


def resolve_models_dir(models_dir: Path | None) -> Path:
    """The models folder: the one the settings name (translation.models_dir), else Argos' own."""
    if models_dir is not None:
        return models_dir.expanduser().absolute()
    return default_models_dir()


@contextlib.contextmanager
def _environment(changes: dict[str, str | None]) -> Iterator[None]:
    saved = {name: os.environ.get(name) for name in changes}
    try:
        for name, value in changes.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _argos_folders(models_dir: Path, private: bool) -> dict[str, Path]:
    if private:
        base = models_dir / PRIVATE_ARGOS_DIR
        homes = {"data": base / "data", "config": base / "config", "cache": base / "cache"}
    else:
        home = Path.home()
        homes = {
            "data": _env_path("XDG_DATA_HOME") or home / ".local" / "share",
            "config": _env_path("XDG_CONFIG_HOME") or home / ".config",
            "cache": _env_path("XDG_CACHE_HOME") or home / ".local" / "cache",
        }
    return {name: folder / "argos-translate" for name, folder in homes.items()}


def configure_argos(models_dir: Path) -> None:
    """Point Argos Translate at `models_dir`, before or after it was first imported.

    Argos reads its folders from the environment when it is imported, and creates them. For any
    folder but Argos' own default, its data, config and cache folders go to `models_dir/.argos`, so
    that nothing is written elsewhere; the environment is changed only while Argos is imported.
    Called again with another folder, it repoints the already imported settings (tests do this).
    """
    models_dir = models_dir.absolute()
    private = models_dir != default_models_dir()
    folders = _argos_folders(models_dir, private)
    if "argostranslate.settings" not in sys.modules:
        changes: dict[str, str | None] = {"ARGOS_PACKAGES_DIR": str(models_dir)}
        if private:
            changes |= {
                "XDG_DATA_HOME": str(folders["data"].parent),
                "XDG_CONFIG_HOME": str(folders["config"].parent),
                "XDG_CACHE_HOME": str(folders["cache"].parent),
            }
        else:
            # An empty XDG variable means "unset"; Argos would make folders in the working dir.
            for name in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME"):
                if os.environ.get(name) == "":
                    changes[name] = None
        with _environment(changes):
            import argostranslate.package  # noqa: F401 - reads and creates its folders now
    from argostranslate import settings

    for folder in (*folders.values(), folders["cache"] / "downloads", models_dir):
        folder.mkdir(parents=True, exist_ok=True)
    settings.data_dir = folders["data"]
    settings.config_dir = folders["config"]
    settings.cache_dir = folders["cache"]
    settings.downloads_dir = folders["cache"] / "downloads"
    settings.settings_file = folders["config"] / "settings.json"
    settings.local_package_index = folders["data"] / "index.json"
    settings.package_data_dir = models_dir
    settings.package_dirs = [models_dir]
    translate = sys.modules.get("argostranslate.translate")
    if translate is not None:
        translate.get_installed_languages.cache_clear()


def version_key(version: str) -> tuple[Any, ...]:
    """Order package versions as Argos does ("1.10" after "1.9"); unparsable ones sort first."""
    from packaging.version import InvalidVersion, Version

    try:
        return (1, Version(version))
    except InvalidVersion:
        return (0, tuple(int(n) for n in re.findall(r"\d+", version)))


def _folder_size(path: Path) -> int:
    total = 0
    for root, _dirs, files in os.walk(path):
        for name in files:
            with contextlib.suppress(OSError):
                total += (Path(root) / name).lstat().st_size
    return total


def read_installed(path: Path) -> list[InstalledModel]:
    """The model in folder `path`, once per language pair it serves; none when it is not a
    readable translation model."""
    size = _folder_size(path)
    description = path / DESCRIPTION_NAME
    if description.is_file():
        try:
            files = [child.name for child in path.iterdir()]
            card = card_as_installed(description.read_bytes(), str(description), files)
        except (OSError, InputError):
            return []
        return [
            InstalledModel(
                card.source, target, card.version, f"translate-{card.source}_{target}", path, size,
                card,
            )
            for target in card.targets
        ]  # fmt: skip
    try:
        metadata = json_value((path / METADATA_NAME).read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, ValueError):
        return []
    if not isinstance(metadata, dict) or metadata.get("type", "translate") != "translate":
        return []
    from_code, to_code = metadata.get("from_code"), metadata.get("to_code")
    if not isinstance(from_code, str) or not isinstance(to_code, str):
        return []
    version = metadata.get("package_version", "")
    return [
        InstalledModel(
            from_code=from_code,
            to_code=to_code,
            package_version=str(version),
            code=f"translate-{from_code}_{to_code}",
            path=path,
            size_bytes=size,
        )
    ]


def installed_models(models_dir: Path) -> list[InstalledModel]:
    """Every model in the folder, per language pair: the Argos package first, then the others
    by name, each name newest first; hidden folders skipped."""
    if not models_dir.is_dir():
        return []
    found = []
    for child in models_dir.iterdir():
        if child.name.startswith(".") or not child.is_dir():
            continue
        found += read_installed(child)
    found.sort(key=lambda m: m.path.name)
    found.sort(key=lambda m: version_key(m.package_version), reverse=True)
    found.sort(key=lambda m: (m.from_code, m.to_code, m.card is not None, m.name))
    return found


def find_model(
    models_dir: Path, from_code: str, to_code: str, name: str | None = None
) -> InstalledModel | None:
    """The model builds use for the pair: the one named (newest version), else the Argos
    package, else the first by name."""
    for model in installed_models(models_dir):
        pair = (model.from_code, model.to_code) == (from_code, to_code)
        if pair and (name is None or model.name == name):
            return model
    return None


def model_identity(model: InstalledModel) -> str:
    """A stable name for the model, e.g. "translate-en_ja@1.1" or "opus-mt-en-jap@2020-01":
    part of every memory key, so that outputs of different models never mix, and named in the
    document's notice."""
    return f"{model.name}@{model.package_version}"


# Sharing the folder between builds and installs ----------------------------------------------

LOCK_NAME = ".briefing-models.lock"
WORK_PREFIXES = (".incoming-", ".download-", ".removing-")
WAIT_NOTICE_S = 0.2  # wait this long for the lock before telling the user that we wait


def _folder_lock(models_dir: Path) -> ReadWriteLock:
    return ReadWriteLock(models_dir / LOCK_NAME, is_singleton=False)


@contextlib.contextmanager
def in_use(models_dir: Path, on_wait: Callable[[], None] | None = None) -> Iterator[None]:
    """Use the models in `models_dir`: installs and removals wait until this ends.

    Any number of builds may hold it at once; each sees one version of every package from
    start to end. Work folders that a killed install left are removed here.
    """
    if not models_dir.is_dir():  # nothing installed, nothing to protect
        yield
        return
    lock = _folder_lock(models_dir)
    try:
        lock.acquire_read(timeout=WAIT_NOTICE_S)
    except Timeout:
        if on_wait is not None:
            on_wait()
        lock.acquire_read()
    try:
        remove_abandoned_work(models_dir)
        yield
    finally:
        lock.release()


@contextlib.contextmanager
def changing(models_dir: Path, on_wait: Callable[[], None] | None = None) -> Iterator[None]:
    """Change what is installed in `models_dir`, once no build is using it; alone."""
    models_dir.mkdir(parents=True, exist_ok=True)
    lock = _folder_lock(models_dir)
    try:
        lock.acquire_write(timeout=WAIT_NOTICE_S)
    except Timeout:
        if on_wait is not None:
            on_wait()
        lock.acquire_write()
    try:
        yield
    finally:
        lock.release()


@contextlib.contextmanager
def work_folder(models_dir: Path, prefix: str = ".incoming-") -> Iterator[Path]:
    """A hidden folder in `models_dir` to work in, removed afterwards however this ends.

    Its lock file (beside it) is held before the folder exists and until it is gone, so
    `remove_abandoned_work` never takes a folder that is still in use.
    """
    models_dir.mkdir(parents=True, exist_ok=True)
    folder = models_dir / f"{prefix}{secrets.token_hex(6)}"
    owner = FileLock(f"{folder}.lock")
    try:
        with owner:
            folder.mkdir()
            try:
                yield folder
            finally:
                shutil.rmtree(folder, ignore_errors=True)
    finally:
        with contextlib.suppress(OSError):
            os.unlink(owner.lock_file)


def remove_abandoned_work(models_dir: Path) -> list[str]:
    """Remove the work folders of installs and removals that were killed; their names."""
    removed = []
    for path in sorted(models_dir.iterdir()):
        if not path.name.startswith(WORK_PREFIXES):
            continue
        folder = path.with_name(path.name[: -len(".lock")]) if path.suffix == ".lock" else path
        if path.suffix == ".lock" and folder.exists():
            continue  # handled with its folder
        owner = FileLock(f"{folder}.lock")
        try:
            owner.acquire(timeout=0)
        except Timeout:
            continue  # still in use
        try:
            if folder.exists():
                shutil.rmtree(folder, ignore_errors=True)
                removed.append(folder.name)
        finally:
            owner.release()
            with contextlib.suppress(OSError):
                os.unlink(owner.lock_file)
    return removed
