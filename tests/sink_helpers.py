"""The ClickHouse sink as a real process (embedded chDB in its own folder), and what its tables
must hold according to replay."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import orjson

from config import Settings
from schemas import Moment
from schemas.timefmt import format_ts
from schemas.topics import (
    ANALYTICS_CONTACTS_TOPIC,
    ANALYTICS_EVENTS_TOPIC,
    ANALYTICS_METRICS_TOPIC,
    ANALYTICS_MOMENTS_TOPIC,
    ANALYTICS_SESSIONS_TOPIC,
    PROFILES_TOPIC,
)
from sinks import service
from sinks.rows import pseudonym_key, to_row
from tests.worker_helpers import ROOT, WorkerEnv, free_port

KEY = "test-key"  # the pseudonym key of the tests
#: tables whose rows the sample implies, with their natural key (ReplacingMergeTree ORDER BY)
KEYED_TABLES = {"events": "user_id, event_id", "moments": "user_id, moment_id", "sessions": "user_id, session_id"}


def expected_from_replay(lines: list[bytes], settings: Settings | None = None) -> dict:
    """What the tables must hold, from replay (the worker's engine, no Kafka, no ClickHouse): what
    it sends to the analytics streams — stored events and moments of analytics-consenting users,
    closed sessions (replay closes what is idle at the end, as the worker's expiry timer does)."""
    from pipeline.detector_factory import build_core
    from pipeline.replay import Replayer
    from schemas.topics import ANALYTICS_EVENTS_TOPIC, ANALYTICS_MOMENTS_TOPIC, ANALYTICS_SESSIONS_TOPIC

    streams: dict[str, list] = {ANALYTICS_EVENTS_TOPIC: [], ANALYTICS_MOMENTS_TOPIC: [], ANALYTICS_SESSIONS_TOPIC: []}
    r = Replayer(build_core(settings or Settings()),
                 analytics=lambda out: streams[out.topic].append(out.value) if out.topic in streams else None)
    all_moments = [m for m in r.feed(lines) if hasattr(m, "moment_id")]
    return {"events": [orjson.loads(v) for v in streams[ANALYTICS_EVENTS_TOPIC]],
            "moments": [Moment.model_validate_json(v) for v in streams[ANALYTICS_MOMENTS_TOPIC]],
            "all_moments": all_moments,
            "sessions": [orjson.loads(v) for v in streams[ANALYTICS_SESSIONS_TOPIC]]}


class SinkProcess:
    """``python -m micromoments sink`` for a worker deployment, with chDB in ``data_dir``; it is read
    through the sink's own endpoint (chDB is one process per folder)."""

    def __init__(self, deployment: WorkerEnv, data_dir: Path, **extra: str) -> None:
        self.data_dir = data_dir
        self.settings = Settings(data_dir=data_dir, kafka_bootstrap=deployment.bootstrap,
                                 topic_prefix=deployment.prefix, pseudonym_key=KEY, retention_days=3650)
        self.env = {**deployment.env(free_port()), "MOMENTS_DATA_DIR": str(data_dir), "MOMENTS_SINK_PORT": "0",
                    "MOMENTS_SINK_BATCH_SECONDS": "0.3", "MOMENTS_RETENTION_DAYS": "3650",
                    "MOMENTS_PSEUDONYM_KEY": KEY, **extra}
        self.log_path = data_dir / "sink.log"
        self.proc: subprocess.Popen | None = None

    def start(self) -> SinkProcess:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "wb") as log:
            self.proc = subprocess.Popen([sys.executable, "-m", "micromoments", "sink"], cwd=ROOT, env=self.env,
                                         stdout=log, stderr=subprocess.STDOUT)
        return self

    def remote(self) -> service.Remote | None:
        assert self.proc is not None and self.proc.poll() is None, f"sink died:\n{self.log_tail()}"
        return service.running_sink(self.settings)

    def stats(self) -> dict | None:
        remote = self.remote()
        if remote is None:
            return None
        with urllib.request.urlopen(remote.url + "/stats", timeout=5) as r:
            return orjson.loads(r.read())["stats"]

    def metrics(self) -> str:
        with urllib.request.urlopen(self.remote().url + "/metrics", timeout=5) as r:
            return r.read().decode()

    def sql(self, query: str) -> list[list]:
        return self.remote().sql(query)[1]

    def counts(self) -> dict[str, tuple[int, int, int]]:
        """Per table: (rows read with FINAL, distinct natural keys, physical rows)."""
        db = self.settings.clickhouse_database
        return {t: tuple(self.sql(f"SELECT (SELECT count() FROM {db}.{t} FINAL), "
                                  f"(SELECT uniqExact({key}) FROM {db}.{t}), (SELECT count() FROM {db}.{t})")[0])
                for t, key in KEYED_TABLES.items()}

    def wait_for(self, predicate, timeout: float = 120.0, what: str = "condition"):
        """Poll ``predicate(sink)`` until it returns something truthy (the sink must stay up)."""
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            if self.remote() is not None:
                last = predicate(self)
                if last:
                    return last
            time.sleep(0.5)
        raise AssertionError(f"timed out waiting for {what}; stats={self.stats()}\n{self.log_tail()}")

    def assert_exactly_once(self, expected: dict, timeout: float = 120.0) -> dict[str, tuple[int, int, int]]:
        """Wait until the tables hold what replay implies, then check: each row once (count with
        FINAL = distinct keys = replay's count) and the stored event and moment ids are replay's.
        Returns the counts (physical rows show re-deliveries that FINAL collapses)."""
        want = {t: len(expected[t]) for t in KEYED_TABLES}
        seen: list[dict] = [{}]

        def done(sink: SinkProcess) -> dict | None:
            seen[0] = sink.counts()
            return seen[0] if {t: v[0] for t, v in seen[0].items()} == want else None

        try:
            counts = self.wait_for(done, timeout, what=f"the rows replay implies: {want}")
        except AssertionError as exc:
            raise AssertionError(f"{exc}\nlast counts (final, distinct, physical): {seen[0]}") from None
        for table, (final, distinct, physical) in counts.items():
            assert final == distinct == want[table] <= physical, (table, counts[table], want[table])
        db = self.settings.clickhouse_database
        assert {r[0] for r in self.sql(f"SELECT event_id FROM {db}.events FINAL")} == \
            {e["event_id"] for e in expected["events"]}
        assert {r[0] for r in self.sql(f"SELECT moment_id FROM {db}.moments FINAL")} == \
            {m.moment_id for m in expected["moments"]}
        return counts

    def stop(self) -> int:
        assert self.proc is not None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode

    def log_tail(self, n: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-n:])
        except OSError:
            return "(no log)"


