"""The customer profile on the compacted ``profiles`` topic and the analysed contact
(``../shared/PROFILES.md``)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from schemas.events import MomentName
from schemas.outputs import VenueContext

_OUT = ConfigDict(extra="forbid")
Sentiment = Literal["negative", "neutral", "positive"]
Level = Literal["green", "amber", "red"]
ProfileChannel = Literal["web", "app", "callcenter", "terminal", "email"]
PROFILE_CHANNELS: tuple[str, ...] = ("web", "app", "callcenter", "terminal", "email")
Score = Annotated[float, Field(ge=-1.0, le=1.0)]
Unit = Annotated[float, Field(ge=0.0, le=1.0)]


class ProfileMoment(BaseModel):
    model_config = _OUT
    moment: MomentName
    confidence: Unit
    session_id: str
    since: str = Field(description="event time the session entered the moment, RFC 3339 UTC")
    venue: VenueContext | None = Field(
        None, description="go: where to send the customer (nearest open venue with the session's products in stock)")
    explanation: str | None = Field(None, description="why this moment, in words (the moment's explanation)")


class LastContact(BaseModel):
    model_config = _OUT
    event_id: str
    score: Score
    label: Sentiment
    ts: str


class ProfileSentiment(BaseModel):
    model_config = _OUT
    score: Score = Field(description="recency-weighted over the inbound messages")
    label: Sentiment
    trend: Literal["improving", "stable", "worsening"]
    last: LastContact
    n: int = Field(ge=1, description="inbound messages analysed")


class Criticality(BaseModel):
    model_config = _OUT
    level: Level
    score: Unit = Field(description="how likely the customer is lost")
    reasons: list[str] = Field(description="what raised the risk, most first, in words")


class Interest(BaseModel):
    model_config = _OUT
    topic: str
    weight: Unit = Field(description="relative to the strongest interest, decaying with time")
    evidence: int = Field(ge=1, description="events and messages that named the topic")


class ChannelAction(BaseModel):
    model_config = _OUT
    action: str = Field(description="the action's id in the catalogue")
    reason: str = Field(description="why this action, in words (English)")
    text: str | None = Field(None, description="what the agent, terminal or mail shows, in the customer's language")


class ProfileConsent(BaseModel):
    model_config = _OUT
    personalization: bool
    analytics: bool


class Profile(BaseModel):
    """One record on ``profiles`` (key user_id): the whole profile after a change. Without
    personalization consent only ``user_id``, ``updated_at``, ``version`` and ``consent``."""

    model_config = _OUT
    user_id: str
    updated_at: str = Field(description="event time of the change, RFC 3339 UTC")
    version: int = Field(ge=1, description="grows with each change")
    moment: ProfileMoment | None = None
    sentiment: ProfileSentiment | None = None
    criticality: Criticality | None = None
    interests: list[Interest] = Field(default_factory=list, max_length=5)
    next_best_action: dict[ProfileChannel, ChannelAction] = Field(default_factory=dict)
    consent: ProfileConsent
    explanation: str | None = None
    lang: Literal["de", "en"] | None = Field(None, description="the language the customer writes or browses in")


class ContactSentiment(BaseModel):
    model_config = _OUT
    score: Score
    label: Sentiment
    reasons: list[str]


class AnalysedContact(BaseModel):
    """An inbound message analysed, for the analysts' ``contacts`` table (``DIR/contacts.jsonl``)."""

    model_config = _OUT
    event_id: str
    user_id: str
    ts: str
    medium: str
    channel: str
    lang: Literal["de", "en"]
    lang_detected: bool = Field(description="the event carried no usable lang: detected from the text")
    sentiment: ContactSentiment
    ticket_id: str | None = None
