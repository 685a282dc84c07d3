"""Fault injection against real processes and a real Apache Kafka broker (slow): a worker killed
with SIGKILL mid-stream, the broker restarted mid-stream, and one of two workers killed (its
partitions move to the survivor); ClickHouse unavailable for 60 s is in the soak
(tests/test_soak.py). Every test asserts outcomes only (no durations); each prints what it saw
(re-reads, duplicates, retries) for docs/RELIABILITY.md.

Where moments are compared with replay's one for one after a SIGKILL, the worker runs the rule
detector (``RULES``): a model that learns while it decides gives replay's scores only when it learns
inline (MOMENTS_MODEL_SYNC=local), and a kill loses what such a model learned since its last
checkpoint (the documented bound, docs/ARCHITECTURE.md). Offsets, the users table, the duplicate
memory and sessions, which these tests are about, are the same code for every detector. The
shared learning model (the default) is killed too: its moments are checked against the version each
names (``test_worker_on_the_shared_model_killed_and_recreated_resends_each_moment_as_it_was``). The
SIGTERM and broker restart tests run the learning model learning inline.
"""

from __future__ import annotations

import dataclasses
import time

import orjson
import pytest

from config import Settings
from pipeline import version_pin
from schemas import DlqRecord, Rejection, decode
from schemas.topics import ANALYTICS_EVENTS_TOPIC, DLQ_TOPIC, EVENT_TOPICS
from tests import kafka_helpers
from tests.model_helpers import SHARED, assert_versions_replay, by_version, model_of
from tests.shared_sample import sample_lines
from tests.sink_helpers import SinkProcess, expected_from_replay
from tests.worker_helpers import (
    Worker,
    WorkerEnv,
    all_committed,
    assert_moments_as_replay,
    committed_inputs,
    contents_by_id,
    group_commits,
    group_members,
    inputs_read,
    published,
    replay_moments,
    settled,
)
from tools.broker import restart
from tools.feed import Record, records_from_lines
from tools.simulate import simulate

pytestmark = [pytest.mark.kafka, pytest.mark.slow]

RULES = {"MOMENTS_MODEL": "rules"}


@pytest.fixture
def own_broker(tmp_path):
    """A broker for this test alone (the session's broker is shared and must not be restarted);
    in CI failing to start it is an error, locally a skip."""
    try:
        with kafka_helpers.local_broker(tmp_path / "broker") as broker:
            yield broker
    except kafka_helpers.KafkaUnavailable as exc:
        kafka_helpers.unavailable(str(exc))


def kill_once_processing(worker: Worker) -> dict:
    """SIGKILL ``worker`` as soon as it has processed records: the results of its batch are then
    being sent, and their input offsets are not committed yet."""
    stats = worker.wait_for(lambda s: s.get("processed", 0) > 0, poll=0.02, what="processing to start")
    worker.kill()
    return stats


def assigned(worker: Worker) -> int:
    """Input partitions the worker owns (``assigned`` in its /stats/)."""
    return orjson.loads(worker.get("/stats/"))["assigned"]


def done(deployment: WorkerEnv, total: int):
    """Predicate on a worker's stats: every record read accounted for, all ``total`` committed."""
    return lambda s: settled(s) and all_committed(deployment, total)


def assert_clean(stats: dict) -> None:
    """The merge never gave up on a lagging partition, no offset was skipped."""
    assert (stats.get("merge_forced", 0), stats.get("offset_gaps_skipped", 0)) == (0, 0), stats


def assert_every_bad_input_in_dlq(deployment: WorkerEnv, records: list[Record]) -> int:
    """Each rejected input is in the DLQ with its original bytes (maybe more than once after a
    re-read); nothing else is. Returns the number of DLQ records."""
    bad = {(r.topic, r.value) for r in records if isinstance(decode(r.topic, r.value, r.key), Rejection)}
    dlq = [DlqRecord.model_validate_json(v) for _, v in deployment.read_topic(DLQ_TOPIC)]
    assert {(d.source_topic, d.original_bytes()) for d in dlq} == bad
    return len(dlq)


def assert_resent_as_they_were(got: list) -> int:
    """Every moment published more than once (re-sent after a crash) has one content: it was
    decided again with the same state and model version. Returns the number of moment ids."""
    contents = contents_by_id(got)
    differ = [mid for mid, v in contents.items() if any(c != v[0] for c in v[1:])]
    assert not differ, (f"{len(differ)} moments re-sent with other content, the first {differ[0]}: "
                        f"{[(c['model']['version'], c['scores']) for c in contents[differ[0]]]}")
    return len(contents)


