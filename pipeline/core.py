"""The one processing core shared by the streaming worker and ``replay``.

``Core.handle`` takes one decoded input message plus the state of its user and
returns an ``Outcome``: the moments to publish, the normalized event row for
analysts, sessions closed by it. It does no I/O; the drivers (Faust agents,
the replay loop) own reading, state storage and writing.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from actions.choose import Situation, choose
from detectors import features
from detectors.explain import moment_explanation
from detectors.features import SessionFeatures
from detectors.language import supported
from pipeline.decide import DecisionConfig, decide, within_cap
from pipeline.learning import LocalLearning, Models
from pipeline.profile import Profiler
from pipeline.state import Session, UserState, stable_hash
from pipeline.venues import VenueIndex, is_open
from schemas.events import ContactEvent, Event, Feedback, LocationEvent, Venue, VenueTombstone
from schemas.internal import EVENT_FIELDS
from schemas.outputs import ModelInfo, Moment, MomentContext, NextBestAction, Reason, VenueContext
from schemas.profiles import AnalysedContact
from schemas.timefmt import format_ts


class Detector(Protocol):
    name: str
    version: str

    def predict_proba_one(self, x: dict[str, float]) -> dict[str, float]: ...
    def learn_one(self, x: dict[str, float], y: str, w: float = 1.0) -> Any: ...
    def explain_one(self, x: dict[str, float], y: str, k: int = 3) -> list[tuple[str, float]]: ...


@dataclass(slots=True)
class Outcome:
    """What handling one message produced (duplicates never get here: ``pipeline.dedup``)."""

    status: str
    moments: list[Moment] = field(default_factory=list)
    event_row: dict[str, Any] | None = None
    closed_sessions: list[dict[str, Any]] = field(default_factory=list)
    learned: bool = False
    analytics: bool = True  # the user allows analytics: rows may be stored for analysts
    profile: dict[str, Any] | None = None  # the user's profile changed: the new record (``schemas.profiles.Profile``)
    contact: AnalysedContact | None = None  # an analysed inbound message
    profile_touched: bool = False  # a moment began or a session ended: the profile may have changed


def session_row(user_id: str, s: Session) -> dict[str, Any]:
    """A closed session for the analysts' ``sessions`` table (``schemas.internal.AnalyticsSession``)."""
    return {
        "session_id": s.session_id, "user_id": user_id, "start_ms": s.start_ms, "end_ms": s.last_ms,
        "n_events": s.features.n_events, "channel": s.features.channel, "device": s.features.device,
        "last_moment": s.moment,
        "n_moments": s.n_moments, "client_session_id": s.client_id,
    }


