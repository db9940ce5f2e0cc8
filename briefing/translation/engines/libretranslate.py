"""The LibreTranslate engine: segments translated by a LibreTranslate server over HTTP.

A team runs one LibreTranslate server (the Argos maintainers' own, with the en→ja and en→ko
packages, on a GPU if it has one); each person's builds send it only what their memory lacks.
Segments go in batches (`q` takes a list), a few requests at a time. The timeout is a deadline
on a batch as a whole, every try included: a stalled or dripping server holds a language no
longer than that. 429 and 5xx answers and dropped connections are retried with backoff while
the deadline allows. What cannot be fixed by waiting (no server at the URL, a refused API key, a
language pair the server lacks, an answer that is not one translation per sentence) fails that
language only, with a message naming the URL and the pair; its other batches are stopped then.
The answer is trusted for nothing: it is read up to a size in proportion to what was sent
(what the memory takes for each sentence, `target_limit`, and room for a runaway model), and
each item must be text; the stage then cleans each and cuts it to `target_limit`.

The memory key names the server and the pair (`libretranslate:en_ja@URL`), so translations from
different servers, or from the in-process engine, never mix.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import reprlib
import threading
import time
import urllib.request
from collections.abc import Callable
from concurrent.futures import FIRST_EXCEPTION, Future, ThreadPoolExecutor, wait
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any

from briefing.errors import BriefingError, InputError
from briefing.languages import SOURCE_LANGUAGE, Language
from briefing.memory.interface import target_limit
from briefing.translation.engines.bounded_http import (
    Answer,
    AnswerTooLarge,
    Requests,
    RequestTimedOut,
)
from briefing.translation.interface import LanguageUnavailable
from briefing.urls import server_url_problem, shown_server_url
from briefing.workspace.fields import TranslationSettings
from briefing.yamlsource.cleaning import clean_outside

#: Called with the number of segments just finished, for progress bars.
OnResult = Callable[[int], None]

ENV_API_KEY = "BRIEFING_LT_API_KEY"
#: Segments per request, requests at once, seconds for one request, tries per request: each
#: default is the setting's (batch_size, concurrency, timeout, retries under [translation]).
DEFAULTS = TranslationSettings()
BACKOFF = 0.5  # seconds before the first retry, doubled each time
MAX_WAIT = 30.0  # longest wait between two tries, whatever a Retry-After asks for
_RETRY_STATUS = {429, 500, 502, 503, 504}
#: The most bytes of JSON one character of a translation may take: an escaped character
#: outside the Basic Multilingual Plane ("\\ud83d\\ude00"), 12 bytes.
JSON_BYTES_PER_CHARACTER = 12
#: Room in an answer for its keys, white space and fields briefing does not read.
ANSWER_OVERHEAD = 64 * 1024
#: What a model that runs away may write for any sentence (256 pieces, LibreTranslate's
#: decoding limit, of up to 8 characters): still taken, then cut and flagged by the stage.
RUNAWAY_CHARACTERS = 2048
#: The most bytes of the server's list of languages (LibreTranslate's own is about 30 kB).
LANGUAGES_LIMIT = 4 * 1024 * 1024


NOT_WRITTEN = (
    "nothing of this language was written; the server is not answering as a LibreTranslate "
    "server does: check its version and its log"
)


class ServerRefused(BriefingError):
    """An answer that waiting will not change."""


@dataclass
class LibreTranslatePair:
    engine: LibreTranslateEngine
    source: str
    target: str

    @property
    def identity(self) -> str:
        return f"libretranslate:{self.source}_{self.target}@{self.engine.url}"

    def unavailable(self, why: str, advice: str) -> LanguageUnavailable:
        return LanguageUnavailable(
            self.source,
            self.target,
            f"LibreTranslate at {self.engine.url} cannot translate "
            f"{self.source}→{self.target}: {why}",
            advice,
        )

    def prepare(self) -> None:
        self.engine.check_pair(self)

    def translate(self, segments: list[str], on_result: OnResult | None = None) -> list[str]:
        if not segments:
            return []
        self.engine.check_pair(self)
        size = self.engine.batch_size
        batches = [segments[i : i + size] for i in range(0, len(segments), size)]
        lock = threading.Lock()
        requests = Requests()

        def run(batch: list[str]) -> list[str]:
            result = self.engine.request_batch(self, batch, requests)
            if on_result:
                with lock:
                    on_result(len(batch))
            return result

        # The first failure stops the rest: the language is not written, so their answers
        # would be wasted. Ctrl-C and SIGTERM stop them too, without waiting for the server:
        # the pool's threads end at once, and the process with them.
        pool = ThreadPoolExecutor(max_workers=self.engine.concurrency)
        finished = False
        try:
            futures = [pool.submit(run, batch) for batch in batches]
            wait(futures, return_when=FIRST_EXCEPTION)
            _raise_first_failure(futures)
            results = [future.result() for future in futures]
            finished = True
        finally:
            if not finished:
                requests.abort()
            pool.shutdown(wait=finished, cancel_futures=True)
        return [target for batch in results for target in batch]


def _raise_first_failure(futures: list[Future[list[str]]]) -> None:
    """The failure that ended the pass, not the ones of the batches it stopped."""
    for future in futures:
        if future.done() and not future.cancelled() and future.exception() is not None:
            raise future.exception()  # type: ignore[misc]


class LibreTranslateEngine:
    name = "libretranslate"

    def __init__(
        self,
        url: str,
        api_key: str | None = None,
        batch_size: int = DEFAULTS.batch_size,
        concurrency: int = DEFAULTS.concurrency,
        timeout: float = DEFAULTS.timeout,
        retries: int = DEFAULTS.retries,
        backoff: float = BACKOFF,
    ) -> None:
        problem = server_url_problem(url or "")
        if problem is not None:  # the settings check it too; this engine may be made directly
            raise InputError(
                f"the LibreTranslate URL {shown_server_url(url or '')!r} {problem} "
                "(setting translation.url, --engine-url or BRIEFING_ENGINE_URL)"
            )
        self.url = url.rstrip("/")
        self.api_key = api_key or None
        self.batch_size = batch_size
        self.concurrency = max(1, concurrency)
        self.timeout = timeout
        self.retries = max(1, retries)
        self.backoff = backoff
        self._targets: dict[str, set[str]] | None = None
        self._languages_lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: TranslationSettings) -> LibreTranslateEngine:
        if not settings.url:
            raise InputError(
                'the libretranslate engine needs the server\'s URL: url = "http://HOST:5000" '
                "under [translation] in briefing.toml, or --engine-url URL"
            )
        return cls(
            settings.url,
            api_key=settings.api_key.get_secret_value() if settings.api_key else None,
            batch_size=settings.batch_size,
            concurrency=settings.concurrency,
            timeout=settings.timeout,
            retries=settings.retries,
        )

    def describe(self) -> str:
        return f"LibreTranslate at {self.url}"

    def pair(self, source: str, target: str) -> LibreTranslatePair:
        return LibreTranslatePair(self, source, target)

    def reserve(self, target: Language) -> AbstractContextManager[None]:
        """Nothing to hold here: the server's models are the server's to keep."""
        return contextlib.nullcontext()

    def identity(self, target: Language) -> str:
        return self.pair(SOURCE_LANGUAGE, target.code).identity

    def translator(
        self, target: Language, on_result: Callable[[], None]
    ) -> Callable[[list[str]], list[str]]:
        """Checks the server has the pair first: a missing one fails before any work."""
        pair = self.pair(SOURCE_LANGUAGE, target.code)
        pair.prepare()

        def advance(count: int) -> None:
            for _ in range(count):
                on_result()

        return lambda segments: pair.translate(segments, advance)

    # -- HTTP -------------------------------------------------------------------------------

    def _call(
        self, path: str, payload: dict[str, Any] | None, limit: int, requests: Requests
    ) -> Any:
        """One request and its JSON answer (at most `limit` bytes), retried while the failure
        is one that waiting may cure and the deadline (`timeout` from now) allows."""
        deadline = time.monotonic() + self.timeout
        data = None if payload is None else json.dumps(payload).encode("utf-8")
        headers = {"Accept": "application/json"}
        if data is not None:
            headers["Content-Type"] = "application/json"
        last = ""
        tries = 0
        while tries < self.retries:
            request = urllib.request.Request(self.url + path, data=data, headers=headers)
            delay = min(MAX_WAIT, self.backoff * (2**tries))
            tries += 1
            try:
                answer = requests.send(request, deadline, limit)
            except RequestTimedOut:
                raise ServerUnreachable(
                    f"no complete answer within the timeout of {self.timeout:g} s"
                    + (f", after {last}" if last else "")
                ) from None
            except AnswerTooLarge as error:
                raise ServerRefused(f"its answer is too large ({error})") from None
            except (OSError, http.client.HTTPException) as error:  # refused, dropped, cut
                last = str(getattr(error, "reason", None) or error) or type(error).__name__
            else:
                if 200 <= answer.status < 300:
                    return _json(answer)
                last = f"HTTP {answer.status}: {_error_text(answer)}"
                if answer.status not in _RETRY_STATUS:
                    raise ServerRefused(last)
                retry_after = str(answer.headers.get("Retry-After", "")).strip()
                if retry_after.isascii() and retry_after.isdigit():
                    delay = min(MAX_WAIT, max(delay, float(retry_after)))
            if tries < self.retries:
                if time.monotonic() + delay >= deadline:
                    last += f"; no time left for another try within {self.timeout:g} s"
                    break
                requests.pause(delay)
        raise ServerUnreachable(f"{last} (tried {tries} times)")

    def check_pair(self, pair: LibreTranslatePair) -> None:
        """Ask the server once which pairs it has: a missing one fails before any work."""
        with self._languages_lock:
            if self._targets is None:
                try:
                    languages = self._call("/languages", None, LANGUAGES_LIMIT, Requests())
                    self._targets = {
                        str(language["code"]): set(language.get("targets", []))
                        for language in languages
                    }
                except ServerUnreachable as error:
                    raise pair.unavailable(
                        f"no answer ({error})",
                        "check the URL and that the server runs, or build with the in-process "
                        "engine (--engine argos) and installed models",
                    ) from None
                except (ServerRefused, KeyError, TypeError) as error:
                    raise pair.unavailable(
                        f"it does not answer like a LibreTranslate server ({error})",
                        "check the URL (engine url in briefing.toml, or --engine-url)",
                    ) from None
        if pair.target not in self._targets.get(pair.source, set()):
            raise pair.unavailable(
                "the server has no model for this pair",
                f"install the {pair.source}→{pair.target} package on the server "
                f"(e.g. start it with --load-only {pair.source},{pair.target})",
            )

    def request_batch(
        self, pair: LibreTranslatePair, batch: list[str], requests: Requests | None = None
    ) -> list[str]:
        """The server's translation of each segment of `batch`, checked: one text per segment.
        (The stage cleans each and cuts it to what the memory takes for its segment.)"""
        limit = ANSWER_OVERHEAD + sum(
            JSON_BYTES_PER_CHARACTER * (target_limit(segment) + RUNAWAY_CHARACTERS)
            for segment in batch
        )
        payload: dict[str, Any] = {
            "q": batch,
            "source": pair.source,
            "target": pair.target,
            "format": "text",
        }
        if self.api_key:
            payload["api_key"] = self.api_key
        try:
            answer = self._call("/translate", payload, limit, requests or Requests())
        except ServerUnreachable as error:
            raise pair.unavailable(
                f"the server stopped answering ({error})",
                "nothing of this language was written; run the build again when the server "
                "is back (the memory keeps what was already translated)",
            ) from None
        except ServerRefused as error:
            text = str(error)
            if "HTTP 403" in text or "API key" in text:
                raise pair.unavailable(
                    f"the server refused the API key ({text})",
                    f"set api_key under [translation] in briefing.toml or {ENV_API_KEY}",
                ) from None
            if "not supported" in text or "not available" in text:
                raise pair.unavailable(f"the server lacks the pair ({text})", "") from None
            raise pair.unavailable(text, "") from None
        targets = answer.get("translatedText") if isinstance(answer, dict) else None
        if not isinstance(targets, list) or len(targets) != len(batch):
            raise pair.unavailable(
                f"it answered {len(targets) if isinstance(targets, list) else 'no'} "
                f"translations for {len(batch)} segments",
                NOT_WRITTEN,
            )
        for target in targets:
            if not isinstance(target, str):
                raise pair.unavailable(
                    f"it answered {_shown(target)} for a segment, where a translation (text) "
                    "belongs",
                    NOT_WRITTEN,
                )
        return targets


class ServerUnreachable(BriefingError):
    """No usable answer after every retry."""


def _json(answer: Answer) -> Any:
    try:
        return json.loads(answer.body)
    except (ValueError, RecursionError) as error:  # not JSON, or nested past the parser
        raise ServerRefused(f"the answer is not JSON ({type(error).__name__})") from None


def _error_text(answer: Answer) -> str:
    """What an error answer says, short and printable."""
    try:
        body = json.loads(answer.body)
        text = str(body.get("error", body)) if isinstance(body, dict) else str(body)
    except (ValueError, RecursionError):
        text = answer.body.decode("utf-8", "replace")
    return _shown(text)


def _shown(value: object, length: int = 120) -> str:
    """A value from the server as a message may print it: one line, cut short, no controls."""
    text = value if isinstance(value, str) else reprlib.repr(value)
    text = " ".join(clean_outside(text).split())
    return text if len(text) <= length else text[: length - 1] + "…"
