"""The team settings in briefing.toml: engine, url, api_key and memory under [translation] reach
`briefing config` with their source and the build itself, a file memory stays relative to
briefing.toml, a postgresql:// URL is kept as written, and the API key is never printed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from briefing.memory.backend import open_memory
from tests.conftest import NARA, TINY_PACKAGES, invoke, run_cli
from tests.servers.libretranslate import TEST_API_KEY, LibreTranslateServers
from tests.test_team_memory import _machine_models

KEY = "team-key-0123456789"


def _workspace(root: Path, translation: str) -> Path:
    """A workspace with the given [translation] table and a subfolder to run commands from."""
    (root / "briefing.toml").write_text(f"[translation]\n{translation}", encoding="utf-8")
    (root / "sub").mkdir()
    return root / "sub"


def _config(cwd: Path, monkeypatch: pytest.MonkeyPatch, **env: str) -> dict[str, tuple[str, str]]:
    """`briefing config --json` run in `cwd`: key → (value, origin)."""
    monkeypatch.chdir(cwd)
    for name in ("BRIEFING_CONFIG", "BRIEFING_TM", "BRIEFING_ENGINE", "BRIEFING_LT_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    result = invoke("config", "--json", env=env)
    assert result.returncode == 0, result.output
    assert KEY not in result.output
    rows = json.loads(result.stdout)["settings"]
    return {row["key"]: (row["value"], row["origin"]) for row in rows}


def test_config_shows_the_team_settings_with_their_source_and_masks_the_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sub = _workspace(
        tmp_path,
        'engine = "libretranslate"\nurl = "http://lt.example.org:5000"\n'
        f'api_key = "{KEY}"\nmemory = "shared/tm.sqlite"\ndevice = "cpu"\n',
    )
    shown = _config(sub, monkeypatch)
    toml = str(tmp_path.resolve() / "briefing.toml")
    assert shown["translation.engine"] == ("libretranslate", f"{toml}:2")
    assert shown["translation.url"] == ("http://lt.example.org:5000", f"{toml}:3")
    assert shown["translation.api_key"] == ("********89", f"{toml}:4")
    # A file is relative to briefing.toml, not to the folder the command runs in.
    assert shown["translation.memory"] == (
        str(tmp_path.resolve() / "shared" / "tm.sqlite"),
        f"{toml}:5",
    )
    assert shown["translation.device"] == ("cpu", f"{toml}:6")
    assert shown["translation.intra_threads"] == (0, "default")

    url = "postgresql://briefing@/team?host=/run/postgresql&port=5433"
    shown = _config(sub, monkeypatch, BRIEFING_TM=url, BRIEFING_LT_API_KEY=KEY)
    assert shown["translation.memory"] == (url, "env BRIEFING_TM")  # not mangled as a path
    assert shown["translation.api_key"] == ("********89", "env BRIEFING_LT_API_KEY")

    # The table's output of `briefing config` hides the key too.
    monkeypatch.setenv("BRIEFING_LT_API_KEY", KEY)
    table = invoke("config")
    assert table.returncode == 0 and KEY not in table.output
    assert "translation.api_key" in table.output


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        (
            "postgresql://briefing:pa55word@db.example.org:5433/team",
            "postgresql://briefing@db.example.org:5433/team",
        ),
        (
            "postgresql://briefing:pa55word@/team?host=/run/postgresql&port=5433",
            "postgresql://briefing@/team?host=/run/postgresql&port=5433",
        ),
    ],
)
def test_config_never_prints_a_password_in_the_memory_url(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, url: str, shown: str
) -> None:
    rows = _config(tmp_path, monkeypatch, BRIEFING_TM=url)
    assert rows["translation.memory"] == (shown, "env BRIEFING_TM")
    monkeypatch.chdir(tmp_path)
    printed = invoke("config", env={"BRIEFING_TM": url})
    assert "pa55word" not in printed.output and shown in printed.output


def test_a_wrong_engine_or_device_in_briefing_toml_is_located(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sub = _workspace(tmp_path, 'device = "gpu"\nengine = "deepl"\n')
    monkeypatch.chdir(sub)
    result = invoke("config")
    assert result.returncode == 2
    assert "briefing.toml:3: error: setting 'translation.engine'" in result.output
    assert "briefing.toml:2: error: setting 'translation.device'" in result.output


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("file:///etc/passwd", "is not an http(s) URL"),
        ("127.0.0.1:5000", "is not an http(s) URL"),
        ("http://", "is not an http(s) URL"),
        ("http://translator:s3cret@127.0.0.1:5000", "holds a user name or password"),
        ("http://127.0.0.1:5000/?api_key=s3cret", "has a query or fragment"),
    ],
)
def test_a_url_that_is_not_a_server_address_is_refused_before_anything_is_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, url: str, says: str
) -> None:
    out = tmp_path / "out"
    monkeypatch.chdir(tmp_path)
    result = invoke(
        "build", NARA, "--lang", "en,ja", "--out", out, "--tm", tmp_path / "tm.sqlite",
        "--engine", "libretranslate", "--engine-url", url,
    )  # fmt: skip
    assert result.returncode == 2, result.output
    assert says in result.output
    assert "s3cret" not in result.output  # a password in the URL is never printed
    assert not out.exists() or not any(out.iterdir())


def test_a_build_from_briefing_toml_uses_the_server_and_the_postgresql_memory_it_names(
    libretranslate_servers: LibreTranslateServers, postgres_url: str, tmp_path: Path
) -> None:
    """The README's team briefing.toml as it is: no engine option on the command line, the API
    key from the environment."""
    server = libretranslate_servers.start(list(TINY_PACKAGES.values()), api_key=TEST_API_KEY)
    sub = _workspace(
        tmp_path,
        f'engine = "libretranslate"\nurl = "{server.url}"\nmemory = "{postgres_url}"\n'
        'api_key = "not-the-key"\n',
    )
    # The key in the file reaches the server, which refuses it: Japanese is not written.
    refused = run_cli("build", NARA, "--lang", "ja", cwd=sub, env={"BRIEFING_TM": ""})
    assert refused.returncode == 1, refused.stderr
    assert f"LibreTranslate at {server.url}" in refused.stderr
    assert "BRIEFING_LT_API_KEY" in refused.stderr and "not-the-key" not in refused.stderr
    assert not (tmp_path / "out" / f"{NARA.stem}.ja.docx").exists()
    # The environment's key wins over the file's.
    env = {"BRIEFING_LT_API_KEY": TEST_API_KEY, "BRIEFING_TM": ""}
    result = run_cli("build", NARA, "--lang", "ja", cwd=sub, env=env)
    assert result.returncode == 0, result.stderr
    assert f"Translating with LibreTranslate at {server.url}" in result.stderr
    assert (tmp_path / "out" / f"{NARA.stem}.ja.docx").is_file()
    assert set(_machine_models(postgres_url)) == {f"libretranslate:en_ja@{server.url}"}


def test_a_file_memory_in_briefing_toml_is_relative_to_it_and_reached_by_the_build(
    tiny_models_dir: Path, tmp_path: Path
) -> None:
    sub = _workspace(tmp_path, f'memory = "tm/memory.sqlite"\nmodels_dir = "{tiny_models_dir}"\n')
    result = run_cli("build", NARA, "--lang", "ko", cwd=sub, env={"BRIEFING_TM": ""})
    assert result.returncode == 0, result.stderr
    memory_file = tmp_path / "tm" / "memory.sqlite"
    assert memory_file.is_file() and not (sub / "tm").exists()
    with open_memory(memory_file) as memory:
        assert memory.counts()["machine"] > 0
