"""The in-process engine ("argos"): an installed model run with CTranslate2 directly.

The model is an Argos Translate package or a CTranslate2 model converted from Marian, M2M100
or NLLB (models/families.py): all segments a build needs in one language go through one
batched CTranslate2 pass, tokenized with the model's own tokenizer and its family's language
tokens (stripped from the output). `argostranslate.translate` is not used because its
sentence splitter downloads a model on first use.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from briefing.errors import BriefingError
from briefing.languages import SOURCE_LANGUAGE, Language
from briefing.translation.engines.device import Device, resolve_device
from briefing.translation.interface import LanguageUnavailable, MissingModel
from briefing.workspace.fields import TranslationSettings

DEFAULTS = TranslationSettings()  # beam and batch size: each default is the setting's
MAX_DECODING_LENGTH = 256
LIMIT_STEP = 32
#: More translators than this add memory for work spread too thin to use them.
MAX_TRANSLATORS = 8
#: Seconds between two looks at whether CTranslate2 has finished a batch: a signal's handler
#: runs only between Python steps, never inside CTranslate2's own wait.
RESULT_POLL = 0.01


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
    """An installed model, loaded once for one target language: its tokenizer (with the
    family's language tokens for that language) and its CTranslate2 translator, which the
    target languages of a multilingual model share."""

    def __init__(
        self, path: Path, identity: str, device: Device | None = None, target: str | None = None
    ) -> None:
        from briefing.models.families import model_folder, open_tokens
        from briefing.models.store import read_installed

        device = device or CPU
        self.path = path
        self.identity = identity
        served = read_installed(path)
        card = served[0].card if served else None
        self.target = target or (served[0].to_code if served else "")
        self.tokens = open_tokens(path, card)
        self.translator = shared_translator(model_folder(path, card), device)
        self.target_prefix = self.tokens.target_prefix(self.target)

    def encode(self, texts: list[str]) -> list[list[str]]:
        return [self.tokens.encode(text, self.target) for text in texts]

    def decode(self, tokens: list[str]) -> str:
        return self.tokens.decode(tokens, self.target).strip()

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
                options["target_prefix"] = [self.target_prefix] * len(indices)
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
            while not answer.done():  # result() alone would hold Ctrl-C off until it is done
                time.sleep(RESULT_POLL)
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


_translators: dict[tuple[Path, str, str, int], Any] = {}


def shared_translator(model_dir: Path, device: Device) -> Any:
    """One CTranslate2 translator per model folder and device, however many target languages
    (a multilingual model's) and builds use it."""
    import ctranslate2

    key = (model_dir.resolve(), device.name, device.compute_type, device.intra_threads)
    if key not in _translators:
        inter, intra = thread_layout()
        if device.name != "cpu":
            inter, intra = 1, 0  # one batch at a time on a GPU; its threads are not the cores'
        if device.intra_threads:
            intra = device.intra_threads  # as configured (--intra-threads)
        _translators[key] = ctranslate2.Translator(
            str(model_dir),
            device=device.name,
            compute_type=device.compute_type,
            inter_threads=inter,
            intra_threads=intra,
        )
    return _translators[key]


_loaded: dict[tuple[Path, str, str, str, int, str | None], LoadedModel] = {}


def load_model(
    path: Path, identity: str, device: Device | None = None, target: str | None = None
) -> LoadedModel:
    """Each model is loaded once per process (device and target language), however many
    builds use it."""
    device = device or CPU
    if target is None:  # the model's first (an Argos package's only) language
        from briefing.models.store import read_installed

        served = read_installed(path)
        target = served[0].to_code if served else None
    key = (path.resolve(), identity, device.name, device.compute_type, device.intra_threads, target)
    if key not in _loaded:
        try:
            _loaded[key] = LoadedModel(path, identity, device, target)
        except (OSError, RuntimeError, ValueError) as err:
            raise BriefingError(
                f"the translation model {identity} in {path} could not be loaded ({err}); "
                f"it may have been removed or damaged: reinstall it with "
                f"`briefing models install {target or identity.split('_')[-1].split('@')[0]}` "
                "or from its package file"
            ) from None
    return _loaded[key]


def forget_models() -> None:
    """Let every loaded model go (`briefing models evaluate` measures each alone)."""
    _loaded.clear()
    _translators.clear()


class ArgosEngine:
    """The installed model for each target language (the one `choices` names for it, else the
    default: models.find_model), run with CTranslate2."""

    name = "argos"

    def __init__(
        self,
        models_dir: Path | None = None,
        decoding: Decoding | None = None,
        device: Device | None = None,
        choices: Mapping[str, str] | None = None,
    ) -> None:
        self.models_dir = models_dir
        self.decoding = decoding or Decoding()
        self.device = device or CPU
        self.choices = dict(choices or {})  # target language → model name
        # The package found for each language when its identity was asked: the one loaded
        # later, even if the folder changes in between (then loading fails, and says so).
        self.found: dict[str, tuple[Path, str]] = {}

    def installed_model(self, target: Language) -> tuple[Path, str]:
        """Path and identity of the en→target model builds use; reading metadata only."""
        from briefing import models

        directory = models.resolve_models_dir(self.models_dir)
        models.configure_argos(directory)
        chosen = self.choices.get(target.code)
        installed = models.find_model(directory, SOURCE_LANGUAGE, target.code, chosen)
        if installed is None and chosen:
            raise ChosenModelMissing(target.code, chosen, directory)
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
        model = load_model(path, identity, self.device, target.code)
        return model.engine(self.decoding, on_result)

    @classmethod
    def from_settings(cls, settings: TranslationSettings) -> ArgosEngine:
        decoding = Decoding(beam_size=settings.beam_size, batch_size=settings.batch_size)
        choices = settings.models.chosen()
        return cls(settings.models_dir, decoding, resolve_device(settings), choices)

    def describe(self) -> str:
        return f"in-process models (CTranslate2) on {self.device.describe()}"


class ChosenModelMissing(LanguageUnavailable):
    """The setting names a model that is not installed for the language: that language's
    documents are not written, as for a missing model, and the message lists what is."""

    def __init__(self, target: str, name: str, models_dir: Path) -> None:
        from briefing import models

        there = sorted({m.name for m in models.installed_models(models_dir) if m.to_code == target})
        super().__init__(
            SOURCE_LANGUAGE,
            target,
            f"the model {name} chosen for {target} (setting translation.models.{target}) is "
            f"not installed for {SOURCE_LANGUAGE}→{target}; installed: "
            f"{', '.join(there) or 'none'}",
            f"install it (`briefing models install FILE`), or choose one of those with "
            f'--model {target}=NAME or [translation.models] {target} = "NAME" in briefing.toml',
        )
