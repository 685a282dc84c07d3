"""``micromoments evaluate-unseen``: how well the shipped model does in a shop it has never seen.

Leave one shop out, the way a customer meets micromoments: for every simulated shop X and every
seed, the model is trained exactly as the shipped one is (``tools.train.train_shops``: every
other shop simulated with ``--train-sessions`` sessions, each session's label learned through
the feedback path) and then replays a fresh scenario of X (``--sessions``) cold: no state, only
X's own delayed feedback (30% of its sessions) to learn from. On the same stream the batch-refit
baseline (``tools.baseline``: a logistic regression refit on the feedback seen so far, every
``--refit-every`` labels) is replayed and scored the same way. Per shop, the median over seeds of:
coverage (share of sessions with a moment), macro-F1 of the last moment per session, the same on
the second half for sessions without feedback, time to detect (median and p90 events) and flip
rate (extra moments per tagged session), and the baseline's macro-F1 (whole, second half).

Folds run in ``--jobs`` processes; each fold is deterministic (its seeds), so the table is too.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import orjson

from config import get_settings

#: the metrics of a fold, in table order: (key, column title, format)
COLUMNS = (
    ("coverage", "coverage", ".3f"), ("macro_f1", "macro-F1", ".3f"),
    ("online_f1", "2nd half, no feedback", ".3f"), ("ttd_median", "TTD median", "g"),
    ("ttd_p90", "TTD p90", "g"), ("flip_rate", "flip rate", ".3f"),
    ("base_macro_f1", "baseline macro-F1", ".3f"), ("base_online_f1", "baseline 2nd half", ".3f"),
)
TRAIN_SEED = 1000  # training scenarios use seed TRAIN_SEED + s, the held-out scenario seed s


def fold(shop: str, seed: int, sessions: int, train_sessions: int, refit_every: int,
         checkpoint_file: Path | None = None) -> dict:
    """Train without ``shop`` (or load ``checkpoint_file``), replay a fresh ``shop`` scenario cold;
    ours and the baseline's scores."""
    from detectors import checkpoint
    from tools.baseline import BatchRefitDetector
    from tools.evaluate import event_times, run_model
    from tools.simulate import PROFILES, simulate
    from tools.train import train_shops

    t0 = time.perf_counter()
    if checkpoint_file is not None:
        model = checkpoint.from_dict(orjson.loads(checkpoint_file.read_bytes()))
    else:
        model = train_shops([s for s in PROFILES if s != shop], train_sessions, TRAIN_SEED + seed)
    scn = simulate(shop, sessions, seed=seed)
    times = event_times(scn.lines)
    base = get_settings()
    ours = run_model("ovr-logreg", scn.lines, scn.truth, times, base, detector=model).scores
    batch = run_model("baseline", scn.lines, scn.truth, times, base,
                      detector=BatchRefitDetector(every=refit_every)).scores
    return {"shop": shop, "seed": seed, "sessions": ours.sessions, "coverage": ours.coverage,
            "macro_f1": ours.macro_f1, "online_f1": ours.online_f1, "ttd_median": ours.ttd_median,
            "ttd_p90": ours.ttd_p90, "flip_rate": ours.flip_rate, "per_class_f1": ours.per_class_f1,
            "opted_out_moments": ours.opted_out_moments, "base_coverage": batch.coverage,
            "base_macro_f1": batch.macro_f1, "base_online_f1": batch.online_f1,
            "seconds": round(time.perf_counter() - t0, 1)}


def summarize(folds: list[dict]) -> dict[str, dict]:
    """Shop -> the median over its seeds of every column (and the seeds' count)."""
    out: dict[str, dict] = {}
    for shop in dict.fromkeys(f["shop"] for f in folds):
        mine = [f for f in folds if f["shop"] == shop]
        row = {"seeds": len(mine)}
        row.update({key: _median([f[key] for f in mine]) for key, _title, _fmt in COLUMNS})
        out[shop] = row
    return out


def _median(values: list) -> float | None:
    present = [v for v in values if v is not None]
    return statistics.median(present) if present else None


