"""The Argos engine: an installed Argos Translate package run with CTranslate2 directly.

All segments a build needs in one language go through one batched CTranslate2 pass, tokenized
with the package's own tokenizer; `argostranslate.translate` is not used because its sentence
splitter downloads a model on first use.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from briefing.errors import BriefingError
from briefing.languages import SOURCE_LANGUAGE, Language
from briefing.translation.engines.device import Device, resolve_device
from briefing.translation.interface import MissingModel
from briefing.workspace.fields import TranslationSettings

DEFAULTS = TranslationSettings()  # beam and batch size: each default is the setting's
MAX_DECODING_LENGTH = 256
LIMIT_STEP = 32
#: More translators than this add memory for work spread too thin to use them.
MAX_TRANSLATORS = 8


def thread_layout(cores: int | None = None) -> tuple[int, int]:
    """(inter_threads, intra_threads) for CTranslate2 on this machine's CPU cores.

    Batches decoded side by side, one thread each, beat one batch decoded by several threads:
    on 2 cores, 96 sentences at beam 2 ran at 27 segments/s with 2×1 against 16 with 1×1 or
    1×2 (random benchmark model, batch 16), and CTranslate2's performance guide recommends
    inter-op over intra-op threads on CPU. benchmarks/translation.py sweeps the layouts.
    Threads beyond MAX_TRANSLATORS go inside each translator instead.
    """
    cores = max(1, cores or os.cpu_count() or 1)
    inter = min(cores, MAX_TRANSLATORS)
    return inter, max(1, cores // inter)


@dataclass(frozen=True)
class Decoding:
    """How CTranslate2 decodes: beam and batch from the settings, the longest output."""

    beam_size: int = DEFAULTS.beam_size
    batch_size: int = DEFAULTS.batch_size
    max_decoding_length: int = MAX_DECODING_LENGTH


CPU = Device("cpu", "auto", 0, "default")


class LoadedModel:
    """An installed Argos package, loaded once: its tokenizer and its CTranslate2 translator."""

    def __init__(self, path: Path, identity: str, device: Device | None = None) -> None:
        import ctranslate2
        from argostranslate.package import Package

        device = device or CPU
        self.path = path
        self.identity = identity
        self.package = Package(path)
        inter, intra = thread_layout()
        if device.name != "cpu":
            inter, intra = 1, 0  # one batch at a time on a GPU; its threads are not the cores'
        if device.intra_threads:
            intra = device.intra_threads  # as configured (--intra-threads)
        self.translator = ctranslate2.Translator(
            str(path / "model"),
            device=device.name,
            compute_type=device.compute_type,
            inter_threads=inter,
            intra_threads=intra,
        )
        self.target_prefix = getattr(self.package, "target_prefix", "") or ""
        # Argos loads tokenizers lazily; load it now, so that everything the model needs is in
        # memory before translation starts and a package removed mid-build cannot matter.
        self.package.tokenizer.encode("Ready.")

    def encode(self, texts: list[str]) -> list[list[str]]:
        return [self.package.tokenizer.encode(text) for text in texts]

    def decode(self, tokens: list[str]) -> str:
        text = self.package.tokenizer.decode(tokens)
        if self.target_prefix and text.startswith(self.target_prefix):
            text = text[len(self.target_prefix) :]
        return text.strip()

    def plan(
        self, batch: list[list[str]], decoding: Decoding
    ) -> list[tuple[list[int], dict[str, Any]]]:
        """Groups of segments (their positions) that share a decoding limit, with options.

        A segment's limit follows from its own length alone (twice it, plus room, in steps of
        LIMIT_STEP), never from the other segments of the build: a sentence translates the same
        whatever it is built with. Within a group CTranslate2 batches and sorts by length.
        """
        groups: dict[int, list[int]] = {}
        for index, tokens in enumerate(batch):
            wanted = 2 * len(tokens) + 16
            limit = min(decoding.max_decoding_length, -(-wanted // LIMIT_STEP) * LIMIT_STEP)
            groups.setdefault(limit, []).append(index)
        plan = []
        for limit, indices in sorted(groups.items()):
            options: dict[str, Any] = dict(
                max_batch_size=decoding.batch_size,
                beam_size=decoding.beam_size,
                max_decoding_length=limit,
                replace_unknowns=True,
                length_penalty=0.2,
            )
            if self.target_prefix:
                options["target_prefix"] = [[self.target_prefix]] * len(indices)
            plan.append((indices, options))
        return plan

    def translate_tokens(
        self,
        batch: list[list[str]],
        decoding: Decoding,
        on_result: Callable[[], None] | None = None,
    ) -> list[list[str]]:
        """Every tokenized segment through the model in batches, results in input order.

        Every group's batches are queued at once (asynchronous calls), so all translators stay
        busy across the groups instead of waiting for the last batch of each; CTranslate2 sorts
        each group by length before cutting it into batches.
        """
        results: list[list[str]] = [[] for _ in batch]
        pending: list[tuple[int, Any]] = []
        for indices, options in self.plan(batch, decoding):
            source = [batch[index] for index in indices]
            answers = self.translator.translate_batch(source, asynchronous=True, **options)
            pending += zip(indices, answers, strict=True)
        for index, answer in pending:
            results[index] = answer.result().hypotheses[0]
            if on_result:
                on_result()
        return results

    def engine(
        self, decoding: Decoding, on_result: Callable[[], None] | None = None
    ) -> Callable[[list[str]], list[str]]:
        """The model as a function from texts to translations, as term protection calls it."""

        def translate(texts: list[str]) -> list[str]:
            outputs = self.translate_tokens(self.encode(texts), decoding, on_result)
            return [self.decode(tokens) for tokens in outputs]

        return translate


_loaded: dict[tuple[Path, str, str, str, int], LoadedModel] = {}


def load_model(path: Path, identity: str, device: Device | None = None) -> LoadedModel:
    """Each package is loaded once per process (and device), however many builds use it."""
    device = device or CPU
    key = (path.resolve(), identity, device.name, device.compute_type, device.intra_threads)
    if key not in _loaded:
        try:
            _loaded[key] = LoadedModel(path, identity, device)
        except (OSError, RuntimeError, ValueError) as err:
            raise BriefingError(
                f"the translation model {identity} in {path} could not be loaded ({err}); "
                f"it may have been removed or damaged: reinstall it with "
                f"`briefing models install {identity.split('_')[-1].split('@')[0]}` "
                "or from its .argosmodel file"
            ) from None
    return _loaded[key]


class ArgosEngine:
    """The installed Argos package for each target language, run with CTranslate2."""

    name = "argos"

    def __init__(
        self,
        models_dir: Path | None = None,
        decoding: Decoding | None = None,
        device: Device | None = None,
    ) -> None:
        self.models_dir = models_dir
        self.decoding = decoding or Decoding()
        self.device = device or CPU
        # The package found for each language when its identity was asked: the one loaded
        # later, even if the folder changes in between (then loading fails, and says so).
        self.found: dict[str, tuple[Path, str]] = {}

    def installed_model(self, target: Language) -> tuple[Path, str]:
        """Path and identity of the en→target package; reading metadata only, no loading."""
        from briefing import models

        directory = models.resolve_models_dir(self.models_dir)
        models.configure_argos(directory)
        installed = models.find_model(directory, SOURCE_LANGUAGE, target.code)
        if installed is None:
            raise MissingModel(SOURCE_LANGUAGE, target.code)
        return installed.path, models.model_identity(installed)

    def reserve(self, target: Language) -> AbstractContextManager[None]:
        """Installs and removals in the models folder wait while this is held (a shared lock:
        other builds go on)."""
        from briefing import models

        return models.in_use(models.resolve_models_dir(self.models_dir))

    def identity(self, target: Language) -> str:
        self.found[target.code] = self.installed_model(target)
        return self.found[target.code][1]

    def translator(
        self, target: Language, on_result: Callable[[], None]
    ) -> Callable[[list[str]], list[str]]:
        path, identity = self.found.get(target.code) or self.installed_model(target)
        return load_model(path, identity, self.device).engine(self.decoding, on_result)

    @classmethod
    def from_settings(cls, settings: TranslationSettings) -> ArgosEngine:
        decoding = Decoding(beam_size=settings.beam_size, batch_size=settings.batch_size)
        return cls(settings.models_dir, decoding, resolve_device(settings))

    def describe(self) -> str:
        return f"in-process Argos models on {self.device.describe()}"
