"""Schemas: the sample validates exactly where it should; bad input never raises."""

from __future__ import annotations

import json
from datetime import datetime

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from schemas import (
    ClickEvent,
    Feedback,
    LocationEvent,
    Rejection,
    SearchEvent,
    Venue,
    VenueTombstone,
    decode,
    decode_replay_line,
    format_ts,
    parse_ts,
)
from schemas.decode import MAX_MESSAGE_BYTES, REASONS
from tests.shared_sample import sample_lines, sample_meta

GOOD = {
    "events.clickstream": {"event_id": "e1", "user_id": "u1", "ts": 1747116002919, "type": "add_to_cart",
                           "url": "https://shop.example/p/1", "price": 9.5, "product_id": "P1"},
    "events.search": {"event_id": "e2", "user_id": "u1", "ts": "2025-05-13T06:00:02.919+02:00",
                      "query": "kaffeevollautomat entkalken", "results_count": 3, "source": "voice"},
    "events.location": {"event_id": "e3", "user_id": "u1", "ts": 1747116002919.5, "lat": 48.1, "lon": 11,
                        "speed_mps": 1.4, "heading": 360},
    "feedback": {"event_id": "e4", "user_id": "u1", "ts": "2025-05-13T06:00:02Z", "moment": "go",
                 "source": "store_visit"},
    "ref.venues": {"venue_id": "v1", "name": "Store", "lat": 48.1, "lon": 11.5, "stock": {"P1": 3},
                   "opening_hours": "Mo-Sa 09:00-21:00", "wait_minutes": 4, "free_capacity": 10},
}
MODELS = {"events.clickstream": ClickEvent, "events.search": SearchEvent, "events.location": LocationEvent,
          "feedback": Feedback, "ref.venues": Venue}


# --- the shared sample -------------------------------------------------------------------------

def test_sample_validates_exactly_except_the_listed_bad_lines():
    lines, meta = sample_lines(), sample_meta()
    bad = {b["line"]: b["kind"] for b in meta["bad_lines"]}
    assert len(lines) == meta["lines"]
    rejected = {}
    for number, line in enumerate(lines, start=1):
        topic, msg = decode_replay_line(line)
        if isinstance(msg, Rejection):
            assert msg.reason in REASONS and msg.detail
            rejected[number] = msg.reason
        else:
            assert isinstance(msg, MODELS[topic] if topic != "ref.venues" else (Venue, VenueTombstone))
    assert set(rejected) == set(bad)
    # the reason names the kind of fault the sample planted
    expected_reason = {"invalid_json": "invalid_json", "truncated_json": "invalid_json",
                       "trailing_garbage": "invalid_json", "not_object": "not_object",
                       "unknown_topic": "unknown_topic", "non_utf8": "invalid_utf8"}
    for number, kind in bad.items():
        if kind.startswith("missing_"):
            assert rejected[number] == "missing_field", (number, kind)
        else:
            assert rejected[number] == expected_reason.get(kind, "invalid_field"), (number, kind)


# --- hand-written cases ------------------------------------------------------------------------

@pytest.mark.parametrize("topic", list(GOOD))
def test_good_messages_validate_and_keep_extra_fields(topic):
    msg = decode(topic, orjson.dumps({**GOOD[topic], "app_version": "5.1"}))
    assert isinstance(msg, MODELS[topic])
    assert msg.model_extra == {"app_version": "5.1"}


def test_ts_is_normalized_to_utc_epoch_ms():
    assert decode("events.search", orjson.dumps(GOOD["events.search"])).ts == 1747108802919
    assert decode("events.location", orjson.dumps(GOOD["events.location"])).ts == 1747116002919
    assert parse_ts("2025-05-13T06:00:02.9Z") == 1747116002900
    assert format_ts(1747116002005) == "2025-05-13T06:00:02.005Z"


@given(st.datetimes(min_value=datetime(2000, 1, 2), max_value=datetime(2099, 12, 30)),
       st.integers(min_value=-(23 * 60 + 59), max_value=23 * 60 + 59), st.integers(min_value=0, max_value=86_399_999))
