"""Follow the compacted ``profiles`` topic into the replica's store.

A group-less consumer reads every partition from the offsets the store kept (the beginning on
a first start), applies each batch in one store transaction, and tells waiting requests (the
desk page's long poll) which users changed. The replica is *ready* once it has read up to the
end offsets seen at start; *lag* is the records between its position and the end now.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import KafkaError

from schemas.topics import CAUSE_HEADER
from serving.store import ProfileStore

log = logging.getLogger("micromoments.serve")
BATCH = 5000


class ProfileFollower:
    def __init__(self, store: ProfileStore, topic: str, consumer_factory: Callable[[], AIOKafkaConsumer],
                 admin_factory: Callable[[], AIOKafkaAdminClient],
                 on_change: Callable[[list[str], list[str]], None] | None = None) -> None:
        self.admin_factory = admin_factory
        self.store = store
        self.topic = topic
        self.consumer_factory = consumer_factory
        self.on_change = on_change
        self.ready = asyncio.Event()
        self.lag = 0
        self.records = 0
        self.last_applied_at: float | None = None  # wall clock of the last batch applied
        self.error: str | None = None

    async def run(self) -> None:
        """Follow until cancelled; a broker that goes away is retried (the store keeps serving)."""
        while True:
            try:
                await self._follow()
            except asyncio.CancelledError:
                raise
            except (KafkaError, OSError) as exc:
                self.error = f"{type(exc).__name__}: {exc}"
                log.warning("profiles topic unreachable, retrying in 2 s: %s", self.error)
                await asyncio.sleep(2.0)

    async def _follow(self) -> None:
        consumer = self.consumer_factory()
        await consumer.start()
        try:
            tps = await self._partitions(consumer)
            consumer.assign(tps)
            stored = self.store.offsets()
            start = await consumer.beginning_offsets(tps)
            end = await consumer.end_offsets(tps)
            if any(stored.get(tp.partition, 0) > end[tp] for tp in tps):
                log.warning("the store is ahead of the topic (re-created?): reading it again from the beginning")
                self.store.reset()
                stored = {}
            for tp in tps:
                consumer.seek(tp, max(stored.get(tp.partition, 0), start[tp]))
            self.error = None
            while True:
                batch = await consumer.getmany(timeout_ms=200, max_records=BATCH)
                changes: list[tuple[str, bytes | None]] = []
                offsets: dict[int, int] = {}
                for tp, records in batch.items():
                    for rec in records:
                        if rec.key:  # a profile without a key names nobody: nothing to serve
                            cause = next((v for k, v in rec.headers or () if k == CAUSE_HEADER), None)
                            changes.append((rec.key.decode("utf-8", "replace"), rec.value,
                                            cause.decode("utf-8", "replace") if cause else None))
                    if records:
                        offsets[tp.partition] = records[-1].offset + 1
                if offsets:
                    self.store.apply(changes, offsets)
                    self.records += len(changes)
                    self.last_applied_at = time.time()
                    if self.on_change is not None:
                        self.on_change([c[0] for c in changes], [c[0] for c in changes if c[1] is None])
                positions = {tp: await consumer.position(tp) for tp in tps}
                if not self.ready.is_set() and all(positions[tp] >= end[tp] for tp in tps):
                    log.info("profiles loaded: %d in the store", len(self.store))
                    self.ready.set()
                self.lag = sum(max(0, (consumer.highwater(tp) or 0) - positions[tp]) for tp in tps)
        finally:
            await consumer.stop()

    async def _partitions(self, consumer: AIOKafkaConsumer) -> list[TopicPartition]:
        """The topic's partitions; waits (and says so) while the topic does not exist yet."""
        said = False
        while True:
            parts = consumer.partitions_for_topic(self.topic)
            if parts is None and self.topic in await consumer.topics():  # asks the broker for all metadata
                parts = await self._describe()
            if parts:
                return [TopicPartition(self.topic, p) for p in sorted(parts)]
            if not said:
                log.warning("waiting for the topic %s to exist", self.topic)
                said = True
            await asyncio.sleep(1.0)

    async def _describe(self) -> set[int]:
        admin = self.admin_factory()
        await admin.start()
        try:
            (found,) = await admin.describe_topics([self.topic])
            return {p["partition"] for p in found.get("partitions") or []}
        finally:
            await admin.close()
