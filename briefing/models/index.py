"""The online package index and downloads: finding the newest package for a language.

The index and downloads are size-limited and time-limited; when they cannot be reached the
error says so and points at installing from a file, which needs no network.
"""

from __future__ import annotations

import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from http.client import HTTPException
from pathlib import Path
from typing import Any

from briefing import __version__
from briefing.errors import BriefingError, InputError, json_value
from briefing.languages import SOURCE_LANGUAGE
from briefing.models.archive import CHUNK
from briefing.models.check import CODE_RE, DEFAULT_LIMITS, PackageLimits, refuse
from briefing.models.install import InstallOutcome, install_file
from briefing.models.store import find_model, version_key, work_folder

DEFAULT_INDEX_URL = "https://raw.githubusercontent.com/argosopentech/argospm-index/main/index.json"
NETWORK_TIMEOUT_S = 30.0
MAX_INDEX_BYTES = 32 * 1024**2


class ModelSourceUnavailable(BriefingError):
    """The model index or a download cannot be reached or read; a package file still installs."""

    exit_code = 1


# Downloading ---------------------------------------------------------------------------------

DownloadProgress = Callable[[int, "int | None"], None]


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
        index = json_value(data.decode("utf-8-sig"))
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


def download(
    url: str, destination: Path, limit: int, progress: DownloadProgress | None = None
) -> None:
    """Download `url` to `destination`, at most `limit` bytes, reporting (done, total) bytes."""
    what = "the model download"
    with _open(url, what) as response:
        length = response.headers.get("Content-Length")
        total = int(length) if length and length.isdigit() else None
        if total is not None and total > limit:
            raise refuse(url, f"the download is {total} bytes, more than the {limit} byte limit")
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
                    raise refuse(url, f"the download exceeds the {limit} byte limit")
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
    progress: Callable[[IndexEntry], DownloadProgress | None] | None = None,
    force: bool = False,
    on_wait: Callable[[], None] | None = None,
) -> InstallOutcome:
    """Download the newest English→`to_code` package from the index at `url` (the setting
    translation.models_index; None: Argos' public index), check it, install it.

    `progress(entry)` may return a callback that receives (bytes done, total bytes or None).
    """
    if not CODE_RE.match(to_code):
        raise InputError(f"{to_code!r} is not a language code such as ja or ko")
    if to_code == SOURCE_LANGUAGE:
        raise InputError(f"{to_code} is the source language; name a target language such as ja")
    address = url or DEFAULT_INDEX_URL
    entry = choose_entry(fetch_index(address), to_code, address)
    # The index holds Argos packages: other models of the pair are no reason to skip it.
    installed = find_model(
        models_dir, SOURCE_LANGUAGE, to_code, f"translate-{SOURCE_LANGUAGE}_{to_code}"
    )
    if (
        installed is not None
        and not force
        and version_key(installed.package_version) >= version_key(entry.package_version)
    ):
        return InstallOutcome(installed, [], already_installed=True)
    models_dir.mkdir(parents=True, exist_ok=True)
    with work_folder(models_dir, ".download-") as workspace:
        name = _download_name(entry.url)
        file = workspace / name
        # A stored zip is slightly larger than its contents.
        download(
            entry.url,
            file,
            limits.max_unpacked_bytes + limits.max_unpacked_bytes // 10 + CHUNK,
            progress(entry) if progress else None,
        )
        return install_file(
            file,
            models_dir,
            to_code,
            limits,
            source=entry.url,
            file_name=name,
            force=force,
            on_wait=on_wait,
        )
