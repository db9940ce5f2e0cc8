"""Shared set-up for the benchmarks: realistic-size models and many variants of the example."""

from __future__ import annotations

import re
import resource
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from briefing import models  # noqa: E402
from tests.fixtures.argos.make_packages import build_package  # noqa: E402

NARA = ROOT / "sources" / "2026-01-13-nara-summit.yaml"
GLOSSARY = ROOT / "sources" / "glossary.yaml"


def install_realistic_models(work: Path, targets: tuple[str, ...]) -> Path:
    """Build realistic-size random en→target packages (design.md §3) and install them."""
    models_dir = work / "models"
    for target in targets:
        started = time.perf_counter()
        package = build_package(work / f"translate-en_{target}-bench.argosmodel", target)
        models.install_file(package, models_dir)
        size = package.stat().st_size / 1e6
        took = time.perf_counter() - started
        print(f"built and installed en→{target}: {size:.1f} MB in {took:.1f} s")
    return models_dir


def variant_text(text: str, number: int) -> str:
    """Mark every sentence with the variant number, so no sentence repeats across variants."""
    return re.sub(r"([.!?])(\s|$)", rf" ({number})\1\2", text)


def write_variants(directory: Path, count: int) -> list[Path]:
    """`count` facts files derived from the example, each sentence of each one distinct."""
    directory.mkdir(parents=True, exist_ok=True)
    lines = NARA.read_text(encoding="utf-8").splitlines()
    paths = []
    for number in range(1, count + 1):
        changed = []
        for line in lines:
            stripped = line.lstrip()
            is_text = not stripped.startswith(("#", "-", "id:", "sources:", "status:", "date:"))
            if is_text and ":" not in stripped and stripped:
                line = variant_text(line, number)
            changed.append(line)
        path = directory / f"2026-01-13-nara-summit-v{number:02d}.yaml"
        path.write_text("\n".join(changed) + "\n", encoding="utf-8")
        paths.append(path)
    (directory / "glossary.yaml").write_bytes(GLOSSARY.read_bytes())
    return paths


def peak_memory_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@contextmanager
def timed() -> Iterator[list[float]]:
    result = [0.0]
    started = time.perf_counter()
    yield result
    result[0] = time.perf_counter() - started
