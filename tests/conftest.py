"""Shared pytest fixtures. Kafka plumbing lives in tests/kafka_helpers.py."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from tests import kafka_helpers
from tests.kafka_helpers import KafkaEndpoint

# --------------------------------------------------------------------------- two processes

def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """``make test`` runs two pytest-xdist processes (``--dist loadgroup``): every test that needs
    Kafka in one group, run one after another in one process (each starts workers of its own: two
    at a time on two cores would slow each other), the soak in its own (its three minutes of
    traffic mostly wait), the tests without Kafka wherever a process is free."""
    for item in items:
        if item.get_closest_marker("kafka") is None and "kafka_endpoint" not in item.fixturenames:
            continue
        group = "soak" if item.path.name == "test_soak.py" else "kafka"
        item.add_marker(pytest.mark.xdist_group(group))


# --------------------------------------------------------------------------- Kafka


@pytest.fixture(scope="session")
def kafka_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KafkaEndpoint]:
    """The session's broker (see kafka_helpers.kafka_endpoint); in CI a missing broker
    is an error, locally a skip with the reason."""
    try:
        with kafka_helpers.kafka_endpoint(tmp_path_factory.mktemp("kafka")) as endpoint:
            yield endpoint
    except kafka_helpers.KafkaUnavailable as exc:
        kafka_helpers.unavailable(str(exc))


@pytest.fixture(scope="session")
def kafka_bootstrap(kafka_endpoint: KafkaEndpoint) -> str:
    """Bootstrap servers (host:port) of a real Apache Kafka broker for this session."""
    return kafka_endpoint.bootstrap


@pytest.fixture
def new_topic(kafka_bootstrap: str, request: pytest.FixtureRequest) -> Callable[..., str]:
    """Factory: ``new_topic(partitions=1)`` creates a fresh, uniquely named topic."""

    def make(partitions: int = 1) -> str:
        name = kafka_helpers.unique_topic_name(request.node.name)
        kafka_helpers.run(kafka_helpers.create_topic(kafka_bootstrap, name, partitions))
        return name

    return make