def test_parse_ts_equals_datetimes_arithmetic_within_a_cached_date(local, offset_min, other_ms):
    from datetime import UTC, timedelta, timezone

    def check(dt):
        expected = (dt - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(milliseconds=1)
        assert parse_ts(dt.isoformat(timespec="milliseconds")) == expected
        assert parse_ts(dt.isoformat(timespec="milliseconds").replace("+00:00", "Z")) == expected

    dt = local.replace(microsecond=local.microsecond // 1000 * 1000, tzinfo=timezone(timedelta(minutes=offset_min)))
    check(dt)
    midnight = dt.replace(hour=0, minute=0, second=0, microsecond=0)
    check(midnight + timedelta(milliseconds=other_ms))  # the date's midnight now comes from the cache


@given(st.integers(min_value=0, max_value=253402300799999), st.integers(min_value=0, max_value=86_399_999))
def test_format_ts_equals_datetimes_formatting_within_a_cached_day(ms, other_ms):
    from datetime import UTC, datetime, timedelta

    def reference(t):  # integer arithmetic: no float rounding of milliseconds
        dt = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(milliseconds=t)
        return dt.isoformat(timespec="milliseconds").replace("+00:00", "Z")

    assert format_ts(ms) == reference(ms)
    same_day = ms - ms % 86_400_000 + other_ms  # the day's date now comes from the cache
    assert format_ts(same_day) == reference(same_day)


@pytest.mark.parametrize(
    ("topic", "change", "reason", "field"),
    [
        ("events.location", {"lat": "48.1"}, "invalid_field", "lat"),  # no coercion
        ("events.location", {"lat": 90.0001}, "invalid_field", "lat"),
        ("events.location", {"heading": -1}, "invalid_field", "heading"),
        ("events.clickstream", {"price": -0.01}, "invalid_field", "price"),
        ("events.clickstream", {"type": "hover"}, "invalid_field", "type"),
        ("events.clickstream", {"url": "x" * 2049}, "invalid_field", "url"),
        ("events.clickstream", {"title": "x" * 513}, "invalid_field", "title"),
        ("events.clickstream", {"channel": "fax"}, "invalid_field", "channel"),
        ("events.clickstream", {"consent": "yes"}, "invalid_field", "consent"),
        ("events.clickstream", {"consent": {"personalization": "no"}}, "invalid_field", "consent"),
        ("events.search", {"query": ""}, "invalid_field", "query"),
        ("events.search", {"results_count": 1.5}, "invalid_field", "results_count"),
        ("events.search", {"results_count": True}, "invalid_field", "results_count"),
        ("events.search", {"ts": "2025-05-13T06:00:02"}, "invalid_field", "ts"),  # no offset
        ("events.search", {"ts": "1747116002919"}, "invalid_field", "ts"),  # numeric string
        ("events.search", {"ts": True}, "invalid_field", "ts"),
        ("events.search", {"ts": 1e20}, "invalid_field", "ts"),  # far future
        ("events.search", {"ts": -5}, "invalid_field", "ts"),  # ancient
        ("events.search", {"ts": "2025-02-30T00:00:00Z"}, "invalid_field", "ts"),
        ("events.search", {"user_id": "u" * 129}, "invalid_field", "user_id"),
        ("feedback", {"moment": "maybe"}, "invalid_field", "moment"),
        ("ref.venues", {"stock": {"P1": -1}}, "invalid_field", "stock"),
        ("ref.venues", {"free_capacity": 1.5}, "invalid_field", "free_capacity"),
    ],
)
def test_contract_violations_are_rejected_with_the_field(topic, change, reason, field):
    msg = decode(topic, orjson.dumps({**GOOD[topic], **change}))
    assert isinstance(msg, Rejection)
    assert msg.reason == reason
    assert msg.detail.startswith(field)


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"", "empty_message"),
        (b"{", "invalid_json"),
        (b'{"a": NaN}', "invalid_json"),
        (b'{"a": 1e999}', "invalid_json"),
        (b"[1]", "not_object"),
        (b'"text"', "not_object"),
        (b"\xff\xfe{}", "invalid_utf8"),
        (b'{"query": "\\ud800"}', "invalid_utf8"),
        (b'{"q": "' + b"x" * MAX_MESSAGE_BYTES + b'"}', "too_large"),
        (b"[" * 5000 + b"]" * 5000, "invalid_json"),
    ],
)
def test_malformed_bytes_are_rejected(raw, reason):
    assert decode("events.search", raw).reason == reason


