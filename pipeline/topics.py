"""Topic creation: the contract's topics plus the pipeline's internal ones (names: ``schemas.topics``)."""

from __future__ import annotations

import asyncio

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

from config import Settings
from config.kafka import kafka_options
from schemas.topics import ALL_TOPICS, DLQ_TOPIC, PROFILES_TOPIC, VENUES_TOPIC

#: a DLQ record carries the original bytes in base64 (4/3 of them) plus JSON: a bad input as large
#: as an input topic takes (1 MiB by default) must still fit in the DLQ
DLQ_MAX_BYTES = 8 * 1024 * 1024
TOPIC_CONFIGS = {VENUES_TOPIC: {"cleanup.policy": "compact"}, PROFILES_TOPIC: {"cleanup.policy": "compact"},
                 DLQ_TOPIC: {"max.message.bytes": str(DLQ_MAX_BYTES)}}


async def ensure_topics(settings: Settings, timeout_s: float = 30.0) -> list[str]:
    """Create the missing topics (input topics co-partitioned; venues compacted). Returns created names."""
    admin = AIOKafkaAdminClient(**kafka_options(settings), request_timeout_ms=int(timeout_s * 1000))
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        new = [
            NewTopic(settings.topic(t), num_partitions=1 if t == VENUES_TOPIC else settings.partitions,
                     replication_factor=settings.replication_factor, topic_configs=TOPIC_CONFIGS.get(t, {}))
            for t in ALL_TOPICS if settings.topic(t) not in existing
        ]
        if new:
            try:
                await admin.create_topics(new)
            except TopicAlreadyExistsError:  # another worker was faster
                pass
        return [t.name for t in new]
    finally:
        await admin.close()


def ensure_topics_sync(settings: Settings) -> list[str]:
    return asyncio.run(ensure_topics(settings))
