"""Micro-benchmark: detector cost per event (features + predict), outside any framework.

``python -m tools.bench.detector [--sessions N] [--profile P]`` simulates a scenario,
decodes it once, then times, per event: the feature update, the feature vector
and ``predict_proba_one`` of the shipped model (and, separately, rule teaching).
Prints min and median over repeats in µs per event.
"""

from __future__ import annotations

import argparse
import statistics
import time

from detectors import checkpoint, features
from detectors.online import MomentDetector
from pipeline.state import UserState
from pipeline.venues import VenueIndex
from schemas import Rejection, decode_replay_line
from schemas.events import LocationEvent, VenueTombstone
from schemas.topics import FEEDBACK_TOPIC, VENUES_TOPIC


def load_events(profile: str, sessions: int, seed: int) -> tuple[list, VenueIndex]:
    from tools.simulate import simulate

    lines = simulate(profile, sessions, seed=seed).lines
    venues, events = VenueIndex(), []
    for line in lines:
        if not line:
            continue
        topic, msg = decode_replay_line(line)
        if isinstance(msg, Rejection) or topic == FEEDBACK_TOPIC:
            continue
        if isinstance(msg, VenueTombstone):  # a closed store (baumarkt-de)
            venues.delete(msg.venue_id)
        elif topic == VENUES_TOPIC:
            venues.upsert(msg)
        else:
            events.append(msg)
    return events, venues


def run_once(events: list, venues: VenueIndex, detector: MomentDetector) -> tuple[float, float]:
    """(µs per event for features + predict, µs per event for teaching)."""
    users: dict[str, UserState] = {}
    t_predict = t_teach = 0.0
    for ev in events:
        state = users.get(ev.user_id) or users.setdefault(ev.user_id, UserState(ev.user_id))
        session, _, _ = state.session_for(ev.event_id, ev.ts, ev.session_id)
        t0 = time.perf_counter()
        nearest = venues.nearest(ev.lat, ev.lon) if isinstance(ev, LocationEvent) else None
        features.update(session.features, ev, nearest)
        x = features.vector(session.features, ev.ts)
        detector.predict_proba_one(x)
        t1 = time.perf_counter()
        detector.teach_one(x)
        t_teach += time.perf_counter() - t1
        t_predict += t1 - t0
    n = max(1, len(events))
    return t_predict / n * 1e6, t_teach / n * 1e6


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--profile", default="electronics-en")
    ap.add_argument("--sessions", type=int, default=2000)
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args(argv)
    events, venues = load_events(args.profile, args.sessions, seed=7)
    results = []
    for _ in range(args.repeats):
        detector = checkpoint.pretrained() or MomentDetector()
        results.append(run_once(events, venues, detector))
    predict = [r[0] for r in results]
    teach = [r[1] for r in results]
    print(f"{len(events)} events, {args.repeats} repeats ({args.profile})")
    print(f"features + predict: min {min(predict):.1f} µs/event, median {statistics.median(predict):.1f} µs/event")
    print(f"rule teaching (confident events only): min {min(teach):.1f}, median {statistics.median(teach):.1f} "
          "µs per event averaged over all events")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
