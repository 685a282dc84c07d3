"""The pipeline's internal messages: what the worker sends to the sink on ``mm.analytics.*`` and
what operators send on ``mm.control``. Not part of the contract with marketing systems, but a
contract between the worker and the sink (and listed in the AsyncAPI document).

The worker builds these messages as plain dicts on its hot path (a model per event would cost more
than the event's whole decision); the field names come from here, and the sink reads them with
these models. ``mm.analytics.moments`` carries the contract's ``Moment`` itself.

>>> EraseRequest.parse(b'{"type": "erase", "user_id": "u1"}')
EraseRequest(type='erase', user_id='u1')
>>> EraseRequest.parse(b'{"type": "forget"}') is None
True
>>> AnalyticsEvent.model_validate({"event_id": "e1", "user_id": "u1", "session_id": None,
...     "topic": "events.search", "ts_ms": 1747116002919, "query": "tv"}).query
'tv'
"""

from __future__ import annotations

from typing import Literal

import orjson
from pydantic import BaseModel, ConfigDict, Field

_INTERNAL = ConfigDict(extra="ignore", frozen=True)


class AnalyticsEvent(BaseModel):
    """``mm.analytics.events``: one processed event of a user who allows analytics, normalized over
    the input topics (before pseudonymization: the sink keys the user id and coarsens positions)."""

    model_config = _INTERNAL

    event_id: str
    user_id: str
    session_id: str | None = None
    topic: str
    ts_ms: int = Field(description="event time, ms since the epoch (UTC)")
    channel: str | None = None
    device: str | None = None
    locale: str | None = None
    type: str | None = None
    url: str | None = None
    title: str | None = None
    referrer: str | None = None
    product_id: str | None = None
    category: str | None = None
    price: float | None = None
    currency: str | None = None
    query: str | None = None
    results_count: int | None = None
    source: str | None = None
    lat: float | None = None
    lon: float | None = None
    accuracy_m: float | None = None
    speed_mps: float | None = None
    heading: float | None = None
    moment: str | None = Field(None, description="feedback: the moment the session really was in")


#: the fields of an input event copied into ``AnalyticsEvent`` when present
EVENT_FIELDS: tuple[str, ...] = tuple(n for n in AnalyticsEvent.model_fields
                                      if n not in ("event_id", "user_id", "session_id", "topic", "ts_ms"))


class AnalyticsSession(BaseModel):
    """``mm.analytics.sessions``: a session closed after 30 minutes of event-time inactivity."""

    model_config = _INTERNAL

    session_id: str
    user_id: str
    start_ms: int
    end_ms: int
    n_events: int = 0
    channel: str | None = None
    device: str | None = None
    last_moment: str | None = None
    n_moments: int = 0
    client_session_id: bool = Field(False, description="the id came from the client (else the pipeline's)")


class ModelMetrics(BaseModel):
    """``mm.analytics.metrics``: a worker's online model and its prequential quality, every 10 s."""

    model_config = _INTERNAL

    ts_ms: int
    worker: str
    model: str
    version: str
    labels: int = 0
    accuracy: float = 0.0
    macro_f1: float = 0.0
    error_mean: float = 0.0
    drifts: int = 0
    window: int = 0
    processed: int = 0


class EraseRequest(BaseModel):
    """``mm.control``, keyed by the user id: forget everything kept about this user (the worker's
    state; the sink deletes the user's rows)."""

    model_config = _INTERNAL

    type: Literal["erase"]
    user_id: str = Field(min_length=1)

    @classmethod
    def parse(cls, value: bytes | None) -> EraseRequest | None:
        """The request in a ``mm.control`` record, or None if it is not one (ignored, counted)."""
        try:
            return cls.model_validate_json(value or b"")
        except ValueError:  # pydantic's ValidationError is a ValueError
            return None

    def to_bytes(self) -> bytes:
        return orjson.dumps(self.model_dump())


__all__ = ["EVENT_FIELDS", "AnalyticsEvent", "AnalyticsSession", "EraseRequest", "ModelMetrics"]