# --------------------------------------------------------------------------- small datasets

SERVER_URL = os.environ.get("MOMENTS_CLICKHOUSE_URL", "")
T0 = 1747116002919  # 2025-05-13, inside the (long) test retention


def make_settings(tmp_path, **kw) -> Settings:
    base = dict(data_dir=tmp_path, clickhouse_url=SERVER_URL, pseudonym_key=KEY, retention_days=3650,
                clickhouse_database=f"mm_{uuid.uuid4().hex[:8]}" if SERVER_URL else "micromoments")
    base.update(kw)
    return Settings(**base)



def ev(i: int, user: str, session: str, **extra) -> dict:
    return {"event_id": f"e{i}", "user_id": user, "session_id": session, "topic": "events.search",
            "ts_ms": T0 + i * 1000, "channel": "web", "device": "mobile", **extra}


def moment(mid: str, name: str, user: str, session: str, ts_ms: int, query: str = "router",
           venue: dict | None = None, channel: str = "web") -> dict:
    from schemas.timefmt import format_ts

    return {"moment_id": mid, "moment": name, "user_id": user, "session_id": session, "confidence": 0.8,
            "scores": {"know": 0.1, "go": 0.05, "do": 0.05, "buy": 0.8}, "event_id": f"x{mid}",
            "event_ts": format_ts(ts_ms), "detected_at": format_ts(ts_ms + 5), "latency_ms": 3.5,
            "model": {"name": "ovr-logreg", "version": "1"}, "reasons": [{"feature": "f", "contribution": 0.5}],
            "next_best_action": {"action": "offer", "description": ""},
            "context": {"query": query, "product_ids": ["p1"], "url": None, "channel": channel, "device": "mobile",
                        "locale": "en", "venue": venue}}


