"""The package's folders import each other in one direction only: no cycles, and no lower
stage reaches up into a higher one (ARCHITECTURE.md, "Where each stage lives")."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "briefing"

# Lowest first. A unit may import units of its own layer or of lower layers, never higher.
LAYERS: list[set[str]] = [
    # what every stage may use: errors, languages, files written whole, plain vocabularies
    {
        "errors",
        "languages",
        "atomic",
        "input_files",
        "urls",
        "engine_names",
        "yamlsource",
        "kinds",
        "roles",
    },
    {"catalogs", "dates", "marks"},
    {"terms"},
    {"workspace"},  # the settings
    {"facts", "style"},
    {"scaffold"},  # what `briefing init` writes, describing settings and facts
    {"memory"},
    {"models"},
    {"translation"},
    {"output"},
    {"review"},
    {"build", "documents", "report", "manifest", "watch", "versions", "changes"},
    {"cli"},
]
ROOT_NAMES = {"__version__", "briefing"}  # `from briefing import __version__`


def unit_of(module: str) -> str:
    """briefing.memory.sql → memory; briefing.build → build."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else parts[0]


def imports(path: Path) -> set[str]:
    """Every briefing module `path` imports, at the top or inside functions alike."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("briefing."))
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module.startswith("briefing."):
                found.add(node.module)
            elif node.module == "briefing":
                found.update(f"briefing.{a.name}" for a in node.names)
    return found


def edges() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for path in PACKAGE.rglob("*.py"):
        relative = path.relative_to(PACKAGE.parent).with_suffix("")
        source = unit_of(".".join(relative.parts))
        for target in imports(path):
            unit = unit_of(target)
            if unit != source and unit not in ROOT_NAMES:
                graph.setdefault(source, set()).add(unit)
    return graph


def layer_of(unit: str) -> int:
    for index, layer in enumerate(LAYERS):
        if unit in layer:
            return index
    raise AssertionError(f"briefing/{unit} is in no layer: add it to LAYERS in {__file__}")


def test_every_unit_has_a_layer() -> None:
    units = {p.stem if p.is_file() else p.name for p in PACKAGE.iterdir()}
    units = {u for u in units if not u.startswith("_") and u not in {"templates", "locales"}}
    for unit in units:
        if (PACKAGE / unit).is_dir() and not any((PACKAGE / unit).rglob("*.py")):
            continue
        layer_of(unit)


def test_no_unit_imports_a_higher_one() -> None:
    wrong = sorted(
        f"{source} → {target}"
        for source, targets in edges().items()
        for target in targets
        if layer_of(target) > layer_of(source)
    )
    assert not wrong, "lower stages import higher ones: " + ", ".join(wrong)


def test_no_cycle_between_folders() -> None:
    graph = edges()
    seen: dict[str, int] = {}  # 1: on the current path, 2: done

    def visit(unit: str, path: list[str]) -> None:
        seen[unit] = 1
        for target in sorted(graph.get(unit, ())):
            if seen.get(target) == 1:
                cycle = path[path.index(target) :] + [target] if target in path else [unit, target]
                pytest.fail("import cycle: " + " → ".join(cycle))
            if target not in seen:
                visit(target, [*path, target])
        seen[unit] = 2

    for unit in sorted(graph):
        if unit not in seen:
            visit(unit, [unit])


def is_command_module(path: Path) -> bool:
    """A module of cli/ that defines commands (not the app, nor a helper such as common.py)."""
    text = path.read_text(encoding="utf-8")
    return path.stem != "app" and ("def " in text and "_command(" in text or ".command(" in text)


def test_command_modules_do_not_import_each_other() -> None:
    commands = {p.stem for p in (PACKAGE / "cli").glob("*.py") if is_command_module(p)}
    assert {"build", "facts", "memory", "review"} <= commands  # the rule sees them
    wrong = [
        f"cli/{path.name} → {target}"
        for path in (PACKAGE / "cli").glob("*.py")
        if path.stem != "app"
        for target in imports(path)
        if target.split(".")[:2] == ["briefing", "cli"]
        and len(target.split(".")) > 2
        and target.split(".")[2] in commands - {path.stem}
    ]
    assert not wrong, "command modules import each other: " + ", ".join(sorted(wrong))
