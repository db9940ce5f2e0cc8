"""Programs the tests start as real child processes, where a process of its own is the point:
a command line with a bug planted in it, an interpreter without the POSIX-only modules, a
memory writer to be killed mid-write, hostile templates rendered under a memory limit, the
modules `--help` loads in a fresh interpreter.

Tests start them through conftest's `run_cli(..., child=PROGRAM)` or `start_cli`, which run
`python -m tests.support.children PROGRAM ARGS...`. This module imports nothing of briefing at
its top: each program decides what its interpreter has loaded before briefing is imported.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

# Modules Windows does not have.
POSIX_ONLY = ("fcntl", "resource", "termios", "pwd", "grp")
# Modules that `--help` of the review and memory commands must not load (TMX, XML, Word and the
# model runtime load only when a command runs).
HEAVY_MODULES = ("translate", "lxml", "docx", "ctranslate2")
# The exit status of `without_posix_modules` when a POSIX-only module was imported anyway.
LEAKED_POSIX_MODULE = 99


def _briefing(args: list[str]) -> None:
    """`briefing ARGS` through the entry point, as the console script runs it."""
    from briefing.cli import main

    sys.argv = ["briefing", *args]
    main()


def faulty_writer(args: list[str]) -> None:
    """`briefing ARGS` in which writing a document titled "Broken Meeting" fails in a way the
    program did not foresee (a bug), and a build of facts titled "Crashing Meeting" fails
    outside any one document; everything else is real."""
    from pathlib import Path

    import briefing.build as build_module
    import briefing.documents as documents_module
    from briefing.build import BuildRequest
    from briefing.documents import Job
    from briefing.facts.check import CheckedFacts
    from briefing.output.document import Document

    real_writer = documents_module.build_docx
    real_plan = build_module.plan_jobs

    def faulty(document: Document, reference: Path, fonts: tuple[str, str] | None) -> bytes:
        if document.metadata.title == "Broken Meeting":
            raise RuntimeError("a bug in the writer")
        return real_writer(document, reference, fonts)

    def faulty_plan(files: list[CheckedFacts], request: BuildRequest) -> list[Job]:
        if any(file.facts.event.title == "Crashing Meeting" for file in files):
            raise RuntimeError("a bug in the build")
        return real_plan(files, request)

    documents_module.build_docx = faulty
    build_module.plan_jobs = faulty_plan
    _briefing(args)


def without_posix_modules(args: list[str]) -> None:
    """`briefing ARGS` in an interpreter in which the POSIX-only modules raise ImportError, as
    on Windows; exits LEAKED_POSIX_MODULE if one was imported all the same."""
    import importlib.abc
    import importlib.machinery
    from collections.abc import Sequence
    from types import ModuleType

    class Unimportable(importlib.abc.MetaPathFinder):
        def find_spec(
            self,
            fullname: str,
            path: Sequence[str] | None,
            target: ModuleType | None = None,
        ) -> importlib.machinery.ModuleSpec | None:
            if fullname in POSIX_ONLY:
                raise ImportError(f"No module named {fullname!r}", name=fullname)
            return None

    for name in POSIX_ONLY:
        sys.modules.pop(name, None)
    sys.meta_path.insert(0, Unimportable())
    try:
        _briefing(args)
    finally:
        leaked = sorted(set(POSIX_ONLY) & set(sys.modules))
        if leaked:
            print("imported anyway:", leaked, file=sys.stderr)
            sys.exit(LEAKED_POSIX_MODULE)


def memory_writer(args: list[str]) -> None:
    """Store batches of 50 machine entries into the memory at args[0] until killed; prints
    "writing" after the third batch. A memory error ends it with its message and exit 2."""
    from briefing.errors import BriefingError
    from briefing.memory.backend import open_memory
    from briefing.memory.interface import MemoryEntry, MemoryKey

    key = MemoryKey("en", "ja", "m")
    try:
        with open_memory(args[0]) as memory:
            batch = 0
            while True:
                entries = {
                    f"Sentence {batch}-{i}.": MemoryEntry("x" * 200, False) for i in range(50)
                }
                memory.store_machine(entries, key)
                batch += 1
                if batch == 3:
                    print("writing", flush=True)
    except BriefingError as error:
        print(error, file=sys.stderr)
        sys.exit(2)


def render_templates(args: list[str]) -> None:
    """Render each template of args[0] (JSON: name → [folder, time limit]) with the facts at
    args[1] and the glossary at args[2], in one render process; prints JSON: name → [outcome
    ("rendered" or "refused"), message, seconds]."""
    import gettext
    import json
    import time
    from pathlib import Path

    from briefing.errors import InputError
    from briefing.facts.load import load_facts
    from briefing.languages import parse_languages
    from briefing.output.localize import Localizer
    from briefing.output.render import render_document
    from briefing.output.sandbox_process import LimitedProcess
    from briefing.output.template import find_template
    from briefing.terms.coverage import cover
    from briefing.terms.glossary import load_glossary

    cases, facts_path, glossary_path = json.loads(args[0]), Path(args[1]), Path(args[2])
    facts, source = load_facts(facts_path)
    english = parse_languages("en")[0]
    coverage = cover(facts.names(), load_glossary(glossary_path), source)
    view = Localizer(facts, english, coverage, {}, "").view()
    outcomes: dict[str, list[object]] = {}
    with LimitedProcess() as process:
        for name, (directory, limit) in cases.items():
            started = time.monotonic()
            try:
                template = find_template(directory)
                render_document(template, view, gettext.NullTranslations(), limit, process=process)
                outcome = ["rendered", ""]
            except InputError as error:
                outcome = ["refused", str(error)]
            outcomes[name] = [*outcome, time.monotonic() - started]
    print(json.dumps(outcomes))


def heavy_modules_after_help(args: list[str]) -> None:
    """`briefing ARGS --help` for each ARGS of args[0] (JSON: a list of argument lists), all in
    this interpreter; prints, after the help texts, which of HEAVY_MODULES they loaded, as a
    JSON list on the last line."""
    import json

    from briefing.cli import main

    for command in json.loads(args[0]):
        sys.argv = ["briefing", *command, "--help"]
        try:
            main()
        except SystemExit as stop:
            if stop.code not in (0, None):
                raise
    print(json.dumps(sorted(name for name in HEAVY_MODULES if name in sys.modules)))


PROGRAMS: dict[str, Callable[[list[str]], None]] = {
    program.__name__: program
    for program in (
        faulty_writer,
        without_posix_modules,
        memory_writer,
        render_templates,
        heavy_modules_after_help,
    )
}

if __name__ == "__main__":
    PROGRAMS[sys.argv[1]](sys.argv[2:])
