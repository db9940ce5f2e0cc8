"""The `briefing` command line: the typer app, its command groups, and the entry point."""

from __future__ import annotations

import contextlib
import gc
import io
import os
import select
import signal
import sys
import threading
import traceback
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from briefing import __version__
from briefing.cli.build import build_command
from briefing.cli.common import INTERRUPTED, OutputClosed, err, escape, print_problems, state
from briefing.cli.facts import new_command, validate_command
from briefing.cli.glossary import glossary_app
from briefing.cli.memory import memory_app
from briefing.cli.models import models_app
from briefing.cli.review import review_app
from briefing.cli.versions import changes_command, release_command, versions_command
from briefing.cli.workspace import config_command, init_command, schema_command
from briefing.errors import BROKEN_PIPE, INTERNAL_ERROR, BriefingError


class BriefingGroup(TyperGroup):
    """The command group: a write to a closed pipe, while parsing (--help) or running any
    command, leaves it as `closed_output` says (OutputClosed, for main() to end quietly with
    BROKEN_PIPE), never as the OSError that the command-line library turns into exit 1."""

    def make_context(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().make_context(*args, **kwargs)
        except BrokenPipeError as closed:
            raise closed_output(closed) from closed

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except BrokenPipeError as closed:
            raise closed_output(closed) from closed


def closed_output(error: BrokenPipeError) -> Exception:
    """OutputClosed when the reader of stdout or stderr went away; a pipe to anything else
    (a child process, a server) closing unexpectedly is a fault, reported as one."""
    if output_gone():
        return OutputClosed()
    return RuntimeError(f"a pipe closed unexpectedly: {error}")


def output_gone() -> bool:
    """Whether stdout or stderr is a pipe or socket whose reader has gone: poll reports an
    error on it. Where there is no poll (Windows), the broken pipe is taken to be the output."""
    if not hasattr(select, "poll"):
        return True
    poller = select.poll()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError, io.UnsupportedOperation):
            poller.register(stream.fileno(), 0)  # errors and hang-ups are always reported
    return any(event & (select.POLLERR | select.POLLHUP) for _, event in poller.poll(0))


app = typer.Typer(
    cls=BriefingGroup,
    name="briefing",
    help="Policy briefings on diplomatic events: facts (YAML) in, Word documents out, "
    "in English, Japanese and Korean, offline.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
# Each group's help is its own Typer's: the first line is the summary `briefing --help` prints.
app.add_typer(models_app, name="models")
app.add_typer(review_app, name="review")
app.add_typer(memory_app, name="memory")
app.add_typer(glossary_app, name="glossary")
app.command("build")(build_command)
app.command("changes")(changes_command)
app.command("versions")(versions_command)
app.command("release")(release_command)
app.command("validate")(validate_command)
app.command("new")(new_command)
app.command("init")(init_command)
app.command("config")(config_command)
app.command("schema")(schema_command)


def version_callback(value: bool) -> None:
    if value:
        print(f"briefing {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    debug: Annotated[
        bool, typer.Option("--debug", help="Show Python tracebacks for unexpected errors.")
    ] = False,
    version: Annotated[
        bool,
        typer.Option("--version", callback=version_callback, is_eager=True, help="Show version."),
    ] = False,
) -> None:
    state["debug"] = debug
    collect_from_here()


def collect_from_here() -> None:
    """The command starts: garbage is collected as usual from here, over what it makes. What
    start-up made (typer's commands, pydantic's validators, the modules) lives as long as the
    process, so it is set aside for good, once a process (gc.freeze), not walked again at
    every collection."""
    if not state["collecting"]:
        return  # paused by whoever called main; theirs to resume
    if not state["frozen"]:
        gc.freeze()
        state["frozen"] = True
    gc.enable()


class Terminated(BaseException):
    """SIGTERM, raised where the program is, so that it cleans up as after Ctrl-C."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _terminate(signum: int, frame: object) -> None:
    raise Terminated(signum)


def main() -> None:
    """Entry point: errors for people without tracebacks, unless --debug."""
    # Like Ctrl-C, a polite kill unwinds: work folders and temporary files are removed, locks
    # released. Not a KeyboardInterrupt, which the command-line library would swallow.
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _terminate)
    # Parsing the command line makes tens of thousands of objects and hardly any garbage; the
    # cyclic collector would walk them over and over (with the stages' imports after them, a
    # tenth of a short build's CPU time). It is paused until the command starts.
    state["collecting"] = gc.isenabled()
    gc.disable()
    try:
        run()
    except (BrokenPipeError, OutputClosed):
        # Quietly, as a program that SIGPIPE ends: what was written was read; nothing more is.
        silence_output()
        sys.exit(BROKEN_PIPE)
    finally:
        if state["collecting"]:
            gc.enable()


def run() -> None:
    """The command, each way it can end turned into its exit status and message."""
    try:
        try:
            app()
        finally:
            # Output still buffered goes now, so a closed pipe is seen here, not at exit.
            sys.stdout.flush()
            sys.stderr.flush()
    except (BrokenPipeError, OutputClosed):
        raise
    except Terminated as stop:
        err.print(INTERRUPTED)
        sys.exit(128 + stop.signum)
    except BriefingError as error:
        if error.problems and not error.args[0]:
            print_problems(error.problems)  # each already says where and "error:"
        else:
            err.print(f"[red]error:[/] {escape(str(error))}")
        sys.exit(error.exit_code)
    except KeyboardInterrupt:
        err.print(INTERRUPTED)
        sys.exit(130)
    except Exception as error:  # noqa: BLE001 - last line of defence for people, not developers
        if state["debug"]:
            traceback.print_exc()
        else:
            err.print(
                f"[red]internal error:[/] {type(error).__name__}: {escape(str(error))}\n"
                "    Run again with --debug for details, and report it with the input file."
            )
        sys.exit(INTERNAL_ERROR)


def silence_output() -> None:
    """stdout and stderr to the null device, so the interpreter's last flush of what they
    still buffer meets no closed pipe (which would print a traceback and exit with 120)."""
    null = os.open(os.devnull, os.O_WRONLY)
    for stream in (sys.stdout, sys.stderr):
        # not a file (a test's captured output): nothing to silence
        with contextlib.suppress(OSError, ValueError, io.UnsupportedOperation):
            os.dup2(null, stream.fileno())
    os.close(null)
