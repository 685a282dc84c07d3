"""The commit protocol (pipeline/commit.py) without a broker: deliveries awaited, not judged."""

from __future__ import annotations

import asyncio

import pytest

from pipeline.commit import Committer, DeliveryFailed, wait_delivered

SRC = ("events.search", 0)


class FakeKafka:
    """Positions, states and offsets as the worker hands them to the Committer."""

    def __init__(self) -> None:
        self.position = 0
        self.pending: dict[bytes, bytes | None] = {}
        self.changelog: list[tuple[bytes, bytes | None]] = []
        self.offsets: list[dict] = []
        self.state_futures: list[asyncio.Future] = []
        self.fail_states: Exception | None = None
        self.fail_offsets: Exception | None = None
        self.failures: list[Exception] = []
        self.meta = ""  # the metadata the next snapshot takes
        self.metadata: list[str] = []  # of each offset commit

    def take_states(self):
        out, self.pending = list(self.pending.items()), {}
        return out

    async def send_states(self, records, futures):
        if self.fail_states is not None:
            raise self.fail_states
        self.changelog.extend(records)
        f = asyncio.get_running_loop().create_future()
        self.state_futures.append(f)
        futures.append(f)
        f.set_result(None)

    async def commit_offsets(self, offsets, metadata):
        if self.fail_offsets is not None:
            raise self.fail_offsets
        self.offsets.append(dict(offsets))
        self.metadata.append(metadata)
        return True

    def committer(self, timeout_s: float = 5.0) -> Committer:
        return Committer(lambda: {SRC: self.position}, self.take_states, self.send_states,
                         self.commit_offsets, timeout_s=timeout_s, on_failure=self.failures.append,
                         metadata=lambda: self.meta)


def future() -> asyncio.Future:
    return asyncio.get_running_loop().create_future()


def test_a_result_still_in_flight_is_waited_for_not_judged_lost():
    async def run():
        kafka = FakeKafka()
        c = kafka.committer()
        result = future()
        c.results.append(result)
        kafka.position, kafka.pending = 10, {b"u1": b"s1"}
        task = c.start()
        await asyncio.sleep(0.05)
        assert not task.done() and kafka.offsets == [] and kafka.changelog == []  # waiting, nothing yet
        result.set_result(None)  # the broker answers later
        await task
        assert c.failed is None and kafka.failures == []
        assert kafka.changelog == [(b"u1", b"s1")] and kafka.offsets == [{SRC: 10}]
    asyncio.run(run())


def test_a_rejected_result_stops_committing_for_good():
    async def run():
        kafka = FakeKafka()
        c = kafka.committer()
        bad = future()
        bad.set_exception(RuntimeError("MessageSizeTooLarge"))
        c.results.append(bad)
        kafka.position, kafka.pending = 5, {b"u1": b"s1"}
        await c.commit_now()
        assert isinstance(c.failed, DeliveryFailed) and "MessageSizeTooLarge" in str(c.failed)
        assert kafka.failures == [c.failed]
        assert kafka.offsets == [] and kafka.changelog == []  # states mark records done: not written
        kafka.position = 9
        await c.commit_now()  # a later commit would move past the lost records
        assert c.start() is None and kafka.offsets == []
    asyncio.run(run())


def test_no_answer_within_the_timeout_is_a_failure():
    async def run():
        kafka = FakeKafka()
        c = kafka.committer(timeout_s=0.05)
        c.results.append(future())  # never answered
        kafka.position = 3
        await c.commit_now()
        assert "no answer within 0.05 s" in str(c.failed) and kafka.offsets == []
    asyncio.run(run())


