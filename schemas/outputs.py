"""Output messages: moments on the action topics and records on ``events.dlq``."""

from __future__ import annotations

import base64
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from schemas.events import Channel, Device, MomentName

_OUT = ConfigDict(extra="forbid")
Probability = Annotated[float, Field(ge=0.0, le=1.0)]


class ModelInfo(BaseModel):
    model_config = _OUT
    name: str
    version: str


class Reason(BaseModel):
    """One feature that pushed the decision, with its contribution (log-odds units)."""

    model_config = _OUT
    feature: str
    contribution: float


class VenueContext(BaseModel):
    """The nearest venue for a ``go`` moment."""

    model_config = _OUT
    venue_id: str
    name: str
    distance_m: float
    open_now: bool | None = Field(None, description="from opening_hours at the event time; null if unknown")
    wait_minutes: float | None = None
    free_capacity: int | None = None
    stock: dict[str, int] = Field(default_factory=dict, description="stock of the session's products")


class NextBestAction(BaseModel):
    """What the subscriber should do: chosen from the action catalogue (``actions/catalogue.toml``)
    for the moment, the channel, the customer's traffic light, interests and, for ``go``, the venue."""

    model_config = _OUT
    action: str = Field(description="the action's id in the catalogue")
    description: str = Field("", description="what to show or say, in the customer's language")
    reason: str | None = Field(None, description="why this action, in words (English)")
    venue: VenueContext | None = Field(
        None, description="go: where to send the customer, the nearest venue that is open and has the session's "
                          "latest product in stock (else the nearest open one)")


class MomentContext(BaseModel):
    """What a subscriber needs to act on the moment."""

    model_config = _OUT
    query: str | None = Field(None, description="the session's latest search query")
    product_ids: list[str] = Field(default_factory=list, description="products seen in the session, latest first")
    url: str | None = Field(None, description="the latest page of the session")
    channel: Channel = "web"
    device: Device | None = None
    locale: str | None = None
    venue: VenueContext | None = Field(None, description="go moments: the nearest venue; null without a position")


class Moment(BaseModel):
    """One message on ``moments.<moment>``: a session entered this moment."""

    model_config = _OUT
    moment_id: str = Field(description="deterministic: same input gives the same id")
    moment: MomentName
    user_id: str
    session_id: str
    confidence: Probability
    scores: dict[MomentName, Probability]
    event_id: str
    event_ts: str = Field(description="RFC 3339 UTC with milliseconds")
    detected_at: str = Field(description="wall clock of the detection, RFC 3339 UTC with milliseconds")
    latency_ms: float = Field(description="detection minus arrival, milliseconds")
    model: ModelInfo
    reasons: list[Reason]
    explanation: str | None = Field(None, description="the reasons as one short sentence for a person, in the "
                                    "customer's language (German or English), in the context's words")
    next_best_action: NextBestAction
    context: MomentContext


class DlqRecord(BaseModel):
    """One bad input on ``events.dlq`` (or a line of replay's ``--dlq`` file)."""

    model_config = _OUT
    reason: str = Field(description="stable code, e.g. invalid_json, missing_field, invalid_field")
    detail: str = Field(description="what exactly is wrong")
    source_topic: str | None = Field(None, description="input topic, or the topic a replay line named")
    partition: int | None = None
    offset: int | None = None
    line: int | None = Field(None, description="1-based line number (replay files)")
    key_b64: str | None = None
    value_b64: str | None = Field(None, description="the original bytes, base64")
    received_at: str = Field(description="RFC 3339 UTC with milliseconds")
    kind: Literal["dlq"] = "dlq"

    @staticmethod
    def b64(raw: bytes | None) -> str | None:
        return None if raw is None else base64.b64encode(raw).decode("ascii")

    def original_bytes(self) -> bytes | None:
        return None if self.value_b64 is None else base64.b64decode(self.value_b64)