def test_unknown_topic_and_replay_lines():
    assert decode("events.payment", b"{}").reason == "unknown_topic"
    assert decode_replay_line(b'{"event_id": "e"}') == ("", decode_replay_line(b'{"event_id": "e"}')[1])
    assert decode_replay_line(b'{"event_id": "e"}')[1].reason == "unknown_topic"
    topic, msg = decode_replay_line(orjson.dumps({"topic": "events.search", **GOOD["events.search"]}))
    assert topic == "events.search" and "topic" not in (msg.model_extra or {})


def test_venue_tombstones():
    assert isinstance(decode("ref.venues", None, key=b"v1"), VenueTombstone)
    topic, msg = decode_replay_line(b'{"topic": "ref.venues", "venue_id": "v1", "deleted": true}')
    assert isinstance(msg, VenueTombstone) and msg.venue_id == "v1"
    assert decode("events.search", None).reason == "empty_message"


# --- property-based: bad input is rejected with a reason, never an exception -------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**63), 2**64 - 1) | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12,
)
FIELDS = sorted({k for good in GOOD.values() for k in good} | {"consent", "session_id", "locale", "device"})


@st.composite
def corrupted_messages(draw):
    """A good message with one or more fields replaced by arbitrary JSON values or removed."""
    topic = draw(st.sampled_from(list(GOOD)))
    obj = dict(GOOD[topic])
    for field in draw(st.lists(st.sampled_from(FIELDS), min_size=1, max_size=3)):
        if draw(st.booleans()):
            obj[field] = draw(json_values)
        else:
            obj.pop(field, None)
    return topic, orjson.dumps(obj)


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(corrupted_messages())
def test_corrupted_fields_never_raise(case):
    topic, raw = case
    result = decode(topic, raw)
    if isinstance(result, Rejection):
        assert result.reason in REASONS and result.detail
    else:  # still valid: then it must round-trip the contract's rules
        assert isinstance(result, MODELS[topic])


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(list(GOOD)), st.integers(min_value=0), st.data())
def test_truncated_json_is_rejected(topic, cut, data):
    raw = orjson.dumps(GOOD[topic])
    cut = cut % len(raw)
    assert decode(topic, raw[:cut]).reason in ("invalid_json", "empty_message")


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300))
def test_arbitrary_bytes_never_raise(raw):
    for topic in GOOD:
        result = decode(topic, raw)
        assert isinstance(result, Rejection) or isinstance(result, (MODELS[topic], VenueTombstone))


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(["events.location", "ref.venues"]),
    st.sampled_from(["lat", "lon"]),
    st.one_of(st.floats(min_value=180.0001, exclude_min=True, allow_infinity=False),
              st.floats(max_value=-180.0001, allow_infinity=False)),
)
def test_out_of_range_positions_are_rejected(topic, field, value):
    assert decode(topic, orjson.dumps({**GOOD[topic], field: value})).reason == "invalid_field"


@settings(max_examples=50, deadline=None)
@given(st.sampled_from(["query", "url", "title", "user_id", "event_id"]), st.integers(513, 70_000))
def test_huge_strings_are_rejected(field, size):
    topic = "events.search" if field == "query" else "events.clickstream"
    result = decode(topic, orjson.dumps({**GOOD[topic], field: "x" * size}))
    if field == "url" and size <= 2048:
        assert not isinstance(result, Rejection)
    else:
        assert result.reason in ("invalid_field", "too_large")


@settings(max_examples=100, deadline=None)
@given(st.binary(min_size=1, max_size=8).filter(lambda b: not _is_utf8(b)))
def test_invalid_utf8_inside_strings_is_rejected(junk):
    raw = orjson.dumps(GOOD["events.search"]).replace(b'"kaffee', b'"' + junk + b"kaffee")
    assert decode("events.search", raw).reason in ("invalid_utf8", "invalid_json")


def _is_utf8(b: bytes) -> bool:
    try:
        b.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def test_json_stdlib_agrees_sample_good_lines_are_objects():
    # guards the sample reader itself: every accepted line is a JSON object for the stdlib too
    for line in sample_lines()[:200]:
        topic, msg = decode_replay_line(line)
        if not isinstance(msg, Rejection):
            assert isinstance(json.loads(line), dict)
