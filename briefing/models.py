"""Translation models: where they live, which are installed, and installing them safely.

A model is an Argos Translate package (`.argosmodel`): a zip holding one folder with
`metadata.json`, a CTranslate2 model in `model/` and a tokenizer. Package files come from others,
so each is checked completely before a single byte is extracted (member paths, links, sizes and
compression ratios, required files, the languages its metadata claims), extracted by this module
into a hidden staging folder inside the models folder, loaded once with Argos and CTranslate2, and
only then renamed into place. Nothing is written outside the models folder.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import stat
import sys
import tempfile
import urllib.error
import urllib.parse
import urllib.request
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.client import HTTPException
from pathlib import Path
from typing import Any

from briefing import __version__
from briefing.errors import BriefingError, InputError
from briefing.languages import SOURCE_LANGUAGE

MODELS_DIR_ENV = "BRIEFING_MODELS_DIR"
INDEX_URL_ENV = "BRIEFING_MODELS_INDEX"
DEFAULT_INDEX_URL = "https://raw.githubusercontent.com/argosopentech/argospm-index/main/index.json"
METADATA_NAME = "metadata.json"
TOKENIZER_NAMES = ("sentencepiece.model", "bpe.model")
MODEL_FILES = ("model/model.bin", "model/config.json")
PRIVATE_ARGOS_DIR = ".argos"
NETWORK_TIMEOUT_S = 30.0
MAX_INDEX_BYTES = 32 * 1024**2
CHUNK = 1024**2

# A language code as Argos uses them (ja, ko, zt, pt-BR); it also becomes part of a folder name.
CODE_RE = re.compile(r"^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})?$")
VERSION_RE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z.+-]{0,31}$")
# "translate-en_ja" in a file name, a package code or a download link.
PAIR_IN_NAME_RE = re.compile(r"translate-([a-z]{2,3})_([a-z]{2,3})(?![a-z])", re.IGNORECASE)
DRIVE_RE = re.compile(r"^[A-Za-z]:")


@dataclass(frozen=True)
class PackageLimits:
    """Bounds on what a package may unpack to; anything beyond is refused as a zip bomb."""

    max_unpacked_bytes: int = 2 * 1024**3
    max_ratio: float = 200.0
    ratio_min_bytes: int = 1024**2
    max_members: int = 1000
    max_metadata_bytes: int = 1024**2


DEFAULT_LIMITS = PackageLimits()


class ModelSourceUnavailable(BriefingError):
    """The model index or a download cannot be reached or read; a package file still installs."""

    exit_code = 1


@dataclass(frozen=True)
class InstalledModel:
    """One installed package, as its metadata.json describes it."""

    from_code: str
    to_code: str
    package_version: str
    code: str
    path: Path
    size_bytes: int

    @property
    def pair(self) -> str:
        return f"{self.from_code}→{self.to_code}"


@dataclass(frozen=True)
class CheckedPackage:
    """What the checks found in a package file that passed them."""

    source: str
    top: str
    from_code: str
    to_code: str
    package_version: str
    unpacked_bytes: int
    members: list[zipfile.ZipInfo] = field(repr=False)

    @property
    def folder_name(self) -> str:
        version = self.package_version.replace(".", "_")
        return f"translate-{self.from_code}_{self.to_code}-{version}"


@dataclass(frozen=True)
class InstallOutcome:
    model: InstalledModel
    replaced: list[InstalledModel]
    already_installed: bool = False


# Where models live ---------------------------------------------------------------------------


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


def resolve_models_dir(models_dir: Path | None = None) -> Path:
    """The models folder: the one given, else $BRIEFING_MODELS_DIR, else Argos' own."""
    if models_dir is not None:
        return models_dir.expanduser().absolute()
    return (_env_path(MODELS_DIR_ENV) or default_models_dir()).absolute()


def index_url(url: str | None = None) -> str:
    """The package index: the one given, else $BRIEFING_MODELS_INDEX, else Argos' public index."""
    return url or os.environ.get(INDEX_URL_ENV) or DEFAULT_INDEX_URL


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


# What is installed ---------------------------------------------------------------------------


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


