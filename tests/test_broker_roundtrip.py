"""The real broker: a 10,000-message round trip, the CLI against it, and its clear errors."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.partitioner import murmur2

from config import Settings
from tests import kafka_helpers
from tools import broker as broker_mod
from tools.broker import BrokerError, LocalBroker, ensure_jars, parse_java_major, require_java

MESSAGES = 10_000
PARTITIONS = 3


def _partition_of(key: bytes) -> int:
    """aiokafka's default partitioner for keyed messages (Java-compatible murmur2)."""
    return (murmur2(key) & 0x7FFFFFFF) % PARTITIONS


async def _produce(bootstrap: str, topic: str) -> dict[int, int]:
    """Send MESSAGES keyed records; value = "<partition>:<sequence within partition>"."""
    sent = {p: 0 for p in range(PARTITIONS)}
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=5)
    await producer.start()
    try:
        futures = []
        for i in range(MESSAGES):
            key = f"customer-{i % 101}".encode()
            part = _partition_of(key)
            value = f"{part}:{sent[part]}".encode()
            sent[part] += 1
            futures.append(await producer.send(topic, value, key=key))
        for meta in await asyncio.gather(*futures):
            assert meta.topic == topic
    finally:
        await producer.stop()
    return sent


async def _consume(bootstrap: str, topic: str, expected: int) -> dict[int, list[int]]:
    """Read ``expected`` records with a fresh consumer group from the earliest offset."""
    got: dict[int, list[int]] = {p: [] for p in range(PARTITIONS)}
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, group_id=f"test-{uuid.uuid4().hex}",
                                auto_offset_reset="earliest", enable_auto_commit=True)
    await consumer.start()
    try:
        count = 0
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 60
        while count < expected and loop.time() < deadline:
            batches = await consumer.getmany(timeout_ms=1000, max_records=5000)
            for tp, records in batches.items():
                for rec in records:
                    part, seq = rec.value.decode().split(":")
                    assert int(part) == tp.partition, "record landed on another partition than its key maps to"
                    got[tp.partition].append(int(seq))
                    count += 1
    finally:
        await consumer.stop()
    return got


@pytest.mark.kafka
def test_roundtrip_10k_messages_in_order_per_partition(kafka_bootstrap: str, new_topic) -> None:
    topic = new_topic(PARTITIONS)
    sent = kafka_helpers.run(_produce(kafka_bootstrap, topic))
    assert all(n > 0 for n in sent.values()), f"keys did not spread over the partitions: {sent}"
    got = kafka_helpers.run(_consume(kafka_bootstrap, topic, MESSAGES))
    assert sum(len(v) for v in got.values()) == MESSAGES
    for part, seqs in got.items():
        assert seqs == list(range(sent[part])), f"partition {part} out of order or incomplete"


@pytest.mark.kafka
def test_cli_status_and_start_see_the_running_broker(kafka_endpoint, monkeypatch, capsys) -> None:
    if kafka_endpoint.local is None:
        pytest.skip(f"the session broker comes from {kafka_endpoint.source}, not a LocalBroker")
    local = kafka_endpoint.local
    monkeypatch.setattr(broker_mod, "get_settings", lambda: local.settings)
    from micromoments.cli import main

    assert main(["broker", "status"]) == 0
    out = capsys.readouterr().out
    assert f"broker running at {kafka_endpoint.bootstrap}" in out
    pid = local.status().pid
    assert main(["broker", "start"]) == 0  # already running: reports it, starts nothing
    out = capsys.readouterr().out
    assert f"(pid {pid}," in out and "already running" in out
    assert broker_mod.probe(kafka_endpoint.bootstrap)


# --------------------------------------------------------------------------- no broker needed


def test_stale_pid_file_is_not_running_and_is_cleaned(tmp_path: Path) -> None:
    if not Path("/proc/self/cmdline").exists():
        pytest.skip("needs /proc to tell a recycled pid from the broker")
    broker = LocalBroker(Settings(data_dir=tmp_path))
    broker.dir.mkdir(parents=True)
    # Our own pid is alive but is not a Kafka broker: must never count as (or be killed as) it.
    broker.pid_file.write_text(f"{os.getpid()}\n")
    broker.state_file.write_text('{"bootstrap": "127.0.0.1:1"}')
    status = broker.status()
    assert not status.running and status.stale
    assert not broker.pid_file.exists() and not broker.state_file.exists()
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    broker.pid_file.write_text(f"{dead.pid}\n")
    assert not broker.stop().running
    assert not broker.pid_file.exists()


def test_missing_java_is_a_clear_broker_error(monkeypatch) -> None:
    monkeypatch.setattr(broker_mod.shutil, "which", lambda *a, **k: None)
    monkeypatch.delenv("JAVA_HOME", raising=False)
    with pytest.raises(BrokerError, match=r"'java' not found.*Java 17"):
        require_java()


def test_missing_maven_is_a_clear_broker_error(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setattr(broker_mod, "require_java", lambda: "/usr/bin/java")
    monkeypatch.setattr(broker_mod.shutil, "which", lambda *a, **k: None)
    with pytest.raises(BrokerError, match=r"'mvn' not found"):
        ensure_jars(Settings(kafka_home=tmp_path / "lib"))


def test_maven_failure_shows_the_tail_of_its_output(monkeypatch, tmp_path: Path) -> None:
    fake_mvn = tmp_path / "mvn"
    fake_mvn.write_text("#!/bin/sh\necho '[ERROR] Could not resolve dependencies'\nexit 1\n")
    fake_mvn.chmod(0o755)
    monkeypatch.setattr(broker_mod, "require_java", lambda: "/usr/bin/java")
    monkeypatch.setattr(broker_mod.shutil, "which", lambda name, **k: str(fake_mvn) if name == "mvn" else None)
    home = tmp_path / "lib"
    with pytest.raises(BrokerError, match=r"(?s)Maven could not resolve.*Could not resolve dependencies"):
        ensure_jars(Settings(kafka_home=home))
    assert not any(home.glob("*.jar")) and not list(tmp_path.glob(".kafka-jars-*"))  # nothing half-done left


@pytest.mark.parametrize(("text", "major"), [
    ('openjdk version "17.0.15" 2025-04-15', 17),
    ('java version "1.8.0_292"', 8),
    ('openjdk version "21" 2023-09-19', 21),
    ("garbage", None),
])
def test_parse_java_major(text: str, major: int | None) -> None:
    assert parse_java_major(text) == major
