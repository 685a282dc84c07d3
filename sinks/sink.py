"""The sink agent: analytics topics -> ClickHouse, every row exactly once.

Its own consumer group (``<app_id>-sink``) reads ``mm.analytics.{events,moments,
sessions,metrics,contacts}`` and ``profiles``, converts each record to a row (pseudonymized,
positions as geohash; tombstones and profiles without analytics consent store nothing) and
inserts per table in batches: when ``sink_batch_rows`` records are pending or
``sink_batch_seconds`` after the first pending record. Offsets are committed
only after every insert of the batch succeeded.

Exactly once, in two layers:

1. every insert carries ``insert_deduplication_token`` = hash of the table and the
   topic/partition/offset ranges of the batch, so retrying the same batch (an
   insert whose answer was lost, a crash between insert and commit re-reading the
   same records) is dropped by ClickHouse (``non_replicated_deduplication_window``);
2. the tables are ReplacingMergeTree on the natural key (``(user_id, event_id)``,
   ``(user_id, moment_id)``, ``(user_id, session_id)``, ``(worker, ts)``, ``(user_id, version)``), so a row
   that still arrives twice (a batch cut differently after a restart, the worker
   re-publishing after its own crash) collapses to one: queries read ``FINAL``.

ClickHouse down: the pending batch is dropped, the consumer seeks back to its first
offsets and the sink retries with exponential back-off (0.5 s .. 30 s); nothing is
committed meanwhile, so nothing is lost. The worker does not depend on the sink.
``MOMENTS_SINK_FAULT_FILE`` (off unless set; tests/test_faults.py) makes every insert
fail while that file exists: ClickHouse "down" for as long as the file is there.

Erase requests on ``mm.control`` (``{"type": "erase", "user_id": ...}``) are read in
the same group: the pending batch is inserted first, then the user's rows are deleted.

With embedded chDB the sink process owns the chDB folder; it serves read-only
queries and erasures on a local HTTP endpoint (see ``sinks.service``).
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

from aiokafka import AIOKafkaConsumer, ConsumerRebalanceListener, TopicPartition

from config import Settings
from config.kafka import kafka_options
from schemas.internal import EraseRequest
from schemas.topics import CONTROL_TOPIC
from sinks import clickhouse, schema
from sinks.rows import TABLES, pseudonym_key, to_row

log = logging.getLogger("micromoments.sink")
MAX_BACKOFF_S = 30.0


class SimulatedCrash(RuntimeError):
    """Raised by the test hook between insert and commit."""


#: per table: the position of the (pseudonymized) user id in its rows
USER_COLUMN = {table: columns.index("user_id") for table, columns, _, _ in TABLES.values() if "user_id" in columns}


class _Batch:
    def __init__(self) -> None:
        self.rows: dict[str, list[list[Any]]] = {}
        self.ranges: dict[TopicPartition, list[int]] = {}  # tp -> [first, last] offsets
        self.n = 0
        self.started = 0.0

    def add(self, tp: TopicPartition, offset: int, table: str | None, row: list[Any] | None) -> None:
        if not self.ranges:
            self.started = time.monotonic()
        rng = self.ranges.setdefault(tp, [offset, offset])
        rng[1] = offset
        # a record that stores nothing (a tombstone, a profile without analytics consent) counts
        # towards the batch too: otherwise a batch of N records holding N-1 rows waits for the timer
        self.n += 1
        if table is not None:
            self.rows.setdefault(table, []).append(row)

    def token(self, table: str) -> str:
        spans = ",".join(f"{tp.topic}/{tp.partition}/{a}-{b}" for tp, (a, b) in
                         sorted(self.ranges.items(), key=lambda kv: (kv[0].topic, kv[0].partition)))
        return hashlib.sha256(f"{table}|{spans}".encode()).hexdigest()


class Sink:
    """``run()`` until ``stop`` is set. ``after_insert`` (tests) runs between insert and commit."""

    def __init__(self, settings: Settings, client=None, after_insert: Callable[[], None] | None = None) -> None:
        self.settings = settings
        self.client = client
        self.after_insert = after_insert
        self.key = pseudonym_key(settings)
        self.db = schema.quote_ident(settings.clickhouse_database)
        self.topics = {settings.topic(t): t for t in TABLES}
        self.control_topic = settings.topic(CONTROL_TOPIC)  # erase requests
        self._rewound: dict[TopicPartition, int] = {}
        self.stats: Counter[str] = Counter()
        self.batch = _Batch()
        self.lock = asyncio.Lock()  # one insert / erase at a time
        self.consumer: AIOKafkaConsumer | None = None
        self.erased: dict[str, int] = {}  # the erasure log: pseudonym -> erased at (Kafka time, ms)
        self.failures = 0
        self.ready = False

    # --- ClickHouse -----------------------------------------------------------------------------

    def _connect(self) -> None:
        from sinks.query import Analytics

        client = self.client if self.client is not None else clickhouse.connect(self.settings)
        schema.migrate(client, self.settings)
        self.erased = Analytics(self.settings, client).erased()
        self.client, self.ready = client, True

    def _insert(self, batch: _Batch) -> None:
        fault = self.settings.sink_fault_file
        if fault is not None and fault.exists():  # fault injection, off unless configured
            raise ConnectionError(f"ClickHouse unavailable (fault injection: {fault} exists)")
        for table, rows in batch.rows.items():
            columns = next(cols for t, cols, _, _ in TABLES.values() if t == table)
            self.client.insert(f"{self.db}.{table}", rows, column_names=list(columns),
                               settings={"insert_deduplication_token": batch.token(table)})
        for table, rows in batch.rows.items():  # counted once the whole batch is in
            self.stats[f"rows:{table}"] += len(rows)
        self.stats["inserts"] += 1

    # --- the loop -------------------------------------------------------------------------------

    def _convert(self, msg) -> tuple[str | None, list[Any] | None]:
        try:
            table, row = to_row(self.topics[msg.topic], msg.value, self.key)
        except Exception as exc:  # noqa: BLE001 - a bad record must not stop the sink
            self.stats["skipped"] += 1
            log.warning("skipping %s/%s/%s: %r", msg.topic, msg.partition, msg.offset, exc)
            return None, None
        if table in USER_COLUMN and self.erased:
            erased_at = self.erased.get(row[USER_COLUMN[table]])
            if erased_at is not None and msg.timestamp <= erased_at:
                self.stats["erased_skipped"] += 1  # written before the user's erasure: never again
                return None, None
        return table, row

    async def flush(self) -> bool:
        """Insert the pending batch, then commit its offsets. False (and the batch dropped,
        the consumer sought back) if ClickHouse failed."""
        async with self.lock:
            return await self._flush_locked()

    async def _flush_locked(self) -> bool:
        batch, self.batch = self.batch, _Batch()
        self._rewound = {}
        if not batch.ranges:
            return True
        try:
            if not self.ready:
                await asyncio.to_thread(self._connect)
            await asyncio.to_thread(self._insert, batch)
        except Exception as exc:  # noqa: BLE001 - ClickHouse down or refusing: retry later
            self.stats["insert_failures"] += 1
            self.failures += 1
            log.warning("insert failed (%s); retrying from the last committed offsets", exc)
            self._rewind(batch)
            return False
        self.failures = 0
        if self.after_insert is not None:
            self.after_insert()
        assert self.consumer is not None
        try:
            await self.consumer.commit({tp: b + 1 for tp, (_, b) in batch.ranges.items()})
            self.stats["commits"] += 1
        except Exception as exc:  # noqa: BLE001 - a rebalance: the rows are idempotent, re-read is harmless
            self.stats["commit_failures"] += 1
            log.warning("commit failed after insert (%s); records will be re-read and deduplicated", exc)
        return True

    def _rewind(self, batch: _Batch) -> None:
        assert self.consumer is not None
        assigned = self.consumer.assignment()
        self._rewound = {tp: first for tp, (first, _) in batch.ranges.items()}
        for tp, first in self._rewound.items():
            if tp in assigned:
                self.consumer.seek(tp, first)

    async def _control(self, tp: TopicPartition, msg) -> bool:
        """An erase request on ``mm.control`` (sent by ``micromoments erase`` or any other
        system): insert what is pending, then delete the user's rows. False if ClickHouse
        failed (the request is read again)."""
        req = EraseRequest.parse(msg.value)
        if req is not None:
            user_id = req.user_id
            if not await self._flush_locked():
                return False
            try:
                from sinks.query import Analytics

                analytics = Analytics(self.settings, self.client)
                removed = await asyncio.to_thread(analytics.erase, user_id, msg.timestamp)
                self.erased = await asyncio.to_thread(analytics.erased)
            except Exception as exc:  # noqa: BLE001
                self.stats["erase_failures"] += 1
                self.failures += 1
                log.warning("erasure failed (%s); retrying", exc)
                return False
            self.stats["erasures"] += 1
            log.info("erase request: removed %s rows", sum(removed.values()))
        self.batch.add(tp, msg.offset, None, None)  # its offset is committed with the next batch
        return True

    def _abort(self, got: dict, tp: TopicPartition, index: int) -> None:
        """After a failed flush or erasure at ``got[tp][index]``: seek the partitions not yet
        fully taken to their first record not taken (never past where the rewound batch starts)."""
        assigned = self.consumer.assignment()
        parts = list(got)
        for part in parts[parts.index(tp):]:
            start = got[part][index if part == tp else 0].offset
            start = min(start, self._rewound.get(part, start))
            if part in assigned:
                self.consumer.seek(part, start)

    async def run(self, stop: asyncio.Event | None = None) -> Counter[str]:
        stop = stop or asyncio.Event()
        try:
            await asyncio.to_thread(self._connect)
        except Exception as exc:  # noqa: BLE001 - ClickHouse down: the first flush connects (with back-off)
            log.warning("ClickHouse not reachable yet (%s)", exc)
        sink = self

        class _Listener(ConsumerRebalanceListener):
            async def on_partitions_revoked(self, revoked):
                await sink.flush()  # what is done gets committed before the partitions move

            async def on_partitions_assigned(self, assigned):
                pass

        self.consumer = AIOKafkaConsumer(
            **kafka_options(self.settings), group_id=f"{self.settings.app_id}-sink",
            enable_auto_commit=False, auto_offset_reset="earliest", max_poll_records=self.settings.sink_batch_rows,
            session_timeout_ms=10_000, heartbeat_interval_ms=1_000,
        )
        self.consumer.subscribe([*self.topics, self.control_topic], listener=_Listener())
        await self.consumer.start()
        try:
            while not stop.is_set():
                await self._step()
            await self.flush()
        finally:
            await self.consumer.stop()
        return self.stats

    async def _step(self) -> None:
        if self.failures and not self.batch.ranges:
            # once per retry, before reading the dropped batch again: sleeping on every step also
            # delayed the step that completes the batch, so retries came at twice the back-off
            # (1 s .. 60 s; seen in tests/test_faults.py)
            await asyncio.sleep(min(MAX_BACKOFF_S, 0.5 * 2 ** (self.failures - 1)))
        batch_s = self.settings.sink_batch_seconds
        wait = batch_s if not self.batch.ranges else max(0.0, self.batch.started + batch_s - time.monotonic())
        room = self.settings.sink_batch_rows - self.batch.n
        got = await self.consumer.getmany(timeout_ms=int(min(wait, 0.2) * 1000), max_records=max(1, room))
        async with self.lock:
            for tp, msgs in got.items():
                for i, msg in enumerate(msgs):
                    if msg.topic == self.control_topic:
                        if not await self._control(tp, msg):
                            self._abort(got, tp, i)
                            return
                        continue
                    table, row = self._convert(msg)
                    self.batch.add(tp, msg.offset, table, row)
                    self.stats["records"] += 1
            due = self.batch.ranges and (self.batch.n >= self.settings.sink_batch_rows
                                         or time.monotonic() - self.batch.started >= batch_s)
            if due:
                await self._flush_locked()
