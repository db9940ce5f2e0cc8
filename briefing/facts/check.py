"""Checking a facts file, the one way `briefing build`, `validate` and `review` do it.

Read and validate the file, stack its glossary layers over the term base (base < workspace <
the event's own), and look up its names in the result. What comes back is everything a later
stage needs of the file, its coverage by the term base computed once.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from briefing.errors import Problem
from briefing.facts.load import load_facts
from briefing.facts.schema import Facts
from briefing.kinds import sides_problem
from briefing.terms.coverage import Coverage, count_sides, cover
from briefing.terms.layers import Stack
from briefing.yamlsource.positions import LoadedYaml


@dataclass(frozen=True)
class CheckedFacts:
    """A facts file that could be read, with what the term base holds of its names."""

    path: Path
    facts: Facts
    source: LoadedYaml  # the file as parsed: its text, where each value is, reading warnings
    layer_problems: tuple[Problem, ...]  # what stacking its glossary layers found
    coverage: Coverage
    sides: int = 0  # how many countries or organisations take part

    @property
    def errors(self) -> tuple[Problem, ...]:
        """What stops a document of this file: a kind of event that is neither a word of the
        vocabulary nor a term."""
        return self.coverage.errors

    @property
    def warnings(self) -> list[Problem]:
        kind = sides_problem(self.source, self.facts.event.kind, self.sides)
        return [
            *self.source.warnings,
            *self.layer_problems,
            *([kind] if kind is not None else []),
            *self.coverage.warnings,
        ]


def check_facts(path: Path, terms: Stack) -> CheckedFacts:
    """The facts file at `path` over the term base `terms`; InputError locates every problem of
    a file that cannot be read or validated."""
    facts, source = load_facts(path)
    layered = terms.for_facts(path, source, facts.glossary)
    coverage = cover(facts.names(), layered.glossary, source)
    sides = count_sides((p.country for p in facts.participants), layered.glossary)
    return CheckedFacts(path, facts, source, layered.problems, coverage, sides)