def read_installed(path: Path) -> InstalledModel | None:
    """The package in folder `path`, or None when it is not a readable translation package."""
    try:
        metadata = json.loads((path / METADATA_NAME).read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, ValueError):
        return None
    if not isinstance(metadata, dict) or metadata.get("type", "translate") != "translate":
        return None
    from_code, to_code = metadata.get("from_code"), metadata.get("to_code")
    if not isinstance(from_code, str) or not isinstance(to_code, str):
        return None
    version = metadata.get("package_version", "")
    return InstalledModel(
        from_code=from_code,
        to_code=to_code,
        package_version=str(version),
        code=f"translate-{from_code}_{to_code}",
        path=path,
        size_bytes=_folder_size(path),
    )


def installed_models(models_dir: Path) -> list[InstalledModel]:
    """Every package in the folder, by language pair then newest first; hidden folders skipped."""
    if not models_dir.is_dir():
        return []
    found = []
    for child in models_dir.iterdir():
        if child.name.startswith(".") or not child.is_dir():
            continue
        model = read_installed(child)
        if model is not None:
            found.append(model)
    found.sort(key=lambda m: (m.from_code, m.to_code, m.path.name))
    found.sort(key=lambda m: version_key(m.package_version), reverse=True)
    found.sort(key=lambda m: (m.from_code, m.to_code))
    return found


def find_model(models_dir: Path, from_code: str, to_code: str) -> InstalledModel | None:
    """The installed package for the pair, the newest version if there are several."""
    for model in installed_models(models_dir):
        if (model.from_code, model.to_code) == (from_code, to_code):
            return model
    return None


def model_identity(model: InstalledModel) -> str:
    """A stable name for the model, e.g. "translate-en_ja@1.1": memory key and document notice."""
    return f"{model.code}@{model.package_version}"


# Checking a package file ---------------------------------------------------------------------


def _refuse(source: str, reason: str) -> InputError:
    return InputError(f"{source}: refused: {reason}")


def _name_problem(name: str) -> str | None:
    """Why a member name could write outside the package folder, or None when it cannot."""
    shown = repr(name)
    if not name:
        return "a member has an empty name"
    if "\\" in name:
        return f"member {shown} has a backslash in its path"
    if any(ord(c) < 32 or ord(c) == 127 for c in name):
        return f"member {shown} has control characters in its name"
    if name.startswith("/"):
        return f"member {shown} has an absolute path"
    if DRIVE_RE.match(name):
        return f"member {shown} has a drive letter"
    parts = name[:-1].split("/") if name.endswith("/") else name.split("/")
    if ".." in parts:
        return f"member {shown} climbs out of the package folder with '..'"
    if any(part in ("", ".") for part in parts):
        return f"member {shown} has an empty or '.' path component"
    return None


def _type_problem(info: zipfile.ZipInfo) -> str | None:
    mode = info.external_attr >> 16
    kind = stat.S_IFMT(mode)
    if stat.S_ISLNK(mode):
        return f"member {info.filename!r} is a symbolic link"
    if kind and kind not in (stat.S_IFREG, stat.S_IFDIR):
        return f"member {info.filename!r} is a special file, not a file or folder"
    if info.flag_bits & 0x1:
        return f"member {info.filename!r} is encrypted"
    if info.compress_type not in (
        zipfile.ZIP_STORED,
        zipfile.ZIP_DEFLATED,
        zipfile.ZIP_BZIP2,
        zipfile.ZIP_LZMA,
    ):
        return f"member {info.filename!r} uses an unknown compression method"
    return None


def _pair_in_name(name: str) -> tuple[str, str] | None:
    match = PAIR_IN_NAME_RE.search(name)
    return (match.group(1).lower(), match.group(2).lower()) if match else None


