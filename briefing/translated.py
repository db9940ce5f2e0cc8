"""What the translation stage hands to localization: target text and where it came from."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Origin(str, Enum):
    source = "source"  # the text is already in the target language (English documents)
    reviewed = "reviewed"  # a reviewer's translation from the memory
    memory = "memory"  # an earlier machine translation from the memory
    machine = "machine"  # machine-translated in this build


@dataclass(frozen=True)
class TranslatedText:
    text: str
    origin: Origin
    flagged: bool = False  # a glossary term or placeholder could not be kept: needs a reviewer
    # how its sentences were obtained, for the build report
    from_machine: int = 0
    from_memory: int = 0
    flagged_segments: int = 0

    @property
    def machine_made(self) -> bool:
        return self.origin in (Origin.machine, Origin.memory)
