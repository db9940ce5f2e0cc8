"""`briefing init`, `briefing config` and `briefing schema`: the workspace and its settings.

Kept light at import: `briefing --help` loads every command module, so heavy libraries are
imported inside the commands that use them.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from briefing.languages import SOURCE_LANGUAGE

if TYPE_CHECKING:
    from briefing.workspace.settings import Settings


def init_command(
    directory: Annotated[
        Path, typer.Argument(metavar="DIR", help="Folder for the workspace (created if missing).")
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
    rows = []
    for key, value, origin in effective(settings):
        note = ""
        if value is None or value == []:  # unset: the value used instead, or what is done
            value, note = unset_meaning(key, settings)
        rows.append((key, _shown(value), origin, note))
    if as_json:
        report = {
            "config_file": str(settings.config_file) if settings.config_file else None,
            "settings": [
                {"key": k, "value": v, "origin": o, **({"used": n} if n else {})}
                for k, v, o, n in rows
            ],
        }
        typer.echo(json.dumps(report, indent=2, ensure_ascii=False))
        return
    if settings.config_file:
        out.print(f"workspace: {settings.config_file}", markup=False)
    else:
        out.print("no briefing.toml here or in any folder above; defaults apply", markup=False)
    shown = [
        (
            key,
            f"({note})" if value is None else _text(value),
            f"{origin} ({note})" if note and value is not None else origin,
        )
        for key, value, origin, note in rows
    ]
    key_width = max(len(key) for key, _, _ in shown)
    value_width = min(40, max(len(value) for _, value, _ in shown))
    for key, value, origin in shown:
        out.print(f"{key:<{key_width}}  {value:<{value_width}}  {origin}", markup=False)


def unset_meaning(key: str, settings: Settings) -> tuple[Any, str]:
    """A setting left unset: the value used instead where there is one, and where it comes
    from or what is done instead (the fields' descriptions say the same after "Unset:")."""
    from briefing.dates import date_style
    from briefing.memory.backend import default_memory_path
    from briefing.models import DEFAULT_INDEX_URL, find_model, resolve_models_dir
    from briefing.models.store import default_models_dir

    section, _, name = key.rpartition(".")
    if key == "glossaries":
        return None, "glossary.yaml beside the facts, when there is one"
    if key == "translation.models_dir":
        named = "ARGOS_PACKAGES_DIR" in os.environ
        return default_models_dir(), "$ARGOS_PACKAGES_DIR" if named else "Argos Translate's folder"
    if key == "translation.memory":
        return default_memory_path(), "briefing's data folder"
    if key == "translation.models_index":
        return DEFAULT_INDEX_URL, "Argos Translate's index"
    if section == "translation.models":
        folder = resolve_models_dir(settings.translation.models_dir)
        model = find_model(folder, SOURCE_LANGUAGE, name)
        if model is None:
            return None, f"none installed for {name}"
        return model.name, "the Argos package, else the first by name"
    if section == "style.range_marks":
        return date_style(name, getattr(settings.style.dates, name)).range_mark, "the date style's"
    if section == "style.mark_text":
        if settings.style.mark == "none":
            return None, "no mark printed"
        return None, f"the words of mark '{settings.style.mark}'"
    meanings = {
        "changes_author": "the document's author, from its facts",
        "translation.url": "none: the libretranslate engine needs one",
        "translation.api_key": "none: requests carry no key",
    }
    return None, meanings.get(key, "unset")


def _text(value: Any) -> str:
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
