"""One code path to ClickHouse through clickhouse-connect: embedded chDB or a server.

``MOMENTS_CLICKHOUSE_URL`` empty -> embedded chDB in ``<data dir>/chdb`` (``chdb:///path``);
otherwise a server URL ``http[s]://user:password@host:port[/database]`` (TLS with https).
chDB allows one process per data folder: see docs/ANALYTICS.md for how that is handled.
"""

from __future__ import annotations

from pathlib import Path

from config import Settings


def chdb_path(settings: Settings) -> Path:
    return (settings.data_dir / "chdb").resolve()


def dsn(settings: Settings) -> str:
    """The clickhouse-connect DSN of the configured backend."""
    if settings.clickhouse_url:
        return settings.clickhouse_url
    return f"chdb://{chdb_path(settings)}"


def is_embedded(settings: Settings) -> bool:
    return not settings.clickhouse_url


def connect(settings: Settings):
    """A clickhouse-connect client (``ChdbClient`` for the embedded default)."""
    import clickhouse_connect

    if is_embedded(settings):
        chdb_path(settings).mkdir(parents=True, exist_ok=True)
    return clickhouse_connect.get_client(dsn=dsn(settings))


def describe(settings: Settings) -> str:
    """Where the data is, without credentials (for messages)."""
    if is_embedded(settings):
        return f"embedded chDB at {chdb_path(settings)}"
    from urllib.parse import urlsplit

    u = urlsplit(settings.clickhouse_url)
    return f"ClickHouse server {u.scheme}://{u.hostname}:{u.port or ''}"
