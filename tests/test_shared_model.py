"""One model across workers, without a broker: the learner learns exactly what one process learns,
and a follower of its versions holds exactly the learner's model (pipeline.learning, model_log)."""

from __future__ import annotations

import pytest

from config import Settings
from pipeline.detector_factory import build_core, build_detector
from pipeline.learner import SharedLearner
from pipeline.learning import Models, SharedLearning
from pipeline.model_log import DELTA_KEY, ModelLog, encode_delta, encode_snapshot
from pipeline.replay import Replayer
from tools.simulate import simulate


class Collecting(SharedLearning):
    """SharedLearning that also keeps every mm.learn record it produced."""

    def __init__(self) -> None:
        super().__init__()
        self.records: list[bytes] = []

    def take(self, per_record: int = 200) -> list[bytes]:
        out = super().take(per_record)
        self.records.extend(out)
        return out


def same_models(a: Models, b: Models, criticality: bool = True) -> None:
    """Bit for bit; ``criticality=False``: only as many outcomes learned (its features read the
    customer's moods, which the sentiment model of the moment judged: in one process a model that
    learned as it went, in the workers the shared version they held)."""
    da, db = a.detector, b.detector
    assert (da.n_feedback, da.n_taught, da.version) == (db.n_feedback, db.n_taught, db.version)
    assert da.model.labels == db.model.labels and da.model.intercepts == db.model.intercepts
    assert da.model.weights == db.model.weights  # bit for bit
    pa, pb = a.profile, b.profile
    assert pa.sentiment.clf.weights == pb.sentiment.clf.weights and pa.sentiment.n_learned == pb.sentiment.n_learned
    if criticality:
        assert pa.criticality.to_dict() == pb.criticality.to_dict()
    assert pa.criticality.n_learned == pb.criticality.n_learned
    assert pa.topics.counts == pb.topics.counts


@pytest.fixture(scope="module")
def stream() -> list[bytes]:
    # customers with messages, feedback and outcomes: every kind of example
    return simulate("bank-de-en", 400, seed=31, profiles=True).lines


@pytest.fixture(scope="module")
def learned_here(stream):
    """replay: every example learned at once."""
    core = build_core(Settings())
    list(Replayer(core).feed(stream))
    return core.models


@pytest.fixture(scope="module")
def examples(stream) -> list[bytes]:
    """The same stream with shared learning: the mm.learn records a worker would send."""
    learning = Collecting()
    core = build_core(Settings(), learning=learning)
    list(Replayer(core).feed(stream))
    return learning.records


def learner() -> SharedLearner:
    s = Settings()
    one = SharedLearner(s, lambda: Models(build_detector(s)))
    one.models, one.meta = one.base(), {"seq": 0, "epoch": 0, "learn_offset": 0}
    return one


def test_the_learner_learns_exactly_what_one_process_learns(learned_here, examples):
    kinds = {ex for rec in examples for ex in __import__("orjson").loads(rec) for ex in [ex[3]]}
    assert kinds == {"teach", "moment", "sentiment", "outcome", "topic"}, kinds
    one = learner()
    for offset, record in enumerate(examples):
        one.learn_record(record, offset)
    same_models(one.models, learned_here, criticality=False)
    assert learned_here.detector.n_feedback > 0 and learned_here.profile.sentiment.n_learned > 0


def test_a_record_read_again_after_a_crash_is_learned_once(learned_here, examples):
    """A worker that crashed before its commit reads its inputs again and sends their examples
    again: the learner's high-water marks per input partition skip them."""
    one = learner()
    half = len(examples) // 2
    for offset, record in enumerate(examples[:half] + examples[half - 3:half] + examples[half:]):
        one.learn_record(record, offset)
    assert one.skipped > 0
    same_models(one.models, learned_here, criticality=False)


def test_a_follower_of_the_versions_holds_the_learners_model(examples):
    """Snapshot, deltas every few records, a periodic snapshot of the same version (not decoded),
    a delta of a stale learner (ignored): the follower's model is the learner's, bit for bit."""
    one = learner()
    follower = ModelLog()
    for rec in encode_snapshot(one.meta, one.models):
        follower.offer(*rec)
    seq = 0
    for offset, record in enumerate(examples):
        one.learn_record(record, offset)
        if offset % 7 == 6 or offset == len(examples) - 1:
            from pipeline.learning import delta
            meta = {"seq": seq + 1, "base": seq, "epoch": 0, "ts_ms": 0, "version": str(one.models.detector.version)}
            value = encode_delta(meta, delta(one.models, one.changes))
            assert follower.offer(DELTA_KEY, value, []) == "delta"
            seq += 1
            one.changes = type(one.changes)()
            if offset == 20:
                assert all(follower.offer(*r) is None for r in encode_snapshot({**meta, "epoch": 0}, one.models))
                stale = encode_delta({**meta, "base": seq - 1, "seq": seq}, {})
                assert follower.offer(DELTA_KEY, stale, []) is None
    same_models(follower.models, one.models)
    assert follower.seq == seq and follower.meta["version"] == str(one.models.detector.version)


def test_a_new_learners_epoch_replaces_the_old_ones_versions(examples):
    """A learner that takes over publishes a snapshot with the next epoch; a delta that the replaced
    learner still sends afterwards (it has not noticed yet) is ignored by every reader."""
    from pipeline.learning import delta

    old = learner()
    reader = ModelLog()
    for rec in encode_snapshot(old.meta, old.models):
        reader.offer(*rec)
    old.learn_record(examples[0], 0)
    stale = encode_delta({"seq": 1, "base": 0, "epoch": 0, "ts_ms": 0}, delta(old.models, old.changes))
    new = learner()  # restored from the version the readers hold (seq 0), next epoch
    new.learn_record(examples[0], 0)
    new.learn_record(examples[1], 1)
    assert [reader.offer(*r) for r in encode_snapshot({"seq": 1, "epoch": 1, "ts_ms": 0}, new.models)][-1] == "snapshot"
    assert reader.offer(DELTA_KEY, stale, []) is None and reader.ignored == 1
    same_models(reader.models, new.models)
