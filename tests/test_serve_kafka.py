"""``micromoments serve`` as its own process on a real broker: it follows the compacted profiles
topic (updates and tombstones show within seconds), is ready only once caught up, goes on from
its store after a restart without re-reading the topic, and writes no user id to its log."""

from __future__ import annotations

import time

import orjson
import pytest
from aiokafka import AIOKafkaProducer

from serving.keys import KeyFile
from tests.kafka_helpers import create_topic, run, unique_topic_name
from tests.test_serve import profile
from tools.serve_process import ServeProcess

pytestmark = pytest.mark.kafka


async def send(bootstrap: str, topic: str, records: list[tuple[str, dict | None]]) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, linger_ms=5)
    await producer.start()
    try:
        for user_id, value in records:
            await producer.send(topic, orjson.dumps(value) if value is not None else None, key=user_id.encode())
        await producer.flush()
    finally:
        await producer.stop()


def eventually(check, timeout: float = 10.0):
    t0 = time.monotonic()
    while True:
        value = check()
        if value or time.monotonic() - t0 > timeout:
            return value
        time.sleep(0.05)


def test_serve_follows_the_profiles_topic_and_restarts_from_its_store(kafka_bootstrap, tmp_path):
    prefix = unique_topic_name("serve") + "."
    topic = prefix + "profiles"
    run(create_topic(kafka_bootstrap, topic, partitions=2, configs={"cleanup.policy": "compact"}))
    users = [f"cust-{i:04d}" for i in range(300)]
    run(send(kafka_bootstrap, topic, [(u, profile(u, version=1)) for u in users]
             + [("cust-0005", None), ("cust-0006", profile("cust-0006", version=2, personalization=False))]))
    key = KeyFile(tmp_path / "keys.json").create("test")
    env = {"MOMENTS_KAFKA_BOOTSTRAP": kafka_bootstrap, "MOMENTS_TOPIC_PREFIX": prefix,
           "MOMENTS_API_KEYS_FILE": str(tmp_path / "keys.json"), "MOMENTS_DATA_DIR": str(tmp_path / "data")}
    store = tmp_path / "store.sqlite"
    serve = ServeProcess(env, store, tmp_path / "serve.log")
    with serve:
        serve.wait_ready(60)
        _, health = serve.get("/health")
        assert health["records_read"] == 302 and health["lag"] == 0
        assert serve.get("/v1/profiles/cust-0001", key)[1]["version"] == 1
        assert serve.get("/v1/profiles/cust-0001")[0] == 401
        assert serve.get("/v1/profiles/cust-0005", key)[0] == 404  # erased
        assert set(serve.get("/v1/profiles/cust-0006", key)[1]) == {"user_id", "updated_at", "version", "consent"}
        # a change and an erasure arrive through the topic
        run(send(kafka_bootstrap, topic, [("cust-0001", profile("cust-0001", version=2, level="red")),
                                          ("cust-0002", None)]))
        assert eventually(lambda: serve.get("/v1/profiles/cust-0001", key)[1].get("version") == 2, 10)
        assert eventually(lambda: serve.get("/v1/profiles/cust-0002", key)[0] == 404, 10)
        nba = serve.get("/v1/profiles/cust-0001/next-best-action?channel=callcenter", key)[1]
        assert nba["action"] == "retention_script"
        metrics = serve.get("/metrics")[1]
        assert "micromoments_serve_lag_records 0.0" in metrics and "micromoments_serve_ready 1.0" in metrics
    # restarted: serves at once from its store, reads only what is new
    run(send(kafka_bootstrap, topic, [("cust-0003", profile("cust-0003", version=2))]))
    again = ServeProcess(env, store, tmp_path / "serve.log")
    with again:
        again.wait_ready(30)
        assert again.get("/health")[1]["records_read"] == 1
        assert again.get("/v1/profiles/cust-0003", key)[1]["version"] == 2
        assert again.get("/v1/profiles/cust-0001", key)[1]["version"] == 2
        assert again.get("/v1/profiles/cust-0002", key)[0] == 404
    log = (tmp_path / "serve.log").read_text()
    assert "micromoments serve on" in log and "cust-" not in log, log[-2000:]
