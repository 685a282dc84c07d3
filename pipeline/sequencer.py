"""Each input partition's records exactly once and in offset order.

Faust's consumer may deliver a partition's records more than once or with
holes around start-up and rebalances: records fetched before the seek to the
committed offsets, then the same range again (seen here: offsets 809..1065,
then 1073.., then 809.. again). The sequencer hands a record to processing only
when every earlier offset has been handed out; copies of handed-out offsets
are dropped. Faust also drops fetched records without reading them again (its
flow control pauses around table recovery: seen here as a hole of ~120 offsets
per partition that never filled). So a hole that persists for ``gap_wait_ms``
is first asked for again (``seeks``: the driver seeks the consumer back to it);
only if it persists after that is it a real gap (compacted or transactional
topics) and skipped.

>>> seq = OffsetSequencer(gap_wait_ms=1000, start=lambda s: 5)
>>> for off in (7, 5, 5, 6):
...     seq.offer(("t", 0), off, f"r{off}", now_ms=0)
>>> seq.ready(now_ms=0), seq.position(("t", 0))
(['r5', 'r6', 'r7'], 8)
>>> seq.offer(("t", 0), 10, "r10", now_ms=0); seq.ready(now_ms=500)
[]
>>> seq.ready(now_ms=1500), seq.seeks()      # offsets 8 and 9 are asked for again
([], [(('t', 0), 8)])
>>> seq.ready(now_ms=3000)                    # still missing: a real gap
['r10']
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Source = tuple[str, int]


class OffsetSequencer:
    def __init__(self, gap_wait_ms: float = 2000.0, start: Callable[[Source], int | None] = lambda s: None) -> None:
        self.gap_wait_ms = gap_wait_ms
        self.start = start  # the committed offset a partition is read from, once known
        self._next: dict[Source, int] = {}
        self._pending: dict[Source, dict[int, Any]] = {}
        self._waiting_since: dict[Source, float] = {}
        self.duplicates = 0
        self.gaps_skipped = 0
        self._asked: dict[Source, int] = {}  # per partition: the hole start asked for again
        self._seeks: list[tuple[Source, int]] = []

    def offer(self, source: Source, offset: int, record: Any, now_ms: float) -> None:
        nxt = self._next.get(source)
        if nxt is not None and offset < nxt:
            self.duplicates += 1
            return
        pending = self._pending.setdefault(source, {})
        if offset in pending:
            self.duplicates += 1
            return
        pending[offset] = record
        self._waiting_since.setdefault(source, now_ms)

    def ready(self, now_ms: float) -> list[Any]:
        """Records that may be processed now, in offset order per partition."""
        out: list[Any] = []
        for source, pending in self._pending.items():
            if not pending:
                continue
            nxt = self._next.get(source)
            if nxt is None:
                nxt = self.start(source)
                if nxt is None and now_ms - self._waiting_since.get(source, now_ms) < self.gap_wait_ms:
                    continue  # where this partition starts is not known yet
                nxt = min(pending) if nxt is None else nxt
            while True:
                while nxt in pending:
                    out.append(pending.pop(nxt))
                    nxt += 1
                if not pending:
                    self._waiting_since.pop(source, None)
                    break
                if nxt > min(pending):  # below the start: copies of what was done before
                    self.duplicates += sum(1 for o in list(pending) if o < nxt and pending.pop(o) is not None)
                    continue
                since = self._waiting_since.setdefault(source, now_ms)
                if now_ms - since < self.gap_wait_ms:
                    break
                if self._asked.get(source) != nxt:  # first read it again from Kafka
                    self._asked[source] = nxt
                    self._seeks.append((source, nxt))
                    self._waiting_since[source] = now_ms
                    break
                self.gaps_skipped += min(pending) - nxt
                nxt = min(pending)
                self._waiting_since[source] = now_ms
            self._next[source] = nxt
        return out

    def seeks(self) -> list[tuple[Source, int]]:
        """Partitions to read again from an offset (holes that persisted); taken once."""
        out, self._seeks = self._seeks, []
        return out

    def position(self, source: Source) -> int | None:
        """The next offset to hand out: every earlier one has been."""
        return self._next.get(source)

    def pending(self) -> int:
        return sum(len(p) for p in self._pending.values())

    def positions(self) -> dict[Source, int]:
        return dict(self._next)

    def clear(self) -> None:
        self._next.clear()
        self._pending.clear()
        self._waiting_since.clear()
        self._asked.clear()
        self._seeks.clear()
