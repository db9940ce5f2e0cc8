"""The LibreTranslate engine against a real LibreTranslate server (tests/servers/libretranslate.py)
serving the generated test packages: batching, errors that fail one language, retries, glossary
protection as with the in-process engine, and the Nara example built through the server."""

from __future__ import annotations

import contextlib
import http.server
import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import docx
import pytest

from briefing.languages import LANGUAGES
from briefing.terms.glossary import load_glossary
from briefing.terms.protect import translate_protected
from briefing.translation.engines import Engine
from briefing.translation.engines.argos import ArgosEngine
from briefing.translation.engines.libretranslate import LibreTranslateEngine
from briefing.translation.engines.registry import create_engine
from briefing.translation.interface import LanguageUnavailable
from briefing.versions import VERSIONS_NAME
from briefing.workspace.fields import TranslationSettings
from briefing.workspace.settings import load_settings
from tests.conftest import FIXTURES as TEST_FIXTURES
from tests.conftest import GLOSSARY, NARA, TINY_PACKAGES, build_args, run_cli, start_cli
from tests.servers.libretranslate import (
    TEST_API_KEY,
    LibreTranslateServer,
    LibreTranslateServers,
    free_port,
)
from tests.support.loopback import serving

FIXTURES = TEST_FIXTURES / "argos"
SENTENCES = [
    "The leaders met in Nara.",
    "They agreed to deepen cooperation.",
    "Prime Minister Sanae Takaichi welcomed President Lee Jae Myung.",
    "Talks covered economic security.",
    "Both sides condemned the missile launches.",
    "A joint statement was not issued.",
    "The next meeting is expected in Seoul.",
]


@pytest.fixture(scope="module")
def tiny_server(libretranslate_servers: LibreTranslateServers) -> LibreTranslateServer:
    return libretranslate_servers.start(list(TINY_PACKAGES.values()), api_key=TEST_API_KEY)


def test_batches_come_back_in_order_and_as_the_server_translates_each_alone(
    tiny_server: LibreTranslateServer,
) -> None:
    engine = LibreTranslateEngine(tiny_server.url, api_key=TEST_API_KEY, batch_size=3)
    done: list[int] = []
    targets = engine.pair("en", "ja").translate(SENTENCES, done.append)
    assert len(targets) == len(SENTENCES) and sum(done) == len(SENTENCES)
    assert sorted(done) == [1, 3, 3]  # three requests of at most three segments
    alone = LibreTranslateEngine(tiny_server.url, batch_size=1, concurrency=1).pair("en", "ja")
    assert [alone.translate([s])[0] for s in SENTENCES[:3]] == targets[:3]
    korean = engine.pair("en", "ko").translate(SENTENCES[:2])
    assert korean != targets[:2]


def test_identity_names_the_server_and_the_pair(tiny_server: LibreTranslateServer) -> None:
    pair = LibreTranslateEngine(tiny_server.url + "/").pair("en", "ko")
    assert pair.identity == f"libretranslate:en_ko@{tiny_server.url}"


def test_a_wrong_key_fails_the_language_naming_url_and_pair(
    tiny_server: LibreTranslateServer,
) -> None:
    engine = LibreTranslateEngine(tiny_server.url, api_key="not-the-key")
    with pytest.raises(LanguageUnavailable) as caught:
        engine.pair("en", "ja").translate(["Hello."])
    message = str(caught.value)
    assert tiny_server.url in message and "en→ja" in message and "API key" in message
    assert "BRIEFING_LT_API_KEY" in caught.value.advice
    assert caught.value.target == "ja"


def test_a_pair_the_server_lacks_fails_before_any_request(
    tiny_server: LibreTranslateServer,
) -> None:
    with pytest.raises(LanguageUnavailable) as caught:
        LibreTranslateEngine(tiny_server.url).pair("en", "de").translate(["Hello."])
    assert tiny_server.url in str(caught.value) and "en→de" in str(caught.value)
    assert "no model" in str(caught.value)


