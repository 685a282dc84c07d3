"""The benchmark's live measurements: latency at offered rates, RSS with live sessions, 2 workers.

* **Latency** (``latency``): a worker runs on fresh topics; after a warm-up the simulated records
  are produced at an offered rate (``feed.produce(rate=...)``) while a group-less consumer reads
  the ``moments.*`` topics. Each moment carries its ``event_id``; its latency is the time the
  benchmark's consumer received it minus the time the benchmark handed that event to its producer
  (end to end: producer linger, broker, the worker's fetch, merge, decision and send, broker,
  consumer fetch). The worker's own ``latency_ms`` field (record timestamp -> decision) is
  summarized next to it. "saturation" offers the same records as fast as the producer can.
* **RSS** (``live_sessions``): synthesized traffic of N distinct users (a few events each, all
  within 20 minutes of event time, so every session stays open), then ``VmRSS``/``VmHWM`` of
  the worker process from ``/proc/<pid>/status``.
* **Scale** (``scale``): one worker, then two in one consumer group, on topics with 4
  partitions. Workers start on empty topics; once the group is stable the records are produced
  at full speed; throughput = records / (last accounted - first accounted).
"""

from __future__ import annotations

import asyncio
import math
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Sequence
from pathlib import Path

import orjson

from config import Settings
from config.kafka import kafka_options
from pipeline.inputs import GROUP_TOPICS
from pipeline.topics import ensure_topics
from schemas.topics import FEEDBACK_TOPIC, MOMENT_TOPICS, PROFILES_TOPIC, VENUES_TOPIC
from tools.bench.procs import SinkProc, WorkerProc, accounted, wait_until
from tools.feed import Record, dumps, produce

SESSION_WINDOW_MS = 20 * 60 * 1000  # every synthesized user's events fall within this (< the 30 min gap)


