"""The ASGI layer in front of every request: size limits, and the Prometheus metrics.

Pure ASGI (not Starlette's ``BaseHTTPMiddleware``, which costs a task per request). Metrics are
labelled by route *template*, never by path: a user id must not reach a label (privacy, and one
time series per customer would be a memory leak).
"""

from __future__ import annotations

import time
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

MAX_PATH = 2048
#: latency buckets in seconds: the targets are 1 ms (p50) and 5 ms (p99)
BUCKETS = (0.00025, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0, 5.0, 30.0)


def route_of(path: str) -> str:
    """The route template of a path (bounded set of label values).

    >>> route_of("/v1/profiles/u-1"), route_of("/v1/profiles/u-1/next-best-action"), route_of("/x/y")
    ('/v1/profiles/{user_id}', '/v1/profiles/{user_id}/next-best-action', 'other')
    """
    if path.startswith("/v1/profiles/"):
        return "/v1/profiles/{user_id}/next-best-action" if path.endswith("/next-best-action") \
            else "/v1/profiles/{user_id}"
    if path.startswith("/desk/"):
        return "/desk/{user_id}"
    return path if path in ("/health", "/metrics", "/openapi.json", "/docs") else "other"


class ServeMetrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter("micromoments_serve_requests", "HTTP requests answered", ["route", "status"],
                                registry=self.registry)
        self.latency = Histogram("micromoments_serve_request_seconds", "time to answer a request", ["route"],
                                 buckets=BUCKETS, registry=self.registry)
        self.lag = Gauge("micromoments_serve_lag_records", "profile records not read yet", registry=self.registry)
        self.ready = Gauge("micromoments_serve_ready", "1 once caught up with the profiles topic",
                           registry=self.registry)
        self.profiles = Gauge("micromoments_serve_profiles", "profiles in this replica's store",
                              registry=self.registry)
        self.applied = Gauge("micromoments_serve_records_applied", "profile records read since start",
                             registry=self.registry)
        self.since = Gauge("micromoments_serve_seconds_since_update", "seconds since a profile record was applied",
                           registry=self.registry)

    def render(self, serve: Any) -> bytes:
        follower = serve.follower
        self.ready.set(1 if serve.ready() else 0)
        self.profiles.set(len(serve.store))
        if follower is not None:
            self.lag.set(follower.lag)
            self.applied.set(follower.records)
            if follower.last_applied_at is not None:
                self.since.set(max(0.0, time.time() - follower.last_applied_at))
        return generate_latest(self.registry)


class Guard:
    """Refuses oversized requests (413/414) before any handler runs; times every request."""

    def __init__(self, app: Any, metrics: ServeMetrics, max_request_bytes: int) -> None:
        self.app, self.metrics, self.max_bytes = app, metrics, max_request_bytes

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        t0 = time.perf_counter()
        status = 500
        route = route_of(scope["path"])

        async def sending(message: dict) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            refused = self._refused(scope)
            if refused is not None:
                await _plain(sending, *refused)
                return
            await self.app(scope, self._limited(receive), sending)
        finally:
            self.metrics.requests.labels(route, str(status)).inc()
            self.metrics.latency.labels(route).observe(time.perf_counter() - t0)

    def _refused(self, scope: dict) -> tuple[int, bytes] | None:
        if len(scope.get("raw_path") or b"") + len(scope.get("query_string") or b"") > MAX_PATH:
            return 414, b'{"detail":"request line too long"}'
        for name, value in scope["headers"]:
            if name == b"content-length" and (not value.isdigit() or int(value) > self.max_bytes):
                return 413, b'{"detail":"request body too large"}'
        return None

    def _limited(self, receive: Any) -> Any:
        """A body sent without a length is counted as it arrives and cut off at the limit."""
        seen = 0

        async def receiving() -> dict:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.max_bytes:
                raise ValueError("request body too large")
            return message

        return receiving


async def _plain(send: Any, status: int, body: bytes) -> None:
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})
