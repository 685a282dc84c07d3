"""``micromoments evaluate``: replay a scenario, score it against truth, write a report.

Runs the same replay as ``micromoments replay`` once per model kind, scores the
last moment of each session (macro/per-class F1), coverage, time-to-detect,
flip rate and the honest online number (sessions without feedback in the
second half), times the detector, and writes ``metrics.json``, ``summary.md``
and PNG plots (confusion matrix, prequential learning curve, time-to-detect).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import orjson

from config import Settings, get_settings
from detectors.scoring import Scores, score
from pipeline.detector_factory import build_core
from pipeline.replay import Replayer
from schemas import Moment, parse_ts
from schemas.topics import CLICKSTREAM_TOPIC, LOCATION_TOPIC, MOMENTS, SEARCH_TOPIC

CURVE_POINTS = 200


@dataclass
class Run:
    model: str
    scores: Scores
    seconds: float
    us_per_event: float
    events: int
    curve: list[tuple[int, float]]
    detector_version: str


def read_lines(path: Path) -> list[bytes]:
    return [line for line in path.read_bytes().split(b"\n") if line.strip()]


def event_times(lines: list[bytes]) -> dict[str, list[int]]:
    """User id -> sorted event times of click/search/location events (for time-to-detect)."""
    out: dict[str, list[int]] = defaultdict(list)
    seen: set[str] = set()
    for line in lines:
        try:
            obj = orjson.loads(line)
            if obj.get("topic") not in (CLICKSTREAM_TOPIC, SEARCH_TOPIC, LOCATION_TOPIC):
                continue
            if obj["event_id"] in seen:
                continue
            seen.add(obj["event_id"])
            out[obj["user_id"]].append(parse_ts(obj["ts"]))
        except Exception:  # noqa: BLE001 - bad lines are the validator's business, not the scorer's
            continue
    for times in out.values():
        times.sort()
    return out


def run_model(model: str, lines: list[bytes], truth: list[dict], times: dict[str, list[int]],
              base: Settings, state: Path | None = None, detector=None) -> Run:
    """Replay ``lines`` with the configured ``model`` (or the given ``detector``) and score it."""
    settings = base.model_copy(update={"model": model if detector is None else "rules"})
    replayer = Replayer(build_core(settings, state_dir=state))
    if detector is not None:
        replayer.core.detector = detector
    detector = replayer.core.detector
    curve: list[tuple[int, float]] = []
    step = max(1, len(lines) // CURVE_POINTS)

    def tracked():
        for i, line in enumerate(lines, 1):
            if i % step == 0 and hasattr(detector, "metrics") and detector.metrics.n:
                curve.append((i, detector.metrics.snapshot()["macro_f1"]))
            yield line

    start = time.perf_counter()
    moments = [m for m in replayer.feed(tracked()) if isinstance(m, Moment)]
    seconds = time.perf_counter() - start
    rows = [{"user_id": m.user_id, "moment": m.moment, "event_ts_ms": parse_ts(m.event_ts),
             "confidence": m.confidence} for m in moments]
    events = replayer.stats.processed
    return Run(model, score(truth, rows, times), seconds, seconds / max(1, events) * 1e6, events, curve,
               str(getattr(detector, "version", "")))


def write_report(runs: list[Run], out: Path, title: str) -> None:
    out.mkdir(parents=True, exist_ok=True)
    best = runs[0]
    payload = {"title": title, "chosen": best.model, "runs": [
        {"model": r.model, "seconds": round(r.seconds, 3), "us_per_event": round(r.us_per_event, 2),
         "events": r.events, "detector_version": r.detector_version, **r.scores.as_dict()} for r in runs]}
    (out / "metrics.json").write_bytes(orjson.dumps(payload, option=orjson.OPT_INDENT_2))
    _plots(best, out)
    within = "within" if best.scores.flip_rate <= FLIP_TARGET else "no model within"
    lines = [f"# Evaluation: {title}", "", f"Chosen model: **{best.model}** ({within} the flip-rate target of "
             f"{FLIP_TARGET}, best macro-F1 to two decimals, then fastest).", "",
             "| model | macro-F1 | know | go | do | buy | coverage | online F1 (2nd half, no feedback) | "
             "TTD median | TTD p90 | flip rate | opted-out moments | µs/event (replay) |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in runs:
        s = r.scores
        online = f"{s.online_f1:.3f}" if s.online_f1 is not None else "n/a"
        lines.append(
            f"| {r.model} | {s.macro_f1:.3f} | " + " | ".join(f"{s.per_class_f1[m]:.3f}" for m in MOMENTS)
            + f" | {s.coverage:.3f} | {online} | {s.ttd_median} | {s.ttd_p90} | {s.flip_rate:.3f} | "
            f"{s.opted_out_moments} | {r.us_per_event:.1f} |")
    lines += ["", f"Calibration of {best.model} (published moments by confidence; right = the truth's moment "
              "at the moment's event time):", "", "| confidence | moments | mean confidence | right |", "|---|---|---|---|"]
    lines += [f"| {b} | {v['moments']} | {v['mean_confidence']:.3f} | {v['right']:.3f} |"
              for b, v in best.scores.reliability.items()]
    lines += ["", f"Sessions scored: {best.scores.sessions}. Plots: `confusion.png`, `learning_curve.png`, "
              "`time_to_detect.png` (for the chosen model).", ""]
    (out / "summary.md").write_text("\n".join(lines))


def _plots(run: Run, out: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    labels = [*MOMENTS, "none"]
    grid = [[run.scores.confusion[t][p] for p in labels] for t in MOMENTS]
    fig, ax = plt.subplots(figsize=(5, 4))
    ax.imshow(grid, cmap="Blues")
    ax.set_xticks(range(len(labels)), labels)
    ax.set_yticks(range(len(MOMENTS)), MOMENTS)
    ax.set_xlabel("last published moment")
    ax.set_ylabel("true moment")
    for i, row in enumerate(grid):
        for j, v in enumerate(row):
            ax.text(j, i, str(v), ha="center", va="center")
    ax.set_title(f"Confusion ({run.model})")
    fig.tight_layout()
    fig.savefig(out / "confusion.png", dpi=100)
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(6, 3.5))
    if run.curve:
        ax.plot([c[0] for c in run.curve], [c[1] for c in run.curve])
    ax.set_xlabel("input lines")
    ax.set_ylabel("prequential macro-F1 (window)")
    ax.set_ylim(0, 1)
    ax.set_title("Learning curve on feedback labels")
    fig.tight_layout()
    fig.savefig(out / "learning_curve.png", dpi=100)
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(6, 3.5))
    ttd = run.scores.ttd
    if ttd:
        ax.hist(ttd, bins=range(1, max(ttd) + 2), align="left", rwidth=0.8)
    ax.set_xlabel("events until the first moment")
    ax.set_ylabel("sessions")
    ax.set_title("Time to detect")
    fig.tight_layout()
    fig.savefig(out / "time_to_detect.png", dpi=100)
    plt.close(fig)


FLIP_TARGET = 0.1


def evaluate(events: Path, truth_path: Path, models: list[str], base: Settings | None = None,
             second_half: bool = False) -> list[Run]:
    """Replay and score each model; best first: within the flip-rate target, then by
    macro-F1 (to 2 decimals, the noise between seeds), then by speed."""
    lines = read_lines(events)
    truth = [orjson.loads(t) for t in read_lines(truth_path)]
    if second_half:
        from tools.train import second_half as split

        lines, truth = split(lines, truth)
    times = event_times(lines)
    runs = [run_model(m, lines, truth, times, base or get_settings()) for m in models]
    runs.sort(key=lambda r: (r.scores.flip_rate > FLIP_TARGET, -round(r.scores.macro_f1, 2), r.us_per_event))
    return runs


PROFILE_TRUTH = ("users.jsonl", "contacts_truth.jsonl", "meta.json")


def has_profile_truth(events: Path) -> bool:
    """A scenario with profile truth (``simulate --profiles``, the ``-profiles`` samples)."""
    return all((events.parent / name).is_file() for name in PROFILE_TRUTH)


def evaluate_profiles_report(events: Path, base: Settings, out: Path) -> str:
    """Score the customer profiles and write ``profiles.md`` and ``profiles.json``."""
    from tools.evaluate_profiles import HEADER, evaluate_profiles

    scores = evaluate_profiles(events, build_core(base))
    text = "\n".join(["## Customer profiles", "", HEADER, scores.row(), ""])
    out.mkdir(parents=True, exist_ok=True)
    (out / "profiles.md").write_text(text)
    (out / "profiles.json").write_bytes(orjson.dumps(scores, option=orjson.OPT_INDENT_2))
    return text


def _cmd_evaluate(args: argparse.Namespace) -> int:
    from config import CLIError
    from detectors.online import MODEL_KINDS

    if not args.events.is_file():
        raise CLIError(f"file not found: {args.events}")
    profiles = has_profile_truth(args.events) if args.profiles == "auto" else args.profiles == "only"
    if args.profiles == "only" and not has_profile_truth(args.events):
        raise CLIError(f"--profiles only needs {', '.join(PROFILE_TRUTH)} beside {args.events}")
    base = get_settings().model_copy(update={"model_start": args.start})
    if args.profiles == "only":
        print(evaluate_profiles_report(args.events, base, args.out))
        print(f"report written to {args.out}", file=sys.stderr)
        return 0
    if args.truth is None or not args.truth.is_file():
        raise CLIError(f"file not found: {args.truth}" if args.truth else "--truth is required (or --profiles only)")
    models = list(MODEL_KINDS) + ["rules"] if args.model == "all" else [args.model]
    for m in models:
        if m not in (*MODEL_KINDS, "rules"):
            raise CLIError(f"unknown model {m!r}")
    runs = evaluate(args.events, args.truth, models, base, second_half=args.second_half)
    write_report(runs, args.out, args.events.parent.name or str(args.events))
    print((args.out / "summary.md").read_text())
    if profiles:
        print(evaluate_profiles_report(args.events, base, args.out))
    print(f"report written to {args.out}", file=sys.stderr)
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("evaluate", help="replay a scenario and score the moments against ground truth",
                       description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--events", type=Path, required=True, help="replay input (events.jsonl)")
    p.add_argument("--truth", type=Path, help="ground truth of the moments (truth.jsonl)")
    p.add_argument("--out", type=Path, default=Path("reports/evaluation"), help="report folder")
    p.add_argument("--model", default="all", help="ovr-logreg, softmax, naive-bayes, rules or all (default)")
    p.add_argument("--start", choices=("pretrained", "cold"), default="cold",
                   help="models start cold (default) or from the model shipped with the package")
    p.add_argument("--second-half", action="store_true",
                   help="score only the second half (sessions from the median start on), the part that "
                        "'micromoments train --first-half' did not see")
    p.add_argument("--profiles", choices=("auto", "only", "off"), default="auto",
                   help="score the customer profiles too: auto (default) where users.jsonl, contacts_truth.jsonl "
                        "and meta.json lie beside the events; only = profiles without the moment models")
    p.set_defaults(func=_cmd_evaluate)
