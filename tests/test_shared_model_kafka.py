"""One model across workers on a real broker: two workers on 6 partitions learn one model through the
learner, decide with the same versions, and every moment's version can be exported and replayed."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
import time
from collections import Counter

import orjson
import pytest

from config import Settings
from pipeline.detector_factory import build_core, build_detector
from pipeline.replay import Replayer
from tests.model_helpers import SHARED, assert_versions_replay, by_version, model_of
from tests.test_shared_model import Collecting
from tests.worker_helpers import Worker, WorkerEnv, accounted, group_members, published
from tools.feed import records_from_lines
from tools.simulate import simulate

pytestmark = pytest.mark.kafka


def converged(workers: list[Worker]) -> tuple[bool, list[dict]]:
    models = [model_of(w) for w in workers]
    seqs = {m["shared"]["seq"] for m in models}
    versions = {m["version"] for m in models}
    return len(seqs) == 1 and len(versions) == 1, models


def one_learner(workers: list[Worker]) -> bool:
    try:
        models = [model_of(w) for w in workers]
    except OSError:
        return False
    return sum(m["shared"]["learner"]["active"] for m in models) == 1 and all(m["shared"]["seq"] >= 0 for m in models)


def wait_converged(workers: list[Worker], timeout: float = 60.0) -> list[dict]:
    """Every worker on the same version, and still on it after two publish intervals (the learner
    has learned everything)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ok, first = converged(workers)
        time.sleep(1.5)
        ok2, second = converged(workers)
        if ok and ok2 and first[0]["shared"]["seq"] == second[0]["shared"]["seq"]:
            return second
    raise AssertionError(f"workers did not converge: {[model_of(w) for w in workers]}")


def test_two_workers_learn_one_model_and_every_version_replays(kafka_bootstrap, tmp_path):
    lines = simulate("electronics-en", 1500, seed=41).lines
    records = records_from_lines(lines)
    # versions every 0.1 s: the records are decided at full speed (in Kafka at once, so that each
    # user's events come in replay's order), a loaded machine may take only a second or two
    first = WorkerEnv(kafka_bootstrap, tmp_path / "a", partitions=6,
                      extra={**SHARED, "MOMENTS_MODEL_PUBLISH_INTERVAL_S": "0.1"})
    second = dataclasses.replace(first, data_dir=tmp_path / "b")
    first.produce([])
    a, b = Worker(first, "a").start(), Worker(second, "b").start()
    workers = [a, b]
    try:
        a.wait_for(lambda s: group_members(first) == ("Stable", 2), what="both workers in the group")
        # one learner at work before the records come (the learner group settles apart from the
        # workers' group), so that the decisions span several of its versions
        a.wait_for(lambda s: one_learner(workers), what="one active learner")
        sent = first.produce(records)
        deadline = time.monotonic() + 120
        while sum(accounted(w.stats() or {}) for w in workers) < sent:
            assert time.monotonic() < deadline, "inputs not accounted for"
            time.sleep(0.5)
        models = wait_converged(workers)
        # one learner, learning from both workers' partitions
        learners = [m["shared"]["learner"] for m in models if m["shared"]["learner"]["active"]]
        assert len(learners) == 1, models
        assert learners[0]["learned"] > 0 and models[0]["shared"]["seq"] > 1
        assert all(w.stats()["processed"] > 0 for w in workers)  # both decided: the partitions are split
        assert all(m["shared"]["versions_ignored"] == 0 for m in models)
        metrics = a.get("/metrics").decode()
        assert f"micromoments_model_seq {float(models[0]['shared']['seq'])}" in metrics

        # every moment names its version; a version exported from mm.model gives, replayed frozen,
        # the scores the workers decided with
        moments = published(first)
        assert moments and all(m.model.version for m in moments)
        versions = by_version(moments)
        assert len(versions) > 1, "the model never changed while deciding"
        assert assert_versions_replay(lines, first, moments) > 0
        # the same through the command line: model export, replay --model --freeze
        top = max(versions, key=lambda v: len(versions[v]))
        env = first.env(0)
        subprocess.run([sys.executable, "-m", "micromoments", "model", "export", "--version", top,
                        "--out", str(tmp_path / "model.json")], env=env, check=True, timeout=120)
        (tmp_path / "in.jsonl").write_bytes(b"\n".join(lines) + b"\n")
        subprocess.run([sys.executable, "-m", "micromoments", "replay", "-i", str(tmp_path / "in.jsonl"),
                        "-o", str(tmp_path / "out.jsonl"), "--model", str(tmp_path / "model.json"), "--freeze",
                        "-q"], env=env, check=True, timeout=300)
        replayed = {m["event_id"]: m for m in map(json.loads, (tmp_path / "out.jsonl").read_text().splitlines())}
        same = [m for m in versions[top] if m.event_id in replayed]
        assert same and all(replayed[m.event_id]["scores"] == m.scores and
                            replayed[m.event_id]["model"]["version"] == top for m in same)

        # a new worker (empty data dir) starts from the shared model, not from the shipped one
        b.stop()
        third = dataclasses.replace(first, data_dir=tmp_path / "c")
        c = Worker(third, "c").start()
        workers = [a, c]
        c.wait_for(lambda s: s is not None and model_of(c)["shared"]["seq"] >= 0, what="the new worker's model")
        assert model_of(c)["shared"]["seq"] >= models[0]["shared"]["seq"]  # (it decides nothing before)
        assert model_of(c)["version"] == models[0]["version"]
    finally:
        for w in workers + [b]:
            w.stop()


