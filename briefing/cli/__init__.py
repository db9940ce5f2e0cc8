"""The command line. `main` is the console-script entry point; tests drive `app`."""

import os

# pydantic looks for plugins in every installed package's entry points on its first model,
# which costs a short build a tenth of its time; the command line uses none.
os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")

from briefing.cli.app import app, main  # noqa: E402 - after the setting it must see

__all__ = ["app", "main"]
