"""What the translation stage and the build exchange: target texts, where they came from,
progress reporting, and the one failure the build expects (no model for a language)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Protocol

from briefing.errors import BriefingError
from briefing.memory.interface import MACHINE, REVIEWED

if TYPE_CHECKING:
    from briefing.languages import Language
    from briefing.terms.glossary import Glossary


class Origin(str, Enum):
    source = "source"  # the text is already in the target language (English documents)
    reviewed = REVIEWED  # a reviewer's translation from the memory
    memory = "memory"  # an earlier machine translation from the memory
    machine = MACHINE  # machine-translated in this build


@dataclass(frozen=True)
class TranslatedText:
    text: str
    origin: Origin
    # a glossary term or placeholder could not be kept, or a check on machine output failed
    # (translation/checks.py): needs a reviewer
    flagged: bool = False
    # how its sentences were obtained, for the build report
    from_machine: int = 0
    from_memory: int = 0
    flagged_segments: int = 0
    # why its flagged sentences are flagged, one "check: detail" per failed check and sentence
    problems: tuple[str, ...] = ()

    @property
    def machine_made(self) -> bool:
        return self.origin in (Origin.machine, Origin.memory)


class Progress(Protocol):
    """Where the build reports how far it is; the CLI shows bars, tests pass a silent one."""

    def task(self, description: str, total: int) -> contextlib.AbstractContextManager[object]: ...

    def advance(self, task: object, amount: int = 1) -> None: ...


class SilentProgress:
    @contextlib.contextmanager
    def task(self, description: str, total: int) -> Iterator[object]:
        yield None

    def advance(self, task: object, amount: int = 1) -> None:
        pass


class LanguageUnavailable(BriefingError):
    """The engine cannot translate a language pair at all (no model, no server, refused): that
    language's documents are not written, the others are, and the build exits with 1."""

    exit_code = 1

    def __init__(self, source: str, target: str, message: str, advice: str = "") -> None:
        super().__init__(message)
        self.source, self.target, self.advice = source, target, advice


class MissingModel(LanguageUnavailable):
    """No installed translation model for a language pair."""

    def __init__(self, source: str, target: str) -> None:
        super().__init__(
            source,
            target,
            f"no translation model installed for {source}→{target}",
            f"install it with `briefing models install {target}`",
        )


@dataclass(frozen=True)
class TranslationBatch:
    """What the translation stage returns for one language: every requested text's target."""

    texts: dict[str, TranslatedText]
    model_label: str


class Translation(Protocol):
    def translate(
        self,
        target: Language,
        texts: list[str],
        progress: Progress,
        glossary: Glossary | None = None,
    ) -> TranslationBatch:
        """`texts` in `target`, with the terms of `glossary` (each facts file has its own
        layered glossary) kept intact; None means the glossary the stage was made with."""
        ...
