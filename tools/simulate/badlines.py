"""Bad input lines, each of a named kind, that ``schemas.decode_replay_line`` must reject.

Every kind starts from a plausible event of a real user at a real time (so it
sits among the good lines) and breaks exactly one rule of the contract.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from schemas.topics import CLICKSTREAM_TOPIC, CONTACT_TOPIC, FEEDBACK_TOPIC, LOCATION_TOPIC, SEARCH_TOPIC
from tools.feed import dumps

Base = Callable[[str], dict]  # topic -> a plausible, valid event dict (with "topic")

CLICK, SEARCH, LOC, FEEDBACK, CONTACT = CLICKSTREAM_TOPIC, SEARCH_TOPIC, LOCATION_TOPIC, FEEDBACK_TOPIC, CONTACT_TOPIC


def _set(d: dict, key: str, value) -> dict:
    d = dict(d)
    d[key] = value
    return d


def _drop(d: dict, key: str) -> dict:
    return {k: v for k, v in d.items() if k != key}


def _invalid_json(rng: random.Random, d: dict) -> bytes:
    raw = dumps(d).decode()
    if rng.random() < 0.5:
        return raw.replace('"', "'").encode()  # Python-style quotes
    return raw.replace(',"', ',', 1).encode()  # a key without its opening quote


def _truncated(rng: random.Random, d: dict) -> bytes:
    raw = dumps(d)
    return raw[: rng.randint(10, len(raw) - 2)]


def _trailing(rng: random.Random, d: dict) -> bytes:
    return dumps(d) + rng.choice([b"}]", b" xyz", b",", b'{"x":1}'])


def _not_object(rng: random.Random, d: dict) -> bytes:
    return rng.choice([b"42", b"[1,2,3]", b'"page_view"', b"null", b"true", b"[" + dumps(d) + b"]"])


def _non_utf8(rng: random.Random, d: dict) -> bytes:
    # a lone surrogate escape: valid JSON syntax, but not valid UTF-8 text
    word = rng.choice(["gr\\udcf6\\udcdfe", "\\ud800", "caf\\udce9", "m\\udcfcnchen"])
    return dumps(_set(d, "query", "@@")).replace(b"@@", word.encode())


def _nan(rng: random.Random, d: dict) -> bytes:
    return dumps(_set(d, "price", "@@")).replace(b'"@@"', rng.choice([b"NaN", b"Infinity", b"-Infinity"]))


def _ten_kb(query: str) -> str:
    """About 10 KB of a repeated query: far over the 512-character limit, under 64 KiB."""
    return ((query + " ") * (10_240 // (len(query) + 1) + 1)).strip()


def _mutate(topic: str, change: Callable[[random.Random, dict], dict]):
    return topic, lambda rng, d: dumps(change(rng, d))


KINDS: dict[str, tuple[str, Callable[[random.Random, dict], bytes]]] = {
    "invalid_json": (CLICK, _invalid_json),
    "truncated_json": (CLICK, _truncated),
    "trailing_garbage": (CLICK, _trailing),
    "not_object": (CLICK, _not_object),
    "non_utf8": (SEARCH, _non_utf8),
    "nan_value": (CLICK, _nan),
    "unknown_topic": _mutate(CLICK, lambda r, d: _set(d, "topic", r.choice(["moments.buy", "events.clicks",
                                                                               "clickstream"]))),
    "missing_topic": _mutate(SEARCH, lambda r, d: _drop(d, "topic")),
    "missing_event_id": _mutate(CLICK, lambda r, d: _drop(d, "event_id")),
    "missing_user_id": _mutate(CLICK, lambda r, d: _drop(d, "user_id")),
    "missing_ts": _mutate(CLICK, lambda r, d: _drop(d, "ts")),
    "missing_url": _mutate(CLICK, lambda r, d: _drop(d, "url")),
    "missing_query": _mutate(SEARCH, lambda r, d: _drop(d, "query")),
    "missing_lat": _mutate(LOC, lambda r, d: _drop(d, "lat")),
    "empty_user_id": _mutate(CLICK, lambda r, d: _set(d, "user_id", "")),
    "empty_query": _mutate(SEARCH, lambda r, d: _set(d, "query", "")),
    "event_id_too_long": _mutate(CLICK, lambda r, d: _set(d, "event_id", "e" * 200)),
    "url_too_long": _mutate(CLICK, lambda r, d: _set(d, "url", d["url"] + "?q=" + "x" * 2100)),
    "oversize_query": _mutate(SEARCH, lambda r, d: _set(d, "query", _ten_kb(d["query"]))),
    "wrong_type_user_id": _mutate(CLICK, lambda r, d: _set(d, "user_id", {"id": d["user_id"]})),
    "wrong_type_lat": _mutate(LOC, lambda r, d: _set(d, "lat", r.choice([str(d["lat"]), f"N{d['lat']}"]))),
    "wrong_type_price": _mutate(CLICK, lambda r, d: _set(d, "price", r.choice(["12,99", "19.99", "free"]))),
    "wrong_type_results_count": _mutate(SEARCH, lambda r, d: _set(d, "results_count", r.choice(["many", 3.5, "12"]))),
    "consent_not_object": _mutate(CLICK, lambda r, d: _set(d, "consent", r.choice(["yes", True, 1]))),
    "bad_channel": _mutate(CLICK, lambda r, d: _set(d, "channel", r.choice(["fax", "WEB", "sms"]))),
    "bad_device": _mutate(CLICK, lambda r, d: _set(d, "device", r.choice(["toaster", "smartwatch", "Mobile"]))),
    "bad_click_type": _mutate(CLICK, lambda r, d: _set(d, "type", r.choice(["hover", "scroll", "view"]))),
    "bad_moment": _mutate(FEEDBACK, lambda r, d: _set(d, "moment", r.choice(["maybe", "BUY", "see"]))),
    "bad_feedback_source": _mutate(FEEDBACK, lambda r, d: _set(d, "source", r.choice(["crm", "guess"]))),
    "bad_ts": _mutate(CLICK, lambda r, d: _set(d, "ts", r.choice([True, "yesterday", None, [2025, 5, 13]]))),
    "ts_without_offset": _mutate(CLICK, lambda r, d: _set(d, "ts", "2025-05-13T08:15:00")),
    "ts_numeric_string": _mutate(CLICK, lambda r, d: _set(d, "ts", "1747124100000")),
    "ts_out_of_range": _mutate(SEARCH, lambda r, d: _set(d, "ts", r.choice([17471160029190, -5, 12]))),
    "lat_out_of_range": _mutate(LOC, lambda r, d: _set(d, "lat", r.choice([200.0, -95.5, 91.0]))),
    "lon_out_of_range": _mutate(LOC, lambda r, d: _set(d, "lon", r.choice([-190.5, 181.0, 360.0]))),
    "heading_out_of_range": _mutate(LOC, lambda r, d: _set(d, "heading", r.choice([400.0, -10.0, 361.0]))),
    "negative_speed": _mutate(LOC, lambda r, d: _set(d, "speed_mps", r.choice([-3.0, -0.5]))),
    "negative_price": _mutate(CLICK, lambda r, d: _set(_set(d, "type", "add_to_cart"), "price", -19.99)),
    "negative_results_count": _mutate(SEARCH, lambda r, d: _set(d, "results_count", -1)),
}



def _long_text(text: str) -> str:
    """A message text far over the 4,000-character limit (4,100-6,000 characters)."""
    return ((text + " ") * (6_000 // (len(text) + 1) + 1))[:4_100 + len(text) * 7 % 1_900].strip()


#: bad ``events.contact`` lines, drawn only with ``--profiles`` (the others' kinds and order stay)
CONTACT_KINDS: dict[str, tuple[str, Callable[[random.Random, dict], bytes]]] = {
    "contact_missing_text": _mutate(CONTACT, lambda r, d: _drop(d, "text")),
    "contact_oversize_text": _mutate(CONTACT, lambda r, d: _set(d, "text", _long_text(d["text"]))),
    "contact_bad_medium": _mutate(CONTACT, lambda r, d: _set(d, "medium", r.choice(["letter", "fax", "sms",
                                                                                     "Email", "carrier pigeon"]))),
    "contact_bad_direction": _mutate(CONTACT, lambda r, d: _set(d, "direction", r.choice(["incoming", "sideways",
                                                                                           "both", "in", "OUT"]))),
}
ALL_KINDS = {**KINDS, **CONTACT_KINDS}


def make_bad_line(rng: random.Random, base: Base, kind: str | None = None) -> tuple[str, bytes]:
    """A bad line of ``kind`` (random when None) built from ``base``: ``(kind, bytes)``."""
    kind = kind or rng.choice(list(KINDS))
    topic, build = ALL_KINDS[kind]
    return kind, build(rng, base(topic))
