"""Where the core's models learn: at once, or through the one shared learner.

The core (``pipeline.core``) and its profiler never call a model's learn method: they hand each
learning example to ``core.learn``. ``LocalLearning`` learns it at once (``replay``, training,
evaluation: one process, one model). ``SharedLearning`` collects a batch's examples for the
``mm.learn`` topic; the one learner (``pipeline.model_log``) learns them in that topic's order and
publishes versions that every worker follows: one model for any number of workers
(docs/ARCHITECTURE.md, "One model across workers").

An example is a tuple whose first item says what it teaches:

=============================  ========================================================
``("teach", x, label)``        the moment detector: a confident rule label (weak)
``("moment", x, label)``       the moment detector: a feedback label
``("sentiment", x, label)``    the sentiment model: a message's sentiment label
``("outcome", x, churned)``    the criticality model: a customer's outcome
``("topic", words, category)`` the interest words: a click that names its category
=============================  ========================================================

A version's *delta* carries the rows its examples changed (``Changes``), a *snapshot* all of them;
``apply_delta`` on a copy at the previous version gives the learner's model exactly.

>>> a, b = Models.fresh(), Models.fresh()
>>> changes = Changes()
>>> for ex in [("sentiment", {"w:great": 1.0}, "positive"), ("topic", ["drill"], "tools")]:
...     a.learn(ex); changes.note(ex)
>>> apply_delta(b, delta(a, changes))
>>> b.profile.sentiment.predict_proba_one({"w:great": 1.0}) == a.profile.sentiment.predict_proba_one({"w:great": 1.0})
True
>>> b.profile.topics.counts["drill"]
{'tools': 1.0}
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import orjson

from detectors import checkpoint
from detectors.criticality import CriticalityModel
from detectors.interests import TopicWords
from detectors.online import OVR_KINDS
from detectors.rules import RuleDetector
from detectors.sentiment import SentimentModel
from pipeline.profile import ProfileModels

KINDS = ("teach", "moment", "sentiment", "outcome", "topic")


def shareable(detector: Any) -> bool:
    """Whether a detector can be one model across workers: the one-vs-rest models (their versions
    travel as changed rows) and the rules (nothing to learn)."""
    return isinstance(detector, RuleDetector) or getattr(detector, "kind", None) in OVR_KINDS


@dataclass
class Models:
    """The models of one core: the moment detector and the profile models."""

    detector: Any
    profile: ProfileModels = field(default_factory=ProfileModels)

    @classmethod
    def fresh(cls) -> Models:
        return cls(RuleDetector())

    @property
    def learns_moments(self) -> bool:
        return hasattr(self.detector, "learn_taught")

    def learn(self, example: tuple | list) -> None:
        """Learn one example (see the module's table)."""
        learn_into(self.detector, self.profile, example)


def learn_into(detector: Any, profile: ProfileModels, example: tuple | list) -> None:
    """Learn one example into ``detector`` or one of the ``profile`` models."""
    kind = example[0]
    if kind == "teach":
        if hasattr(detector, "learn_taught"):
            detector.learn_taught(example[1], example[2])
    elif kind == "moment":
        detector.learn_one(example[1], example[2])
    elif kind == "sentiment":
        profile.sentiment.learn_one(example[1], example[2])
    elif kind == "outcome":
        profile.criticality.learn_one(example[1], bool(example[2]))
    elif kind == "topic":
        profile.topics.learn_one(example[1], example[2])
    else:
        raise ValueError(f"unknown learning example {kind!r}; expected one of {', '.join(KINDS)}")


class LocalLearning:
    """Learn each example at once, into the models the core decides with at that moment (a
    driver may swap them: ``Core.use_models``, or an evaluation setting ``core.detector``)."""

    def __init__(self, core: Any) -> None:
        self.core = core
        self.position: tuple = ()  # where the example came from: only the shared learner needs it

    def __call__(self, example: tuple) -> None:
        learn_into(self.core.detector, self.core.profiler.models, example)


class FrozenLearning:
    """Learn nothing: a replay with a fixed model version (``replay --model FILE --freeze``)."""

    position: tuple = ()

    def __call__(self, example: tuple) -> None:
        return None


class SharedLearning:
    """Collect examples for the learner; each is tagged with the input record it came from
    (``position``: topic, partition, offset), so that the learner learns a record re-read after a
    crash only once.

    >>> learn = SharedLearning()
    >>> learn.position = ("events.search", 3, 17)
    >>> learn(("teach", {"w:buy": 1.0}, "buy"))
    >>> learn.take()
    [b'[["events.search",3,17,"teach",{"w:buy":1.0},"buy"]]']
    >>> learn.take()
    []
    """

    def __init__(self) -> None:
        self.examples: list[tuple] = []
        self.position: tuple = ("", 0, 0)

    def __call__(self, example: tuple) -> None:
        self.examples.append((*self.position, *example))

    def take(self, per_record: int = 200) -> list[bytes]:
        """The collected examples as ``mm.learn`` records of about ``per_record`` examples
        (about 1 kB each: a record stays far below the broker's message size limit)."""
        examples, self.examples = self.examples, []
        records, start = [], 0
        for i in range(per_record, len(examples)):
            # the examples of one input record stay in one mm.learn record (the learner's
            # high-water marks count input records)
            if i - start >= per_record and examples[i][:3] != examples[i - 1][:3]:
                records.append(orjson.dumps(examples[start:i]))
                start = i
        if start < len(examples):
            records.append(orjson.dumps(examples[start:]))
        return records


class Changes:
    """What the examples learned since the last version touched: the rows a delta carries."""

    def __init__(self) -> None:
        self.moment: set[str] = set()
        self.sentiment: set[str] = set()
        self.topics: set[str] = set()
        self.criticality = False
        self.count = 0

    def note(self, example: tuple | list) -> None:
        kind = example[0]
        if kind in ("teach", "moment"):
            self.moment.update(example[1])
        elif kind == "sentiment":
            self.sentiment.update(example[1])
        elif kind == "outcome":
            self.criticality = True
        elif kind == "topic":
            self.topics.update(example[1])
        self.count += 1

    def __bool__(self) -> bool:
        return self.count > 0


# --- deltas and snapshots ------------------------------------------------------------------------

def delta(models: Models, changes: Changes) -> dict[str, Any]:
    """The rows ``changes`` touched, with the counters and intercepts they belong to."""
    out: dict[str, Any] = {}
    d = models.detector
    if changes.moment and models.learns_moments:
        m = d.model
        out["moment"] = {"labels": list(m.labels), "intercepts": list(m.intercepts), "rows": m.rows(changes.moment),
                         "n_feedback": d.n_feedback, "n_taught": d.n_taught, "teach_debt": d._teach_debt,
                         "quality": d.metrics.snapshot()}
    if changes.sentiment:
        s = models.profile.sentiment
        out["sentiment"] = {"labels": list(s.clf.labels), "intercepts": list(s.clf.intercepts),
                            "rows": s.clf.rows(changes.sentiment), "n_learned": s.n_learned}
    if changes.criticality:
        out["criticality"] = models.profile.criticality.to_dict()
    if changes.topics:
        counts = models.profile.topics.counts
        out["topics"] = {w: dict(counts[w]) for w in changes.topics if w in counts}
    return out


def apply_delta(models: Models, data: dict[str, Any]) -> None:
    """Bring ``models`` (at the delta's base version) to the delta's version, in place."""
    if (m := data.get("moment")) is not None:
        d = models.detector
        d.model.set_rows(m["labels"], m["intercepts"], m["rows"])
        d.n_feedback, d.n_taught, d._teach_debt = m["n_feedback"], m["n_taught"], m["teach_debt"]
        d.shared_quality = m.get("quality")
    if (s := data.get("sentiment")) is not None:
        model = models.profile.sentiment
        model.clf.set_rows(s["labels"], s["intercepts"], s["rows"])
        model.n_learned = s["n_learned"]
    if (c := data.get("criticality")) is not None:
        models.profile.criticality = CriticalityModel.from_dict(c)
    if (t := data.get("topics")) is not None:
        models.profile.topics.counts.update(t)


def snapshot(models: Models) -> dict[str, Any]:
    """Every model's whole state (the checkpoints' formats)."""
    d = models.detector
    p = models.profile
    return {"moment": checkpoint.to_dict(d) if models.learns_moments else None,
            "sentiment": p.sentiment.to_dict(), "criticality": p.criticality.to_dict(),
            "topics": {"counts": p.topics.counts}}


def from_snapshot(data: dict[str, Any]) -> Models:
    detector = checkpoint.from_dict(data["moment"]) if data.get("moment") else RuleDetector()
    profile = ProfileModels(sentiment=SentimentModel.from_dict(data["sentiment"]),
                            criticality=CriticalityModel.from_dict(data["criticality"]),
                            topics=TopicWords.from_dict(data["topics"]))
    return Models(detector, profile)


__all__ = [
    "Changes",
    "FrozenLearning",
    "LocalLearning",
    "Models",
    "SharedLearning",
    "apply_delta",
    "delta",
    "from_snapshot",
    "learn_into",
    "shareable",
    "snapshot",
]
