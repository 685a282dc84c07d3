"""Kafka security: the local broker's SASL_SSL listener (``broker start --secure``) refuses clients
without valid credentials, accepts PLAIN and SCRAM-SHA-256/512 over TLS, and the project's
clients — the worker (Faust), the sink, serve and the command line — work against it with the
``MOMENTS_KAFKA_*`` settings, never writing the password to a log."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest
from aiokafka.admin import AIOKafkaAdminClient

from config import Settings
from config.kafka import kafka_options
from serving.keys import KeyFile
from tests.kafka_helpers import unavailable
from tests.sink_helpers import SinkProcess
from tests.worker_helpers import ROOT, Worker, WorkerEnv, free_port
from tools import broker_secure
from tools.broker import BrokerError, LocalBroker
from tools.serve_process import ServeProcess

pytestmark = pytest.mark.kafka


@pytest.fixture(scope="module")
def secure(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """A broker of its own with a SASL_SSL listener; the client settings of that listener."""
    data = tmp_path_factory.mktemp("secure-broker")
    broker = LocalBroker(Settings(data_dir=data, broker_port=0, controller_port=0), secure=True)
    try:
        broker.start()
    except BrokerError as exc:
        unavailable(f"the secure local broker failed to start: {exc}")
    try:
        port = json.loads(broker.state_file.read_text())["secure_port"]
        yield broker_secure.client_env(broker_secure.material(broker.dir), port)
    finally:
        broker.stop()


def settings_of(env: dict[str, str], **override: str) -> Settings:
    fields = {k.removeprefix("MOMENTS_").lower(): v for k, v in {**env, **override}.items()}
    return Settings(**fields)


async def _list_topics(settings: Settings) -> set[str]:
    admin = AIOKafkaAdminClient(**kafka_options(settings), request_timeout_ms=8000)
    await admin.start()
    try:
        return set(await admin.list_topics())
    finally:
        await admin.close()


def test_a_client_without_valid_credentials_is_refused(secure):
    for override in ({"MOMENTS_KAFKA_SECURITY_PROTOCOL": "PLAINTEXT"},  # no TLS, no SASL
                     {"MOMENTS_KAFKA_SASL_PASSWORD": "wrong"},
                     {"MOMENTS_KAFKA_SASL_USERNAME": "mallory"},
                     {"MOMENTS_KAFKA_SSL_CAFILE": ""}):  # the system's CAs do not know the broker's
        s = settings_of(secure, **override)
        if override.get("MOMENTS_KAFKA_SSL_CAFILE") == "":
            s = s.model_copy(update={"kafka_ssl_cafile": None})
        with pytest.raises(Exception):  # noqa: B017 - aiokafka raises connection errors of several kinds
            asyncio.run(_list_topics(s))


@pytest.mark.parametrize("mechanism", broker_secure.MECHANISMS)
def test_plain_and_scram_over_tls_are_accepted(secure, mechanism):
    assert isinstance(asyncio.run(_list_topics(settings_of(secure, MOMENTS_KAFKA_SASL_MECHANISM=mechanism))), set)


@pytest.mark.slow
def test_worker_sink_serve_and_the_command_line_run_on_the_secured_listener(secure, tmp_path):
    extra = {k: v for k, v in secure.items() if k != "MOMENTS_KAFKA_BOOTSTRAP"}
    dep = WorkerEnv(bootstrap=secure["MOMENTS_KAFKA_BOOTSTRAP"], data_dir=tmp_path / "w", extra=extra)
    env = dep.env(0)
    cli = subprocess.run([sys.executable, "-m", "micromoments", "topics", "create"], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=120, check=False)
    assert cli.returncode == 0, cli.stderr[-2000:]
    worker = Worker(dep).start()
    metrics_port = free_port()
    sink = SinkProcess(dep, tmp_path / "sink", MOMENTS_SINK_METRICS_PORT=str(metrics_port)).start()
    keys = tmp_path / "keys.json"
    key = KeyFile(keys).create("t")
    serve = ServeProcess({**env, "MOMENTS_API_KEYS_FILE": str(keys)}, tmp_path / "serve.sqlite",
                         tmp_path / "serve.log").start()
    try:
        sim = subprocess.run([sys.executable, "-m", "micromoments", "simulate", "--profile", "bank-de-en", "--profiles",
                              "--sessions", "40", "--seed", "3", "--kafka", "--quiet"], cwd=ROOT, env=env,
                             capture_output=True, text=True, timeout=300, check=False)
        assert sim.returncode == 0, sim.stderr[-2000:]
        stats = worker.wait_for(lambda s: s.get("processed", 0) > 100 and s.get("profiles", 0) > 0, 180,
                                "the worker to process the simulated shop")
        assert sum(v for k, v in stats.items() if k.startswith("moment:")) > 0
        serve.wait_ready(120)
        metrics = ""
        for _ in range(200):
            metrics = serve.get("/metrics", key)[1]
            if "micromoments_serve_profiles 0.0" not in metrics:
                break
            time.sleep(0.3)
        assert "micromoments_serve_profiles 0.0" not in metrics
        sink.wait_for(lambda s: (s.stats() or {}).get("rows", 0) > 0 or s.sql("SELECT count() FROM "
                      f"{s.settings.clickhouse_database}.events")[0][0] > 0, 180, "rows in ClickHouse")
        # the sink's metrics-only port (for Prometheus in another container); no queries there
        with urllib.request.urlopen(f"http://127.0.0.1:{metrics_port}/metrics", timeout=5) as r:
            assert b"micromoments_sink_rows_total" in r.read()
        with pytest.raises(urllib.error.HTTPError):
            urllib.request.urlopen(urllib.request.Request(f"http://127.0.0.1:{metrics_port}/query", data=b"{}"),
                                   timeout=5)
    finally:
        serve.stop()
        sink.stop()
        worker.stop()
    password = secure["MOMENTS_KAFKA_SASL_PASSWORD"]
    for log in (worker.log_path, sink.log_path, serve.log):
        assert password not in log.read_text(errors="replace"), log
