"""Scores of a replay against ground truth: the numbers ``micromoments evaluate`` reports.

Truth is JSON lines ``{"user_id", "session_start", "session_end", "moment", ...}``
(epoch ms). A moment belongs to the truth session of its user whose
``[session_start, session_end]`` contains its ``event_ts``.
"""

from __future__ import annotations

import bisect
import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from schemas.topics import MOMENTS

NONE = "none"


@dataclass
class Scores:
    macro_f1: float
    per_class_f1: dict[str, float]
    coverage: float
    ttd_median: float | None
    ttd_p90: float | None
    flip_rate: float
    online_f1: float | None  # sessions without feedback in the second half
    opted_out_moments: int
    sessions: int
    confusion: dict[str, dict[str, int]] = field(default_factory=dict)
    #: calibration: per confidence bin, how many published moments and the share that were right
    reliability: dict[str, dict[str, float]] = field(default_factory=dict)
    ttd: list[int] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        d = dict(self.__dict__)
        d.pop("ttd")
        return d


def f1_scores(pairs: list[tuple[str, str]], labels: tuple[str, ...] = MOMENTS) -> tuple[float, dict[str, float]]:
    """Macro-F1 over ``labels`` (the four moments by default; a missing prediction counts as
    wrong), averaged over the labels the truth holds.

    >>> f1_scores([("buy", "buy"), ("go", "buy"), ("go", "none"), ("know", "know")])[0]
    0.5555555555555555
    """
    per = {}
    for c in labels:
        tp = sum(1 for t, p in pairs if t == c and p == c)
        fp = sum(1 for t, p in pairs if t != c and p == c)
        fn = sum(1 for t, p in pairs if t == c and p != c)
        per[c] = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
    present = [c for c in labels if any(t == c for t, _ in pairs)] or list(labels)
    return sum(per[c] for c in present) / len(present), per


def score(truth: list[dict], moments: list[dict], event_times: dict[str, list[int]]) -> Scores:
    """``event_times``: user id -> sorted event times of that user's click/search/location events."""
    by_user: dict[str, list[int]] = defaultdict(list)
    for i, t in enumerate(truth):
        by_user[t["user_id"]].append(i)
    per_session: dict[int, list[dict]] = defaultdict(list)
    opted_out_moments = 0
    for m in moments:
        i = session_of(truth, by_user.get(m["user_id"], []), m["event_ts_ms"])
        if i is None:
            continue
        if truth[i].get("opted_out"):
            opted_out_moments += 1
        per_session[i].append(m)
    scored = [i for i, t in enumerate(truth) if not t.get("opted_out")]
    pairs = [(truth[i]["moment"], per_session[i][-1]["moment"] if per_session.get(i) else NONE) for i in scored]
    macro, per = f1_scores(pairs)
    tagged = [i for i in scored if per_session.get(i)]
    ttd = [_events_until(truth[i], event_times.get(truth[i]["user_id"], []), per_session[i][0]["event_ts_ms"])
           for i in tagged]
    extra = sum(max(0, len(per_session[i]) - len(truth[i].get("segments") or [1])) for i in tagged)
    starts = sorted(truth[i]["session_start"] for i in scored)
    half = starts[len(starts) // 2] if starts else 0
    online = [(t, p) for (t, p), i in zip(pairs, scored)
              if not truth[i].get("has_feedback") and truth[i]["session_start"] >= half]
    reliability = _reliability([(m, truth[i]) for i in scored for m in per_session.get(i, [])])
    confusion = {t: {p: 0 for p in (*MOMENTS, NONE)} for t in MOMENTS}
    for t, p in pairs:
        confusion[t][p] += 1
    return Scores(
        macro_f1=macro, per_class_f1=per, coverage=len(tagged) / len(scored) if scored else 0.0,
        ttd_median=statistics.median(ttd) if ttd else None,
        ttd_p90=_quantile(ttd, 0.9) if ttd else None,
        flip_rate=extra / len(tagged) if tagged else 0.0,
        online_f1=f1_scores(online)[0] if online else None,
        opted_out_moments=opted_out_moments, sessions=len(scored), confusion=confusion,
        reliability=reliability, ttd=ttd,
    )


BINS = (0.5, 0.6, 0.7, 0.8, 0.9, 1.0001)


def _reliability(pairs: list[tuple[dict, dict]]) -> dict[str, dict[str, float]]:
    """Published moments by confidence bin: count, mean confidence, share right (the truth's
    moment at the moment's event time: its segment's, else the session's)."""
    out: dict[str, dict[str, float]] = {}
    for lo, hi in zip(BINS, BINS[1:]):
        inside = [(m, t) for m, t in pairs if lo <= m.get("confidence", 0.0) < hi]
        if not inside:
            continue
        right = sum(m["moment"] == truth_at(t, m["event_ts_ms"]) for m, t in inside)
        out[f"{lo:.1f}-{min(hi, 1.0):.1f}"] = {
            "moments": len(inside), "mean_confidence": round(sum(m["confidence"] for m, _ in inside) / len(inside), 3),
            "right": round(right / len(inside), 3)}
    return out


def truth_at(session: dict, ts: int) -> str:
    for seg in session.get("segments") or []:
        if seg["start"] <= ts <= seg["end"]:
            return seg["moment"]
    return session["moment"]


def session_of(truth: list[dict], candidates: list[int], ts: int) -> int | None:
    for i in candidates:
        if truth[i]["session_start"] <= ts <= truth[i]["session_end"]:
            return i
    return None


def _events_until(session: dict, times: list[int], ts: int) -> int:
    """How many of the session's events up to and including ``ts`` (time to detect, in events)."""
    lo = bisect.bisect_left(times, session["session_start"])
    hi = bisect.bisect_right(times, ts)
    return max(1, hi - lo)


def _quantile(values: list[int], q: float) -> float:
    s = sorted(values)
    return float(s[min(len(s) - 1, int(q * len(s)))])
