"""Topic creation: the contract's topics plus the pipeline's internal ones (names: ``schemas.topics``)."""

from __future__ import annotations

import asyncio

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

from config import Settings
from config.kafka import kafka_options
from schemas.topics import ALL_TOPICS, DLQ_TOPIC, LEARN_TOPIC, MODEL_TOPIC, PROFILES_TOPIC, VENUES_TOPIC

#: a DLQ record carries the original bytes in base64 (4/3 of them) plus JSON: a bad input as large
#: as an input topic takes (1 MiB by default) must still fit in the DLQ
DLQ_MAX_BYTES = 8 * 1024 * 1024
TOPIC_CONFIGS = {VENUES_TOPIC: {"cleanup.policy": "compact"}, PROFILES_TOPIC: {"cleanup.policy": "compact"},
                 DLQ_TOPIC: {"max.message.bytes": str(DLQ_MAX_BYTES)}}
COMPACTED = (VENUES_TOPIC, PROFILES_TOPIC)
#: one partition: the venues (every worker reads all), the learner's examples and the model's
#: versions (one order for all of them)
SINGLE_PARTITION = (VENUES_TOPIC, LEARN_TOPIC, MODEL_TOPIC)


def topic_configs(settings: Settings, topic: str) -> dict[str, str]:
    """The configs the pipeline creates ``topic`` (without prefix) with: retention for the topics
    that are not compacted (raw ids do not stay on Kafka longer than ``MOMENTS_TOPIC_RETENTION_HOURS``);
    for compacted ones a bound on how long a superseded or erased (tombstoned) record stays.

    >>> from config import Settings
    >>> topic_configs(Settings(topic_retention_hours=48), "moments.buy")
    {'cleanup.policy': 'delete', 'retention.ms': '172800000'}
    >>> topic_configs(Settings(model_retention_hours=2), "mm.model")["retention.ms"]
    '7200000'
    >>> topic_configs(Settings(compaction_lag_hours=1), "profiles")["max.compaction.lag.ms"]
    '3600000'
    """
    hour = 3_600_000
    if topic in COMPACTED:
        lag = str(int(settings.compaction_lag_hours * hour))
        return {"cleanup.policy": "compact", "max.compaction.lag.ms": lag, "delete.retention.ms": lag}
    hours = settings.model_retention_hours if topic == MODEL_TOPIC else settings.topic_retention_hours
    return {"cleanup.policy": "delete", "retention.ms": str(int(hours * hour)),
            **TOPIC_CONFIGS.get(topic, {})}


async def ensure_topics(settings: Settings, timeout_s: float = 30.0) -> list[str]:
    """Create the missing topics (input topics co-partitioned; venues compacted). Returns created names."""
    admin = AIOKafkaAdminClient(**kafka_options(settings), request_timeout_ms=int(timeout_s * 1000))
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        new = [
            NewTopic(settings.topic(t), num_partitions=1 if t in SINGLE_PARTITION else settings.partitions,
                     replication_factor=settings.replication_factor, topic_configs=topic_configs(settings, t))
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


async def config_drift(settings: Settings, timeout_s: float = 30.0) -> list[str]:
    """What differs between the existing topics' configs and the ones the pipeline would create
    them with (one line per setting; empty when all match or a topic is missing)."""
    from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType

    admin = AIOKafkaAdminClient(**kafka_options(settings), request_timeout_ms=int(timeout_s * 1000))
    await admin.start()
    try:
        present = set(await admin.list_topics())
        names = {settings.topic(t): t for t in ALL_TOPICS if settings.topic(t) in present}
        if not names:
            return []
        responses = await admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, n) for n in names])
        actual: dict[str, dict[str, str]] = {}
        for response in responses:
            for _err, _msg, _type, name, entries in response.resources:
                actual[name] = {e[0]: e[1] for e in entries}
    finally:
        await admin.close()
    drift = []
    for name, base in sorted(names.items()):
        for key, want in topic_configs(settings, base).items():
            have = actual.get(name, {}).get(key)
            if have is not None and have != want:
                drift.append(f"{name}: {key} is {have}, the pipeline would set {want}")
    return drift


def ensure_topics_sync(settings: Settings) -> list[str]:
    return asyncio.run(ensure_topics(settings))
