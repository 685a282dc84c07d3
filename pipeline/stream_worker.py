"""What the Faust worker does between Kafka and the engine, as one object: batches in, results out,
commits, model checkpoints, session expiry, shutdown and rebalance. ``pipeline/app.py`` builds it
and hands it Faust's agents, timers and pages, which only call its methods.

One batch at a time (``lock``): the agent, the timers and the shutdown share the engine, and a
commit's snapshot is taken between two batches (``pipeline/commit.py``).
"""

from __future__ import annotations

import asyncio
import gc
import logging
import os
import socket
import time
from collections import deque
from pathlib import Path

import faust

from config import Settings
from detectors import checkpoint
from detectors.metrics import quality_of
from pipeline import faust_adapter, version_pin
from pipeline.batch_producer import Partitioner, prefixed, send_records
from pipeline.commit import Committer
from pipeline.dedup import CHUNK_PREFIX, chunk_partition
from pipeline.engine import BatchResult, StreamEngine
from pipeline.inputs import InputPartitions
from pipeline.learner import SharedLearner
from pipeline.metrics import WorkerMetrics
from pipeline.model_log import ModelFollower, p99
from pipeline.user_store import UserStore

log = logging.getLogger("micromoments.worker")

#: seconds between two background commits
COMMIT_INTERVAL_S = 0.5
#: work units of one expiry slice (a state loaded and closed costs 50: about 20 sessions)
EXPIRY_SLICE = 1_000
#: seconds between expiry rounds: small rounds, so that neither a round nor the commit after
#: it (the closed sessions' states go to the changelog) holds the records arriving meanwhile
EXPIRY_INTERVAL_S = 2.0
#: seconds between two looks for newer shared-model versions (each switch is a commit)
SWITCH_INTERVAL_S = 0.25
#: seconds after which a switch waits for a background commit in flight rather than look again
SWITCH_WAIT_S = 1.0
WORKER_ID = f"{socket.gethostname()}:{os.getpid()}"


