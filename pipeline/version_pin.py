"""Which shared-model version decided which records: named in the commits, so that a record read
again after a crash is decided with the version that decided it before.

A worker on the shared model (``pipeline.model_log``) changes versions only at a commit, and
every commit names, in each input partition's commit metadata, the version that decides the
records after the committed offset:

1. after an assignment, before its first batch, the worker reads the committed offsets and
   their metadata (``choose``): a partition whose previous owner may have decided records past
   its commit (a crash: the metadata is not ``final``) names the version to decide with; the
   worker goes back to it if it holds another one (``ModelFollower.rewind``), and commits every
   assigned partition at its committed offset naming that version. It keeps that version until
   it has decided those partitions up to their end offsets at that moment: the crashed owner
   cannot have decided a record past them;
2. a switch to newer versions happens between two batches: the versions read since are applied,
   then a commit of every assigned partition names the new version — nothing is decided with it
   before that commit's snapshot, so the records before the offsets were decided with the old
   one, those after it with the new one; if the commit fails, step 1 runs again before the next
   batch (the offsets still name the old version);
3. the commits between switches name the same version; the last commit when partitions are
   revoked or the worker stops is ``final``: nothing past it was decided.

Re-sent moments therefore equal the first ones, and replaying a moment's version gives its
scores, across crashes and takeovers. The limit: partitions taken over from two crashed workers
that decided with different versions; the newest is taken and ``model_pin_conflicts`` counts the
partitions whose re-read records may be decided otherwise (docs/RELIABILITY.md).

>>> meta = encode((2, 41), final=False)
>>> meta, decode(meta)
('{"model":[2,41],"final":false}', ((2, 41), False))
>>> choose({"a": meta, "b": encode((2, 40), final=True), "c": ""})
((2, 41), ['a'], 0)
>>> choose({"b": encode((2, 40), final=True), "c": ""})   # nothing decided past the commits: any version
(None, [], 0)
>>> choose({"a": meta, "d": encode((3, 12), final=False)})
((3, 12), ['a', 'd'], 1)
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeVar

import orjson

from pipeline.model_log import Version

K = TypeVar("K")


def encode(version: Version, final: bool) -> str:
    """The commit metadata naming ``version`` (``final``: nothing past the offset was decided)."""
    return orjson.dumps({"model": list(version), "final": final}).decode()


def decode(metadata: str | None) -> tuple[Version, bool] | None:
    """``(version, final)`` from commit metadata; None if it names none (another mode, no commit)."""
    try:
        data = orjson.loads(metadata or "")
        epoch, seq = data["model"]
        return (int(epoch), int(seq)), bool(data.get("final", False))
    except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
        return None


def choose(metadata: Mapping[K, str | None]) -> tuple[Version | None, list[K], int]:
    """After an assignment, from each partition's commit metadata: the version to decide with
    (None: any, the newest is best), the partitions whose records past the commit may have been
    decided already, and how many of those name another version (they may be decided otherwise)."""
    named = {k: d[0] for k, d in ((k, decode(m)) for k, m in metadata.items()) if d is not None and not d[1]}
    if not named:
        return None, [], 0
    newest = max(named.values())
    return newest, list(named), sum(1 for v in named.values() if v != newest)