def say(msg: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


# --- pure helpers ---------------------------------------------------------------------------------

def percentile(sorted_values: Sequence[float], q: float) -> float:
    """Linear-interpolated percentile ``q`` (0..100) of already sorted values."""
    if not sorted_values:
        raise ValueError("no values")
    pos = (len(sorted_values) - 1) * q / 100.0
    lo, hi = math.floor(pos), math.ceil(pos)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (pos - lo)


def summarize_ms(values: Sequence[float]) -> dict[str, float | int]:
    """n, p50, p95, p99 and max, rounded to 0.1 ms."""
    v = sorted(values)
    if not v:
        return {"n": 0, "p50": None, "p95": None, "p99": None, "max": None}
    return {"n": len(v), **{f"p{q}": round(percentile(v, q), 1) for q in (50, 95, 99)}, "max": round(v[-1], 1)}


def event_ids(records: Sequence[Record]) -> dict[str, int]:
    """event_id -> index of its first record (a duplicate delivery keeps the first send time)."""
    out: dict[str, int] = {}
    for i, r in enumerate(records):
        if r.topic == VENUES_TOPIC or not r.value:
            continue
        try:
            eid = orjson.loads(r.value).get("event_id")
        except (orjson.JSONDecodeError, AttributeError):
            continue
        if isinstance(eid, str):
            out.setdefault(eid, i)
    return out


def live_session_records(n_users: int, templates: Sequence[Record], per_user: int = 3,
                         start_ms: int = 1_747_116_000_000) -> list[Record]:
    """Events of ``n_users`` distinct users, each opening one session that stays open.

    Each user copies the first ``per_user`` events of a template session (the simulator's
    searches/clicks/positions: realistic feature state) under a new user id, event ids and
    session id; the users start spread over ``SESSION_WINDOW_MS`` minus 5 minutes and their
    events are 30 s apart, so the stream ends less than 30 minutes after any user's last event
    and no session expires. Returned in event-time order, venues (from ``templates``) first.
    """
    sessions: dict[str, list[dict]] = {}
    venues = [r for r in templates if r.topic == VENUES_TOPIC]
    for r in templates:
        if r.topic in (VENUES_TOPIC, FEEDBACK_TOPIC) or not r.value:
            continue
        obj = orjson.loads(r.value)
        if isinstance(obj, dict) and isinstance(obj.get("session_id"), str):
            obj["topic"] = r.topic
            sessions.setdefault(obj["session_id"], []).append(obj)
    shapes = [s[:per_user] for s in sessions.values() if len(s) >= per_user]
    if not shapes:
        raise ValueError(f"no template session with {per_user} events")
    spread = SESSION_WINDOW_MS - 5 * 60 * 1000
    events: list[tuple[int, Record]] = []
    for u in range(n_users):
        uid = f"live-{u:07d}"
        t0 = start_ms + (u * spread) // max(1, n_users)
        for k, tmpl in enumerate(shapes[u % len(shapes)]):
            obj = {key: v for key, v in tmpl.items() if key != "topic"}
            obj.update(event_id=f"{uid}-{k}", user_id=uid, session_id=f"{uid}-s", ts=t0 + 30_000 * k)
            events.append((obj["ts"], Record(tmpl["topic"], uid.encode(), dumps(obj))))
    events.sort(key=lambda e: e[0])
    return venues + [r for _, r in events]


# --- worker deployments ---------------------------------------------------------------------------

class Deployment:
    """Fresh topics (own prefix) and data dirs for the worker(s) and sink of one measurement."""

    def __init__(self, settings: Settings, partitions: int, tag: str) -> None:
        self.bootstrap = settings.kafka_bootstrap
        self.partitions = partitions
        self.prefix = f"bench{tag}{uuid.uuid4().hex[:6]}."
        self.settings = settings.model_copy(update={"topic_prefix": self.prefix, "partitions": partitions})
        self._tmp = tempfile.TemporaryDirectory(prefix="mmbench-")
        self.root = Path(self._tmp.name)
        self.app_id = f"bench-{self.prefix[:-1]}"
        asyncio.run(ensure_topics(self.settings))

    def worker(self, name: str = "worker", extra_env: dict[str, str] | None = None) -> WorkerProc:
        return WorkerProc(self.bootstrap, self.prefix, self.partitions, self.root / name, self.app_id, name,
                          extra_env)

    def sink(self) -> SinkProc:
        return SinkProc(self.bootstrap, self.prefix, self.partitions, self.root / "sink", self.app_id)

    def produce(self, records: Sequence[Record], rate: float | None = None, progress=None) -> int:
        return asyncio.run(produce(self.bootstrap, records, prefix=self.prefix, rate=rate, progress=progress))

    def close(self) -> None:
        self._tmp.cleanup()

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def warm_up(dep: Deployment, workers: list[WorkerProc], records: Sequence[Record], timeout: float = 180.0) -> None:
    """Produce ``records`` and wait until the workers have accounted for all of them."""
    n = dep.produce(records)
    wait_until(lambda: sum(accounted(w.stats()) for w in workers) >= n, workers, timeout, "the warm-up records")


# --- latency ----------------------------------------------------------------------------------------

def moment_source(records: Sequence[Record]):
    """A moment -> the index of the record that caused it (its ``event_id``) and the worker's own latency."""
    ids = event_ids(records)
    return MOMENT_TOPICS, lambda moment, _headers: (ids.get(moment.get("event_id")),
                                                    float(moment.get("latency_ms", 0.0)))


def profile_source(records: Sequence[Record]):
    """A profile record -> the index of the message that changed it (the worker names its
    ``event_id`` in the record's header; records of the session-expiry timer name none), and no
    own latency (profiles carry none)."""
    from pipeline.engine import CAUSE_HEADER

    ids = event_ids(records)
    name = CAUSE_HEADER.encode()

    def cause(_value, headers) -> tuple[int | None, None]:
        eid = next((v for k, v in headers if k in (CAUSE_HEADER, name)), None)
        return (ids.get(eid.decode()) if eid else None), None
    return (PROFILES_TOPIC,), cause


async def _latency_run(dep: Deployment, worker: WorkerProc, records: Sequence[Record], rate: float | None,
                       settle_s: float = 3.0, source=moment_source) -> dict:
    from aiokafka import AIOKafkaConsumer, TopicPartition

    topics, cause = source(records)
    sent_ms: list[float] = []
    consumer = AIOKafkaConsumer(**kafka_options(bootstrap=dep.bootstrap), enable_auto_commit=False, fetch_max_wait_ms=20)
    await consumer.start()
    e2e: list[float] = []
    own: list[float] = []
    try:
        tps = [TopicPartition(dep.prefix + t, p) for t in topics for p in range(dep.partitions)]
        consumer.assign(tps)
        await consumer.seek_to_end(*tps)
        for tp in tps:  # resolve the end offsets now, before anything is produced
            await consumer.position(tp)
        before = accounted(worker.stats())
        t0 = time.perf_counter()
        producing = asyncio.create_task(produce(dep.bootstrap, records, prefix=dep.prefix, rate=rate,
                                                progress=lambda _n: sent_ms.append(time.time() * 1000.0)))
        quiet_since = None
        while True:
            batch = await consumer.getmany(timeout_ms=200)
            now_ms = time.time() * 1000.0
            for msgs in batch.values():
                for m in msgs:
                    if m.value is None:  # a tombstone
                        continue
                    i, own_ms = cause(orjson.loads(m.value), m.headers or ())
                    if i is not None and i < len(sent_ms):
                        e2e.append(now_ms - sent_ms[i])
                        if own_ms is not None:
                            own.append(own_ms)
            if producing.done():
                producing.result()  # raise a producer failure
                done = await asyncio.to_thread(lambda: accounted(worker.stats()))
                if done - before >= len(records):
                    quiet_since = quiet_since or time.monotonic()
                    if time.monotonic() - quiet_since >= settle_s or batch == {}:
                        break
            worker.check_alive()
        elapsed = time.perf_counter() - t0
    finally:
        await consumer.stop()
    produce_s = (sent_ms[-1] - sent_ms[0]) / 1000.0 if len(sent_ms) > 1 else 0.0
    return {"offered_eps": rate, "produced": len(sent_ms),
            "produced_eps": round(len(sent_ms) / produce_s) if produce_s else None,
            "drained_s": round(elapsed, 1), "e2e": summarize_ms(e2e), "worker": summarize_ms(own)}


def latency(settings: Settings, records: Sequence[Record], rates: Sequence[float | None], seconds: float,
            partitions: int, warmup: int = 1000, source=moment_source) -> dict[str, dict]:
    """One worker per offered rate; ``None`` = saturation (as fast as the producer goes)."""
    out: dict[str, dict] = {}
    for rate in rates:
        label = "saturation" if rate is None else str(int(rate))
        n = int((rate or max(r for r in rates if r)) * seconds)
        if warmup + n > len(records):
            raise ValueError(f"need {warmup + n} records for the {label} run, have {len(records)}")
        with Deployment(settings, partitions, "lat") as dep, dep.worker() as worker:
            say(f"latency {label}: worker starting, warm-up {warmup} records")
            warm_up(dep, [worker], records[:warmup])
            say(f"latency {label}: producing {n:,} records" + (f" at {rate:,.0f}/s" if rate else " unthrottled"))
            out[label] = asyncio.run(_latency_run(dep, worker, records[warmup:warmup + n], rate, source=source))
            r = out[label]["e2e"]
            say(f"latency {label}: p50 {r['p50']} ms, p95 {r['p95']} ms, p99 {r['p99']} ms ({r['n']} records)")
    return out


# --- RSS with live sessions -------------------------------------------------------------------------

def live_sessions(settings: Settings, records: Sequence[Record], partitions: int, rate: float | None = None) -> dict:
    """RSS of one worker after every record of ``records`` (from ``live_session_records``),
    produced at ``rate`` records/s (None: as fast as possible, a backlog the worker drains)."""
    with Deployment(settings, partitions, "rss") as dep, dep.worker() as worker:
        venues = [r for r in records if r.topic == VENUES_TOPIC]
        warm_up(dep, [worker], venues)
        idle = worker.rss_mb()[0]
        users = len({r.key for r in records if r.topic != VENUES_TOPIC})
        say(f"rss: {len(records) - len(venues):,} events of {users:,} users"
            + (f" at {rate:,.0f}/s" if rate else ", produced at once"))
        t0 = time.perf_counter()
        n = len(records) - len(venues)
        producing = threading.Thread(target=dep.produce, args=(records[len(venues):], rate), daemon=True)
        producing.start()
        last = [0.0]

        def done() -> bool:
            got = accounted(worker.stats())
            if time.monotonic() - last[0] > 10:
                last[0] = time.monotonic()
                say(f"rss: {got:,}/{len(records):,} accounted, RSS {worker.rss_mb()[0]:.0f} MiB")
            return got >= len(venues) + n
        wait_until(done, [worker], 1800, "every live-session record")
        elapsed = time.perf_counter() - t0
        producing.join()
        time.sleep(1.0)
        page = worker.page() or {}
        rss, peak = worker.rss_mb()
    return {"users": users, "open_sessions": page.get("open_sessions"), "rss_mb": round(rss, 1),
            "peak_mb": round(peak, 1), "idle_mb": round(idle, 1), "events": n, "offered_eps": rate,
            "seconds": round(elapsed, 1)}


# --- one vs two workers -----------------------------------------------------------------------------

def group_rate(settings: Settings, records: Sequence[Record], n_workers: int, partitions: int) -> tuple[float, float]:
    """Events/s of ``n_workers`` in one group, and the CPU cores the workers used meanwhile.

    Measured from the moment the benchmark has produced every record to the last one
    accounted for: the producer (a Python process on the same cores) is not running then,
    so the workers share the machine with the broker only."""
    with Deployment(settings, partitions, f"w{n_workers}") as dep:
        workers = [dep.worker(f"worker{i}") for i in range(n_workers)]
        try:
            for w in workers:
                w.start()
            expected = partitions * (len(GROUP_TOPICS) - 1) + 1  # inputs, re-keyed, control; venues (1 partition)

            def stable() -> bool:
                pages = [w.page() for w in workers]
                return all(p and p.get("assigned") for p in pages) and sum(p["assigned"] for p in pages) == expected
            wait_until(stable, workers, 180, f"{n_workers} worker(s) to share the {expected} input partitions")
            time.sleep(2.0)
            wait_until(stable, workers, 60, "a stable group")
            say(f"scale: {n_workers} worker(s) assigned; producing {len(records):,} records")
            dep.produce(records)
            start_t, start_n = time.perf_counter(), sum(accounted(w.stats()) for w in workers)
            start_cpu = sum(w.cpu_s() for w in workers)
            if start_n >= len(records) * 0.75:
                raise RuntimeError(f"the workers had read {start_n:,} of {len(records):,} records while they were "
                                   "produced: too few left to measure, use more --scale-events")
            last = [0.0]

            def done() -> bool:
                got = sum(accounted(w.stats()) for w in workers)
                now = time.perf_counter()
                if now - last[0] > 10:
                    last[0] = now
                    say(f"scale: {n_workers} worker(s) {got:,}/{len(records):,}")
                return got >= len(records) and (now, got, sum(w.cpu_s() for w in workers))
            end, total, end_cpu = wait_until(done, workers, 1800, "all records")
            return (total - start_n) / max(1e-9, end - start_t), (end_cpu - start_cpu) / max(1e-9, end - start_t)
        finally:
            for w in workers:
                w.stop()


def scale(settings: Settings, records: Sequence[Record], partitions: int = 4) -> dict:
    """One worker vs two; with the CPU cores the workers used (their events per CPU second
    show whether a shortfall is the workers' or the machine's: on 2 cores shared with the
    broker two workers cannot each have a whole core)."""
    one, one_cpu = group_rate(settings, records, 1, partitions)
    say(f"scale: one worker {one:,.0f} ev/s on {one_cpu:.2f} cores")
    two, two_cpu = group_rate(settings, records, 2, partitions)
    say(f"scale: two workers {two:,.0f} ev/s ({two / one:.2f} x) on {two_cpu:.2f} cores")
    return {"one_eps": round(one), "two_eps": round(two), "ratio": round(two / one, 2),
            "one_cpu_cores": round(one_cpu, 2), "two_cpu_cores": round(two_cpu, 2),
            "one_eps_per_core": round(one / one_cpu), "two_eps_per_core": round(two / two_cpu)}


__all__ = ["Deployment", "SinkProc", "latency", "live_session_records", "live_sessions", "percentile", "scale",
           "summarize_ms"]
