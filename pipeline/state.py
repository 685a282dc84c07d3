"""Per-user state: sessions, sticky consent, frequency cap, the profile's state.

All of a user's state is one ``UserState`` so that it lives under one key (the
user id) in a Faust table and in replay's dict alike. It serializes to plain
JSON (``to_json`` / ``from_dict``) for the table's changelog and
``--state`` checkpoints.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

import orjson

from detectors.features import SessionFeatures

SESSION_GAP_MS = 30 * 60 * 1000  # a gap of MORE than this starts a new session
KEEP_CLOSED_SESSIONS = 4  # closed sessions kept per user for late feedback


def stable_hash(*parts: str, size: int = 8) -> str:
    """A short deterministic hex digest (ids must survive restarts and replays)."""
    h = hashlib.blake2b(digest_size=size)
    for p in parts:
        h.update(p.encode("utf-8", "surrogatepass"))
        h.update(b"\x00")
    return h.hexdigest()


@dataclass(slots=True)
class Session:
    """One session of one user: its times, the moments published, and the detector's feature state
    (``detectors.features.SessionFeatures``, written only by the detector's ``features`` module)."""

    session_id: str
    start_ms: int
    last_ms: int
    client_id: bool  # the id came from the client (else the pipeline assigned it)
    features: SessionFeatures = field(default_factory=SessionFeatures)
    moment: str | None = None  # the moment last published for this session
    candidate: str | None = None  # a different moment waiting to become stable
    candidate_n: int = 0
    n_moments: int = 0
    closed: bool = False

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Session:
        # fields a newer or older version stored but this one does not know are ignored; states
        # written before 2026-12-05 kept the feature fields flat in the session
        features = d.get("features")
        own = {k: v for k, v in d.items() if k in cls.__dataclass_fields__ and k != "features"}
        return cls(**own, features=SessionFeatures.from_dict(features if features is not None else d))


@dataclass(slots=True)
class UserState:
    user_id: str
    last_ms: int | None = None  # event time of the user's latest event
    current: str | None = None  # session id of the current session
    sessions: dict[str, Session] = field(default_factory=dict)
    personalization: bool = True  # sticky consent
    analytics: bool = True
    published: list[int] = field(default_factory=list)  # event ts of recent moments (frequency cap)
    #: the customer profile's state (``pipeline.profile``; None without personalization consent)
    profile: dict[str, Any] | None = None
    profile_version: int = 0  # of the last record on the profiles topic
    profile_sig: str | None = None  # what that record showed (a new record only when it changes)

    def to_json(self) -> bytes:
        """The serialized state (orjson writes dataclasses natively: no ``asdict`` copy).

        Copied to an exact-size ``bytes``: orjson's result keeps the capacity of its growing
        write buffer (4-16 KiB for a 1-3 KiB state), and these values live in the users table
        (``docs/PERFORMANCE.md``: RSS per live session 16 KiB -> ~2 KiB)."""
        return bytes(memoryview(orjson.dumps(self)))

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> UserState:
        d = dict(d)
        # states written before 2026-12-06 kept a duplicate memory per user (now ``pipeline.dedup``)
        d.pop("seen", None)
        d.pop("seen_max_ms", None)
        d["sessions"] = {k: Session.from_dict(v) for k, v in d.get("sessions", {}).items()}
        return cls(**d)

    # --- consent -------------------------------------------------------------------------------

    def apply_consent(self, consent: Any) -> None:
        """Consent is sticky per user: a flag holds until an event states otherwise."""
        if consent is None:
            return
        if consent.personalization is not None:
            self.personalization = consent.personalization
        if consent.analytics is not None:
            self.analytics = consent.analytics

    # --- sessions ------------------------------------------------------------------------------

    def session_for(
        self, event_id: str, ts_ms: int, client_session: str | None
    ) -> tuple[Session, bool, Session | None]:
        """The session an event belongs to: ``(session, is_new, session_closed_by_it)``.

        With a client ``session_id`` that session; without, the user's current
        session unless the gap since the user's previous event is more than 30 min.
        """
        if client_session is not None:
            sess = self.sessions.get(client_session)
            is_new = sess is None
            if sess is None:
                sess = Session(client_session, ts_ms, ts_ms, client_id=True)
        else:
            sess = self.sessions.get(self.current) if self.current else None
            gap_ok = self.last_ms is not None and ts_ms - self.last_ms <= SESSION_GAP_MS
            is_new = sess is None or sess.closed or not gap_ok
            if is_new:
                sid = "s-" + stable_hash(self.user_id, str(ts_ms), event_id)
                sess = Session(sid, ts_ms, ts_ms, client_id=False)
        closed = self._close_current() if is_new else None
        if is_new:
            self.sessions[sess.session_id] = sess
        sess.closed = False
        self.current = sess.session_id
        if self.last_ms is None or ts_ms > self.last_ms:
            self.last_ms = ts_ms
        sess.last_ms = max(sess.last_ms, ts_ms)
        return sess, is_new, closed

    def _close_current(self) -> Session | None:
        """Close the current session (if open); forget the oldest closed ones."""
        cur = self.sessions.get(self.current) if self.current else None
        if cur is None or cur.closed:
            return None
        cur.closed = True
        closed = [s for s in self.sessions.values() if s.closed]
        if len(closed) > KEEP_CLOSED_SESSIONS:
            closed.sort(key=lambda s: s.start_ms)
            for s in closed[: len(closed) - KEEP_CLOSED_SESSIONS]:
                del self.sessions[s.session_id]
        return cur

    def session_at(self, ts_ms: int, session_id: str | None) -> Session | None:
        """The session a feedback labels: ``session_id`` if given, else the latest
        session that started at or before ``ts``."""
        if session_id is not None:
            return self.sessions.get(session_id)
        started = [s for s in self.sessions.values() if s.start_ms <= ts_ms]
        return max(started, key=lambda s: s.start_ms) if started else None

    def expire(self, now_ms: int) -> list[Session]:
        """Close the current session if idle for more than the gap; returns sessions closed now."""
        cur = self.sessions.get(self.current) if self.current else None
        if cur is None or cur.closed or now_ms - cur.last_ms <= SESSION_GAP_MS:
            return []
        return [self._close_current()]
