"""The engine alone: ``StreamEngine`` in this process, no Kafka, µs per record.

    python -m tools.bench.engine --events 40000 --repeats 3         # whole engine
    python -m tools.bench.engine --events 40000 --parts             # + time per part
    python -m tools.bench.engine --bot 1000000                      # one user's 1,000,000 events a day

Simulated electronics-en records (``tools.bench.suite.scenario_records``) are handed to one engine
in batches of 2,000, as the worker's fetches do, with the worker's garbage-collector settings;
state lives in a dict. ``--parts`` wraps the main steps with timers (which add their own cost)
and prints each one's share, to see where an event's time goes; ``MOMENTS_PURE_PYTHON=1``
measures the detector's pure-Python loops instead of the compiled ones.

``--bot N`` (also ``micromoments bench --only bot``): one user sends N events spread over a day
of event time, then half a day more at the same rate, through one engine with the worker's
persistent duplicate memory. Printed at every tenth of the way: the duplicate memory's bytes, the
user's state, the changelog bytes the worker would send (the user's state once per batch, the
memory's new digests) and this process's resident memory: what stays bounded, and where.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import time
from collections import Counter, defaultdict
from collections.abc import Callable

from detectors import hotloops
from pipeline.dedup import DedupMemory
from pipeline.engine import GC_THRESHOLDS, InRecord, StreamEngine

BATCH = 2_000


def in_records(n_events: int) -> list[InRecord]:
    """Simulated records as the engine receives them: one partition, offsets from 0 per topic."""
    from tools.bench.suite import scenario_records

    offsets: Counter[str] = Counter()
    out = []
    for i, r in enumerate(scenario_records(n_events)):
        out.append(InRecord(r.topic, 0, offsets[r.topic], r.key, r.value, float(1_700_000_000_000 + i)))
        offsets[r.topic] += 1
    return out


def run_once(records: list[InRecord]) -> tuple[float, StreamEngine]:
    """Seconds for one fresh engine to process ``records``."""
    from config import get_settings
    from pipeline.detector_factory import build_core

    engine = StreamEngine(build_core(get_settings()), {}, start=lambda s: 0)
    now = time.time() * 1000.0
    start = time.perf_counter()
    for i in range(0, len(records), BATCH):
        engine.ingest(records[i:i + BATCH], lambda s: True, now)
    return time.perf_counter() - start, engine


def timed_parts() -> dict[str, list[float]]:
    """Wrap the engine's main steps with timers; returns part -> [seconds, calls]."""
    from detectors import features, online
    from pipeline import core, dedup, engine, state

    spent: dict[str, list[float]] = defaultdict(lambda: [0.0, 0])

    def wrap(owner: object, name: str, label: str) -> None:
        inner: Callable = getattr(owner, name)
        clock = time.perf_counter

        def timed(*args, **kwargs):
            t = clock()
            out = inner(*args, **kwargs)
            entry = spent[label]
            entry[0] += clock() - t
            entry[1] += 1
            return out
        setattr(owner, name, timed)

    for owner, name, label in (
        (engine, "decode", "decode (validation)"), (core.Core, "handle", "Core.handle (all below)"),
        (features, "update", "feature update"), (features, "vector", "feature vector"),
        (online.MomentDetector, "predict_proba_one", "prediction"), (online.MomentDetector, "teach_one", "teaching"),
        (online.MomentDetector, "learn_one", "feedback learning"), (core, "decide", "decision"),
        (core.Core, "_moment", "published Moment"), (core, "event_row", "analytics row"),
        (dedup.DedupMemory, "add", "duplicate check"), (state.UserState, "session_for", "session lookup"),
        (engine.StreamEngine, "load", "state load"), (state.UserState, "to_json", "state serialize"),
    ):
        wrap(owner, name, label)
    return spent


class _CountingStore(dict):
    """The engine's state store, counting the bytes a worker would send to the users changelog."""

    written = 0

    def __setitem__(self, key, value) -> None:
        self.written += len(value or b"")
        super().__setitem__(key, value)


