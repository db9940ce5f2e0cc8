"""Glossaries stack: the base term base shipped with briefing < the workspace's < the event's.

A later layer replaces a term of an earlier one that has the same id. Two terms with different
ids that claim the same English form in different layers are reported (the later layer's term
wins the form), because the writer of the later one has most likely not seen the earlier one.
Within one layer, a form may name one term only; that is an error, as it always was.

The event's layer is the `glossary:` list inside the facts file, over a file beside it named
`<facts stem>.glossary.yaml`, so an event can carry its own names without touching the
workspace glossary.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files
from pathlib import Path

from briefing.errors import InputError, Problem
from briefing.input_files import readable_there
from briefing.terms.glossary import (
    Glossary,
    Term,
    find_glossary,
    read_glossary,
    required_file,
    term_problems,
    validated,
)
from briefing.yamlsource.cache import load_yaml_cached
from briefing.yamlsource.positions import LoadedYaml, Path_

BASE_NAME = "base.yaml"
EVENT_SUFFIX = ".glossary.yaml"
LAYER_ORDER = ("base", "workspace", "event")


@dataclass(frozen=True)
class Layer:
    """One glossary file (or a facts file's `glossary:` list) and where its terms are written."""

    name: str  # base | workspace | event
    loaded: LoadedYaml
    prefix: tuple[str, ...]  # where the term list sits in the YAML: ("terms",) or ("glossary",)
    terms: tuple[Term, ...]
    version: str = ""

    def locate(self, index: int, *rest: str | int) -> Path_:
        return (*self.prefix, index, *rest)

    def where(self, index: int) -> str:
        line, _ = self.loaded.position(self.locate(index))
        return f"{self.loaded.path}:{line}" if line else str(self.loaded.path)

    def problem(self, index: int, message: str, hint: str = "", severity: str = "error") -> Problem:
        return self.loaded.problem(self.locate(index), message, hint, severity)


@dataclass(frozen=True)
class Layered:
    """The merged glossary of a stack of layers, with what the merge had to report."""

    glossary: Glossary
    layers: tuple[Layer, ...]
    problems: tuple[Problem, ...] = ()
    origin: dict[str, tuple[Layer, int]] = field(default_factory=dict)  # term id → where

    def where(self, term_id: str) -> str:
        layer, index = self.origin[term_id]
        return f"{layer.name} glossary {layer.where(index)}"


def read_layer(name: str, path: Path, text: str | None = None) -> Layer:
    """A glossary file as a layer, or an InputError locating every problem in it."""
    glossary, loaded = read_glossary(path, text)
    return Layer(name, loaded, ("terms",), tuple(glossary.terms), glossary.version)


def event_layer(loaded: LoadedYaml, terms: list[Term]) -> Layer:
    """The `glossary:` list of a facts file (already validated with the facts) as a layer."""
    problems = term_problems(loaded, terms, ("glossary",))
    if problems:
        raise InputError("", problems)
    return Layer("event", loaded, ("glossary",), tuple(terms), "event")


def base_path() -> Path:
    """The base term base shipped inside the package, found with importlib.resources."""
    return Path(str(files("briefing.terms").joinpath(BASE_NAME)))


@cache
def base_layer() -> Layer:
    """The base term base, parsed once and then read from briefing's cache folder while the
    file and its reader are unchanged (yamlsource/cache.py); validated at every start."""
    loaded = load_yaml_cached(base_path())
    glossary = validated(loaded)
    return Layer("base", loaded, ("terms",), tuple(glossary.terms), glossary.version)


def beside(facts_path: Path) -> Path:
    """Where an event's own glossary file sits: `<stem>.glossary.yaml` beside the facts."""
    return facts_path.with_name(facts_path.stem + EVENT_SUFFIX)


def merge(layers: list[Layer]) -> Layered:
    """Stack `layers` (lowest first): override by id, report English forms claimed across layers."""
    chosen: dict[str, tuple[Term, Layer, int]] = {}
    for layer in layers:
        for index, term in enumerate(layer.terms):
            chosen.pop(term.id, None)  # re-inserted last: the later layer's term ranks highest
            chosen[term.id] = (term, layer, index)
    problems: list[Problem] = []
    owner: dict[str, tuple[Term, Layer, int]] = {}
    for term, layer, index in chosen.values():
        for form in term.english_forms():
            earlier = owner.get(form)
            if earlier is not None and earlier[0].id != term.id:
                other, other_layer, other_index = earlier
                problems.append(
                    layer.problem(
                        index,
                        f"'{form}' is an English form of '{term.id}' here ({layer.name} glossary) "
                        f"and of '{other.id}' in the {other_layer.name} glossary "
                        f"({other_layer.where(other_index)}); '{term.id}' is used",
                        f"If both name the same thing, give this term the id '{other.id}' so that "
                        "it replaces the other; otherwise remove the form from one of them.",
                        "warning",
                    )
                )
            owner[form] = (term, layer, index)
    ordered = sorted(chosen.values(), key=lambda item: LAYER_ORDER.index(item[1].name))
    version = "+".join(layer.version or layer.name for layer in layers) or "empty"
    digest = hashlib.sha256(version.encode()).hexdigest()[:8]
    glossary = Glossary(version=f"{version[:60]}#{digest}", terms=[t for t, _, _ in ordered])
    origin = {term.id: (layer, index) for term, layer, index in ordered}
    return Layered(glossary, tuple(layers), tuple(problems), origin)


@dataclass
class Stack:
    """Builds the layered glossary of each facts file, reading shared layers once."""

    workspace: list[Path] = field(default_factory=list)
    use_base: bool = True
    _workspace_layers: list[Layer] | None = None

    def shared(self) -> list[Layer]:
        if self._workspace_layers is None:
            self._workspace_layers = [read_layer("workspace", path) for path in self.workspace]
        return ([base_layer()] if self.use_base else []) + self._workspace_layers

    def without_event(self) -> Layered:
        return merge(self.shared())

    def for_facts(
        self, facts_path: Path, loaded: LoadedYaml, inline: list[Term] | None = None
    ) -> Layered:
        """Base < workspace < `<stem>.glossary.yaml` beside the facts < the facts' `glossary:`."""
        layers = list(self.shared())
        side = beside(facts_path)
        if readable_there(side):  # a FIFO there is refused when it is read
            layers.append(read_layer("event", side))
        if inline:
            layers.append(event_layer(loaded, inline))
        return merge(layers)


def workspace_glossaries(named: list[Path], facts_paths: list[Path]) -> list[Path]:
    """The one rule for the workspace layer, which every command and text follows: the named
    glossaries (each must exist; --glossary, then the setting `glossaries`), else the
    glossary.yaml beside the first facts file that has one, else none."""
    if named:
        return [required_file(path) for path in named]
    found = find_glossary(None, facts_paths)
    return [found] if found else []


def load_term_base(named: list[Path], facts_paths: list[Path], use_base: bool = True) -> Stack:
    """The term base a command uses, read once: the base < the workspace glossaries
    (`workspace_glossaries`). Each facts file adds its own event layer over it
    (`Stack.for_facts`)."""
    stack = Stack(workspace_glossaries(named, facts_paths), use_base=use_base)
    stack.shared()  # read and check every shared layer now, before anything is built
    return stack
