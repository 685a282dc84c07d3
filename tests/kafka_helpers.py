"""Kafka for the tests: find a broker (env, Docker, or a local JVM one) and make topics.

Kept out of conftest.py so conftest stays a short list of fixtures.
"""

from __future__ import annotations

import asyncio
import os
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from config import Settings
from tools.broker import BrokerError, LocalBroker

#: The Confluent image testcontainers' KafkaContainer knows how to boot (KRaft, Kafka 3.9).
DOCKER_IMAGE = "confluentinc/cp-kafka:7.9.0"


class KafkaUnavailable(Exception):
    """No broker could be found or started; the message says why."""


@dataclass
class KafkaEndpoint:
    """Where the session's broker is, and which way it was obtained."""

    bootstrap: str
    source: str  # "env", "docker" or "local"
    local: LocalBroker | None = None  # set when this session started the broker itself


def docker_answers(timeout: float = 3.0) -> bool:
    """True if a Docker engine responds quickly (no engine, no socket: False, fast)."""
    try:
        import docker

        client = docker.from_env(timeout=timeout)
        try:
            return bool(client.ping())
        finally:
            client.close()
    except Exception:  # noqa: BLE001 - any failure means "no usable Docker"
        return False


@contextmanager
def kafka_endpoint(data_dir: Path) -> Iterator[KafkaEndpoint]:
    """A broker for the whole session: MOMENTS_KAFKA_BOOTSTRAP, else a testcontainers
    KafkaContainer where Docker answers, else a LocalBroker in ``data_dir`` (stopped after)."""
    if os.environ.get("MOMENTS_KAFKA_BOOTSTRAP"):
        yield KafkaEndpoint(os.environ["MOMENTS_KAFKA_BOOTSTRAP"], "env")
        return
    if docker_answers():
        from testcontainers.community.kafka import KafkaContainer

        with KafkaContainer(DOCKER_IMAGE).with_kraft() as container:
            yield KafkaEndpoint(container.get_bootstrap_server(), "docker")
        return
    broker = LocalBroker(Settings(data_dir=data_dir, broker_port=0, controller_port=0))
    try:
        status = broker.start()
    except BrokerError as exc:
        raise KafkaUnavailable(f"no MOMENTS_KAFKA_BOOTSTRAP, no Docker, and the local broker failed: {exc}") from exc
    try:
        yield KafkaEndpoint(status.bootstrap, "local", broker)
    finally:
        broker.stop()


def unavailable(reason: str):
    """No broker: in CI an error (CI must run every Kafka test), locally a skip with the reason."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"Kafka is required in CI: {reason}", pytrace=False)
    pytest.skip(reason)


@contextmanager
def local_broker(data_dir: Path) -> Iterator[LocalBroker]:
    """A broker of one's own (free ports, state in ``data_dir``), for tests that stop or restart
    it; stopped after. KafkaUnavailable if it cannot start."""
    broker = LocalBroker(Settings(data_dir=data_dir, broker_port=0, controller_port=0))
    try:
        broker.start()
    except BrokerError as exc:
        raise KafkaUnavailable(f"the local broker failed to start: {exc}") from exc
    try:
        yield broker
    finally:
        broker.stop()


def run(coro):
    """Run a coroutine to completion from synchronous test code."""
    return asyncio.run(coro)


async def create_topic(bootstrap: str, name: str, partitions: int = 1, configs: dict[str, str] | None = None) -> None:
    """Create ``name`` (replication 1, topic ``configs``) and wait until the broker reports it."""
    from aiokafka.admin import AIOKafkaAdminClient, NewTopic

    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(name, num_partitions=partitions, replication_factor=1,
                                            topic_configs=configs or {})])
        for _ in range(100):  # metadata propagates asynchronously, even on one node
            if name in await admin.list_topics():
                return
            await asyncio.sleep(0.1)
        raise AssertionError(f"topic {name} was created but never showed up")
    finally:
        await admin.close()


async def set_topic_config(bootstrap: str, name: str, configs: dict[str, str], timeout: float = 15.0) -> None:
    """Set topic configs of ``name`` (Kafka's AlterConfigs: overrides not given return to the
    defaults) and wait until the broker describes them so: it applies them a moment later (a
    loaded broker described the old ones right after)."""
    from aiokafka.admin import AIOKafkaAdminClient
    from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType

    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        await admin.alter_configs([ConfigResource(ConfigResourceType.TOPIC, name, configs=configs)])
        deadline = time.monotonic() + timeout
        while True:
            responses = await admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, name)])
            have = {e[0]: e[1] for r in responses for *_, entries in r.resources for e in entries}
            if all(have.get(k) == v for k, v in configs.items()):
                return
            if time.monotonic() > deadline:
                raise AssertionError(f"{name}: {configs} not applied within {timeout:g} s (described {have})")
            await asyncio.sleep(0.1)
    finally:
        await admin.close()


def unique_topic_name(hint: str) -> str:
    """A topic name no other test (or earlier run on a shared broker) has used."""
    safe = "".join(c if c.isalnum() or c in "._-" else "-" for c in hint)[:80]
    return f"test.{safe}.{uuid.uuid4().hex[:8]}"
