"""``micromoments bench``: throughput of the same input through three loops, in one run.

(a) raw aiokafka consume -> produce passthrough (no work: the ceiling of a Python consumer),
(b) raw aiokafka doing the pipeline's work (``StreamEngine``: validation, sessions, features,
    prediction, moments) without Faust — the ceiling for this work in one process,
(c) the full worker (``micromoments worker``: Faust agents, table, moments to the action topics).

Each loop reads the same preloaded records (simulated electronics-en traffic) from its own topics
on the broker at ``MOMENTS_KAFKA_BOOTSTRAP`` (or a local broker it starts), and results go to
``bench/results.json``. Repeats give min and median. Latency at offered rates, RSS with 100k live
sessions and 2-worker scaling are not measured yet (null in the results).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from pipeline.config import Settings, get_settings
from pipeline.engine import InRecord, StreamEngine
from pipeline.feed import produce, records_from_lines
from pipeline.topics import ensure_topics

INPUTS = ("events.clickstream", "events.search", "events.location", "feedback", "ref.venues")


def scenario_records(n_events: int, seed: int = 1) -> list:
    from pipeline.simulate import simulate

    sessions = max(50, n_events // 7)  # about seven lines per session
    lines = simulate("electronics-en", sessions, seed=seed, bad_share=0.0).lines
    return records_from_lines(lines)[:n_events]


async def _consume_all(bootstrap: str, prefix: str, total: int, handle) -> float:
    """Read every input record of ``prefix`` once with a group-less consumer; returns seconds."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, max_poll_records=2000,
                                fetch_max_bytes=16 * 1024 * 1024)
    await consumer.start()
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, linger_ms=5, max_batch_size=256 * 1024)
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
    async def handle(records, producer):
        for r in records:
            await producer.send(prefix + "bench.passthrough", r.value, key=r.key)
    return total / await _consume_all(bootstrap, prefix, total, handle)


async def same_work(bootstrap: str, prefix: str, total: int, settings: Settings) -> float:
    from pipeline.detector_factory import build_core

    engine = StreamEngine(build_core(settings), {}, start=lambda s: 0)
    n = len(prefix)

    async def handle(records, producer):
        recs = [InRecord(r.topic[n:], r.partition, r.offset, r.key, r.value, float(r.timestamp)) for r in records]
        result = engine.ingest(recs, lambda s: True, time.time() * 1000.0)
        for out in result.sends:
            await producer.send(prefix + out.topic, out.value, key=out.key)
    return total / await _consume_all(bootstrap, prefix, total, handle)


def full_pipeline(bootstrap: str, prefix: str, total: int, data_dir: Path, partitions: int) -> float:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("MOMENTS_")}
    env.update(MOMENTS_KAFKA_BOOTSTRAP=bootstrap, MOMENTS_TOPIC_PREFIX=prefix, MOMENTS_APP_ID=f"bench-{prefix[:-1]}",
               MOMENTS_PARTITIONS=str(partitions), MOMENTS_DATA_DIR=str(data_dir), MOMENTS_WEB_PORT=str(port))
    log = open(data_dir / "worker.log", "wb")
    proc = subprocess.Popen([sys.executable, "-m", "pipeline", "worker"], env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        first = None
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"worker died, see {data_dir / 'worker.log'}")
            stats = _stats(port)
            done = sum(v for k, v in (stats or {}).items() if k.startswith("in:"))
            if first is None and done > 0:
                first = (time.perf_counter(), done)
            if done >= total and first is not None:
                return (done - first[1]) / max(1e-9, time.perf_counter() - first[0])
            time.sleep(0.2)
    finally:
        proc.terminate()
        proc.wait(30)


def _stats(port: int) -> dict | None:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/stats/", timeout=2) as r:
            return json.loads(r.read())["stats"]
    except OSError:
        return None


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def _preload(settings: Settings, prefix: str, records: list) -> None:
    await ensure_topics(settings.model_copy(update={"topic_prefix": prefix}))
    await produce(settings.kafka_bootstrap, records, prefix=prefix)


def run(n_events: int, repeats: int, partitions: int, out: Path) -> dict:
    settings = get_settings().model_copy(update={"partitions": partitions})
    records = scenario_records(n_events)
    total = len(records)
    results: dict[str, list[float]] = {"passthrough_eps": [], "same_work_eps": [], "pipeline_eps": []}
    for i in range(repeats):
        prefix = f"bench{uuid.uuid4().hex[:6]}."
        asyncio.run(_preload(settings, prefix, records))
        results["passthrough_eps"].append(asyncio.run(passthrough(settings.kafka_bootstrap, prefix, total)))
        results["same_work_eps"].append(asyncio.run(same_work(settings.kafka_bootstrap, prefix, total, settings)))
        with tempfile.TemporaryDirectory() as tmp:
            results["pipeline_eps"].append(full_pipeline(settings.kafka_bootstrap, prefix, total, Path(tmp), partitions))
        print(f"run {i + 1}/{repeats}: " + ", ".join(f"{k} {v[-1]:,.0f}" for k, v in results.items()), file=sys.stderr)
    summary = {k: {"min": round(min(v)), "median": round(statistics.median(v)), "runs": [round(x) for x in v]}
               for k, v in results.items()}
    med = {k: v["median"] for k, v in summary.items()}
    doc = {
        "events": total, "repeats": repeats, "partitions": partitions, **summary,
        "ratio_passthrough": round(med["pipeline_eps"] / med["passthrough_eps"], 3),
        "ratio_same_work": round(med["pipeline_eps"] / med["same_work_eps"], 3),
        "latency_ms": None, "rss_mb": None, "scale_2_workers": None,
        "note": "latency at offered rates, RSS with 100k sessions and 2-worker scaling: not measured yet",
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(doc, indent=2) + "\n")
    return doc


def _cmd_bench(args: argparse.Namespace) -> int:
    doc = run(args.events, args.repeats, args.partitions, args.out)
    print(f"{'loop':<28}{'min ev/s':>12}{'median ev/s':>14}")
    for key, label in (("passthrough_eps", "(a) aiokafka passthrough"), ("same_work_eps", "(b) aiokafka same work"),
                       ("pipeline_eps", "(c) full Faust pipeline")):
        print(f"{label:<28}{doc[key]['min']:>12,}{doc[key]['median']:>14,}")
    print(f"c/a = {doc['ratio_passthrough']}, c/b = {doc['ratio_same_work']}  ({doc['events']:,} events, "
          f"{doc['partitions']} partitions, results in {args.out})")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("bench", help="throughput: aiokafka passthrough vs same work vs the Faust pipeline",
                       description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--events", type=int, default=200_000, help="records to preload (default 200,000)")
    p.add_argument("--repeats", type=int, default=1, help="repeat the three loops (min and median reported)")
    p.add_argument("--partitions", type=int, default=1, help="partitions of each input topic")
    p.add_argument("--out", type=Path, default=Path("bench/results.json"))
    p.set_defaults(func=_cmd_bench)