def test_states_of_a_failed_commit_are_written_by_the_next_one_newer_writes_winning():
    async def run():
        kafka = FakeKafka()
        c = kafka.committer()
        kafka.position, kafka.pending = 4, {b"u1": b"old", b"u2": b"two"}
        kafka.fail_states = ConnectionError("broker gone")
        await c.commit_now()  # logged, the next one tries again
        assert c.failed is None and kafka.offsets == [] and kafka.changelog == []
        kafka.fail_states = None
        kafka.position, kafka.pending = 6, {b"u1": b"new", b"u3": None}
        await c.commit_now()
        assert dict(kafka.changelog) == {b"u1": b"new", b"u2": b"two", b"u3": None}
        assert len(kafka.changelog) == 3 and kafka.offsets == [{SRC: 6}]
    asyncio.run(run())


def test_an_offset_commit_that_raises_is_retried_by_the_next_commit():
    async def run():
        kafka = FakeKafka()
        c = kafka.committer()
        kafka.position = 8
        kafka.fail_offsets = ConnectionError("coordinator moved")
        await c.commit_now()
        kafka.fail_offsets = None
        await c.commit_now()  # same position: committed now, not skipped as "already committed"
        assert kafka.offsets == [{SRC: 8}]
        await c.commit_now()  # unchanged: nothing to commit
        assert kafka.offsets == [{SRC: 8}]
    asyncio.run(run())


def test_a_snapshot_while_results_are_being_sent_is_refused():
    """The bug of cd40c07: a commit's snapshot taken while a batch's results were still being
    queued missed part of them (they were judged 'still pending' or, worse, committed past)."""
    async def run():
        c = FakeKafka().committer()
        with c.sending() as futures:
            futures.append(future())
            with pytest.raises(RuntimeError, match="while results were being sent"):
                c.snapshot()
        snap = c.snapshot()
        assert len(snap.results) == 1 and c.results == []
    asyncio.run(run())


def test_commits_run_one_at_a_time_in_snapshot_order():
    async def run():
        kafka = FakeKafka()
        c = kafka.committer()
        slow = future()
        c.results.append(slow)
        kafka.position = 1
        first = c.start()
        assert c.start() is None  # one runs: a background commit is skipped
        kafka.position = 2
        forced = asyncio.ensure_future(c.commit_now())  # waits for the first
        await asyncio.sleep(0.02)
        assert not forced.done() and kafka.offsets == []
        slow.set_result(None)
        await asyncio.gather(first, forced)
        assert kafka.offsets == [{SRC: 1}, {SRC: 2}]
    asyncio.run(run())


def test_a_commit_names_its_snapshots_metadata_and_every_position_when_asked():
    """The metadata is the snapshot's (a version switch after it is not named by it); an
    unchanged position is committed again only with ``every`` (the metadata changed)."""
    async def run():
        kafka = FakeKafka()
        c = kafka.committer()
        kafka.position, kafka.meta = 4, "v1"
        assert await c.commit_now()
        kafka.meta = "v2"  # nothing new since: nothing to commit ...
        assert await c.commit_now() and kafka.offsets == [{SRC: 4}]
        assert await c.commit_now(every=True)  # ... unless the metadata is to change
        kafka.position = 6
        result = future()
        c.results.append(result)
        task = c.start()
        kafka.meta = "v3"  # after the snapshot: not this commit's
        result.set_result(None)
        await task
        assert kafka.offsets == [{SRC: 4}, {SRC: 4}, {SRC: 6}] and kafka.metadata == ["v1", "v2", "v2"]
        kafka.fail_offsets = RuntimeError("coordinator moved")
        assert not await c.commit_now(every=True)  # the caller learns that the offsets are not committed
    asyncio.run(run())


def test_wait_delivered_reports_the_first_failure():
    async def run():
        ok, bad = future(), future()
        ok.set_result(None)
        bad.set_exception(ValueError("rejected"))
        await wait_delivered([ok], 1.0)
        with pytest.raises(DeliveryFailed, match=r"1 record batch\(es\) not delivered, the first: ValueError"):
            await wait_delivered([ok, bad], 1.0)
    asyncio.run(run())
