"""Facts files like the Nara example whose every sentence is new: for the builds of the team
tests and the benchmarks that must translate, not find in a memory."""

from __future__ import annotations

import re
from pathlib import Path

# Not from conftest: the benchmarks that import this measure their own process's memory.
SOURCES = Path(__file__).resolve().parents[2] / "sources"
NARA = SOURCES / "2026-01-13-nara-summit.yaml"
GLOSSARY = SOURCES / "glossary.yaml"


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
