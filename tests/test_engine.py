"""The streaming driver without Kafka: same moments as replay, DLQ, re-keying, offsets."""

from __future__ import annotations

import orjson

from config import Settings
from pipeline.detector_factory import build_core
from pipeline.engine import InRecord, StreamEngine
from pipeline.replay import Replayer
from schemas import Moment
from schemas.topics import DLQ_TOPIC, REKEYED_TOPIC
from tests.shared_sample import sample_lines
from tools.feed import records_from_lines


def engine_run(records, batch=300):
    engine = StreamEngine(build_core(Settings()), {}, start=lambda s: 0)
    offsets: dict[str, int] = {}
    inputs = []
    for r in records:
        off = offsets.get(r.topic, 0)
        offsets[r.topic] = off + 1
        inputs.append(InRecord(r.topic, 0, off, r.key, r.value, 1.0))
    sends = []
    for i in range(0, len(inputs), batch):
        sends += engine.ingest(inputs[i:i + batch], caught_up=lambda s: False, now_ms=0).sends
    sends += engine.tick(caught_up=lambda s: True, now_ms=0).sends  # end of input: all caught up
    return engine, sends


def test_engine_publishes_exactly_what_replay_writes():
    lines = sample_lines()
    records = records_from_lines(lines)
    engine, sends = engine_run(records)
    got = [orjson.loads(s.value) for s in sends if s.topic.startswith("moments.")]
    expected = [m.model_dump(mode="json") for m in Replayer(build_core(Settings())).feed(lines)
                if isinstance(m, Moment)]
    strip = lambda m: {k: v for k, v in m.items() if k not in ("detected_at", "latency_ms")}  # noqa: E731
    assert sorted(map(orjson.dumps, map(strip, got))) == sorted(map(orjson.dumps, map(strip, expected)))
    dlq = [s for s in sends if s.topic == DLQ_TOPIC]
    n_in = sum(v for k, v in engine.stats.items() if k.startswith("in:"))
    assert n_in == engine.stats["processed"] + engine.stats["duplicate"] + len(dlq) + engine.stats["venues"]
    # everything is done: the commit of each partition is its end
    assert engine.commit_positions() == {(t, 0): n for t, n in _counts(records).items()}


def _counts(records):
    out: dict[str, int] = {}
    for r in records:
        out[r.topic] = out.get(r.topic, 0) + 1
    return out


def test_records_keyed_by_something_else_are_moved_to_the_users_partition():
    value = orjson.dumps({"event_id": "e1", "user_id": "u1", "ts": 1747116002919, "query": "tv"})
    engine = StreamEngine(build_core(Settings()), {}, start=lambda s: 0)
    out = engine.ingest([InRecord("events.search", 0, 0, b"not-the-user", value, 1.0)], lambda s: True, 0).sends
    assert [(o.topic, o.key) for o in out] == [(REKEYED_TOPIC, b"u1")]
    again = engine.ingest([InRecord(REKEYED_TOPIC, 0, 0, b"u1", value, 1.0, dict(out[0].headers))],
                          lambda s: True, 0)
    assert engine.stats["processed"] == 1 and not any(o.topic == REKEYED_TOPIC for o in again.sends)


def test_erase_request_forgets_the_user():
    store: dict[str, bytes] = {}
    engine = StreamEngine(build_core(Settings()), store, start=lambda s: 0)
    value = orjson.dumps({"event_id": "e1", "user_id": "u1", "ts": 1747116002919, "query": "tv"})
    engine.ingest([InRecord("events.search", 0, 0, b"u1", value, 1.0)], lambda s: True, 0)
    assert "u1" in store
    engine.ingest([InRecord("mm.control", 0, 0, b"u1", b'{"type": "erase", "user_id": "u1"}', 1.0)],
                  lambda s: True, 0)
    assert "u1" not in store and engine.stats["erased"] == 1


