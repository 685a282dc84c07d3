"""API keys of ``micromoments serve``: created by ops, stored only as hashes, checked in constant
time, picked up by a running server without a restart (rotation: create the new key, move the
callers, revoke the old one).

A key is 256 random bits (``mm_`` + URL-safe base64). Such a key cannot be guessed or found by
brute force from its hash, so one SHA-256 is enough (a slow password hash protects short human
passwords, not random keys); the file holds name, hash and creation time, never the key.

>>> import tempfile, pathlib
>>> keys = KeyFile(pathlib.Path(tempfile.mkdtemp()) / "keys.json")
>>> secret = keys.create("call-center")
>>> keys.check(secret), keys.check(secret + "x"), keys.check("")
('call-center', None, None)
>>> keys.revoke("call-center"); keys.check(secret) is None
True
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import time
from pathlib import Path

PREFIX = "mm_"
RELOAD_EVERY_S = 1.0  # a revoked key stops working within this time


class KeyError_(ValueError):
    """A keys command that cannot be done (the message says why)."""


def digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


class KeyFile:
    """The keys file (JSON, mode 0600, written atomically) and the check against it."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._entries: list[tuple[str, bytes]] = []
        self._stamp: tuple[int, int] | None = None
        self._checked_at = 0.0

    # --- ops: create, list, revoke ----------------------------------------------------------------

    def _read(self) -> list[dict]:
        try:
            doc = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return []
        except (OSError, ValueError) as exc:
            raise KeyError_(f"cannot read the keys file {self.path}: {exc}") from exc
        keys = doc.get("keys") if isinstance(doc, dict) else None
        if not isinstance(keys, list) or not all(isinstance(k, dict) and {"name", "sha256"} <= k.keys() for k in keys):
            raise KeyError_(f"{self.path} is not a keys file (expected {{\"keys\": [{{name, sha256, ...}}]}})")
        return keys

    def _write(self, keys: list[dict]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(self.path.name + ".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump({"keys": keys}, f, indent=2)
            f.write("\n")
        os.replace(tmp, self.path)

    def create(self, name: str) -> str:
        """A new key named ``name``; returned once, only its hash is kept."""
        if not name or len(name) > 64 or not all(c.isalnum() or c in "-_." for c in name):
            raise KeyError_("a key name is 1-64 letters, digits, '-', '_' or '.'")
        keys = self._read()
        if any(k["name"] == name for k in keys):
            raise KeyError_(f"a key named {name!r} exists: revoke it first or choose another name")
        key = PREFIX + secrets.token_urlsafe(32)
        keys.append({"name": name, "sha256": digest(key), "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())})
        self._write(keys)
        self._stamp = None
        return key

    def list(self) -> list[dict]:
        return [{"name": k["name"], "created": k.get("created", "?")} for k in self._read()]

    def revoke(self, name: str) -> None:
        keys = self._read()
        kept = [k for k in keys if k["name"] != name]
        if len(kept) == len(keys):
            raise KeyError_(f"no key named {name!r} (micromoments keys list shows them)")
        self._write(kept)
        self._stamp = None

    # --- serving: the check ---------------------------------------------------------------------------

    def _refresh(self) -> None:
        """Re-read the file when it changed (at most once a second): rotation without a restart.
        A file that cannot be read keeps the keys last read and says so once per change."""
        now = time.monotonic()
        if self._stamp is not None and now - self._checked_at < RELOAD_EVERY_S:
            return
        self._checked_at = now
        try:
            st = self.path.stat()
            stamp = (st.st_mtime_ns, st.st_size)
        except FileNotFoundError:
            stamp = (0, 0)
        if stamp == self._stamp:
            return
        self._stamp = stamp
        try:
            self._entries = [(k["name"], bytes.fromhex(k["sha256"])) for k in self._read()]
        except (KeyError_, ValueError) as exc:
            import logging

            logging.getLogger("micromoments.serve").error("keys file not reloaded, the previous keys stay: %s", exc)

    def check(self, key: str | None) -> str | None:
        """The name of the key, or None. Every stored hash is compared (``hmac.compare_digest``),
        so the time taken does not depend on which key matched or how much of it."""
        self._refresh()
        if not key:
            return None
        d = hashlib.sha256(key.encode("utf-8", "surrogatepass")).digest()
        found = None
        for name, h in self._entries:
            if hmac.compare_digest(d, h):
                found = name
        return found

    def __len__(self) -> int:
        self._refresh()
        return len(self._entries)
