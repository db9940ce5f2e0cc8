"""The translation stage: every free text of a build into one language, memory first.

Texts are split into sentences; the translation memory is asked first, only misses reach the
engine (all of them in one batched pass), and reviewed entries always win.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from briefing.languages import SOURCE_LANGUAGE, Language
from briefing.memory.interface import Memory, MemoryEntry, MemoryKey
from briefing.terms.glossary import Glossary
from briefing.terms.protect import translate_protected
from briefing.translation.engines.argos import Settings, load_model
from briefing.translation.interface import (
    MissingModel,
    Origin,
    Progress,
    TranslatedText,
    TranslationBatch,
)
from briefing.translation.segments import split_segments


def assemble(segment_targets: Iterable[str], lang: str) -> str:
    """Join translated sentences the way the target language writes them."""
    separator = "" if lang in ("ja", "zh") else " "
    return separator.join(t for t in segment_targets if t)


class ArgosTranslation:
    """The translation stage of a build: memory first, then one batched model pass."""

    def __init__(
        self,
        models_dir: Path | None,
        glossary: Glossary,
        memory: Memory | None = None,
        settings: Settings | None = None,
    ) -> None:
        self.models_dir = models_dir
        self.glossary = glossary
        self.memory = memory
        self.settings = settings or Settings()
        self.statistics: dict[str, dict[str, int]] = {}

    def installed_model(self, target: Language) -> tuple[Path, str]:
        """Path and identity of the en→target package; reading metadata only, no loading."""
        from briefing import models

        directory = models.resolve_models_dir(self.models_dir)
        models.configure_argos(directory)
        installed = models.find_model(directory, SOURCE_LANGUAGE, target.code)
        if installed is None:
            raise MissingModel(SOURCE_LANGUAGE, target.code)
        return installed.path, models.model_identity(installed)

    def translate(
        self,
        target: Language,
        texts: list[str],
        progress: Progress,
        glossary: Glossary | None = None,
    ) -> TranslationBatch:
        """`texts` in `target`; terms of `glossary` (default: the stage's) are protected."""
        terms = self.glossary if glossary is None else glossary
        path, identity = self.installed_model(target)
        key = MemoryKey(SOURCE_LANGUAGE, target.code, identity, terms.fingerprint)
        segments_of = {text: split_segments(text) for text in texts}
        unique = list(dict.fromkeys(s for segments in segments_of.values() for s in segments))

        known = self.memory.lookup(unique, key) if self.memory else {}
        misses = [s for s in unique if s not in known]
        outcomes = []
        if misses:
            model = load_model(path, identity)  # only when the memory cannot answer
            with progress.task(f"Translating en→{target.code}", len(misses)) as task:
                done = [0]

                def advance() -> None:
                    if done[0] < len(misses):
                        done[0] += 1
                        progress.advance(task)

                engine = model.engine(self.settings, advance)
                outcomes = translate_protected(misses, terms, target.code, engine)
        fresh = {
            segment: MemoryEntry(outcome.text, reviewed=False, flagged=outcome.flagged)
            for segment, outcome in zip(misses, outcomes, strict=True)
        }
        if self.memory and fresh:
            self.memory.store_machine(fresh, key)

        self.statistics[target.code] = {
            "segments": len(unique),
            "memory": len(unique) - len(misses),
            "machine": len(misses),
            "flagged": sum(1 for e in fresh.values() if e.flagged),
        }
        result: dict[str, TranslatedText] = {}
        for text, segments in segments_of.items():
            entries = [known.get(s) or fresh[s] for s in segments]
            if all(s in known and known[s].reviewed for s in segments):
                origin = Origin.reviewed
            elif any(s in fresh for s in segments):
                origin = Origin.machine
            else:
                origin = Origin.memory
            result[text] = TranslatedText(
                assemble((e.target for e in entries), target.code),
                origin,
                flagged=any(e.flagged and not e.reviewed for e in entries),
                from_machine=sum(1 for s in segments if s not in known),
                from_memory=sum(1 for s in segments if s in known),
                flagged_segments=sum(1 for e in entries if e.flagged and not e.reviewed),
            )
        return TranslationBatch(result, identity)
