"""The worker's version pin (pipeline/version_pin.py, ``StreamWorker._prepare``) without a broker."""

from __future__ import annotations

import asyncio
from collections import Counter

from faust.types import TP

from pipeline import faust_adapter, version_pin
from pipeline.stream_worker import StreamWorker

TPS = [TP("events.search", 0), TP("events.search", 1)]


class FakeInputs:
    log_start = dict.fromkeys(TPS, 0)

    async def sync_assignment(self) -> bool:
        return False

    def group_partitions(self):
        return TPS

    def source(self, tp):
        return tp.topic, tp.partition


class FakeFollower:
    def __init__(self) -> None:
        self.version, self.rewound = (1, 9), []

    def advance(self) -> bool:
        return False

    async def rewind(self, target) -> bool:
        self.rewound.append(target)
        self.version = target
        return True


class FakeCommitter:
    """Refuses the first ``refusals`` commits (a rebalance under way)."""

    def __init__(self, refusals: int) -> None:
        self.refusals, self.calls = refusals, 0

    async def commit_now(self, every: bool = False) -> bool:
        self.calls += 1
        return self.calls > self.refusals


class FakeConsumer:
    async def highwaters(self, *tps):
        return dict.fromkeys(tps, 500)


class FakeApp:
    consumer = FakeConsumer()


def worker(refusals: int) -> StreamWorker:
    w = object.__new__(StreamWorker)  # only what ``_prepare`` and ``_pin`` use
    w.app, w.inputs, w.follower = FakeApp(), FakeInputs(), FakeFollower()
    w.committer, w.lock, w.stopping, w.pinned = FakeCommitter(refusals), asyncio.Lock(), False, False
    w.engine = type("E", (), {"stats": Counter()})()
    return w


def test_a_refused_pin_lets_a_revocation_run_and_nothing_is_decided_before_a_pin(monkeypatch):
    """The commit that pins the version is refused twice (a rebalance): between the tries the
    batch lock is free, so that the revocation (which needs it) runs; ``_prepare`` returns only
    once a pin is committed, with the version the crashed owner's commit names."""
    crashed = version_pin.encode((2, 41), final=False)

    async def committed(app, tps):
        return {TPS[0]: (120, crashed), TPS[1]: (80, version_pin.encode((2, 40), final=True))}

    monkeypatch.setattr(faust_adapter, "committed", committed)

    async def run():
        w = worker(refusals=2)
        revoked = []

        async def revocation():
            await asyncio.sleep(0.1)
            async with w.lock:  # as ``partitions_revoked``
                revoked.append(w.pinned)

        async def batch():
            async with w.lock:
                await w._prepare()
                return w.pinned

        pinned, _ = await asyncio.gather(batch(), revocation())
        return w, pinned, revoked

    w, pinned, revoked = asyncio.run(run())
    assert revoked == [False]  # the revocation ran while the pin was refused
    assert pinned and w.committer.calls == 3
    assert w.follower.rewound == [(2, 41)]  # the version the non-final commit names
    assert w._hold == {("events.search", 0): 500}  # until the end offset at the takeover
    assert w._pinned_offsets == {("events.search", 0): 120, ("events.search", 1): 80}