def test_no_server_at_the_url_fails_quickly_naming_it() -> None:
    url = f"http://127.0.0.1:{free_port()}"
    engine = LibreTranslateEngine(url, retries=3, backoff=0.01)
    started = time.monotonic()
    with pytest.raises(LanguageUnavailable) as caught:
        engine.pair("en", "ko").translate(["Hello."])
    assert time.monotonic() - started < 5
    assert url in str(caught.value) and "en→ko" in str(caught.value)


class _Flaky(http.server.BaseHTTPRequestHandler):
    """Answers /languages, then 429 and 503 before translating (echoing the input)."""

    failures: list[int] = []
    posts = 0

    def log_message(self, *args: object) -> None:
        pass

    def _json(self, status: int, body: object, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:  # noqa: N802
        self._json(200, [{"code": "en", "name": "English", "targets": ["ja"]}])

    def do_POST(self) -> None:  # noqa: N802
        type(self).posts += 1
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        if self.failures:
            status = self.failures.pop(0)
            self._json(status, {"error": "slow down"}, {"Retry-After": "0"})
            return
        self._json(200, {"translatedText": [f"<{q}>" for q in body["q"]]})


@pytest.fixture
def flaky() -> Iterator[tuple[str, type[_Flaky]]]:
    handler = type("Flaky", (_Flaky,), {"failures": [], "posts": 0})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    with serving(server):
        yield f"http://127.0.0.1:{server.server_address[1]}", handler


def test_429_and_5xx_are_retried_with_backoff(flaky: tuple[str, type[_Flaky]]) -> None:
    url, handler = flaky
    handler.failures[:] = [429, 503, 502]
    engine = LibreTranslateEngine(url, batch_size=10, concurrency=1, backoff=0.01)
    assert engine.pair("en", "ja").translate(["a b", "c"]) == ["<a b>", "<c>"]
    assert handler.posts == 4


def test_a_server_that_keeps_failing_fails_the_language(flaky: tuple[str, type[_Flaky]]) -> None:
    url, handler = flaky
    handler.failures[:] = [503] * 10
    engine = LibreTranslateEngine(url, retries=3, backoff=0.01)
    with pytest.raises(LanguageUnavailable) as caught:
        engine.pair("en", "ja").translate(["a"])
    assert "503" in str(caught.value) and url in str(caught.value)
    assert handler.posts == 3


class _Slow(_Flaky):
    """Answers each translation after `delay` seconds (only the first `slow_posts`, when set),
    and counts the most requests it was working on at once."""

    delay = 0.0
    slow_posts: int | None = None
    in_flight = 0
    most_in_flight = 0
    lock = threading.Lock()

    def do_POST(self) -> None:  # noqa: N802
        cls = type(self)
        with cls.lock:
            cls.posts += 1
            number = cls.posts
            cls.in_flight += 1
            cls.most_in_flight = max(cls.most_in_flight, cls.in_flight)
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        if cls.slow_posts is None or number <= cls.slow_posts:
            time.sleep(cls.delay)
        with cls.lock:
            cls.in_flight -= 1  # before answering: the client's next request may start then
        with contextlib.suppress(OSError):  # a client that gave up has closed the connection
            self._json(200, {"translatedText": [f"<{q}>" for q in body["q"]]})


@pytest.fixture
def slow() -> Iterator[tuple[str, type[_Slow]]]:
    handler = type("Slow", (_Slow,), {"posts": 0, "lock": threading.Lock()})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    with serving(server):
        yield f"http://127.0.0.1:{server.server_address[1]}", handler


def _engine_of_workspace(folder: Path, translation: str, env: dict[str, str]) -> Engine:
    """The engine a build in `folder` makes: from briefing.toml's [translation] and `env`."""
    (folder / "briefing.toml").write_text(f"[translation]\n{translation}", encoding="utf-8")
    return create_engine(load_settings(cwd=folder, env=env).translation)


@pytest.mark.parametrize(
    ("in_file", "env", "most"),
    [("concurrency = 2\n", {}, 2), ("concurrency = 2\n", {"BRIEFING_LT_CONCURRENCY": "3"}, 3)],
)
def test_requests_at_once_follow_the_concurrency_setting(
    slow: tuple[str, type[_Slow]], tmp_path: Path, in_file: str, env: dict[str, str], most: int
) -> None:
    url, handler = slow
    handler.delay = 0.3
    translation = f'engine = "libretranslate"\nurl = "{url}"\nbatch_size = 1\n{in_file}'
    engine = _engine_of_workspace(tmp_path, translation, env)
    segments = [f"Sentence {n}." for n in range(8)]
    assert engine.translator(LANGUAGES["ja"], lambda: None)(segments) == [
        f"<{s}>" for s in segments
    ]
    assert handler.posts == 8 and handler.most_in_flight == most


def test_a_batch_longer_than_the_timeout_setting_fails_at_the_deadline_and_is_not_sent_again(
    slow: tuple[str, type[_Slow]], tmp_path: Path
) -> None:
    """The server takes 3 s over the first request; with `timeout = 0.5` in briefing.toml the
    engine gives up on it after half a second and fails the language: the timeout bounds the
    batch, every try included, so a stalled server is not asked again."""
    url, handler = slow
    handler.delay, handler.slow_posts = 3.0, 1
    translation = f'engine = "libretranslate"\nurl = "{url}"\ntimeout = 0.5\n'
    engine = _engine_of_workspace(tmp_path, translation, {})
    started = time.monotonic()
    with pytest.raises(LanguageUnavailable) as caught:
        engine.translator(LANGUAGES["ja"], lambda: None)(["Hello."])
    assert "no complete answer within the timeout of 0.5 s" in str(caught.value)
    assert handler.posts == 1 and time.monotonic() - started < 2.0


@pytest.mark.parametrize(
    ("in_file", "env", "tries"),
    [("retries = 2\n", {}, 2), ("retries = 2\n", {"BRIEFING_LT_RETRIES": "3"}, 3)],
)
def test_tries_per_request_follow_the_retries_setting(
    flaky: tuple[str, type[_Flaky]], tmp_path: Path, in_file: str, env: dict[str, str], tries: int
) -> None:
    url, handler = flaky
    handler.failures[:] = [503] * 10
    translation = f'engine = "libretranslate"\nurl = "{url}"\n{in_file}'
    engine = _engine_of_workspace(tmp_path, translation, env)
    translate = engine.translator(LANGUAGES["ja"], lambda: None)
    with pytest.raises(LanguageUnavailable) as caught:
        translate(["a"])
    assert f"tried {tries} times" in str(caught.value)
    assert handler.posts == tries


def _methods(engine: Engine, lang: str) -> list[tuple[str, bool]]:
    glossary = load_glossary(GLOSSARY)
    translate = engine.translator(LANGUAGES[lang], lambda: None)
    outcomes = translate_protected(SENTENCES, glossary, lang, translate)
    return [(o.method, o.flagged) for o in outcomes]


def test_placeholders_are_retried_and_flagged_as_with_the_in_process_engine(
    tiny_server: LibreTranslateServer, tiny_models_dir: Path
) -> None:
    """The random tiny model loses every placeholder in both engines: each sentence with a
    glossary term takes the retry around its terms, the same way through either engine."""
    server = LibreTranslateEngine(tiny_server.url, api_key=TEST_API_KEY)
    local = ArgosEngine.from_settings(TranslationSettings(models_dir=tiny_models_dir))
    local.identity(LANGUAGES["ja"])
    methods = _methods(server, "ja")
    assert methods == _methods(local, "ja")
    assert ("split", False) in methods  # the sentence naming the two leaders


def test_server_killed_mid_build_fails_its_languages_and_writes_the_rest(
    libretranslate_servers: LibreTranslateServers, tmp_path: Path
) -> None:
    """As the README says: requests are retried, then the languages the server was to
    translate are not written (exit status 1, naming the server and the pair), English is, and
    nothing half-done is left."""
    server = libretranslate_servers.start(list(TINY_PACKAGES.values()), shared=False)
    build = start_cli(
        *build_args(NARA, lang="en,ja,ko", out=tmp_path / "out", tm=tmp_path / "tm.sqlite"),
        *("--engine", "libretranslate", "--engine-url", server.url, "--batch-size", "1"),
        cwd=tmp_path,
        env={"BRIEFING_LT_RETRIES": "2"},  # one retry, after half a second: the test's time
    )
    try:
        deadline = time.monotonic() + 120
        while server.log.read_text(errors="replace").count("apply_packaged_translation") < 3:
            assert build.poll() is None and time.monotonic() < deadline, build.communicate()
            time.sleep(0.05)
        server.kill()
        _, errors = build.communicate(timeout=180)
    finally:
        if build.poll() is None:
            build.kill()
    assert build.returncode == 1, errors
    assert f"LibreTranslate at {server.url} cannot translate en→ja" in errors
    assert "the ja documents were not written" in errors and "Traceback" not in errors
    out = tmp_path / "out"
    assert (out / f"{NARA.stem}.en.docx").exists()
    assert sorted(p.name for p in out.iterdir() if p.suffix == ".docx") == [f"{NARA.stem}.en.docx"]
    kept = (".docx", ".json", ".lock")  # and the versions of the documents written
    leftovers = [p for p in out.iterdir() if p.suffix not in kept and p.name != VERSIONS_NAME]
    assert not leftovers


def test_auto_device_is_the_cpu_here_and_the_build_says_so(
    tiny_models_dir: Path, tmp_path: Path
) -> None:
    result = run_cli(
        "build", NARA, "--lang", "ko", "--out", tmp_path / "out", "--tm", tmp_path / "tm.sqlite",
        "--models-dir", tiny_models_dir, cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "in-process models (CTranslate2) on cpu (auto: 0 CUDA devices found" in result.stderr


def test_cuda_without_a_gpu_is_a_clear_error(tiny_models_dir: Path, tmp_path: Path) -> None:
    result = run_cli(
        "build", NARA, "--lang", "ko", "--out", tmp_path / "out", "--tm", tmp_path / "tm.sqlite",
        "--models-dir", tiny_models_dir, "--device", "cuda", cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 2
    assert "no CUDA device" in result.stderr and "--device cpu" in result.stderr
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").glob("*.docx"))


def _document_text(path: Path) -> list[str]:
    """Every paragraph and table cell but the machine-translation notice, which names the
    engine (a package, or a server) and so differs by design."""
    document = docx.Document(str(path))
    texts = [p.text for p in document.paragraphs if p.style is None or p.style.name != "Notice"]
    for table in document.tables:
        texts += [cell.text for row in table.rows for cell in row.cells]
    return texts


def test_server_and_in_process_engine_write_the_same_documents_with_the_copy_packages(
    libretranslate_servers: LibreTranslateServers, tmp_path: Path
) -> None:
    copy_packages = [FIXTURES / f"translate-en_{lang}-copy.argosmodel" for lang in ("ja", "ko")]
    if not all(p.exists() for p in copy_packages):
        pytest.skip("the copy packages (tests/fixtures/argos/make_packages.py) are not built yet")
    server = libretranslate_servers.start(copy_packages)
    models_dir = tmp_path / "models"
    installed = run_cli("models", "install", *copy_packages, "--models-dir", models_dir,
                        cwd=tmp_path)  # fmt: skip
    assert installed.returncode == 0, installed.stderr
    common: list[str | Path] = ["build", NARA, "--lang", "ja,ko", "--tm", tmp_path / "tm.sqlite"]
    local = run_cli(*common, "--out", tmp_path / "local", "--models-dir", models_dir,
                    cwd=tmp_path)  # fmt: skip
    remote = run_cli(*common, "--out", tmp_path / "remote", "--engine", "libretranslate",
                     "--engine-url", server.url, cwd=tmp_path)  # fmt: skip
    assert local.returncode == 0 and remote.returncode == 0, local.stderr + remote.stderr
    for lang in ("ja", "ko"):
        name = f"{NARA.stem}.{lang}.docx"
        ours, theirs = (
            _document_text(tmp_path / "local" / name),
            _document_text(tmp_path / "remote" / name),
        )
        assert ours == theirs
        assert any("Takaichi" not in t and t for t in ours)
