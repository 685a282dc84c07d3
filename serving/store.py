"""The replica's local copy of the compacted ``profiles`` topic: SQLite on disk.

Each replica follows the whole topic (no consumer group: every replica has every profile) and
keeps the latest record per user together with the next offset of each partition in ONE
transaction, so a restarted replica goes on where it stopped instead of re-reading everything,
and a crash can never leave a profile newer or older than its offset says. A lookup is one
primary-key read (microseconds); memory stays small because the records live in the file and
SQLite's page cache, not in Python objects.

>>> store = ProfileStore(None)
>>> store.apply([("u1", b'{"user_id":"u1","version":1,"consent":{"personalization":true,"analytics":true}}')], {0: 1})
>>> store.get("u1")[:16], store.offsets(), len(store)
(b'{"user_id":"u1",', {0: 1}, 1)
>>> store.apply([("u1", None)], {0: 2}); store.get("u1") is None
True
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from pathlib import Path

import orjson

CONSENT_ONLY = ("user_id", "updated_at", "version", "consent")
SCHEMA_VERSION = "2"


def served(value: bytes) -> tuple[bytes, int]:
    """The bytes to answer with and the version: without personalization consent only the
    consent part, whatever an older writer put in the record (the contract's rule, kept here too)."""
    doc = orjson.loads(value)
    consent = doc.get("consent") or {}
    if consent.get("personalization") is False:
        doc = {k: doc[k] for k in CONSENT_ONLY if k in doc}
        value = orjson.dumps(doc)
    return value, int(doc.get("version") or 0)


class ProfileStore:
    """Latest profile per user and the next offset per partition (``path`` None: in memory)."""

    def __init__(self, path: Path | None, topic: str = "profiles") -> None:
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.db = sqlite3.connect(str(path) if path else ":memory:", isolation_level=None, check_same_thread=False)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")  # WAL: a power cut may lose the last commit, never corrupt
        found = dict(self._meta()) if self._has("meta") else {}
        if found and (found.get("topic") != topic or found.get("schema") != SCHEMA_VERSION):
            for table in ("profiles", "offsets", "meta"):  # another topic or layout: start over, never a mix
                self.db.execute(f"DROP TABLE IF EXISTS {table}")
        self.db.execute("CREATE TABLE IF NOT EXISTS profiles (user_id TEXT PRIMARY KEY, version INTEGER, "
                        "value BLOB, cause TEXT) WITHOUT ROWID")
        self.db.execute("CREATE TABLE IF NOT EXISTS offsets (partition INTEGER PRIMARY KEY, next INTEGER)")
        self.db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)")
        self.db.execute("INSERT OR REPLACE INTO meta VALUES ('topic', ?), ('schema', ?)", (topic, SCHEMA_VERSION))

    def _has(self, table: str) -> bool:
        return self.db.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (table,)).fetchone() is not None

    def _meta(self) -> list[tuple[str, str]]:
        return self.db.execute("SELECT key, value FROM meta").fetchall()

    def lookup(self, user_id: str) -> tuple[bytes, str | None] | None:
        """The profile and the event_id of the message that caused it (if one did)."""
        return self.db.execute("SELECT value, cause FROM profiles WHERE user_id = ?", (user_id,)).fetchone()

    def get(self, user_id: str) -> bytes | None:
        row = self.db.execute("SELECT value FROM profiles WHERE user_id = ?", (user_id,)).fetchone()
        return row[0] if row else None

    def version(self, user_id: str) -> int | None:
        row = self.db.execute("SELECT version FROM profiles WHERE user_id = ?", (user_id,)).fetchone()
        return row[0] if row else None

    def apply(self, records: Iterable[tuple], offsets: dict[int, int]) -> None:
        """Upsert (a value) or delete (a tombstone: erasure) each user, and move the offsets, atomically.
        A record is ``(user_id, value)`` or ``(user_id, value, cause_event_id)``."""
        last: dict[str, tuple[bytes | None, str | None]] = {}
        for user_id, value, *cause in records:
            last[user_id] = (value, cause[0] if cause else None)  # a user's last record in the batch counts
        deletes = [(u,) for u, (v, _) in last.items() if v is None]
        upserts = [(u, *reversed(served(v)), c) for u, (v, c) in last.items() if v is not None]
        with self.db:  # one transaction
            self.db.execute("BEGIN")
            self.db.executemany("DELETE FROM profiles WHERE user_id = ?", deletes)
            self.db.executemany("INSERT OR REPLACE INTO profiles VALUES (?, ?, ?, ?)", upserts)
            self.db.executemany("INSERT OR REPLACE INTO offsets VALUES (?, ?)", list(offsets.items()))

    def offsets(self) -> dict[int, int]:
        return dict(self.db.execute("SELECT partition, next FROM offsets").fetchall())

    def reset(self) -> None:
        """Forget everything (the topic was re-created or compacted past our position)."""
        with self.db:
            self.db.execute("BEGIN")
            self.db.execute("DELETE FROM profiles")
            self.db.execute("DELETE FROM offsets")

    def __len__(self) -> int:
        return self.db.execute("SELECT count(*) FROM profiles").fetchone()[0]

    def close(self) -> None:
        self.db.close()
