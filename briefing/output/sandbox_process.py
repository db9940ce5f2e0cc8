"""Run a template render in a child process with a CPU-time and a memory limit.

No limit enforced from inside an interpreter can stop one long C-level step (a huge power, a
string padded to gigabytes): the step runs to its end before any Python code does. So a render
runs in a separate process that sets its own limits and that the parent kills at the deadline:

- memory: the child's address space is capped (``RLIMIT_AS``), so an allocation beyond it fails
  with MemoryError inside the template, where it is reported with the template's line;
- time: a CPU-time timer (``ITIMER_PROF``) raises inside the template after the limit, so a loop
  is reported with its line; ``RLIMIT_CPU`` ends the process a second later if that exception
  could not be raised (inside C code); the parent kills it at a wall-clock deadline in any case.

Starting an interpreter costs a few hundred milliseconds, so one child serves a whole build: the
parent sends each render (pickled) and reads back the markup or the error, and starts a new
child only after one was stopped. The child is a plain ``python -m`` process rather than
``multiprocessing``, so it imports only what a render needs, never the parent's ``__main__``.

On Windows there is no ``resource`` module and no CPU timer: the parent's wall-clock deadline
still ends a runaway render, and the sandbox's size checks still refuse oversized values, but
the child's memory is not capped and a stopped render is reported without its line.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import json
import math
import os
import pickle
import queue
import signal
import struct
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import IO, Any

import briefing
from briefing.errors import BriefingError

RENDER_TIME_LIMIT = 10.0  # seconds of CPU time for one render
RENDER_MEMORY_LIMIT = 1024 * 1024**2  # bytes of address space a render may add to the child's own
STARTUP_TIMEOUT = 60.0  # seconds for a new child to import what it needs
HEADER = struct.Struct(">Q")

try:  # POSIX only
    import resource
except ImportError:  # pragma: no cover - Windows
    resource = None  # type: ignore[assignment]


class RenderStopped(Exception):
    """Raised inside the child's render when its CPU time is used up (a template line is known)."""


class ProcessFailed(Exception):
    """The child ended or was ended without an answer; the message says why, for people."""


def _write_message(stream: IO[bytes], payload: bytes) -> None:
    stream.write(HEADER.pack(len(payload)) + payload)
    stream.flush()


def _read_message(stream: IO[bytes]) -> bytes | None:
    header = stream.read(HEADER.size)
    if len(header) < HEADER.size:
        return None
    (size,) = HEADER.unpack(header)
    payload = stream.read(size)
    return payload if len(payload) == size else None


class LimitedProcess:
    """A child interpreter that runs functions under limits; one per build, reused.

    `run(time_limit, function, *args)` calls a module-level function in the child and returns
    its result, which must be JSON data. An exception that the function raises comes back as a
    RemoteError (type name, message); a child that exceeds its limits or dies is a
    ProcessFailed. After either, except a BriefingError (the function's verdict on its input),
    the next call starts a new child.
    """

    def __init__(
        self, memory_limit: int = RENDER_MEMORY_LIMIT, preload: tuple[str, ...] = ()
    ) -> None:
        self.memory_limit = memory_limit
        self.preload = preload  # modules the child imports before it says it is ready
        self._child: subprocess.Popen[bytes] | None = None
        self._answers: queue.Queue[bytes | None] = queue.Queue()
        self.started = 0  # children started so far, for tests and measurements
        self._asked = False  # whether the current child has been sent anything

    def __enter__(self) -> LimitedProcess:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def _start(self) -> subprocess.Popen[bytes]:
        package_parent = str(Path(briefing.__file__).resolve().parent.parent)
        path = os.environ.get("PYTHONPATH")
        environment = {
            **os.environ,
            "PYTHONPATH": package_parent + (os.pathsep + path if path else ""),
        }
        child = subprocess.Popen(
            [sys.executable, "-m", __name__, str(self.memory_limit), *self.preload],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=environment,
        )
        self.started += 1
        self._answers = queue.Queue()
        answers, stream = self._answers, child.stdout

        def read() -> None:  # one reader per child: the parent waits on the queue with a timeout
            assert stream is not None
            while True:
                message = _read_message(stream)
                answers.put(message)
                if message is None:
                    return

        threading.Thread(target=read, name="render-process-reader", daemon=True).start()
        self._child = child
        self._asked = False
        return child

    def start(self) -> None:
        """Start the child now, so that it starts up while the caller does other work."""
        if self._child is None or self._child.poll() is not None:
            self._start()

    def run(self, time_limit: float, function: Callable[..., Any], *args: Any) -> Any:
        """`function(*args)` in the child, stopped after `time_limit` seconds of CPU time."""
        child = self._child if self._child and self._child.poll() is None else self._start()
        assert child.stdin is not None
        request = pickle.dumps((time_limit, function, args), protocol=pickle.HIGHEST_PROTOCOL)
        if not self._asked:  # a new child: wait until it has imported what it needs
            self._asked = True
            try:
                ready = self._answers.get(timeout=STARTUP_TIMEOUT)
            except queue.Empty:
                ready = None
            if ready is None:
                status = self._stop()
                raise ProcessFailed(f"the render process did not start (exit status {status})")
        try:
            _write_message(child.stdin, request)
        except OSError:
            self._stop()
            raise ProcessFailed("the render process ended before it could start") from None
        # CPU time runs no faster than the clock: the child stops itself first (naming the
        # template line) unless it is stuck in one step that uses no CPU. The deadline is the
        # last resort, generous so that a child starved of CPU on a busy machine is not cut
        # short before its own timer speaks.
        deadline = time_limit * 3 + 10
        try:
            answer = self._answers.get(timeout=deadline)
        except queue.Empty:
            self._stop()
            raise ProcessFailed(
                f"rendering took longer than {time_limit:g} s and was stopped"
            ) from None
        if answer is None:
            status = self._stop()
            raise ProcessFailed(_death(status, time_limit, self.memory_limit))
        kind, value = json.loads(answer)
        if kind == "ok":
            return value
        error_kind, message, handled = value
        if not handled:  # the child may be in any state after this: the next call starts afresh
            self._stop()
        raise RemoteError(error_kind, message)

    def _stop(self) -> int | None:
        child, self._child = self._child, None
        if child is None:
            return None
        with contextlib.suppress(OSError):
            child.kill()
        status = child.wait()
        for stream in (child.stdin, child.stdout):
            with contextlib.suppress(OSError):
                if stream:
                    stream.close()
        return status

    def close(self) -> None:
        """End the child: closing its input ends it; one never asked anything is just killed
        (it may still be starting up)."""
        child, self._child = self._child, None
        if child is None:
            return
        if not self._asked:
            with contextlib.suppress(OSError):
                child.kill()
        with contextlib.suppress(OSError):
            if child.stdin:
                child.stdin.close()
        try:
            child.wait(timeout=5)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
        if child.stdout:
            child.stdout.close()


