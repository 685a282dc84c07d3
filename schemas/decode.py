"""Raw bytes -> validated message, or a ``Rejection`` with a precise reason.

The one entry point for every input, used by the streaming agents and by
``replay`` alike. It never raises on bad input: anything wrong becomes a
``Rejection`` whose ``reason`` is a short stable code (a metrics label) and
whose ``detail`` tells a human what exactly was wrong.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson
from pydantic import BaseModel, ValidationError

from schemas.events import EVENT_MODELS, Venue, VenueTombstone
from schemas.topics import VENUES_TOPIC

#: A message larger than this is bad input (contract: a message <= 64 KiB).
MAX_MESSAGE_BYTES = 64 * 1024
#: Every input topic of the contract (names without the configured prefix).
INPUT_TOPICS: tuple[str, ...] = (*EVENT_MODELS, VENUES_TOPIC)

#: Reason codes, stable: they label DLQ metrics and are documented in docs/SCHEMAS.md.
REASONS = (
    "unknown_topic", "empty_message", "too_large", "invalid_utf8", "invalid_json",
    "not_object", "missing_field", "invalid_field",
)


@dataclass(frozen=True, slots=True)
class Rejection:
    """Why a message is bad input. ``reason`` is a code from ``REASONS``."""

    reason: str
    detail: str

    def __bool__(self) -> bool:  # a rejection is "no message"
        return False


Decoded = BaseModel | Rejection


def parse_json(raw: bytes) -> dict[str, Any] | Rejection:
    """Parse one message's bytes into a JSON object (size, UTF-8 and JSON checked)."""
    if len(raw) > MAX_MESSAGE_BYTES:
        return Rejection("too_large", f"message is {len(raw)} bytes, the limit is {MAX_MESSAGE_BYTES}")
    if not raw:
        return Rejection("empty_message", "message is empty")
    try:
        obj = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        text = str(exc)
        # orjson reports lone surrogates (raw or as \\u escapes) and bad bytes as UTF-8 errors
        reason = "invalid_utf8" if ("UTF-8" in text or "surrogate" in text) else "invalid_json"
        return Rejection(reason, f"not valid JSON: {text}")
    if not isinstance(obj, dict):
        return Rejection("not_object", f"a message must be a JSON object, got {_json_kind(obj)}")
    return obj


def validate(topic: str, obj: dict[str, Any]) -> Decoded:
    """Validate a parsed JSON object as a message of ``topic`` (name without prefix)."""
    if topic == VENUES_TOPIC:
        model: type[BaseModel] = VenueTombstone if obj.get("deleted") is True else Venue
    else:
        found = EVENT_MODELS.get(topic)
        if found is None:
            return Rejection("unknown_topic", f"unknown input topic {topic!r}")
        model = found
    try:
        return model.model_validate(obj)
    except ValidationError as exc:
        return _rejection_from(exc)


def decode(topic: str, raw: bytes | None, key: bytes | None = None) -> Decoded:
    """Decode a Kafka message of input ``topic``; never raises on bad input.

    A null value on ``ref.venues`` is a tombstone for the venue named by the key.

    >>> decode("events.search", b'{"event_id":"e1","user_id":"u1","ts":1747116002919,"query":"tv"}').query
    'tv'
    >>> decode("events.location", b'{"event_id":"e1","user_id":"u1","ts":0,"lat":"48.1","lon":11}').reason
    'invalid_field'
    """
    if topic != VENUES_TOPIC and topic not in EVENT_MODELS:
        return Rejection("unknown_topic", f"unknown input topic {topic!r}")
    if raw is None:
        if topic == VENUES_TOPIC and key:
            return validate(topic, {"venue_id": key.decode("utf-8", "replace"), "deleted": True})
        return Rejection("empty_message", "message value is null")
    obj = parse_json(raw)
    if isinstance(obj, Rejection):
        return obj
    return validate(topic, obj)


def decode_replay_line(line: bytes) -> tuple[str, Decoded]:
    """Decode one replay-file line: a message with an extra ``topic`` field.

    Returns ``(topic, message_or_rejection)``; topic is ``""`` when the line names none.
    """
    obj = parse_json(line)
    if isinstance(obj, Rejection):
        return "", obj
    topic = obj.pop("topic", None)
    if not isinstance(topic, str) or not topic:
        return "", Rejection("unknown_topic", "the line names no input topic (field 'topic')")
    return topic, validate(topic, obj)


def _rejection_from(exc: ValidationError) -> Rejection:
    errors = exc.errors(include_url=False, include_input=False)
    reason = "missing_field" if errors[0]["type"] == "missing" else "invalid_field"
    parts = []
    for err in errors[:3]:
        loc = ".".join(str(p) for p in err["loc"]) or "(message)"
        parts.append(f"{loc}: {err['msg']}")
    if len(errors) > 3:
        parts.append(f"and {len(errors) - 3} more")
    return Rejection(reason, "; ".join(parts))


def _json_kind(obj: object) -> str:
    return {list: "an array", str: "a string", bool: "a boolean", type(None): "null"}.get(
        type(obj), "a number"
    )
