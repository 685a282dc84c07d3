"""The worker's /health fails when the broker cannot be reached (its own broker, stopped mid-run)."""

from __future__ import annotations

import time

import pytest

from config import Settings
from tests.worker_helpers import Worker, WorkerEnv
from tools.broker import LocalBroker

pytestmark = [pytest.mark.kafka, pytest.mark.slow]


def test_health_fails_while_the_broker_is_down(tmp_path):
    broker = LocalBroker(Settings(data_dir=tmp_path / "broker", broker_port=0, controller_port=0))
    bootstrap = broker.start().bootstrap
    deployment = WorkerEnv(bootstrap, tmp_path / "data")
    deployment.produce([])  # creates the topics
    worker = Worker(deployment).start()
    try:
        worker.wait_for(lambda s: True, what="the worker's web server")
        assert worker.health() == 200
        broker.stop()
        deadline = time.monotonic() + 60
        while worker.health() != 503:
            assert time.monotonic() < deadline, "health still OK with the broker down"
            time.sleep(1)
        assert worker.proc.poll() is None  # unhealthy, not dead
    finally:
        worker.stop()
        broker.stop()
