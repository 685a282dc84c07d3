"""One model across workers: the learner, the model's versions on ``mm.model``, every worker following.

Every worker's core hands its learning examples to ``SharedLearning`` (``pipeline.learning``);
they go to ``mm.learn`` (one partition) with the batch's other results, before its offsets are
committed. One worker is the learner: the member of the consumer group ``<app id>.learner`` that
holds ``mm.learn``'s partition. It learns the examples in the topic's order and, at most every
``MOMENTS_MODEL_PUBLISH_INTERVAL_S``, publishes a new version on ``mm.model`` (one partition):

* a **delta** (key ``delta``): the rows the version's examples changed, its sequence number
  ``seq`` and the ``base`` it follows, the learner's ``epoch``, the ``mm.learn`` offset it has
  learned up to and, per input partition, the highest input offset learned (``hw``: a record
  read again after a worker's crash is learned once);
* a **snapshot** (key ``snapshot``, in chunks of 512 KiB, headers ``mm-seq``, ``mm-epoch``,
  ``mm-chunk: i/n``): the whole model, every ``MOMENTS_MODEL_SNAPSHOT_INTERVAL_S`` and when a
  learner takes over (a new epoch).

Every worker follows ``mm.model`` (``ModelFollower``): at start it reads the latest complete
snapshot and the deltas after it, and decides nothing before; then it collects the versions that
come and applies them when the worker switches versions, at a commit (``pipeline.version_pin``),
or goes back to an older version that the commits name. A version is ``(epoch, seq)``.
``ModelLog`` is the rule all readers share: a snapshot of a newer epoch (or another version)
replaces the model, a delta applies when its base is the version held, anything else (a stale
learner that has not noticed it was replaced) is ignored.

A learner that takes over reads ``mm.model`` the same way, continues from the recorded
``mm.learn`` offset with the next epoch, and starts that epoch with a snapshot: no example is lost
or learned twice across the handover.
"""

from __future__ import annotations

import asyncio
import logging
import time
import zlib
from collections import deque
from collections.abc import Callable
from typing import Any

import orjson
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.errors import KafkaError

from config import Settings
from config.kafka import kafka_options
from pipeline.learning import Models, apply_delta, from_snapshot, snapshot
from schemas.topics import MODEL_TOPIC

log = logging.getLogger("micromoments.model")

SNAPSHOT_KEY = b"snapshot"
DELTA_KEY = b"delta"
CHUNK_BYTES = 512 * 1024
#: a delta larger than this (compressed) is published as a snapshot instead
MAX_DELTA_BYTES = 768 * 1024
FETCH_BYTES = 4 * 1024 * 1024
#: records of mm.model a follower holds unapplied at most; it reads on once they are applied
MAX_PENDING = 2_000

Version = tuple[int, int]  # (epoch, seq): one model, whoever reads the log up to it


def p99(values) -> float | None:
    """The 99th percentile (nearest rank below) of recent durations, None before the first."""
    ordered = sorted(values)
    return round(ordered[int(0.99 * (len(ordered) - 1))], 1) if ordered else None


def encode_delta(meta: dict[str, Any], models_delta: dict[str, Any]) -> bytes:
    return zlib.compress(orjson.dumps({**meta, "models": models_delta}), 1)


def encode_snapshot(meta: dict[str, Any], models: Models) -> list[tuple[bytes, bytes, list]]:
    """The records of one snapshot: (key, value, headers)."""
    blob = zlib.compress(orjson.dumps({**meta, "models": snapshot(models)}), 1)
    parts = [blob[i:i + CHUNK_BYTES] for i in range(0, len(blob), CHUNK_BYTES)] or [b""]
    head = [("mm-seq", str(meta["seq"]).encode()), ("mm-epoch", str(meta["epoch"]).encode()),
            ("mm-version", str(meta.get("version", "")).encode())]
    return [(SNAPSHOT_KEY, part, [*head, ("mm-chunk", f"{i}/{len(parts)}".encode())]) for i, part in enumerate(parts)]


