"""chDB's one-process rule: the sink owns the chDB folder and serves the analysts.

chDB opens a data folder in one process only. While ``micromoments sink`` runs on the
embedded default it listens on ``127.0.0.1:<MOMENTS_SINK_PORT>`` (0 = a free port) and
writes the address to ``<data dir>/sink.endpoint``; ``micromoments query`` and
``erase`` find it there and send their request to the sink, which runs it on its
own client (queries read-only, erasures after flushing the pending batch). Without a
running sink they open the chDB folder themselves. With a server
(``MOMENTS_CLICKHOUSE_URL``) every process connects directly.
"""

from __future__ import annotations

import asyncio
import json
import os
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import orjson

from config import Settings
from sinks import clickhouse
from sinks.query import Analytics, ReadOnlyViolation


def endpoint_file(settings: Settings) -> Path:
    return Path(settings.data_dir) / "sink.endpoint"


class SinkUnavailable(Exception):
    pass


async def serve(sink, settings: Settings):
    """Start the endpoint in the sink's loop; returns the aiohttp runner (``await runner.cleanup()``)."""
    from aiohttp import web

    def analytics() -> Analytics:
        if not sink.ready:
            raise RuntimeError("ClickHouse is not ready yet")
        return Analytics(settings, sink.client)

    async def query(request: web.Request) -> web.Response:
        body = await request.json()
        try:
            a = analytics()
            if body.get("name"):
                cols, rows = await asyncio.to_thread(a.named, body["name"], int(body.get("limit", 100)))
            else:
                cols, rows = await asyncio.to_thread(a.sql, body.get("sql", ""))
        except ReadOnlyViolation as exc:
            return _json({"error": str(exc), "kind": "readonly"}, 403)
        except Exception as exc:  # noqa: BLE001
            return _json({"error": str(exc)}, 400)
        return _json({"columns": cols, "rows": rows})

    async def erase(request: web.Request) -> web.Response:
        body = await request.json()
        user_id = body.get("user_id")
        if not isinstance(user_id, str) or not user_id:
            return _json({"error": "user_id required"}, 400)
        try:
            async with sink.lock:  # rows of the user still pending are inserted first, then deleted
                await sink._flush_locked()
                removed = await asyncio.to_thread(analytics().erase, user_id)
                sink.erased = await asyncio.to_thread(analytics().erased)
        except Exception as exc:  # noqa: BLE001
            return _json({"error": str(exc)}, 500)
        return _json({"removed": removed})

    async def stats(request: web.Request) -> web.Response:
        return _json({"stats": dict(sink.stats)})

    async def metrics(request: web.Request) -> web.Response:
        from sinks.metrics import render_sink_metrics

        return web.Response(body=render_sink_metrics(sink), content_type="text/plain", charset="utf-8")

    app = web.Application()
    app.add_routes([web.post("/query", query), web.post("/erase", erase), web.get("/stats", stats),
                    web.get("/metrics", metrics)])
    if settings.sink_metrics_port:
        # metrics only, for Prometheus from another container: /query and /erase stay on loopback
        metrics_only = web.Application()
        metrics_only.add_routes([web.get("/metrics", metrics)])
        metrics_runner = web.AppRunner(metrics_only, access_log=None)
        await metrics_runner.setup()
        await web.TCPSite(metrics_runner, settings.web_host, settings.sink_metrics_port).start()
        app.on_cleanup.append(lambda _app: metrics_runner.cleanup())
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", settings.sink_port)
    await site.start()
    port = runner.addresses[0][1]
    path = endpoint_file(settings)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({"url": f"http://127.0.0.1:{port}", "pid": os.getpid()}))
    tmp.replace(path)
    return runner


async def stop_serving(runner, settings: Settings) -> None:
    try:
        endpoint_file(settings).unlink()
    except FileNotFoundError:
        pass
    await runner.cleanup()


def _json(obj: Any, status: int = 200):
    from aiohttp import web

    return web.Response(body=orjson.dumps(obj, default=str), status=status, content_type="application/json")


class Remote:
    """The ``Analytics`` interface over the running sink's endpoint."""

    def __init__(self, url: str) -> None:
        self.url = url

    def _post(self, path: str, body: dict) -> dict:
        req = urllib.request.Request(self.url + path, data=orjson.dumps(body), method="POST",
                                     headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=120) as r:
                return orjson.loads(r.read())
        except urllib.error.HTTPError as exc:
            answer = orjson.loads(exc.read() or b"{}")
            if answer.get("kind") == "readonly":
                raise ReadOnlyViolation(answer.get("error", "refused")) from None
            raise RuntimeError(answer.get("error", str(exc))) from None

    def named(self, name: str, limit: int = 100):
        a = self._post("/query", {"name": name, "limit": limit})
        return a["columns"], a["rows"]

    def sql(self, sql: str):
        a = self._post("/query", {"sql": sql})
        return a["columns"], a["rows"]

    def erase(self, user_id: str) -> dict[str, int]:
        return self._post("/erase", {"user_id": user_id})["removed"]


def running_sink(settings: Settings) -> Remote | None:
    """The running sink's endpoint (embedded chDB only), if one answers."""
    path = endpoint_file(settings)
    if not clickhouse.is_embedded(settings) or not path.exists():
        return None
    try:
        url = json.loads(path.read_text())["url"]
        with urllib.request.urlopen(url + "/stats", timeout=2):
            return Remote(url)
    except (OSError, ValueError, KeyError):
        return None  # stale file of a sink that died


def open_analytics(settings: Settings):
    """``Remote`` to the running sink, else ``Analytics`` on a direct client."""
    remote = running_sink(settings)
    if remote is not None:
        return remote
    from sinks import schema

    try:
        client = clickhouse.connect(settings)
    except Exception as exc:  # noqa: BLE001
        raise SinkUnavailable(f"cannot open {clickhouse.describe(settings)}: {exc}") from exc
    try:
        schema.migrate(client, settings)  # idempotent; an empty chDB folder gets its tables
    except Exception:  # noqa: BLE001 - e.g. an analyst's server account without DDL rights
        if clickhouse.is_embedded(settings):
            raise
    return Analytics(settings, client)