def expected_examples(lines: list[bytes]) -> Counter:
    """How many examples of each kind the stream teaches (the same whatever the model decided)."""
    learning = Collecting()
    list(Replayer(build_core(Settings(), learning=learning)).feed(lines))
    return Counter(ex[3] for rec in learning.records for ex in orjson.loads(rec))


@pytest.mark.slow
def test_the_learner_killed_and_recreated_learns_every_example_once(kafka_bootstrap, tmp_path):
    """Two workers; the one that learns is SIGKILLed while it learns and replaced by a worker with an
    empty data dir. The other worker takes the learning over from the last published version: in
    the end every worker decides with one version that learned each example of the stream exactly
    once (its feedback and rule-label counts are the stream's), and moments still replay."""
    # no bad lines: among them are copies of an event under another user id, which two workers do not
    # recognise as duplicates (docs/ARCHITECTURE.md "State") and would learn twice
    lines = simulate("electronics-en", 2000, seed=43, bad_share=0.0).lines
    records = records_from_lines(lines)
    want = expected_examples(lines)
    base = _feedbacks_taught(build_detector(Settings()).version)  # the shipped model's counts
    first = WorkerEnv(kafka_bootstrap, tmp_path / "a", partitions=6, extra=SHARED)
    second = dataclasses.replace(first, data_dir=tmp_path / "b")
    # in Kafka before the workers start: each user's events in the order replay takes them (live
    # traffic may bring a topic's record after a later one of another topic: other features, other
    # rule labels), so the examples are the stream's whatever the timing
    first.produce(records)
    a, b = Worker(first, "a").start(), Worker(second, "b").start()
    workers, replacement = [a, b], None
    try:
        def learning() -> Worker | None:  # the learner, once it has learned a part of the stream
            for w in workers:
                try:
                    mine = model_of(w)["shared"]["learner"]
                except OSError:  # not serving its pages yet
                    continue
                if mine["active"] and mine["learned"] > 2000:
                    return w
            return None
        a.wait_for(lambda s: learning() is not None, what="the learner to learn")
        learner = learning()
        learner.kill()
        survivor = b if learner is a else a
        replacement = Worker(dataclasses.replace(first, data_dir=tmp_path / "c"), "c").start()
        workers = [survivor, replacement]
        deadline = time.monotonic() + 120
        while True:
            time.sleep(1.0)
            try:
                models = [model_of(w) for w in workers]
            except OSError:  # the replacement's web server is not up yet
                continue
            n, m = _feedbacks_taught(models[0]["version"])
            counts = (n - base[0], m - base[1])
            if len({m["version"] for m in models}) == 1 and counts == (want["moment"], want["teach"]):
                break
            assert time.monotonic() < deadline, f"not every example once: {counts}, want {want}; {models}"
        active = [m["shared"]["learner"] for m in models if m["shared"]["learner"]["active"]]
        assert len(active) == 1 and models[0]["shared"]["epoch"] >= 1, models  # learning was handed over
        assert active[0]["skipped"] >= 0
    finally:
        for w in [a, b, *( [replacement] if replacement else [])]:
            w.stop()


def _feedbacks_taught(version: str) -> tuple[int, int]:
    n, _, m = version.partition(".")
    return int(n), int(m)
