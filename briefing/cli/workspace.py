"""`briefing init`, `briefing config` and `briefing schema`: the workspace and its settings.

Kept light at import: `briefing --help` loads every command module, so heavy libraries are
imported inside the commands that use them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer


def init_command(
    directory: Annotated[
        Path, typer.Argument(help="Folder for the workspace (created if missing).")
    ] = Path("."),
    force: Annotated[
        bool, typer.Option("--force", help="Rewrite files `briefing init` writes, if present.")
    ] = False,
) -> None:
    """Make a folder a workspace: briefing.toml, sources/, out/.

    Make DIRECTORY a workspace: briefing.toml, sources/ with a starter facts file, a glossary,
    the JSON Schemas for editors, and a .gitignore for the output folder.
    """
    from briefing.cli.common import out
    from briefing.scaffold.init import glossary_place, init_workspace

    written = init_workspace(directory, force=force)
    for item in written:
        out.print(f"{item.action} {item.path}")
    out.print(f"Official Japanese and Korean names go in {glossary_place(directory)}.")
    starter = next(w.path for w in written if w.path.suffix == ".yaml" and "sources" in str(w.path))
    where = "" if directory == Path(".") else f"cd {directory} && "
    out.print(
        f"Next: edit {starter.relative_to(directory)}, then run "
        f"`{where}briefing build` (documents go to out/)."
    )


def _shown(value: Any) -> Any:
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, list):
        return [_shown(item) for item in value]
    return value


def config_command(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """Show every setting in effect and where it came from.

    Print the settings in effect here and where each came from (option, environment variable,
    briefing.toml line, or default).
    """
    from briefing.cli.common import out
    from briefing.workspace.settings import effective, load_settings

    settings = load_settings()
    rows = [(key, _shown(value), origin) for key, value, origin in effective(settings)]
    if as_json:
        report = {
            "config_file": str(settings.config_file) if settings.config_file else None,
            "settings": [{"key": k, "value": v, "origin": o} for k, v, o in rows],
        }
        typer.echo(json.dumps(report, indent=2, ensure_ascii=False))
        return
    if settings.config_file:
        out.print(f"workspace: {settings.config_file}", markup=False)
    else:
        out.print("no briefing.toml here or in any folder above; defaults apply", markup=False)
    shown = [(key, _text(value), origin) for key, value, origin in rows]
    key_width = max(len(key) for key, _, _ in shown)
    value_width = min(40, max(len(value) for _, value, _ in shown))
    for key, value, origin in shown:
        out.print(f"{key:<{key_width}}  {value:<{value_width}}  {origin}", markup=False)


def _text(value: Any) -> str:
    if value is None:
        return "(unset)"
    if isinstance(value, list):
        return ", ".join(map(str, value))
    return str(value)


def schema_command(
    toml: Annotated[
        bool, typer.Option("--toml", help="The schema of briefing.toml instead of facts files.")
    ] = False,
) -> None:
    """Print the JSON Schema of facts files or briefing.toml.

    Print the JSON Schema of facts files (for editors' YAML language server), or of
    briefing.toml with --toml.
    """
    from briefing.scaffold.schemas import config_schema, dumps, facts_schema

    typer.echo(dumps(config_schema() if toml else facts_schema()), nl=False)
