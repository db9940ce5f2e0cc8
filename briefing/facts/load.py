"""Reading a facts file: YAML with positions, validated against the schema, sources checked."""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError

from briefing.errors import InputError, Problem
from briefing.facts.schema import Facts
from briefing.yamlsource.positions import LoadedYaml, load_yaml
from briefing.yamlsource.problems import problems_from_validation

HINT_IDS = 12  # a hint names this many known ids: a list of thousands helps nobody


def unknown_sources(loaded: LoadedYaml, facts: Facts) -> list[Problem]:
    known = dict.fromkeys(s.id for s in facts.sources)
    listed = ", ".join(list(known)[:HINT_IDS]) + (", …" if len(known) > HINT_IDS else "")
    problems = []
    for loc, ids in facts.citing():
        for i, source_id in enumerate(ids):
            if source_id not in known:
                problems.append(
                    loaded.problem(
                        (*loc, i),
                        f"unknown source id '{source_id}'",
                        f"Known ids: {listed}. Add it under `sources:` or fix the id.",
                    )
                )
    seen: set[str] = set()
    for i, source in enumerate(facts.sources):
        if source.id in seen:
            problems.append(
                loaded.problem(("sources", i, "id"), f"duplicate source id '{source.id}'")
            )
        seen.add(source.id)
    return problems


def load_facts(path: Path, text: str | None = None) -> tuple[Facts, LoadedYaml]:
    """Read and validate a facts file, or raise InputError listing every problem.

    The LoadedYaml comes back too: it holds the warnings and locates later findings in the file.
    The file may be a pipe (`briefing validate <(…)`); facts_files refuses one found in a folder.
    """
    loaded = load_yaml(path, text, pipes=True)
    if not isinstance(loaded.data, dict):
        raise InputError(
            "",
            [
                Problem(
                    path,
                    1,
                    1,
                    "a facts file must be a mapping with event, participants, summary, sources",
                    "Run `briefing new NAME` for a starter file.",
                )
            ],
        )
    if "terms" in loaded.data and "event" not in loaded.data:
        raise InputError(
            "",
            [
                loaded.problem(
                    ("terms",),
                    "this is a glossary (it has `terms`), not a facts file",
                    "Give facts files only (e.g. sources/2026-*.yaml, or no file names to build "
                    "every facts file of the workspace); glossaries are found from the settings.",
                    key=True,
                )
            ],
        )
    try:
        facts = Facts.model_validate(loaded.data)
    except ValidationError as err:
        raise InputError("", problems_from_validation(loaded, err, Facts)) from None
    problems = unknown_sources(loaded, facts)
    if problems:
        raise InputError("", problems)
    return facts, loaded
