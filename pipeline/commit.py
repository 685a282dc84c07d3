"""The worker's commit protocol: an input offset is committed only once what it produced is on
the broker.

``Committer`` knows nothing of Faust: it is handed four small functions (the engine's finished
positions, the user states written since the last snapshot, a way to send states to the
changelog, a way to commit offsets), so tests drive it without a broker (``tests/test_commit.py``)
and the worker with one.

>>> import asyncio
>>> log = []
>>> async def send_states(records, futures):
...     log.append(("states", records)); futures.append(done(None))
>>> async def commit_offsets(offsets, metadata):
...     log.append(("offsets", offsets)); return True
>>> def done(value):
...     f = asyncio.get_running_loop().create_future(); f.set_result(value); return f
>>> async def demo():
...     c = Committer(lambda: {("events.search", 0): 7}, lambda: [(b"u1", b"state")],
...                   send_states, commit_offsets, timeout_s=5)
...     c.results.append(done(None))   # a result's delivery future (send_records appends them)
...     await c.commit_now()
>>> asyncio.run(demo())
>>> log
[('states', [(b'u1', b'state')]), ('offsets', {('events.search', 0): 7})]
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable
from contextlib import contextmanager
from dataclasses import dataclass

log = logging.getLogger("micromoments.commit")

Source = tuple[str, int]
StateRecord = tuple[bytes, bytes | None]  # (user key, serialized state or None = deleted)


class DeliveryFailed(Exception):
    """Records the broker did not take: whatever depends on them must not be committed."""


async def wait_delivered(futures: Iterable[asyncio.Future], timeout_s: float) -> None:
    """Wait until every record batch's delivery future is resolved, ``timeout_s`` at most (the
    producer retries meanwhile); raise ``DeliveryFailed`` for a batch that failed or did not
    answer in time. A batch still on its way is waited for, not judged lost."""
    pending = [f for f in futures if not f.done()]
    if pending:
        await asyncio.wait(pending, timeout=timeout_s)
    failed = []
    for f in futures:
        if not f.done():
            failed.append(f"no answer within {timeout_s:g} s")
        elif f.cancelled():
            failed.append("cancelled")
        elif f.exception() is not None:
            failed.append(repr(f.exception()))
    if failed:
        raise DeliveryFailed(f"{len(failed)} record batch(es) not delivered, the first: {failed[0]}")


@dataclass
class Snapshot:
    """What one commit covers, taken at a batch boundary."""

    positions: dict[Source, int]
    states: dict[bytes, bytes | None]
    results: list[asyncio.Future]
    metadata: str = ""  # the commit metadata, as of the snapshot (``pipeline.version_pin``)
    every: bool = False  # commit every position, changed or not (the metadata changed)


class Committer:
    """Commits the input offsets of what the engine has finished. One commit:

    0. ``snapshot()``, at a batch boundary (no result is being sent; the worker holds its batch
       lock): the positions the engine has finished, the user states written since the last
       snapshot (with those a failed commit did not write) and the delivery futures of every
       result sent since (``results``, which ``send_records`` appends to).
    1. Wait until every result is delivered (``wait_delivered``, ``timeout_s`` at most).
    2. Send the states to the changelog and wait for them the same way: a state marks its
       records as done, so it goes out only after their results.
    3. Commit the offsets that changed since the last commit (all of them for a commit whose
       metadata changed: ``commit_now(every=True)``), with the metadata of the snapshot.

    A result or state the broker did not take (an error on its future, or no answer within
    ``timeout_s``) is ``DeliveryFailed``: nothing is committed, now or later (a later commit would
    move past the lost records); ``failed`` is set and ``on_failure`` told, and the worker stops,
    so a restart reads the inputs again from the last commit. Any other error at step 2 or 3
    (the client raised) hands the snapshot's states back: the next commit writes them, newer
    writes of the same user winning, so no changelog write is lost.

    Commits run one at a time, in the order of their snapshots: ``start()`` (in the background,
    skipped while one runs) and ``commit_now()`` (waits for the one running first).
    """

    def __init__(self, positions: Callable[[], dict[Source, int]],
                 take_states: Callable[[], Iterable[StateRecord]],
                 send_states: Callable[[list[StateRecord], list[asyncio.Future]], Awaitable[object]],
                 commit_offsets: Callable[[dict[Source, int], str], Awaitable[bool]],
                 timeout_s: float,
                 on_failure: Callable[[DeliveryFailed], None] = lambda exc: None,
                 metadata: Callable[[], str] = str) -> None:
        self._positions = positions
        self._take_states = take_states
        self._send_states = send_states
        self._commit_offsets = commit_offsets
        self.timeout_s = timeout_s
        self._on_failure = on_failure
        self._metadata = metadata
        #: delivery futures of the results sent since the last snapshot
        self.results: list[asyncio.Future] = []
        self.committed: dict[Source, int] = {}
        self.failed: DeliveryFailed | None = None
        self._unwritten: dict[bytes, bytes | None] = {}  # states of a failed commit
        self._running: asyncio.Future | None = None
        self._sending = 0

    @contextmanager
    def sending(self):
        """Around a send of results: a snapshot taken meanwhile would miss part of them."""
        self._sending += 1
        try:
            yield self.results
        finally:
            self._sending -= 1

    @property
    def running(self) -> bool:
        return self._running is not None

    def snapshot(self, every: bool = False) -> Snapshot:
        """Step 0 (see the class). Synchronous: nothing can run between its parts."""
        if self._sending:
            raise RuntimeError("a commit snapshot was taken while results were being sent")
        states, self._unwritten = self._unwritten, {}
        states.update(self._take_states())
        results, self.results = self.results, []
        return Snapshot(self._positions(), states, results, self._metadata(), every)

    def start(self, every: bool = False) -> asyncio.Future | None:
        """A commit in the background (snapshot now, steps 1-3 in a task); None if one is
        running or a delivery failed. Its errors are logged; the next commit tries again."""
        if self._running is not None or self.failed is not None:
            return None
        task = self._running = asyncio.ensure_future(self._complete(self.snapshot(every)))
        task.add_done_callback(self._finished)
        return task

    async def commit_now(self, every: bool = False) -> bool:
        """Commit everything finished so far (after the commit running, if any); whether the
        offsets were committed. The caller holds the batch lock, so that no result is being sent."""
        while self._running is not None:
            await asyncio.wait([self._running])
        task = self.start(every)
        if task is None:
            return False
        await asyncio.wait([task])
        return not task.cancelled() and task.exception() is None and task.result()

    def _finished(self, task: asyncio.Future) -> None:
        self._running = None
        if not task.cancelled() and task.exception() is not None:
            log.error("commit failed (the next one tries again): %r", task.exception())

    async def _complete(self, snap: Snapshot) -> bool:
        try:
            await wait_delivered(snap.results, self.timeout_s)          # 1
            written: list[asyncio.Future] = []
            try:
                if snap.states:
                    await self._send_states(list(snap.states.items()), written)  # 2
                await wait_delivered(written, self.timeout_s)
            except BaseException:
                self._unwritten = {**snap.states, **self._unwritten}
                raise
        except DeliveryFailed as exc:
            self.failed = exc
            log.critical("results were not delivered, stopping without committing the inputs "
                         "(a restart reads them again from the last commit): %s", exc)
            self._on_failure(exc)
            return False
        todo = {src: off for src, off in snap.positions.items() if snap.every or self.committed.get(src) != off}
        if not todo:
            return True
        if await self._commit_offsets(todo, snap.metadata):              # 3
            self.committed.update(todo)
            return True
        return False

    def forget(self) -> None:
        """After a rebalance: the partitions' next owner starts from what was committed."""
        self.committed.clear()