class Core:
    """Validation happens before (``schemas.decode``); this is everything after it."""

    def __init__(self, detector: Detector, venues: VenueIndex | None = None,
                 config: DecisionConfig | None = None, profiler: Profiler | None = None,
                 learning: Callable[[tuple], None] | None = None) -> None:
        self.detector = detector
        self.profiler = profiler if profiler is not None else Profiler()
        #: where learning examples go (``pipeline.learning``): learned at once unless a driver
        #: hands them to the shared learner
        self.set_learning(learning if learning is not None else LocalLearning(self))
        self.venues = venues if venues is not None else VenueIndex()
        self.config = config or DecisionConfig()
        #: called with (event, state, scores) after each prediction (``micromoments train`` calibrates there)
        self.observe: Callable[[Event, UserState, dict[str, float]], None] | None = None

    @property
    def models(self) -> Models:
        return Models(self.detector, self.profiler.models)

    def set_learning(self, learning: Callable[[tuple], None]) -> None:
        """Where the core's and its profiler's examples go from now on."""
        self.learn = self.profiler.learn = learning

    def use_models(self, models: Models) -> None:
        """Decide with ``models`` from now on (a shared version; called between two batches)."""
        self.detector = models.detector
        self.profiler.models = models.profile

    # --- reference data ------------------------------------------------------------------------

    def apply_venue(self, msg: Venue | VenueTombstone) -> None:
        if isinstance(msg, VenueTombstone):
            self.venues.delete(msg.venue_id)
        else:
            self.venues.upsert(msg)

    # --- events --------------------------------------------------------------------------------

    def handle(self, topic: str, event: Event, state: UserState, arrival_ms: float) -> Outcome:
        """Process one validated event or feedback of ``state.user_id``."""
        consent = (state.personalization, state.analytics)
        state.apply_consent(event.consent)
        # the profile is looked at only where this message can have changed it (the change check
        # on every event was ~8 % of the core's time under cProfile): consent, a first message, a
        # mood, an outcome, a cue or an interest, a moment starting or its session ending
        changed = consent != (state.personalization, state.analytics) or state.profile_version == 0
        if isinstance(event, Feedback):
            out = self._feedback(event, state, topic)
            changed = changed or event.kind == "outcome"
        elif isinstance(event, ContactEvent):
            # a message, not a visit: it neither joins nor opens a session, and its text is not a cue
            # of the moment; the customer's profile reads it (../shared/PROFILES.md)
            out = Outcome("processed", analytics=state.analytics)
            contact = self.profiler.contact(event, state)
            out.contact = contact if state.analytics else None
            changed = changed or contact is not None
        else:
            out = self._event(topic, event, state, arrival_ms)
            changed = self.profiler.event(event, state) or out.profile_touched or changed
        if changed:
            out.profile = self.profiler.publish(state, event.ts)
        return out

    def _event(self, topic: str, event: Event, state: UserState, arrival_ms: float) -> Outcome:
        session, _, closed = state.session_for(event.event_id, event.ts, event.session_id)
        out = Outcome("processed", analytics=state.analytics, profile_touched=closed is not None)
        if closed is not None and state.analytics:
            out.closed_sessions.append(session_row(state.user_id, closed))
        nearest = None
        if isinstance(event, LocationEvent):
            nearest = self.venues.nearest(event.lat, event.lon)
        features.update(session.features, event, nearest)
        x = features.vector(session.features, event.ts)
        scores = self.detector.predict_proba_one(x)
        if self.observe is not None:
            self.observe(event, state, scores)
        teach = getattr(self.detector, "teach_label", None)
        if teach is not None and state.personalization:  # opted-out data never teaches
            label = teach(x)
            if label is not None:
                self.learn(("teach", x, label))
        moment = decide(session, scores, self.config)
        if moment is not None and state.personalization and within_cap(state.published, event.ts, self.config):
            session.moment = moment
            session.candidate, session.candidate_n = None, 0
            session.n_moments += 1
            state.published.append(event.ts)
            published = self._moment(moment, scores, x, event, session, state, arrival_ms)
            out.moments.append(published)
            target = published.next_best_action.venue
            self.profiler.moment(state, moment, published.confidence, session.session_id, event.ts,
                                 target.model_dump() if target is not None else None, published.explanation)
            out.profile_touched = True
        if state.analytics:
            out.event_row = event_row(topic, event, session.session_id)
        return out

    def _feedback(self, fb: Feedback, state: UserState, topic: str) -> Outcome:
        out = Outcome("processed", analytics=state.analytics)
        session = state.session_at(fb.ts, fb.session_id)
        # opted-out users' data is never used for learning; sentiment and outcome labels are the profile's
        if fb.kind == "moment" and session is not None and state.personalization and session.features.n_events:
            self.learn(("moment", features.vector(session.features, session.last_ms), fb.moment))
            out.learned = True
        elif fb.kind != "moment":
            out.learned = self.profiler.feedback(fb, state)
        if state.analytics:
            out.event_row = event_row(topic, fb, session.session_id if session else fb.session_id)
        return out

    def expire(self, state: UserState, watermark_ms: int) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
        """Close the user's session if idle past the gap at stream time ``watermark_ms``;
        returns rows for the analysts' sessions table (none without analytics consent) and the
        profile record if closing changed it (its moment ends with the session)."""
        closed = state.expire(watermark_ms)
        if not closed:
            return [], None
        profile = self.profiler.publish(state, closed[0].last_ms, frozen=True) if state.profile is not None else None
        return ([session_row(state.user_id, s) for s in closed] if state.analytics else []), profile

    # --- the published message -----------------------------------------------------------------

    def _moment(self, moment: str, scores: dict[str, float], x: dict[str, float], event: Event,
                session: Session, state: UserState, arrival_ms: float) -> Moment:
        reasons = [Reason(feature=f, contribution=round(c, 4))
                   for f, c in self.detector.explain_one(x, moment, k=3)]
        f = session.features
        venue = self._venue_context(f, event.ts) if moment == "go" else None
        context = MomentContext(query=f.query, product_ids=list(f.products), url=f.url, channel=f.channel,
                                device=f.device, locale=f.locale, venue=venue)
        target = self._venue_context(f, event.ts, best=True) if venue is not None else None
        # the language the customer browses in now, else the one the profile knows
        lang = supported(f.locale) or (state.profile or {}).get("lang") or "en"
        level, why, topics = self.profiler.light_and_topics(state, event.ts)
        choice = choose(self.config.catalogue, f.channel, Situation(
            level=level, why=why, moment=moment, confidence=scores[moment], topics=topics, lang=lang,
            venue=target.model_dump() if target is not None else None))
        action = NextBestAction(action=choice["action"], description=choice["text"], reason=choice["reason"],
                                venue=target)
        now_ms = time.time() * 1000.0
        return Moment(
            moment_id="m-" + stable_hash(session.session_id, moment, event.event_id, size=10),
            moment=moment, user_id=state.user_id, session_id=session.session_id,
            confidence=round(scores[moment], 6),
            scores={m: round(p, 6) for m, p in scores.items()},
            event_id=event.event_id, event_ts=format_ts(event.ts),
            detected_at=format_ts(now_ms), latency_ms=round(max(0.0, now_ms - arrival_ms), 3),
            model=ModelInfo(name=self.detector.name, version=str(self.detector.version)),
            reasons=reasons, next_best_action=action, context=context,
            explanation=moment_explanation(moment, [(r.feature, r.contribution) for r in reasons], context, lang),
        )

    def _venue_context(self, f: SessionFeatures, ts_ms: int, best: bool = False) -> VenueContext | None:
        """The nearest venue (the moment's context), or with ``best`` the one to send the customer to."""
        if f.position is None:
            return None  # contract: without any position in the session, the venue is null
        lat, lon = f.position[0], f.position[1]
        nearest = self.venues.best(lat, lon, list(f.products), ts_ms) if best else self.venues.nearest(lat, lon)
        if nearest is None:
            return None
        v = nearest.venue
        stock = v.stock or {}
        return VenueContext(
            venue_id=v.venue_id, name=v.name, distance_m=round(nearest.distance_m, 1),
            open_now=is_open(v, ts_ms), wait_minutes=v.wait_minutes, free_capacity=v.free_capacity,
            stock={p: stock.get(p, 0) for p in f.products},
        )




def event_row(topic: str, event: Event, session_id: str | None) -> dict[str, Any]:
    """The normalized event for the analysts' ``events`` table (before pseudonymization;
    ``schemas.internal.AnalyticsEvent``)."""
    row: dict[str, Any] = {"event_id": event.event_id, "user_id": event.user_id, "session_id": session_id,
                           "topic": topic, "ts_ms": event.ts}
    fields = event.__dict__
    for name in EVENT_FIELDS:
        value = fields.get(name)
        if value is not None:
            row[name] = value
    return row


__all__ = ["Core", "Detector", "Outcome", "event_row", "session_row"]
