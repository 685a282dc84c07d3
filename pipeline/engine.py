"""The streaming driver of the core: batches of Kafka records in, records to send out.

Kafka-agnostic so tests run it without a broker; ``pipeline.app`` feeds it from
Faust and sends what it returns. Per batch it validates (bad input to the DLQ),
re-keys records whose key is not the user id, merges the input partitions by
event time, runs ``Core.handle`` and writes each touched user's state once.
"""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Callable, MutableMapping
from dataclasses import dataclass, field
from typing import Any

import orjson

from detectors.metrics import quality_of
from pipeline.core import Core
from pipeline.dedup import DedupMemory, digest
from pipeline.learning import SharedLearning
from pipeline.merge import EventTimeMerge, Source
from pipeline.sequencer import OffsetSequencer
from pipeline.state import SESSION_GAP_MS, UserState
from schemas import DlqRecord, Rejection, decode
from schemas.internal import EraseRequest, ModelMetrics
from schemas.timefmt import format_ts
from schemas.topics import (
    ANALYTICS_CONTACTS_TOPIC,
    ANALYTICS_EVENTS_TOPIC,
    ANALYTICS_METRICS_TOPIC,
    ANALYTICS_MOMENTS_TOPIC,
    ANALYTICS_SESSIONS_TOPIC,
    CAUSE_HEADER,
    CONTROL_TOPIC,
    DLQ_TOPIC,
    EVENT_TOPICS,
    LEARN_TOPIC,
    PROFILES_TOPIC,
    REKEYED_TOPIC,
    VENUES_TOPIC,
    moment_topic,
)

SOURCE_HEADER = "mm-source"  # on re-keyed records: original topic/partition/offset
# CAUSE_HEADER (schemas.topics) on a profile record: the event_id of the message that changed it
# (none on a record of the session-expiry timer); serve passes it on as a response header
#: garbage-collector thresholds for a process running the engine: each event allocates dozens
#: of short-lived containers (parsed JSON, models, features), and Python's default 700 ran a
#: young-generation collection every few events (docs/PERFORMANCE.md)
GC_THRESHOLDS = (50_000, 20, 100)
#: merge order for equal event times: the order in which replay files list them is unknown, so fixed;
#: erase requests last (they take the event time of what their partition brought before them)
TOPIC_RANK = {t: i for i, t in enumerate((*EVENT_TOPICS, REKEYED_TOPIC, CONTROL_TOPIC))}


