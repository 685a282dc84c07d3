"""The ClickHouse sink on embedded chDB (and on a server where MOMENTS_CLICKHOUSE_URL is set):
migrations, rows and privacy, analyst queries, read-only SQL, erasure, exactly-once
under a crash between insert and commit, and the sample scenario end to end."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
import urllib.request
import uuid
from collections import Counter

import orjson
import pytest

from config import Settings
from schemas import Moment
from schemas.internal import AnalyticsEvent
from schemas.topics import (
    ANALYTICS_EVENTS_TOPIC,
    ANALYTICS_METRICS_TOPIC,
    ANALYTICS_MOMENTS_TOPIC,
    ANALYTICS_SESSIONS_TOPIC,
)
from sinks import clickhouse, schema, service
from sinks.query import NAMED, Analytics, ReadOnlyViolation, check_read_only
from sinks.rows import event_row, geohash, moment_row, pseudonym_key, pseudonymize
from sinks.sink import SimulatedCrash, Sink

SERVER_URL = os.environ.get("MOMENTS_CLICKHOUSE_URL", "")
KEY = "test-key"
T0 = 1747116002919  # 2025-05-13, inside the (long) test retention


def make_settings(tmp_path, **kw) -> Settings:
    base = dict(data_dir=tmp_path, clickhouse_url=SERVER_URL, pseudonym_key=KEY, retention_days=3650,
                clickhouse_database=f"mm_{uuid.uuid4().hex[:8]}" if SERVER_URL else "micromoments")
    base.update(kw)
    return Settings(**base)


@pytest.fixture
def ch(tmp_path):
    """(settings, migrated client); chDB: one folder per test, closed after it."""
    settings = make_settings(tmp_path)
    client = clickhouse.connect(settings)
    schema.migrate(client, settings)
    yield settings, client
    if SERVER_URL:
        client.command(f"DROP DATABASE IF EXISTS {settings.clickhouse_database}")
    client.close()


# --------------------------------------------------------------------------- data


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
    return {ANALYTICS_EVENTS_TOPIC: events, ANALYTICS_MOMENTS_TOPIC: moments,
            ANALYTICS_SESSIONS_TOPIC: sessions, ANALYTICS_METRICS_TOPIC: metrics}


def insert_direct(settings: Settings, client, data: dict[str, list[dict]]) -> None:
    from sinks.rows import TABLES

    key = pseudonym_key(settings)
    for topic, msgs in data.items():
        table, columns, model, convert = TABLES[topic]
        client.insert(f"{settings.clickhouse_database}.{table}", [convert(model.model_validate(m), key) for m in msgs],
                      column_names=list(columns))


# --------------------------------------------------------------------------- rows and privacy


def test_geohash_and_pseudonym():
    assert geohash(48.137154, 11.576124) == "u281z7"
    assert geohash(-33.8688, 151.2093) == "r3gx2f"
    assert geohash(0.0, 0.0) == "s00000"
    p = pseudonymize(b"k", "alice")
    assert len(p) == 32 and p == pseudonymize(b"k", "alice") != pseudonymize(b"k2", "alice")
    assert p != pseudonymize(b"k", "bob") and "alice" not in p


def test_rows_carry_no_raw_user_id_or_position(tmp_path):
    settings = make_settings(tmp_path, pseudonym_key="")
    key = pseudonym_key(settings)  # generated once, kept in the data dir
    assert key == pseudonym_key(settings) and (tmp_path / "pseudonym.key").stat().st_mode & 0o777 == 0o600
    row = event_row(AnalyticsEvent.model_validate(ev(1, "alice", "s", topic="events.location", lat=48.137154,
                                                     lon=11.576124)), key)
    assert "alice" not in map(str, row) and "u281z7" in row
    assert not any(isinstance(v, float) and abs(v - 48.137154) < 1e-9 for v in row)
    mrow = moment_row(Moment.model_validate(moment("m1", "go", "alice", "s", T0)), key)
    assert "alice" not in map(str, mrow) and pseudonymize(key, "alice") in mrow


# --------------------------------------------------------------------------- schema, queries, erasure


def test_migrations_twice_are_a_no_op(ch):
    settings, client = ch
    assert schema.migrate(client, settings) == []  # the fixture migrated already
    tables = {r[0] for r in client.query(f"SHOW TABLES FROM {settings.clickhouse_database}").result_rows}
    assert {"events", "moments", "sessions", "model_metrics", "moments_per_minute", "moments_per_minute_mv",
            "schema_migrations"} <= tables
    versions = client.query(f"SELECT version FROM {settings.clickhouse_database}.schema_migrations").result_rows
    assert sorted(v[0] for v in versions) == [m.version for m in schema.MIGRATIONS]
    ddl = client.query(f"SHOW CREATE TABLE {settings.clickhouse_database}.events").result_rows[0][0]
    assert "DateTime64(3, 'UTC')" in ddl and "toYYYYMM(ts)" in ddl and "TTL" in ddl and "LowCardinality" in ddl
    changed = make_settings(settings.data_dir, retention_days=90, clickhouse_database=settings.clickhouse_database)
    assert len(schema.migrate(client, changed)) == len(schema.TTL_TABLES)  # retention change applied
    assert schema.migrate(client, changed) == []


def test_named_queries_on_a_small_dataset(ch):
    settings, client = ch
    insert_direct(settings, client, small_dataset())
    a = Analytics(settings, client)
    assert a.counts() == {"events": 11, "moments": 5, "sessions": 2, "model_metrics": 3}
    results = {name: a.named(name) for name in NAMED}
    cols, rows = results["moments-per-minute"]
    per = [dict(zip(cols, r)) for r in rows]
    assert sum(r["moments"] for r in per) == 5
    assert {(r["moment"], r["channel"], r["moments"]) for r in per} >= {("go", "web", 1), ("go", "app", 1)}
    cols, rows = results["know-to-buy"]
    conv = {r[0]: dict(zip(cols, r)) for r in rows}
    assert (conv["web"]["know_sessions"], conv["web"]["converted_to_buy"]) == (1, 1)
    assert (conv["app"]["know_sessions"], conv["app"]["converted_to_buy"]) == (1, 0)
    cols, rows = results["top-search-terms"]
    assert ["know", "router", 1] in rows and ["buy", "router", 1] in rows
    cols, rows = results["go-venues"]
    assert rows == [["v1", "Store One", 2, 100.0]]
    cols, rows = results["model-quality"]
    assert len(rows) >= 1 and "accuracy" in cols
    # a row delivered twice counts once (ReplacingMergeTree + FINAL; uniqExact in the rollup)
    insert_direct(settings, client, small_dataset())
    assert a.counts() == {"events": 11, "moments": 5, "sessions": 2, "model_metrics": 3}
    cols, rows = a.named("moments-per-minute")
    assert sum(dict(zip(cols, r))["moments"] for r in rows) == 5


@pytest.mark.parametrize("sql", [
    "INSERT INTO micromoments.events (event_id) VALUES ('x')",
    "WITH 1 AS x INSERT INTO micromoments.events (event_id) SELECT 'x'",
    "SELECT 1; DROP TABLE micromoments.events",
    "DROP TABLE micromoments.events",
    "ALTER TABLE micromoments.events DELETE WHERE 1",
    "TRUNCATE TABLE micromoments.events",
    "/* hi */ CREATE TABLE micromoments.x (a Int8) ENGINE = Memory",
    "SELECT * FROM micromoments.events INTO OUTFILE 'x.csv'",
    "SELECT 1 SETTINGS readonly = 0",
    "OPTIMIZE TABLE micromoments.events FINAL",
])
def test_sql_refuses_writes(ch, sql):
    settings, client = ch
    insert_direct(settings, client, small_dataset())
    sql = sql.replace("micromoments.", f"{settings.clickhouse_database}.")
    with pytest.raises((ReadOnlyViolation, Exception)) as info:
        Analytics(settings, client).sql(sql)
    assert info.type is ReadOnlyViolation or "readonly" in str(info.value).lower() or "syntax" in str(info.value).lower()
    assert Analytics(settings, client).counts()["events"] == 11
    assert client.query(f"EXISTS TABLE {settings.clickhouse_database}.x").result_rows[0][0] == 0


def test_sql_runs_reads(ch):
    settings, client = ch
    insert_direct(settings, client, small_dataset())
    a = Analytics(settings, client)
    assert a.sql(f"SELECT count() AS n FROM {settings.clickhouse_database}.events FINAL;") == (["n"], [[11]])
    assert a.sql("-- c\nWITH 2 AS k SELECT k * 2 AS v") == (["v"], [[4]])
    assert a.sql(f"SHOW TABLES FROM {settings.clickhouse_database}")[1]
    assert check_read_only("  (SELECT 1)")[1] == "SELECT"


def test_erasure_removes_all_rows_of_a_user(ch):
    settings, client = ch
    insert_direct(settings, client, small_dataset())
    insert_direct(settings, client, small_dataset())  # physical duplicates go too
    a = Analytics(settings, client)
    removed = a.erase("alice")
    assert removed == {"events": 6, "moments": 3, "sessions": 1}
    alice = pseudonymize(KEY.encode(), "alice")
    db = settings.clickhouse_database
    for table in schema.USER_TABLES:
        assert client.query(f"SELECT count() FROM {db}.{table} WHERE user_id = '{alice}'").result_rows[0][0] == 0
    assert a.counts() == {"events": 5, "moments": 2, "sessions": 1, "model_metrics": 3}
    # the rollup was rebuilt without her: only bob's two moments remain
    cols, rows = a.named("moments-per-minute")
    assert sum(dict(zip(cols, r))["moments"] for r in rows) == 2
    assert a.erase("alice") == {"events": 0, "moments": 0, "sessions": 0}


# --------------------------------------------------------------------------- with Kafka


def _produce(bootstrap: str, settings: Settings, data: dict[str, list[dict]]) -> int:
    from pipeline.topics import ensure_topics
    from tools.feed import Record, produce

    asyncio.run(ensure_topics(settings))
    records = [Record(topic, m["user_id"].encode() if "user_id" in m else b"w", orjson.dumps(m))
               for topic, msgs in data.items() for m in msgs]
    return asyncio.run(produce(bootstrap, records, prefix=settings.topic_prefix))


async def _run_until(sink: Sink, n_records: int, timeout: float = 60.0) -> None:
    stop = asyncio.Event()
    task = asyncio.create_task(sink.run(stop))
    deadline = time.monotonic() + timeout
    def inserted() -> int:
        return sum(v for k, v in sink.stats.items() if k.startswith("rows:"))

    while not (inserted() >= n_records and not sink.batch.ranges and sink.stats["commits"]):
        if task.done():
            await task  # raises the crash
        assert time.monotonic() < deadline, f"sink stuck: {dict(sink.stats)}"
        await asyncio.sleep(0.1)
    stop.set()
    await task


def kafka_settings(tmp_path, bootstrap: str, **kw) -> Settings:
    prefix = f"t{uuid.uuid4().hex[:8]}."
    return make_settings(tmp_path, kafka_bootstrap=bootstrap, topic_prefix=prefix, app_id=f"mm-{prefix[:-1]}",
                         partitions=1, **kw)


@pytest.mark.kafka
def test_crash_between_insert_and_commit_then_restart_leaves_no_duplicates(kafka_bootstrap, tmp_path):
    data = small_dataset()
    n = sum(map(len, data.values()))
    settings = kafka_settings(tmp_path, kafka_bootstrap, sink_batch_rows=n, sink_batch_seconds=30)
    assert _produce(kafka_bootstrap, settings, data) == n
    client = clickhouse.connect(settings)
    try:
        def crash():
            raise SimulatedCrash("killed between insert and commit")

        first = Sink(settings, client, after_insert=crash)
        with pytest.raises(SimulatedCrash):
            asyncio.run(_run_until(first, n))
        a = Analytics(settings, client)
        assert a.counts() == {"events": 11, "moments": 5, "sessions": 2, "model_metrics": 3}  # inserted...
        assert first.stats["commits"] == 0  # ...but not committed
        second = Sink(settings, client)
        asyncio.run(_run_until(second, n))
        assert second.stats["records"] == n  # everything was read again
        assert a.counts() == {"events": 11, "moments": 5, "sessions": 2, "model_metrics": 3}
        db = settings.clickhouse_database
        raw = {t: client.query(f"SELECT count() FROM {db}.{t}").result_rows[0][0] for t in a.counts()}
        assert raw == a.counts()  # the same batch again: dropped by its deduplication token
        # a third start reads nothing: the offsets were committed after the insert
        third = Sink(settings, client)
        asyncio.run(_run_until_idle(third))
        assert third.stats["records"] == 0
    finally:
        if SERVER_URL:
            client.command(f"DROP DATABASE IF EXISTS {settings.clickhouse_database}")
        client.close()


async def _run_until_idle(sink: Sink, seconds: float = 3.0) -> None:
    stop = asyncio.Event()
    task = asyncio.create_task(sink.run(stop))
    await asyncio.sleep(seconds)
    stop.set()
    await task


class FlakyClient:
    """ClickHouse that is down for the first ``failures`` inserts."""

    def __init__(self, client, failures: int) -> None:
        self.client, self.failures = client, failures

    def insert(self, *args, **kw):
        if self.failures > 0:
            self.failures -= 1
            raise ConnectionError("ClickHouse is down")
        return self.client.insert(*args, **kw)

    def __getattr__(self, name):
        return getattr(self.client, name)


@pytest.mark.kafka
def test_clickhouse_down_sink_retries_and_loses_nothing(kafka_bootstrap, tmp_path):
    data = small_dataset()
    n = sum(map(len, data.values()))
    settings = kafka_settings(tmp_path, kafka_bootstrap, sink_batch_rows=7, sink_batch_seconds=0.2)
    _produce(kafka_bootstrap, settings, data)
    client = clickhouse.connect(settings)
    try:
        schema.migrate(client, settings)
        sink = Sink(settings, FlakyClient(client, failures=2))
        asyncio.run(_run_until(sink, n))
        assert sink.stats["insert_failures"] == 2
        assert Analytics(settings, client).counts() == {"events": 11, "moments": 5, "sessions": 2, "model_metrics": 3}
    finally:
        if SERVER_URL:
            client.command(f"DROP DATABASE IF EXISTS {settings.clickhouse_database}")
        client.close()


# --------------------------------------------------------------------------- the sample, end to end


@pytest.mark.kafka
def test_sample_through_worker_and_sink_lands_exactly(kafka_bootstrap, tmp_path):
    from tests.shared_sample import sample_lines
    from tests.sink_helpers import expected_from_replay
    from tests.worker_helpers import Worker, WorkerEnv, accounted, free_port
    from tools.feed import records_from_lines

    lines = sample_lines()
    expected = expected_from_replay(lines)
    analytics_off = {json.loads(x)["user_id"] for x in lines
                     if b'"analytics": false' in x or b'"analytics":false' in x}
    assert analytics_off and len(expected["moments"]) <= len(expected["all_moments"])
    deployment = WorkerEnv(kafka_bootstrap, tmp_path / "data", partitions=1)
    sent = deployment.produce(records_from_lines(lines))
    db = f"mm_{uuid.uuid4().hex[:8]}" if SERVER_URL else "micromoments"  # a server may hold other runs
    env = {**deployment.env(free_port()), "MOMENTS_SINK_PORT": "0", "MOMENTS_SINK_BATCH_SECONDS": "0.3",
           "MOMENTS_RETENTION_DAYS": "3650", "MOMENTS_PSEUDONYM_KEY": KEY, "MOMENTS_CLICKHOUSE_URL": SERVER_URL,
           "MOMENTS_CLICKHOUSE_DATABASE": db}
    settings = Settings(data_dir=deployment.data_dir, clickhouse_url=SERVER_URL, pseudonym_key=KEY,
                        retention_days=3650, kafka_bootstrap=kafka_bootstrap, topic_prefix=deployment.prefix,
                        clickhouse_database=db)
    worker = Worker(deployment).start()
    sink_log = open(tmp_path / "sink.log", "wb")
    sink = subprocess.Popen([sys.executable, "-m", "micromoments", "sink"], env=env, stdout=sink_log,
                            stderr=subprocess.STDOUT)
    want = {"events": len(expected["events"]), "moments": len(expected["moments"]),
            "sessions": len(expected["sessions"])}
    try:
        worker.wait_for(lambda s: accounted(s) >= sent, what="all inputs accounted for")
        deadline = time.monotonic() + 60
        got = None
        while time.monotonic() < deadline:
            assert sink.poll() is None, (tmp_path / "sink.log").read_text()[-3000:]
            remote = service.running_sink(settings) if not SERVER_URL else service.open_analytics(settings)
            if remote is not None:
                got = {t: remote.sql(f"SELECT count() FROM {db}.{t} FINAL")[1][0][0] for t in want}
                if got == want:
                    break
            time.sleep(0.5)
        assert got == want, (got, want, worker.stats())
        if not SERVER_URL:  # the sink's Prometheus metrics: rows per table, inserts, retries
            with urllib.request.urlopen(remote.url + "/metrics", timeout=5) as r:
                text = r.read().decode()
            assert 'micromoments_sink_rows_total{table="moments"}' in text
            assert "micromoments_sink_insert_failures_total" in text
        # analysts query while the sink runs: the CLI finds the sink's endpoint (chDB) or the server
        cli = [sys.executable, "-m", "micromoments"]
        for name in NAMED:
            out = subprocess.run([*cli, "query", name, "--format", "json"], env=env, capture_output=True,
                                 text=True, timeout=60)
            assert out.returncode == 0, out.stderr
        per_minute = subprocess.run([*cli, "query", "moments-per-minute", "--format", "json", "--limit", "100000"],
                                    env=env, capture_output=True, text=True, timeout=60).stdout
        assert sum(json.loads(x)["moments"] for x in per_minute.splitlines()) == want["moments"]
        refused = subprocess.run([*cli, "query", "--sql", f"INSERT INTO {db}.events (event_id) VALUES ('x')"],
                                 env=env, capture_output=True, text=True, timeout=60)
        assert refused.returncode == 2 and "refused" in refused.stderr
        # no raw user id and no analytics-off user in any table
        remote = service.running_sink(settings) or service.open_analytics(settings)
        users = {r[0] for r in remote.sql(f"SELECT DISTINCT user_id FROM {db}.events")[1]}
        assert all(len(u) == 32 for u in users)
        assert not users & {pseudonymize(KEY.encode(), u) for u in analytics_off}
        assert not users & {e["user_id"] for e in expected["events"]}  # raw ids never stored
        # exact content: the stored event ids and moment ids are the replay's
        ids = {r[0] for r in remote.sql(f"SELECT event_id FROM {db}.events FINAL")[1]}
        assert ids == {e["event_id"] for e in expected["events"]}
        mids = {r[0] for r in remote.sql(f"SELECT moment_id FROM {db}.moments FINAL")[1]}
        assert mids == {m.moment_id for m in expected["moments"]}
        # erasure: rows counted and removed, the worker told on mm.control
        victim = Counter(e["user_id"] for e in expected["events"]).most_common(1)[0][0]
        out = subprocess.run([*cli, "erase", "--user", victim], env=env, capture_output=True, text=True,
                             timeout=60)
        assert out.returncode == 0, out.stderr
        n_events = sum(1 for e in expected["events"] if e["user_id"] == victim)
        assert f"events: {n_events} row(s) removed" in out.stdout
        pseudo = pseudonymize(KEY.encode(), victim)
        for t in schema.USER_TABLES:
            assert remote.sql(f"SELECT count() FROM {db}.{t} WHERE user_id = '{pseudo}'")[1] == [[0]]
        worker.wait_for(lambda s: s.get("erased", 0) >= 1, timeout=30, what="the worker to erase the user")
    finally:
        sink.terminate()
        assert sink.wait(30) == 0, (tmp_path / "sink.log").read_text()[-3000:]
        worker.stop()
    assert not service.endpoint_file(settings).exists()
    if SERVER_URL:
        clickhouse.connect(settings).command(f"DROP DATABASE IF EXISTS {db}")


@pytest.mark.kafka
def test_erase_request_on_control_topic_removes_the_rows(kafka_bootstrap, tmp_path):
    """Any system may send the erase request on mm.control: the sink deletes the rows."""
    from schemas.topics import CONTROL_TOPIC
    from tools.feed import Record, produce

    data = small_dataset()
    n = sum(map(len, data.values()))
    settings = kafka_settings(tmp_path, kafka_bootstrap, sink_batch_seconds=0.2)
    _produce(kafka_bootstrap, settings, data)
    client = clickhouse.connect(settings)
    try:
        asyncio.run(_run_until(Sink(settings, client), n))
        a = Analytics(settings, client)
        assert a.counts()["events"] == 11
        request = Record(CONTROL_TOPIC, b"alice", orjson.dumps({"type": "erase", "user_id": "alice"}))
        noise = Record(CONTROL_TOPIC, b"x", b"not json")
        asyncio.run(produce(kafka_bootstrap, [noise, request], prefix=settings.topic_prefix))
        sink = Sink(settings, client)

        async def until_erased():
            stop = asyncio.Event()
            task = asyncio.create_task(sink.run(stop))
            deadline = time.monotonic() + 30
            while not sink.stats["erasures"] or sink.batch.ranges or not sink.stats["commits"]:
                assert time.monotonic() < deadline and not task.done(), dict(sink.stats)
                await asyncio.sleep(0.1)
            stop.set()
            await task

        asyncio.run(until_erased())
        assert a.counts() == {"events": 5, "moments": 2, "sessions": 1, "model_metrics": 3}
    finally:
        if SERVER_URL:
            client.command(f"DROP DATABASE IF EXISTS {settings.clickhouse_database}")
        client.close()


def test_rows_doctests():
    import doctest

    import sinks.rows

    assert doctest.testmod(sinks.rows).failed == 0
