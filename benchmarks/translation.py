"""Translation speed: one call per segment vs this project's pipeline vs one raw batch.

Builds a realistic-size random en→ja model (6+6 layers, d=512, 8 heads, ffn 2048, vocabulary
16k, int8), writes 20 variants of the Nara facts, and translates all their segments three ways
in one run, at equal beam size and decoding length:

  (a) naive:    one translate_batch call per segment, as a per-sentence Argos user would;
  (b) pipeline: briefing's translation stage (segmenting, glossary protection and its retries,
                tokenizing, one batched pass, decoding); also measured without a glossary (b0),
                which isolates the pipeline's own overhead from the protection's retry pass;
  (c) raw:      one translate_batch over exactly the token lists (b0) sends to the model.

Random weights never end a sentence early, so every output runs to the decoding limit; the
comparison holds only at equal limits, which is why the limit is fixed here.
Usage: python benchmarks/translation.py [--variants 20] [--naive-sample 120] [--beam 2]
"""

from __future__ import annotations

import argparse
import platform
import tempfile
from pathlib import Path

from common import install_realistic_models, peak_memory_mb, timed, write_variants

from briefing import models
from briefing.build import SilentProgress
from briefing.facts import load_facts
from briefing.glossary import EMPTY, load_glossary
from briefing.languages import LANGUAGES
from briefing.protect import protect
from briefing.segments import split_segments
from briefing.translation import ArgosTranslation, Settings, load_model


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variants", type=int, default=20)
    parser.add_argument("--naive-sample", type=int, default=120, help="segments for (a)")
    parser.add_argument("--beam", type=int, default=2)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--max-length", type=int, default=48)
    parser.add_argument(
        "--sweep", type=int, default=96, help="segments for the beam/batch sweep (0: skip)"
    )
    options = parser.parse_args()

    print(
        f"machine: {platform.machine()}, {platform.processor() or 'cpu'}, "
        f"{__import__('os').cpu_count()} cores, Python {platform.python_version()}"
    )
    with tempfile.TemporaryDirectory(prefix="briefing-bench-") as temporary:
        work = Path(temporary)
        models_dir = install_realistic_models(work, ("ja",))
        facts_paths = write_variants(work / "sources", options.variants)
        glossary = load_glossary(work / "sources" / "glossary.yaml")
        texts = list(dict.fromkeys(t for p in facts_paths for t in load_facts(p)[0].free_texts()))
        segments = list(dict.fromkeys(s for t in texts for s in split_segments(t)))
        print(f"{options.variants} variants: {len(texts)} texts, {len(segments)} unique segments")

        settings = Settings(options.beam, options.batch, options.max_length)
        installed = models.find_model(models_dir, "en", "ja")
        assert installed is not None
        model = load_model(installed.path, models.model_identity(installed))
        decode = dict(beam_size=options.beam, max_decoding_length=options.max_length)

        # (c) raw: the token lists the pipeline sends to the model, one translate_batch call
        tokens = model.encode([protect(s, EMPTY).text for s in segments])
        with timed() as raw:
            model.translator.translate_batch(tokens, max_batch_size=options.batch, **decode)
        # beam and batch size: what the defaults were chosen from
        sweep = []
        for beam in (1, 2, 4) if options.sweep else ():
            for batch in (16, 32, 64):
                with timed() as took:
                    model.translator.translate_batch(
                        tokens[: options.sweep],
                        max_batch_size=batch,
                        beam_size=beam,
                        max_decoding_length=options.max_length,
                    )
                sweep.append((beam, batch, options.sweep / took[0]))
        # (a) naive: one call per segment, on a sample (the rate is per segment)
        sample = tokens[: options.naive_sample]
        with timed() as naive:
            for one in sample:
                model.translator.translate_batch([one], **decode)
        # (b0) pipeline without glossary, (b) pipeline with the project glossary
        language = LANGUAGES["ja"]
        with timed() as plain:
            ArgosTranslation(models_dir, EMPTY, None, settings).translate(
                language, texts, SilentProgress()
            )
        with timed() as full:
            stage = ArgosTranslation(models_dir, glossary, None, settings)
            stage.translate(language, texts, SilentProgress())

    rate_a = len(sample) / naive[0]
    rate_b = len(segments) / full[0]
    rate_b0 = len(segments) / plain[0]
    rate_c = len(segments) / raw[0]
    retried = sum(1 for s in segments if protect(s, glossary).terms)
    print(f"beam {options.beam}, batch {options.batch}, max_decoding_length {options.max_length}")
    print(f"(a) one call per segment:     {rate_a:7.2f} segments/s  ({len(sample)} segments)")
    print(
        f"(b) pipeline, with glossary:  {rate_b:7.2f} segments/s  ({len(segments)} segments, "
        f"{retried} with terms, retried when placeholders are lost)"
    )
    print(f"(b0) pipeline, no glossary:   {rate_b0:7.2f} segments/s")
    print(f"(c) one raw translate_batch:  {rate_c:7.2f} segments/s")
    print(f"b/a  = {rate_b / rate_a:5.2f}   (target >= 8)")
    print(f"b0/a = {rate_b0 / rate_a:5.2f}")
    print(f"b/c  = {rate_b / rate_c:5.2f}   (target >= 0.9)")
    print(f"b0/c = {rate_b0 / rate_c:5.2f}")
    for beam, batch, rate in sweep:
        print(f"sweep: beam {beam}, batch {batch:3d}: {rate:6.2f} segments/s (raw)")
    print(f"peak memory: {peak_memory_mb():.0f} MB")


if __name__ == "__main__":
    main()
