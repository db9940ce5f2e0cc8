"""The real servers the team features are tested against start offline and behave as the tests
assume: LibreTranslate translates with only the generated packages and downloads nothing;
PostgreSQL runs as an unprivileged user, on a socket only."""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request

import pytest

from tests.conftest import TINY_PACKAGES
from tests.servers.libretranslate import TEST_API_KEY, LibreTranslateServers
from tests.servers.minisbd_model import model_bytes
from tests.servers.postgresql import PostgresServer


def _translate(url: str, payload: dict[str, object]) -> tuple[int, dict[str, object]]:
    request = urllib.request.Request(
        url + "/translate",
        data=json.dumps(payload).encode(),
        headers={"Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


def test_libretranslate_translates_lists_offline_with_the_generated_packages(
    libretranslate_servers: LibreTranslateServers,
) -> None:
    server = libretranslate_servers.start(list(TINY_PACKAGES.values()), api_key=TEST_API_KEY)
    texts = ["The leaders met in Nara. They agreed.", "Mr. Lee thanked Ms. Takaichi."]
    status, body = _translate(
        server.url, {"q": texts, "source": "en", "target": "ja", "api_key": TEST_API_KEY}
    )
    assert status == 200, body
    targets = body["translatedText"]
    assert isinstance(targets, list) and len(targets) == 2
    # The tiny random model writes Japanese-looking pieces, never the English input.
    assert all(t and t != s for t, s in zip(targets, texts, strict=True))
    status, korean = _translate(
        server.url, {"q": texts, "source": "en", "target": "ko", "api_key": TEST_API_KEY}
    )
    assert status == 200 and korean["translatedText"] != targets
    # Nothing was fetched: no MiniSBD or Argos download landed in the server's caches.
    assert server.downloaded_files() == []
    assert "Downloading" not in server.log.read_text(errors="replace")


def test_libretranslate_refuses_a_wrong_key_and_a_missing_pair(
    libretranslate_servers: LibreTranslateServers,
) -> None:
    server = libretranslate_servers.start(list(TINY_PACKAGES.values()), api_key=TEST_API_KEY)
    status, body = _translate(
        server.url, {"q": ["Hello."], "source": "en", "target": "ja", "api_key": "wrong"}
    )
    assert status == 403 and "API key" in str(body["error"])
    status, body = _translate(
        server.url, {"q": ["Hello."], "source": "en", "target": "de", "api_key": TEST_API_KEY}
    )
    assert status == 400 and "de" in str(body["error"])


def test_generated_sentence_splitter_is_stable_bytes() -> None:
    """The splitter model is part of the test set-up: the same bytes every run."""
    assert model_bytes() == model_bytes()
    assert model_bytes().startswith(b"\x08\x08")  # ModelProto.ir_version = 8


def test_postgresql_runs_unprivileged_on_a_socket_only(
    postgres_server: PostgresServer, postgres_url: str
) -> None:
    import psycopg

    with psycopg.connect(postgres_url) as connection:
        listen = connection.execute("SHOW listen_addresses").fetchone()
        assert listen == ("",)
        assert connection.execute("SELECT 1").fetchone() == (1,)
    owner = os.stat(postgres_server.data).st_uid
    if os.geteuid() == 0:
        assert owner != 0
    assert not postgres_server.psql("SELECT inet_server_addr()").strip()
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(f"postgresql://briefing@127.0.0.1:{postgres_server.port}/postgres")