def test_worker_stopped_mid_stream_commits_what_it_published_and_nothing_is_published_twice(
        kafka_bootstrap, tmp_path):
    """A simulated shop's 2,000 sessions are in Kafka; the worker gets SIGTERM as soon as it
    processes (a batch in flight, fetches and records held by the merge waiting). It exits cleanly,
    having committed — while its producer still ran — exactly what it published; what it had
    fetched but not committed it did not publish. A new worker reads the rest once: no moment is
    published twice, all equal replay's (learning model: the checkpoint at shutdown matches the
    commit)."""
    lines = simulate("electronics-en", 2000, seed=21).lines
    records = records_from_lines(lines)
    deployment = WorkerEnv(kafka_bootstrap, tmp_path / "worker")
    deployment.produce(records)
    first, second = Worker(deployment, "stopped"), Worker(deployment, "second")
    try:
        first.start().wait_for(lambda s: s.get("processed", 0) >= 6000, poll=0.02, what="6,000 processed")
        assert first.stop(timeout=60) == 0, first.log_tail()
        log = first.log_tail(2000)
        assert "commit failed" not in log and "Traceback" not in log, log
        at_stop = committed_inputs(deployment)
        before = len(published(deployment))
        stats = second.start().wait_for(done(deployment, len(records)), what="every input consumed")
    finally:
        first.stop()
        second.stop()
    assert_clean(stats)
    assert inputs_read(stats) == len(records) - at_stop  # the rest, each once
    got = published(deployment)
    versions = assert_moments_as_replay(got, replay_moments(lines))
    assert len(got) == len(versions), "a moment was published twice: results sent but not committed"
    print(f"\nSIGTERM mid-stream: committed {at_stop} of {len(records)} at shutdown, {before} moments "
          f"published by then; the second worker read {inputs_read(stats)}; {len(got)} moments, each once")


def test_worker_killed_mid_stream_restarts_without_loss_and_rows_land_once(kafka_bootstrap, tmp_path):
    """Half the sample is in Kafka; the worker is SIGKILLed while it sends the results of it; the
    second half arrives; a new worker starts. The sink runs throughout, chDB in its own folder."""
    lines = sample_lines()
    records = records_from_lines(lines)
    half = len(records) // 2
    deployment = WorkerEnv(kafka_bootstrap, tmp_path / "worker", extra=RULES)
    deployment.produce(records[:half])
    sink = SinkProcess(deployment, tmp_path / "sink").start()
    first, restarted = Worker(deployment, "killed"), Worker(deployment, "restarted")
    try:
        killed = kill_once_processing(first.start())
        at_kill = committed_inputs(deployment)
        deployment.produce(records[half:])
        stats = restarted.start().wait_for(done(deployment, len(records)), what="every input consumed")
        # (the worker keeps running: its timer closes the idle sessions for the sessions table)
        rows = sink.assert_exactly_once(expected_from_replay(lines, Settings(model="rules")))
    finally:
        first.stop()
        restarted.stop()
        assert sink.stop() == 0, sink.log_tail()
    assert_clean(stats)
    # the restarted worker read every record not committed, each once, from the committed offsets
    assert inputs_read(stats) == len(records) - at_kill
    got = published(deployment)
    versions = assert_moments_as_replay(got, replay_moments(lines, Settings(model="rules")))
    n_dlq = assert_every_bad_input_in_dlq(deployment, records)
    print(f"\nkill -9: processed {killed['processed']} before the kill, committed {at_kill} of {half}; "
          f"restarted worker read {inputs_read(stats)} (duplicates {stats.get('duplicate', 0)}, "
          f"reread_requests {stats.get('reread_requests', 0)}); moments {len(got)} published for "
          f"{len(versions)} ids; DLQ records {n_dlq}; rows (final, distinct, physical) {rows}")


