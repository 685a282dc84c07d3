"""The ClickHouse sink reading a real Kafka broker: exactly-once under a crash between insert and
commit, ClickHouse down, the sample scenario through worker and sink, erase requests."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
import urllib.request
import uuid
from collections import Counter

import orjson
import pytest

from config import Settings
from sinks import clickhouse, schema, service
from sinks.query import NAMED, Analytics
from sinks.rows import pseudonymize
from sinks.sink import SimulatedCrash, Sink
from tests.sink_helpers import KEY, SERVER_URL, make_settings, small_dataset, stored_rows


def _produce(bootstrap: str, settings: Settings, data: dict[str, list[dict]]) -> int:
    from pipeline.topics import ensure_topics
    from tools.feed import Record, produce

    asyncio.run(ensure_topics(settings))
    records = [Record(topic, m["user_id"].encode() if "user_id" in m else b"w", orjson.dumps(m))
               for topic, msgs in data.items() for m in msgs]
    return asyncio.run(produce(bootstrap, records, prefix=settings.topic_prefix))


async def _run_sink_until(sink: Sink, done, timeout: float = 60.0) -> None:
    """Run ``sink`` until ``done(sink)``; a crash of the sink is raised, a stuck one fails."""
    stop = asyncio.Event()
    task = asyncio.create_task(sink.run(stop))
    deadline = time.monotonic() + timeout
    while not done(sink):
        if task.done():
            await task  # raises the crash
            raise AssertionError(f"sink stopped early: {dict(sink.stats)}")
        assert time.monotonic() < deadline, f"sink stuck: {dict(sink.stats)}"
        await asyncio.sleep(0.1)
    stop.set()
    await task


def _inserted(sink: Sink) -> int:
    return sum(v for k, v in sink.stats.items() if k.startswith("rows:"))


async def _run_until(sink: Sink, n_rows: int, timeout: float = 60.0) -> None:
    await _run_sink_until(sink, lambda s: _inserted(s) >= n_rows and not s.batch.ranges and s.stats["commits"],
                          timeout)


def _erased_and_committed(sink: Sink) -> bool:
    return bool(sink.stats["erasures"] and not sink.batch.ranges and sink.stats["commits"])


def kafka_settings(tmp_path, bootstrap: str, **kw) -> Settings:
    prefix = f"t{uuid.uuid4().hex[:8]}."
    return make_settings(tmp_path, kafka_bootstrap=bootstrap, topic_prefix=prefix, app_id=f"mm-{prefix[:-1]}",
                         partitions=1, **kw)


@pytest.mark.kafka
def test_crash_between_insert_and_commit_then_restart_leaves_no_duplicates(kafka_bootstrap, tmp_path):
    data = small_dataset()
    n, rows = sum(map(len, data.values())), stored_rows(data)
    settings = kafka_settings(tmp_path, kafka_bootstrap, sink_batch_rows=n, sink_batch_seconds=30)
    assert _produce(kafka_bootstrap, settings, data) == n
    client = clickhouse.connect(settings)
    try:
        def crash():
            raise SimulatedCrash("killed between insert and commit")

        first = Sink(settings, client, after_insert=crash)
        with pytest.raises(SimulatedCrash):
            asyncio.run(_run_until(first, rows))
        a = Analytics(settings, client)
        assert a.counts() == {"events": 11, "moments": 5, "sessions": 2, "model_metrics": 3, "profiles": 3, "contacts": 3}  # inserted...
        assert first.stats["commits"] == 0  # ...but not committed
        second = Sink(settings, client)
        asyncio.run(_run_until(second, rows))
        assert second.stats["records"] == n  # everything was read again
        assert a.counts() == {"events": 11, "moments": 5, "sessions": 2, "model_metrics": 3, "profiles": 3, "contacts": 3}
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
    n = stored_rows(data)
    settings = kafka_settings(tmp_path, kafka_bootstrap, sink_batch_rows=7, sink_batch_seconds=0.2)
    _produce(kafka_bootstrap, settings, data)
    client = clickhouse.connect(settings)
    try:
        schema.migrate(client, settings)
        sink = Sink(settings, FlakyClient(client, failures=2))
        asyncio.run(_run_until(sink, n))
        assert sink.stats["insert_failures"] == 2
        assert Analytics(settings, client).counts() == {"events": 11, "moments": 5, "sessions": 2, "model_metrics": 3, "profiles": 3, "contacts": 3}
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
    n = stored_rows(data)
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
        asyncio.run(_run_sink_until(Sink(settings, client), _erased_and_committed, 30))
        assert a.counts() == {"events": 5, "moments": 2, "sessions": 1, "model_metrics": 3, "profiles": 1, "contacts": 1}
    finally:
        if SERVER_URL:
            client.command(f"DROP DATABASE IF EXISTS {settings.clickhouse_database}")
        client.close()


@pytest.mark.kafka
def test_an_erased_user_stays_gone_when_the_sink_reads_everything_again(kafka_bootstrap, tmp_path):
    """Erase a user, reset the sink's offsets of the analytics topics to the beginning (the erase
    request itself is not read again), re-read everything: the erasure log keeps the user out."""
    from aiokafka import AIOKafkaConsumer, TopicPartition

    from schemas.topics import CONTROL_TOPIC
    from sinks.rows import TABLES
    from tools.feed import Record, produce

    data = small_dataset()
    settings = kafka_settings(tmp_path, kafka_bootstrap, sink_batch_seconds=0.2)
    _produce(kafka_bootstrap, settings, data)
    client = clickhouse.connect(settings)
    try:
        asyncio.run(_run_until(Sink(settings, client), stored_rows(data)))
        a = Analytics(settings, client)
        before = a.counts()
        request = Record(CONTROL_TOPIC, b"alice", orjson.dumps({"type": "erase", "user_id": "alice"}))
        asyncio.run(produce(kafka_bootstrap, [request], prefix=settings.topic_prefix))
        asyncio.run(_run_sink_until(Sink(settings, client), _erased_and_committed, 30))
        erased = a.counts()
        assert erased["events"] < before["events"]
        pseudo = pseudonymize(KEY.encode(), "alice")
        assert set(a.erased()) == {pseudo}

        async def rewind() -> None:  # what an operator's offset reset does, analytics topics only
            group = AIOKafkaConsumer(bootstrap_servers=kafka_bootstrap, group_id=f"{settings.app_id}-sink",
                                     enable_auto_commit=False)
            await group.start()
            try:
                tps = [TopicPartition(settings.topic(t), 0) for t in TABLES]
                group.assign(tps)
                await group.commit({tp: 0 for tp in tps})
            finally:
                await group.stop()

        asyncio.run(rewind())
        sink = Sink(settings, client)
        asyncio.run(_run_sink_until(sink, lambda s: _inserted(s) + s.stats["erased_skipped"] >= stored_rows(data) - 1
                                    and s.stats["commits"], 30))
        assert sink.stats["erased_skipped"] > 0 and sink.stats["erasures"] == 0  # the request was not re-read
        assert a.counts() == erased
        db = settings.clickhouse_database
        for table in schema.USER_TABLES:
            assert client.query(f"SELECT count() FROM {db}.{table} WHERE user_id = '{pseudo}'").result_rows[0][0] == 0
    finally:
        if SERVER_URL:
            client.command(f"DROP DATABASE IF EXISTS {settings.clickhouse_database}")
        client.close()
