"""Pydantic v2 models of every message in the contract (../shared/DESIGN.md).

``decode`` turns raw bytes from a topic into a validated message or a
``Rejection`` with a precise reason; it never raises on bad input.
"""

from schemas.decode import INPUT_TOPICS, Rejection, decode, decode_replay_line
from schemas.events import (
    ClickEvent,
    Consent,
    ContactEvent,
    Event,
    Feedback,
    LocationEvent,
    SearchEvent,
    Venue,
    VenueTombstone,
)
from schemas.outputs import DlqRecord, Moment
from schemas.timefmt import format_ts, parse_ts

__all__ = [
    "INPUT_TOPICS",
    "ClickEvent",
    "Consent",
    "ContactEvent",
    "DlqRecord",
    "Event",
    "Feedback",
    "LocationEvent",
    "Moment",
    "Rejection",
    "SearchEvent",
    "Venue",
    "VenueTombstone",
    "decode",
    "decode_replay_line",
    "format_ts",
    "parse_ts",
]
