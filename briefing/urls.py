"""A memory's location: what it may be, and a database URL as it may be printed.

A translation memory is a postgresql:// (postgres://) URL or a file path, nothing else: text
that begins like another scheme ("file:", "sqlite:", "mysql://", "http://") is refused rather
than taken as a path (a folder named "sqlite:") or handed to SQLite, which reads "file:" names
as URIs of its own. The settings check it where it is written; the memory checks it again.

Both the settings (which show the memory in effect) and the PostgreSQL memory (which names it
in its errors) print such URLs, and neither may print a password.
"""

from __future__ import annotations

import re

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
