"""The moment decision: threshold, hysteresis, frequency cap, consent; and the payload.

A session enters a moment when the detector's top probability passes
``threshold`` — ``first_event_threshold`` on the session's first event, which is
the weakest evidence (a landing page or one search: in the shared sample half of
them carry no intent and one in five of the rest points to another moment).
Switching to another moment needs that moment on top with at least
``switch_threshold`` for ``stable_events`` events in a row (no flapping), or once
with ``switch_now_threshold``. A session is never tagged with the moment it
already has, so the same moment is never published twice in a row. All times
are event times, so replay is deterministic. docs/DETECTORS.md has the measured
trade-off behind the defaults.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from actions.catalogue import Catalogue
from schemas.topics import MOMENTS

HOUR_MS = 3_600_000

@dataclass
class DecisionConfig:
    threshold: float = 0.6
    first_event_threshold: float = 0.9
    switch_threshold: float = 0.7
    stable_events: int = 3
    switch_now_threshold: float = 0.95
    max_per_user_hour: int = 6
    #: what to do next, per channel: the same catalogue the profiles and ``serve`` choose from
    catalogue: Catalogue = field(default_factory=Catalogue.load)


def top_moment(scores: dict[str, float]) -> tuple[str, float]:
    """The most likely moment; ties go to the earlier of know, go, do, buy."""
    best, top = MOMENTS[0], scores.get(MOMENTS[0], 0.0)
    for m in MOMENTS[1:]:
        p = scores.get(m, 0.0)
        if p > top:  # strictly: a tie keeps the earlier
            best, top = m, p
    return best, top


def decide(session, scores: dict[str, float], cfg: DecisionConfig) -> str | None:
    """The moment the session enters now, or None. Updates the hysteresis state."""
    moment, p = top_moment(scores)
    if session.moment is None:
        needed = cfg.first_event_threshold if session.features.n_events <= 1 else cfg.threshold
        return moment if p >= needed else None
    if moment == session.moment or p < cfg.switch_threshold:
        session.candidate, session.candidate_n = None, 0
        return None
    if session.candidate == moment:
        session.candidate_n += 1
    else:
        session.candidate, session.candidate_n = moment, 1
    return moment if session.candidate_n >= cfg.stable_events or p >= cfg.switch_now_threshold else None


def within_cap(published: list[int], ts_ms: int, cfg: DecisionConfig) -> bool:
    """Frequency cap: at most ``max_per_user_hour`` moments per user per hour of event time."""
    horizon = ts_ms - HOUR_MS
    published[:] = [t for t in published if t > horizon]
    return len(published) < cfg.max_per_user_hour
