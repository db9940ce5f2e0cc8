"""Translation speed: one call per segment vs this project's pipeline vs one raw batch.

Builds a realistic-size random en→ja model (6+6 layers, d=512, 8 heads, ffn 2048, vocabulary
16k, int8), writes 20 variants of the Nara facts, and translates all their segments three ways
in one run, doing the same model work at equal beam size and decoding length:

  (b) pipeline: briefing's translation stage: segmenting, glossary protection (and its retry
                pass for sentences whose placeholders did not survive), tokenizing, batched
                decoding, detokenizing, reassembling;
  (a) naive:    one translate_batch call per token list the pipeline sent, as a per-sentence
                Argos user would (timed on a sample: its rate is per call);
  (c) raw:      the same batched translate_batch calls over exactly the token lists the
                pipeline sent (grouped by decoding limit), with the same options.

Also measured: the pipeline without a glossary (b0), and a beam/batch-size sweep on the raw
call, which is what the defaults were chosen from. Random weights never end a sentence early,
so every output runs to the decoding limit, and never keep a placeholder, so every sentence
with a glossary term takes the retry pass: a worst case for (b) that a real model rarely hits.
Usage: python benchmarks/translation.py [--variants 20] [--naive-sample 120] [--beam 2]
"""

from __future__ import annotations

import argparse
import os
import platform
import tempfile
from pathlib import Path

from common import install_realistic_models, peak_memory_mb, timed, write_variants

from briefing import models
from briefing.facts.load import load_facts
from briefing.languages import LANGUAGES
from briefing.terms.glossary import EMPTY, load_glossary
from briefing.translation.engines.argos import (
    DEFAULT_BATCH_SIZE,
    DEFAULT_BEAM_SIZE,
    ArgosEngine,
    LoadedModel,
    Settings,
    load_model,
)
from briefing.translation.interface import SilentProgress
from briefing.translation.segments import split_segments
from briefing.translation.stage import TranslationStage
from briefing.translation.texts import texts_to_translate


def record_passes(model: LoadedModel) -> list[list[list[str]]]:
    """Keep a copy of every token batch the pipeline sends to the model."""
    sent: list[list[list[str]]] = []
    original = model.translate_tokens

    def recording(batch, settings, on_result=None):  # noqa: ANN001, ANN202
        sent.append([list(tokens) for tokens in batch])
        return original(batch, settings, on_result)

    model.translate_tokens = recording  # type: ignore[method-assign]
    return sent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variants", type=int, default=20)
    parser.add_argument("--naive-sample", type=int, default=120, help="calls timed for (a)")
    parser.add_argument("--beam", type=int, default=DEFAULT_BEAM_SIZE)
    parser.add_argument("--batch", type=int, default=DEFAULT_BATCH_SIZE)
    parser.add_argument("--max-length", type=int, default=48)
    parser.add_argument("--sweep", type=int, default=96, help="segments per sweep point; 0 skips")
    args = parser.parse_args()

    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    settings = Settings(args.beam, args.batch, args.max_length)
    language = LANGUAGES["ja"]
    with tempfile.TemporaryDirectory(prefix="briefing-bench-") as temporary:
        work = Path(temporary)
        models_dir = install_realistic_models(work, ("ja",))
        facts_paths = write_variants(work / "sources", args.variants)
        glossary = load_glossary(work / "sources" / "glossary.yaml")
        texts = list(
            dict.fromkeys(
                t for p in facts_paths for t in texts_to_translate(load_facts(p)[0], glossary)
            )
        )
        segments = list(dict.fromkeys(s for t in texts for s in split_segments(t)))
        print(f"{args.variants} variants: {len(texts)} texts, {len(segments)} unique segments")

        installed = models.find_model(models_dir, "en", "ja")
        assert installed is not None
        model = load_model(installed.path, models.model_identity(installed))
        sent = record_passes(model)

        with timed() as plain:  # (b0)
            TranslationStage(ArgosEngine(models_dir, settings), EMPTY, None).translate(
                language, texts, SilentProgress()
            )
        sent.clear()
        with timed() as full:  # (b)
            TranslationStage(ArgosEngine(models_dir, settings), glossary, None).translate(
                language, texts, SilentProgress()
            )
        token_lists = [tokens for batch in sent for tokens in batch]
        calls = [
            ([batch[i] for i in indices], decoding)
            for batch in sent
            for indices, decoding in model.plan(batch, settings)
        ]
        with timed() as raw:  # (c): the same batched calls, raw, with the same options
            for source, decoding in calls:
                model.translator.translate_batch(source, **decoding)
        sample = [(tokens, decoding) for source, decoding in calls for tokens in source]
        sample = sample[:: max(1, len(sample) // args.naive_sample)][: args.naive_sample]
        with timed() as naive:  # (a): spread over all calls, one call per token list
            for tokens, decoding in sample:
                skip = ("max_batch_size", "target_prefix")
                single = {k: v for k, v in decoding.items() if k not in skip}
                model.translator.translate_batch([tokens], **single)

        sweep = []
        for beam in (1, 2, 4) if args.sweep else ():
            for batch in (16, 32, 64):
                with timed() as took:
                    model.translator.translate_batch(
                        token_lists[: args.sweep],
                        max_batch_size=batch,
                        beam_size=beam,
                        max_decoding_length=args.max_length,
                    )
                sweep.append((beam, batch, args.sweep / took[0]))

    naive_total = naive[0] / len(sample) * len(token_lists)
    rate_a = len(segments) / naive_total
    rate_b = len(segments) / full[0]
    rate_b0 = len(segments) / plain[0]
    rate_c = len(segments) / raw[0]
    limits = sorted({decoding["max_decoding_length"] for _, decoding in calls})
    print(f"beam {args.beam}, batch {args.batch}, decoding limits {limits} (by segment length)")
    print(
        f"model work: {len(token_lists)} token lists in {len(sent)} passes, "
        f"{len(calls)} batched calls "
        f"({len(token_lists) - len(segments)} more than segments: the retry pass for "
        "sentences whose placeholders the random model lost)"
    )
    print(f"(a) one call per segment:   {rate_a:7.2f} segments/s  (timed on {len(sample)} calls)")
    print(f"(b) pipeline:               {rate_b:7.2f} segments/s  ({full[0]:.1f} s)")
    print(f"(c) one raw translate_batch:{rate_c:7.2f} segments/s  ({raw[0]:.1f} s)")
    print(f"(b0) pipeline, no glossary: {rate_b0:7.2f} segments/s  ({plain[0]:.1f} s)")
    print(f"b/a = {rate_b / rate_a:5.2f}   (target >= 8)")
    print(f"b/c = {rate_b / rate_c:5.2f}   (target >= 0.9)")
    for beam, batch, rate in sweep:
        print(f"sweep: beam {beam}, batch {batch:3d}: {rate:6.2f} segments/s (raw)")
    print(f"peak memory: {peak_memory_mb():.0f} MB")


if __name__ == "__main__":
    main()
