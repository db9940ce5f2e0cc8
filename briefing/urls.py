"""A database URL as it may be printed: in messages, the build's output and `briefing config`.

Both the settings (which show the memory in effect) and the PostgreSQL memory (which names it
in its errors) print such URLs, and neither may print a password.
"""

from __future__ import annotations


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
