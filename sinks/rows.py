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
from schemas.internal import AnalyticsEvent, AnalyticsSession, ModelMetrics
from schemas.outputs import Moment
from schemas.profiles import AnalysedContact, Profile
from schemas.timefmt import parse_ts
from schemas.topics import (
    ANALYTICS_CONTACTS_TOPIC,
    ANALYTICS_EVENTS_TOPIC,
    ANALYTICS_METRICS_TOPIC,
    ANALYTICS_MOMENTS_TOPIC,
    ANALYTICS_SESSIONS_TOPIC,
    MOMENTS,
    PROFILES_TOPIC,
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


def event_row(msg: AnalyticsEvent, key: bytes) -> list[Any]:
    row = {name: _s(getattr(msg, name)) for name in _EVENT_TEXT}
    row.update(
        event_id=msg.event_id, user_id=pseudonymize(key, msg.user_id), session_id=_s(msg.session_id),
        topic=msg.topic, ts=msg.ts_ms, price=msg.price, results_count=msg.results_count,
        geohash=geohash(msg.lat, msg.lon) if msg.lat is not None and msg.lon is not None else "",
        accuracy_m=msg.accuracy_m, speed_mps=msg.speed_mps, heading=msg.heading,
    )
    return [row[c] for c in EVENT_COLUMNS]


MOMENT_COLUMNS = ("moment_id", "moment", "user_id", "session_id", "confidence", "score_know", "score_go", "score_do",
                  "score_buy", "event_id", "event_ts", "detected_at", "latency_ms", "model", "model_version",
                  "action", "channel", "device", "locale", "query", "url", "product_ids", "venue_id",
                  "venue_name", "venue_distance_m", "venue_open", "reason_features", "reason_contributions")


def moment_row(msg: Moment, key: bytes) -> list[Any]:
    ctx, venue = msg.context, msg.context.venue
    row = {
        "moment_id": msg.moment_id, "moment": msg.moment, "user_id": pseudonymize(key, msg.user_id),
        "session_id": msg.session_id, "confidence": msg.confidence,
        **{f"score_{m}": float(msg.scores.get(m, 0.0)) for m in MOMENTS},
        "event_id": msg.event_id, "event_ts": parse_ts(msg.event_ts), "detected_at": parse_ts(msg.detected_at),
        "latency_ms": msg.latency_ms, "model": msg.model.name, "model_version": msg.model.version,
        "action": msg.next_best_action.action,
        "channel": _s(ctx.channel), "device": _s(ctx.device), "locale": _s(ctx.locale),
        "query": _s(ctx.query), "url": _s(ctx.url), "product_ids": list(ctx.product_ids),
        "venue_id": venue.venue_id if venue else "", "venue_name": venue.name if venue else "",
        "venue_distance_m": venue.distance_m if venue else None, "venue_open": venue.open_now if venue else None,
        "reason_features": [r.feature for r in msg.reasons],
        "reason_contributions": [r.contribution for r in msg.reasons],
    }
    return [row[c] for c in MOMENT_COLUMNS]


SESSION_COLUMNS = ("session_id", "user_id", "start", "end", "n_events", "channel", "device", "last_moment",
                   "n_moments", "client_session_id")


def session_row(msg: AnalyticsSession, key: bytes) -> list[Any]:
    return [msg.session_id, pseudonymize(key, msg.user_id), msg.start_ms, msg.end_ms, msg.n_events,
            _s(msg.channel), _s(msg.device), _s(msg.last_moment), msg.n_moments, _s(msg.client_session_id)]


METRIC_COLUMNS = ("ts", "worker", "model", "version", "labels", "accuracy", "macro_f1", "error_mean", "drifts",
                  "window", "processed")


def metric_row(msg: ModelMetrics, key: bytes) -> list[Any]:
    return [msg.ts_ms, msg.worker, msg.model, msg.version, msg.labels, msg.accuracy, msg.macro_f1, msg.error_mean,
            msg.drifts, msg.window, msg.processed]


PROFILE_COLUMNS = ("user_id", "updated_at", "version", "moment", "moment_confidence", "sentiment_score",
                   "sentiment_label", "sentiment_trend", "sentiment_n", "criticality_level", "criticality_score",
                   "criticality_reasons", "interest_topics", "interest_weights", "actions", "lang")


def profile_row(msg: Profile, key: bytes) -> list[Any] | None:
    """A profile record for the history table; none for users who do not allow analytics."""
    if not msg.consent.analytics:
        return None
    s, c = msg.sentiment, msg.criticality
    row = {
        "user_id": pseudonymize(key, msg.user_id), "updated_at": parse_ts(msg.updated_at), "version": msg.version,
        "moment": msg.moment.moment if msg.moment else "",
        "moment_confidence": msg.moment.confidence if msg.moment else None,
        "sentiment_score": s.score if s else None, "sentiment_label": s.label if s else "",
        "sentiment_trend": s.trend if s else "", "sentiment_n": s.n if s else 0,
        "criticality_level": c.level if c else "", "criticality_score": c.score if c else None,
        "criticality_reasons": list(c.reasons) if c else [],
        "interest_topics": [i.topic for i in msg.interests], "interest_weights": [i.weight for i in msg.interests],
        "actions": {ch: a.action for ch, a in msg.next_best_action.items()}, "lang": _s(msg.lang),
    }
    return [row[c] for c in PROFILE_COLUMNS]


CONTACT_COLUMNS = ("event_id", "user_id", "ts", "medium", "channel", "lang", "lang_detected", "sentiment_score",
                   "sentiment_label", "sentiment_reasons")


def contact_row(msg: AnalysedContact, key: bytes) -> list[Any]:
    return [msg.event_id, pseudonymize(key, msg.user_id), parse_ts(msg.ts), msg.medium, msg.channel, msg.lang,
            msg.lang_detected, msg.sentiment.score, msg.sentiment.label, list(msg.sentiment.reasons)]


#: analytics topic (without prefix) -> (table, columns, message model, converter)
TABLES = {
    ANALYTICS_EVENTS_TOPIC: ("events", EVENT_COLUMNS, AnalyticsEvent, event_row),
    ANALYTICS_MOMENTS_TOPIC: ("moments", MOMENT_COLUMNS, Moment, moment_row),
    ANALYTICS_SESSIONS_TOPIC: ("sessions", SESSION_COLUMNS, AnalyticsSession, session_row),
    ANALYTICS_METRICS_TOPIC: ("model_metrics", METRIC_COLUMNS, ModelMetrics, metric_row),
    ANALYTICS_CONTACTS_TOPIC: ("contacts", CONTACT_COLUMNS, AnalysedContact, contact_row),
    # the contract's compacted topic itself: its records carry consent, tombstones are skipped
    # (an erasure reaches the tables through mm.control)
    PROFILES_TOPIC: ("profiles", PROFILE_COLUMNS, Profile, profile_row),
}


def to_row(topic: str, value: bytes, key: bytes) -> tuple[str, list[Any]]:
    """(table, row) of a record of an analytics topic (without prefix), ``(None, None)`` for a record
    that is not stored (a tombstone, a profile without analytics consent); raises on a bad record."""
    table, _, model, convert = TABLES[topic]
    if value is None:
        return None, None
    row = convert(model.model_validate_json(value), key)
    return (table, row) if row is not None else (None, None)
