"""The engine's store of user states over the worker's Faust table (``users``)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, MutableMapping


class UserStore(MutableMapping):
    """The engine's str-keyed store over the bytes-keyed Faust table. Writes wait in ``pending``
    until ``save()``, which the commit calls once the results of the batches so far are delivered:
    a state written first (its changelog goes out as soon as it is set) marks the batch's records
    as duplicates, so after a crash before the results were sent, they were never sent (seen with
    kill -9: moments and analytics rows lost, tests/test_faults.py). Between two commits a user's
    writes coalesce to one.

    The table is written around Faust's ``Table.__setitem__``: that path queues each changelog
    record in Faust's ``send_soon`` buffer, drained one message at a time, and stops the consumer
    while it holds more than ~100 (FAUST-NOTES pitfall 5; "producer buffer full"). ``save`` sets
    the in-memory store and returns the changelog records, which the commit sends with the
    producer like any other output (same topic, key and partitioner as Faust's changelog).

    >>> table = {b"u1": b"old"}
    >>> store = UserStore(lambda: table)
    >>> store["u1"], "u2" in store
    (b'old', False)
    >>> store["u1"] = b"new"; store["u2"] = b"two"; del store["u2"]
    >>> table[b"u1"], store["u1"], sorted(store)
    (b'old', b'new', ['u1'])
    >>> store.save(), table
    ([(b'u1', b'new'), (b'u2', None)], {b'u1': b'new'})
    """

    def __init__(self, data: Callable[[], MutableMapping[bytes, bytes]]) -> None:
        self._data = data  # the table's in-memory store (``faust_adapter.table_store``)
        self.pending: dict[str, bytes | None] = {}  # None: deleted

    def __getitem__(self, user_id: str) -> bytes:
        value = self.pending[user_id] if user_id in self.pending else self._data().get(user_id.encode("utf-8"))
        if value is None:
            raise KeyError(user_id)
        return value

    def __setitem__(self, user_id: str, value: bytes) -> None:
        self.pending[user_id] = value

    def __delitem__(self, user_id: str) -> None:
        if user_id not in self:
            raise KeyError(user_id)
        self.pending[user_id] = None

    def __iter__(self) -> Iterator[str]:
        keys = {k.decode("utf-8") for k in self._data()} | self.pending.keys()
        return (k for k in keys if self.pending.get(k, b"") is not None)

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def save(self) -> list[tuple[bytes, bytes | None]]:
        """Apply the pending writes to the table's store; returns their changelog records."""
        data = self._data()
        out = []
        for user_id, value in self.pending.items():
            key = user_id.encode("utf-8")
            if value is None:
                data.pop(key, None)
            else:
                data[key] = value
            out.append((key, value))
        self.pending.clear()
        return out
