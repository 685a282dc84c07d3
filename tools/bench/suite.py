"""``micromoments bench``: throughput, latency, memory and scaling of the pipeline on a real broker.

Parts (``--only`` picks some; default all):

throughput  the same preloaded records (simulated electronics-en traffic) read three ways:
            (a) raw aiokafka consume -> produce passthrough (no work: the ceiling of a Python consumer),
            (b) raw aiokafka doing the pipeline's work (``StreamEngine``: validation, sessions, features,
                prediction, moments) without Faust, state in a dict,
            (c) the full worker (``micromoments worker``: Faust agents, users table with changelog, moments
                to the action topics) with the ClickHouse sink (``micromoments sink``, embedded chDB)
                running beside it. Events/s of the worker process; the sink's catch-up is reported.
latency     event -> moment latency p50/p95/p99 at offered 1k and 5k ev/s and at saturation
            (see ``tools.bench.live``).
rss         resident memory of a worker holding 100k live sessions.
scale       one worker vs two workers in one group on 4-partition topics, from the moment every
            record is produced to the last one accounted for, with the CPU cores the workers used.
model       one shared model with 1, 2 and 3 workers on 6 partitions, the same simulated streams at
            1k ev/s: macro-F1 and coverage, version delay p99, a label's effect in every worker,
            events per CPU second (see ``tools.bench.shared_model``).
profiles    the worker's events/s on simulated traffic without and with customer messages (the
            same number of records), and profile freshness: produce -> the ``profiles`` record
            the event caused, p50/p95/p99 at 1k ev/s offered.
serve       ``micromoments serve`` over 100k profiles: latency at 1k req/s from another process,
            the highest rate with p99 <= 10 ms, memory, ready after a restart, and freshness
            through the API at 1k ev/s into a worker (see ``tools.bench.serve_bench``).
bot         one user's 1,000,000 events in a day (and half a day more) through the engine with the
            worker's duplicate memory: its bytes, the user's state, changelog bytes per event, RSS
            (no broker; see ``tools.bench.engine``).

Results go to ``bench/results.json`` (parts not run keep their previous values) with PNG plots next
to it; a summary table is printed. ``--repeats`` repeats every part (min and median reported).
The broker is ``MOMENTS_KAFKA_BOOTSTRAP`` (``make bench`` starts a local one).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from config import Settings, get_settings
from config.kafka import kafka_options
from detectors import hotloops
from pipeline.batch_producer import CachedPartitioner, prefixed, send_records
from pipeline.engine import GC_THRESHOLDS, InRecord, StreamEngine
from pipeline.topics import ensure_topics
from schemas.topics import ANALYTICS_TOPICS, EVENT_TOPICS, VENUES_TOPIC
from tools.bench.live import say
from tools.bench.procs import accounted, keep_logs_in, wait_until
from tools.bench.report import merge_latency, min_median, summary
from tools.feed import produce, records_from_lines

INPUTS = (*EVENT_TOPICS, VENUES_TOPIC)
ANALYTICS = ANALYTICS_TOPICS
PARTS = ("throughput", "latency", "rss", "scale", "model", "profiles", "serve", "bot")
#: the live sessions are opened at this rate (below the worker's capacity); the same traffic
#: produced at once (a backlog the worker drains at full speed) is measured too ("burst")
RSS_RATE = 3000.0
PARTITIONER = CachedPartitioner()


def scenario_records(n_events: int, seed: int = 1, profiles: bool = False) -> list:
    """Simulated electronics-en records; ``profiles``: with the customers' messages and their labels."""
    from tools.simulate import simulate

    sessions = max(50, n_events // 7)  # about seven lines per session
    lines = simulate("electronics-en", sessions, seed=seed, bad_share=0.0, profiles=profiles).lines
    return records_from_lines(lines)[:n_events]


# --- (a) and (b): raw aiokafka ---------------------------------------------------------------------

async def _consume_all(bootstrap: str, prefix: str, total: int, handle) -> float:
    """Read every input record of ``prefix`` once with a group-less consumer; returns seconds."""
    consumer = AIOKafkaConsumer(**kafka_options(bootstrap=bootstrap), enable_auto_commit=False, max_poll_records=2000,
                                fetch_max_bytes=16 * 1024 * 1024)
    await consumer.start()
    # the worker's producer settings (pipeline/app.py), so that (b) and (c) differ only by Faust
    producer = AIOKafkaProducer(**kafka_options(bootstrap=bootstrap), linger_ms=0, max_batch_size=256 * 1024,
                                partitioner=PARTITIONER)
    await producer.start()
    try:
        tps = [TopicPartition(prefix + t, p) for t in INPUTS
               for p in sorted(consumer.partitions_for_topic(prefix + t) or {0})]
        consumer.assign(tps)
        await consumer.seek_to_beginning(*tps)
        seen, start = 0, time.perf_counter()
        while seen < total:
            batch = await consumer.getmany(timeout_ms=500, max_records=2000)
            records = [r for recs in batch.values() for r in recs]
            seen += len(records)
            await handle(records, producer)
        await producer.flush()
        return time.perf_counter() - start
    finally:
        await producer.stop()
        await consumer.stop()


async def passthrough(bootstrap: str, prefix: str, total: int) -> float:
    async def handle(records, producer):  # sent as the worker sends (pipeline.batch_producer)
        await send_records(producer, PARTITIONER, ((prefix + "bench.passthrough", r.key, r.value, None)
                                                   for r in records))
    return total / await _consume_all(bootstrap, prefix, total, handle)


async def same_work(bootstrap: str, prefix: str, total: int, settings: Settings) -> float:
    from pipeline.detector_factory import build_core

    engine = StreamEngine(build_core(settings), {}, start=lambda s: 0)
    n = len(prefix)

    async def handle(records, producer):
        recs = [InRecord(r.topic[n:], r.partition, r.offset, r.key, r.value, float(r.timestamp)) for r in records]
        result = engine.ingest(recs, lambda s: True, time.time() * 1000.0)
        await send_records(producer, PARTITIONER, prefixed(prefix, result.sends))
    before = gc.get_threshold()
    gc.freeze()  # the worker's garbage-collector settings (pipeline/app.py), for a fair c/b
    gc.set_threshold(*GC_THRESHOLDS)
    try:
        return total / await _consume_all(bootstrap, prefix, total, handle)
    finally:
        gc.set_threshold(*before)
        gc.unfreeze()


# --- (c): the worker (and the sink) ----------------------------------------------------------------

async def _end_offsets(bootstrap: str, topics: list[str], partitions: int) -> int:
    consumer = AIOKafkaConsumer(**kafka_options(bootstrap=bootstrap), enable_auto_commit=False)
    await consumer.start()
    try:
        ends = await consumer.end_offsets([TopicPartition(t, p) for t in topics for p in range(partitions)])
        return sum(ends.values())
    finally:
        await consumer.stop()


def full_pipeline(settings: Settings, prefix: str, total: int, partitions: int, with_sink: bool) -> tuple[float, dict]:
    """Events/s of one worker over ``total`` preloaded records; the sink's catch-up if it ran."""
    app_id = f"bench-{prefix[:-1]}"
    with tempfile.TemporaryDirectory(prefix="mmbench-") as tmp:
        from tools.bench.procs import SinkProc, WorkerProc

        sink = SinkProc(settings.kafka_bootstrap, prefix, partitions, Path(tmp) / "sink", app_id) if with_sink else None
        worker = WorkerProc(settings.kafka_bootstrap, prefix, partitions, Path(tmp) / "worker", app_id)
        procs = [worker] + ([sink.start()] if sink else [])
        try:
            worker.start()
            first: list[tuple[float, int]] = []
            last = [time.monotonic()]

            def finished():
                done = accounted(worker.stats())
                now = time.perf_counter()
                if not first and done > 0:
                    first.append((now, done))
                if time.monotonic() - last[0] > 10:
                    last[0] = time.monotonic()
                    say(f"pipeline: {done:,}/{total:,}")
                return done >= total and (now, done)
            end, done = wait_until(finished, procs, 3600, "the worker to account for every record")
            eps = (done - first[0][1]) / max(1e-9, end - first[0][0])
            worker.stop()
            sink_info: dict = {"included": False}
            if sink is not None:
                expected = asyncio.run(_end_offsets(settings.kafka_bootstrap, [prefix + t for t in ANALYTICS],
                                                    partitions))
                wait_until(lambda: (sink.stats() or {}).get("records", 0) >= expected, [sink], 600,
                           f"the sink to read {expected:,} analytics records")
                stats = sink.stats() or {}
                sink_info = {"included": True, "records": expected,
                             "rows": sum(v for k, v in stats.items() if k.startswith("rows:")),
                             "lag_s": round(time.perf_counter() - end, 1)}
            return eps, sink_info
        finally:
            for p in procs:
                p.stop()


async def _preload(settings: Settings, prefix: str, records: list) -> None:
    await ensure_topics(settings.model_copy(update={"topic_prefix": prefix}))
    await produce(settings.kafka_bootstrap, records, prefix=prefix)


def throughput(settings: Settings, records: list, repeats: int, partitions: int, with_sink: bool) -> dict:
    total = len(records)
    runs: dict[str, list[float]] = {"passthrough_eps": [], "same_work_eps": [], "pipeline_eps": []}
    sinks = []
    for i in range(repeats):
        prefix = f"bench{uuid.uuid4().hex[:6]}."
        say(f"throughput run {i + 1}/{repeats}: preloading {total:,} records")
        asyncio.run(_preload(settings, prefix, records))
        runs["passthrough_eps"].append(asyncio.run(passthrough(settings.kafka_bootstrap, prefix, total)))
        say(f"(a) passthrough {runs['passthrough_eps'][-1]:,.0f} ev/s; (b) same work ...")
        runs["same_work_eps"].append(asyncio.run(same_work(settings.kafka_bootstrap, prefix, total, settings)))
        say(f"(b) same work {runs['same_work_eps'][-1]:,.0f} ev/s; (c) worker" + (" + sink" if with_sink else ""))
        eps, sink = full_pipeline(settings, prefix, total, partitions, with_sink)
        runs["pipeline_eps"].append(eps)
        sinks.append(sink)
        say(f"run {i + 1}/{repeats}: " + ", ".join(f"{k} {v[-1]:,.0f}" for k, v in runs.items()))
    out: dict = {k: min_median(v) for k, v in runs.items()}
    med = {k: v["median"] for k, v in out.items()}
    out.update(events=total, repeats=repeats, partitions=partitions,
               ratio_passthrough=round(med["pipeline_eps"] / med["passthrough_eps"], 3),
               ratio_same_work=round(med["pipeline_eps"] / med["same_work_eps"], 3),
               sink={**sinks[-1], "lag_s_runs": [s["lag_s"] for s in sinks]} if with_sink else sinks[-1])
    return out


# --- aggregation ---------------------------------------------------------------------------------

def detector_reference(repeats: int = 3) -> float:
    """Features + predict of the shipped model, µs per event (``python -m tools.bench.detector``):
    how fast this machine runs our Python today. The host is shared and its speed varies from day
    to day (2.3 x between two days here), so every run records it next to its results. Measured
    with the detector's pure-Python loops (``MOMENTS_PURE_PYTHON=1``), so that the reference stays
    comparable with runs before the loops were compiled."""
    code = f"from tools.bench.suite import detector_us_per_event; print(detector_us_per_event({repeats}))"
    out = subprocess.run([sys.executable, "-c", code], env={**os.environ, "MOMENTS_PURE_PYTHON": "1"},
                         capture_output=True, text=True, check=True)
    return float(out.stdout.split()[-1])


def detector_us_per_event(repeats: int = 3) -> float:
    """Features + predict of the shipped model in this process, µs per event (best of ``repeats``)."""
    from detectors import checkpoint
    from tools.bench.detector import load_events, run_once

    events, venues = load_events("electronics-en", 1000, seed=7)
    return round(min(run_once(events, venues, checkpoint.pretrained())[0] for _ in range(repeats)), 1)


class PartFailed(Exception):
    """One part of the benchmark failed; the parts before it are saved."""

    def __init__(self, part: str, exc: BaseException) -> None:
        super().__init__(f"the {part} part failed: {exc}")
        self.part = part


def _throughput_part(doc: dict, args: argparse.Namespace, settings: Settings, sizes: dict) -> dict:
    records = scenario_records(sizes["events"])
    doc.update(throughput(settings, records, args.repeats, args.partitions, not args.no_sink))
    return {"events": len(records), "repeats": args.repeats}


def _latency_part(doc: dict, args: argparse.Namespace, settings: Settings, sizes: dict) -> dict:
    from tools.bench.live import latency

    rates = [1000.0, 5000.0, None]
    records = scenario_records(1000 + int(5000 * sizes["seconds"]), seed=2)
    runs = [latency(settings, records, rates, sizes["seconds"], args.partitions) for _ in range(args.repeats)]
    doc["latency_ms"] = merge_latency(runs)
    return {"seconds": sizes["seconds"], "repeats": args.repeats}


def _rss_part(doc: dict, args: argparse.Namespace, settings: Settings, sizes: dict) -> dict:
    from tools.bench.live import live_session_records, live_sessions

    records = live_session_records(sizes["users"], scenario_records(20_000, seed=3))
    runs = [live_sessions(settings, records, args.partitions, RSS_RATE) for _ in range(args.repeats)]
    burst = [live_sessions(settings, records, args.partitions, None) for _ in range(args.repeats)]
    doc["rss_mb"] = {**min_median([r["rss_mb"] for r in runs]), "users": sizes["users"],
                     "open_sessions": runs[-1]["open_sessions"], "offered_eps": RSS_RATE,
                     "burst": {**min_median([r["rss_mb"] for r in burst]),
                               "peak_mb": max(r["peak_mb"] for r in burst)},
                     "details": runs + burst}
    return {"users": sizes["users"], "repeats": args.repeats}


def _scale_part(doc: dict, args: argparse.Namespace, settings: Settings, sizes: dict) -> dict:
    from tools.bench.live import scale

    records = scenario_records(sizes["scale_events"], seed=4)
    runs = [scale(settings, records, 4) for _ in range(args.repeats)]
    one, two = min_median([r["one_eps"] for r in runs]), min_median([r["two_eps"] for r in runs])
    cores = {k: round(statistics.median(r[k] for r in runs), 2)
             for k in ("one_cpu_cores", "two_cpu_cores", "one_eps_per_core", "two_eps_per_core")}
    doc["scale_2_workers"] = {"one_eps": one["median"], "two_eps": two["median"],
                              "ratio": round(two["median"] / one["median"], 2), "one": one, "two": two,
                              **cores, "cpu_cores": os.cpu_count(), "partitions": 4, "events": len(records),
                              "runs": runs}
    return {"events": len(records), "repeats": args.repeats}


def _profiles_part(doc: dict, args: argparse.Namespace, settings: Settings, sizes: dict) -> dict:
    """The worker's events/s on the same number of records without and with customer messages
    (contacts and their sentiment/outcome labels: every message analysed, every profile change
    published), and profile freshness: produce -> the ``profiles`` record it caused, at 1k ev/s."""
    from tools.bench.live import latency, profile_source

    n = sizes["profile_events"]
    plain, mixed = scenario_records(n, seed=5), scenario_records(n, seed=5, profiles=True)
    contacts = sum(r.topic == "events.contact" for r in mixed)
    runs: dict[str, list[float]] = {"without_contacts_eps": [], "with_contacts_eps": []}
    for i in range(args.repeats):
        for key, records in (("without_contacts_eps", plain), ("with_contacts_eps", mixed)):
            prefix = f"bench{uuid.uuid4().hex[:6]}."
            say(f"profiles run {i + 1}/{args.repeats}: {key}, preloading {len(records):,} records")
            asyncio.run(_preload(settings, prefix, records))
            runs[key].append(full_pipeline(settings, prefix, len(records), args.partitions, with_sink=False)[0])
            say(f"profiles: {key} {runs[key][-1]:,.0f} ev/s")
    fresh_records = scenario_records(1000 + int(1000 * sizes["seconds"]), seed=6, profiles=True)
    fresh = [latency(settings, fresh_records, [1000.0], sizes["seconds"], args.partitions, source=profile_source)
             for _ in range(args.repeats)]
    out: dict = {k: min_median(v) for k, v in runs.items()}
    out.update(events=n, contacts=contacts, repeats=args.repeats,
               ratio=round(out["with_contacts_eps"]["median"] / out["without_contacts_eps"]["median"], 3),
               freshness_ms=merge_latency(fresh))
    out["freshness_ms"]["what"] = "produce -> the profiles record the event caused, received by a consumer, ms"
    doc["profiles"] = out
    return {"events": n, "repeats": args.repeats}


def _model_part(doc: dict, args: argparse.Namespace, settings: Settings, sizes: dict) -> dict:
    from tools.bench.shared_model import shared_model

    doc["shared_model"] = shared_model(settings, sessions=sizes["model_sessions"])
    return {"sessions": sizes["model_sessions"]}


def _serve_part(doc: dict, args: argparse.Namespace, settings: Settings, sizes: dict) -> dict:
    from tools.bench.serve_bench import serve_part

    doc["serve"] = serve_part(settings, sizes["seconds"], sizes["serve_profiles"])
    return {"profiles": sizes["serve_profiles"]}


def _bot_part(doc: dict, args: argparse.Namespace, settings: Settings, sizes: dict) -> dict:
    from tools.bench.engine import bot_day

    doc["bot"] = bot_day(sizes["bot_events"], progress=lambda row: say(f"bot: {row}"))
    return {"events_per_day": sizes["bot_events"]}


_PART_RUNNERS = {"model": _model_part, "bot": _bot_part, "serve": _serve_part, "profiles": _profiles_part, "throughput": _throughput_part, "latency": _latency_part, "rss": _rss_part, "scale": _scale_part}


def run(args: argparse.Namespace) -> dict:
    """Run the chosen parts in order; results of the parts that completed are saved even when a
    later one fails (``PartFailed``, naming the part), and the log of a process that died is kept
    in ``logs/`` next to the results."""
    parts = PARTS if not args.only else tuple(p.strip() for p in args.only.split(",") if p.strip())
    bad = [p for p in parts if p not in PARTS]
    if bad:
        raise SystemExit(f"unknown part(s) {bad}; choose from {', '.join(PARTS)}")
    q = args.quick
    sizes = {"events": args.events or (20_000 if q else 200_000),
             "seconds": args.latency_seconds or (8.0 if q else 30.0),
             "users": args.rss_users or (10_000 if q else 100_000),
             "scale_events": args.scale_events or (20_000 if q else 200_000),
             "profile_events": args.profile_events or (20_000 if q else 100_000),
             "serve_profiles": 20_000 if q else 100_000, "bot_events": 100_000 if q else 1_000_000,
             "model_sessions": 400 if q else 1500}
    settings = get_settings().model_copy(update={"partitions": args.partitions})
    out: Path = args.out
    keep_logs_in(out.parent / "logs")
    doc = json.loads(out.read_text()) if out.exists() else {}
    doc.pop("note", None)
    doc.setdefault("parts", {})
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S")
    doc["machine"] = {"cpus": os.cpu_count(), "python": sys.version.split()[0], "at": stamp,
                      "detector_us_per_event": detector_reference(),  # pure Python: the day's speed
                      "detector_us_per_event_compiled": detector_us_per_event(), "compiled": hotloops.COMPILED}
    try:
        for part in (p for p in PARTS if p in parts):
            say(f"part {part}")
            try:
                doc["parts"][part] = {"at": stamp, **_PART_RUNNERS[part](doc, args, settings, sizes)}
            except Exception as exc:
                raise PartFailed(part, exc) from exc
    finally:
        for key in ("latency_ms", "rss_mb", "scale_2_workers", "shared_model", "profiles", "serve", "bot"):
            doc.setdefault(key, None)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(doc, indent=2) + "\n")
    from tools.bench.plots import plot

    doc["_plots"] = [str(p) for p in plot(doc, out.parent)]
    return doc