class StreamWorker:
    """The worker's behaviour; Faust only schedules it."""

    def __init__(self, app: faust.App, settings: Settings, engine: StreamEngine, store: UserStore,
                 inputs: InputPartitions, changelog_topic, partitioner: Partitioner, model_dir: Path,
                 dedup_table: faust.Table | None = None, follower: ModelFollower | None = None,
                 learner: SharedLearner | None = None) -> None:
        self.app = app
        self.settings = settings
        self.prefix = settings.topic_prefix
        self.engine = engine
        self.store = store
        self.inputs = inputs
        self.changelog_topic = changelog_topic  # the users table's (its name is known once Faust started)
        self.dedup_table = dedup_table  # the duplicate memory's changelog (``pipeline.dedup``)
        self.partitioner = partitioner
        self.model_dir = model_dir
        #: the shared model (``pipeline.model_log``): the version this worker decides with, and the
        #: learner (active on one worker); None when each worker learns alone (MOMENTS_MODEL_SYNC=local)
        self.follower = follower
        self.learner = learner
        self.metrics = WorkerMetrics(engine, self.model_status if follower is not None else None)
        self.lock = asyncio.Lock()  # one batch at a time
        #: whole fetches of the input topics: (consumer generation, aiokafka records); a few at
        #: most, so a slow batch holds the consumer back (its fetcher waits in ``put``)
        self.inbox: asyncio.Queue = asyncio.Queue(maxsize=4)
        #: the commit protocol: results delivered -> states written -> offsets; a delivery
        #: failure stops the worker without committing (a restart reads the inputs again)
        self.committer = Committer(lambda: {**self._pinned_offsets, **engine.commit_positions()},
                                   lambda: [*store.save(), *engine.dedup.take()],
                                   self._send_states, self._commit_offsets,
                                   timeout_s=settings.delivery_timeout_s, on_failure=self._undelivered,
                                   metadata=self._commit_metadata)
        #: the shared model's version is named by the commits (``pipeline.version_pin``): pinned
        #: after each assignment before a batch is decided, switched only at a commit
        self.pinned = follower is None
        self._pinned_offsets: dict[tuple[str, int], int] = {}  # the assigned partitions' commits at the pin
        self._final = False  # the commit at a revocation or shutdown: nothing past it was decided
        self._hold: dict[tuple[str, int], int] = {}  # partition -> end offset a crashed owner may have decided to
        self.switches = 0
        self._last_switch = 0.0
        self.switch_ms: deque[float] = deque(maxlen=1000)  # how long deciding waited for a switch's commit
        self.stopping = False  # set once the worker shuts down: no batch starts after the last commit
        self._last_commit = 0.0
        self._last_checkpoint = time.monotonic()

    # --- results out, commits -------------------------------------------------------------------

    async def deliver(self, result: BatchResult) -> None:
        """Send a batch's results (the producer sends them as one burst); a commit waits for their
        delivery, then writes the users' states, then commits the input offsets. The caller
        holds ``lock``."""
        if self.stopping:  # after the last commit: dropped, not committed, read again after a restart
            return
        with self.committer.sending() as futures:
            await send_records(faust_adapter.aiokafka_producer(self.app), self.partitioner,
                               prefixed(self.prefix, result.sends), futures)
        self.inputs.flow_control()
        self.metrics.observe_latencies(self.engine.latencies_ms)
        for (topic, partition), offset in result.seeks:
            log.warning("offsets from %s of %s[%d] were not delivered: reading them again", offset, topic, partition)
            await self.app.consumer.seek(self.inputs.tp((topic, partition)), offset)
            self.engine.stats["reread_requests"] += 1
        self._commit_soon()
        self.checkpoint()

    def _commit_soon(self) -> None:
        """A commit in the background every ``COMMIT_INTERVAL_S``; batches go on meanwhile. Called
        at the end of ``deliver``, a batch boundary, where the commit's snapshot is taken."""
        if time.monotonic() - self._last_commit < COMMIT_INTERVAL_S or self.committer.running:
            return
        self._last_commit = time.monotonic()
        self.committer.start()

    async def commit(self, final: bool = False) -> None:
        """Commit everything finished (the caller holds ``lock``): after the background commit in
        flight; nothing once the shutdown's commit was the last or a delivery failed. ``final``:
        nothing is decided after it (a revocation, the shutdown): every partition, marked so."""
        if self.stopping:
            return
        self._final = final
        try:
            await self.committer.commit_now(every=final)
        finally:
            self._final = False

    async def _send_states(self, states, futures) -> None:
        """The users' states to the table's changelog, as Faust would send them (same partitioner);
        the duplicate memory's records to its own, each to the input partition its key names."""
        producer = faust_adapter.aiokafka_producer(self.app)
        changelog = self.changelog_topic.get_topic_name()
        await send_records(producer, self.partitioner,
                           ((changelog, k, v, None) for k, v in states if not k.startswith(CHUNK_PREFIX)), futures)
        chunks = [(k, v) for k, v in states if k.startswith(CHUNK_PREFIX)]
        if chunks and self.dedup_table is not None:
            topic = self.dedup_table.changelog_topic.get_topic_name()
            await send_records(producer, lambda key, parts, available: chunk_partition(key),
                               ((topic, k, v, None) for k, v in chunks), futures)

    def absorb_recovered(self) -> None:
        """Digests of the duplicate memory that Faust recovered from its changelog (after a start
        or when partitions came) into the engine's memory; the table's copy is dropped."""
        if self.dedup_table is None:
            return
        data = faust_adapter.table_store(self.dedup_table)
        if data:
            n = self.engine.dedup.absorb(list(data.items()))
            data.clear()
            log.info("duplicate memory: %d event ids recovered", n)

    async def _commit_offsets(self, positions, metadata: str) -> bool:
        return await faust_adapter.commit_offsets(self.app, {self.inputs.tp(src): off for src, off in positions.items()},
                                                  metadata)

    def _commit_metadata(self) -> str:
        return version_pin.encode(self.follower.version, self._final) if self.follower is not None else ""

    # --- the shared model's version (``pipeline.version_pin``) -------------------------------------

    async def _prepare(self) -> None:
        """Before a batch (the caller holds ``lock``): the assignment, and the version pinned.
        Nothing is decided before. While the pin fails (the broker away, a rebalance under way:
        its commit is refused) the lock is let go between tries, so that a revocation can run."""
        while True:
            if await self.inputs.sync_assignment():
                self.pinned = self.follower is None
            if self.pinned or self.stopping:
                return
            try:
                await self._pin()
            except Exception as exc:  # noqa: BLE001 - tried again below
                log.warning("shared model: could not pin the version the commits name (%r); trying again", exc)
            if self.pinned:
                return
            self.lock.release()
            try:
                await asyncio.sleep(0.5)
            finally:
                await self.lock.acquire()

    async def _pin(self) -> None:
        """Step 1: the version the assigned partitions' commits name (else the newest read), and
        a commit of every assigned partition naming it."""
        got = await faust_adapter.committed(self.app, self.inputs.group_partitions())
        target, decided, conflicts = version_pin.choose({tp: meta for tp, (_, meta) in got.items()})
        if conflicts:
            self.engine.stats["model_pin_conflicts"] += conflicts
            log.warning("shared model: %d partition(s) taken over name another version than %s", conflicts, target)
        if target is None:
            self.follower.advance()
        elif target != self.follower.version and not await self.follower.rewind(target):
            self.engine.stats["model_pin_missed"] += 1
            log.warning("shared model: version %s named by the commits is not on mm.model any more", target)
        ends = await self.app.consumer.highwaters(*decided) if decided else {}
        self._hold = {self.inputs.source(tp): end for tp, end in ends.items() if end > got[tp][0]}
        start = self.inputs.log_start
        self._pinned_offsets = {self.inputs.source(tp): off if off >= 0 else start[tp]
                                for tp, (off, _) in got.items() if off >= 0 or tp in start}
        self.pinned = await self.committer.commit_now(every=True)

    def _holding(self) -> bool:
        """Records a crashed owner may have decided are still to come: no switch before."""
        if self._hold:
            done = self.engine.commit_positions()
            self._hold = {src: end for src, end in self._hold.items() if done.get(src, -1) < end}
        return bool(self._hold)

    async def switch_model(self) -> None:
        """Step 2: the versions read since the last switch decide from a commit naming them on."""
        if self.follower is None or not self.follower.pending or self.stopping:
            return
        async with self.lock:  # between two batches
            if self.stopping:
                return
            await self._prepare()  # a worker without records pins here (else its next batch would)
            # not while a background commit runs (the switch would wait for it too: the next look),
            # unless the last switch is a second ago: a busy worker starts one after every batch
            waited = time.monotonic() - self._last_switch > SWITCH_WAIT_S
            if (not self.pinned or (self.committer.running and not waited) or self._holding()
                    or not self.follower.advance()):
                return
            started = time.perf_counter()
            self.pinned = await self.committer.commit_now(every=True)  # else: pinned again before the next batch
            self._last_commit = self._last_switch = time.monotonic()  # it was the commit due
            self.switches += 1
            self.switch_ms.append((time.perf_counter() - started) * 1000.0)

    def _undelivered(self, exc: Exception) -> None:
        """A result or state the broker did not take: stop (non-zero exit) without committing."""
        self.engine.stats["undelivered"] += 1
        asyncio.ensure_future(self.app.crash(exc))

    def checkpoint(self, force: bool = False) -> None:
        """Save the online model every ``checkpoint_interval_s`` and at shutdown (JSON, atomic)."""
        detector = self.engine.core.detector
        if not checkpoint.savable(detector):
            return
        if force or time.monotonic() - self._last_checkpoint >= self.settings.checkpoint_interval_s:
            checkpoint.save(detector, self.model_dir)
            self._last_checkpoint = time.monotonic()

    # --- the agent and the timers -----------------------------------------------------------------

    async def process(self) -> None:
        """Whole fetches from ``inbox`` in batches, then what the merge released, a batch per tick."""
        size = self.settings.batch_size
        engine, inputs = self.engine, self.inputs
        if self.follower is not None and not self.follower.ready.is_set():
            log.info("waiting for the shared model")
            await self.follower.ready.wait()  # nothing is decided with another model than the others'
        gc.freeze()  # what start-up allocated (Faust, the model) is never collected: skip it in collections
        try:
            while not self.stopping:
                generation, records = await self.inbox.get()
                for i in range(0, len(records), size):
                    if self.stopping:  # after the last commit nothing is sent: no work either
                        break
                    async with self.lock:
                        await self._prepare()
                        self.absorb_recovered()
                        await self.deliver(engine.ingest(inputs.current(generation, records[i:i + size]),
                                                         inputs.caught_up, time.time() * 1000.0))
                    await asyncio.sleep(0)  # the web page and the timers between two batches
                while engine.backlog() and not self.stopping:
                    async with self.lock:
                        await self._prepare()
                        await self.deliver(engine.tick(inputs.caught_up, time.time() * 1000.0))
                    await asyncio.sleep(0)
        finally:
            async with self.lock:  # at a batch boundary, as every commit
                await self.commit()  # a no-op once the shutdown made the last one

    async def release_waiting(self) -> None:
        """Events held by the merge for a lagging partition are released once it catches up."""
        if self.engine.waiting() == 0 or self.lock.locked() or self.stopping:  # a batch releases them anyway
            return
        async with self.lock:
            await self._prepare()
            await self.deliver(self.engine.tick(self.inputs.caught_up, time.time() * 1000.0))

    async def expire_sessions(self) -> None:
        """Close idle sessions (event time) and hand them to the sink's sessions table: in slices
        of a few milliseconds, each followed by a pause as long as the slice took (its wait for
        the lock included). A round every 10 s closed about a thousand sessions at 1k ev/s; back
        to back its slices kept the loop (and, through the GIL, the consumer thread) busy for
        ~150 ms, and the records that arrived meanwhile made the latency's p99
        (docs/PERFORMANCE.md, attempt 14)."""
        while not self.stopping:
            started = time.perf_counter()
            async with self.lock:
                await self.deliver(self.engine.expire_sessions(budget=EXPIRY_SLICE))
            if not self.engine.expiring():
                break
            await asyncio.sleep(time.perf_counter() - started)

    async def publish_model_metrics(self) -> None:
        """The online model's prequential quality, for the analysts' model_metrics table."""
        row = self.engine.metrics_row(WORKER_ID, time.time() * 1000.0)
        if row is not None:
            async with self.lock:  # a commit's snapshot must not see a half-sent batch
                await self.deliver(BatchResult(sends=[row]))

    # --- shutdown and rebalance -------------------------------------------------------------------

    async def shutdown(self) -> None:
        """Faust has stopped fetching; the producer is flushed and closed after this. So the model
        checkpoint and the last commit happen here — a commit after the producer closed fails, and
        what was done since the previous one would be read again after a restart."""
        async with self.lock:  # after the batch in flight
            self.checkpoint(force=True)
            await self.commit(final=True)  # waits for a background commit in flight, then commits the rest
            self.stopping = True

    async def partitions_revoked(self) -> None:
        """Commit what is done, then drop what the merge holds: the partitions' next owner
        (maybe this worker again) reads those records from the committed offsets."""
        async with self.lock:
            await self.commit(final=True)  # what is done stays done for the next owner
            self.engine.forget_held()
            self.committer.forget()
            self.inputs.forget()
            self._pinned_offsets, self._hold = {}, {}
            self.pinned = self.follower is None

    def model_status(self) -> dict:
        """The shared model on this worker: version (seq, epoch), delay, and the learner's part."""
        return {**self.follower.status(), "switches": self.switches, "switch_ms_p99": p99(self.switch_ms),
                "holding": {f"{t}/{p}": end for (t, p), end in self._hold.items()},
                "learner": self.learner.status() if self.learner else {"active": False}}

    # --- web pages ----------------------------------------------------------------------------------

    async def health(self) -> tuple[dict, int]:
        """200 while the broker answers a metadata request within 3 s, else 503."""
        try:
            client = faust_adapter.aiokafka_producer(self.app).client
            await asyncio.wait_for(client.fetch_all_metadata(), timeout=3.0)
        except Exception as exc:  # noqa: BLE001 - any failure means "cannot reach the broker"
            return {"status": "unhealthy", "reason": f"broker unreachable: {exc!r}"}, 503
        return {"status": "ok", "model": str(self.engine.core.detector.version)}, 200

    def stats(self) -> dict:
        """Counters since start: inputs per topic, processed, duplicates, DLQ per reason, moments."""
        engine = self.engine
        detector = engine.core.detector
        model = {"name": detector.name, "version": str(detector.version)}
        quality = quality_of(detector)
        if quality is not None:
            model["quality"] = quality
        if self.follower is not None:
            model["shared"] = self.model_status()
        stats = {**engine.stats, "duplicate_deliveries": engine.sequencer.duplicates,
                 "offset_gaps_skipped": engine.sequencer.gaps_skipped, "merge_forced": engine.merge.forced}
        return {"stats": stats, "held": engine.waiting(), "open_sessions": len(engine.open_users),
                "assigned": self.inputs.assigned_inputs(), "model": model}
