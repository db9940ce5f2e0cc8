"""The base term base kept parsed in briefing's cache folder: used only while provably current,
parsed again when the file, the reader or briefing's version changes, never trusted when
damaged, and always exactly what reading the YAML gives."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest

import briefing.errors
from briefing.terms.glossary import read_glossary, validated
from briefing.terms.layers import base_path
from briefing.yamlsource import cache
from briefing.yamlsource.cache import load_yaml_cached
from briefing.yamlsource.positions import LoadedYaml, load_yaml
from tests.conftest import NARA, run_cli


def same(got: LoadedYaml, want: LoadedYaml) -> None:
    """Everything a LoadedYaml holds, compared (the dataclass's own == leaves out nothing)."""
    assert got == want
    assert (got.removed_at, got.text) == (want.removed_at, want.text)


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Every file the cache had to parse, recorded: the real parser still runs."""
    seen: list[Path] = []

    def recording(path: Path, text: str | None = None) -> LoadedYaml:
        seen.append(path)
        return load_yaml(path, text)

    monkeypatch.setattr(cache, "load_yaml", recording)
    return seen


@pytest.fixture
def base_copy(tmp_path: Path) -> Path:
    return Path(shutil.copy(base_path(), tmp_path / "base.yaml"))


def entry_of(folder: Path) -> Path:
    (entry,) = folder.iterdir()
    return entry


def test_the_cached_base_term_base_is_exactly_what_its_yaml_gives(
    tmp_path: Path, parses: list[Path]
) -> None:
    folder = tmp_path / "cache"
    first = load_yaml_cached(base_path(), folder)
    second = load_yaml_cached(base_path(), folder)
    assert parses == [base_path()], "parsed once, then read from the cache"
    want = load_yaml(base_path())
    same(first, want)
    same(second, want)
    assert validated(second) == read_glossary(base_path())[0]


def test_a_current_entry_is_used_as_it_is(tmp_path: Path, parses: list[Path]) -> None:
    folder = tmp_path / "cache"
    load_yaml_cached(base_path(), folder)
    stored = entry_of(folder).read_bytes()
    for _ in range(3):
        same(load_yaml_cached(base_path(), folder), load_yaml(base_path()))
    assert len(parses) == 1
    assert entry_of(folder).read_bytes() == stored, "not written again"


def test_an_edited_file_is_parsed_again_and_its_entry_replaced(
    tmp_path: Path, base_copy: Path, parses: list[Path]
) -> None:
    folder = tmp_path / "cache"
    load_yaml_cached(base_copy, folder)
    before = entry_of(folder).read_bytes()
    text = base_copy.read_text(encoding="utf-8")
    assert "en: Australia\n" in text
    base_copy.write_text(text.replace("en: Australia\n", "en: Australia (edited)\n"))
    edited = load_yaml_cached(base_copy, folder)
    same(edited, load_yaml(base_copy))
    assert any(term["en"] == "Australia (edited)" for term in edited.data["terms"]), (
        "the edit is seen"
    )
    assert entry_of(folder).read_bytes() != before
    same(load_yaml_cached(base_copy, folder), edited)
    assert parses == [base_copy, base_copy], "the new entry is current"


def tampered(entry: Path, key: str | None = None) -> None:
    """The entry's data changed and its body digest made to match, under `key` (default: the
    key it has): what only a faulty writer or someone set on misleading briefing could make."""
    header, body = entry.read_bytes().split(b"\n", 1)
    stored = json.loads(body)
    stored["data"]["version"] = "not what the file says"
    new_body = json.dumps(stored).encode()
    digest = hashlib.sha256(new_body).hexdigest()
    new_header = {"key": key or json.loads(header)["key"], "body": digest}
    entry.write_bytes(json.dumps(new_header).encode() + b"\n" + new_body)


def test_an_entry_is_trusted_only_under_the_key_of_this_file_reader_and_version(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, parses: list[Path]
) -> None:
    folder = tmp_path / "cache"
    load_yaml_cached(base_path(), folder)
    tampered(entry_of(folder))
    # under its own key a tampered entry is used: the key is what proves an entry current ...
    assert load_yaml_cached(base_path(), folder).data["version"] == "not what the file says"
    # ... and any other key is not: another file's, or another briefing's
    tampered(entry_of(folder), key="0" * 64)
    same(load_yaml_cached(base_path(), folder), load_yaml(base_path()))
    assert len(parses) == 2
    monkeypatch.setattr(cache, "__version__", "99.0")
    same(load_yaml_cached(base_path(), folder), load_yaml(base_path()))
    assert len(parses) == 3, "another version of briefing parses again"
    # the reader's source is part of the key: another module in the reader, another key
    monkeypatch.setattr(cache, "READER_MODULES", (*cache.READER_MODULES, briefing.errors))
    load_yaml_cached(base_path(), folder)
    assert len(parses) == 4


DAMAGES = {
    "empty": lambda data: b"",
    "truncated": lambda data: data[: len(data) // 2],
    "one byte changed": lambda data: data[:-100] + bytes([data[-100] ^ 1]) + data[-99:],
    "no header": lambda data: data.split(b"\n", 1)[1],
    "not UTF-8": lambda data: b"\xff\xfe\x00garbage\n\x00\x01",
    "right digests, wrong shape": lambda data: (
        json.dumps(
            {
                "key": json.loads(data.split(b"\n", 1)[0])["key"],
                "body": hashlib.sha256(b'{"data": 1}').hexdigest(),
            }
        ).encode()
        + b'\n{"data": 1}'
    ),
}


@pytest.mark.parametrize("damage", DAMAGES)
def test_a_damaged_entry_is_ignored_and_written_again(
    tmp_path: Path, damage: str, parses: list[Path]
) -> None:
    folder = tmp_path / "cache"
    load_yaml_cached(base_path(), folder)
    entry = entry_of(folder)
    good = entry.read_bytes()
    entry.write_bytes(DAMAGES[damage](good))
    same(load_yaml_cached(base_path(), folder), load_yaml(base_path()))
    assert entry.read_bytes() == good
    assert len(parses) == 2


@pytest.mark.parametrize("kind", ["folder", "link"])
def test_an_entry_that_is_not_a_file_of_its_own_is_not_read(
    tmp_path: Path, kind: str, parses: list[Path]
) -> None:
    folder = tmp_path / "cache"
    load_yaml_cached(base_path(), folder)
    entry = entry_of(folder)
    elsewhere = tmp_path / "elsewhere.json"
    entry.rename(elsewhere)
    if kind == "folder":
        entry.mkdir()
    else:
        entry.symlink_to(elsewhere)
    same(load_yaml_cached(base_path(), folder), load_yaml(base_path()))
    assert len(parses) == 2


def test_a_cache_folder_that_cannot_be_written_only_costs_the_parse(
    tmp_path: Path, parses: list[Path]
) -> None:
    not_a_folder = tmp_path / "cache"
    not_a_folder.write_text("a file where the folder would be")
    for _ in range(2):
        same(load_yaml_cached(base_path(), not_a_folder), load_yaml(base_path()))
    assert len(parses) == 2


def test_a_file_with_warnings_is_read_every_time(tmp_path: Path, parses: list[Path]) -> None:
    """What the reader warns about is said again at each start, so it is never cached."""
    path = tmp_path / "glossary.yaml"
    path.write_text('version: "1"\nterms: []\nnote: "a\x08b"\n', encoding="utf-8")
    folder = tmp_path / "cache"
    for _ in range(2):
        loaded = load_yaml_cached(path, folder)
        assert loaded.warnings and loaded == load_yaml(path)
    assert len(parses) == 2 and not folder.exists()


def test_a_build_keeps_the_parsed_base_in_the_user_cache_folder(tmp_path: Path) -> None:
    """Two builds in their own processes, the second from the cache: the same document."""
    env = {"XDG_CACHE_HOME": str(tmp_path / "xdg-cache")}
    documents = []
    for run in ("parsed", "cached"):
        out = tmp_path / run
        result = run_cli("build", NARA, "--lang", "en", "--out", out, cwd=tmp_path, env=env)
        assert result.returncode == 0, result.output
        documents.append((out / f"{NARA.stem}.en.docx").read_bytes())
    assert len(list((tmp_path / "xdg-cache" / "briefing").glob("yaml-*.json"))) == 1
    assert documents[0] == documents[1]
