"""`briefing build --watch`: rebuild when an input of the build changes.

The inputs are the facts files (or every facts file in the sources folder, new ones included),
the glossaries, the template's files and briefing.toml. Folders are watched one by one, not
recursively, so that writing the documents, or a large folder beside the inputs (.venv, .git),
costs nothing. The folder above each is watched too: a sources folder removed and made again (a
checkout, a sync tool) is watched anew, and what was written into it meanwhile is built. What a
rebuild rewrites is the manifest's decision, as in any build: only the documents whose inputs
changed.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

FACTS_SUFFIXES = (".yaml", ".yml")
# Editors' and tools' temporary files, never inputs.
IGNORED_SUFFIXES = (".swp", ".swx", ".tmp", "~", ".part")

# Changes are grouped until none came for STEP_MS (an editor's save is several file operations),
# and for at most DEBOUNCE_MS.
STEP_MS = 200
DEBOUNCE_MS = 1600
# The watcher wakes this often without changes; the first wake-up says it is ready.
IDLE_MS = 500


class Stop(Protocol):
    def is_set(self) -> bool: ...


def _real(path: Path) -> Path:
    return Path(os.path.realpath(path))


@dataclass(frozen=True)
class Inputs:
    """What a build reads, as the watcher sees it."""

    files: frozenset[Path] = frozenset()  # facts files named, glossaries, briefing.toml
    facts_dirs: frozenset[Path] = frozenset()  # any *.yaml in these is a facts file
    trees: frozenset[Path] = frozenset()  # every file below these is an input (the template)

    @classmethod
    def of(
        cls,
        files: list[Path],
        facts_dirs: list[Path] = (),  # type: ignore[assignment]
        trees: list[Path] = (),  # type: ignore[assignment]
    ) -> Inputs:
        return cls(
            frozenset(_real(p) for p in files),
            frozenset(_real(p) for p in facts_dirs),
            frozenset(_real(p) for p in trees),
        )

    def input_folders(self) -> set[Path]:
        """The folders the inputs are in (not recursively): a tree's every folder."""
        folders = {p.parent for p in self.files} | set(self.facts_dirs)
        for tree in self.trees:
            folders.add(tree)
            if tree.is_dir():
                folders.update(p for p in tree.rglob("*") if p.is_dir())
        return folders

    def folders(self) -> list[Path]:
        """Every folder to watch (not recursively): the inputs' folders, and the nearest
        existing folder above each, so that one removed and created again (a checkout, a sync
        tool) is seen coming back, and one not there yet is seen being made."""
        watched = set()
        for folder in self.input_folders():
            if folder.is_dir():
                watched.add(folder)
            above = folder.parent
            while not above.is_dir() and above != above.parent:
                above = above.parent
            watched.add(above)
        return sorted(watched)

    def moves_a_folder(self, path: Path) -> bool:
        """Whether a change to `path` made, removed or renamed a folder of the inputs (or
        one above it): the watches must be placed again."""
        path = _real(path)
        return any(folder == path or folder.is_relative_to(path) for folder in self.input_folders())

    def accepts(self, path: Path) -> bool:
        """Whether a change to `path` is a change to an input (or to a folder of them)."""
        if path.name.startswith((".#", ".~")) or path.name.endswith(IGNORED_SUFFIXES):
            return False
        real = _real(path)
        if real in self.files:
            return True
        if real.parent in self.facts_dirs and real.suffix in FACTS_SUFFIXES:
            return True
        return any(real.is_relative_to(tree) for tree in self.trees) or self.moves_a_folder(path)

    def state(self) -> frozenset[tuple[Path, int, int]]:
        """What the input files are now (name, size, modification time): compared before and
        after the watches are placed again, it says whether something came in between."""
        candidates = set(self.files)
        for folder in self.facts_dirs:
            with contextlib.suppress(OSError):
                candidates.update(p for p in folder.iterdir() if p.suffix in FACTS_SUFFIXES)
        found = set()
        for path in candidates:
            with contextlib.suppress(OSError):
                info = path.stat()
                found.add((path, info.st_size, info.st_mtime_ns))
        return frozenset(found)


def _accepting(inputs: Inputs) -> Callable[[object, str], bool]:
    return lambda _change, name: inputs.accepts(Path(name))


def watch(
    inputs: Callable[[], Inputs],
    rebuild: Callable[[list[Path]], None],
    stop: Stop | None = None,
    on_ready: Callable[[], None] | None = None,
) -> None:
    """Call `rebuild(changed paths)` after each group of changes to the inputs, until `stop` is
    set; Ctrl-C raises KeyboardInterrupt. `inputs` is asked again after every rebuild, since a
    changed briefing.toml may name another template, glossary or sources folder. `on_ready` is
    called once, when the folders are being watched: a change before that could be missed."""
    import watchfiles

    # After a folder of the inputs moved: those folders, and the inputs as the rebuild found
    # them; once the new watches are in place, what came in between is built too.
    catch_up: list[Path] = []
    before: frozenset[tuple[Path, int, int]] = frozenset()
    while True:
        current = inputs()
        try:
            changes_seen = watchfiles.watch(
                *current.folders(),
                watch_filter=_accepting(current),
                recursive=False,
                step=STEP_MS,
                debounce=DEBOUNCE_MS,
                stop_event=stop,
                rust_timeout=IDLE_MS,
                yield_on_timeout=True,
                raise_interrupt=True,
            )
            for changes in changes_seen:
                if not changes:  # an idle wake-up: the watches are in place
                    if on_ready is not None:
                        on_ready()
                        on_ready = None
                    if catch_up and current.state() != before:
                        rebuild(catch_up)  # written while no watch was on the new folder
                    catch_up = []
                    continue
                changed = sorted({Path(name) for _change, name in changes})
                before = current.state()
                rebuild(changed)
                moved = [path for path in changed if current.moves_a_folder(path)]
                if moved or inputs() != current:
                    catch_up = moved
                    break  # watch the new set of folders, or the folder made again
            else:
                return
        except FileNotFoundError:  # a folder went between looking and watching: look again
            time.sleep(STEP_MS / 1000)
