"""The JSON Schemas editors use: the facts file's accepts what briefing accepts and refuses what
it refuses; briefing.toml's accepts a new workspace's settings and refuses a mistyped key."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from ruamel.yaml import YAML

from briefing.scaffold.init import config_text, starter_text
from briefing.scaffold.schemas import config_schema, facts_schema
from tests.conftest import ROOT, run_cli

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib  # type: ignore[import-not-found]  # installed on 3.10 only

EXAMPLES = sorted(p for p in (ROOT / "sources").glob("*.yaml") if p.name != "glossary.yaml")


def as_editor_reads(text: str) -> Any:
    """YAML as the YAML language server sees it (YAML 1.2: dates are strings)."""
    return YAML(typ="safe", pure=True).load(io.StringIO(text.replace("\ufeff", "")))


def facts_validator() -> jsonschema.Draft202012Validator:
    schema = facts_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def plain(data: Any) -> Any:
    """Dates and times as the strings they were written as."""
    return json.loads(json.dumps(data, default=str))


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_the_schema_accepts_every_bundled_example(path: Path) -> None:
    errors = list(facts_validator().iter_errors(plain(as_editor_reads(path.read_text("utf-8")))))
    assert errors == [], [f"{list(e.absolute_path)}: {e.message}" for e in errors]


def test_the_schema_accepts_the_starter_file() -> None:
    data = plain(as_editor_reads(starter_text("../facts.schema.json")))
    assert list(facts_validator().iter_errors(data)) == []


def broken(change: str) -> dict[str, Any]:
    data = plain(as_editor_reads(EXAMPLES[0].read_text("utf-8")))
    if change == "no date":
        del data["event"]["date"]
    elif change == "unknown field":
        data["event"]["citty"] = "Nara"
    elif change == "bad status":
        data["summary"]["status"] = "rumoured"
    elif change == "no sources cited":
        data["summary"]["sources"] = []
    elif change == "bad role":
        data["participants"][0]["role"] = "chairman"
    elif change == "time with letters":
        data["event"]["time"] = "half past two"
    return data


@pytest.mark.parametrize(
    ("change", "where"),
    [
        ("no date", ["event"]),
        ("unknown field", ["event"]),
        ("bad status", ["summary", "status"]),
        ("no sources cited", ["summary", "sources"]),
        ("bad role", ["participants", 0, "role"]),
        ("time with letters", ["event", "time"]),
    ],
)
def test_the_schema_rejects_a_broken_facts_file_where_it_is_broken(
    change: str, where: list[object]
) -> None:
    errors = list(facts_validator().iter_errors(broken(change)))
    assert errors, change
    assert [list(e.absolute_path) for e in errors] == [where]


def test_the_settings_schema_accepts_a_new_workspace_and_refuses_a_mistyped_key() -> None:
    schema = config_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    settings = tomllib.loads(config_text())
    assert list(validator.iter_errors(settings)) == []
    settings["translation"]["bach_size"] = 16
    settings["languages"] = ["en", "fr"]
    messages = sorted(e.message for e in validator.iter_errors(settings))
    assert len(messages) == 2
    assert any("bach_size" in m for m in messages)
    assert any("'fr'" in m for m in messages)


def test_briefing_schema_prints_the_schemas(tmp_path: Path) -> None:
    facts = run_cli("schema", cwd=tmp_path)
    assert facts.returncode == 0, facts.stderr
    assert json.loads(facts.stdout) == facts_schema()
    toml = run_cli("schema", "--toml", cwd=tmp_path)
    assert toml.returncode == 0, toml.stderr
    assert json.loads(toml.stdout) == config_schema()
