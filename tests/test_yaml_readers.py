"""The two YAML readers (libyaml through ruamel.yaml.clib, and ruamel's pure-Python reader used
where libyaml is missing or refuses) give the same data, positions, warnings and errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from briefing.errors import InputError
from briefing.terms.layers import base_path
from briefing.yamlsource import positions
from tests.conftest import ROOT

BUNDLED = sorted(
    [base_path(), *(ROOT / "sources").glob("*.yaml"), *(ROOT / "briefing").rglob("template.yaml")]
)
SNIPPETS = {
    "scalars": "a: yes\nb: 017\nc: 1_000\nd: .inf\ne: ~\nf: 2026-01-13\ng: 'x: y'\nh: NO\n",
    "anchor": "a: &x 1\nb: 2\n",
    "alias": "a: [1]\nb: *x\n",
    "merge key": "a: {b: 1}\nc:\n  <<: {d: 2}\n",
    "duplicate key": "a: 1\nb: 2\na: 3\n",
    "syntax": "a: b: c\n",
    "tab": "a:\n\t- 1\n",
    "surrogate pair": 'a: "\\ud83d\\ude00"\n',
    "control characters": "a: 'x\x0by'\n# \x0c\nb: 2\n",
    "bidi": "a: \u202egnp.exe\n",
    "deep list": "a: " + "[" * 60 + "]" * 60 + "\n",
    "non-ascii positions": "名前: 日本語\n次: [x, y]\n",
}


def read(path: Path, text: str | None, fast: bool, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setattr(positions, "C_READER", fast)
    try:
        loaded = positions.load_yaml(path, text)
    except InputError as error:
        return ("refused", [(p.line, p.message) for p in error.problems])
    return (loaded.data, loaded.positions, loaded.key_positions, loaded.warnings)


def test_libyaml_is_what_the_package_reads_with() -> None:
    assert positions.C_READER  # a dependency on CPython: without it every build is slower


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.name)
def test_bundled_files_read_the_same(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fast = read(path, None, True, monkeypatch)
    assert fast[0] and fast == read(path, None, False, monkeypatch)


@pytest.mark.parametrize("text", SNIPPETS.values(), ids=SNIPPETS.keys())
def test_snippets_read_or_fail_the_same(
    text: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "snippet.yaml"
    assert read(path, text, True, monkeypatch) == read(path, text, False, monkeypatch)