def _cmd_bench(args: argparse.Namespace) -> int:
    try:
        doc = run(args)
    except PartFailed as exc:
        print(f"micromoments bench: {exc}\n(results of the parts before it are in {args.out})", file=sys.stderr)
        return 1
    print(summary(doc))
    print(f"results in {args.out}" + (f", plots {', '.join(doc['_plots'])}" if doc.get("_plots") else ""))
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("bench", help="throughput, latency, RSS and 2-worker scaling of the pipeline",
                       description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--only", help=f"comma-separated parts to run: {','.join(PARTS)} (default: all)")
    p.add_argument("--quick", action="store_true",
                   help="small sizes for development (20k events, 8 s per rate, 10k sessions, 20k for scaling)")
    p.add_argument("--events", type=int, help="records for the throughput part (default 200,000)")
    p.add_argument("--repeats", type=int, default=1, help="repeat each part (min and median reported)")
    p.add_argument("--partitions", type=int, default=1, help="partitions of each topic (throughput, latency, rss)")
    p.add_argument("--no-sink", action="store_true", help="run (c) without the ClickHouse sink beside the worker")
    p.add_argument("--latency-seconds", type=float, help="seconds of traffic per offered rate (default 30)")
    p.add_argument("--rss-users", type=int, help="distinct users with a live session (default 100,000)")
    p.add_argument("--scale-events", type=int, help="records for the 1-vs-2 worker part (default 200,000)")
    p.add_argument("--profile-events", type=int,
                   help="records for each throughput run of the profiles part (default 100,000)")
    p.add_argument("--out", type=Path, default=Path("bench/results.json"))
    p.set_defaults(func=_cmd_bench)
