"""Event-time merge of co-partitioned input topics.

A user's clicks, searches, positions and feedback arrive on different topics,
so Kafka gives no order between them. The worker buffers each input partition
and releases, per partition number, the earliest head (event time, then topic
rank) once every source of that partition either has a head or is caught up
(nothing more to read). That is a k-way merge: for data already in Kafka the
order does not depend on fetch timing, so the worker decides in the same order
as ``replay`` does over a file sorted by event time. ``max_wait_ms`` bounds how
long a lagging source may hold the others back (live traffic, broken sources).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable
from typing import Any

Source = tuple[str, int]  # (topic, partition)


class EventTimeMerge:
    """Buffers items per source and releases them in event-time order.

    >>> m = EventTimeMerge(rank={"a": 0, "b": 1}, max_wait_ms=1000)
    >>> m.assign([("a", 0), ("b", 0)])
    >>> m.push(("a", 0), 20, "a20"); m.push(("a", 0), 30, "a30"); m.push(("b", 0), 25, "b25")
    >>> m.release(caught_up=lambda s: False, now_ms=0)   # a30 waits: b may still bring earlier events
    ['a20', 'b25']
    >>> m.release(caught_up=lambda s: True, now_ms=0)
    ['a30']
    """

    def __init__(self, rank: dict[str, int], max_wait_ms: float = 500.0, gate_topics: tuple[str, ...] = ()) -> None:
        self.rank = rank
        #: topics whose partitions must be caught up before anything is released (reference data)
        self.gate_topics = gate_topics
        self._gates: list[Source] = []
        self.max_wait_ms = max_wait_ms
        self._buffers: dict[Source, deque[tuple[int, Any]]] = {}
        self._groups: dict[int, list[Source]] = {}
        self._blocked_since: dict[int, float] = {}
        #: items released while a source was still lagging (order may then differ from replay)
        self.forced = 0

    def assign(self, sources: Iterable[Source]) -> None:
        """Add sources (assigned topic partitions). Buffers are never dropped here: only
        ``clear`` (on revocation) may drop held items, which are then read again."""
        sources = list(sources)
        self._gates = sorted(set(self._gates) | {s for s in sources if s[0] in self.gate_topics})
        keep = set(self._buffers) | {s for s in sources if s[0] in self.rank}
        self._buffers = {s: self._buffers.get(s, deque()) for s in keep}
        self._groups = {}
        for s in sorted(keep):
            self._groups.setdefault(s[1], []).append(s)
        self._blocked_since.clear()

    def clear(self) -> None:
        """Forget every source and held item (partitions revoked: they are read again)."""
        self._buffers, self._groups, self._gates = {}, {}, []
        self._blocked_since.clear()

    def push(self, source: Source, ts_ms: int, item: Any) -> None:
        buf = self._buffers.get(source)
        if buf is None:  # a source we were not told about yet: take it in
            self.assign([*self._buffers, *self._gates, source])
            buf = self._buffers[source]
        buf.append((ts_ms, item))

    def oldest_held(self) -> dict[Source, Any]:
        """The first held item of each source that holds any."""
        return {s: b[0][1] for s, b in self._buffers.items() if b}

    def __len__(self) -> int:
        return sum(len(b) for b in self._buffers.values())

    def release(self, caught_up: Callable[[Source], bool], now_ms: float) -> list[Any]:
        """Every item that may go now, in order."""
        out: list[Any] = []
        for group, sources in self._groups.items():
            buffers = [(s, self._buffers[s]) for s in sources]
            while True:
                heads = [(b[0][0], self.rank[s[0]], s) for s, b in buffers if b]
                if not heads:
                    self._blocked_since.pop(group, None)
                    break
                waiting = any(not b and not caught_up(s) for s, b in buffers) or not all(
                    caught_up(g) for g in self._gates)
                if waiting:
                    since = self._blocked_since.setdefault(group, now_ms)
                    if now_ms - since < self.max_wait_ms:
                        break
                _, _, source = min(heads)
                out.append(self._buffers[source].popleft()[1])
                if waiting:
                    self.forced += 1
                else:
                    self._blocked_since.pop(group, None)
        return out
