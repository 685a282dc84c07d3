"""Input messages: the event topics, customer contacts, feedback, and venue reference records.

Strict where the contract is strict: no type coercion (``"48.1"`` is not a
latitude), enums, ranges, lengths, finite numbers only. Unknown extra fields
are allowed and kept (``model_extra``). ``ts`` is normalized to epoch ms (UTC).
"""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints, WithJsonSchema, model_validator
from pydantic_core import PydanticCustomError

from schemas.timefmt import parse_ts
from schemas.topics import (
    CLICKSTREAM_TOPIC,
    CONTACT_TOPIC,
    FEEDBACK_TOPIC,
    LOCATION_TOPIC,
    SEARCH_TOPIC,
    VENUES_TOPIC,
    MomentName,
)

MAX_ID = 128
Id = Annotated[str, StringConstraints(min_length=1, max_length=MAX_ID)]
#: Event time as epoch milliseconds; inputs may be epoch ms or RFC 3339 with offset.
EpochMs = Annotated[
    int,
    BeforeValidator(parse_ts),
    WithJsonSchema(
        {
            "description": "epoch milliseconds, or RFC 3339 with an offset (Z or ±hh:mm)",
            "anyOf": [{"type": "number"}, {"type": "string", "format": "date-time"}],
        },
        mode="validation",
    ),
]
Latitude = Annotated[float, Field(ge=-90, le=90)]
Longitude = Annotated[float, Field(ge=-180, le=180)]
NonNegative = Annotated[float, Field(ge=0)]
#: Counts fit a signed 32-bit column downstream.
Count = Annotated[int, Field(ge=0, le=2**31 - 1)]

Channel = Literal["web", "app", "callcenter", "terminal", "email"]
Device = Literal["mobile", "tablet", "desktop", "other"]
ClickType = Literal[
    "page_view", "click", "add_to_cart", "remove_from_cart",
    "checkout", "purchase", "video_play", "download",
]

_STRICT = ConfigDict(strict=True, extra="allow", allow_inf_nan=False, frozen=False)


class Consent(BaseModel):
    """Consent flags; ``None`` means the event made no statement (consent is sticky)."""

    model_config = _STRICT
    personalization: bool | None = None
    analytics: bool | None = None


class Event(BaseModel):
    """Fields common to every input event (and feedback)."""

    model_config = _STRICT
    event_id: Id
    user_id: Id
    session_id: Id | None = None
    ts: EpochMs
    channel: Channel = "web"
    device: Device | None = None
    consent: Consent | None = None
    locale: Annotated[str, StringConstraints(min_length=2, max_length=35)] | None = None

    #: Input topic name (without prefix); set on each subclass.
    TOPIC: ClassVar[str] = ""


class ClickEvent(Event):
    TOPIC = CLICKSTREAM_TOPIC
    type: ClickType
    url: Annotated[str, StringConstraints(min_length=1, max_length=2048)]
    title: Annotated[str, StringConstraints(max_length=512)] | None = None
    referrer: Annotated[str, StringConstraints(max_length=2048)] | None = None
    product_id: Id | None = None
    category: Annotated[str, StringConstraints(max_length=256)] | None = None
    price: NonNegative | None = None
    currency: Annotated[str, StringConstraints(min_length=1, max_length=8)] | None = None


class SearchEvent(Event):
    TOPIC = SEARCH_TOPIC
    query: Annotated[str, StringConstraints(min_length=1, max_length=512)]
    results_count: Count | None = None
    source: Literal["site", "app", "voice"] | None = None


class LocationEvent(Event):
    TOPIC = LOCATION_TOPIC
    lat: Latitude
    lon: Longitude
    accuracy_m: NonNegative | None = None
    speed_mps: NonNegative | None = None
    heading: Annotated[float, Field(ge=0, le=360)] | None = None


class ContactEvent(Event):
    """A message between the customer and the company (../shared/PROFILES.md): only ``inbound``
    text carries the customer's mood."""

    TOPIC = CONTACT_TOPIC
    medium: Literal["email", "chat", "call", "review", "social", "form"]
    direction: Literal["inbound", "outbound"]
    text: Annotated[str, StringConstraints(min_length=1, max_length=4000)]
    subject: Annotated[str, StringConstraints(max_length=256)] | None = None
    #: BCP 47 (``de``, ``en``, ``de-AT``); detected where absent
    lang: Annotated[str, StringConstraints(pattern=r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$", max_length=35)] | None = None
    ticket_id: Annotated[str, StringConstraints(min_length=1, max_length=128)] | None = None


class Feedback(Event):
    """A delayed label. ``kind`` ``moment`` (the default): the moment the labelled session really
    was in; ``sentiment``: the mood of one inbound contact; ``outcome``: what became of the
    customer (../shared/PROFILES.md)."""

    TOPIC = FEEDBACK_TOPIC
    kind: Literal["moment", "sentiment", "outcome"] = "moment"
    moment: MomentName | None = None
    source: Literal["conversion", "store_visit", "content_engagement", "survey", "agent"] | None = None
    contact_event_id: Id | None = None
    sentiment: Literal["negative", "neutral", "positive"] | None = None
    outcome: Literal["churned", "stayed"] | None = None

    @model_validator(mode="after")
    def _fields_of_its_kind(self) -> Feedback:
        required = {"moment": ("moment",), "sentiment": ("contact_event_id", "sentiment"),
                    "outcome": ("outcome",)}[self.kind]
        missing = [name for name in required if getattr(self, name) is None]
        if missing:  # type "missing": the DLQ reason stays missing_field, as for any required field
            raise PydanticCustomError("missing", "feedback of kind '{kind}' needs {fields}",
                                      {"kind": self.kind, "fields": " and ".join(missing)})
        return self


class Venue(BaseModel):
    """A store or other place from the compacted ``ref.venues`` topic."""

    model_config = _STRICT
    TOPIC: ClassVar[str] = VENUES_TOPIC
    venue_id: Id
    name: Annotated[str, StringConstraints(min_length=1, max_length=256)]
    lat: Latitude
    lon: Longitude
    kind: Annotated[str, StringConstraints(max_length=64)] | None = None
    opening_hours: Annotated[str, StringConstraints(max_length=512)] | None = None
    wait_minutes: NonNegative | None = None
    free_capacity: Count | None = None
    stock: dict[Id, Count] | None = None
    updated_at: EpochMs | None = None


class VenueTombstone(BaseModel):
    """Removes a venue: a null Kafka value, or ``{"venue_id", "deleted": true}`` in a replay file."""

    model_config = ConfigDict(strict=True, extra="allow")
    TOPIC: ClassVar[str] = VENUES_TOPIC
    venue_id: Id
    deleted: Literal[True] = True


#: Input topic (without prefix) -> model of its messages.
EVENT_MODELS: dict[str, type[BaseModel]] = {
    m.TOPIC: m for m in (ClickEvent, SearchEvent, LocationEvent, Feedback, ContactEvent)
}
