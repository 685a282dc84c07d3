"""Messages of the analytics topics -> rows of the ClickHouse tables, with privacy applied.

User ids become a keyed hash (``pseudonymize``), positions a 6-character geohash;
nothing else personal is kept. Each ``*_row`` returns values in the order of the
table's ``COLUMNS`` (the insert names its columns, so extra table columns get defaults).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path
from typing import Any

from config import Settings
from schemas.topics import (
    ANALYTICS_EVENTS_TOPIC,
    ANALYTICS_METRICS_TOPIC,
    ANALYTICS_MOMENTS_TOPIC,
    ANALYTICS_SESSIONS_TOPIC,
)

_BASE32 = "0123456789bcdefghjkmnpqrstuvwxyz"
GEOHASH_CHARS = 6


def geohash(lat: float, lon: float, precision: int = GEOHASH_CHARS) -> str:
    """The standard geohash of a position.

    >>> geohash(48.137154, 11.576124)
    'u281z7'
    >>> geohash(57.64911, 10.40744, 11)
    'u4pruydqqvj'
    """
    lat_lo, lat_hi, lon_lo, lon_hi = -90.0, 90.0, -180.0, 180.0
    out, bits, ch, even = [], 0, 0, True
    while len(out) < precision:
        if even:
            mid = (lon_lo + lon_hi) / 2
            if lon >= mid:
                ch, lon_lo = (ch << 1) | 1, mid
            else:
                ch, lon_hi = ch << 1, mid
        else:
            mid = (lat_lo + lat_hi) / 2
            if lat >= mid:
                ch, lat_lo = (ch << 1) | 1, mid
            else:
                ch, lat_hi = ch << 1, mid
        even = not even
        bits += 1
        if bits == 5:
            out.append(_BASE32[ch])
            bits, ch = 0, 0
    return "".join(out)


def pseudonymize(key: bytes, user_id: str) -> str:
    """The stable pseudonym of a user id: hex of hmac-sha256(key, id), 32 characters."""
    return hmac.new(key, user_id.encode("utf-8", "surrogatepass"), hashlib.sha256).hexdigest()[:32]


def pseudonym_key(settings: Settings) -> bytes:
    """``MOMENTS_PSEUDONYM_KEY``, else a random key created once in ``<data dir>/pseudonym.key``
    (mode 0600). Losing the key makes new pseudonyms differ from stored ones."""
    if settings.pseudonym_key:
        return settings.pseudonym_key.encode("utf-8")
    path = Path(settings.data_dir) / "pseudonym.key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32))
    return path.read_text().strip().encode("utf-8")


def _s(value: Any) -> str:
    return "" if value is None else str(value)


EVENT_COLUMNS = ("event_id", "user_id", "session_id", "topic", "ts", "channel", "device", "locale", "type", "url",
                 "title", "referrer", "product_id", "category", "price", "currency", "query", "results_count",
                 "source", "geohash", "accuracy_m", "speed_mps", "heading", "moment")
_EVENT_TEXT = ("channel", "device", "locale", "type", "url", "title", "referrer", "product_id", "category",
               "currency", "query", "source", "moment")


def event_row(msg: dict[str, Any], key: bytes) -> list[Any]:
    row = {name: _s(msg.get(name)) for name in _EVENT_TEXT}
    lat, lon = msg.get("lat"), msg.get("lon")
    row.update(
        event_id=msg["event_id"], user_id=pseudonymize(key, msg["user_id"]), session_id=_s(msg.get("session_id")),
        topic=msg["topic"], ts=int(msg["ts_ms"]), price=msg.get("price"), results_count=msg.get("results_count"),
        geohash=geohash(lat, lon) if lat is not None and lon is not None else "",
        accuracy_m=msg.get("accuracy_m"), speed_mps=msg.get("speed_mps"), heading=msg.get("heading"),
    )
    return [row[c] for c in EVENT_COLUMNS]


MOMENT_COLUMNS = ("moment_id", "moment", "user_id", "session_id", "confidence", "score_know", "score_go", "score_do",
                  "score_buy", "event_id", "event_ts", "detected_at", "latency_ms", "model", "model_version",
                  "action", "channel", "device", "locale", "query", "url", "product_ids", "venue_id",
                  "venue_name", "venue_distance_m", "venue_open", "reason_features", "reason_contributions")


def _ts_ms(rfc3339: str) -> int:
    from datetime import datetime

    return int(round(datetime.fromisoformat(rfc3339.replace("Z", "+00:00")).timestamp() * 1000))


def moment_row(msg: dict[str, Any], key: bytes) -> list[Any]:
    ctx = msg.get("context") or {}
    venue = ctx.get("venue") or {}
    scores = msg.get("scores") or {}
    reasons = msg.get("reasons") or []
    row = {
        "moment_id": msg["moment_id"], "moment": msg["moment"], "user_id": pseudonymize(key, msg["user_id"]),
        "session_id": msg["session_id"], "confidence": float(msg["confidence"]),
        **{f"score_{m}": float(scores.get(m, 0.0)) for m in ("know", "go", "do", "buy")},
        "event_id": msg["event_id"], "event_ts": _ts_ms(msg["event_ts"]), "detected_at": _ts_ms(msg["detected_at"]),
        "latency_ms": float(msg.get("latency_ms") or 0.0),
        "model": _s((msg.get("model") or {}).get("name")), "model_version": _s((msg.get("model") or {}).get("version")),
        "action": _s((msg.get("next_best_action") or {}).get("action")),
        "channel": _s(ctx.get("channel")), "device": _s(ctx.get("device")), "locale": _s(ctx.get("locale")),
        "query": _s(ctx.get("query")), "url": _s(ctx.get("url")), "product_ids": list(ctx.get("product_ids") or []),
        "venue_id": _s(venue.get("venue_id")), "venue_name": _s(venue.get("name")),
        "venue_distance_m": venue.get("distance_m"), "venue_open": venue.get("open_now"),
        "reason_features": [r["feature"] for r in reasons],
        "reason_contributions": [float(r["contribution"]) for r in reasons],
    }
    return [row[c] for c in MOMENT_COLUMNS]


SESSION_COLUMNS = ("session_id", "user_id", "start", "end", "n_events", "channel", "device", "last_moment",
                   "n_moments", "client_session_id")


def session_row(msg: dict[str, Any], key: bytes) -> list[Any]:
    return [msg["session_id"], pseudonymize(key, msg["user_id"]), int(msg["start_ms"]), int(msg["end_ms"]),
            int(msg.get("n_events") or 0), _s(msg.get("channel")), _s(msg.get("device")),
            _s(msg.get("last_moment")), int(msg.get("n_moments") or 0), _s(msg.get("client_session_id"))]


METRIC_COLUMNS = ("ts", "worker", "model", "version", "labels", "accuracy", "macro_f1", "error_mean", "drifts",
                  "window", "processed")


def metric_row(msg: dict[str, Any], key: bytes) -> list[Any]:
    return [int(msg["ts_ms"]), _s(msg.get("worker")), _s(msg.get("model")), _s(msg.get("version")),
            int(msg.get("labels") or 0), float(msg.get("accuracy") or 0.0), float(msg.get("macro_f1") or 0.0),
            float(msg.get("error_mean") or 0.0), int(msg.get("drifts") or 0), int(msg.get("window") or 0),
            int(msg.get("processed") or 0)]


#: analytics topic (without prefix) -> (table, columns, converter)
TABLES = {
    ANALYTICS_EVENTS_TOPIC: ("events", EVENT_COLUMNS, event_row),
    ANALYTICS_MOMENTS_TOPIC: ("moments", MOMENT_COLUMNS, moment_row),
    ANALYTICS_SESSIONS_TOPIC: ("sessions", SESSION_COLUMNS, session_row),
    ANALYTICS_METRICS_TOPIC: ("model_metrics", METRIC_COLUMNS, metric_row),
}
