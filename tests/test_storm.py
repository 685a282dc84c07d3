"""Bad-input storm: 10,000 hostile messages (on every input topic, customer messages included)
interleaved with the sample scenario.

Every hostile message ends in the DLQ with a reason, every good one is processed, the worker
stays up, the counts are exact, and the moments are still exactly replay's.
"""

from __future__ import annotations

import random

import orjson
import pytest

from schemas import Rejection, decode
from tests.shared_sample import sample_lines
from tests.test_worker import content, published, replay_moments
from tests.worker_helpers import Worker, WorkerEnv, accounted
from tools.feed import Record, records_from_lines

pytestmark = [pytest.mark.kafka, pytest.mark.slow]

TOPICS = ("events.clickstream", "events.search", "events.location", "feedback", "events.contact")
GOOD = {"event_id": "x", "user_id": "storm-user", "ts": 1747116002919, "query": "tv", "type": "click",
        "url": "https://x.example/", "lat": 1.0, "lon": 2.0, "moment": "buy",
        "medium": "email", "direction": "inbound", "text": "Wo bleibt meine Bestellung?"}

OWN_FIELD = {"events.clickstream": "url", "events.search": "query", "events.location": "lat", "feedback": "moment",
             "events.contact": "text"}


def hostile(rng: random.Random, i: int) -> Record:
    """One message that breaks the contract, of a randomly chosen kind."""
    topic = rng.choice(TOPICS)
    base = {**GOOD, "event_id": f"storm-{i}"}
    kind = rng.randrange(9)
    if kind == 0:  # garbage bytes
        value = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 200)))
    elif kind == 1:  # deep JSON
        depth = rng.choice((50, 2000))
        value = b'{"a":' * depth + b"1" + b"}" * depth
    elif kind == 2:  # huge string
        if topic == "events.contact":  # a message longer than the contract's 4,000 characters
            value = orjson.dumps({**base, "text": "ä" * rng.choice((4_001, 70_000))})
        else:
            size = rng.choice((600, 70_000)) if topic == "events.search" else 70_000  # over the field or message limit
            value = orjson.dumps({**base, "query": "x" * size})
    elif kind == 3:  # NaN / Infinity literals
        value = orjson.dumps(base)[:-1] + rng.choice((b',"price":NaN}', b',"lat":Infinity}', b',"ts":-Infinity}'))
    elif kind == 4:  # wrong types
        field = rng.choice(("user_id", "ts", OWN_FIELD[topic]))  # a field this topic's model checks
        value = orjson.dumps({**base, field: rng.choice(([1], {"a": 1}, True, None, "48.1" if field == "lat" else 7))})
    elif kind == 5:  # future or ancient event time
        value = orjson.dumps({**base, "ts": rng.choice((4_200_000_000_000, 10, "1999-12-31T23:59:59Z",
                                                        "2101-01-01T00:00:00+02:00"))})
    elif kind == 6:  # missing required fields (a contact also without its medium or text)
        gone = ("event_id", "user_id") if topic != "events.contact" or rng.random() < 0.5 else ("medium", "text")
        value = orjson.dumps({k: v for k, v in base.items() if k not in gone})
    elif kind == 7:  # not an object
        value = orjson.dumps(rng.choice(([base], "text", 42, None)))
    else:  # truncated
        raw = orjson.dumps(base)
        value = raw[: rng.randrange(1, len(raw) - 1)]
    return Record(topic, b"storm-user", value)


def test_bad_input_storm(kafka_bootstrap, tmp_path):
    rng = random.Random(20261125)
    storm = [hostile(rng, i) for i in range(10_000)]
    for rec in storm:  # the generator itself is checked: each one really is bad input
        assert isinstance(decode(rec.topic, rec.value, rec.key), Rejection), rec
    lines = sample_lines()
    good = records_from_lines(lines)
    mixed: list[Record] = []
    j = 0
    for rec in good:  # the sample keeps its order; the storm is sprinkled in between
        mixed.append(rec)
        while j < len(storm) and rng.random() < len(storm) / len(good):
            mixed.append(storm[j])
            j += 1
    mixed += storm[j:]
    deployment = WorkerEnv(kafka_bootstrap, tmp_path / "data")
    sent = deployment.produce(mixed)
    worker = Worker(deployment).start()
    try:
        stats = worker.wait_for(lambda s: accounted(s) >= sent, timeout=240, what="the storm to be accounted for")
        assert worker.proc.poll() is None
    finally:
        worker.stop()
    expected = replay_moments(lines)
    sample_bad = sum(isinstance(decode(r.topic, r.value, r.key), Rejection) for r in good)
    assert stats["dlq"] == len(storm) + sample_bad
    assert accounted(stats) == sent == sum(v for k, v in stats.items() if k.startswith("in:"))
    got = published(deployment)
    assert sorted(orjson.dumps(content(m)) for m in got) == sorted(orjson.dumps(content(m)) for m in expected)