class RemoteError(Exception):
    """An exception the function raised in the child, as (type name, message)."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(kind, message)
        self.kind = kind
        self.message = message


def _death(status: int | None, time_limit: float, memory_limit: int) -> str:
    """Why the child ended without answering, in words."""
    xcpu = getattr(signal, "SIGXCPU", None)
    if status is not None and xcpu is not None and status == -xcpu:
        return f"rendering took longer than {time_limit:g} s and was stopped"
    fatal = {getattr(signal, name, None) for name in ("SIGKILL", "SIGSEGV")} - {None}
    if status is not None and status < 0 and -status in fatal:
        return (
            f"the render process was ended (signal {-status}); it may have needed more than "
            f"{memory_limit // 1024**2} MB of memory"
        )
    return f"the render process ended unexpectedly (exit status {status})"


# The child -----------------------------------------------------------------------------------


def _address_space() -> int:
    """Bytes of address space this process uses now (Linux), or 0 where that is unknown."""
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            return int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, AttributeError):
        return 0


def _limit_memory(budget: int) -> None:
    """Cap the address space at what the child uses now plus `budget`."""
    if resource is None:  # pragma: no cover - Windows
        return
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # a process ended for its limits dumps nothing
    limit = _address_space() + budget
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


_timing = False  # whether a render is running under the CPU timer


def _stop_render(signum: int, frame: object) -> None:
    if _timing:  # a signal handled just after the render ended is ignored
        raise RenderStopped()


def _limit_time(seconds: float | None) -> None:
    """Raise RenderStopped after `seconds` of CPU time (and every 50 ms after, until cleared);
    end the process one second after that. None clears both."""
    global _timing
    if resource is None or not hasattr(signal, "setitimer"):  # pragma: no cover - Windows
        return
    _, hard = resource.getrlimit(resource.RLIMIT_CPU)
    _timing = seconds is not None
    if seconds is None:
        signal.setitimer(signal.ITIMER_PROF, 0)
        resource.setrlimit(resource.RLIMIT_CPU, (hard, hard))
        return
    used = resource.getrusage(resource.RUSAGE_SELF)
    soft = math.ceil(used.ru_utime + used.ru_stime + seconds) + 1
    if hard != resource.RLIM_INFINITY:
        soft = min(soft, hard)
    resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))
    signal.setitimer(signal.ITIMER_PROF, seconds, 0.05)


def serve(requests: IO[bytes], answers: IO[bytes], memory_limit: int, preload: list[str]) -> None:
    """Import `preload`, say so, then answer requests until the parent closes the pipe."""
    if hasattr(signal, "SIGPROF"):
        signal.signal(signal.SIGPROF, _stop_render)
    for module in preload:
        importlib.import_module(module)
    _limit_memory(memory_limit)
    _write_message(answers, b"ready")
    while True:
        message = _read_message(requests)
        if message is None:
            return
        time_limit, function, args = pickle.loads(message)
        try:
            _limit_time(time_limit)
            try:
                answer: tuple[str, Any] = ("ok", function(*args))
            finally:
                _limit_time(None)
        except RenderStopped:
            answer = ("error", ("RenderStopped", f"took longer than {time_limit:g} s", False))
        except MemoryError:
            answer = ("error", ("MemoryError", "ran out of memory", False))
        except BriefingError as error:  # the function's own verdict on its input: all is well
            answer = ("error", (type(error).__name__, str(error), True))
        except Exception as error:  # noqa: BLE001 - every failure goes back to the parent
            answer = ("error", (type(error).__name__, str(error), False))
        _write_message(answers, json.dumps(answer).encode("utf-8"))


def main() -> None:
    # The pipe to the parent is the real stdout; anything printed goes nowhere.
    answers = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    sys.stdout = io.TextIOWrapper(open(os.devnull, "wb"))  # noqa: SIM115
    serve(sys.stdin.buffer, answers, int(sys.argv[1]), sys.argv[2:])
    # Every answer is written and flushed; tearing down the interpreter (Jinja, Babel and the
    # templates compiled) would only keep the parent waiting at the end of each build.
    os._exit(0)


if __name__ == "__main__":
    # Run as the importable module, so that the classes the parent pickles and catches (such
    # as RenderStopped) are the same objects here.
    from briefing.output.sandbox_process import main as serve_parent

    serve_parent()
