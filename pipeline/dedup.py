"""The duplicate memory: event ids seen in the last 24 h of event time, across users.

The contract (``../shared/DESIGN.md``): ``event_id`` is unique across all input topics and a
duplicate is recognised for at least 24 h of event time, whoever it names as its user. So the
memory is keyed by the event id alone, not kept per user (a user's own memory grew with every
event of a bot and went to the changelog with the user's state at every commit).

It holds 64-bit digests of event ids (no user id, nothing a person could be found by), compact:

- ``fresh``: a dict of the digests of the current hour of event time (at most ``fresh_max``);
- ``runs``: sorted ``numpy.uint64`` arrays of older digests, 8 bytes each, merged while they
  cover the same ``EPOCH_HOURS`` (few arrays to search, each still dropped soon after its
  newest digest left the window). A batch is checked against them in one vectorised
  ``searchsorted`` per run (``known``); events then one by one against ``fresh`` (``add``).

A run is dropped once its newest digest is more than ``window_ms`` older than the newest event
time seen, so every digest is kept for at least the window (its run at most ``EPOCH_HOURS``
longer). With ``persist`` it also returns what is new as changelog records (``take``): one
record per input partition and hour of event time, keyed ``\\xff<partition>:<hour>:<token>``
(0xff never starts a UTF-8 user id), tombstoned when its hour left the window; ``absorb`` reads
them back after a restart. Each digest goes to the changelog once: 8 bytes per event.

>>> memory = DedupMemory()
>>> hour = 3_600_000
>>> [memory.seen("e1", 10 * hour, 0), memory.seen("e1", 10 * hour, 0), memory.seen("e2", 11 * hour, 1)]
[False, True, False]
>>> memory.end_batch()       # a new hour began: the older digests became a run
>>> len(memory.runs), memory.seen("e1", 12 * hour, 2)
(1, True)
>>> memory.seen("e3", 40 * hour, 0); memory.end_batch()   # 24 h later: e1 is forgotten
False
>>> memory.seen("e1", 40 * hour, 0)
False
"""

from __future__ import annotations

import hashlib
import os
from array import array
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

DEDUP_WINDOW_MS = 24 * 3600 * 1000  # duplicates are recognised for at least 24 h of event time
HOUR_MS = 3600 * 1000
EPOCH_HOURS = 6  # runs are merged only within the same 6 hours (a run expires at most that late)
CHUNK_PREFIX = b"\xff"  # changelog keys of the duplicate memory (never the UTF-8 of a user id)


def digest(event_id: str) -> int:
    """The 64-bit digest of an event id (stable across processes: it goes to the changelog)."""
    return int.from_bytes(hashlib.blake2b(event_id.encode("utf-8", "surrogatepass"), digest_size=8).digest(), "little")


def chunk_partition(key: bytes) -> int:
    """The input partition a changelog record of the memory belongs to (from its key)."""
    return int(key[1:].split(b":", 1)[0])


@dataclass(slots=True)
class Run:
    digests: np.ndarray  # sorted uint64
    newest_hour: int


