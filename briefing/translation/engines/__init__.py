"""Machine translation engines the translation stage can run, behind one small interface.

Glossary protection, the retry around terms, flagging and the memory stay in the stage and work
the same for every engine. Adding an engine: a module here with a class that has this
interface and a `from_settings(TranslationSettings)` class method (the `translation` section
of the settings), and its entry in `ENGINES` (`briefing/engine_names.py`).
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Protocol

from briefing.languages import Language


class Engine(Protocol):
    """A machine translation engine as the translation stage sees it."""

    def reserve(self, target: Language) -> AbstractContextManager[None]:
        """Keep the model for `target` from changing while the stage uses it: identity and
        translator then name and run one and the same model."""
        ...

    def identity(self, target: Language) -> str:
        """The model that translates into `target`, e.g. "translate-en_ja@1.1": part of the
        memory key and named in the document. Loads nothing; raises MissingModel if none."""
        ...

    def translator(
        self, target: Language, on_result: Callable[[], None]
    ) -> Callable[[list[str]], list[str]]:
        """A function from sentences to translations, in order, calling `on_result` after
        each. Asked for only when the memory cannot answer."""
        ...

    def describe(self) -> str:
        """One line for the build output: which engine, where, on what device."""
        ...