def test_idle_sessions_are_closed_at_stream_time_and_emitted_for_analysts():
    engine = StreamEngine(build_core(Settings()), {}, start=lambda s: 0)
    t0 = 1747116002919

    def search(i, user, ts):
        value = orjson.dumps({"event_id": f"e{i}", "user_id": user, "ts": ts, "query": "tv"})
        return InRecord("events.search", 0, i, user.encode(), value, 1.0)

    engine.ingest([search(0, "u1", t0), search(1, "u2", t0 + 10 * 60_000)], lambda s: True, 0)
    assert engine.expire_sessions().sends == []  # nobody idle for 30 minutes of stream time yet
    engine.ingest([search(2, "u2", t0 + 31 * 60_000)], lambda s: True, 0)  # stream time moves on
    rows = [orjson.loads(o.value) for o in engine.expire_sessions().sends]
    assert [(r["user_id"], r["n_events"]) for r in rows] == [("u1", 1)]
    assert engine.stats["sessions_closed"] == 1


def test_sink_metrics_expose_rows_and_retries():
    from collections import Counter
    from types import SimpleNamespace

    from sinks.metrics import render_sink_metrics

    sink = SimpleNamespace(stats=Counter({"rows:events": 7, "rows:moments": 2, "inserts": 3, "insert_failures": 1}))
    text = render_sink_metrics(sink).decode()
    assert 'micromoments_sink_rows_total{table="events"} 7.0' in text
    assert "micromoments_sink_insert_failures_total 1.0" in text and "micromoments_sink_commits_total 0.0" in text


