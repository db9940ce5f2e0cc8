"""Which files are facts files: those named, the ones in each named folder, or else the ones in
the sources folder. Glossaries sit among them (the workspace's `glossary.yaml`, an event's own
`<stem>.glossary.yaml`) and are left out.
"""

from __future__ import annotations

from pathlib import Path

from briefing.errors import InputError
from briefing.input_files import check_regular
from briefing.terms.glossary import GLOSSARY_NAME
from briefing.terms.layers import EVENT_SUFFIX


def facts_files(paths: list[Path] | None, sources: Path = Path("sources")) -> list[Path]:
    """The given files, each given folder's facts files, or the sources folder's (the glossary
    and the events' own `<stem>.glossary.yaml` files are not facts files)."""
    if not paths:
        found = facts_in(sources)
        if not found:
            raise InputError(
                f"no facts files given and none found in {sources}/; "
                "name one (e.g. sources/EVENT.yaml) or create one with `briefing new NAME`"
            )
        return found
    files: list[Path] = []
    for path in paths:
        if not path.is_dir():
            files.append(path)
            continue
        found = facts_in(path)
        if not found:
            raise InputError(
                f"{path}/: no facts files in this folder (*.yaml other than glossaries); "
                "name a facts file, or a folder that holds some"
            )
        files += found
    return files


def facts_in(folder: Path) -> list[Path]:
    """The facts files of a folder, in name order; a named pipe or device named like one is
    refused (NotAFile), since reading it could block or never end."""
    found = sorted(
        p
        for p in folder.glob("*.yaml")
        if p.name != GLOSSARY_NAME and not p.name.endswith(EVENT_SUFFIX)
    )
    for path in found:
        check_regular(path, "facts files found in a folder")
    return found