class DedupMemory:
    """Event-id digests of the last ``window_ms`` of event time; see the module's docstring."""

    def __init__(self, window_ms: int = DEDUP_WINDOW_MS, fresh_max: int = 65_536, persist: bool = False) -> None:
        self.window_ms = window_ms
        self.fresh_max = fresh_max
        self.persist = persist
        self.fresh: dict[int, int] = {}  # digest -> hour of event time
        self.fresh_hour: int | None = None  # the hour the fresh digests began in
        self.runs: list[Run] = []
        self.max_ts = 0  # the newest event time seen
        #: (partition, hour) -> digests added since the last ``take`` (``persist`` only)
        self.pending: dict[tuple[int, int], array] = {}
        self.chunks: dict[int, list[bytes]] = {}  # hour -> changelog keys written (their tombstones)
        self._tombstones: list[bytes] = []
        self._token = os.urandom(4).hex()  # changelog keys are unique across processes
        self._n = 0

    # --- checking ------------------------------------------------------------------------------

    def known(self, digests: Sequence[int]) -> list[bool]:
        """For each digest: is it in one of the runs? (one vectorised search per run)"""
        if not self.runs or not digests:
            return [False] * len(digests)
        query = np.fromiter(digests, dtype=np.uint64, count=len(digests))
        found = np.zeros(len(query), dtype=bool)
        for run in self.runs:
            idx = np.searchsorted(run.digests, query)
            np.minimum(idx, len(run.digests) - 1, out=idx)
            found |= run.digests[idx] == query
        return found.tolist()

    def add(self, d: int, ts_ms: int, partition: int, known: bool = False) -> bool:
        """Remember digest ``d`` of an event at ``ts_ms`` read from ``partition``; True if it is a
        duplicate (``known``: ``known()`` found it in a run)."""
        if known or d in self.fresh:
            return True
        hour = ts_ms // HOUR_MS
        self.fresh[d] = hour
        if self.fresh_hour is None:
            self.fresh_hour = hour
        if ts_ms > self.max_ts:
            self.max_ts = ts_ms
        if self.persist:
            chunk = self.pending.get((partition, hour))
            if chunk is None:
                chunk = self.pending[(partition, hour)] = array("Q")
            chunk.append(d)
        return False

    def seen(self, event_id: str, ts_ms: int, partition: int = 0) -> bool:
        """One event: True if its id was seen within the window (else it is remembered)."""
        d = digest(event_id)
        return self.add(d, ts_ms, partition, self.known([d])[0])

    # --- upkeep --------------------------------------------------------------------------------

    def end_batch(self) -> None:
        """After a batch: the fresh digests become a run once they are many or a new hour of
        event time began; runs out of the window go."""
        newest = self.max_ts // HOUR_MS
        if self.fresh and (len(self.fresh) >= self.fresh_max or newest > self.fresh_hour):
            self._freeze()
        horizon = (self.max_ts - self.window_ms) // HOUR_MS  # runs newer than this hour stay
        if any(r.newest_hour < horizon for r in self.runs):
            self.runs = [r for r in self.runs if r.newest_hour >= horizon]
        for hour in [h for h in self.chunks if h < horizon]:
            self._tombstones += self.chunks.pop(hour)

    def _freeze(self) -> None:
        digests = np.fromiter(self.fresh.keys(), dtype=np.uint64, count=len(self.fresh))
        digests.sort()
        self._insert(Run(digests, max(self.fresh.values())))
        self.fresh = {}
        self.fresh_hour = None

    def _insert(self, run: Run) -> None:
        """Add a run; merge the last two while they are of similar size and the same epoch."""
        self.runs.append(run)
        runs = self.runs
        while (len(runs) >= 2 and runs[-1].newest_hour // EPOCH_HOURS == runs[-2].newest_hour // EPOCH_HOURS
               and 2 * len(runs[-1].digests) >= len(runs[-2].digests)):
            b, a = runs.pop(), runs.pop()
            merged = np.concatenate((a.digests, b.digests))
            merged.sort(kind="stable")
            runs.append(Run(merged, max(a.newest_hour, b.newest_hour)))

    def __len__(self) -> int:
        return len(self.fresh) + sum(len(r.digests) for r in self.runs)

    def nbytes(self) -> int:
        """Approximate memory: the runs' arrays plus ~100 bytes per fresh digest (dict + int)."""
        return sum(r.digests.nbytes for r in self.runs) + 100 * len(self.fresh)

    # --- the changelog -------------------------------------------------------------------------

    def take(self) -> list[tuple[bytes, bytes | None]]:
        """Changelog records for what was added since the last call, and tombstones of chunks
        whose hour left the window. Called by the commit after the batches' results are on the
        broker (a digest marks its event as done)."""
        out: list[tuple[bytes, bytes | None]] = [(k, None) for k in self._tombstones]
        self._tombstones = []
        for (partition, hour), chunk in self.pending.items():
            self._n += 1
            key = b"%s%d:%d:%s%d" % (CHUNK_PREFIX, partition, hour, self._token.encode(), self._n)
            self.chunks.setdefault(hour, []).append(key)
            out.append((key, chunk.tobytes()))
        self.pending = {}
        return out

    def absorb(self, records: Iterable[tuple[bytes, bytes]]) -> int:
        """Digests from changelog records (a recovered table); returns how many were read."""
        n = 0
        hours: dict[int, list[bytes]] = {}
        newest = -1
        for key, value in records:
            hour = int(key[1:].split(b":", 2)[1])
            hours.setdefault(hour, []).append(value)
            self.chunks.setdefault(hour, []).append(key)
        for hour in sorted(hours):  # one run per hour, as if frozen in order
            digests = np.frombuffer(b"".join(hours[hour]), dtype=np.uint64).copy()
            digests.sort()
            n += len(digests)
            self._insert(Run(digests, hour))
            newest = max(newest, hour)
        if newest >= 0:
            self.max_ts = max(self.max_ts, newest * HOUR_MS)
        return n
