"""Engine comparison: the Nara variants through a LibreTranslate server vs the in-process engine.

Both engines get the same Argos packages (by default the small copy packages from
tests/fixtures/argos, which end their sentences and keep placeholders like a good real model;
`--packages realistic` builds copy models of the realistic size of design.md §3, where decoding
rather than the engines' own overhead takes the time), the same glossary and the same
translation stage with no memory, in one run on this machine, where the server shares the cores
with the build. Each engine translates everything --repeat times, the two taking turns; the
figures are medians. The server is a real LibreTranslate started on 127.0.0.1 as the tests
start it (tests/servers/libretranslate.py), with beam 2 like briefing's in-process default.
Prints segments per second for each and the ratio server / in-process.

Usage: python benchmarks/engines.py [--variants 20] [--packages copy|tiny|realistic|DIR]
                                   [--repeat 3] [--sweep]
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import tempfile
import time
from pathlib import Path

from common import ROOT, build_package, median, write_variants

from briefing import models
from briefing.facts.load import load_facts
from briefing.languages import LANGUAGES
from briefing.terms.glossary import load_glossary
from briefing.translation.engines.argos import ArgosEngine
from briefing.translation.engines.libretranslate import LibreTranslateEngine
from briefing.translation.interface import SilentProgress
from briefing.translation.segments import split_segments
from briefing.translation.stage import TranslationStage
from briefing.translation.texts import texts_to_translate
from briefing.workspace.fields import TranslationSettings
from tests.servers.libretranslate import LibreTranslateServers

FIXTURES = ROOT / "tests" / "fixtures" / "argos"


def packages_for(choice: str, work: Path) -> list[Path]:
    if choice == "realistic":
        return [
            build_package(work / f"translate-en_{lang}-realistic-copy.argosmodel", lang, copy=True)
            for lang in ("ja", "ko")
        ]
    folder = Path(choice) if os.path.isdir(choice) else FIXTURES
    pattern = "*.argosmodel" if os.path.isdir(choice) else f"translate-en_*-{choice}.argosmodel"
    found = sorted(folder.glob(pattern))
    if not found:
        raise SystemExit(f"no packages match {folder / pattern}")
    return found


def fmt(runs: list[float]) -> str:
    return f"(runs: {', '.join(f'{r:.2f}' for r in runs)})"


def rate(stage: TranslationStage, lang: str, texts: list[str], segments: int) -> float:
    started = time.perf_counter()
    stage.translate(LANGUAGES[lang], texts, SilentProgress())
    return segments / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variants", type=int, default=20)
    parser.add_argument(
        "--packages", default="copy", help="copy, tiny, realistic, or a folder of packages"
    )
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per engine (median)")
    parser.add_argument("--lang", default="ja")
    parser.add_argument("--sweep", action="store_true", help="server batch size × concurrency")
    args = parser.parse_args()
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    with tempfile.TemporaryDirectory(prefix="briefing-engines-") as temporary:
        work = Path(temporary)
        packages = packages_for(args.packages, work)
        facts_paths = write_variants(work / "sources", args.variants)
        glossary = load_glossary(work / "sources" / "glossary.yaml")
        texts = list(
            dict.fromkeys(t for p in facts_paths for t in texts_to_translate(load_facts(p)[0]))
        )
        segments = len(set(s for t in texts for s in split_segments(t)))
        print(
            f"{args.variants} variants: {len(texts)} texts, {segments} unique segments; "
            f"packages: {', '.join(p.name for p in packages)}"
        )
        models_dir = work / "models"
        for package in packages:
            models.install_file(package, models_dir)

        servers = LibreTranslateServers(work)
        try:
            server = servers.start(packages)
            print(f"LibreTranslate ready in {server.startup_seconds:.1f} s at {server.url}")
            local = ArgosEngine.from_settings(TranslationSettings(models_dir=models_dir))
            remote = LibreTranslateEngine(server.url)
            # One warm-up pass each (model load, server's first request), then the timed one.
            for engine in (local, remote):
                TranslationStage(engine, glossary).translate(
                    LANGUAGES[args.lang], texts[:3], SilentProgress()
                )
            local_runs, remote_runs = [], []
            for _ in range(args.repeat):
                local_runs.append(
                    rate(TranslationStage(local, glossary), args.lang, texts, segments)
                )
                remote_runs.append(
                    rate(TranslationStage(remote, glossary), args.lang, texts, segments)
                )
            in_process, through_server = median(local_runs), median(remote_runs)
            ratios = sorted(b / a for a, b in zip(local_runs, remote_runs, strict=True))
            print(f"load average before: {os.getloadavg()[0]:.2f}; medians of {args.repeat} runs")
            print(f"in-process engine:       {in_process:7.2f} segments/s {fmt(local_runs)}")
            print(
                f"LibreTranslate engine:   {through_server:7.2f} segments/s {fmt(remote_runs)} "
                f"(batch {remote.batch_size}, {remote.concurrency} requests at once)"
            )
            print(
                f"ratio server/in-process: {through_server / in_process:7.2f} (target ≥ 0.7; "
                f"per pair of runs {ratios[0]:.2f}–{ratios[-1]:.2f})"
            )
            if args.sweep:
                for batch in (8, 16, 32, 64):
                    for concurrency in (1, 2, 4):
                        engine = LibreTranslateEngine(server.url, None, batch, concurrency)
                        speed = rate(TranslationStage(engine, glossary), args.lang, texts, segments)
                        print(
                            f"  server batch {batch:2d}, {concurrency} at once: "
                            f"{speed:7.2f} segments/s"
                        )
        finally:
            servers.stop_all()
            shutil.rmtree(work / "models", ignore_errors=True)


if __name__ == "__main__":
    main()
