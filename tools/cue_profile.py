"""How a scenario's sessions unfold, seen one event at a time.

    python -m tools.cue_profile EVENTS TRUTH

Each click and search of a session with one intent (no ``segments`` in the truth) is
scored alone — a fresh session holding only that event, the shipped model — and
called *generic* when no moment reaches ``--min-confidence``, else a cue of the
moment on top. Printed: per position in the session, the share of generic events
and of cues of another moment than the session's (contradictions); and the share of
each cue per true moment. This is how the simulator's ``electronics-en`` mix was
set to resemble the shared sample (docs/SIMULATOR.md).
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

import orjson

from detectors import checkpoint, features
from detectors.scoring import session_of
from schemas import decode_replay_line
from schemas.topics import CLICKSTREAM_TOPIC, MOMENTS, SEARCH_TOPIC
from tools.evaluate import read_lines

GENERIC = "-"
POSITIONS = 5  # the last row is "5 and later"


def event_cues(lines: list[bytes], truth: list[dict], min_confidence: float) -> list[tuple[int, str, str]]:
    """``(position in session, true moment, cue)`` for each click/search of a one-intent session."""
    model = checkpoint.pretrained()
    if model is None:
        raise SystemExit("no shipped model in detectors/pretrained (run `make pretrained`)")
    model.temperature = 1.0
    by_user: dict[str, list[int]] = {}
    for i, t in enumerate(truth):
        by_user.setdefault(t["user_id"], []).append(i)
    seen: set[str] = set()
    position: Counter[int] = Counter()
    out = []
    for line in lines:
        topic, event = decode_replay_line(line)
        if topic not in (CLICKSTREAM_TOPIC, SEARCH_TOPIC) or not hasattr(event, "event_id"):
            continue
        if event.event_id in seen:
            continue
        seen.add(event.event_id)
        i = session_of(truth, by_user.get(event.user_id, []), event.ts)
        if i is None or truth[i].get("segments"):
            continue
        session = features.SessionFeatures()  # a fresh session holding only this event
        features.update(session, event, None)
        scores = model.predict_proba_one(features.vector(session, event.ts))
        top = max(MOMENTS, key=lambda m: scores[m])
        position[i] += 1
        out.append((position[i], truth[i]["moment"], top if scores[top] >= min_confidence else GENERIC))
    return out


def report(cues: list[tuple[int, str, str]]) -> str:
    lines = ["position  events  generic  other moment  other moment (of cues)"]
    for k in range(1, POSITIONS + 1):
        at = [(t, c) for pos, t, c in cues if min(pos, POSITIONS) == k]
        if not at:
            continue
        generic = sum(c == GENERIC for _, c in at)
        other = sum(c not in (GENERIC, t) for t, c in at)
        label = f"{k}" + (" and later" if k == POSITIONS else "")
        lines.append(f"{label:<10}{len(at):>6}{generic / len(at):>9.2f}{other / len(at):>14.2f}"
                     f"{other / max(1, len(at) - generic):>24.2f}")
    lines += ["", "true moment  " + "  ".join(f"{c:>5}" for c in (*MOMENTS, GENERIC)) + "   (share of its events)"]
    for t in MOMENTS:
        row = Counter(c for _, tm, c in cues if tm == t)
        n = sum(row.values()) or 1
        lines.append(f"{t:<13}" + "  ".join(f"{row[c] / n:>5.2f}" for c in (*MOMENTS, GENERIC)))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m tools.cue_profile", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("events", type=Path)
    p.add_argument("truth", type=Path)
    p.add_argument("--min-confidence", type=float, default=0.6, help="below it an event counts as generic")
    args = p.parse_args(argv)
    for f in (args.events, args.truth):
        if not f.is_file():
            p.error(f"file not found: {f}")
    truth = [orjson.loads(t) for t in read_lines(args.truth)]
    print(report(event_cues(read_lines(args.events), truth, args.min_confidence)))
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
