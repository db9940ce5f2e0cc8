"""The LibreTranslate engine: segments translated by a LibreTranslate server over HTTP.

A team runs one LibreTranslate server (the Argos maintainers' own, with the en→ja and en→ko
packages, on a GPU if it has one); each person's builds send it only what their memory lacks.
Segments go in batches (`q` takes a list), a few requests at a time, each with a timeout; 429
and 5xx answers and dropped connections are retried with backoff. What cannot be fixed by
waiting (no server at the URL, a refused API key, a language pair the server lacks) fails that
language only, with a message naming the URL and the pair.

The memory key names the server and the pair (`libretranslate:en_ja@URL`), so translations from
different servers, or from the in-process engine, never mix.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any

from briefing.errors import BriefingError, InputError
from briefing.languages import SOURCE_LANGUAGE, Language
from briefing.translation.interface import LanguageUnavailable
from briefing.workspace.fields import TranslationSettings

#: Called with the number of segments just finished, for progress bars.
OnResult = Callable[[int], None]

ENV_API_KEY = "BRIEFING_LT_API_KEY"
#: Segments per request, requests at once, seconds for one request, tries per request: each
#: default is the setting's (batch_size, concurrency, timeout, retries under [translation]).
DEFAULTS = TranslationSettings()
BACKOFF = 0.5  # seconds before the first retry, doubled each time
MAX_WAIT = 30.0  # longest wait a Retry-After may ask for
_RETRY_STATUS = {429, 500, 502, 503, 504}


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

        def run(batch: list[str]) -> list[str]:
            result = self.engine.request_batch(self, batch)
            if on_result:
                with lock:
                    on_result(len(batch))
            return result

        with ThreadPoolExecutor(max_workers=self.engine.concurrency) as pool:
            results = list(pool.map(run, batches))
        return [target for batch in results for target in batch]


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
        parsed = urllib.parse.urlsplit(url or "")
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            raise InputError(
                f"the LibreTranslate URL {url!r} is not an http(s) URL; give the server's "
                "address, e.g. --engine-url http://translate.example.org:5000"
            )
        if parsed.username is not None or parsed.password is not None:
            # It would be printed in every build and stored in every memory key.
            raise InputError(
                f"the LibreTranslate URL for {parsed.hostname} holds a user name or password; "
                "give the address without it and the server's API key in BRIEFING_LT_API_KEY "
                "(or api_key under [translation])"
            )
        if parsed.query or parsed.fragment:
            raise InputError(
                f"the LibreTranslate URL {parsed.scheme}://{parsed.netloc}{parsed.path} has a "
                "query or fragment (not printed); give the server's address only, and its API "
                "key in BRIEFING_LT_API_KEY"
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

    def _call(self, path: str, payload: dict[str, Any] | None) -> Any:
        """One request, retried while the failure is one that waiting may cure."""
        data = None if payload is None else json.dumps(payload).encode("utf-8")
        headers = {"Accept": "application/json"}
        if data is not None:
            headers["Content-Type"] = "application/json"
        last = ""
        for attempt in range(self.retries):
            request = urllib.request.Request(self.url + path, data=data, headers=headers)
            wait = self.backoff * (2**attempt)
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as response:
                    return json.load(response)
            except urllib.error.HTTPError as error:
                message = _error_text(error)
                if error.code not in _RETRY_STATUS:
                    raise ServerRefused(f"HTTP {error.code}: {message}") from None
                last = f"HTTP {error.code}: {message}"
                retry_after = error.headers.get("Retry-After", "")
                if retry_after.isdigit():
                    wait = min(MAX_WAIT, max(wait, float(retry_after)))
            except (urllib.error.URLError, ConnectionError, TimeoutError, OSError) as error:
                reason = getattr(error, "reason", error)
                last = f"{reason}"
            except ValueError as error:  # not JSON: not a LibreTranslate server
                raise ServerRefused(f"the answer is not JSON ({error})") from None
            if attempt < self.retries - 1:
                time.sleep(wait)
        raise ServerUnreachable(f"{last} (tried {self.retries} times)")

    def check_pair(self, pair: LibreTranslatePair) -> None:
        """Ask the server once which pairs it has: a missing one fails before any work."""
        with self._languages_lock:
            if self._targets is None:
                try:
                    languages = self._call("/languages", None)
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

    def request_batch(self, pair: LibreTranslatePair, batch: list[str]) -> list[str]:
        payload: dict[str, Any] = {
            "q": batch,
            "source": pair.source,
            "target": pair.target,
            "format": "text",
        }
        if self.api_key:
            payload["api_key"] = self.api_key
        try:
            answer = self._call("/translate", payload)
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
                "",
            )
        return [str(target) for target in targets]


class ServerUnreachable(BriefingError):
    """No usable answer after every retry."""


def _error_text(error: urllib.error.HTTPError) -> str:
    try:
        body = json.loads(error.read().decode("utf-8", "replace"))
        return str(body.get("error", body))
    except (ValueError, OSError, AttributeError):
        return str(error.reason)