def _headers(headers) -> dict[str, str]:
    return {k: v.decode() for k, v in (headers or [])}


class ModelLog:
    """The versions read from ``mm.model`` so far and the model they give (no I/O: ``offer``
    each record in the topic's order).

    >>> from pipeline.learning import Changes, delta
    >>> learner, changes = Models.fresh(), Changes()
    >>> first = encode_snapshot({"seq": 0, "epoch": 0, "ts_ms": 0}, learner)
    >>> learner.learn(("topic", ["drill"], "tools")); changes.note(("topic", ["drill"], "tools"))
    >>> second = encode_delta({"seq": 1, "base": 0, "epoch": 0, "ts_ms": 0}, delta(learner, changes))
    >>> reader = ModelLog()
    >>> [reader.offer(*r) for r in first], reader.offer(DELTA_KEY, second, []), reader.seq
    (['snapshot'], 'delta', 1)
    >>> reader.offer(DELTA_KEY, second, []) is None, reader.ignored   # its base is gone: ignored
    (True, 1)
    """

    def __init__(self) -> None:
        self.models: Models | None = None
        self.meta: dict[str, Any] = {}
        self.ignored = 0
        self._chunks: dict[tuple[int, int], list[bytes | None]] = {}

    @property
    def seq(self) -> int:
        return self.meta.get("seq", -1)

    @property
    def epoch(self) -> int:
        return self.meta.get("epoch", -1)

    @property
    def version(self) -> Version:
        return (self.epoch, self.seq)

    def offer(self, key: bytes | None, value: bytes | None, headers) -> str | None:
        """Read one record; returns ``"snapshot"`` or ``"delta"`` if the model changed."""
        if key == SNAPSHOT_KEY:
            return self._snapshot_chunk(value or b"", _headers(headers))
        if key == DELTA_KEY and self.models is not None and value:
            data = orjson.loads(zlib.decompress(value))
            if data["base"] != self.seq or data["epoch"] < self.epoch:
                self.ignored += 1
                return None
            apply_delta(self.models, data.pop("models"))
            self.meta = data
            return "delta"
        return None

    def _snapshot_chunk(self, value: bytes, h: dict[str, str]) -> str | None:
        seq, epoch = int(h["mm-seq"]), int(h["mm-epoch"])
        i, n = (int(v) for v in h["mm-chunk"].split("/"))
        if self.models is not None and (epoch < self.epoch or (epoch == self.epoch and seq <= self.seq)):
            return None  # the version held (a periodic snapshot), or a stale learner's
        parts = self._chunks.setdefault((seq, epoch), [None] * n)
        parts[i] = value
        if any(p is None for p in parts):
            return None
        del self._chunks[(seq, epoch)]
        data = orjson.loads(zlib.decompress(b"".join(parts)))
        self.models = from_snapshot(data.pop("models"))
        self.meta = data
        self._chunks.clear()
        return "snapshot"


async def only_partition(consumer: AIOKafkaConsumer, topic: str) -> TopicPartition:
    while not consumer.partitions_for_topic(topic):
        await consumer._client.force_metadata_update()  # a topic created after the consumer started
        if not consumer.partitions_for_topic(topic):
            await asyncio.sleep(0.5)
    return TopicPartition(topic, 0)


async def _read(consumer: AIOKafkaConsumer, tp: TopicPartition, end: int, handle: Callable) -> None:
    while await consumer.position(tp) < end:
        for rec in (await consumer.getmany(tp, timeout_ms=1000)).get(tp, []):
            if rec.offset < end:
                handle(rec)


