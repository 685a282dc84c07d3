"""The one learner of the shared model (``pipeline.model_log`` has the protocol).

Every worker runs a ``SharedLearner``; the one whose member of the group ``<app id>.learner``
holds ``mm.learn``'s single partition learns, the others wait. When the partition moves (the
learner stopped or died), the new holder

1. reads ``mm.model``: the latest snapshot and the deltas after it (the model, the ``mm.learn``
   offset it has learned up to, the per-input-partition high-water marks, the epoch);
2. takes the next epoch and publishes a snapshot of that model with it (stale learners' later
   deltas are ignored by every reader from then on);
3. reads ``mm.learn`` from the recorded offset, learns each example whose input record lies
   above its partition's high-water mark, and publishes a delta at most every
   ``MOMENTS_MODEL_PUBLISH_INTERVAL_S``, a snapshot every ``MOMENTS_MODEL_SNAPSHOT_INTERVAL_S``.

A version counts as published once the broker has it; until then the learner keeps its changes
and tries again with the next one.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Any

import orjson
from aiokafka import AIOKafkaProducer, ConsumerRebalanceListener
from aiokafka.errors import KafkaError

from config import Settings
from config.kafka import kafka_options
from pipeline.learning import Changes, Models, delta
from pipeline.model_log import (
    DELTA_KEY,
    MAX_DELTA_BYTES,
    ModelLog,
    encode_delta,
    encode_snapshot,
    model_consumer,
    only_partition,
    read_latest,
)
from schemas.topics import LEARN_TOPIC, MODEL_TOPIC

log = logging.getLogger("micromoments.learner")


class _Handover(ConsumerRebalanceListener):
    def __init__(self, learner: SharedLearner) -> None:
        self.learner = learner

    async def on_partitions_revoked(self, revoked) -> None:
        # aiokafka calls this from its coordinator's task, beside the learning loop: it only stops
        # the learning. What was learned since the last version is not published here (a second
        # publisher would race the loop's); the next learner, maybe this one, restores the last
        # published version and learns the rest again from its mm.learn offset.
        self.learner.assigned = False  # also while a takeover is still restoring: it must not start
        if self.learner.active:
            self.learner.active = False
            log.info("learner: mm.learn moved away; following only")

    async def on_partitions_assigned(self, assigned) -> None:
        self.learner.assigned = bool(assigned)
        if assigned:
            self.learner.takeover = True


class SharedLearner:
    """Learns every worker's examples into one model and publishes its versions."""

    def __init__(self, settings: Settings, base: Callable[[], Models]) -> None:
        self.settings = settings
        self.base = base  # the model to start from when mm.model has none (the first learner ever)
        self.active = False
        self.assigned = False  # this member holds mm.learn (the group's latest assignment)
        self.takeover = False
        self.models: Models | None = None
        self.meta: dict[str, Any] = {}
        self.hw: dict[str, int] = {}
        self.changes = Changes()
        self.learned = 0
        self.skipped = 0  # examples of input records learned before (read again after a crash)
        self._producer: AIOKafkaProducer | None = None
        self._last_publish = 0.0
        self._last_snapshot = 0.0

    def status(self) -> dict[str, Any]:
        return {"active": self.active, "learned": self.learned, "skipped": self.skipped,
                "seq": self.meta.get("seq"), "epoch": self.meta.get("epoch")}

    async def run(self) -> None:
        """Take part in the learner group for as long as the worker runs; a broker that goes away
        is waited for (another worker may learn meanwhile: the next assignment restores from mm.model)."""
        while True:
            try:
                await self._run()
            except (TimeoutError, KafkaError, OSError) as exc:
                self.active = False
                log.warning("learner: Kafka failed (%r); joining again in 1 s", exc)
                await asyncio.sleep(1.0)

    async def _run(self) -> None:
        s = self.settings
        self._producer = AIOKafkaProducer(**kafka_options(s), acks="all", linger_ms=0,
                                          max_request_size=2 * 1024 * 1024)
        consumer = model_consumer(s, group_id=f"{s.app_id}.learner", session_timeout_ms=10_000,
                                  heartbeat_interval_ms=1_000, max_poll_records=20)
        await self._producer.start()
        await consumer.start()
        try:
            learn_topic = s.topic(LEARN_TOPIC)
            tp = await only_partition(consumer, learn_topic)
            consumer.subscribe([learn_topic], listener=_Handover(self))
            while True:
                batch = await consumer.getmany(timeout_ms=200)
                if self.takeover:
                    self.takeover = False
                    await self._restore()
                    consumer.seek(tp, self.meta.get("learn_offset", 0))
                    continue  # what was fetched before the seek is read again from there
                if not self.active:
                    continue
                for records in batch.values():
                    for rec in records:
                        if not self.active:  # revoked meanwhile: learned no further, published nothing
                            break
                        self.learn_record(rec.value, rec.offset)
                        await asyncio.sleep(0)  # a worker's batches between two records
                if self.active:
                    await self.maybe_publish()
        finally:
            await consumer.stop()
            await self._producer.stop()

    async def _restore(self) -> None:
        """Steps 1 and 2: the latest model from mm.model, the next epoch, a snapshot."""
        reader = ModelLog()
        consumer = model_consumer(self.settings)
        await consumer.start()
        try:
            tp = await only_partition(consumer, self.settings.topic(MODEL_TOPIC))
            consumer.assign([tp])
            await read_latest(consumer, tp, reader)
        finally:
            await consumer.stop()
        if reader.models is None:
            self.models, self.meta = self.base(), {"seq": 0, "learn_offset": 0, "hw": {}}
        else:
            self.models, self.meta = reader.models, dict(reader.meta)
        self.hw = dict(self.meta.get("hw") or {})
        self.meta["epoch"] = reader.epoch + 1
        self.changes = Changes()
        if not self.assigned:  # revoked while it read mm.model: another member learns
            return
        await self.publish(snapshot=True)
        self.active = self.assigned
        log.info("learner: learning from mm.learn offset %d at version %s (seq %d, epoch %d)",
                 self.meta["learn_offset"], self.meta.get("version"), self.meta["seq"], self.meta["epoch"])

    def learn_record(self, value: bytes | None, offset: int) -> None:
        """Learn one mm.learn record's examples: [topic, partition, offset, kind, ...] each."""
        hw, seen = self.hw, {}
        models, changes = self.models, self.changes
        try:
            examples = orjson.loads(value or b"[]")
        except orjson.JSONDecodeError:
            examples = []
            log.error("learner: mm.learn offset %d is not JSON; skipped", offset)
        for item in examples:
            source = f"{item[0]}/{item[1]}"
            if item[2] <= hw.get(source, -1):
                self.skipped += 1
                continue
            example = item[3:]
            try:
                models.learn(example)
            except (ValueError, KeyError, TypeError, IndexError) as exc:  # never dies of a record
                log.error("learner: example %r of mm.learn offset %d skipped: %s", example[:1], offset, exc)
                continue
            changes.note(example)
            self.learned += 1
            if item[2] > seen.get(source, -1):
                seen[source] = item[2]
        hw.update(seen)
        self.meta["learn_offset"] = offset + 1

    async def maybe_publish(self) -> None:
        now = time.monotonic()
        if self.changes and now - self._last_publish >= self.settings.model_publish_interval_s:
            await self.publish()
        if not self.changes and now - self._last_snapshot >= self.settings.model_snapshot_interval_s:
            await self.publish(snapshot=True)  # of the version every worker holds: none decodes it

    async def publish(self, snapshot: bool = False) -> None:
        """A delta of what was learned since the last version (or the whole model); the version
        is the learner's once the broker has it."""
        if self.models is None or (not snapshot and not self.changes):
            return
        seq = self.meta["seq"] + (1 if self.changes else 0)
        meta = {**self.meta, "seq": seq, "base": self.meta["seq"], "ts_ms": round(time.time() * 1000.0, 1),
                "hw": dict(self.hw), "version": str(self.models.detector.version)}
        records = []
        if not snapshot:
            value = encode_delta(meta, delta(self.models, self.changes))
            if len(value) <= MAX_DELTA_BYTES:
                records = [(DELTA_KEY, value, [])]
        if not records:  # the whole model (~0.13 s for the shipped one): off the event loop, learning waits
            records = await asyncio.to_thread(encode_snapshot, meta, self.models)
        topic = self.settings.topic(MODEL_TOPIC)
        try:
            sent = [await self._producer.send(topic, value, key=key, headers=headers, partition=0)
                    for key, value, headers in records]
            await asyncio.gather(*sent)
        except Exception as exc:  # noqa: BLE001 - the broker away: the changes wait for the next version
            log.warning("learner: version %d not published (%r); trying again", seq, exc)
            return
        self.meta = meta
        self.changes = Changes()
        self._last_publish = time.monotonic()
        if len(records) > 1 or records[0][0] != DELTA_KEY:
            self._last_snapshot = self._last_publish
