"""The duplicate memory (``pipeline.dedup``): across users, for 24 h of event time, bounded,
each digest to the changelog once; and the engine drops what it recognises."""

from __future__ import annotations

import random

import orjson
import pytest

from config import Settings
from pipeline.dedup import CHUNK_PREFIX, DEDUP_WINDOW_MS, EPOCH_HOURS, HOUR_MS, DedupMemory, chunk_partition, digest
from pipeline.detector_factory import build_core
from pipeline.engine import InRecord, StreamEngine
from pipeline.state import UserState

T0 = 1_764_000_000_000 // HOUR_MS * HOUR_MS  # an hour's start


def search(event_id: str, user: str, ts: int) -> bytes:
    return orjson.dumps({"event_id": event_id, "user_id": user, "ts": ts, "query": "tv"})


def test_an_event_id_is_a_duplicate_under_another_user_on_another_partition():
    engine = StreamEngine(build_core(Settings()), {}, start=lambda s: 0)
    records = [InRecord("events.search", 0, 0, b"u1", search("e1", "u1", T0), 1.0),
               InRecord("events.search", 1, 0, b"u2", search("e1", "u2", T0 + 1_000), 1.0),  # same id, other user
               InRecord("events.clickstream", 2, 0, b"u3",  # and in another topic
                        orjson.dumps({"event_id": "e1", "user_id": "u3", "ts": T0 + 2_000, "type": "page_view",
                                      "url": "https://shop.example/"}), 1.0),
               InRecord("feedback", 1, 0, b"u2",  # feedback shares the ids' space
                        orjson.dumps({"event_id": "e1", "user_id": "u2", "ts": T0 + 3_000, "moment": "buy"}), 1.0),
               InRecord("events.search", 1, 1, b"u2", search("e2", "u2", T0 + 4_000), 1.0)]
    engine.ingest(records, caught_up=lambda s: True, now_ms=0)
    engine.tick(caught_up=lambda s: True, now_ms=0)
    assert (engine.stats["processed"], engine.stats["duplicate"]) == (2, 3)
    # which copy came first is up to the order of the partitions; the others touched no state
    assert "u2" in engine.store and len(engine.store) <= 2


def test_a_duplicate_in_a_later_batch_is_found_in_the_frozen_runs():
    engine = StreamEngine(build_core(Settings()), {}, start=lambda s: 0)
    for i, ts in enumerate((T0, T0 + 2 * HOUR_MS, T0 + 3 * HOUR_MS)):  # each batch in a new hour: a run
        engine.ingest([InRecord("events.search", 0, i, b"u1", search(f"e{i}", "u1", ts), 1.0)], lambda s: True, 0)
    assert len(engine.dedup.runs) >= 1 and not engine.dedup.fresh.keys() & {digest("e0")}
    engine.ingest([InRecord("events.search", 0, 3, b"u9", search("e0", "u9", T0 + 3 * HOUR_MS), 1.0)],
                  lambda s: True, 0)
    assert engine.stats["duplicate"] == 1


def test_ids_are_kept_for_at_least_the_window_and_forgotten_soon_after():
    memory = DedupMemory(fresh_max=50)
    ts = [T0 + i * 60_000 for i in range(60 * 40)]  # one event a minute for 40 hours
    for i, t in enumerate(ts):
        assert not memory.seen(f"e{i}", t)
        memory.end_batch()
        # everything of the last 24 h is still known (checked now and then: each check is a search)
        if i % 97 == 0:
            recent = [j for j in range(i + 1) if t - ts[j] <= DEDUP_WINDOW_MS]
            assert all(memory.known([digest(f"e{j}")])[0] or digest(f"e{j}") in memory.fresh for j in recent)
    # and nothing older than the window plus an epoch: memory stays bounded by the window
    assert len(memory) <= (24 + EPOCH_HOURS + 1) * 60
    assert not memory.known([digest("e0")])[0]


def test_memory_is_8_bytes_a_digest_once_frozen():
    memory = DedupMemory(fresh_max=10_000)
    rng = random.Random(7)
    for i in range(200_000):
        memory.add(rng.getrandbits(64), T0 + i * 400, partition=0)  # 1 every 0.4 s: ~22 h
        if i % 500 == 0:
            memory.end_batch()
    memory.end_batch()
    frozen = sum(len(r.digests) for r in memory.runs)
    assert frozen + len(memory.fresh) == 200_000
    assert sum(r.digests.nbytes for r in memory.runs) == 8 * frozen
    assert len(memory.runs) <= 24, [len(r.digests) for r in memory.runs]  # merged: few searches a batch


def test_changelog_records_carry_each_digest_once_and_come_back_after_a_restart():
    memory = DedupMemory(persist=True)
    for i in range(100):
        memory.seen(f"e{i}", T0 + i * 60_000, partition=i % 3)
    first = memory.take()
    assert memory.take() == []  # nothing new: nothing to send
    assert {chunk_partition(k) for k, _ in first} == {0, 1, 2}
    assert all(k.startswith(CHUNK_PREFIX) for k, _ in first)
    assert sum(len(v) for _, v in first) == 100 * 8  # 8 bytes an event, sent once
    restarted = DedupMemory(persist=True)
    assert restarted.absorb(first) == 100
    assert all(restarted.seen(f"e{i}", T0 + HOUR_MS, partition=1) for i in range(100))
    assert not restarted.seen("new", T0 + HOUR_MS, partition=1)
    # a day later the old hours' records are tombstoned on the changelog
    restarted.seen("later", T0 + 27 * HOUR_MS, partition=0)
    restarted.end_batch()
    later = restarted.take()
    tombstones = {k for k, v in later if v is None}
    assert tombstones == {k for k, _ in first}
    assert [len(v) for k, v in later if v is not None] == [8, 8]  # "new" and "later"


@pytest.mark.parametrize("events", [4_000, 16_000])
def test_a_bot_keeps_its_state_and_changelog_traffic_bounded(events):
    """One user sending an event every 2 s of event time: the user's state does not grow with
    its events (it held a duplicate memory once), and the duplicate memory's changelog gets 8
    bytes an event. The 1,000,000-events day is measured by ``micromoments bench --only bot``."""
    engine = StreamEngine(build_core(Settings()), {}, start=lambda s: 0, dedup=DedupMemory(persist=True))
    sizes, changelog = [], 0
    batch = []
    for i in range(events):
        batch.append(InRecord("events.search", 0, i, b"bot", search(f"b{i}", "bot", T0 + 2_000 * i), 1.0))
        if len(batch) == 500:
            engine.ingest(batch, lambda s: True, 0)
            batch = []
            sizes.append(len(engine.store["bot"]))
            changelog += sum(len(v or b"") for _, v in engine.dedup.take())
    assert engine.stats["processed"] == events
    assert max(sizes) < 8_000, max(sizes)  # KiBs, whatever the number of events
    assert "seen" not in orjson.loads(engine.store["bot"])
    assert changelog == 8 * events
    assert UserState.from_dict({"user_id": "old", "seen": {"ab": 1}, "seen_max_ms": 1}).user_id == "old"
