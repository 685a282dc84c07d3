"""The Faust app: topics, the users table, the agents. Read it top to bottom.

The agent is thin: it hands batches of records to ``StreamEngine`` (which
calls the same ``Core`` as ``micromoments replay``), sends what it returns,
and every 0.5 s waits for those results' delivery, writes the users' states and
only then commits the input offsets (``pipeline/commit.py``) — so a crash
re-reads anything whose results were not yet on the broker (at-least-once; moment ids are deterministic, and the per-user duplicate
memory in the table skips records whose effects were already written).

The records come in whole fetches from ``BatchApp``'s consumer
(``pipeline/batch_consumer.py``), not one by one through Faust's stream.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import os
import socket
import time
from collections.abc import Iterator, MutableMapping

import faust
from faust.types import TP

from config import get_settings
from detectors import checkpoint
from pipeline.batch_consumer import BatchApp, CachedPartitioner
from pipeline.batch_producer import prefixed, send_records
from pipeline.commit import Committer
from pipeline.detector_factory import build_core
from pipeline.engine import GC_THRESHOLDS, BatchResult, InRecord, StreamEngine
from pipeline.metrics import WorkerMetrics
from pipeline.topics import DLQ_MAX_BYTES
from pipeline.venue_follower import VenueFollower
from schemas.topics import CONTROL_TOPIC, EVENT_TOPICS, REKEYED_TOPIC, VENUES_TOPIC

settings = get_settings()
PREFIX = settings.topic_prefix
#: the producer's partitioner (the default's partitions, cheaper), also used by ``send_records``
PARTITIONER = CachedPartitioner()
log = logging.getLogger("micromoments.worker")
gc.set_threshold(*GC_THRESHOLDS)  # fewer young-generation collections

app = BatchApp(
    settings.app_id,
    broker=";".join(f"kafka://{h.strip()}" for h in settings.kafka_bootstrap.split(",")),
    key_serializer="raw",
    value_serializer="raw",
    store="memory://",  # tables live in memory and are rebuilt from their changelog topics
    datadir=str(settings.data_dir / "faust"),
    topic_partitions=settings.partitions,
    topic_replication_factor=settings.replication_factor,
    producer_linger=0.0,  # results are sent in bursts of a batch: they share requests without lingering
    producer_max_batch_size=256 * 1024,  # per partition and request (default 16 KiB)
    producer_partitioner=PARTITIONER,
    producer_max_request_size=DLQ_MAX_BYTES + 64 * 1024,  # the largest DLQ record fits a request
    broker_session_timeout=10,  # pitfall 8: fast group joins
    broker_heartbeat_interval=1,
    broker_rebalance_timeout=20,
    consumer_auto_offset_reset="earliest",
    stream_wait_empty=False,  # offsets are committed by position, not by Faust acks
    broker_max_poll_records=settings.batch_size,  # records per fetch handed over (and held in _inbox)
    web_port=settings.web_port,
    web_host=settings.web_host,
    web_bind=settings.web_host,
)

# --- topics and tables --------------------------------------------------------------------------

#: the topics this app reads in its consumer group (their partitions are divided among workers);
#: the venues' partitions too, so that bad venue records reach the DLQ once
_GROUP_TOPICS = frozenset((*EVENT_TOPICS, REKEYED_TOPIC, CONTROL_TOPIC, VENUES_TOPIC))
inputs = app.topic(*(PREFIX + t for t in sorted(_GROUP_TOPICS)), key_type=bytes, value_type=bytes)
#: whole fetches of the input topics: (consumer generation, aiokafka records); a few fetches at
#: most, so a slow batch holds the consumer back (its fetcher waits in ``put``)
_inbox: asyncio.Queue = asyncio.Queue(maxsize=4)
app.batch_topics = frozenset(inputs.topics)
app.batch_handler = lambda generation, records: _inbox.put((generation, records))

#: user id -> serialized UserState (sessions, consent, duplicate memory); changelog-backed.
#: use_partitioner: the changelog partition follows the key, which is the input partition
#: for records keyed by user id (FAUST-NOTES pitfall 6).
#: key_type/value_type=bytes make the store and the changelog raw (recovery decodes nothing).
users = app.Table(
    "users", default=None, partitions=settings.partitions, use_partitioner=True,
    key_type=bytes, value_type=bytes,
    schema=faust.Schema(key_type=bytes, value_type=bytes, key_serializer="raw", value_serializer="raw"),
)


class _UserStore(MutableMapping):
    """The engine's str-keyed store over the bytes-keyed Faust table. Writes wait in ``pending``
    until ``save()``, which the commit calls once the results of the batches so far are delivered:
    a state written first (its changelog goes out as soon as it is set) marks the batch's records
    as duplicates, so after a crash before the results were sent, they were never sent (seen with
    kill -9: moments and analytics rows lost, tests/test_faults.py). Between two commits a user's
    writes coalesce to one.

    The table is written around Faust's ``Table.__setitem__``: that path queues each changelog
    record in Faust's ``send_soon`` buffer, drained one message at a time, and stops the consumer
    while it holds more than ~100 (FAUST-NOTES pitfall 5; "producer buffer full"). ``save`` sets
    the in-memory store and returns the changelog records, which the commit sends with the
    producer like any other output (same topic, key and partitioner as Faust's changelog)."""

    def __init__(self) -> None:
        self.pending: dict[str, bytes | None] = {}  # None: deleted

    def __getitem__(self, user_id: str) -> bytes:
        value = self.pending[user_id] if user_id in self.pending else users.data.get(user_id.encode("utf-8"))
        if value is None:
            raise KeyError(user_id)
        return value

    def __setitem__(self, user_id: str, value: bytes) -> None:
        self.pending[user_id] = value

    def __delitem__(self, user_id: str) -> None:
        if user_id not in self:
            raise KeyError(user_id)
        self.pending[user_id] = None

    def __iter__(self) -> Iterator[str]:
        keys = {k.decode("utf-8") for k in users.data} | self.pending.keys()
        return (k for k in keys if self.pending.get(k, b"") is not None)

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def save(self) -> list[tuple[bytes, bytes | None]]:
        """Apply the pending writes to the table's store; returns their changelog records."""
        data = users.data
        out = []
        for user_id, value in self.pending.items():
            key = user_id.encode("utf-8")
            if value is None:
                data.pop(key, None)
            else:
                data[key] = value
            out.append((key, value))
        self.pending.clear()
        return out


MODEL_DIR = settings.data_dir / "model"
store = _UserStore()
engine = StreamEngine(build_core(settings, state_dir=MODEL_DIR), store,
                      max_wait_ms=settings.merge_wait_ms,
                      gap_wait_ms=settings.offset_gap_wait_ms, start=lambda source: _start_offset(source),
                      max_per_tick=settings.batch_size)
venues = VenueFollower(settings.kafka_bootstrap, PREFIX + VENUES_TOPIC, engine.core.apply_venue)
metrics = WorkerMetrics(engine)
_lock = asyncio.Lock()  # one batch at a time: agents and the timer share the engine
_assignment: frozenset = frozenset()


_log_start: dict = {}  # TP -> earliest offset of each assigned partition (read at assignment)


def _start_offset(source: tuple[str, int]) -> int | None:
    """The committed offset a partition is read from (known once Faust has sought to it)."""
    try:
        return app.consumer._committed_offset.get(TP(PREFIX + source[0], source[1]))
    except Exception:  # the consumer is not started yet
        return None


def _caught_up(source: tuple[str, int]) -> bool:
    """Nothing more to read on this partition right now (its end offset is reached)."""
    if source[0] == VENUES_TOPIC:  # every venue must be known before events are decided
        return venues.caught_up()
    tp = TP(PREFIX + source[0], source[1])
    try:
        end = app.consumer.highwater(tp)
    except Exception:  # not assigned (any more): nothing will come from it here
        return True
    if end is None:
        return False
    if end <= _log_start.get(tp, -1):  # empty: nothing was ever there to read
        return True
    position = engine.position(source)
    if position is None:
        position = _start_offset(source)
    return position is not None and position >= end


async def _sync_assignment() -> None:
    global _assignment
    current = frozenset(app.consumer.assignment())
    if current != _assignment:
        _assignment = current
        n = len(PREFIX)
        engine.merge.assign((tp.topic[n:], tp.partition) for tp in current if tp.topic.startswith(PREFIX))
        # without them an empty partition (nothing read, nothing committed, e.g. the re-keyed
        # topic) never counts as caught up, and the merge would wait ``merge_wait_ms``
        try:
            _log_start.update(await app.consumer.earliest_offsets(*current))
        except Exception as exc:  # noqa: BLE001 - retried at the next assignment check
            _assignment = frozenset()
            log.warning("could not read the log start offsets: %r", exc)


#: partitions this worker stopped fetching because the merge holds too many of their records;
#: Faust pauses and resumes every partition around a rebalance itself
_paused: set = set()
app.paused_by_app = _paused
PAUSE_ABOVE, RESUME_BELOW = settings.batch_size // 2, settings.batch_size // 8


def _flow_control() -> None:
    """Stop fetching a partition that is far ahead of the others in event time: the merge
    holds its (decoded) records until the others catch up, and with a backlog at the broker
    that grew without bound (~500 MiB in the first seconds of 300k records)."""
    held = engine.held()
    n = len(PREFIX)
    pause = {TP(PREFIX + t, p) for (t, p), count in held.items() if count > PAUSE_ABOVE} - _paused
    resume = {tp for tp in _paused if held.get((tp.topic[n:], tp.partition), 0) < RESUME_BELOW}
    if pause:
        app.consumer.pause_partitions(pause)
        _paused.update(pause)
    if resume:
        app.consumer.resume_partitions(resume)
        _paused.difference_update(resume)


@app.on_partitions_revoked.connect
async def _forget_held_events(app, revoked, **kwargs) -> None:
    """Commit what is done, then drop what the merge holds: the partitions' next owner
    (maybe this worker again) reads those records from the committed offsets."""
    global _assignment
    async with _lock:
        await _commit()  # what is done stays done for the next owner
        engine.forget_held()
        committer.forget()
        _paused.clear()
        _assignment = frozenset()


def _current(generation: int, records: list) -> list[InRecord]:
    """Records of the current consumer generation, as ``InRecord``. A fetch made before a
    rebalance carries records of the old assignment: their partitions are read again from
    the committed offsets, so processing the stale copies too would skip ahead."""
    if generation != app.consumer_generation_id:
        engine.stats["stale_generation"] += len(records)
        return []
    n = len(PREFIX)
    now_ms = time.time() * 1000.0
    return [InRecord(r.topic[n:], r.partition, r.offset, r.key, r.value,
                     float(r.timestamp) if r.timestamp is not None else now_ms,
                     dict(r.headers) if r.headers else {}) for r in records]


async def _deliver(result: BatchResult) -> None:
    """Send a batch's results (the producer sends them as one burst); a commit waits for their
    delivery, then writes the users' states, then commits the input offsets (``committer``)."""
    if _stopping:  # after the last commit: dropped, not committed, read again after a restart
        return
    with committer.sending() as futures:  # aiokafka's producer, not Faust's wrapper of it
        await send_records(app.producer._ensure_producer(), PARTITIONER, prefixed(PREFIX, result.sends), futures)
    _flow_control()
    metrics.observe_latencies(engine.latencies_ms)
    for (topic, partition), offset in result.seeks:
        log.warning("offsets from %s of %s[%d] were not delivered: reading them again", offset, topic, partition)
        await app.consumer.seek(TP(PREFIX + topic, partition), offset)
        engine.stats["reread_requests"] += 1
    _commit_soon()
    _checkpoint()


async def _send_states(states, futures) -> None:
    """The users' states to the table's changelog, as Faust would send them (same partitioner)."""
    changelog = users.changelog_topic.get_topic_name()
    await send_records(app.producer._ensure_producer(), PARTITIONER,
                       ((changelog, key, value, None) for key, value in states), futures)


async def _commit_offsets(positions) -> bool:
    # Faust's own ack-based commits are not used: records re-delivered after a seek were
    # acknowledged twice and stalled them
    return await app.consumer._commit({TP(PREFIX + t, p): off for (t, p), off in positions.items()})


def _undelivered(exc: Exception) -> None:
    """A result or state the broker did not take: stop (non-zero exit) without committing."""
    engine.stats["undelivered"] += 1
    asyncio.ensure_future(app.crash(exc))


#: the commit protocol (pipeline/commit.py): results delivered -> states written -> offsets;
#: a delivery failure stops the worker without committing (a restart reads the inputs again)
committer = Committer(engine.commit_positions, store.save, _send_states, _commit_offsets,
                      timeout_s=settings.delivery_timeout_s, on_failure=_undelivered)
_last_commit = 0.0


def _commit_soon() -> None:
    """Every 0.5 s a commit in the background; batches go on meanwhile. Called at the end of
    ``_deliver``, a batch boundary, where the commit's snapshot is taken."""
    global _last_commit
    if time.monotonic() - _last_commit < 0.5 or committer.running:
        return
    _last_commit = time.monotonic()
    committer.start()


async def _commit() -> None:
    """Commit everything finished (the caller holds ``_lock``): after the background commit in
    flight; nothing once the shutdown's commit was the last or a delivery failed."""
    if _stopping:
        return
    await committer.commit_now()


_last_checkpoint = time.monotonic()


def _checkpoint(force: bool = False) -> None:
    """Save the online model every ``checkpoint_interval_s`` and at shutdown (JSON, atomic)."""
    global _last_checkpoint
    detector = engine.core.detector
    if getattr(detector, "kind", "naive-bayes") == "naive-bayes":
        return  # rules learn nothing; naive Bayes is only compared in evaluate
    if force or time.monotonic() - _last_checkpoint >= settings.checkpoint_interval_s:
        checkpoint.save(detector, MODEL_DIR)
        _last_checkpoint = time.monotonic()


_stopping = False  # set once the worker shuts down: no batch starts after the last commit


@app.on_before_shutdown.connect
async def _on_shutdown(app, **kwargs) -> None:
    """Faust has stopped fetching; the producer is flushed and closed after this. So the model
    checkpoint and the last commit happen here — a commit after the producer closed fails, and
    what was done since the previous one would be read again after a restart."""
    global _stopping
    async with _lock:  # after the batch in flight
        _checkpoint(force=True)
        await _commit()  # waits for a background commit in flight, then commits the rest
        _stopping = True


# --- agents -------------------------------------------------------------------------------------

@app.agent(inputs)
async def process_events(stream):
    """Clicks, searches, positions, feedback, re-keyed records, erase requests and venues
    (bad ones to the DLQ; the follower keeps the venues) -> moments, rows, states."""
    # Iterating a stream subscribes its topics; that is all the stream is used for: their
    # records arrive as whole fetches in _inbox, and the stream never receives any.
    aiter(stream.channel)
    size = settings.batch_size
    gc.freeze()  # what start-up allocated (Faust, the model) is never collected: skip it in collections
    try:
        while not _stopping:
            generation, records = await _inbox.get()
            for i in range(0, len(records), size):
                if _stopping:  # after the last commit nothing is sent: no work either
                    break
                async with _lock:
                    await _sync_assignment()
                    await _deliver(engine.ingest(_current(generation, records[i:i + size]), _caught_up,
                                                 time.time() * 1000.0))
                await asyncio.sleep(0)  # the web page and the timers between two batches
            while engine.backlog() and not _stopping:  # released by the merge, a batch per tick
                async with _lock:
                    await _deliver(engine.tick(_caught_up, time.time() * 1000.0))
                await asyncio.sleep(0)
    finally:
        async with _lock:  # at a batch boundary, as every commit
            await _commit()  # a no-op once _on_shutdown made the last one


@app.task
async def follow_venues():
    await venues.run()


@app.timer(0.05)
async def release_waiting():
    """Events held by the merge for a lagging partition are released here once it catches up."""
    if engine.waiting() == 0 or _lock.locked() or _stopping:  # a running batch releases them anyway
        return
    async with _lock:
        await _sync_assignment()
        await _deliver(engine.tick(_caught_up, time.time() * 1000.0))


#: work units of one expiry slice (a state loaded and closed costs 50: about 20 sessions)
EXPIRY_SLICE = 1_000
#: seconds between expiry rounds: small rounds, so that neither a round nor the commit after
#: it (the closed sessions' states go to the changelog) holds the records arriving meanwhile
EXPIRY_INTERVAL_S = 2.0


@app.timer(EXPIRY_INTERVAL_S)
async def expire_sessions():
    """Close idle sessions (event time) and hand them to the sink's sessions table: in slices
    of a few milliseconds, each followed by a pause as long as the slice took (its wait for the
    lock included). A round every
    10 s closed about a thousand sessions at 1k ev/s; back to back its slices kept the loop
    (and, through the GIL, the consumer thread) busy for ~150 ms, and the records that arrived
    meanwhile made the latency's p99 (docs/PERFORMANCE.md, attempt 14)."""
    while not _stopping:
        started = time.perf_counter()
        async with _lock:
            await _deliver(engine.expire_sessions(budget=EXPIRY_SLICE))
        if not engine.expiring():
            break
        await asyncio.sleep(time.perf_counter() - started)


WORKER_ID = f"{socket.gethostname()}:{os.getpid()}"


@app.timer(10.0)
async def publish_model_metrics():
    """The online model's prequential quality, for the analysts' model_metrics table."""
    row = engine.metrics_row(WORKER_ID, time.time() * 1000.0)
    if row is not None:
        # under the lock: _deliver commits offsets, which must not overtake a batch whose
        # results are still being sent
        async with _lock:
            await _deliver(BatchResult(sends=[row]))


@app.page("/metrics")
async def prometheus_metrics(web, request):
    """Prometheus text format: events in, DLQ by reason, duplicates, moments, latency, model."""
    return web.bytes(metrics.render(), content_type="text/plain; version=0.0.4")


@app.page("/health")
async def health(web, request):
    """200 while the broker answers a metadata request within 3 s, else 503."""
    try:
        client = app.producer._ensure_producer().client
        await asyncio.wait_for(client.fetch_all_metadata(), timeout=3.0)
    except Exception as exc:  # noqa: BLE001 - any failure means "cannot reach the broker"
        return web.json({"status": "unhealthy", "reason": f"broker unreachable: {exc!r}"}, status=503)
    return web.json({"status": "ok", "model": str(engine.core.detector.version)})


@app.page("/stats/")
async def stats(web, request):
    """Counters since start: inputs per topic, processed, duplicates, DLQ per reason, moments."""
    detector = engine.core.detector
    model = {"name": detector.name, "version": str(detector.version)}
    if hasattr(detector, "metrics"):
        model["quality"] = detector.metrics.snapshot()
    stats = {**engine.stats, "duplicate_deliveries": engine.sequencer.duplicates,
             "offset_gaps_skipped": engine.sequencer.gaps_skipped, "merge_forced": engine.merge.forced}
    n = len(PREFIX)
    try:
        assigned = sum(1 for tp in app.consumer.assignment()
                       if tp.topic.startswith(PREFIX) and tp.topic[n:] in _GROUP_TOPICS)
    except Exception:  # noqa: BLE001 - the consumer is not started yet
        assigned = 0
    body = {"stats": stats, "held": engine.waiting(), "open_sessions": len(engine.open_users),
            "assigned": assigned, "model": model}
    return web.json(body)
