"""``micromoments train``: the model shipped with the package, from simulated shops and labelled scenarios.

``--shops all`` simulates every shop profile (``--shop-sessions`` each) and learns them first, then
each ``--events``/``--truth`` scenario. Each scenario is replayed through the normal pipeline with
one extra feedback line per truth session that has none (at the session's end, with its final
moment), so the model learns every session's label through the same delayed-feedback path it uses
in production. The result is a JSON
checkpoint (``detectors/pretrained/default.json`` by default).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import orjson

from config import get_settings
from detectors import checkpoint
from detectors.online import fit_temperature
from detectors.scoring import session_of, truth_at
from pipeline.detector_factory import build_core
from pipeline.replay import Replayer
from schemas.topics import FEEDBACK_TOPIC, VENUES_TOPIC


def with_truth_feedback(lines: list[bytes], truth: list[dict]) -> list[bytes]:
    """The scenario's lines plus a feedback line for each truth session without one, in time order."""
    extra = []
    for i, t in enumerate(truth):
        if t.get("has_feedback") or t.get("opted_out"):
            continue
        fb = {"topic": FEEDBACK_TOPIC, "event_id": f"train-fb-{i}", "user_id": t["user_id"],
              "ts": t["session_end"] + 1, "moment": t["moment"], "source": "survey"}
        if t.get("session_id"):
            fb["session_id"] = t["session_id"]
        extra.append((t["session_end"] + 1, orjson.dumps(fb)))
    extra.sort()
    out, j = [], 0
    for line in lines:
        ts = _ts(line)
        while ts is not None and j < len(extra) and extra[j][0] <= ts:
            out.append(extra[j][1])
            j += 1
        out.append(line)
    out += [e[1] for e in extra[j:]]
    return out


def _ts(line: bytes) -> int | None:
    from schemas import parse_ts

    try:
        obj = orjson.loads(line)
        return parse_ts(obj["ts"]) if obj.get("topic") != VENUES_TOPIC else None
    except Exception:  # noqa: BLE001 - bad lines keep their place
        return None


def first_half(lines: list[bytes], truth: list[dict]) -> tuple[list[bytes], list[dict]]:
    """Lines before the median session start (venues kept) and the sessions that end before it:
    the second half stays unseen, for evaluation."""
    cut = _median_start(truth)
    kept = [ln for ln in lines if (ts := _ts(ln)) is None or ts < cut]
    return kept, [t for t in truth if t["session_end"] < cut]


def second_half(lines: list[bytes], truth: list[dict]) -> tuple[list[bytes], list[dict]]:
    """The complement of ``first_half``: lines from the median session start on (venues kept)
    and the sessions that start there or later."""
    cut = _median_start(truth)
    kept = [ln for ln in lines if (ts := _ts(ln)) is None or ts >= cut]
    return kept, [t for t in truth if t["session_start"] >= cut]


