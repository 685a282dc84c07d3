"""Session features, updated incrementally in O(1) per event.

A session keeps cumulative cue counts, the cue keys of its last few events,
and the latest numeric cues. ``vector`` turns that into River's ``x`` dict:

* ``s:<cue>`` log-count over the session, ``r:<cue>`` present in the last 3 events;
* cues are ``w:<token>`` (query, URL path and title tokens — English and German,
  normalized by ``detectors.text``; the same token space for every source, so
  no cue depends on one site's URL scheme), ``b:<token>_<token>`` query bigrams,
  ``ev:<type>`` click types, ``src:<topic>``;
* numeric: ``loc:*`` (speed class, distance to the nearest venue and its change,
  heading towards it, dwell), ``price:log``, ``n:events``, device, channel, hour.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from detectors.hotloops import session_vector
from detectors.text import tokens, url_tokens

RECENT_EVENTS = 3
MAX_PRODUCTS = 10
MAX_CUES_PER_EVENT = 24


#: the cues of an event's text fields, memoized (queries, pages and titles repeat across users
#: and events); bounded: cleared when full
_CUES: dict[tuple, tuple[str, ...]] = {}
_CUES_MAX = 100_000


def event_cues(event: Any) -> list[str]:
    """The cue keys of one validated event (click, search or location)."""
    fields = event.__dict__  # not getattr: pydantic's fallback for absent names is slow
    query, url = fields.get("query"), fields.get("url")
    if url is not None:
        key: tuple = (query, url, event.type, event.title, bool(event.product_id))
    else:
        key = (query, None, None, None, fields.get("lat") is not None)
    cues = _CUES.get(key)
    if cues is None:
        if len(_CUES) >= _CUES_MAX:
            _CUES.clear()
        cues = _CUES[key] = _event_cues(*key)
    return list(cues)


def _event_cues(query: str | None, url: str | None, type_: str | None, title: str | None,
                flag: bool) -> tuple[str, ...]:
    """``flag``: the click has a product; without query and click, the event has a position."""
    cues: list[str] = []
    if query is not None:
        cues.append("src:search")
        toks = tokens(query)
        cues += [f"w:{t}" for t in toks]
        cues += [f"b:{a}_{b}" for a, b in zip(toks, toks[1:])]
    if url is not None:
        cues.append(f"ev:{type_}")
        cues += [f"w:{t}" for t in url_tokens(url)]
        if title:
            cues += [f"w:{t}" for t in tokens(title)]
        if flag:
            cues.append("has:product")
    elif flag and query is None:
        cues.append("src:location")
    return tuple(dict.fromkeys(cues))[:MAX_CUES_PER_EVENT]


@dataclass(slots=True)
class SessionFeatures:
    """The detector's incremental state of one session (the pipeline's ``Session`` holds one and
    stores it with the user's state; only this module writes it).

    >>> from schemas.events import SearchEvent
    >>> f = SessionFeatures()
    >>> update(f, SearchEvent(event_id="e1", user_id="u1", ts=1_764_000_000_000, query="buy cheap tv", channel="app"), None)
    ['src:search', 'w:buy', 'w:cheap', 'w:tv', 'b:buy_cheap', 'b:cheap_tv']
    >>> f.n_events, f.query, f.channel, f.counts["w:tv"]
    (1, 'buy cheap tv', 'app', 1.0)
    """

    n_events: int = 0
    channel: str = "web"
    device: str | None = None
    locale: str | None = None
    counts: dict[str, float] = field(default_factory=dict)  # cumulative cue counts
    recent: list[list[str]] = field(default_factory=list)  # cue keys of the last few events
    numeric: dict[str, float] = field(default_factory=dict)  # latest numeric cues (location, price)
    products: list[str] = field(default_factory=list)  # latest first, unique
    query: str | None = None
    url: str | None = None
    position: list[float] | None = None  # [lat, lon, ts_ms, distance_to_nearest_m]

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> SessionFeatures:
        # fields a newer or older version stored but this one does not know are ignored
        return cls(**{k: v for k, v in d.items() if k in cls.__dataclass_fields__})


def update(session: SessionFeatures, event: Any, nearest: Any | None) -> list[str]:
    """Fold one event into a session's feature state; returns the event's cues."""
    cues = event_cues(event)
    counts = session.counts
    for c in cues:
        counts[c] = counts.get(c, 0.0) + 1.0
    session.recent.append(cues)
    if len(session.recent) > RECENT_EVENTS:
        del session.recent[0]
    session.n_events += 1
    num = session.numeric
    fields = event.__dict__
    if fields.get("query") is not None:
        session.query = event.query
    if fields.get("url") is not None:
        session.url = event.url
        if event.product_id:
            _remember_product(session, event.product_id)
        if event.price is not None:
            num["price:log"] = math.log1p(event.price)
    if fields.get("lat") is not None:
        _location_cues(session, event, nearest)
    session.channel = event.channel
    session.device = event.device or session.device
    session.locale = event.locale or session.locale
    return cues


def _remember_product(session: SessionFeatures, product_id: str) -> None:
    products = session.products
    if product_id in products:
        products.remove(product_id)
    products.insert(0, product_id)
    del products[MAX_PRODUCTS:]


def _location_cues(session: SessionFeatures, event: Any, nearest: Any | None) -> None:
    num = session.numeric
    for k in [k for k in num if k.startswith("loc:")]:
        del num[k]
    speed = event.speed_mps
    if speed is not None:
        band = "still" if speed < 0.5 else "walk" if speed < 2.5 else "bike" if speed < 7 else "drive"
        num[f"loc:{band}"] = 1.0
    if nearest is None:
        session.position = [event.lat, event.lon, float(event.ts), -1.0]
        return
    d = nearest.distance_m
    num["loc:dist_log_km"] = math.log1p(d / 1000.0)
    if d < 80 and (speed is None or speed < 0.7):
        num["loc:in_venue"] = 1.0
    elif d < 2000:
        num["loc:near_venue"] = 1.0
    prev = session.position
    if prev is not None and prev[3] >= 0 and event.ts > prev[2]:
        change = prev[3] - d
        if change > 25:
            num["loc:approaching"] = 1.0
        elif change < -25:
            num["loc:leaving"] = 1.0
    if event.heading is not None and speed is not None and speed >= 0.5 and d > 80:
        diff = abs((event.heading - nearest.bearing + 180.0) % 360.0 - 180.0)
        num["loc:heading_to_venue"] = math.cos(math.radians(diff))
    session.position = [event.lat, event.lon, float(event.ts), d]


def vector(session: SessionFeatures, ts_ms: int) -> dict[str, float]:
    """River's ``x`` for the session's current state (compiled where built: detectors.hotloops)."""
    return session_vector(session.counts, session.recent, session.numeric, session.n_events, session.channel,
                          session.device, ts_ms)
