"""Translation speed: one call per segment vs this project's pipeline vs raw CTranslate2 calls.

For each kind of realistic-size en→ja model (6+6 layers, d=512, 8 heads, ffn 2048, vocabulary
16k, int8), in its own process: writes variants of the Nara facts and translates all their
segments several ways, doing the same model work at equal beam size and decoding length:

  (b) pipeline: briefing's translation stage: segmenting, glossary protection (and its retry
                pass for sentences whose placeholders did not survive), tokenizing, batched
                decoding, detokenizing, reassembling, with the product's defaults;
  (a) naive:    one translate_batch call per token list the pipeline sent, as a per-sentence
                Argos user would (timed on a sample: its rate is per call);
  (c) raw:      the same batched translate_batch calls over exactly the token lists the
                pipeline sent (grouped by decoding limit), with the same options and translator;
  (c*) best raw: the same calls with the fastest configuration of the sweep below, one pass
                after the other as the pipeline must (the retry pass exists only once the
                first pass's results are in); (c**) the same with the passes overlapped, an
                upper bound that no caller who retries what the first pass lost can reach.

Also: the pipeline without a glossary (b0); the share of (b) spent inside CTranslate2; and a
sweep over thread layout (inter_threads × intra_threads up to the cores), batch size and type
(examples, tokens) and call (translate_batch, translate_iterable, asynchronous translate_batch
calls submitted together) on a sample of the token lists, then beam 1/2/4 at the best one.

Models: "random" (random weights: every output runs to its decoding limit and every placeholder
is lost, so every sentence with a glossary term takes the retry pass: the worst case) and "copy"
(hand-set weights that output the input's pieces and end: natural length, placeholders kept,
as a good real model does), both Argos packages; and copy models of each other family, as
CTranslate2's converters lay them out: "marian", "m2m100" and "nllb" (their tokenizers, and
M2M100's and NLLB's forced target-language token in every call). Timed figures are medians
of --repeat runs.
Usage: python benchmarks/translation.py [--models random,copy,marian,m2m100,nllb] [--variants 3]
       [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypedDict

import ctranslate2
from common import (
    FAMILY_KINDS,
    MODEL_KINDS,
    TimedTranslator,
    install_realistic_models,
    median,
    peak_memory_mb,
    run_children,
    side_by_side,
    timed,
    write_variants,
)

from briefing import models
from briefing.facts.load import load_facts
from briefing.languages import LANGUAGES
from briefing.models.families import model_folder
from briefing.terms.glossary import EMPTY, load_glossary
from briefing.translation.engines.argos import (
    DEFAULTS,
    ArgosEngine,
    Decoding,
    LoadedModel,
    load_model,
    thread_layout,
)
from briefing.translation.interface import SilentProgress
from briefing.translation.segments import split_segments
from briefing.translation.stage import TranslationStage
from briefing.translation.texts import texts_to_translate

Call = tuple[list[list[str]], dict[str, Any]]


class SweepPoint(TypedDict):
    """One configuration of the sweep and its speed (segments/s)."""

    inter: int
    intra: int
    api: str
    batch_type: str
    batch: int
    rate: float


def record_passes(model: LoadedModel) -> list[list[list[str]]]:
    """Keep a copy of every token batch the pipeline sends to the model."""
    sent: list[list[list[str]]] = []
    original = model.translate_tokens

    def recording(
        batch: list[list[str]], decoding: Decoding, on_result: Callable[[], None] | None = None
    ) -> list[list[str]]:
        sent.append([list(tokens) for tokens in batch])
        return original(batch, decoding, on_result)

    model.translate_tokens = recording  # type: ignore[method-assign]  # this model's alone
    return sent


def thread_layouts(cores: int) -> list[tuple[int, int]]:
    """Every (inter_threads, intra_threads) whose product fits the cores."""
    return [(i, j) for i in range(1, cores + 1) for j in range(1, cores + 1) if i * j <= cores]


def run_calls(translator: Any, passes: list[list[Call]], api: str, batch: tuple[str, int]) -> None:
    """Each pass's calls (one per decoding-limit group) through `api` with batch type and size;
    a pass starts when the one before it has finished."""
    batch_type, size = batch
    for calls in passes:
        pending = []
        for source, decoding in calls:
            options = {**decoding, "max_batch_size": size, "batch_type": batch_type}
            if api == "iterable":
                for _ in translator.translate_iterable(source, **options):
                    pass
            elif api == "async":
                pending += translator.translate_batch(source, asynchronous=True, **options)
            else:
                translator.translate_batch(source, **options)
        for result in pending:
            result.result()


def measure(kind: str, args: argparse.Namespace) -> dict[str, Any]:
    settings = Decoding(args.beam, args.batch, args.max_length)
    language = LANGUAGES["ja"]
    figures: dict[str, Any] = {"model": kind, "load_before": os.getloadavg()[0]}
    with tempfile.TemporaryDirectory(prefix="briefing-bench-") as temporary:
        work = Path(temporary)
        models_dir = install_realistic_models(work, ("ja",), kind)
        facts_paths = write_variants(work / "sources", args.variants)
        glossary = load_glossary(work / "sources" / "glossary.yaml")
        texts = list(
            dict.fromkeys(t for p in facts_paths for t in texts_to_translate(load_facts(p)[0]))
        )
        segments = list(dict.fromkeys(s for t in texts for s in split_segments(t)))
        figures.update(texts=len(texts), segments=len(segments))

        installed = models.find_model(models_dir, "en", "ja")
        assert installed is not None
        model = load_model(installed.path, models.model_identity(installed))
        product = model.translator
        figures["layout"] = "{}×{}".format(*thread_layout())
        inside = TimedTranslator(product)
        model.translator = inside
        sent = record_passes(model)

        plain_runs, full_runs, shares = [], [], []
        for _ in range(args.repeat):
            with timed() as plain:  # (b0)
                TranslationStage(ArgosEngine(models_dir, settings), EMPTY, None).translate(
                    language, texts, SilentProgress()
                )
            plain_runs.append(plain[0])
            sent.clear()
            inside.seconds = 0.0
            with timed() as full:  # (b)
                TranslationStage(ArgosEngine(models_dir, settings), glossary, None).translate(
                    language, texts, SilentProgress()
                )
            full_runs.append(full[0])
            shares.append(inside.seconds / full[0])
        model.translator = product
        token_lists = [tokens for batch in sent for tokens in batch]
        passes: list[list[Call]] = [
            [
                ([batch[i] for i in indices], decoding)
                for indices, decoding in model.plan(batch, settings)
            ]
            for batch in sent
        ]
        calls = [call for calls_of_pass in passes for call in calls_of_pass]
        raw_runs = []
        for _ in range(args.repeat):
            with timed() as raw:  # (c): the same batched calls, raw, with the same options
                for source, decoding in calls:
                    product.translate_batch(source, **decoding)
            raw_runs.append(raw[0])
        sample = [(tokens, decoding) for source, decoding in calls for tokens in source]
        sample = sample[:: max(1, len(sample) // args.naive_sample)][: args.naive_sample]
        with timed() as naive:  # (a): spread over all calls, one call per token list
            for tokens, decoding in sample:
                skip = ("max_batch_size", "target_prefix")
                single = {k: v for k, v in decoding.items() if k not in skip}
                if "target_prefix" in decoding:  # the forced language token, for one
                    single["target_prefix"] = decoding["target_prefix"][:1]
                product.translate_batch([tokens], **single)

        # The sweep: a sample of the token lists, grouped by decoding limit as the pipeline does.
        picked = token_lists[:: max(1, len(token_lists) // args.sweep)][: args.sweep]
        sweep_calls = [[([picked[i] for i in ix], o) for ix, o in model.plan(picked, settings)]]
        sizes = [("examples", n) for n in (8, 16, 32)] + [("tokens", 512)]
        sweep: list[SweepPoint] = []
        model_path = str(model_folder(installed.path, installed.card))
        for inter, intra in thread_layouts(os.cpu_count() or 1) if args.sweep else ():
            translator = ctranslate2.Translator(
                model_path, device="cpu", inter_threads=inter, intra_threads=intra
            )
            for api in ("batch", "iterable", "async"):
                for batch in sizes:
                    with timed() as took:
                        run_calls(translator, sweep_calls, api, batch)
                    sweep.append(
                        SweepPoint(
                            inter=inter,
                            intra=intra,
                            api=api,
                            batch_type=batch[0],
                            batch=batch[1],
                            rate=len(picked) / took[0],
                        )
                    )
            del translator
        best = max(sweep, key=lambda point: point["rate"]) if sweep else None
        best_runs, overlapped_runs, beams = [], [], {}
        if best:
            translator = ctranslate2.Translator(
                model_path, device="cpu", inter_threads=best["inter"], intra_threads=best["intra"]
            )
            batch = (best["batch_type"], best["batch"])
            for _ in range(args.repeat):
                with timed() as took:  # (c*): the pipeline's calls, best configuration
                    run_calls(translator, passes, best["api"], batch)
                best_runs.append(took[0])
                with timed() as took:  # (c**): the same with the passes overlapped
                    run_calls(translator, [calls], best["api"], batch)
                overlapped_runs.append(took[0])
            for beam in (1, 2, 4):
                beam_calls = [[(s, {**o, "beam_size": beam}) for s, o in sweep_calls[0]]]
                with timed() as took:
                    run_calls(translator, beam_calls, best["api"], batch)
                beams[beam] = len(picked) / took[0]

    count = len(segments)
    naive_total = naive[0] / len(sample) * len(token_lists)
    figures.update(
        token_lists=len(token_lists),
        passes=len(sent),
        calls=len(calls),
        limits=sorted({decoding["max_decoding_length"] for _, decoding in calls}),
        rate_a=count / naive_total,
        rate_b=count / median(full_runs),
        rate_c=count / median(raw_runs),
        rate_c_best=count / median(best_runs) if best_runs else None,
        rate_c_overlapped=count / median(overlapped_runs) if overlapped_runs else None,
        rate_b0=count / median(plain_runs),
        runs_b=full_runs,
        runs_c=raw_runs,
        runs_c_best=best_runs,
        inside_share=median(shares),
        naive_calls=len(sample),
        sweep=sweep,
        sweep_sample=len(picked),
        best=best,
        beams=beams,
        peak_mb=peak_memory_mb(),
        load_after=os.getloadavg()[0],
    )
    figures["b_over_a"] = figures["rate_b"] / figures["rate_a"]
    figures["b_over_c"] = figures["rate_b"] / figures["rate_c"]
    if best_runs:
        figures["b_over_c_best"] = figures["rate_b"] / figures["rate_c_best"]
        figures["b_over_c_overlapped"] = figures["rate_b"] / figures["rate_c_overlapped"]
    return figures


def describe(point: dict[str, Any]) -> str:
    return (
        f"{point['inter']}×{point['intra']} threads, {point['api']}, "
        f"{point['batch_type']} {point['batch']}"
    )


def report(figures: dict[str, dict[str, Any]]) -> None:
    for kind, f in figures.items():
        print(
            f"{kind}: {f['texts']} texts, {f['segments']} unique segments; model work "
            f"{f['token_lists']} token lists in {f['passes']} passes, {f['calls']} batched calls, "
            f"decoding limits {f['limits']}"
        )
    for f in figures.values():
        f["share_pct"] = 100 * f["inside_share"]
        f["peak"] = f"{f['peak_mb']:.0f} MB"
        f["load"] = f"{f['load_before']:.1f} / {f['load_after']:.1f}"
        f["best_text"] = describe(f["best"]) if f.get("best") else "-"
    side_by_side(
        [
            ("(a) one call per token list, segments/s", "rate_a"),
            ("(b) pipeline, segments/s", "rate_b"),
            ("(c) raw, same calls and translator, segments/s", "rate_c"),
            ("(c*) raw, best configuration of the sweep, segments/s", "rate_c_best"),
            ("(c**) the same, passes overlapped (upper bound), segments/s", "rate_c_overlapped"),
            ("(b0) pipeline without glossary, segments/s", "rate_b0"),
            ("b/a (target >= 8)", "b_over_a"),
            ("b/c", "b_over_c"),
            ("b/c* (target >= 0.9)", "b_over_c_best"),
            ("b/c**", "b_over_c_overlapped"),
            ("share of (b) inside CTranslate2, % (target >= 90 copy)", "share_pct"),
            ("peak memory", "peak"),
            ("pipeline threads (inter×intra)", "layout"),
            ("load average (1 min) before / after", "load"),
        ],
        figures,
    )
    for kind, f in figures.items():
        if not f.get("sweep"):
            continue
        print(f"\n{kind} model, sweep on {f['sweep_sample']} token lists (segments/s, raw):")
        print(
            f"best: {f['best_text']}; beam 1/2/4 there: "
            + " / ".join(f"{rate:.1f}" for rate in f["beams"].values())
        )
        layouts = sorted({(p["inter"], p["intra"]) for p in f["sweep"]})
        columns = sorted({(p["batch_type"], p["batch"]) for p in f["sweep"]}, key=str)
        print(f"{'threads':>8} {'call':>9} " + " ".join(f"{t[:3]} {n:>4}" for t, n in columns))
        for inter, intra in layouts:
            for api in ("batch", "iterable", "async"):
                rates = {
                    (p["batch_type"], p["batch"]): p["rate"]
                    for p in f["sweep"]
                    if (p["inter"], p["intra"], p["api"]) == (inter, intra, api)
                }
                cells = " ".join(f"{rates[c]:8.1f}" for c in columns)
                print(f"{inter}×{intra:<6} {api:>9} {cells}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", default=",".join(MODEL_KINDS + FAMILY_KINDS))
    parser.add_argument("--variants", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=3, help="runs per timed figure (median)")
    parser.add_argument("--naive-sample", type=int, default=16, help="calls timed for (a)")
    parser.add_argument("--beam", type=int, default=DEFAULTS.beam_size)
    parser.add_argument("--batch", type=int, default=DEFAULTS.batch_size)
    parser.add_argument("--max-length", type=int, default=48)
    parser.add_argument(
        "--sweep", type=int, default=96, help="token lists per sweep point; 0 skips"
    )
    parser.add_argument("--model", help=argparse.SUPPRESS)  # one kind, in a child process
    parser.add_argument("--json", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.model:
        args.json.write_text(json.dumps(measure(args.model, args)), encoding="utf-8")
        return

    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, CTranslate2 {ctranslate2.__version__}; beam {args.beam}, "
        f"batch {args.batch}, decoding limit {args.max_length}, medians of {args.repeat} runs",
        flush=True,
    )
    passed = [
        f"--{name.replace('_', '-')}={getattr(args, name)}"
        for name in ("variants", "repeat", "naive_sample", "beam", "batch", "max_length", "sweep")
    ]
    report(run_children(Path(__file__), args.models.split(","), passed))


if __name__ == "__main__":
    main()
