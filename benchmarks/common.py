"""Shared set-up for the benchmarks: realistic-size models and many variants of the example."""

from __future__ import annotations

import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from briefing import models  # noqa: E402
from tests.fixtures.argos.make_packages import build_package  # noqa: E402
from tests.fixtures.models.make_models import build_bench_model  # noqa: E402
from tests.support.variants import GLOSSARY as GLOSSARY  # noqa: E402
from tests.support.variants import NARA as NARA  # noqa: E402
from tests.support.variants import write_variants as write_variants  # noqa: E402

#: The kinds of benchmark model, all 6+6 layers, d=512, 8 heads, ffn 2048, vocabulary 16k,
#: int8. Argos packages: "random": seeded random weights; every output runs to its decoding
#: limit and loses its placeholders (the worst case). "copy": hand-set weights; every output is
#: its input's pieces and ends (natural length, placeholders kept, as a good real model does).
#: Converted models of the other families, with the copy weights and their own tokenizers and
#: language tokens: "marian" (two SentencePiece models), "m2m100" and "nllb" (one, and a
#: forced target-language token).
MODEL_KINDS = ("random", "copy")
FAMILY_KINDS = ("marian", "m2m100", "nllb")


def install_realistic_models(work: Path, targets: tuple[str, ...], kind: str = "random") -> Path:
    """Build realistic-size en→target models of `kind` (design.md §3) and install them."""
    models_dir = work / "models"
    if kind in FAMILY_KINDS:
        started = time.perf_counter()
        folder = build_bench_model(work / "built", kind)
        models.install_file(folder, models_dir)
        took = time.perf_counter() - started
        print(f"built and installed {kind} copy model: {folder.name} in {took:.1f} s", flush=True)
        return models_dir
    for target in targets:
        started = time.perf_counter()
        package = build_package(
            work / f"translate-en_{target}-bench-{kind}.argosmodel", target, copy=kind == "copy"
        )
        models.install_file(package, models_dir)
        size = package.stat().st_size / 1e6
        took = time.perf_counter() - started
        print(f"built and installed {kind} en→{target}: {size:.1f} MB in {took:.1f} s", flush=True)
    return models_dir


class TimedTranslator:
    """Forwards to a ctranslate2.Translator and adds up the wall time spent inside it.

    Counts the calls themselves, each step of a translate_iterable and each wait on an
    asynchronous result: everything between the pipeline handing work to CTranslate2 and
    getting its answer back.
    """

    def __init__(self, translator: Any) -> None:
        self._translator = translator
        self.seconds = 0.0

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._translator, name)
        if not callable(attribute):
            return attribute

        def call(*args: Any, **kwargs: Any) -> Any:
            result = self._timed(lambda: attribute(*args, **kwargs))
            if name == "translate_iterable":
                return self._steps(result)
            if kwargs.get("asynchronous"):
                return [_TimedResult(item, self) for item in result]
            return result

        return call

    def _timed(self, work: Callable[[], Any]) -> Any:
        started = time.perf_counter()
        try:
            return work()
        finally:
            self.seconds += time.perf_counter() - started

    def _steps(self, iterator: Iterator[Any]) -> Iterator[Any]:
        done = object()
        while (item := self._timed(lambda: next(iterator, done))) is not done:
            yield item


class _TimedResult:
    def __init__(self, result: Any, owner: TimedTranslator) -> None:
        self._result = result
        self._owner = owner

    def result(self) -> Any:
        return self._owner._timed(self._result.result)

    def done(self) -> bool:
        return self._result.done()


def median(values: list[float]) -> float:
    return statistics.median(values)


def run_children(script: Path, kinds: list[str], arguments: list[str]) -> dict[str, Any]:
    """Run `script --model KIND` once per kind, each in its own process (own peak memory),
    and collect the JSON each writes."""
    figures = {}
    with tempfile.TemporaryDirectory(prefix="briefing-bench-") as temporary:
        for kind in kinds:
            out = Path(temporary) / f"{kind}.json"
            subprocess.run(
                [sys.executable, str(script), "--model", kind, "--json", str(out), *arguments],
                check=True,
            )
            figures[kind] = json.loads(out.read_text())
    return figures


def side_by_side(rows: list[tuple[str, str]], figures: dict[str, dict[str, Any]]) -> None:
    """Print one row per figure, one column per model kind."""
    kinds = list(figures)
    width = max(len(label) for label, _ in rows)
    print(f"{'':{width}}  " + "  ".join(f"{k:>12}" for k in kinds))
    for label, key in rows:
        cells = []
        for kind in kinds:
            value = figures[kind].get(key)
            cells.append(f"{value:12.2f}" if isinstance(value, float) else f"{value!s:>12}")
        print(f"{label:{width}}  " + "  ".join(cells))


def peak_memory_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@contextmanager
def timed() -> Iterator[list[float]]:
    result = [0.0]
    started = time.perf_counter()
    yield result
    result[0] = time.perf_counter() - started
