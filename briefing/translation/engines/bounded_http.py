"""HTTP requests that end when they should: a deadline on the whole exchange, a cap on the
answer, and every request of a pass stopped at once.

urllib's timeout bounds each read of the socket, not the exchange: a server that sends a byte
every few seconds never times out, and a thread blocked in such a read outlives Ctrl-C, since
the interpreter waits for it at exit. Here each request's sockets are shut down when its
deadline passes or when the pass is aborted, which ends any connect, send or read at once; the
answer is read in pieces up to its cap, so a server cannot fill the memory with one reply.
urllib still does the rest (proxies from the environment, redirects, HTTPS).
"""

from __future__ import annotations

import contextlib
import http.client
import socket
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from email.message import Message
from typing import Any

from briefing import input_files

CHUNK = 64 * 1024
#: The most of an error answer read, for its message.
ERROR_BODY_LIMIT = 64 * 1024


class RequestTimedOut(Exception):
    """No complete answer before the deadline."""


class RequestAborted(Exception):
    """The pass this request belonged to was given up (another request failed, or Ctrl-C)."""


class AnswerTooLarge(Exception):
    """The answer is longer than the request's cap."""

    def __init__(self, size: int, limit: int) -> None:
        super().__init__(f"{size} bytes, over the {limit} taken for this request")
        self.size = size
        self.limit = limit


@dataclass(frozen=True)
class Answer:
    status: int
    headers: Message
    body: bytes


class _Exchange:
    """The sockets of one request (more than one after a redirect), to be shut down together."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self.closed = False
        self.expired = False

    def opened(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets.append(sock)
            closed = self.closed
        if closed:  # the deadline passed while connecting
            _shut(sock)

    def expire(self) -> None:
        self.expired = True
        self.close()

    def close(self) -> None:
        with self._lock:
            self.closed = True
            sockets = list(self._sockets)
        for sock in sockets:
            _shut(sock)


def _shut(sock: socket.socket) -> None:
    """Ends every blocked call on `sock` in other threads; the plain socket's shutdown, so that
    an SSL socket's state is left alone."""
    with contextlib.suppress(OSError):
        socket.socket.shutdown(sock, socket.SHUT_RDWR)


def _tracked(connection_class: Any, exchange: _Exchange) -> Any:
    """`connection_class` (http.client's) telling `exchange` of each socket it connects."""

    class Tracked(connection_class):
        def connect(self) -> None:
            super().connect()
            exchange.opened(self.sock)

    return Tracked


class _Tracking:
    """A urllib handler whose connections tell `exchange` of each socket they open."""

    def __init__(self, exchange: _Exchange) -> None:
        super().__init__()
        self.exchange = exchange

    def do_open(self, http_class: Any, req: Any, **kwargs: Any) -> Any:
        return super().do_open(_tracked(http_class, self.exchange), req, **kwargs)  # type: ignore[misc]


class _HTTPHandler(_Tracking, urllib.request.HTTPHandler):
    pass


def _handlers(exchange: _Exchange) -> list[urllib.request.BaseHandler]:
    handlers: list[urllib.request.BaseHandler] = [_HTTPHandler(exchange)]
    if hasattr(urllib.request, "HTTPSHandler"):  # not in a Python built without ssl
        handlers.append(_HTTPSHandler(exchange))
    return handlers


if hasattr(urllib.request, "HTTPSHandler"):

    class _HTTPSHandler(_Tracking, urllib.request.HTTPSHandler):
        pass


def read_capped(response: Any, limit: int, *, cut: bool = False) -> bytes:
    """The body of `response`, at most `limit` bytes: AnswerTooLarge past it (or the first
    `limit` bytes, with `cut`). A Content-Length past the limit is refused before reading."""
    declared = str(response.headers.get("Content-Length", "")).strip()
    if not cut and declared.isdigit() and int(declared) > limit:
        raise AnswerTooLarge(int(declared), limit)
    body = input_files.read_capped(response, limit, CHUNK)
    if len(body) > limit:
        if not cut:
            raise AnswerTooLarge(len(body), limit)
        body = body[:limit]
    return body


class Requests:
    """The requests of one pass (a language's batches), sent from any thread; `abort` ends
    them all at once, and any sent after it fail at once."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._open: set[_Exchange] = set()
        self._aborted = threading.Event()

    def abort(self) -> None:
        self._aborted.set()
        with self._lock:
            exchanges = list(self._open)
        for exchange in exchanges:
            exchange.close()

    def pause(self, seconds: float) -> None:
        """Wait `seconds` before a retry, or until the pass is aborted."""
        if self._aborted.wait(max(0.0, seconds)):
            raise RequestAborted()

    def send(self, request: urllib.request.Request, deadline: float, limit: int) -> Answer:
        """`request` sent and its whole answer read by `deadline` (time.monotonic()), its body
        at most `limit` bytes. An HTTP error status is an Answer too (its body cut to
        ERROR_BODY_LIMIT); a connection that fails raises OSError or http.client's
        HTTPException, as urllib does."""
        if self._aborted.is_set():
            raise RequestAborted()
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise RequestTimedOut()
        exchange = _Exchange()
        with self._lock:
            self._open.add(exchange)
        timer = threading.Timer(remaining, exchange.expire)
        timer.daemon = True
        timer.start()
        opener = urllib.request.build_opener(*_handlers(exchange))
        try:
            try:
                with opener.open(request, timeout=remaining) as response:
                    answer = Answer(response.status, response.headers, read_capped(response, limit))
            except urllib.error.HTTPError as error:
                with error:
                    body = read_capped(error, ERROR_BODY_LIMIT, cut=True)
                answer = Answer(error.code, error.headers, body)
        except (OSError, http.client.HTTPException, ValueError):
            # A socket shut down under a read shows as any of these: say why it was.
            self._stopped(exchange, deadline)
            raise
        else:
            self._stopped(exchange, deadline)  # an answer cut short by the shutdown is none
            return answer
        finally:
            timer.cancel()
            with self._lock:
                self._open.discard(exchange)
            exchange.close()

    def _stopped(self, exchange: _Exchange, deadline: float) -> None:
        """Raise why `exchange` was ended, if it was ended from outside or by its deadline
        (the socket's own timeout, set to the time left, may come a moment before the timer)."""
        if exchange.expired or time.monotonic() >= deadline:
            raise RequestTimedOut() from None
        if self._aborted.is_set():
            raise RequestAborted() from None