async def read_latest(consumer: AIOKafkaConsumer, tp: TopicPartition, reader: ModelLog,
                      usable: Callable[[dict[str, str]], bool] = lambda headers: True,
                      until: Callable[[ModelLog], bool] = lambda reader: False) -> int:
    """Feed ``reader`` the latest complete snapshot (of those whose headers are ``usable``) and
    every record after it up to the end offset seen now, or until ``until(reader)``; the snapshot
    is found by looking back in growing windows. Returns that end offset."""
    begin = (await consumer.beginning_offsets([tp]))[tp]
    end = (await consumer.end_offsets([tp]))[tp]
    window, found = 64, None
    while end > begin and found is None:
        start = max(begin, end - window)
        consumer.seek(tp, start)
        seen: dict[tuple[str, str], list[int]] = {}  # (seq, epoch) -> [offset of chunk 0, chunks, count]

        def look(rec, seen=seen) -> None:
            nonlocal found
            if rec.key != SNAPSHOT_KEY:
                return
            h = _headers(rec.headers)
            i, n = (int(v) for v in h["mm-chunk"].split("/"))
            if not usable(h):
                return
            entry = seen.setdefault((h["mm-seq"], h["mm-epoch"]), [rec.offset, n, 0])
            if i == 0:
                entry[0], entry[2] = rec.offset, 0
            entry[2] += 1
            if entry[2] == n:
                found = entry[0]

        await _read(consumer, tp, end, look)
        if start == begin:
            break
        window *= 4
    if found is not None:
        consumer.seek(tp, found)
        while not until(reader) and await consumer.position(tp) < end:
            for rec in (await consumer.getmany(tp, timeout_ms=1000, max_records=1)).get(tp, []):
                reader.offer(rec.key, rec.value, rec.headers)
    else:
        consumer.seek(tp, end)
    return end


def model_consumer(settings: Settings, **extra) -> AIOKafkaConsumer:
    return AIOKafkaConsumer(**kafka_options(settings), enable_auto_commit=False, auto_offset_reset="earliest",
                            fetch_max_bytes=FETCH_BYTES, max_partition_fetch_bytes=FETCH_BYTES, **extra)


async def read_version(settings: Settings, usable: Callable[[dict[str, str]], bool],
                       reached: Callable[[ModelLog], bool]) -> tuple[ModelLog, int]:
    """One version from mm.model (see ``read_latest``) with a consumer of its own; returns the
    reader and the offset after the last record it read."""
    consumer = model_consumer(settings)
    try:
        await asyncio.wait_for(consumer.start(), timeout=30)
        tp = await asyncio.wait_for(only_partition(consumer, settings.topic(MODEL_TOPIC)), timeout=30)
        consumer.assign([tp])
        reader = ModelLog()
        await read_latest(consumer, tp, reader, usable, reached)
        return reader, await consumer.position(tp)
    finally:
        await consumer.stop()


def up_to(target: Version) -> tuple[Callable[[dict[str, str]], bool], Callable[[ModelLog], bool]]:
    """``usable`` and ``reached`` for ``read_version`` of the version ``target``."""
    def usable(h: dict[str, str]) -> bool:
        return (int(h["mm-epoch"]), int(h["mm-seq"])) <= target

    def reached(reader: ModelLog) -> bool:
        return reader.models is not None and reader.version >= target
    return usable, reached