def bot_records(n_per_day: int, days: float, t0: int = 1_700_000_000_000):
    """One user's events, evenly over ``days`` of event time: page views, every fifth a search."""
    from tools.feed import dumps

    step = 86_400_000 / n_per_day
    for i in range(int(n_per_day * days)):
        ts = int(t0 + i * step)
        if i % 5 == 4:  # offsets: each topic's own, without gaps
            event = {"event_id": f"bot-{i}", "user_id": "bot-1", "ts": ts, "query": f"item {i % 97}"}
            yield InRecord("events.search", 0, i // 5, b"bot-1", dumps(event), float(ts))
        else:
            event = {"event_id": f"bot-{i}", "user_id": "bot-1", "ts": ts, "type": "page_view",
                     "url": f"https://shop.example/p/{i % 1_000}"}
            yield InRecord("events.clickstream", 0, i - i // 5, b"bot-1", dumps(event), float(ts))


def bot_day(n_per_day: int = 1_000_000, days: float = 1.5, progress: Callable[[dict], None] = print) -> dict:
    """One bot's ``n_per_day`` events a day for ``days``; a row every tenth of the way and a summary."""
    from config import get_settings
    from pipeline.detector_factory import build_core
    from tools.bench.procs import rss_mb

    store = _CountingStore()
    engine = StreamEngine(build_core(get_settings()), store, start=lambda s: 0, dedup=DedupMemory(persist=True))
    total, rows = int(n_per_day * days), []
    dedup_written = state_max = 0
    batch: list[InRecord] = []
    start = time.perf_counter()
    for i, record in enumerate(bot_records(n_per_day, days), 1):
        batch.append(record)
        if len(batch) < BATCH and i < total:
            continue
        engine.ingest(batch, lambda s: True, batch[-1].timestamp_ms)
        batch = []
        dedup_written += sum(len(v or b"") for _, v in engine.dedup.take())
        state_max = max(state_max, len(store["bot-1"]))
        if i % (total // 10) < BATCH or i == total:
            rows.append({"events": i, "event_time_h": round(i / n_per_day * 24, 1),
                         "dedup_memory_mb": round(engine.dedup.nbytes() / 1e6, 2), "digests": len(engine.dedup),
                         "user_state_bytes": len(store["bot-1"]),
                         "changelog_bytes_per_event": round((store.written + dedup_written) / i, 1),
                         "rss_mb": rss_mb("self")})
            progress(rows[-1])
    seconds = time.perf_counter() - start
    assert engine.stats["processed"] == total, engine.stats
    return {"events_per_day": n_per_day, "days": days, "events": total, "us_per_event": round(seconds / total * 1e6, 1),
            "user_state_max_bytes": state_max, "users_changelog_bytes": store.written,
            "dedup_changelog_bytes": dedup_written, "rows": rows}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.bench.engine", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=40_000, help="simulated records (default 40,000)")
    parser.add_argument("--repeats", type=int, default=3, help="fresh engines, one after the other (default 3)")
    parser.add_argument("--parts", action="store_true", help="time the main steps too (one more run)")
    parser.add_argument("--bot", type=int, metavar="N", help="instead: one user's N events a day (see above)")
    args = parser.parse_args(argv)
    if args.bot is not None:
        if args.bot < 10 * BATCH:
            parser.error(f"--bot needs at least {10 * BATCH:,} events")
        out = bot_day(args.bot)
        print({k: v for k, v in out.items() if k != "rows"})
        return 0
    if args.events < 1 or args.repeats < 1:
        parser.error("--events and --repeats must be at least 1")
    records = in_records(args.events)
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)
    loops = "compiled" if hotloops.COMPILED else "pure Python"
    print(f"{len(records):,} records in batches of {BATCH:,}; detector loops {loops}")
    runs = []
    for i in range(args.repeats):
        seconds, engine = run_once(records)
        runs.append(seconds / len(records) * 1e6)
        print(f"run {i + 1}: {runs[-1]:.1f} µs/record ({engine.stats['processed']:,} processed)")
    print(f"min {min(runs):.1f} µs/record, median {statistics.median(runs):.1f}")
    if args.parts:
        spent = timed_parts()
        seconds, _ = run_once(records)
        print(f"with timers: {seconds / len(records) * 1e6:.1f} µs/record; per part (µs per record, calls):")
        for label, (s, calls) in sorted(spent.items(), key=lambda kv: -kv[1][0]):
            print(f"  {label:26s} {s / len(records) * 1e6:7.1f}  {calls:,}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