def test_worker_on_the_shared_model_killed_and_recreated_resends_each_moment_as_it_was(kafka_bootstrap, tmp_path):
    """The shared learning model, versions every 0.1 s: the worker (the learner too) is SIGKILLed
    once it has switched versions twice, and a new one with an empty data dir (a re-created
    container) goes on. It decides the records it reads again with the version the commits name
    (``pipeline.version_pin``), not with the newest: each moment re-sent equals the first, every
    moment's version replays to its scores, and the commits name a version."""
    lines = simulate("electronics-en", 2000, seed=23).lines
    records = records_from_lines(lines)  # in Kafka first: each user's events in replay's order
    deployment = WorkerEnv(kafka_bootstrap, tmp_path / "killed", partitions=2,
                           extra={**SHARED, "MOMENTS_MODEL_PUBLISH_INTERVAL_S": "0.1", "MOMENTS_BATCH_SIZE": "400"})
    deployment.produce(records)
    first = Worker(deployment, "killed")
    recreated = Worker(dataclasses.replace(deployment, data_dir=tmp_path / "recreated"), "recreated")
    try:
        first.start().wait_for(lambda s: model_of(first)["shared"]["switches"] >= 2, poll=0.05,
                               what="two version switches")
        first.kill_past_commit(deployment, 800)  # two batches: the earlier one's results delivered
        at_kill = committed_inputs(deployment)
        stats = recreated.start().wait_for(done(deployment, len(records)), what="every input consumed")
        shared = model_of(recreated)["shared"]
    finally:
        first.stop()
        recreated.stop()
    assert_clean(stats)
    assert inputs_read(stats) == len(records) - at_kill
    got = published(deployment)
    ids = assert_resent_as_they_were(got)
    resent = len(got) - ids
    assert resent > 0, f"nothing was read again: {at_kill} of {len(records)} committed at the kill"
    assert len(by_version(got)) > 1 and assert_versions_replay(lines, deployment, got, top=2) > 0
    named = [version_pin.decode(meta.metadata) for meta in group_commits(deployment).values()]
    assert named and all(n is not None for n in named), named
    print(f"\nshared model, kill -9 and a re-created worker: committed {at_kill} of {len(records)} at the "
          f"kill; the new worker read {inputs_read(stats)}, went back to the commits' version "
          f"{shared['rewinds']} time(s), switched {shared['switches']} times (p99 {shared['switch_ms_p99']} ms); "
          f"{len(got)} moments for {ids} ids, {resent} re-sent, each as it was")


def test_broker_restart_mid_stream_worker_reconnects_and_loses_nothing(own_broker, tmp_path):
    """The sample is in Kafka; while the worker sends the results, its broker is stopped (SIGTERM)
    and started again on the same ports and data dir. The worker stays up and finishes: the
    moments equal replay's (ids and content, the default learning model)."""
    lines = sample_lines()
    records = records_from_lines(lines)
    deployment = WorkerEnv(own_broker.status().bootstrap, tmp_path / "worker")
    sent = deployment.produce(records)
    worker = Worker(deployment).start()
    try:
        started = worker.wait_for(lambda s: s.get("processed", 0) > 0, poll=0.02, what="processing to start")
        at_stop = committed_inputs(deployment)
        # down until the worker notices (its /health turns 503), then up again
        restart(own_broker, while_down=lambda: worker.wait_for(
            lambda s: worker.health() == 503, timeout=60, what="the worker to notice the broker is down"))
        stats = worker.wait_for(done(deployment, sent), timeout=180, what="every input consumed")
        health = worker.health()
    finally:
        worker.stop()
    assert health == 200
    assert_clean(stats)
    got = published(deployment)
    versions = assert_moments_as_replay(got, replay_moments(lines))
    n_dlq = assert_every_bad_input_in_dlq(deployment, records)
    print(f"\nbroker restart: processed {started['processed']} and committed {at_stop} of {sent} before the stop; "
          f"worker read {inputs_read(stats)} for {sent} inputs "
          f"(duplicates {stats.get('duplicate', 0)}, reread_requests {stats.get('reread_requests', 0)}); "
          f"moments {len(got)} published for {len(versions)} ids; DLQ records {n_dlq}")