def _check_metadata(
    source: str, raw: bytes, expected_target: str | None, file_name: str
) -> tuple[str, str, str]:
    try:
        metadata = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as error:
        raise _refuse(source, f"metadata.json is not valid JSON ({error})") from None
    if not isinstance(metadata, dict):
        raise _refuse(source, "metadata.json is not a JSON object")
    kind = metadata.get("type", "translate")
    if kind != "translate":
        raise _refuse(source, f"metadata.json says type {kind!r}; a translation package is needed")
    codes = {}
    for key in ("from_code", "to_code"):
        value = metadata.get(key)
        if not isinstance(value, str) or not CODE_RE.match(value):
            raise _refuse(source, f"metadata.json has no usable {key} (found {value!r})")
        codes[key] = value
    from_code, to_code = codes["from_code"], codes["to_code"]
    claimed = f"{from_code}→{to_code}"
    if from_code != SOURCE_LANGUAGE:
        raise _refuse(
            source,
            f"metadata.json says {claimed}; briefing translates from English "
            f"({SOURCE_LANGUAGE}→…) only",
        )
    if to_code == from_code:
        raise _refuse(source, f"metadata.json says {claimed}, a language into itself")
    if expected_target is not None and to_code != expected_target:
        raise _refuse(
            source,
            f"metadata.json says {claimed} but {SOURCE_LANGUAGE}→{expected_target} was asked for",
        )
    named = _pair_in_name(file_name)
    if named is not None and named != (from_code, to_code):
        raise _refuse(
            source, f"the file name says {named[0]}→{named[1]} but metadata.json says {claimed}"
        )
    code = metadata.get("code")
    if isinstance(code, str):
        in_code = _pair_in_name(code)
        if in_code is not None and in_code != (from_code, to_code):
            raise _refuse(
                source, f"metadata.json's code {code!r} contradicts its languages {claimed}"
            )
    version = str(metadata.get("package_version", "0") or "0")
    if not VERSION_RE.match(version):
        raise _refuse(source, f"metadata.json has an unusable package_version {version!r}")
    return from_code, to_code, version


def check_package(
    path: Path,
    expected_target: str | None = None,
    limits: PackageLimits = DEFAULT_LIMITS,
    source: str | None = None,
    file_name: str | None = None,
) -> CheckedPackage:
    """Check a package file completely without extracting anything; InputError says why not.

    `expected_target` is the language asked for when installing by code; `source` names the
    package in messages (a URL for downloads); `file_name` is the name whose languages must agree
    with the metadata (defaults to the file's own name).
    """
    label = source or str(path)
    if not path.is_file():
        raise InputError(f"{label}: no such file")
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError):
        raise _refuse(label, "not a zip archive (an Argos package is a .argosmodel zip)") from None
    with archive:
        infos = archive.infolist()
        if not infos:
            raise _refuse(label, "the zip archive is empty")
        if len(infos) > limits.max_members:
            raise _refuse(
                label, f"{len(infos)} members, more than the limit of {limits.max_members}"
            )
        tops: set[str] = set()
        files: dict[str, zipfile.ZipInfo] = {}
        folders: set[str] = set()
        seen: set[str] = set()
        total = 0
        for info in infos:
            name = info.filename
            problem = _name_problem(name) or _type_problem(info)
            if problem:
                raise _refuse(label, problem)
            is_dir = name.endswith("/") or stat.S_ISDIR(info.external_attr >> 16)
            parts = name.rstrip("/").split("/")
            key = "/".join(parts)
            if key in seen:
                raise _refuse(label, f"member {name!r} appears twice")
            seen.add(key)
            tops.add(parts[0])
            if len(parts) == 1 and not is_dir:
                raise _refuse(label, f"member {name!r} is not inside the package folder")
            folders.update("/".join(parts[:i]) for i in range(1, len(parts)))
            if is_dir:
                folders.add(key)
                continue
            files[key] = info
            total += info.file_size
            if total > limits.max_unpacked_bytes:
                raise _refuse(
                    label,
                    f"it would unpack to more than {limits.max_unpacked_bytes} bytes "
                    "(the size limit; a zip bomb?)",
                )
            ratio = info.file_size / max(info.compress_size, 1)
            if info.file_size > limits.ratio_min_bytes and ratio > limits.max_ratio:
                raise _refuse(
                    label,
                    f"member {name!r} would expand {ratio:.0f}:1 ({info.compress_size} → "
                    f"{info.file_size} bytes), beyond the {limits.max_ratio:.0f}:1 limit "
                    "(a zip bomb?)",
                )
        if len(tops) != 1:
            raise _refuse(
                label,
                f"the zip holds {len(tops)} top-level entries ({', '.join(sorted(tops)[:5])}); "
                "an Argos package holds exactly one folder",
            )
        clash = sorted(set(files) & folders)
        if clash:
            raise _refuse(label, f"member {clash[0]!r} is both a file and a folder")
        (top,) = tops
        metadata = files.get(f"{top}/{METADATA_NAME}")
        if metadata is None:
            raise _refuse(label, f"no metadata.json in the package folder {top}/")
        missing_model = [name for name in MODEL_FILES if f"{top}/{name}" not in files]
        if missing_model:
            raise _refuse(
                label,
                f"no CTranslate2 model (missing {', '.join(missing_model)} in {top}/)",
            )
        if not any(f"{top}/{name}" in files for name in TOKENIZER_NAMES):
            raise _refuse(
                label, f"no tokenizer ({' or '.join(TOKENIZER_NAMES)}) in the package folder"
            )
        if metadata.file_size > limits.max_metadata_bytes:
            raise _refuse(label, f"metadata.json is {metadata.file_size} bytes, too large")
        try:
            raw = archive.read(metadata)
        except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError) as error:
            raise _refuse(label, f"the zip archive is damaged ({error})") from None
    from_code, to_code, version = _check_metadata(
        label, raw, expected_target, file_name or path.name
    )
    return CheckedPackage(
        source=label,
        top=top,
        from_code=from_code,
        to_code=to_code,
        package_version=version,
        unpacked_bytes=total,
        members=infos,
    )


