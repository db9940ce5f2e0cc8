"""A memory's location: what it may be; URLs as they may be printed; a translation server's
address checked.

A translation memory is a postgresql:// (postgres://) URL or a file path, nothing else: text
that begins like another scheme ("file:", "sqlite:", "mysql://", "http://") is refused rather
than taken as a path (a folder named "sqlite:") or handed to SQLite, which reads "file:" names
as URIs of its own. The settings check it where it is written; the memory checks it again.

Both the settings (which show the memory in effect) and the PostgreSQL memory (which names it
in its errors) print database URLs, and neither may print a password. The settings and the
LibreTranslate engine check a server's address with the same rule, and neither repeats a
secret it holds.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

POSTGRES_SCHEMES = ("postgresql://", "postgres://")
# A scheme has two letters at least: "C:" begins a Windows path, not a URL.
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]+):")


def is_postgres_url(location: object) -> bool:
    return isinstance(location, str) and location.startswith(POSTGRES_SCHEMES)


def is_address(location: str) -> bool:
    """Whether `location` begins with a scheme (postgresql:, file:, http:), unlike a path."""
    return _SCHEME.match(location) is not None


def location_problem(location: str) -> str | None:
    """Why `location` is neither a postgresql:// URL nor a file path; None when it is one."""
    scheme = _SCHEME.match(location)
    if is_postgres_url(location) or scheme is None:
        return None
    return (
        f"a {scheme.group(1)}: address is not a translation memory; give a file path (an SQLite "
        "file, e.g. ~/memories/memory.sqlite) or a postgresql:// URL, or write ./NAME for a "
        f"file whose name begins with {scheme.group(1)}:"
    )


def display_url(url: str, *, as_written: bool = False) -> str:
    """The URL without its password, for messages; with `as_written`, one that holds no
    password is returned as it was written."""
    from psycopg.conninfo import conninfo_to_dict

    try:
        parts = conninfo_to_dict(url)
    except Exception:  # noqa: BLE001 - a malformed URL is shown as given, minus nothing secret
        return url.split("@")[-1]
    if as_written and not parts.get("password"):
        return url
    user = f"{parts['user']}@" if parts.get("user") else ""
    host = str(parts.get("host") or "")
    port = f":{parts['port']}" if parts.get("port") else ""
    if host.startswith("/"):
        socket_port = f"&port={parts['port']}" if parts.get("port") else ""
        return f"postgresql://{user}/{parts.get('dbname', '')}?host={host}{socket_port}"
    return f"postgresql://{user}{host}{port}/{parts.get('dbname', '')}"


#: How a translation server's address is written, for the messages that refuse one.
SERVER_URL_FORM = "http(s)://HOST[:PORT][/PATH], e.g. http://translate.example.org:5000"


def server_url_problem(url: str) -> str | None:
    """What makes `url` unusable as a translation server's address, or None: it must be
    http(s) with a host, a port number if any, and nothing that would be printed in every build
    and stored in every memory key (a user name, a password, a query). The answer never
    repeats the URL, which may hold a secret."""
    if any(char.isspace() or not char.isprintable() for char in url):
        return f"holds a space or a control character; write it as {SERVER_URL_FORM}"
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:  # "[::1" unclosed, a port that is no number or out of range
        detail = "" if "@" in url else f" ({error})"  # it could quote part of a password
        return f"cannot be read as a URL{detail}; write it as {SERVER_URL_FORM}"
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return f"is not an http(s) URL with a host; write it as {SERVER_URL_FORM}"
    if port == 0:
        return f"names port 0; write it as {SERVER_URL_FORM}"
    if parts.username is not None or parts.password is not None:
        return (
            "holds a user name or password; give the address without it and the server's API "
            "key in BRIEFING_LT_API_KEY (or api_key under [translation])"
        )
    if parts.query or parts.fragment:
        return (
            "has a query or fragment; give the server's address only, and its API key in "
            "BRIEFING_LT_API_KEY"
        )
    return None


def shown_server_url(url: str) -> str:
    """`url` as a message may print it: no query or fragment, and everything up to an "@"
    hidden (a user name and password, even one holding a slash)."""
    base = re.split("[?#]", url, maxsplit=1)[0]
    head, separator, rest = base.partition("://") if "://" in base else ("", "", base)
    if "@" in rest:
        rest = "***@" + rest.rpartition("@")[2]
    return head + separator + rest
