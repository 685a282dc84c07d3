"""Sending a batch's output records at once: one record batch per topic partition.

aiokafka's ``send`` costs about 18 µs of CPU per record on the development machine (a
coroutine, a metadata check, a future and the accumulator's bookkeeping per record); appending
the records to one ``BatchBuilder`` per partition and submitting each with ``send_batch`` about
3.5 µs (docs/PERFORMANCE.md, attempt 16). The records, their keys and partitions (the same
partitioner) and their order within each partition are what ``send`` would have produced.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable, Iterable, Sequence

from aiokafka.partitioner import murmur2

#: (topic with prefix, key, value, headers as ``[(name, bytes)]`` or None)
Record = tuple[str, bytes | None, bytes | None, Sequence[tuple[str, bytes]] | None]
Partitioner = Callable[[bytes | None, list[int], list[int]], int]


async def send_records(producer, partitioner: Partitioner, records: Iterable[Record],
                       futures: list[asyncio.Future] | None = None) -> int:
    """Queue ``records`` on aiokafka's ``producer`` (not awaited: ``producer.flush()`` waits
    for delivery); returns how many. ``partitioner`` must be the producer's own, so that keyed
    records land where ``send`` would put them (Faust's changelog relies on that). Each
    submitted batch's delivery future is appended to ``futures``: a batch the broker rejects
    (after the producer's retries) fails its future, and only ``commit.wait_delivered`` tells."""
    pending = futures if futures is not None else []
    batches: dict[tuple[str, int], object] = {}
    partitions: dict[str, tuple[list[int], list[int]]] = {}
    n = 0
    for topic, key, value, headers in records:
        parts = partitions.get(topic)
        if parts is None:
            await producer.partitions_for(topic)  # waits for the topic's metadata, as send does
            cluster = producer.client.cluster
            parts = partitions[topic] = (list(cluster.partitions_for_topic(topic)),
                                         list(cluster.available_partitions_for_topic(topic)))
        partition = partitioner(key, parts[0], parts[1])
        batch = batches.get((topic, partition))
        if batch is None:
            batch = batches[(topic, partition)] = producer.create_batch()
        if batch.append(timestamp=None, key=key, value=value, headers=headers or []) is None:
            # full: submit it; an empty batch takes any record (the broker judges its size)
            pending.append(await producer.send_batch(batch, topic, partition=partition))
            batch = batches[(topic, partition)] = producer.create_batch()
            batch.append(timestamp=None, key=key, value=value, headers=headers or [])
        n += 1
    for (topic, partition), batch in batches.items():
        pending.append(await producer.send_batch(batch, topic, partition=partition))
    return n


def prefixed(prefix: str, sends: Iterable) -> Iterable[Record]:
    """The engine's ``OutRecord``s as records of ``send_records`` (topic names with ``prefix``)."""
    for out in sends:
        yield prefix + out.topic, out.key, out.value, list(out.headers.items()) if out.headers else None


class CachedPartitioner:
    """aiokafka's default partitioner (murmur2 of the key, as the Java client) with the hashes of
    recent keys remembered: murmur2 is pure Python (~5 µs a key) and every output of a user
    carries the same key. A keyless record goes to a random available partition, as before."""

    def __init__(self, max_keys: int = 50_000) -> None:
        self.max_keys = max_keys
        self._hashes: dict[bytes, int] = {}

    def __call__(self, key: bytes | None, all_partitions: list[int], available: list[int]) -> int:
        if key is None:
            return random.choice(available or all_partitions)
        h = self._hashes.get(key)
        if h is None:
            if len(self._hashes) >= self.max_keys:
                self._hashes.clear()
            h = self._hashes[key] = murmur2(key) & 0x7FFFFFFF
        return all_partitions[h % len(all_partitions)]
