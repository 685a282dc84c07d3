"""The worker's input partitions as the engine sees them: what is assigned, where each one starts,
whether it is caught up, which ones are paused for flow control, and which fetched records are
still current (not from before a rebalance)."""

from __future__ import annotations

import logging
import time

import faust
from faust.types import TP

from pipeline import faust_adapter
from pipeline.engine import InRecord, StreamEngine
from pipeline.venue_follower import VenueFollower
from schemas.topics import CONTROL_TOPIC, EVENT_TOPICS, REKEYED_TOPIC, VENUES_TOPIC

log = logging.getLogger("micromoments.worker")

#: the topics the worker reads in its consumer group (their partitions are divided among workers);
#: the venues' partitions too, so that bad venue records reach the DLQ once
GROUP_TOPICS = frozenset((*EVENT_TOPICS, REKEYED_TOPIC, CONTROL_TOPIC, VENUES_TOPIC))

Source = tuple[str, int]


class InputPartitions:
    """Tracks the consumer's input partitions for the engine (names without ``prefix``)."""

    def __init__(self, app: faust.App, engine: StreamEngine, venues: VenueFollower, prefix: str,
                 batch_size: int) -> None:
        self.app = app
        self.engine = engine
        self.venues = venues
        self.prefix = prefix
        self.assignment: frozenset = frozenset()
        self.log_start: dict[TP, int] = {}  # earliest offset of each assigned partition (read at assignment)
        #: partitions this worker stopped fetching because the merge holds too many of their
        #: records; Faust pauses and resumes every partition around a rebalance itself
        self.paused: set[TP] = set()
        self.pause_above, self.resume_below = batch_size // 2, batch_size // 8

    def tp(self, source: Source) -> TP:
        return TP(self.prefix + source[0], source[1])

    def start_offset(self, source: Source) -> int | None:
        """The committed offset a partition is read from (known once Faust has sought to it)."""
        try:
            return faust_adapter.committed_offset(self.app, self.tp(source))
        except Exception:  # noqa: BLE001 - the consumer is not started yet
            return None

    def caught_up(self, source: Source) -> bool:
        """Nothing more to read on this partition right now (its end offset is reached)."""
        if source[0] == VENUES_TOPIC:  # every venue must be known before events are decided
            return self.venues.caught_up()
        tp = self.tp(source)
        try:
            end = self.app.consumer.highwater(tp)
        except Exception:  # noqa: BLE001 - not assigned (any more): nothing will come from it here
            return True
        if end is None:
            return False
        if end <= self.log_start.get(tp, -1):  # empty: nothing was ever there to read
            return True
        position = self.engine.position(source)
        if position is None:
            position = self.start_offset(source)
        return position is not None and position >= end

    async def sync_assignment(self) -> bool:
        """Tell the merge which partitions are assigned, after a rebalance changed them (True)."""
        current = frozenset(self.app.consumer.assignment())
        if current == self.assignment:
            return False
        self.assignment = current
        n = len(self.prefix)
        self.engine.merge.assign((tp.topic[n:], tp.partition) for tp in current if tp.topic.startswith(self.prefix))
        # without them an empty partition (nothing read, nothing committed, e.g. the re-keyed
        # topic) never counts as caught up, and the merge would wait ``merge_wait_ms``
        try:
            self.log_start.update(await self.app.consumer.earliest_offsets(*current))
        except Exception as exc:  # noqa: BLE001 - retried at the next assignment check
            self.assignment = frozenset()
            log.warning("could not read the log start offsets: %r", exc)
        return True

    def flow_control(self) -> None:
        """Stop fetching a partition that is far ahead of the others in event time: the merge
        holds its (decoded) records until the others catch up, and with a backlog at the broker
        that grew without bound (~500 MiB in the first seconds of 300k records)."""
        held = self.engine.held()
        n = len(self.prefix)
        pause = {self.tp((t, p)) for (t, p), count in held.items() if count > self.pause_above} - self.paused
        resume = {tp for tp in self.paused if held.get((tp.topic[n:], tp.partition), 0) < self.resume_below}
        if pause:
            self.app.consumer.pause_partitions(pause)
            self.paused.update(pause)
        if resume:
            self.app.consumer.resume_partitions(resume)
            self.paused.difference_update(resume)

    def forget(self) -> None:
        """After a rebalance: Faust resumes every partition and the assignment is read again."""
        self.paused.clear()
        self.assignment = frozenset()

    def current(self, generation: int, records: list) -> list[InRecord]:
        """Records of the current consumer generation, as ``InRecord``. A fetch made before a
        rebalance carries records of the old assignment: their partitions are read again from
        the committed offsets, so processing the stale copies too would skip ahead."""
        if generation != self.app.consumer_generation_id:
            self.engine.stats["stale_generation"] += len(records)
            return []
        n = len(self.prefix)
        now_ms = time.time() * 1000.0
        return [InRecord(r.topic[n:], r.partition, r.offset, r.key, r.value,
                         float(r.timestamp) if r.timestamp is not None else now_ms,
                         dict(r.headers) if r.headers else {}) for r in records]

    def group_partitions(self) -> list[TP]:
        """The assigned partitions of ``GROUP_TOPICS``: those whose offsets the worker commits."""
        n = len(self.prefix)
        return [tp for tp in self.assignment if tp.topic.startswith(self.prefix) and tp.topic[n:] in GROUP_TOPICS]

    def source(self, tp: TP) -> Source:
        return tp.topic[len(self.prefix):], tp.partition

    def assigned_inputs(self) -> int:
        """Input partitions of the group this worker owns (0 before the consumer starts)."""
        n = len(self.prefix)
        try:
            return sum(1 for tp in self.app.consumer.assignment()
                       if tp.topic.startswith(self.prefix) and tp.topic[n:] in GROUP_TOPICS)
        except Exception:  # noqa: BLE001 - the consumer is not started yet
            return 0