def test_two_workers_one_killed_its_partitions_move_to_the_survivor(kafka_bootstrap, tmp_path):
    """Two workers on the shared learning model share a group on 4-partition topics; once both own
    partitions the sample arrives; one worker is SIGKILLed while it processes. The survivor takes
    its partitions over (from their committed offsets, the users table changelog and the version
    their commits name) and finishes: every moment re-sent equals the first, versions replay."""
    lines = sample_lines()
    records = records_from_lines(lines)
    first = WorkerEnv(kafka_bootstrap, tmp_path / "survivor", partitions=4, extra=SHARED)
    second = dataclasses.replace(first, data_dir=tmp_path / "killed")  # same group, own data dir
    first.produce([])  # the topics, 4 partitions each
    survivor, victim = Worker(first, "survivor").start(), Worker(second, "killed").start()
    try:
        survivor.wait_for(lambda s: group_members(first) == ("Stable", 2), what="both workers in the group")
        sent = first.produce(records)
        own_before = assigned(survivor)  # before the kill: on a busy machine the takeover can be over soon after
        killed = kill_once_processing(victim)
        at_kill = committed_inputs(first)
        stats = survivor.wait_for(done(first, sent), timeout=180, what="the survivor to consume every input")
        own_after = assigned(survivor)
        shared = model_of(survivor)["shared"]
    finally:
        survivor.stop()
        victim.stop()
    # the victim's partitions moved to the survivor: 4 of each input topic, re-keyed, control, 1 of venues
    assert own_before < own_after == 4 * (len(EVENT_TOPICS) + 2) + 1
    assert_clean(stats)
    got = published(first)
    ids = assert_resent_as_they_were(got)
    assert assert_versions_replay(lines, first, got, top=2) > 0
    n_dlq = assert_every_bad_input_in_dlq(first, records)
    # every stored event reached the analytics topic (re-sent ones more than once)
    stored = {orjson.loads(v)["event_id"] for _, v in first.read_topic(ANALYTICS_EVENTS_TOPIC)}
    assert stored == {e["event_id"] for e in expected_from_replay(lines, Settings(model="rules"))["events"]}
    print(f"\ntwo workers, one killed: it processed {killed['processed']}; the survivor owned {own_before} "
          f"input partitions, then {own_after}; committed at the kill {at_kill} "
          f"of {sent}; survivor read {inputs_read(stats)} (duplicates {stats.get('duplicate', 0)}, "
          f"reread_requests {stats.get('reread_requests', 0)}, went back to a version named by the commits "
          f"{shared['rewinds']} time(s)); moments {len(got)} published for {ids} ids; DLQ records {n_dlq}")


def test_results_the_broker_rejects_are_never_committed_and_arrive_after_a_restart(kafka_bootstrap, tmp_path):
    """The DLQ topic was created too small for a bad input's record (a misconfigured topic): the
    broker rejects that batch. The worker must not commit the input (now or with a later commit),
    and stops; once the topic is fixed, a new worker reads the input again and the DLQ has it."""
    deployment = WorkerEnv(kafka_bootstrap, tmp_path / "worker", extra=RULES)
    kafka_helpers.run(kafka_helpers.create_topic(kafka_bootstrap, deployment.prefix + DLQ_TOPIC,
                                                 configs={"max.message.bytes": "4096"}))
    search = {"event_id": "e0", "user_id": "u1", "ts": 1747116002919, "query": "how to set up router"}
    good = [Record("events.search", b"u1", orjson.dumps({**search, "event_id": f"e{i}", "ts": search["ts"] + i}))
            for i in range(30)]
    bad = Record("events.search", b"u1", b"{" + b"z" * 10_000)  # its DLQ record: ~13.5 KB, over 4096
    records = [*good[:10], bad, *good[10:]]
    deployment.produce(records)
    first = Worker(deployment, "rejected").start()
    try:
        deadline = time.monotonic() + 120
        while first.proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.3)
        assert first.proc.poll() is not None, "the worker kept running after a result was rejected"
        assert first.proc.returncode != 0, "a worker that lost results must not exit as if all went well"
        assert "not delivered" in first.log_tail(200)
    finally:
        first.stop()
    at_stop = committed_inputs(deployment)
    assert at_stop <= 10, f"committed {at_stop}: past the input whose DLQ record was rejected (offset 10)"
    kafka_helpers.run(kafka_helpers.set_topic_config(kafka_bootstrap, deployment.prefix + DLQ_TOPIC,
                                                     {"max.message.bytes": str(8 * 1024 * 1024)}))
    second = Worker(deployment, "after-fix").start()
    try:
        stats = second.wait_for(done(deployment, len(records)), what="every input consumed and committed")
    finally:
        second.stop()
    assert stats.get("undelivered", 0) == 0 and inputs_read(stats) == len(records) - at_stop
    dlq = [DlqRecord.model_validate_json(v) for _, v in deployment.read_topic(DLQ_TOPIC)]
    assert [d.original_bytes() for d in dlq] == [bad.value] and dlq[0].offset == 10
    print(f"\nrejected DLQ record: the worker stopped with {at_stop} of {len(records)} inputs committed; "
          f"after the fix a new worker read {inputs_read(stats)} and the DLQ has the record once")
