"""The translation stage: every free text of a build into one language, memory first.

Texts are split into sentences; the translation memory is asked first, only misses reach the
engine (all of them in one batched pass), and reviewed entries always win. What the engine
returns is cleaned as facts text is and cut to what the memory takes (`taken`). Every machine
sentence, fresh or from the memory, is checked (translation/checks.py); one that fails is
flagged with the checks it failed, in the document, the report and the memory.
"""

from __future__ import annotations

from collections.abc import Iterable

from briefing.languages import SOURCE_LANGUAGE, Language
from briefing.memory.interface import Memory, MemoryEntry, MemoryKey, target_limit
from briefing.terms.glossary import Glossary
from briefing.terms.protect import TERMS_PROBLEM, terms_key, translate_protected
from briefing.translation.checks import PassChecks
from briefing.translation.engines import Engine
from briefing.translation.interface import (
    Origin,
    Progress,
    TranslatedText,
    TranslationBatch,
)
from briefing.translation.segments import split_segments
from briefing.yamlsource.cleaning import clean_outside


class TranslationStage:
    """The translation stage of a build: memory first, then one batched engine pass."""

    def __init__(self, engine: Engine, glossary: Glossary, memory: Memory | None = None) -> None:
        self.engine = engine
        self.glossary = glossary
        self.memory = memory
        self.statistics: dict[str, dict[str, int]] = {}

    def translate(
        self,
        target: Language,
        texts: list[str],
        progress: Progress,
        glossary: Glossary | None = None,
    ) -> TranslationBatch:
        """The batch for `target`, made with one version of its model from start to end; terms
        of `glossary` (a facts file's layered glossary; default: the stage's) are protected."""
        with self.engine.reserve(target):
            terms = self.glossary if glossary is None else glossary
            return self._translate(target, texts, progress, terms)

    def _translate(
        self, target: Language, texts: list[str], progress: Progress, terms: Glossary
    ) -> TranslationBatch:
        identity = self.engine.identity(target)
        segments_of = {text: split_segments(text) for text in texts}
        unique = list(dict.fromkeys(s for segments in segments_of.values() for s in segments))
        key, keys_of = memory_query(unique, target.code, identity, terms)

        known = self.memory.lookup(keys_of, key) if self.memory else {}
        misses = [s for s in unique if s not in known]
        earlier = {s: e.target for s, e in known.items() if not e.reviewed}
        checks = PassChecks(target.code, terms, earlier)
        outcomes = []
        if misses:
            done: list[int] = [0]
            tasks: list[object] = []

            def advance() -> None:
                if done[0] < len(misses):
                    done[0] += 1
                    progress.advance(tasks[0])

            # The engine loads its model here, only when the memory cannot answer, and before
            # translation starts: all it needs is in memory before the first sentence.
            engine = self.engine.translator(target, advance)

            def translate(sentences: list[str]) -> list[str]:
                outputs = engine(sentences)
                return [taken(s, text) for s, text in zip(sentences, outputs, strict=True)]

            with progress.task(f"Translating en→{target.code}", len(misses)) as task:
                tasks.append(task)
                outcomes = translate_protected(misses, terms, target.code, translate, checks)
        fresh = {
            segment: MemoryEntry(outcome.text, reviewed=False, flagged=outcome.flagged)
            for segment, outcome in zip(misses, outcomes, strict=True)
        }
        problems = {s: o.problems for s, o in zip(misses, outcomes, strict=True) if o.flagged}
        # Earlier machine output is checked again: a memory made before a check existed
        # gets it too, and what fails now is stored flagged, so review exports show it.
        now_flagged: dict[str, MemoryEntry] = {}
        for segment, found in zip(
            earlier, checks(list(earlier), list(earlier.values())), strict=True
        ):
            if found:
                problems[segment] = found
                if not known[segment].flagged:
                    known[segment] = now_flagged[segment] = MemoryEntry(
                        earlier[segment], False, True
                    )
            elif known[segment].flagged:
                problems[segment] = (TERMS_PROBLEM,)  # the one check that needs the model's input
        if self.memory and (fresh or now_flagged):
            self.memory.store_machine(fresh | now_flagged, key, keys_of)

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
                target.join(e.target for e in entries),
                origin,
                flagged=any(e.flagged and not e.reviewed for e in entries),
                from_machine=sum(1 for s in segments if s not in known),
                from_memory=sum(1 for s in segments if s in known),
                flagged_segments=sum(1 for e in entries if e.flagged and not e.reviewed),
                problems=tuple(p for s in segments for p in problems.get(s, ())),
            )
        return TranslationBatch(result, identity)


def memory_query(
    segments: Iterable[str], lang: str, model: str, glossary: Glossary
) -> tuple[MemoryKey, dict[str, str]]:
    """How a build asks the memory for `segments` in `lang`: the key of `model` (the engine's
    identity for the language) and `glossary`, and each segment's terms key. A machine entry is
    keyed by the glossary forms found in its own sentence, so that a glossary edit re-translates
    only the sentences holding the terms it touches. A review export asks exactly this too."""
    key = MemoryKey(SOURCE_LANGUAGE, lang, model, glossary.fingerprint)
    return key, {segment: terms_key(segment, glossary, lang) for segment in segments}


def taken(source: str, translation: str) -> str:
    """An engine's translation of `source` as the stage takes it: outside text (a server's above
    all), so cleaned as facts text is; and no longer than the memory takes for `source`, cut
    with "…" (the length check then flags it), before it is checked, stored or printed."""
    text = clean_outside(translation)
    limit = target_limit(source)
    return text if len(text) <= limit else text[: limit - 1] + "…"