def test_a_tick_processes_at_most_max_per_tick_and_commits_never_pass_unprocessed_records():
    records = records_from_lines(sample_lines())
    _, unbounded = engine_run(records)
    engine = StreamEngine(build_core(Settings()), {}, start=lambda s: 0, max_per_tick=50)
    offsets: dict[str, int] = {}
    inputs = []
    for r in records:
        offsets[r.topic] = offsets.get(r.topic, 0) + 1
        inputs.append(InRecord(r.topic, 0, offsets[r.topic] - 1, r.key, r.value, 1.0))
    sends, checked = [], False
    for i in range(0, len(inputs), 300):
        result = engine.ingest(inputs[i:i + 300], caught_up=lambda s: False, now_ms=0)
        sends += result.sends
        assert engine.stats["processed"] + engine.stats["duplicate"] <= 50 * (i // 300 + 1)
        if engine.backlog():
            # released but unprocessed records hold their partition's commit back
            first = {}
            for _, _, rec in engine._ready:
                first.setdefault((rec.topic, rec.partition), rec.offset)
            positions = engine.commit_positions()
            assert all(positions[src] <= off for src, off in first.items())
            checked = True
    sends += engine.tick(caught_up=lambda s: True, now_ms=0).sends
    while engine.backlog():
        sends += engine.tick(caught_up=lambda s: True, now_ms=0).sends
    assert checked
    strip = lambda s: (s.topic, s.key, {k: v for k, v in orjson.loads(s.value).items()
                                         if k not in ("detected_at", "latency_ms")})
    moments = [strip(s) for s in sends if s.topic.startswith("moments.")]
    assert moments == [strip(s) for s in unbounded if s.topic.startswith("moments.")]  # same, same order
    assert engine.commit_positions() == {(t, 0): n for t, n in _counts(records).items()}


def test_expiry_with_a_budget_closes_the_same_sessions_in_slices():
    t0 = 1747116002919

    def engine_with_idle_users():
        engine = StreamEngine(build_core(Settings()), {}, start=lambda s: 0)
        recs = [InRecord("events.search", 0, i, f"u{i}".encode(),
                         orjson.dumps({"event_id": f"e{i}", "user_id": f"u{i}", "ts": t0 + i, "query": "tv"}), 1.0)
                for i in range(40)]
        recs.append(InRecord("events.search", 0, 40, b"late", orjson.dumps(
            {"event_id": "e40", "user_id": "late", "ts": t0 + 45 * 60_000, "query": "tv"}), 1.0))
        engine.ingest(recs, lambda s: True, 0)
        return engine

    whole = engine_with_idle_users()
    expected = sorted(orjson.loads(o.value)["user_id"] for o in whole.expire_sessions().sends)
    assert len(expected) == 40 and not whole.expiring()
    sliced = engine_with_idle_users()
    got, calls = [], 0
    while True:
        got += [orjson.loads(o.value)["user_id"] for o in sliced.expire_sessions(budget=120).sends]
        calls += 1
        if not sliced.expiring():
            break
    assert sorted(got) == expected and calls > 10  # 40 closes of 50 units each in slices of 120
    assert sliced.open_users.keys() == whole.open_users.keys() == {"late"}


def test_held_counts_what_the_merge_holds_per_partition():
    engine = StreamEngine(build_core(Settings()), {}, start=lambda s: 0)
    t0 = 1747116002919

    def rec(topic, i, ts):
        value = orjson.dumps({"event_id": f"{topic}{i}", "user_id": "u1", "ts": ts, "query": "tv",
                              "type": "page_view", "url": "/"})
        return InRecord(topic, 0, i, b"u1", value, 1.0)

    engine.merge.assign([("events.clickstream", 0), ("events.search", 0)])
    # clicks far ahead in event time; the search partition is not caught up: the merge holds them
    engine.ingest([rec("events.clickstream", i, t0 + 1000 * i) for i in range(5)], lambda s: False, 0)
    assert engine.held() == {("events.clickstream", 0): 5}
    engine.ingest([rec("events.search", 0, t0 + 2500)], lambda s: False, 0)
    assert engine.held()[("events.clickstream", 0)] == 2 and engine.held()[("events.search", 0)] == 0
    engine.forget_held()
    assert not +engine.held()


def test_every_internal_message_the_engine_sends_is_what_the_sink_reads():
    """mm.analytics.* and mm.control have models in schemas.internal: the worker's messages
    validate against them, and the sink turns each into a row of its table."""
    from schemas.internal import EraseRequest
    from schemas.topics import ANALYTICS_TOPICS, CONTROL_TOPIC
    from sinks.rows import TABLES, to_row
    from tools.simulate import simulate

    lines = simulate("electronics-en", 300, seed=5).lines
    engine, sends = engine_run(records_from_lines(lines))
    sends += engine.expire_sessions(budget=10**9).sends  # close what is still open
    sends.append(engine.metrics_row("w1", 1.0))
    seen = set()
    for out in sends:
        if out.topic in ANALYTICS_TOPICS:
            table, row = to_row(out.topic, out.value, b"k")
            assert len(row) == len(TABLES[out.topic][1])
            seen.add(table)
    assert seen == {"events", "moments", "sessions", "model_metrics"}
    erase = EraseRequest(type="erase", user_id="u1").to_bytes()
    assert EraseRequest.parse(erase).user_id == "u1" and EraseRequest.parse(b'{"user_id": "u1"}') is None
    before = engine.stats["erased"]
    engine.ingest([InRecord(CONTROL_TOPIC, 0, 0, b"u1", erase, 1.0)], lambda s: True, 0)
    assert engine.stats["erased"] == before + 1


def test_replay_writes_the_analytics_streams_and_replays_erase_requests(tmp_path):
    """--analytics DIR holds what the worker would send to its analytics topics; an erase request
    line (mm.control) forgets the user's state, as the worker does when it reads one."""
    from pipeline.replay import Replayer, run
    from tools.simulate import simulate

    lines = simulate("electronics-en", 60, seed=9).lines
    user = next(orjson.loads(line)["user_id"] for line in lines if b'"events.search"' in line)
    erase = orjson.dumps({"topic": "mm.control", "type": "erase", "user_id": user})
    src = tmp_path / "in.jsonl"
    src.write_bytes(b"\n".join(lines) + b"\n")
    run(str(src), str(tmp_path / "out.jsonl"), None, build_core(Settings()), analytics_dir=tmp_path / "an")
    files = {p.name: p.read_bytes().splitlines() for p in (tmp_path / "an").iterdir()}
    assert set(files) == {"events.jsonl", "moments.jsonl", "sessions.jsonl", "metrics.jsonl", "contacts.jsonl",
                          "profiles.jsonl"}
    assert all(files.values()) is False and files["contacts.jsonl"] == []  # a shop without contacts
    assert all(v for name, v in files.items() if name != "contacts.jsonl")
    published = {orjson.loads(v)["moment_id"] for v in (tmp_path / "out.jsonl").read_bytes().splitlines()}
    assert {orjson.loads(v)["moment_id"] for v in files["moments.jsonl"]} <= published
    kept, erased = Replayer(build_core(Settings())), Replayer(build_core(Settings()))
    list(kept.feed(lines))
    list(erased.feed([*lines, erase]))
    assert user in kept.store and user not in erased.store and erased.engine.stats["erased"] == 1
