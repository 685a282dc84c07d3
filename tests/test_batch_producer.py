"""The worker's producer partitioner: the default partitioner's choice, with hashes cached."""

from __future__ import annotations

from aiokafka.partitioner import DefaultPartitioner

from pipeline.batch_producer import CachedPartitioner


def test_cached_partitioner_picks_the_default_partitioners_partition():
    cached, default = CachedPartitioner(max_keys=50), DefaultPartitioner()
    keys = [f"user-{i}".encode() for i in range(200)] + [b"", "dev-\u00e9".encode()]
    for partitions in ([0], [0, 1, 2, 3], list(range(12))):
        for key in keys + keys[:20]:  # the second time from the cache (and across a cache reset)
            assert cached(key, partitions, partitions) == default(key, partitions, partitions), (key, partitions)
    assert len(cached._hashes) <= 50


def test_keyless_records_go_to_an_available_partition():
    cached = CachedPartitioner()
    assert {cached(None, [0, 1, 2, 3], [2]) for _ in range(20)} == {2}
    assert cached(None, [0, 1], []) in (0, 1)