class ModelFollower:
    """A worker's copy of the shared model. ``on_models`` gets the model to decide with (at start,
    after a snapshot, after ``rewind``); ``advance`` applies the versions read since the last
    call (deltas change that same model in place). The worker calls both between two batches,
    at the commits that name the version (``pipeline.version_pin``)."""

    def __init__(self, settings: Settings, on_models: Callable[[Models], None]) -> None:
        self.settings = settings
        self.on_models = on_models
        self.log = ModelLog()
        self.ready = asyncio.Event()
        self.applied = 0
        self.rewinds = 0
        self.next_offset: int | None = None  # of mm.model, once the latest model was read
        self.pending: list = []  # records of mm.model read, not applied yet
        self._seek_to: int | None = None  # set by ``rewind``: where following goes on
        #: milliseconds from the learner's publishing of a version to its use here (recent ones)
        self.delays_ms: deque[float] = deque(maxlen=1000)

    @property
    def version(self) -> Version:
        return self.log.version

    def status(self) -> dict[str, Any]:
        meta = self.log.meta
        return {"seq": self.log.seq, "epoch": self.log.epoch, "published_ms": meta.get("ts_ms"),
                "versions_applied": self.applied, "versions_ignored": self.log.ignored,
                "versions_waiting": len(self.pending), "rewinds": self.rewinds,
                "delay_ms_p99": p99(self.delays_ms)}

    def _apply(self, rec) -> bool:
        kind = self.log.offer(rec.key, rec.value, rec.headers)
        if kind is None:
            return False
        if kind == "snapshot" or not self.ready.is_set():
            self.on_models(self.log.models)
            self.ready.set()
        self.applied += 1
        self.delays_ms.append(max(0.0, time.time() * 1000.0 - self.log.meta.get("ts_ms", 0)))
        return True

    def advance(self) -> bool:
        """Apply the versions read since the last call; whether the model changed."""
        records, self.pending = self.pending, []
        changed = False
        for rec in records:
            changed = self._apply(rec) or changed
        return changed

    async def rewind(self, target: Version) -> bool:
        """Decide with the version ``target`` (older or newer than the one held), read from
        mm.model's latest snapshot at or before it; following goes on after it. False (the
        model unchanged) if the topic does not hold it (any more)."""
        reader, after = await read_version(self.settings, *up_to(target))
        if reader.version != target:
            return False
        self.log, self.pending, self._seek_to = reader, [], after
        self.on_models(reader.models)
        self.rewinds += 1
        log.info("shared model: back to version %s (seq %d, epoch %d)", reader.meta.get("version"), *target[::-1])
        return True

    async def run(self) -> None:
        """Follow mm.model for as long as the worker runs; a broker that goes away is waited for."""
        while True:
            try:
                await self._follow()
            except (TimeoutError, KafkaError, OSError) as exc:
                log.warning("shared model: reading mm.model failed (%r); trying again in 1 s", exc)
                await asyncio.sleep(1.0)

    async def _follow(self) -> None:
        consumer = model_consumer(self.settings)
        await consumer.start()
        try:
            tp = await only_partition(consumer, self.settings.topic(MODEL_TOPIC))
            consumer.assign([tp])
            if self.next_offset is None:
                await read_latest(consumer, tp, self.log)
                if self.log.models is not None:
                    self.on_models(self.log.models)
                    self.ready.set()
                    log.info("shared model: version %s (seq %d, epoch %d)", self.log.meta.get("version"),
                             self.log.seq, self.log.epoch)
                else:
                    log.info("shared model: none on %s yet; waiting for the learner's first snapshot", tp.topic)
                self.next_offset = await consumer.position(tp)
            else:  # after a reconnect: where it stopped (or where a rewind left it)
                if self._seek_to is not None:
                    self.next_offset, self._seek_to = self._seek_to, None
                consumer.seek(tp, self.next_offset)
            while True:
                while len(self.pending) >= MAX_PENDING and self._seek_to is None:
                    await asyncio.sleep(0.5)  # held long (a takeover's backlog): read on once applied
                records = (await consumer.getmany(tp, timeout_ms=500)).get(tp, [])
                if self._seek_to is not None:  # rewound meanwhile: what was fetched is of the old line
                    self.next_offset, self._seek_to = self._seek_to, None
                    consumer.seek(tp, self.next_offset)
                    continue
                for rec in records:
                    if self.ready.is_set():
                        self.pending.append(rec)
                    else:  # the first model there is: decided with at once
                        self._apply(rec)
                    self.next_offset = rec.offset + 1
        finally:
            await consumer.stop()