# Installing ----------------------------------------------------------------------------------


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
                    raise _refuse(checked.source, f"member {info.filename!r} leaves the folder")
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
                            raise _refuse(
                                checked.source,
                                f"member {info.filename!r} unpacks to more than it declares",
                            )
                        output.write(chunk)
                os.chmod(destination, 0o644)
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError) as error:
        raise _refuse(checked.source, f"the zip archive is damaged ({error})") from None


def _prove_loads(folder: Path, checked: CheckedPackage) -> None:
    """Load the package with Argos and CTranslate2 and translate two words, or say why not."""
    import ctranslate2
    from argostranslate.package import Package

    try:
        package = Package(folder)
        if (package.from_code, package.to_code) != (checked.from_code, checked.to_code):
            raise _refuse(checked.source, "Argos reads other languages from it than checked")
        tokenizer = getattr(package, "tokenizer", None)
        if tokenizer is None:
            raise _refuse(checked.source, "Argos finds no tokenizer in it")
        tokens = tokenizer.encode("Good morning.")
        translator = ctranslate2.Translator(str(folder / "model"), device="cpu")
        results = translator.translate_batch([tokens], beam_size=1, max_decoding_length=8)
        tokenizer.decode(results[0].hypotheses[0])
        del translator
    except InputError:
        raise
    except Exception as error:  # noqa: BLE001 - any failure to load means the package is unusable
        raise _refuse(
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
    model = read_installed(final)
    if model is None:  # pragma: no cover - the checks above make this unreachable
        raise BriefingError(f"{final}: the installed package cannot be read back")
    return InstallOutcome(model, older)


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


# Downloading ---------------------------------------------------------------------------------

Progress = Callable[[int, "int | None"], None]


@dataclass(frozen=True)
class IndexEntry:
    from_code: str
    to_code: str
    package_version: str
    url: str


def _no_network(what: str, url: str, error: object) -> ModelSourceUnavailable:
    return ModelSourceUnavailable(
        f"cannot reach {what} at {url} (no network? {error}); install from a file instead: "
        "briefing models install FILE.argosmodel"
    )


def _open(url: str, what: str) -> Any:
    scheme = urllib.parse.urlsplit(url).scheme.lower()
    if scheme not in ("http", "https"):
        raise InputError(f"{url}: {what} must be an http or https address")
    request = urllib.request.Request(url, headers={"User-Agent": f"briefing/{__version__}"})
    try:
        return urllib.request.urlopen(request, timeout=NETWORK_TIMEOUT_S)
    except urllib.error.HTTPError as error:
        raise ModelSourceUnavailable(
            f"{what} at {url} answered HTTP {error.code} {error.reason}"
        ) from None
    except urllib.error.URLError as error:
        raise _no_network(what, url, error.reason) from None
    except (OSError, HTTPException) as error:
        raise _no_network(what, url, error) from None


def _read_limited(response: Any, url: str, what: str, limit: int) -> bytes:
    try:
        data = response.read(limit + 1)
    except (OSError, HTTPException) as error:
        raise _no_network(what, url, error) from None
    if len(data) > limit:
        raise ModelSourceUnavailable(f"{what} at {url} is larger than {limit} bytes")
    return data


def fetch_index(url: str) -> list[dict[str, Any]]:
    """The package index at `url` (Argos format: a JSON list of package descriptions)."""
    what = "the model index"
    with _open(url, what) as response:
        data = _read_limited(response, url, what, MAX_INDEX_BYTES)
    try:
        index = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as error:
        raise ModelSourceUnavailable(
            f"the model index at {url} is not valid JSON ({error})"
        ) from None
    if not isinstance(index, list):
        raise ModelSourceUnavailable(f"the model index at {url} is not a list of packages")
    return [entry for entry in index if isinstance(entry, dict)]


def choose_entry(index: list[dict[str, Any]], to_code: str, url: str) -> IndexEntry:
    """The newest English→`to_code` translation package in the index."""
    candidates = []
    for entry in index:
        links = entry.get("links")
        if (
            entry.get("from_code") == SOURCE_LANGUAGE
            and entry.get("to_code") == to_code
            and entry.get("type", "translate") == "translate"
            and isinstance(links, list)
            and links
            and isinstance(links[0], str)
        ):
            version = str(entry.get("package_version", "0") or "0")
            candidates.append(IndexEntry(SOURCE_LANGUAGE, to_code, version, links[0]))
    if not candidates:
        raise InputError(
            f"the model index at {url} has no {SOURCE_LANGUAGE}→{to_code} package; "
            "check the language code, or install from a file: briefing models install "
            "FILE.argosmodel"
        )
    return max(candidates, key=lambda c: version_key(c.package_version))


def download(url: str, destination: Path, limit: int, progress: Progress | None = None) -> None:
    """Download `url` to `destination`, at most `limit` bytes, reporting (done, total) bytes."""
    what = "the model download"
    with _open(url, what) as response:
        length = response.headers.get("Content-Length")
        total = int(length) if length and length.isdigit() else None
        if total is not None and total > limit:
            raise _refuse(url, f"the download is {total} bytes, more than the {limit} byte limit")
        done = 0
        if progress:
            progress(0, total)
        with open(destination, "xb") as output:
            while True:
                try:
                    chunk = response.read(CHUNK)
                except (OSError, HTTPException) as error:
                    raise _no_network(what, url, error) from None
                if not chunk:
                    break
                done += len(chunk)
                if done > limit:
                    raise _refuse(url, f"the download exceeds the {limit} byte limit")
                output.write(chunk)
                if progress:
                    progress(done, total)
    if total is not None and done != total:
        raise ModelSourceUnavailable(
            f"the download of {url} broke off after {done} of {total} bytes"
        )


def _download_name(url: str) -> str:
    name = Path(urllib.parse.unquote(urllib.parse.urlsplit(url).path)).name
    name = re.sub(r"[^A-Za-z0-9._-]", "_", name)[:100].lstrip(".")
    return name or "package.argosmodel"


def install_code(
    to_code: str,
    models_dir: Path,
    url: str | None = None,
    limits: PackageLimits = DEFAULT_LIMITS,
    progress: Callable[[IndexEntry], Progress | None] | None = None,
    force: bool = False,
) -> InstallOutcome:
    """Download the newest English→`to_code` package from the index, check it, install it.

    `progress(entry)` may return a callback that receives (bytes done, total bytes or None).
    """
    if not CODE_RE.match(to_code):
        raise InputError(f"{to_code!r} is not a language code such as ja or ko")
    if to_code == SOURCE_LANGUAGE:
        raise InputError(f"{to_code} is the source language; name a target language such as ja")
    address = index_url(url)
    entry = choose_entry(fetch_index(address), to_code, address)
    installed = find_model(models_dir, SOURCE_LANGUAGE, to_code)
    if (
        installed is not None
        and not force
        and version_key(installed.package_version) >= version_key(entry.package_version)
    ):
        return InstallOutcome(installed, [], already_installed=True)
    models_dir.mkdir(parents=True, exist_ok=True)
    workspace = Path(tempfile.mkdtemp(prefix=".download-", dir=models_dir))
    try:
        name = _download_name(entry.url)
        file = workspace / name
        # A stored zip is slightly larger than its contents.
        download(
            entry.url,
            file,
            limits.max_unpacked_bytes + limits.max_unpacked_bytes // 10 + CHUNK,
            progress(entry) if progress else None,
        )
        return install_file(file, models_dir, to_code, limits, source=entry.url, file_name=name)
    finally:
        shutil.rmtree(workspace, ignore_errors=True)