def small_dataset() -> dict[str, list[dict]]:
    venue = {"venue_id": "v1", "name": "Store One", "distance_m": 120.0, "open_now": True, "wait_minutes": None,
             "free_capacity": None, "stock": {}}
    events = [ev(i, "alice" if i % 2 else "bob", "s-a" if i % 2 else "s-b", query="Router") for i in range(10)]
    events.append(ev(99, "alice", "s-a", topic="events.location", lat=48.137154, lon=11.576124, query=None))
    moments = [moment("m1", "know", "alice", "s-a", T0 + 1000, "Router"),
               moment("m2", "buy", "alice", "s-a", T0 + 5000, "router"),
               moment("m3", "know", "bob", "s-b", T0 + 2000, "mesh wifi", channel="app"),
               moment("m4", "go", "bob", "s-b", T0 + 61_000, "store near me", venue={**venue}, channel="app"),
               moment("m5", "go", "alice", "s-a", T0 + 62_000, "store", venue={**venue, "distance_m": 80.0})]
    sessions = [{"session_id": "s-a", "user_id": "alice", "start_ms": T0, "end_ms": T0 + 9000, "n_events": 6,
                 "channel": "web", "device": "mobile", "last_moment": "buy", "n_moments": 2,
                 "client_session_id": True},
                {"session_id": "s-b", "user_id": "bob", "start_ms": T0, "end_ms": T0 + 8000, "n_events": 5,
                 "channel": "app", "device": None, "last_moment": "go", "n_moments": 2, "client_session_id": False}]
    metrics = [{"ts_ms": T0 + k * 10_000, "worker": "w1", "model": "ovr-logreg", "version": "1", "labels": k,
                "accuracy": 0.5 + k / 100, "macro_f1": 0.4, "error_mean": 0.3, "drifts": 0, "window": 100,
                "processed": 10 * k} for k in range(3)]
    profiles = [profile("alice", 1, "green", 0.1, ["routers"]),
                profile("alice", 2, "red", 0.8, ["routers", "mesh"], reasons=["looked for cancellation (2x)"]),
                profile("bob", 1, "amber", 0.4, ["mesh"]),
                profile("carol", 1, "red", 0.9, ["tv"], analytics=False)]  # not stored: no analytics consent
    contacts = [contact("c1", "alice", T0 + 3000, "negative", -0.8, "email"),
                contact("c2", "alice", T0 + 90_000_000, "negative", -0.6, "call"),
                contact("c3", "bob", T0 + 4000, "positive", 0.7, "chat")]
    return {ANALYTICS_EVENTS_TOPIC: events, ANALYTICS_MOMENTS_TOPIC: moments,
            ANALYTICS_SESSIONS_TOPIC: sessions, ANALYTICS_METRICS_TOPIC: metrics,
            PROFILES_TOPIC: profiles, ANALYTICS_CONTACTS_TOPIC: contacts}


def profile(user: str, version: int, level: str, score: float, topics: list[str], reasons: list[str] | None = None,
            analytics: bool = True) -> dict:
    return {"user_id": user, "updated_at": format_ts(T0 + version * 1000), "version": version,
            "criticality": {"level": level, "score": score, "reasons": reasons or []},
            "interests": [{"topic": t, "weight": 1.0 / (i + 1), "evidence": 3} for i, t in enumerate(topics)],
            "next_best_action": {"callcenter": {"action": "retention_script" if level == "red" else "greet",
                                                "reason": level}},
            "consent": {"personalization": True, "analytics": analytics}, "lang": "en"}


def contact(event_id: str, user: str, ts: int, label: str, score: float, medium: str) -> dict:
    return {"event_id": event_id, "user_id": user, "ts": format_ts(ts), "medium": medium, "channel": "web",
            "lang": "en", "lang_detected": True, "sentiment": {"score": score, "label": label, "reasons": ["late"]}}


def stored_rows(data: dict[str, list[dict]]) -> int:
    """How many rows the sink stores of ``data`` (tombstones and profiles without analytics consent none)."""
    return sum(to_row(topic, orjson.dumps(m), b"")[0] is not None for topic, msgs in data.items() for m in msgs)


def insert_direct(settings: Settings, client, data: dict[str, list[dict]]) -> None:
    from sinks.rows import TABLES

    key = pseudonym_key(settings)
    for topic, msgs in data.items():
        table, columns, model, convert = TABLES[topic]
        rows = [row for m in msgs if (row := convert(model.model_validate(m), key)) is not None]
        client.insert(f"{settings.clickhouse_database}.{table}", rows, column_names=list(columns))


# --------------------------------------------------------------------------- rows and privacy
