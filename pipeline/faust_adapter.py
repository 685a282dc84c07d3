"""Every use of Faust's and aiokafka's private API, in one place: the batch consumer and the few
accessors the worker needs. ``check()`` names what an installed Faust lacks (tests/test_faust_adapter.py
runs it; ``build_app`` runs it at start), so an upgrade fails loudly here, not somewhere in the worker.

Why ``faust-streaming<0.16`` stays pinned: 0.15.3 is the newest release there is (2026-12-05), so no
later one could be tried; the batch consumer below copies Faust's private fetcher loop
(``_drain_messages``), which a minor release may change without notice. ``check()`` catches a
missing name, not a changed meaning: lift the pin only after the worker tests pass on the new release.

The batch path: records of chosen topics go to a handler in whole fetches.

Faust hands every consumed record to its topic conductor one at a time: a ``ConsumerMessage``,
a ``wait_first`` race (four tasks, three cancelled), an ``Event``, a channel queue, the stream
iterator and the ``take`` buffer — ~140 µs per record on this machine, as much as the pipeline's
own work (docs/PERFORMANCE.md). ``BatchApp`` keeps everything else of Faust (consumer group,
tables with changelog recovery, timers, web) but its consumer gives the records of
``batch_topics`` to ``batch_handler(generation_id, records)`` — the raw aiokafka records of one
fetch, in fetch order per partition — and only the other topics (the tables' changelogs while
recovering) go through the conductor as before.

The agents still subscribe the topics (the consumer group assigns their partitions as usual);
their streams simply never receive the batch topics' records.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from collections.abc import Set as AbstractSet
from time import monotonic
from typing import Any

import aiokafka
import faust
from aiokafka.errors import CommitFailedError
from aiokafka.structs import OffsetAndMetadata
from faust.transport.consumer import CONSUMER_FETCHING
from faust.transport.drivers import aiokafka as faust_aiokafka
from faust.types import TP

BatchHandler = Callable[[int, list[Any]], Awaitable[None]]


#: how long the broker may hold a fetch for partitions without new data. Faust asks for 1.5 s;
#: aiokafka leaves partitions that still have fetched records out of the next fetch, so under
#: load that request often holds only quiet partitions (feedback) and waits the full time while
#: the busy ones pile up at the broker: event -> moment latency then jumped to ~2 s at 5k ev/s.
FETCH_MAX_WAIT_MS = 20


class BatchConsumerThread(faust_aiokafka.AIOKafkaConsumerThread):
    def _create_worker_consumer(self, transport):
        consumer = super()._create_worker_consumer(transport)
        consumer._fetch_max_wait_ms = FETCH_MAX_WAIT_MS  # read when the consumer starts its fetcher
        return consumer


class BatchConsumer(faust_aiokafka.Consumer):
    """``_drain_messages`` (Faust's fetcher loop) with the batch path; otherwise Faust's loop."""

    def _new_consumer_thread(self) -> BatchConsumerThread:
        return BatchConsumerThread(self, loop=self.loop, beacon=self.beacon)

    async def perform_seek(self) -> None:
        """Faust's seek to the committed offsets, and to the beginning for the partitions nobody
        has committed yet (tables' changelogs aside: recovery reads those). aiokafka's
        ``seek_to_committed`` leaves such a partition where the fetcher is, so records fetched
        and then dropped around a rebalance (flow stopped, a stale generation) were never read
        again there: the partitions of a worker killed before its first commit stalled on the
        worker that took them over (tests/test_faults.py)."""
        await super().perform_seek()
        changelogs = self.app.tables.changelog_topics
        fresh = [tp for tp in self.assignment() if tp.topic not in changelogs and not self._committed_offset.get(tp)]
        if fresh:
            for tp, offset in (await self.earliest_offsets(*fresh)).items():
                await self.seek(tp, offset)

    async def _drain_messages(self, fetcher) -> None:  # pragma: no cover - runs in the worker
        app: BatchApp = self.app  # type: ignore[assignment]
        callback = self.callback
        consumer_should_stop = self._stopped.is_set
        fetcher_should_stop = fetcher._stopped.is_set
        get_read_offset = self._read_offset.get
        set_read_offset = self._read_offset.__setitem__
        to_message = self._to_message
        try:
            while not (consumer_should_stop() or fetcher_should_stop()):
                self.diag.set_flag(CONSUMER_FETCHING)
                records, active = await self._wait_next_records(1.0)
                await asyncio.sleep(0)
                generation = app.consumer_generation_id
                if records is None or self.should_stop:
                    continue
                if not self.flow_active:  # as Faust's getmany: rebalancing, read again from the commits
                    await self.perform_seek()
                    continue
                batch: list[Any] = []
                for tp, recs in records.items():
                    # Faust drops what was fetched for a partition paused meanwhile (the fetch
                    # moved past it: a hole until a seek). The app's own pauses (flow control)
                    # must not lose records; Faust pauses (recovery) are followed by a seek.
                    if not (active is None or tp in active or tp in self._buffered_partitions
                            or tp in app.paused_by_app):
                        continue
                    last = get_read_offset(tp)
                    if last is not None:  # Faust's rule: a record before the read offset is dropped
                        recs = [r for r in recs if r.offset >= last]
                    if not recs:
                        continue
                    if tp.topic in app.batch_topics:
                        batch.extend(recs)
                        set_read_offset(tp, recs[-1].offset)
                        continue
                    for record in recs:  # Faust's path, one message at a time
                        if not self.flow_active or app.consumer_generation_id != generation:
                            break
                        await self.wait_first(callback(to_message(tp, record)), self.suspend_flow.wait())
                        set_read_offset(tp, record.offset)
                if batch and app.batch_handler is not None:
                    await app.batch_handler(generation, batch)
                self.diag.unset_flag(CONSUMER_FETCHING)
        except self.consumer_stopped_errors:
            if self.transport.app.should_stop:
                self.log.info("Broker stopped consumer, shutting down...")
                return
            raise
        except asyncio.CancelledError:
            if self.transport.app.should_stop:
                self.log.info("Consumer shutting down for user cancel.")
                return
            raise
        except Exception:
            self.log.exception("Drain messages raised")
            raise
        finally:
            self.diag.unset_flag(CONSUMER_FETCHING)


class BatchTransport(faust_aiokafka.Transport):
    Consumer = BatchConsumer


class BatchApp(faust.App):
    """A Faust app whose consumer hands ``batch_topics`` to ``batch_handler`` (see module doc)."""

    batch_topics: frozenset[str] = frozenset()
    batch_handler: BatchHandler | None = None
    #: partitions the app paused itself (``consumer.pause_partitions``), not Faust
    paused_by_app: AbstractSet = frozenset()

    def _new_transport(self):
        return BatchTransport(self.conf.broker_consumer, self)


# --- accessors: the private attributes the worker reads or calls ----------------------------------

def aiokafka_producer(app: faust.App) -> aiokafka.AIOKafkaProducer:
    """aiokafka's producer under Faust's (record batches go to it directly)."""
    return app.producer._ensure_producer()


async def commit_offsets(app: faust.App, offsets: dict[TP, int], metadata: str = "") -> bool:
    """Commit these offsets now, each with ``metadata`` (Faust's ack-based commits are not used,
    and its own commit writes no metadata). As Faust's commit: False if the group rebalanced
    meanwhile, the app crashed on any other error."""
    thread = app.consumer._thread
    return await thread.call_thread(_commit_in_thread, thread, offsets, metadata)


async def _commit_in_thread(thread, offsets: dict[TP, int], metadata: str) -> bool:
    consumer = thread._ensure_consumer()
    assigned = thread.assignment()
    todo = {tp: offset for tp, offset in offsets.items() if tp in assigned}
    try:
        thread.tp_last_committed_at.update(dict.fromkeys(todo, monotonic()))  # Faust's stall watchdog
        await consumer.commit({aiokafka.TopicPartition(tp.topic, tp.partition): OffsetAndMetadata(offset, metadata)
                               for tp, offset in todo.items()})
    except CommitFailedError as exc:
        if "already rebalanced" in str(exc):
            return False
        await thread.crash(exc)
        return False
    except Exception as exc:  # as Faust: a commit that cannot work stops the worker
        thread.log.exception("commit raised; assignment %r", assigned)
        await thread.crash(exc)
        return False
    return True


async def committed(app: faust.App, tps: Iterable[TP]) -> dict[TP, tuple[int, str]]:
    """The group's committed offsets of ``tps`` with their metadata (-1 and "" where none)."""
    thread = app.consumer._thread

    async def fetch() -> dict:
        coordinator = thread._ensure_consumer()._coordinator
        return await coordinator.fetch_committed_offsets([aiokafka.TopicPartition(tp.topic, tp.partition) for tp in tps])

    got = await thread.call_thread(fetch)
    return {TP(tp.topic, tp.partition): (om.offset, om.metadata or "") for tp, om in got.items()}


def committed_offset(app: faust.App, tp: TP) -> int | None:
    """The committed offset Faust has read for ``tp`` (None until it has)."""
    return app.consumer._committed_offset.get(tp)


def table_store(table: faust.Table) -> MutableMapping[bytes, bytes]:
    """The in-memory dict under a ``memory://`` table (written around ``Table.__setitem__``)."""
    return table.data


async def refresh_metadata(consumer: aiokafka.AIOKafkaConsumer) -> None:
    """Ask the broker for fresh metadata (a topic created a moment ago)."""
    await consumer._client.force_metadata_update()


#: (class, name) of every private method or attribute used above and in the batch consumer
REQUIRED: tuple[tuple[type, str], ...] = (
    (faust_aiokafka.Consumer, "_drain_messages"),
    (faust_aiokafka.Consumer, "_new_consumer_thread"),
    (faust_aiokafka.Consumer, "_wait_next_records"),
    (faust_aiokafka.Consumer, "_to_message"),
    (faust_aiokafka.Consumer, "_thread"),
    (faust_aiokafka.AIOKafkaConsumerThread, "_ensure_consumer"),
    (faust_aiokafka.AIOKafkaConsumerThread, "tp_last_committed_at"),
    (aiokafka.AIOKafkaConsumer, "_coordinator"),
    (faust_aiokafka.Consumer, "_committed_offset"),
    (faust_aiokafka.Consumer, "_read_offset"),
    (faust_aiokafka.Consumer, "_buffered_partitions"),
    (faust_aiokafka.AIOKafkaConsumerThread, "_create_worker_consumer"),
    (faust_aiokafka.Producer, "_ensure_producer"),
    (faust.App, "_new_transport"),
    (aiokafka.AIOKafkaConsumer, "_client"),
    (aiokafka.AIOKafkaConsumer, "_fetch_max_wait_ms"),
)


def _has(cls: type, name: str) -> bool:
    """A class attribute, or an attribute some ``__init__`` (``__post_init__`` for mode's services)
    of the class's MRO sets on ``self``."""
    if hasattr(cls, name):
        return True
    for klass in cls.__mro__:
        for init in filter(None, (klass.__dict__.get("__init__"), klass.__dict__.get("__post_init__"))):
            try:
                if f"self.{name} =" in inspect.getsource(init) or f"self.{name}:" in inspect.getsource(init):
                    return True
            except (OSError, TypeError):  # compiled or built-in
                continue
    return False


def missing() -> list[str]:
    """``Class.name`` of everything in ``REQUIRED`` the installed Faust/aiokafka lacks."""
    return [f"{cls.__module__}.{cls.__qualname__}.{name}" for cls, name in REQUIRED if not _has(cls, name)]


def check() -> None:
    """Raise, naming each missing method, if the installed Faust/aiokafka lacks what this module uses."""
    gone = missing()
    if gone:
        raise RuntimeError(f"faust-streaming {faust.__version__} / aiokafka {aiokafka.__version__} lack what "
                           f"pipeline/faust_adapter.py needs: {', '.join(gone)}")
