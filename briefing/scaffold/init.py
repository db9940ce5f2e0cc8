"""`briefing init`: a new workspace, ready to validate and build as it is.

briefing.toml is written from the settings' own fields (every key with its description and
default), so a setting added in fields.py appears in new workspaces without a change here.
"""

from __future__ import annotations

import os
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any, get_args

from briefing.atomic import explain_write_error, write_atomic
from briefing.errors import InputError
from briefing.scaffold.schemas import config_schema, dumps, facts_schema
from briefing.workspace.config_file import CONFIG_NAME
from briefing.workspace.fields import FieldSpec, Settings, fields, sections
from briefing.workspace.wrong_values import toml_text

SCHEMA_NAME = "facts.schema.json"
CONFIG_SCHEMA_NAME = "briefing.schema.json"
STARTER_NAME = "first-event"
GLOSSARY_NAME = "glossary.yaml"

# What a new workspace sets where the defaults are not what it needs: its own glossary.
INIT_VALUES: dict[str, Any] = {"glossaries": [GLOSSARY_NAME]}

GLOSSARY = """\
# The workspace glossary (term base): official Japanese and Korean renderings of the people,
# places and organisations your events name. It is stacked over the base term base that ships
# with briefing; a term here with the same id replaces the base one.
#
# Names in the facts (participants, city, venue, host country, event title) are taken from
# here, never from machine translation; one missing here is printed in English and marked for
# the reviewer, and listed in the build report with the entry to add.
#
# Say where each form was checked (government pages first, then major news outlets).
version: "1"               # change when any rendering changes
terms: []
#  - id: sanae-takaichi
#    kind: person          # person | place | organisation | event | thing
#    en: Sanae Takaichi
#    ja: 高市早苗
#    ko: 다카이치 사나에
#    variants: [Takaichi]
#    title: {en: Prime Minister of Japan, ja: 内閣総理大臣, ko: 일본 총리}
#    checked:
#      ja: https://www.kantei.go.jp/ …
#      ko: https://www.mofa.go.kr/ …
"""


@dataclass(frozen=True)
class Written:
    path: Path
    action: str  # wrote | kept


def _comment(text: str) -> list[str]:
    return ["# " + line for line in textwrap.wrap(text, 96)]


def _entry(spec: FieldSpec) -> list[str]:
    name = spec.key.rsplit(".", 1)[-1]
    lines = _comment(spec.description)
    also = [f"option {spec.via.option}" if spec.via.option else "", spec.via.env or ""]
    if any(also):
        lines += _comment("Also: " + ", ".join(part for part in also if part) + ".")
    value = INIT_VALUES.get(spec.key, spec.default)
    if value is None:
        number = int in get_args(spec.annotation)  # unset numbers: a number goes here, no quotes
        lines.append(f"# {name} = …" if number else f'# {name} = "…"')
    else:
        lines.append(f"{name} = {toml_text(value)}")
    return lines


def config_text() -> str:
    """A new workspace's briefing.toml: every setting, commented, at its default."""
    out = [
        f"#:schema ./{CONFIG_SCHEMA_NAME}",
        "# briefing workspace settings. Commands run anywhere below this folder use them.",
        "# Precedence: command-line option > environment variable > this file > default.",
        "# Relative paths are relative to this folder. `briefing config` shows what is in effect.",
        "",
    ]
    specs = list(fields())
    for prefix, model in sections():
        in_section = [
            spec
            for spec in specs
            if spec.key.startswith(prefix) and "." not in spec.key[len(prefix) :]
        ]
        if prefix:
            out += ["", *_comment(model.__doc__ or ""), f"[{prefix.rstrip('.')}]"]
        for spec in in_section:
            out += _entry(spec)
    return "\n".join(out) + "\n"


def glossary_place(root: Path) -> str:
    """Where the builds of a new workspace at `root` find its glossary, in words."""
    from briefing.facts.starter import glossary_place as place

    return place([root / name for name in INIT_VALUES["glossaries"]], root)


def starter_text(schema_ref: str, root: Path = Path(".")) -> str:
    from briefing.facts.starter import STARTER

    path = f"sources/{STARTER_NAME}.yaml"
    text = STARTER.format(path=path, glossaries=glossary_place(root))
    return f"# yaml-language-server: $schema={schema_ref}\n" + text


def gitignore_text(settings_out: str = "out") -> str:
    return f"# Generated documents; rebuild them with `briefing build`.\n/{settings_out}/\n"


def _folder_inside(directory: Path, folder: Path) -> None:
    """Refuse a folder of the workspace that is a symbolic link leading out of it: init would
    write there (the starter file) or the builds would, somewhere the user did not choose here.
    Something there that is not a folder (a file, a link to nothing) is refused as well."""
    if os.path.lexists(folder) and not folder.is_dir():
        link = f" (a symbolic link to {os.readlink(folder)})" if folder.is_symlink() else ""
        raise InputError(
            f"{folder} is there but is not a folder{link}; briefing init needs a folder there. "
            "Move it aside and run init again"
        )
    if not folder.is_symlink():
        return
    target = folder.resolve()
    if not target.is_relative_to(directory.resolve()):
        raise InputError(
            f"{folder} is a symbolic link to {target}, outside the workspace; briefing init "
            "writes only inside the folder it sets up. Remove the link (or make it a folder) "
            "and run init again"
        )


def init_workspace(directory: Path, force: bool = False) -> list[Written]:
    """Write a workspace into `directory`; files already there are kept unless `force`.

    An existing briefing.toml is an error without `force`: the folder already is a workspace.
    Nothing is written through a symbolic link: a link where a file goes counts as a file
    there (kept), and `force` replaces the link itself, never what it points to; the sources
    and out folders may not be links that lead out of the workspace.
    """
    config = directory / CONFIG_NAME
    if config.is_symlink() and not force:
        raise InputError(
            f"{config} is a symbolic link (to {os.readlink(config)}); briefing init does not "
            "write through links. Remove it, or pass --force to replace the link itself with "
            "a new file (what it points to is left alone)"
        )
    if os.path.lexists(config) and not force:
        raise InputError(
            f"{config} already exists: {directory} is a workspace already. "
            "Run `briefing config` there to see its settings, or pass --force to rewrite "
            "the files `briefing init` writes."
        )
    if directory.exists() and not directory.is_dir():
        raise InputError(f"{directory} exists and is not a folder; name a new or existing folder")
    defaults = Settings()
    out_name = defaults.out.as_posix()
    for folder in (directory / defaults.sources, directory / defaults.out):
        _folder_inside(directory, folder)
    files = {
        config: config_text(),
        directory / CONFIG_SCHEMA_NAME: dumps(config_schema()),
        directory / SCHEMA_NAME: dumps(facts_schema()),
        directory / GLOSSARY_NAME: GLOSSARY,
        directory / ".gitignore": gitignore_text(out_name),
        directory / defaults.sources / f"{STARTER_NAME}.yaml": starter_text(
            f"../{SCHEMA_NAME}", directory
        ),
    }
    written = []
    for path, text in files.items():
        if os.path.lexists(path) and not force:
            written.append(Written(path, "kept"))
            continue
        try:
            write_atomic(path, text.encode("utf-8"))  # replaces a link, never writes through it
        except OSError as err:
            raise InputError(f"cannot write {explain_write_error(path, err)}") from None
        written.append(Written(path, "wrote"))
    (directory / defaults.out).mkdir(parents=True, exist_ok=True)
    return written