def table(summary: dict[str, dict]) -> str:
    """The Markdown table of ``summarize``, one row per held-out shop and the median over shops."""
    head = "| held-out shop | " + " | ".join(t for _k, t, _f in COLUMNS) + " |"
    lines = [head, "|---" * (len(COLUMNS) + 1) + "|"]
    rows = dict(summary)
    if len(rows) > 1:
        rows["median over shops"] = {k: _median([r[k] for r in summary.values()]) for k, _t, _f in COLUMNS}
    for shop, row in rows.items():
        cells = ["n/a" if row[k] is None else format(row[k], f) for k, _t, f in COLUMNS]
        lines.append(f"| {shop} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def run(shops: list[str], seeds: int, sessions: int, train_sessions: int, refit_every: int, jobs: int,
        progress=None, checkpoint_file: Path | None = None) -> list[dict]:
    """Every (shop, seed) fold, in a fixed order whatever finishes first."""
    tasks = [(shop, s, sessions, train_sessions, refit_every, checkpoint_file)
             for shop in shops for s in range(1, seeds + 1)]
    if jobs <= 1:
        results = []
        for t in tasks:
            results.append(fold(*t))
            if progress:
                progress(results[-1])
        return results
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        futures = [pool.submit(fold, *t) for t in tasks]
        results = []
        for f in futures:
            results.append(f.result())
            if progress:
                progress(results[-1])
    return results


def _cmd(args: argparse.Namespace) -> int:
    from config import CLIError
    from tools.simulate import select_shops

    try:
        shops = select_shops(args.shops)
    except ValueError as exc:
        raise CLIError(str(exc)) from None
    for name in ("seeds", "sessions", "train_sessions", "refit_every", "jobs"):
        if getattr(args, name) < 1:
            raise CLIError(f"--{name.replace('_', '-')} must be at least 1")
    n = len(shops) * args.seeds
    print(f"{n} folds: {len(shops)} held-out shops x {args.seeds} seeds, {args.jobs} processes", file=sys.stderr)
    done = []

    def progress(r: dict) -> None:
        done.append(r)
        print(f"[{len(done)}/{n}] {r['shop']} seed {r['seed']}: coverage {r['coverage']:.3f}, macro-F1 "
              f"{r['macro_f1']:.3f} (baseline {r['base_macro_f1']:.3f}), {r['seconds']} s", file=sys.stderr)

    if args.checkpoint is not None and not args.checkpoint.is_file():
        raise CLIError(f"file not found: {args.checkpoint}")
    folds = run(shops, args.seeds, args.sessions, args.train_sessions, args.refit_every, args.jobs, progress,
                args.checkpoint)
    summary = summarize(folds)
    text = table(summary)
    args.out.mkdir(parents=True, exist_ok=True)
    doc = {"command": " ".join(["micromoments", *sys.argv[1:]]), "checkpoint": str(args.checkpoint or ""),
           "shops": shops, "seeds": args.seeds, "sessions": args.sessions,
           "train_sessions": args.train_sessions, "refit_every": args.refit_every, "summary": summary,
           "folds": folds}
    (args.out / "unseen.json").write_bytes(orjson.dumps(doc, option=orjson.OPT_INDENT_2))
    (args.out / "unseen.md").write_text(text + "\n")
    print(text)
    print(f"written to {args.out}/unseen.json and unseen.md", file=sys.stderr)
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("evaluate-unseen", help="leave-one-shop-out: the shipped model's recipe in shops it never saw",
                       description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--shops", default="all", help="held-out shops, comma-separated (default: every profile)")
    p.add_argument("--seeds", type=int, default=3, help="seeds per shop (1..N; default 3)")
    p.add_argument("--sessions", type=int, default=2000, help="sessions of the held-out scenario (default 2000)")
    p.add_argument("--train-sessions", type=int, default=2000, help="sessions per training shop (default 2000)")
    p.add_argument("--refit-every", type=int, default=25, help="the baseline refits every N labels (default 25)")
    p.add_argument("--jobs", type=int, default=2, help="processes (default 2)")
    p.add_argument("--checkpoint", type=Path, help="evaluate this model file in every shop instead of training "
                                                  "without the held-out shop (e.g. an older shipped model)")
    p.add_argument("--out", type=Path, default=Path("reports/unseen"), help="folder for unseen.json and unseen.md")
    p.set_defaults(func=_cmd)
