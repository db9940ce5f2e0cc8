"""What every command shares: the two consoles, the debug switch, printing located problems,
the options several commands declare alike (--tm, --glossary, --template) and opening the
memory --tm names.

Nothing heavy is imported here: `briefing --help` loads every command module, so rich and the
stages are imported where a command first uses them.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from briefing.errors import Problem

if TYPE_CHECKING:
    from rich.console import Console

    from briefing.memory.backend import MemoryBackend


class OutputClosed(Exception):
    """The reader of the output went away (`briefing config | head -1`). Not an OSError and
    not rich's SystemExit(1), so that main() ends with BROKEN_PIPE, not the status of a
    missing model."""


class LazyConsole:
    """A rich Console made on first use, so that importing the command line stays fast."""

    def __init__(self, **options: Any) -> None:
        self._options = options
        self._console: Console | None = None

    def console(self) -> Console:
        """The Console itself, for rich objects that take one (progress bars)."""
        if self._console is None:
            from rich.console import Console

            class PipedConsole(Console):
                def on_broken_pipe(self) -> None:
                    self.quiet = True
                    raise OutputClosed

            self._console = PipedConsole(**self._options)
        return self._console

    def __getattr__(self, name: str) -> Any:
        return getattr(self.console(), name)


def escape(text: str) -> str:
    """rich.markup.escape, imported when first needed."""
    from rich.markup import escape as rich_escape

    return rich_escape(text)


err = LazyConsole(stderr=True, highlight=False, soft_wrap=True)
out = LazyConsole(highlight=False, soft_wrap=True)
# debug: --debug; collecting: whether the garbage collector ran when main was called (paused
# during start-up, see app.main); frozen: start-up's objects set aside, once a process
state = {"debug": False, "collecting": True, "frozen": False}

# Where a command finds the workspace glossary when --glossary is not given: every command's
# help says it in these words (terms.layers.workspace_glossaries is the rule itself).
GLOSSARY_DEFAULT = (
    "Default: the setting `glossaries` of briefing.toml (`briefing init` sets glossary.yaml in "
    "the workspace folder), else glossary.yaml beside the facts."
)
# The same, for a command that reads no facts file: the sources folder's stand for them.
GLOSSARY_OF_SOURCES = GLOSSARY_DEFAULT.removesuffix(".") + " files of the sources folder."
INTERRUPTED = "interrupted; documents already written are complete, none is half-written"

# Options several commands declare alike; a command whose option means more says so itself.
GlossaryOption = Annotated[
    Path | None,
    typer.Option(
        "--glossary",
        help=f"Workspace glossary file, over the base term base. {GLOSSARY_DEFAULT}",
    ),
]
TemplateOption = Annotated[
    str | None,
    typer.Option(
        "--template",
        help="A bundled template's name, or a folder. Default: the setting `template`.",
    ),
]


def options_given(ctx: typer.Context) -> dict[str, Any]:
    """The settings this command line sets, by dotted key: every option given whose name a
    setting's `Via(option=…)` names (--lang, --tm, …). An option left at its default is not
    given, so the environment and briefing.toml still apply; for `load_settings`."""
    from briefing.workspace.fields import option_keys

    keys = option_keys()
    given: dict[str, Any] = {}
    for param in ctx.command.params:
        key = next((keys[name] for name in param.opts if name in keys), None)
        if key is None or param.name is None:
            continue
        source = ctx.get_parameter_source(param.name)  # click's ParameterSource
        if source is not None and source.name in ("COMMANDLINE", "ENVIRONMENT"):
            given[key] = ctx.params[param.name]
    return given


def print_problems(problems: list[Problem]) -> None:
    for problem in problems:
        colour = "red" if problem.severity == "error" else "yellow"
        where = escape(f"{problem.location()}: {problem.severity}:")
        err.print(f"[{colour}]{where}[/] {escape(problem.message)}")
        if problem.hint:
            err.print(f"    {escape(problem.hint)}")


TmOption = Annotated[
    str | None,
    typer.Option(
        "--tm",
        help="Translation memory: a file, or a postgresql:// URL. Default: $BRIEFING_TM, else "
        "the setting translation.memory in briefing.toml, else memory.sqlite in briefing's "
        "user data folder.",
    ),
]


def memory_setting(tm: str | None) -> str | None:
    """--tm, else BRIEFING_TM, else briefing.toml's translation.memory (None: the default)."""
    from briefing.workspace.settings import load_settings

    return load_settings({"translation.memory": tm}).translation.memory


def open_memory(location: str | Path | None, *, reading_will_do: bool = False) -> MemoryBackend:
    """The memory at `location`, opened; when opening it upgraded an older memory, the user is
    told where the copy of the old one was saved. `reading_will_do`: see backend.open_memory."""
    from briefing.memory import backend
    from briefing.memory.sql import SCHEMA_VERSION

    memory = backend.open_memory(location, reading_will_do=reading_will_do)

    if memory.migrated_backup is not None:
        err.print(
            f"upgraded the translation memory {escape(memory.name)} to version {SCHEMA_VERSION};"
            f" the old one is saved as {escape(str(memory.migrated_backup))}"
        )
    return memory
