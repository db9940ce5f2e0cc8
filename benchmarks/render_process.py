"""What rendering templates in a limited child process costs.

Measures, for the Nara example in English and Japanese:
  start:    a new render process, from launch to its first answer (imports included);
  render:   one document rendered in this process (render_request.render_here, template
            compiled);
  isolated: the same document rendered by a warm render process (pickling there and back);
  build:    an English build of N copies of the example through the library (one process).
Usage: python benchmarks/render_process.py [--documents 20] [--repeat 15]
"""

from __future__ import annotations

import argparse
import functools
import gettext
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from briefing import catalogs
from briefing.build import BuildRequest, build
from briefing.facts.load import load_facts
from briefing.languages import parse_languages
from briefing.output.localize import Localizer
from briefing.output.render_request import RenderRequest, plain_view, render_here
from briefing.output.sandbox_process import LimitedProcess
from briefing.output.template import find_template
from briefing.terms.coverage import cover
from briefing.terms.glossary import load_glossary
from briefing.terms.layers import Stack

ROOT = Path(__file__).resolve().parent.parent
NARA = ROOT / "sources" / "2026-01-13-nara-summit.yaml"
GLOSSARY = ROOT / "sources" / "glossary.yaml"


def milliseconds(action: Callable[[], object], repeat: int) -> str:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        times.append((time.perf_counter() - started) * 1000)
    low, high = min(times), max(times)
    return f"median {statistics.median(times):7.1f} ms  (min {low:.1f}, max {high:.1f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--documents", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=15)
    options = parser.parse_args()

    facts, source = load_facts(NARA)
    coverage = cover(facts.names(), load_glossary(GLOSSARY), source)
    template = find_template("summit")

    def start() -> None:
        with LimitedProcess() as process:
            process.run(10, abs, -1)

    print(f"start     {milliseconds(start, max(5, options.repeat // 3))}")
    for code in ("en", "ja"):
        language = parse_languages(code)[0]
        view = Localizer(facts, language, coverage, {}, "").view()
        translations: gettext.NullTranslations = catalogs.load_translations(code)
        request = RenderRequest(
            template.directory,
            template.config.document,
            language.locale,
            catalogs.compiled_catalogs(translations),
            plain_view(view),
            10.0,
        )
        render_here(request)  # compiled once, as in a build
        here = milliseconds(functools.partial(render_here, request), options.repeat)
        print(f"render {code} {here}")
        with LimitedProcess() as process:
            process.run(10, render_here, request)

            def isolated(r: RenderRequest = request, p: LimitedProcess = process) -> None:
                p.run(10, render_here, r)

            print(f"isolated {code} {milliseconds(isolated, options.repeat)}")

    terms = Stack([GLOSSARY])
    with tempfile.TemporaryDirectory() as directory:
        folder = Path(directory)
        sources = []
        for number in range(options.documents):
            copy = folder / f"event{number:03}.yaml"
            shutil.copy(NARA, copy)
            sources.append(copy)

        def build_all() -> None:
            request = BuildRequest(
                sources, parse_languages("en"), folder / "out", glossary=terms, force=True
            )
            build(request, None)

        print(f"build of {options.documents} en documents {milliseconds(build_all, 3)}")


if __name__ == "__main__":
    main()