@dataclass(slots=True)
class InRecord:
    """One consumed Kafka record (topic name without the configured prefix)."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    timestamp_ms: float
    headers: dict[str, bytes] = field(default_factory=dict)
    line: int | None = None  # replay: the 1-based line of the file it came from


@dataclass(slots=True)
class OutRecord:
    topic: str  # without prefix
    key: bytes | None
    value: bytes | None  # None: a tombstone (compacted topics)
    headers: dict[str, bytes] | None = None


@dataclass
class BatchResult:
    """What to send; the driver commits input offsets (``commit_positions``) only after
    these are flushed."""

    sends: list[OutRecord] = field(default_factory=list)
    #: input partitions to read again from an offset (records the consumer skipped)
    seeks: list[tuple[Source, int]] = field(default_factory=list)


class StreamEngine:
    """State: ``store`` maps user id -> serialized ``UserState`` (a Faust table in the worker)."""

    def __init__(self, core: Core, store: MutableMapping[str, bytes], max_wait_ms: float = 500.0,
                 gap_wait_ms: float = 2000.0, start: Callable[[Source], int | None] = lambda s: None,
                 max_per_tick: int | None = None, dedup: DedupMemory | None = None) -> None:
        self.core = core
        self.store = store
        #: event ids of the last 24 h, across users (the worker's persists to a changelog)
        self.dedup = dedup if dedup is not None else DedupMemory()
        self.merge = EventTimeMerge(TOPIC_RANK, max_wait_ms=max_wait_ms, gate_topics=(VENUES_TOPIC,))
        self.stats: Counter[str] = Counter()
        #: hands each partition's records once and in offset order to the merge
        self.sequencer = OffsetSequencer(gap_wait_ms=gap_wait_ms, start=start)
        self.watermark_ms: dict[int, int] = {}  # per partition: max event time released
        #: users with an open session: user id -> (partition, last event time); drives expiry
        self.open_users: dict[str, tuple[int, int]] = {}
        self._seed: deque[str] | None = None  # users of the recovered table still to look at
        self._expiring: deque[tuple[str, tuple[int, int]]] = deque()  # the current expiry round
        self.latencies_ms: list[float] = []  # of moments published since the last drain (metrics)
        #: released by the merge in order, not processed yet: a tick processes at most
        #: ``max_per_tick`` (a merge that waited for a lagging partition can release tens of
        #: thousands at once; the worker's event loop must not stop for seconds)
        self._ready: deque[tuple[str, Any, InRecord]] = deque()
        self._ready_offsets: dict[Source, deque[int]] = {}  # their offsets per input partition
        self.max_per_tick = max_per_tick
        #: records the merge holds per input partition (flow control: ``held``)
        self._held: Counter[Source] = Counter()
        #: per partition number: the latest event time handed to the merge (an erase request's time)
        self._pushed_ms: dict[int, int] = {}

    # --- input ---------------------------------------------------------------------------------

    def ingest(self, records: list[InRecord], caught_up: Callable[[Source], bool], now_ms: float) -> BatchResult:
        for rec in records:
            self.sequencer.offer((rec.topic, rec.partition), rec.offset, rec, now_ms)
        return self.tick(caught_up, now_ms)

    def tick(self, caught_up: Callable[[Source], bool], now_ms: float) -> BatchResult:
        """Take what the sequencer hands out, release what the merge allows (also on a timer)."""
        result = BatchResult()
        for rec in self.sequencer.ready(now_ms):
            self._accept(rec, result)
        result.seeks = self.sequencer.seeks()
        limit = self.max_per_tick
        ready = self._ready
        if limit is None or len(ready) < limit:
            released = self.merge.release(caught_up, now_ms)
            held, offsets = self._held, self._ready_offsets
            for item in released:
                rec = item[2]
                src = (rec.topic, rec.partition)
                held[src] -= 1
                dq = offsets.get(src)
                if dq is None:
                    dq = offsets[src] = deque()
                dq.append(rec.offset)
            ready.extend(released)
        batch = [ready.popleft() for _ in range(len(ready) if limit is None else min(limit, len(ready)))]
        offsets = self._ready_offsets
        for item in batch:
            offsets[(item[2].topic, item[2].partition)].popleft()
        self._process(batch, result)
        return result

    def held(self) -> Counter[Source]:
        """Records the merge holds per input partition: a partition far ahead of the others in
        event time piles up here (the worker stops fetching it for a while)."""
        return self._held

    def backlog(self) -> int:
        """Records released by the merge but not processed yet (see ``max_per_tick``)."""
        return len(self._ready)

    def waiting(self) -> int:
        return len(self.merge) + self.sequencer.pending() + len(self._ready)

    def position(self, source: Source) -> int | None:
        """The next offset of ``source`` to be read: all before it are in the merge or done."""
        return self.sequencer.position(source)

    def commit_positions(self) -> dict[Source, int]:
        """Per input partition, the offset up to which everything is done (the Kafka commit):
        the oldest record the merge still holds, else the sequencer's position."""
        held = {src: item[2].offset for src, item in self.merge.oldest_held().items()}
        for src, offsets in self._ready_offsets.items():  # released, not processed: older still
            if offsets:
                held[src] = offsets[0]
        return {src: held.get(src, pos) for src, pos in self.sequencer.positions().items()}

    def forget_held(self) -> None:
        """Drop records not yet processed (after a rebalance they are read again)."""
        self.merge.clear()
        self.sequencer.clear()
        self._ready.clear()
        self._ready_offsets.clear()
        self._held.clear()

    def _accept(self, rec: InRecord, result: BatchResult) -> None:
        if rec.topic == VENUES_TOPIC:
            self._venue(rec, result)
            return
        if rec.topic == CONTROL_TOPIC:
            self._control(rec, result)
            return
        rekeyed = rec.topic == REKEYED_TOPIC
        source_topic = rec.topic
        if rekeyed:
            source_topic = rec.headers.get(SOURCE_HEADER, b"").decode("utf-8", "replace").split("/")[0]
        else:
            self.stats[f"in:{rec.topic}"] += 1
        msg = decode(source_topic, rec.value, rec.key)
        if isinstance(msg, Rejection):
            self._dlq(rec, source_topic, msg, result)
            return
        user_key = msg.user_id.encode("utf-8")
        if not rekeyed and rec.key != user_key:
            # the state of a user lives in the partition of its id: move the record there
            src = f"{rec.topic}/{rec.partition}/{rec.offset}".encode()
            result.sends.append(OutRecord(REKEYED_TOPIC, user_key, rec.value or b"", {SOURCE_HEADER: src}))
            self.stats["rekeyed"] += 1
            return
        self.merge.push((rec.topic, rec.partition), msg.ts, (source_topic, msg, rec))
        self._held[(rec.topic, rec.partition)] += 1
        if msg.ts > self._pushed_ms.get(rec.partition, 0):
            self._pushed_ms[rec.partition] = msg.ts

    def _control(self, rec: InRecord, result: BatchResult) -> None:
        """Operator requests; ``erase`` forgets everything the pipeline keeps about a user. It
        goes through the merge at the event time of what its partition brought before it, so the
        user's events read before the request are processed first (else they would bring the
        state back), and later ones start afresh."""
        req = EraseRequest.parse(rec.value)
        if req is None:
            self.stats["control_ignored"] += 1
            return
        self.merge.push((rec.topic, rec.partition), self._pushed_ms.get(rec.partition, 0), (CONTROL_TOPIC, req, rec))
        self._held[(rec.topic, rec.partition)] += 1

    def _erase(self, user_id: str, touched: dict[str, UserState], result: BatchResult) -> None:
        existed = self.store.pop(user_id, None) is not None or user_id in touched
        if existed:  # the profile goes too: a tombstone on the compacted topic
            result.sends.append(OutRecord(PROFILES_TOPIC, user_id.encode("utf-8"), None))
        self.open_users.pop(user_id, None)
        touched.pop(user_id, None)  # not written back at the end of the batch
        self.stats["erased"] += 1

    def metrics_row(self, worker: str, now_ms: float) -> OutRecord | None:
        """The model's running quality for the analysts' ``model_metrics`` table."""
        detector = self.core.detector
        quality = quality_of(detector)
        if quality is None:
            return None
        row = ModelMetrics(ts_ms=int(now_ms), worker=worker, model=detector.name, version=str(detector.version),
                           **quality, processed=self.stats["processed"])
        return OutRecord(ANALYTICS_METRICS_TOPIC, worker.encode(), orjson.dumps(row.model_dump()))

    def _dlq(self, rec: InRecord, source_topic: str, rej: Rejection, result: BatchResult) -> None:
        partition, offset = rec.partition, rec.offset
        if rec.topic == REKEYED_TOPIC:  # point at the original record, not our copy
            _, part, off = (rec.headers.get(SOURCE_HEADER, b"//").decode().split("/") + ["", ""])[:3]
            partition, offset = _int_or_none(part), _int_or_none(off)
        value = dlq_record(rej, source_topic or rec.topic, partition, offset, rec.key, rec.value, rec.timestamp_ms,
                           rec.line)
        result.sends.append(OutRecord(DLQ_TOPIC, rec.key, value))
        self.stats["dlq"] += 1
        self.stats[f"dlq:{rej.reason}"] += 1

    # --- processing ----------------------------------------------------------------------------

    def _process(self, released: list[tuple[str, Any, InRecord]], result: BatchResult) -> None:
        touched: dict[str, UserState] = {}
        dedup = self.dedup
        learn = self.core.learn
        digests = [digest(msg.event_id) if topic != CONTROL_TOPIC else 0 for topic, msg, _ in released]
        known = dedup.known(digests)  # the older digests, one vectorised search for the batch
        for i, (source_topic, msg, rec) in enumerate(released):
            if source_topic == CONTROL_TOPIC:
                self._erase(msg.user_id, touched, result)
                continue
            if dedup.add(digests[i], msg.ts, rec.partition, known[i]):
                self.stats["duplicate"] += 1
                continue
            state = touched.get(msg.user_id)
            if state is None:
                state = touched[msg.user_id] = self.load(msg.user_id)
            idle = self.open_users.get(msg.user_id)
            now = self.watermark_ms.get(rec.partition, 0)
            if idle is not None and now - idle[1] > SESSION_GAP_MS:
                # the expiry round closes this session at the same stream time, but when it runs is
                # up to the driver's timer: closing it here first makes the records (the profile
                # without its moment) the same whether the round came before this message or not
                self._expire_user(msg.user_id, state, now, result)
            learn.position = (rec.topic, rec.partition, rec.offset)  # for the shared learner
            outcome = self.core.handle(source_topic, msg, state, rec.timestamp_ms)
            self.stats[outcome.status] += 1
            if msg.ts > self.watermark_ms.get(rec.partition, 0):
                self.watermark_ms[rec.partition] = msg.ts
            if state.last_ms is not None:
                self.open_users[msg.user_id] = (rec.partition, state.last_ms)
            key = msg.user_id.encode("utf-8")
            for m in outcome.moments:
                self.stats[f"moment:{m.moment}"] += 1
                self.latencies_ms.append(m.latency_ms)
                payload = m.model_dump_json().encode()  # pydantic's serializer: no dict copy
                result.sends.append(OutRecord(moment_topic(m.moment), key, payload))
                if outcome.analytics:
                    result.sends.append(OutRecord(ANALYTICS_MOMENTS_TOPIC, key, payload))
            if outcome.event_row is not None:
                result.sends.append(OutRecord(ANALYTICS_EVENTS_TOPIC, key, orjson.dumps(outcome.event_row)))
            for row in outcome.closed_sessions:
                result.sends.append(OutRecord(ANALYTICS_SESSIONS_TOPIC, key, orjson.dumps(row)))
            if outcome.contact is not None:
                result.sends.append(OutRecord(ANALYTICS_CONTACTS_TOPIC, key, outcome.contact.model_dump_json().encode()))
            if outcome.profile is not None:
                self._send_profile(key, outcome.profile, result,
                                   {CAUSE_HEADER: msg.event_id.encode("utf-8", "surrogatepass")})
        for user_id, state in touched.items():
            self.store[user_id] = state.to_json()
        dedup.end_batch()
        if isinstance(learn, SharedLearning):  # the examples go to the one learner
            result.sends.extend(OutRecord(LEARN_TOPIC, None, payload) for payload in learn.take())

    def expire_sessions(self, budget: int | None = None) -> BatchResult:
        """Close sessions idle for more than the gap at their partition's stream time
        (max event time seen), and emit them for the ``sessions`` table.

        With a ``budget`` one call does a slice of the work (a user checked costs 1, a state
        loaded 50) and ``expiring()`` tells whether the round goes on: a round over 100k open
        sessions, or the recovered table after a restart, must not stop the worker for seconds."""
        result = BatchResult()
        left = budget if budget is not None else -1
        if self._seed is None:  # after a restart: sessions that were open in the recovered table
            self._seed = deque(self.store)
        while self._seed and left != 0:
            user_id = self._seed.popleft()
            state = self.load(user_id)
            if state.last_ms is not None and state.current and not state.sessions[state.current].closed:
                self.open_users.setdefault(user_id, (-1, state.last_ms))
            left = max(0, left - 50) if budget is not None else left
        if self._seed:
            return result
        if not self._expiring:  # a new round: every user with an open session, as of now
            self._expiring = deque(self.open_users.items())
        stream_time = max(self.watermark_ms.values(), default=0)
        while self._expiring and left != 0:
            user_id, _ = self._expiring.popleft()
            left = max(0, left - 1) if budget is not None else left
            entry = self.open_users.get(user_id)
            if entry is None:
                continue
            partition, last_ms = entry
            now = self.watermark_ms.get(partition, stream_time)
            if now - last_ms <= SESSION_GAP_MS:
                continue
            state = self.load(user_id)
            if self._expire_user(user_id, state, now, result):
                self.store[user_id] = state.to_json()
            left = max(0, left - 50) if budget is not None else left
        return result

    def _expire_user(self, user_id: str, state: UserState, now: int, result: BatchResult) -> bool:
        """Close the user's idle session at stream time ``now``; True if the state changed."""
        self.open_users.pop(user_id, None)
        rows, profile = self.core.expire(state, now)
        key = user_id.encode("utf-8")
        if rows:
            result.sends += [OutRecord(ANALYTICS_SESSIONS_TOPIC, key, orjson.dumps(r)) for r in rows]
            self.stats["sessions_closed"] += len(rows)
        if profile is not None:
            self._send_profile(key, profile, result)
        return bool(rows) or profile is not None

    def _send_profile(self, key: bytes, profile: dict[str, Any], result: BatchResult,
                      headers: dict[str, bytes] | None = None) -> None:
        self.stats["profiles"] += 1
        result.sends.append(OutRecord(PROFILES_TOPIC, key, orjson.dumps(profile), headers))

    def expiring(self) -> bool:
        """A round of ``expire_sessions`` is not finished yet."""
        return bool(self._seed or self._expiring)

    def load(self, user_id: str) -> UserState:
        raw = self.store.get(user_id)
        return UserState.from_dict(orjson.loads(raw)) if raw else UserState(user_id)

    def _venue(self, rec: InRecord, result: BatchResult) -> None:
        """A record of the compacted venues topic: upsert, tombstone or DLQ. Applied at
        once (the worker's venue follower applies it too: upserts are idempotent); the
        merge holds events back until the venues are caught up."""
        self.stats[f"in:{VENUES_TOPIC}"] += 1
        msg = decode(VENUES_TOPIC, rec.value, rec.key)
        if isinstance(msg, Rejection):
            self._dlq(rec, VENUES_TOPIC, msg, result)
        else:
            self.core.apply_venue(msg)
            self.stats["venues"] += 1


def dlq_record(rej: Rejection, source_topic: str | None, partition: int | None, offset: int | None,
               key: bytes | None, value: bytes | None, received_ms: float, line: int | None = None) -> bytes:
    """The DLQ record of a rejected input (the worker's and replay's), serialized."""
    record = DlqRecord(reason=rej.reason, detail=rej.detail, source_topic=source_topic, partition=partition,
                       offset=offset, line=line, key_b64=DlqRecord.b64(key), value_b64=DlqRecord.b64(value),
                       received_at=format_ts(received_ms))
    return orjson.dumps(record.model_dump(mode="json"))


def _int_or_none(text: str) -> int | None:
    return int(text) if text.isdigit() else None
