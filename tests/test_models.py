"""Model management: installing, listing and removing Argos packages, and refusing unsafe ones.

Packages are the tiny real ones in tests/fixtures/argos (random weights: installing does not
depend on what a model says), or variants of them built here (extra members, lying metadata,
zip bombs). Downloads come from a loopback HTTP server of the test's own.
"""

from __future__ import annotations

import http.server
import json
import socket
import stat
import threading
import zipfile
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pytest
from rich.filesize import decimal

from briefing import models
from briefing.errors import InputError
from briefing.models.store import LOCK_NAME
from tests.conftest import TINY_PACKAGES, Result, invoke, run_cli

JA_TOP = "translate-en_ja-0_1"


def listing(root: Path) -> set[str]:
    """Every path under `root`, relative, for before/after comparisons."""
    return {str(p.relative_to(root)) for p in root.rglob("*")} if root.exists() else set()


def package_folders(models_dir: Path) -> list[str]:
    """What the models folder holds, but the lock that builds and installs share."""
    if not models_dir.exists():
        return []
    return sorted(p.name for p in models_dir.iterdir() if p.name != LOCK_NAME)


def folder_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def tiny_members(lang: str = "ja") -> list[tuple[zipfile.ZipInfo, bytes]]:
    with zipfile.ZipFile(TINY_PACKAGES[lang]) as archive:
        return [(info, archive.read(info)) for info in archive.infolist()]