def _median_start(truth: list[dict]) -> int:
    starts = sorted(t["session_start"] for t in truth)
    return starts[len(starts) // 2]


def train(scenarios: list[tuple[Path, Path]], start: str = "cold", half: bool = False):
    """Learn every scenario's labels, then calibrate the confidence on the last scenario."""
    return train_on([_load(events, truth_path, half) for events, truth_path in scenarios], start)


def train_on(loaded: list[tuple[list[bytes], list[dict]]], start: str = "cold"):
    """``train`` for scenarios in memory: ``(lines, truth)`` each."""
    settings = get_settings().model_copy(update={"model": "ovr-logreg", "model_start": start})
    replayer = Replayer(build_core(settings))
    for lines, truth in loaded:
        replayer.reset_users()  # scenarios are independent worlds; the model carries over
        for _ in replayer.feed(with_truth_feedback(lines, truth)):
            pass
    detector = replayer.core.detector
    detector.temperature = calibration_temperature(detector, *loaded[-1], settings)
    return detector


def train_shops(shops: list[str], sessions: int, seed: int, extra: list[tuple[list[bytes], list[dict]]] = ()):
    """The shipped model's recipe: every shop simulated (``sessions`` each, ``seed``), then ``extra``
    scenarios (the shared sample's first half for the shipped model), learned in that order."""
    from tools.simulate import simulate

    scenarios = [simulate(shop, sessions, seed=seed) for shop in shops]
    return train_on([(s.lines, s.truth) for s in scenarios] + list(extra))


def _load(events: Path, truth_path: Path, half: bool) -> tuple[list[bytes], list[dict]]:
    lines = [ln for ln in events.read_bytes().split(b"\n") if ln.strip()]
    truth = [orjson.loads(t) for t in truth_path.read_bytes().split(b"\n") if t.strip()]
    return first_half(lines, truth) if half else (lines, truth)


def calibration_temperature(detector, lines: list[bytes], truth: list[dict], settings) -> float:
    """Temperature scaling fit where the threshold is applied: after every event, the
    prediction against the truth's moment at that time. A copy of the model replays the
    scenario as in production (its own learning included); the model itself is untouched."""
    import copy

    probe = copy.deepcopy(detector)
    probe.temperature = 1.0
    replayer = Replayer(build_core(settings))
    replayer.core.detector = probe
    by_user: dict[str, list[int]] = {}
    for i, t in enumerate(truth):
        if not t.get("opted_out"):
            by_user.setdefault(t["user_id"], []).append(i)
    pairs: list[tuple[dict[str, float], str]] = []

    def observe(event, state, scores: dict[str, float]) -> None:
        i = session_of(truth, by_user.get(state.user_id, ()), event.ts)
        if i is not None:
            pairs.append((scores, truth_at(truth[i], event.ts)))

    replayer.core.observe = observe
    for _ in replayer.feed(lines):
        pass
    return fit_temperature(pairs)


def _cmd_train(args: argparse.Namespace) -> int:
    from config import CLIError
    from tools.simulate import select_shops

    if len(args.events) != len(args.truth):
        raise CLIError("give one --truth for each --events")
    try:
        shops = select_shops(args.shops) if args.shops else []
    except ValueError as exc:
        raise CLIError(str(exc)) from None
    if not shops and not args.events:
        raise CLIError("nothing to train on: give --shops and/or --events/--truth")
    pairs = list(zip(args.events, args.truth))
    for e, t in pairs:
        for p in (e, t):
            if not p.is_file():
                raise CLIError(f"file not found: {p}")
    files = [_load(events, truth, args.first_half) for events, truth in pairs]
    detector = train_shops(shops, args.shop_sessions, args.shop_seed, extra=files)
    path = checkpoint.save_file(detector, args.out)
    print(f"trained {detector.name} on {detector.n_feedback} labels ({detector.n_taught} rule labels), "
          f"calibrated temperature {detector.temperature:.2f}: {path}", file=sys.stderr)
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("train", help="train the shipped model from simulated shops and labelled scenarios",
                       description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--shops", help="simulated shops to learn first, comma-separated, or 'all' (the shipped "
                                   "model's recipe; micromoments evaluate-unseen measures it)")
    p.add_argument("--shop-sessions", type=int, default=2000, help="sessions per simulated shop (default 2000)")
    p.add_argument("--shop-seed", type=int, default=1001, help="seed of the simulated shops (default 1001)")
    p.add_argument("--events", type=Path, action="append", default=[], help="events.jsonl (repeatable)")
    p.add_argument("--truth", type=Path, action="append", default=[], help="truth.jsonl (repeatable)")
    p.add_argument("--first-half", action="store_true",
                   help="use only the first half of each --events scenario (sessions before the median start)")
    p.add_argument("--out", type=Path, default=checkpoint.PRETRAINED_DIR / "default.json", help="checkpoint file")
    p.set_defaults(func=_cmd_train)
