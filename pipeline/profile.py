"""The customer profile: mood from messages, the criticality traffic light, interests.

``Profiler`` is part of the core (``pipeline.core``): it reads each contact, click, search,
feedback and moment of a user into the user's profile state (``UserState.profile``, a plain
dict so that it serializes with the rest of the state) and says when the profile changed in a
way a reader would see (``publish``: a new record for the compacted ``profiles`` topic). Its
models are shared by all users and learn online: sentiment from ``kind: "sentiment"`` feedback,
criticality from ``kind: "outcome"``, topic words from the events that name a category; their
examples go where the core's go (``pipeline.learning``: in the worker, to the one learner of the
model all workers share). Contract: ``../shared/PROFILES.md``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import orjson

from actions.catalogue import Catalogue
from actions.choose import Situation, per_channel
from detectors import interests as topics
from detectors.criticality import CriticalityModel
from detectors.cues import cue_of
from detectors.language import resolve, supported
from detectors.sentiment import SentimentModel
from detectors.text import tokens, url_tokens
from pipeline.profile_words import REASON_WORDS, explain, reason_text
from pipeline.state import UserState
from schemas.events import ClickEvent, ContactEvent, Event, Feedback, SearchEvent
from schemas.profiles import PROFILE_CHANNELS, AnalysedContact, ContactSentiment
from schemas.timefmt import format_ts

KEEP_MOODS = 10  # analysed inbound messages kept per user (mood level and trend)
KEEP_INBOX = 5  # texts kept for a sentiment label that arrives later (1-60 min in the contract)
KEEP_MESSAGES = 20
RECENCY = 0.6  # weight of a message relative to the next newer one in the mood level
MOOD_LABEL = 0.25  # |level| from which the mood is positive or negative
TREND = 0.4  # the newest message this far above/below the earlier ones: improving/worsening
WEEK_MS = 7 * 24 * 3600 * 1000
SEARCH_TOPIC_WEIGHT = 0.5  # a query or message names a topic less surely than a product page
CHURNED_SCORE = 0.95


def _empty() -> dict[str, Any]:
    return {"moods": [], "inbox": [], "msgs": [], "cues": {}, "int": {}, "lang": None, "mom": None,
            "outcome": None}


@dataclass
class ProfileModels:
    """The online models the profiles share (learned like the moment detector: ``pipeline.learning``)."""

    sentiment: SentimentModel = field(default_factory=SentimentModel)
    criticality: CriticalityModel = field(default_factory=CriticalityModel)
    topics: topics.TopicWords = field(default_factory=topics.TopicWords)


class Profiler:
    def __init__(self, models: ProfileModels | None = None, catalogue: Catalogue | None = None) -> None:
        self.models = models or ProfileModels()
        #: where learning examples go (``pipeline.learning``): set by the core that owns the profiler
        self.learn: Callable[[tuple], None] | None = None
        self.catalogue = catalogue if catalogue is not None else Catalogue.load()
        #: called with each analysed contact, whatever the consent (``micromoments evaluate``)
        self.observe: Callable[[AnalysedContact], None] | None = None

    # --- reading events ------------------------------------------------------------------------

    @staticmethod
    def state_of(state: UserState) -> dict[str, Any] | None:
        """The user's profile state; None (and forgotten) without personalization consent."""
        if not state.personalization:
            state.profile = None
            return None
        if state.profile is None:
            state.profile = _empty()
        return state.profile

    def contact(self, ev: ContactEvent, state: UserState) -> AnalysedContact | None:
        """Analyse an inbound message; the analysed contact for the analysts (also without
        personalization consent: the ``contacts`` table follows analytics consent)."""
        p = self.state_of(state)
        if ev.direction != "inbound":
            return None
        lang, detected = resolve(ev.text, ev.lang)
        result = self.models.sentiment.analyze(ev.text, lang)
        if p is not None:
            p["lang"] = lang
            p["moods"] = (p["moods"] + [[ev.ts, result.score, result.label, ev.event_id]])[-KEEP_MOODS:]
            p["inbox"] = (p["inbox"] + [[ev.event_id, ev.ts, lang, ev.text[:1000]]])[-KEEP_INBOX:]
            p["msgs"] = (p["msgs"] + [[ev.ts, ev.medium, result.label]])[-KEEP_MESSAGES:]
            found = self.models.topics.predict_one(tokens(ev.text))
            if found is not None:
                topics.observe(p["int"], found[0], ev.ts, SEARCH_TOPIC_WEIGHT)
        analysed = AnalysedContact(
            event_id=ev.event_id, user_id=state.user_id, ts=format_ts(ev.ts), medium=ev.medium,
            channel=ev.channel, lang=lang, lang_detected=detected, ticket_id=ev.ticket_id,
            sentiment=ContactSentiment(score=result.score, label=result.label,
                                       reasons=[w for w, _ in result.reasons]))
        if self.observe is not None:
            self.observe(analysed)
        return analysed

    def event(self, ev: Event, state: UserState) -> bool:
        """A click or search: behaviour cues and interests. True if the profile state changed."""
        p = self.state_of(state)
        if p is None:
            return False
        changed = False
        if isinstance(ev, ClickEvent):
            cue = cue_of(url=ev.url, title=ev.title)
            if ev.category:
                topics.observe(p["int"], ev.category, ev.ts)
                words = url_tokens(ev.url) + (tokens(ev.title) if ev.title else ())
                self.learn(("topic", list(words), ev.category))
                changed = True
        elif isinstance(ev, SearchEvent):
            cue = cue_of(query=ev.query)
            found = None if cue else self.models.topics.predict_one(tokens(ev.query))
            if found is not None:
                topics.observe(p["int"], found[0], ev.ts, SEARCH_TOPIC_WEIGHT)
                changed = True
        else:
            return False
        if cue is not None:
            p["cues"][cue] = p["cues"].get(cue, 0) + 1
            changed = True
        if p["lang"] is None:
            p["lang"] = supported(ev.locale)
        return changed

    def moment(self, state: UserState, moment: str, confidence: float, session_id: str, ts_ms: int,
               venue: dict[str, Any] | None = None, explanation: str | None = None) -> None:
        """The session entered a moment; ``venue`` (go): where to send the customer."""
        p = self.state_of(state)
        if p is not None:
            p["mom"] = [moment, confidence, session_id, ts_ms, venue, explanation]

    def light_and_topics(self, state: UserState, ts_ms: int) -> tuple[str, str, list[str]]:
        """The last traffic light (level, first reason) and the top interests, for the moment's action."""
        p = state.profile
        if p is None or p.get("crit") is None:
            return "green", "", []
        score, reasons = p["crit"][:2]
        return (self.models.criticality.level(score), reasons[0] if reasons else "",
                [t for t, _, _ in topics.top(p["int"], ts_ms)[:3]])

    def feedback(self, fb: Feedback, state: UserState) -> bool:
        """Learn from a sentiment or outcome label; True if a model learned."""
        p = self.state_of(state)
        if p is None:  # opted-out users' data never teaches
            return False
        if fb.kind == "sentiment":
            for event_id, _, lang, text in p["inbox"]:
                if event_id == fb.contact_event_id:
                    self.learn(("sentiment", self.models.sentiment.features(text, lang), fb.sentiment))
                    return True
            return False
        if fb.kind == "outcome":
            p["outcome"] = fb.outcome
            self.learn(("outcome", self.risk_features(p, fb.ts), fb.outcome == "churned"))
            return True
        return False

    # --- the profile ---------------------------------------------------------------------------

    def risk_features(self, p: dict[str, Any], now_ms: int) -> dict[str, float]:
        """What the criticality model reads (``detectors.criticality``)."""
        x: dict[str, float] = {}
        level, trend = _mood(p["moods"])
        if p["moods"]:
            x["mood:neg" if level < 0 else "mood:pos"] = abs(level)
            if trend != "stable":
                x["trend:worse" if trend == "worsening" else "trend:better"] = 1.0
        negative = [m for m in p["msgs"] if m[2] == "negative"]
        if p["msgs"]:
            x["msgs"] = math.log1p(len(p["msgs"]))
            recent = sum(1 for m in p["msgs"] if now_ms - m[0] <= WEEK_MS)
            if recent > 1:
                x["recent_msgs"] = math.log1p(recent - 1)
        if negative:
            x["neg_msgs"] = math.log1p(len(negative))
            for medium in {m[1] for m in negative} & {"call", "social", "review"}:
                x["neg:" + medium] = 1.0
        for kind, n in p["cues"].items():
            x["cue:" + kind] = math.log1p(n)
        return x

    def publish(self, state: UserState, ts_ms: int, frozen: bool = False) -> dict[str, Any] | None:
        """The new profile record if what a reader sees changed since the last one, else None.

        ``frozen`` (a session closed by the expiry timer): the traffic light is the last record's,
        not the shared model's now. When the timer runs is up to the driver, and the model learns
        from other users meanwhile: a score computed then would differ between worker and replay."""
        if not state.personalization:
            p = state.profile
            if p is not None or state.profile_version == 0 or state.profile_sig != "consent-only":
                state.profile = None
                return self._record(state, ts_ms, None, "consent-only")
            return None
        p = self.state_of(state)
        # a record is never older than the one before (a session's end is earlier than a late label)
        ts_ms = p["at"] = max(ts_ms, p.get("at") or 0)
        mom = p["mom"]
        if mom is not None:
            session = state.sessions.get(mom[2])
            if session is None or session.closed:
                mom = p["mom"] = None
        ranked = topics.top(p["int"], ts_ms)
        sig = orjson.dumps([state.analytics, mom, p["moods"][-1][3] if p["moods"] else None, p["cues"],
                            p["outcome"], [(t, round(w, 1)) for t, w, _ in ranked[:3]], [t for t, _, _ in ranked]])
        sig_text = sig.decode()
        if sig_text == state.profile_sig:
            return None
        return self._record(state, ts_ms, p, sig_text, ranked, frozen)

    def _record(self, state: UserState, ts_ms: int, p: dict[str, Any] | None, sig: str,
                ranked: list | None = None, frozen: bool = False) -> dict[str, Any]:
        """The record as JSON-ready dict in the field order of ``schemas.profiles.Profile`` (built
        directly: pydantic models per record were the worker's largest cost; the tests validate
        what the worker sends against the model)."""
        state.profile_version += 1
        state.profile_sig = sig
        record: dict[str, Any] = {
            "user_id": state.user_id, "updated_at": format_ts(ts_ms), "version": state.profile_version,
            "moment": None, "sentiment": None, "criticality": None, "interests": [], "next_best_action": {},
            "consent": {"personalization": state.personalization, "analytics": state.analytics},
            "explanation": None, "lang": None}
        if p is None:
            return record
        moment = None
        if p["mom"] is not None:
            name, confidence, session_id, since, venue, why = (*p["mom"], None, None)[:6]  # older state: 4 items
            moment = {"moment": name, "confidence": confidence, "session_id": session_id, "since": format_ts(since),
                      "venue": venue, "explanation": why}
        sentiment = None
        if p["moods"]:
            level, trend = _mood(p["moods"])
            ts, score, label, event_id = p["moods"][-1]
            sentiment = {"score": round(level, 4), "label": _label(level), "trend": trend,
                         "last": {"event_id": event_id, "score": score, "label": label, "ts": format_ts(ts)},
                         "n": len(p["moods"])}
        model = self.models.criticality
        lang = p["lang"] or "en"
        if frozen and p.get("crit") is not None:
            score, reasons, said = (*p["crit"], None)[:3]  # state from before German reasons: 2 items
        else:
            x = self.risk_features(p, ts_ms)
            score = model.score(x)
            top = model.reasons(x)
            reasons = [reason_text(f, x, p) for f, _ in top]
            said = [reason_text(f, x, p, "de") for f, _ in top] if lang == "de" else None
            if p["outcome"] == "churned":
                score, reasons = max(score, CHURNED_SCORE), [REASON_WORDS["en"]["churned"], *reasons]
                said = [REASON_WORDS["de"]["churned"], *said] if said is not None else None
            p["crit"] = [score, reasons, said]
        criticality = {"level": model.level(score), "score": round(score, 4), "reasons": reasons}
        interests = [{"topic": t, "weight": w, "evidence": n} for t, w, n in (ranked or [])]
        record.update(moment=moment, sentiment=sentiment, criticality=criticality, interests=interests,
                      explanation=explain(criticality, sentiment, moment, interests, lang, said), lang=p["lang"])
        record["next_best_action"] = per_channel(self.catalogue, Situation.of_profile(record), PROFILE_CHANNELS)
        return record


def _mood(moods: list[list]) -> tuple[float, str]:
    """Recency-weighted mood level in -1..1 and its trend."""
    if not moods:
        return 0.0, "stable"
    weights = [RECENCY ** i for i in range(len(moods))][::-1]
    level = sum(w * m[1] for w, m in zip(weights, moods)) / sum(weights)
    trend = "stable"
    if len(moods) > 1:
        earlier = moods[:-1]
        ew = weights[:-1]
        before = sum(w * m[1] for w, m in zip(ew, earlier)) / sum(ew)
        delta = moods[-1][1] - before
        trend = "improving" if delta >= TREND else "worsening" if delta <= -TREND else "stable"
    return level, trend


def _label(level: float) -> str:
    return "positive" if level >= MOOD_LABEL else "negative" if level <= -MOOD_LABEL else "neutral"