def write_zip(path: Path, members: Sequence[tuple[zipfile.ZipInfo | str, bytes]]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for info, data in members:
            archive.writestr(info, data)
    return path


def variant(
    path: Path,
    *,
    drop: Callable[[str], bool] = lambda name: False,
    extra: list[tuple[zipfile.ZipInfo | str, bytes]] | None = None,
    metadata: dict[str, object] | None = None,
    top: str | None = None,
    lang: str = "ja",
) -> Path:
    """The tiny package rewritten: members dropped or added, metadata changed, folder renamed."""
    members: list[tuple[zipfile.ZipInfo | str, bytes]] = []
    for info, data in tiny_members(lang):
        if drop(info.filename):
            continue
        name = info.filename
        if metadata is not None and name.endswith("/metadata.json"):
            data = json.dumps({**json.loads(data), **metadata}).encode()
        if top is not None:
            name = top + name[name.index("/") :]
        members.append((name, data))
    return write_zip(path, members + (extra or []))


@pytest.fixture
def models_dir(tmp_path: Path) -> Path:
    return tmp_path / "models"


# Install, list, remove -----------------------------------------------------------------------


def test_install_list_remove_from_files(isolated_home: Path, models_dir: Path) -> None:
    home_before = listing(isolated_home)
    result = invoke(
        "models",
        "install",
        str(TINY_PACKAGES["ja"]),
        str(TINY_PACKAGES["ko"]),
        "--models-dir",
        str(models_dir),
    )
    assert result.returncode == 0, result.output
    assert "installed en→ja 0.1" in result.output
    assert "installed en→ko 0.1" in result.output

    listed = invoke("models", "list", "--models-dir", str(models_dir))
    assert listed.returncode == 0, listed.output
    for lang in ("ja", "ko"):
        folder = models_dir / f"translate-en_{lang}-0_1"
        assert (folder / "model" / "model.bin").is_file()
        row = next(line for line in listed.output.splitlines() if f"en→{lang}" in line)
        assert "0.1" in row
        assert decimal(folder_size(folder)) in row

    removed = invoke("models", "remove", "ja", "--models-dir", str(models_dir))
    assert removed.returncode == 0, removed.output
    assert "removed en→ja 0.1" in removed.output
    listed = invoke("models", "list", "--models-dir", str(models_dir))
    assert "en→ko" in listed.output
    assert "en→ja" not in listed.output
    assert [p for p in package_folders(models_dir) if not p.startswith(".")] == [
        "translate-en_ko-0_1"
    ]
    assert listing(isolated_home) == home_before


def test_list_empty_says_where_and_how_to_install(isolated_home: Path, models_dir: Path) -> None:
    result = invoke("models", "list", "--models-dir", str(models_dir))
    assert result.returncode == 0
    assert f"no models installed in {models_dir}" in result.output
    assert "briefing models install ja ko" in result.output
    assert not models_dir.exists()


def test_remove_a_model_that_is_not_installed(isolated_home: Path, models_dir: Path) -> None:
    result = invoke("models", "remove", "ja", "--models-dir", str(models_dir))
    assert result.returncode == 2
    assert f"no en→ja model is installed in {models_dir}" in result.output


def test_find_model_and_identity(isolated_home: Path, models_dir: Path) -> None:
    assert models.find_model(models_dir, "en", "ja") is None
    models.install_file(TINY_PACKAGES["ja"], models_dir)
    found = models.find_model(models_dir, "en", "ja")
    assert found is not None
    assert found.path == models_dir / JA_TOP
    assert (found.package_version, found.size_bytes) == ("0.1", folder_size(found.path))
    assert models.model_identity(found) == "translate-en_ja@0.1"
    assert models.find_model(models_dir, "en", "ko") is None


def test_find_model_prefers_the_newest_of_several(isolated_home: Path, models_dir: Path) -> None:
    models.install_file(TINY_PACKAGES["ja"], models_dir)
    for version in ("0.10", "0.9"):
        copy = models_dir / f"translate-en_ja-{version.replace('.', '_')}"
        copy.mkdir()
        metadata = json.loads((models_dir / JA_TOP / "metadata.json").read_text())
        (copy / "metadata.json").write_text(json.dumps({**metadata, "package_version": version}))
    (models_dir / ".incoming-x").mkdir()
    (models_dir / ".incoming-x" / "metadata.json").write_text(
        json.dumps({"from_code": "en", "to_code": "ja", "package_version": "9.0"})
    )
    found = models.find_model(models_dir, "en", "ja")
    assert found is not None
    assert found.package_version == "0.10"
    assert [m.package_version for m in models.installed_models(models_dir)] == [
        "0.10",
        "0.9",
        "0.1",
    ]


def test_a_newer_version_replaces_the_older(
    isolated_home: Path, models_dir: Path, tmp_path: Path
) -> None:
    models.install_file(TINY_PACKAGES["ja"], models_dir)
    newer = variant(
        tmp_path / "translate-en_ja-0_2.argosmodel",
        metadata={"package_version": "0.2"},
        top="translate-en_ja-0_2",
    )
    result = invoke("models", "install", str(newer), "--models-dir", str(models_dir))
    assert result.returncode == 0, result.output
    assert "replaced en→ja 0.1" in result.output
    assert package_folders(models_dir) == [".argos", "translate-en_ja-0_2"]


def test_reinstalling_the_same_version_keeps_one_copy(
    isolated_home: Path, models_dir: Path
) -> None:
    for _ in range(2):
        result = invoke(
            "models", "install", str(TINY_PACKAGES["ja"]), "--models-dir", str(models_dir)
        )
        assert result.returncode == 0, result.output
    assert package_folders(models_dir) == [".argos", JA_TOP]


def test_models_dir_from_environment_and_default(
    isolated_home: Path, models_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    default = isolated_home / "xdg_data_home" / "argos-translate" / "packages"
    assert models.resolve_models_dir(None) == default
    assert models.resolve_models_dir(Path("elsewhere")) == Path("elsewhere").absolute()
    # The variable is a setting: the command reads it through the settings, the store never.
    monkeypatch.setenv("BRIEFING_MODELS_DIR", str(models_dir))
    assert models.resolve_models_dir(None) == default
    result = invoke("models", "install", str(TINY_PACKAGES["ko"]))
    assert result.returncode == 0, result.output
    assert (models_dir / "translate-en_ko-0_1" / "metadata.json").is_file()
    assert not default.exists()


def test_argos_follows_the_models_dir_within_one_process(
    isolated_home: Path, tmp_path: Path
) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    models.install_file(TINY_PACKAGES["ja"], first)
    models.install_file(TINY_PACKAGES["ko"], second)
    from argostranslate import package, settings

    for folder, lang in ((first, "ja"), (second, "ko"), (first, "ja")):
        models.configure_argos(folder)
        assert settings.package_data_dir == folder
        assert settings.downloads_dir.is_relative_to(folder / ".argos")
        assert settings.package_dirs == [folder]
        installed = models.find_model(folder, "en", lang)
        assert installed is not None
        assert package.Package(installed.path).to_code == lang
    assert listing(isolated_home) == set()


# Refusals ------------------------------------------------------------------------------------


def symlink_member() -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(f"{JA_TOP}/passwd")
    info.create_system = 3
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    return info


def not_a_zip(path: Path) -> Path:
    path.write_bytes(b"PK\x03\x04 but no archive follows")
    return path


def zeros_member(size: int) -> tuple[str, bytes]:
    return f"{JA_TOP}/model/padding.bin", bytes(size)


REFUSALS: dict[str, tuple[Callable[[Path], Path], str]] = {
    "dot-dot member": (
        lambda d: variant(d / "p.argosmodel", extra=[("../evil.txt", b"x")]),
        "climbs out of the package folder",
    ),
    "nested dot-dot member": (
        lambda d: variant(d / "p.argosmodel", extra=[(f"{JA_TOP}/model/../../../evil", b"x")]),
        "climbs out of the package folder",
    ),
    "absolute member": (
        lambda d: variant(d / "p.argosmodel", extra=[("/tmp/evil.txt", b"x")]),
        "absolute path",
    ),
    "drive letter member": (
        lambda d: variant(d / "p.argosmodel", extra=[("C:/evil.txt", b"x")]),
        "drive letter",
    ),
    "backslash member": (
        lambda d: variant(d / "p.argosmodel", extra=[(f"{JA_TOP}\\..\\..\\evil", b"x")]),
        "backslash",
    ),
    "symlink member": (
        lambda d: variant(d / "p.argosmodel", extra=[(symlink_member(), b"/etc/passwd")]),
        "symbolic link",
    ),
    "two top-level folders": (
        lambda d: variant(d / "p.argosmodel", extra=[("other/readme.txt", b"x")]),
        "exactly one folder",
    ),
    "no model": (
        lambda d: variant(d / "p.argosmodel", drop=lambda n: "/model/" in n),
        "no CTranslate2 model",
    ),
    "no tokenizer": (
        lambda d: variant(d / "p.argosmodel", drop=lambda n: n.endswith("sentencepiece.model")),
        "no tokenizer",
    ),
    "no metadata": (
        lambda d: variant(d / "p.argosmodel", drop=lambda n: n.endswith("metadata.json")),
        "no metadata.json",
    ),
    "metadata not json": (
        lambda d: write_zip(
            d / "p.argosmodel",
            [(n, b"{not json" if n.endswith("metadata.json") else data) for n, data in members()],
        ),
        "metadata.json is not valid JSON",
    ),
    "file name says ja, metadata says ko": (
        lambda d: variant(d / "translate-en_ja-1_0.argosmodel", lang="ko"),
        "the file name says en→ja but metadata.json says en→ko",
    ),
    "metadata code contradicts languages": (
        lambda d: variant(d / "p.argosmodel", metadata={"to_code": "ko"}, top="package"),
        "contradicts its languages en→ko",
    ),
    "not from English": (
        lambda d: variant(d / "p.argosmodel", metadata={"from_code": "de", "code": "x"}),
        "briefing translates from English",
    ),
    "not a translation package": (
        lambda d: variant(d / "p.argosmodel", metadata={"type": "sbd"}),
        "a translation package is needed",
    ),
    "zip bomb by ratio": (
        lambda d: variant(d / "p.argosmodel", extra=[zeros_member(8 * 1024**2)]),
        "beyond the 200:1 limit",
    ),
    "not a zip": (
        lambda d: not_a_zip(d / "p.argosmodel"),
        "not a zip archive",
    ),
    "model that does not load": (
        lambda d: write_zip(
            d / "p.argosmodel",
            [(n, b"garbage" if n.endswith("model.bin") else data) for n, data in members()],
        ),
        "does not load as a model",
    ),
}


def members() -> list[tuple[str, bytes]]:
    return [(info.filename, data) for info, data in tiny_members()]


@pytest.mark.parametrize("case", sorted(REFUSALS))
def test_unsafe_or_broken_packages_are_refused(
    case: str, isolated_home: Path, tmp_path: Path
) -> None:
    build, reason = REFUSALS[case]
    work = tmp_path / "work"
    work.mkdir()
    package = build(work)
    models_dir = tmp_path / "models"
    outside_before = listing(tmp_path) - listing(models_dir)
    result = invoke("models", "install", str(package), "--models-dir", str(models_dir))
    assert result.returncode == 2, result.output
    assert str(package) in result.output
    assert reason in result.output
    assert "Traceback" not in result.output
    assert [p for p in package_folders(models_dir) if p != ".argos"] == []
    assert listing(tmp_path) - {p for p in listing(tmp_path) if p.startswith("models")} == (
        outside_before
    )


def test_a_failed_install_keeps_the_installed_version(
    isolated_home: Path, models_dir: Path, tmp_path: Path
) -> None:
    models.install_file(TINY_PACKAGES["ja"], models_dir)
    broken = write_zip(
        tmp_path / "translate-en_ja-0_2.argosmodel",
        [
            (n, b"garbage" if n.endswith("model.bin") else data)
            for n, data in members()
            if not n.endswith("metadata.json")
        ]
        + [
            (
                f"{JA_TOP}/metadata.json",
                json.dumps({"from_code": "en", "to_code": "ja", "package_version": "0.2"}).encode(),
            )
        ],
    )
    result = invoke("models", "install", str(broken), "--models-dir", str(models_dir))
    assert result.returncode == 2
    assert package_folders(models_dir) == [".argos", JA_TOP]
    kept = models.find_model(models_dir, "en", "ja")
    assert kept is not None and kept.package_version == "0.1"


def test_size_limit_refuses_before_extracting(isolated_home: Path, models_dir: Path) -> None:
    result = invoke(
        "models",
        "install",
        str(TINY_PACKAGES["ja"]),
        "--models-dir",
        str(models_dir),
        "--max-unpacked-bytes",
        "20000",
    )
    assert result.returncode == 2
    assert "would unpack to more than 20000 bytes" in result.output
    assert not models_dir.exists()


def test_check_package_counts_members_and_sizes() -> None:
    checked = models.check_package(TINY_PACKAGES["ko"])
    with zipfile.ZipFile(TINY_PACKAGES["ko"]) as archive:
        total = sum(i.file_size for i in archive.infolist())
    assert (checked.from_code, checked.to_code, checked.package_version) == ("en", "ko", "0.1")
    assert checked.unpacked_bytes == total
    with pytest.raises(InputError, match="more than the limit of 3"):
        models.check_package(TINY_PACKAGES["ko"], limits=models.PackageLimits(max_members=3))
    with pytest.raises(InputError, match="but en→ja was asked for"):
        models.check_package(TINY_PACKAGES["ko"], expected_target="ja")


# Downloads from an index ---------------------------------------------------------------------


class Server:
    def __init__(self, files: dict[str, bytes]) -> None:
        self.files = files
        self.requests: list[str] = []
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - the http.server interface
                outer.requests.append(self.path)
                body = outer.files.get(self.path)
                if body is None:
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def serve(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[dict[str, bytes]], Server]]:
    for name in ("http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY"):
        monkeypatch.delenv(name, raising=False)
    servers: list[Server] = []

    def start(files: dict[str, bytes]) -> Server:
        servers.append(Server(files))
        return servers[-1]

    yield start
    for server in servers:
        server.close()


def index_entry(base: str, to_code: str, version: str, path: str) -> dict[str, object]:
    return {
        "code": f"translate-en_{to_code}",
        "type": "translate",
        "from_code": "en",
        "to_code": to_code,
        "package_version": version,
        "argos_version": "1.0",
        "links": [base + path],
    }


def test_install_by_code_downloads_the_newest_from_the_index(
    isolated_home: Path, models_dir: Path, tmp_path: Path, serve: Callable[..., Server]
) -> None:
    newer = variant(
        tmp_path / "n.argosmodel", metadata={"package_version": "0.2"}, top="translate-en_ja-0_2"
    ).read_bytes()
    server = serve({})
    server.files.update(
        {
            "/index.json": json.dumps(
                [
                    index_entry(server.base, "ja", "0.1", "/translate-en_ja-0_1.argosmodel"),
                    index_entry(server.base, "ja", "0.2", "/translate-en_ja-0_2.argosmodel"),
                    index_entry(server.base, "ko", "0.1", "/translate-en_ko-0_1.argosmodel"),
                ]
            ).encode(),
            "/translate-en_ja-0_1.argosmodel": TINY_PACKAGES["ja"].read_bytes(),
            "/translate-en_ja-0_2.argosmodel": newer,
            "/translate-en_ko-0_1.argosmodel": TINY_PACKAGES["ko"].read_bytes(),
        }
    )
    home_before = listing(isolated_home)
    index = f"{server.base}/index.json"
    result = invoke(
        "models", "install", "ja", "ko", "--models-dir", str(models_dir), "--index-url", index
    )
    assert result.returncode == 0, result.output
    assert "installed en→ja 0.2" in result.output
    assert "installed en→ko 0.1" in result.output
    assert "/translate-en_ja-0_1.argosmodel" not in server.requests
    assert package_folders(models_dir) == [".argos", "translate-en_ja-0_2", "translate-en_ko-0_1"]
    assert listing(isolated_home) == home_before

    again = invoke("models", "install", "ja", "--models-dir", str(models_dir), "--index-url", index)
    assert again.returncode == 0
    assert "already the newest" in again.output
    assert server.requests.count("/translate-en_ja-0_2.argosmodel") == 1


def test_index_url_from_environment(
    isolated_home: Path,
    models_dir: Path,
    serve: Callable[..., Server],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    server = serve({"/translate-en_ko-0_1.argosmodel": TINY_PACKAGES["ko"].read_bytes()})
    server.files["/i.json"] = json.dumps(
        [index_entry(server.base, "ko", "0.1", "/translate-en_ko-0_1.argosmodel")]
    ).encode()
    monkeypatch.setenv("BRIEFING_MODELS_INDEX", f"{server.base}/i.json")
    result = invoke("models", "install", "ko", "--models-dir", str(models_dir))
    assert result.returncode == 0, result.output
    assert models.find_model(models_dir, "en", "ko") is not None


def test_index_url_from_briefing_toml(
    isolated_home: Path,
    tmp_path: Path,
    serve: Callable[..., Server],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A workspace names its mirror once (`models_index` under [translation]), and the models
    folder beside it; `briefing models install ko` run in it downloads from there."""
    server = serve({"/translate-en_ko-0_1.argosmodel": TINY_PACKAGES["ko"].read_bytes()})
    server.files["/mirror.json"] = json.dumps(
        [index_entry(server.base, "ko", "0.1", "/translate-en_ko-0_1.argosmodel")]
    ).encode()
    (tmp_path / "briefing.toml").write_text(
        f'[translation]\nmodels_index = "{server.base}/mirror.json"\nmodels_dir = "models"\n',
        encoding="utf-8",
    )
    monkeypatch.delenv("BRIEFING_MODELS_INDEX", raising=False)
    monkeypatch.chdir(tmp_path)
    result = invoke("models", "install", "ko")
    assert result.returncode == 0, result.output
    assert server.requests[0] == "/mirror.json"
    assert models.find_model(tmp_path / "models", "en", "ko") is not None


def test_a_downloaded_package_that_lies_is_refused(
    isolated_home: Path, models_dir: Path, serve: Callable[..., Server]
) -> None:
    server = serve({"/pkg.argosmodel": TINY_PACKAGES["ko"].read_bytes()})
    server.files["/index.json"] = json.dumps(
        [index_entry(server.base, "ja", "0.1", "/pkg.argosmodel")]
    ).encode()
    result = invoke(
        "models",
        "install",
        "ja",
        "--models-dir",
        str(models_dir),
        "--index-url",
        f"{server.base}/index.json",
    )
    assert result.returncode == 2
    assert f"{server.base}/pkg.argosmodel: refused" in result.output
    assert "metadata.json says en→ko but en→ja was asked for" in result.output
    assert [p for p in package_folders(models_dir) if p != ".argos"] == []


def test_unknown_language_in_the_index(
    isolated_home: Path, models_dir: Path, serve: Callable[..., Server]
) -> None:
    server = serve({"/index.json": b"[]"})
    result = invoke(
        "models",
        "install",
        "xx",
        "--models-dir",
        str(models_dir),
        "--index-url",
        f"{server.base}/index.json",
    )
    assert result.returncode == 2
    assert "has no en→xx package" in result.output


def test_no_network_gives_one_clear_line(isolated_home: Path, models_dir: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    index = f"http://127.0.0.1:{port}/index.json"
    home_before = listing(isolated_home)
    result = invoke(
        "models", "install", "ja", "--models-dir", str(models_dir), "--index-url", index
    )
    assert result.returncode == 1
    assert f"cannot reach the model index at {index} (no network?" in result.output
    assert "briefing models install FILE.argosmodel" in result.output
    assert "Traceback" not in result.output
    assert not models_dir.exists()
    assert listing(isolated_home) == home_before


def test_default_index_is_argos_and_unreachable_in_tests(
    isolated_home: Path, models_dir: Path
) -> None:
    result = invoke("models", "install", "ja", "--models-dir", str(models_dir))
    assert result.returncode == 1
    assert f"cannot reach the model index at {models.DEFAULT_INDEX_URL}" in result.output


# The console script, as users run it ---------------------------------------------------------


def script(*args: str, home: Path) -> Result:
    """The console script, in a fresh account whose HOME is `home`."""
    return run_cli(*args, cwd=home.parent, home=home, script=True, timeout=120)


def test_console_script_installs_into_a_models_dir_only(tmp_path: Path) -> None:
    home, models_dir = tmp_path / "home", tmp_path / "models"
    home.mkdir()
    done = script(
        "models", "install", str(TINY_PACKAGES["ja"]), "--models-dir", str(models_dir), home=home
    )
    assert done.returncode == 0, done.stderr
    listed = script("models", "list", "--models-dir", str(models_dir), home=home)
    assert str(models_dir / JA_TOP) in listed.stdout
    assert listing(home) == set()
    assert listing(tmp_path) - listing(home) - {"home"} == {"models"} | {
        f"models/{p}" for p in listing(models_dir)
    }


def test_console_script_default_is_argos_own_folder(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    done = script("models", "install", str(TINY_PACKAGES["ko"]), home=home)
    assert done.returncode == 0, done.stderr
    assert (home / ".local/share/argos-translate/packages/translate-en_ko-0_1").is_dir()
    assert not (home / ".local/share/argos-translate/packages/.argos").exists()
    refused = script("models", "install", str(tmp_path / "missing.argosmodel"), home=home)
    assert refused.returncode == 2
    assert "missing.argosmodel: no such file" in refused.stderr
    assert "Traceback" not in refused.stderr
