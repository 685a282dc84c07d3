"""Replay-format lines -> Kafka records, and a producer that sends them (optionally rate-limited).

Used by ``micromoments simulate --kafka``, the benchmark and the tests, so the
worker sees exactly what ``replay`` reads. The ``topic`` field is framing and
is removed. A line that is not a JSON object is sent as it is to
``events.clickstream`` (where the worker must reject it); a line naming a topic
that is not an input topic is skipped (in replay it goes to the DLQ output).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable
from dataclasses import dataclass

import orjson

from config.kafka import kafka_options
from schemas.decode import INPUT_TOPICS
from schemas.topics import CLICKSTREAM_TOPIC, VENUES_TOPIC

FALLBACK_TOPIC = CLICKSTREAM_TOPIC


@dataclass(frozen=True, slots=True)
class Record:
    topic: str  # without prefix
    key: bytes | None
    value: bytes | None


def dumps(obj) -> bytes:
    """Compact JSON, ``orjson.dumps`` copied to an exact-size ``bytes``: orjson's result keeps the
    capacity of its write buffer (several KiB for a 300-byte event), and lists of records are kept
    around (200k preloaded records held ~2 GiB in the benchmark)."""
    return bytes(memoryview(orjson.dumps(obj)))


def records_from_lines(lines: Iterable[bytes]) -> list[Record]:
    out: list[Record] = []
    for line in lines:
        line = line.rstrip(b"\r\n")
        if not line.strip():
            continue
        try:
            obj = orjson.loads(line)
        except orjson.JSONDecodeError:
            obj = None
        if not isinstance(obj, dict):
            out.append(Record(FALLBACK_TOPIC, None, line))
            continue
        if obj.get("topic") not in INPUT_TOPICS:
            continue
        topic = obj.pop("topic")
        if topic == VENUES_TOPIC:
            vid = obj.get("venue_id")
            key = vid.encode("utf-8") if isinstance(vid, str) else None
            value = None if obj.get("deleted") is True and key else dumps(obj)
            out.append(Record(topic, key, value))
            continue
        uid = obj.get("user_id")
        out.append(Record(topic, uid.encode("utf-8", "surrogatepass") if isinstance(uid, str) else None,
                          dumps(obj)))
    return out


async def produce(bootstrap: str, records: Iterable[Record], prefix: str = "", rate: float | None = None,
                  progress=None) -> int:
    """Send records in order (one producer, acks=all, idempotent); ``rate`` in records/s."""
    from aiokafka import AIOKafkaProducer

    producer = AIOKafkaProducer(**kafka_options(bootstrap=bootstrap), linger_ms=5, acks="all", enable_idempotence=True,
                                max_request_size=2 * 1024 * 1024)
    sent = 0
    try:
        await producer.start()
        start = time.perf_counter()
        for rec in records:
            await producer.send(prefix + rec.topic, rec.value, key=rec.key)
            sent += 1
            if progress is not None:
                progress(1)
            if rate:
                ahead = sent / rate - (time.perf_counter() - start)
                if ahead > 0.001:
                    await asyncio.sleep(ahead)
        await producer.flush()
    finally:
        await producer.stop()
    return sent


async def read_all(bootstrap: str, topic: str, timeout: float = 30.0) -> list[tuple[bytes | None, bytes | None]]:
    """Every record of ``topic`` from the beginning to its current end, in partition order."""
    from aiokafka import AIOKafkaConsumer, TopicPartition

    consumer = AIOKafkaConsumer(**kafka_options(bootstrap=bootstrap), enable_auto_commit=False)
    await consumer.start()
    try:
        parts = consumer.partitions_for_topic(topic) or set()
        if not parts:
            await consumer._client.force_metadata_update()
            parts = consumer.partitions_for_topic(topic) or set()
        tps = [TopicPartition(topic, p) for p in sorted(parts)]
        if not tps:
            return []
        consumer.assign(tps)
        await consumer.seek_to_beginning(*tps)
        end = await consumer.end_offsets(tps)
        out: list[tuple[bytes | None, bytes | None]] = []
        deadline = time.monotonic() + timeout
        while any([await consumer.position(tp) < end[tp] for tp in tps]):
            if time.monotonic() > deadline:
                raise TimeoutError(f"could not read {topic} to its end")
            batch = await consumer.getmany(timeout_ms=500)
            for tp in tps:
                out += [(m.key, m.value) for m in batch.get(tp, [])]
        return out
    finally:
        await consumer.stop()
