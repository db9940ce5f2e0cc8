"""The command line. `main` is the console-script entry point; tests drive `app`."""

from briefing.cli.app import app, main

__all__ = ["app", "main"]
