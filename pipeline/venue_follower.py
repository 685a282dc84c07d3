"""Every worker's full copy of the compacted venues topic (a global table).

Each worker follows all partitions of ``ref.venues`` from the beginning with its
own group-less consumer, so every worker knows every venue after a restart or
a rebalance. Until it has read up to the end offsets seen at start, it reports
``caught_up() == False`` and the event-time merge holds events back: venues
come first, as in replay. Bad venue records are skipped here; the venues agent
(in the consumer group) sends each of them to the DLQ exactly once.
"""

from __future__ import annotations

import asyncio
import logging

from aiokafka import AIOKafkaConsumer, TopicPartition

from config.kafka import kafka_options
from schemas import Rejection, decode
from schemas.topics import VENUES_TOPIC

log = logging.getLogger("micromoments.venues")


class VenueFollower:
    def __init__(self, bootstrap: str, topic: str, apply) -> None:
        self.bootstrap = bootstrap
        self.topic = topic
        self.apply = apply  # called with each valid Venue or VenueTombstone
        self._caught_up = asyncio.Event()
        self.records = 0

    def caught_up(self) -> bool:
        return self._caught_up.is_set()

    async def run(self) -> None:
        consumer = AIOKafkaConsumer(**kafka_options(bootstrap=self.bootstrap), enable_auto_commit=False,
                                    auto_offset_reset="earliest")
        await consumer.start()
        try:
            parts = consumer.partitions_for_topic(self.topic)
            while not parts:
                await consumer._client.force_metadata_update()
                parts = consumer.partitions_for_topic(self.topic)
                if not parts:
                    await asyncio.sleep(1.0)
            tps = [TopicPartition(self.topic, p) for p in sorted(parts)]
            consumer.assign(tps)
            await consumer.seek_to_beginning(*tps)
            end = await consumer.end_offsets(tps)
            while True:
                batch = await consumer.getmany(timeout_ms=200)
                for records in batch.values():
                    for rec in records:
                        self._apply(rec.key, rec.value)
                if not self._caught_up.is_set() and all([await consumer.position(tp) >= end[tp] for tp in tps]):
                    log.info("venues loaded: %d records", self.records)
                    self._caught_up.set()
        finally:
            await consumer.stop()

    def _apply(self, key: bytes | None, value: bytes | None) -> None:
        msg = decode(VENUES_TOPIC, value, key)
        if not isinstance(msg, Rejection):
            self.apply(msg)
            self.records += 1
