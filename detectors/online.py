"""The production detector: an online classifier taught by the rules, then by feedback.

The classifier is River's (softmax, naive Bayes) or, by default, a one-vs-rest
logistic regression with River's arithmetic (``detectors.ovr``).
Cold start: predictions are the rules'. Every confident rule decision is also a
weak label (weight ``teach_weight``) for the model; each delayed feedback
label is a strong one. As labels accumulate the prediction moves from the rules
to the model (``blend``), so it learns what the rules never knew — another
trade's vocabulary, another site's URLs.

>>> d = MomentDetector()
>>> p = d.predict_proba_one({"r:w:kauf": 1.0})
>>> max(p, key=p.get)
'buy'
>>> for _ in range(30):
...     _ = d.learn_one({"r:w:dübeln": 1.0}, "do")
>>> p = d.predict_proba_one({"r:w:dübeln": 1.0})
>>> max(p, key=p.get), d.version
('do', '30.0')
"""

from __future__ import annotations

import math

from river import linear_model, naive_bayes, optim

from detectors.hotloops import mix_tempered, tempered
from detectors.metrics import PrequentialMetrics
from detectors.ovr import OneVsRestLogReg
from detectors.rules import RuleDetector
from schemas.topics import MOMENTS

#: the candidates ``micromoments evaluate`` compares; the first is the default
MODEL_KINDS = ("ovr-logreg", "ovr-sgd", "softmax", "naive-bayes")


OVR_KINDS = ("ovr-logreg", "ovr-sgd")


def make_model(kind: str):
    """A fresh classifier of the given kind (River's, or River's arithmetic: ``detectors.ovr``)."""
    if kind == "ovr-logreg":  # one-vs-rest logistic regression, AdaGrad(0.1), l2=1e-4
        return OneVsRestLogReg(lr=0.1, l2=1e-4, optimizer="adagrad")
    if kind == "ovr-sgd":  # = OneVsRestClassifier(LogisticRegression(optimizer=SGD(0.1), l2=1e-4))
        return OneVsRestLogReg(lr=0.1, l2=1e-4)
    if kind == "softmax":
        return linear_model.SoftmaxRegression(optimizer=optim.SGD(0.1), l2=1e-4)
    if kind == "naive-bayes":
        return naive_bayes.MultinomialNB(alpha=0.5)
    raise ValueError(f"unknown model kind {kind!r}; choose one of {', '.join(MODEL_KINDS)}")


def fit_temperature(pairs: list[tuple[dict[str, float], str]]) -> float:
    """The temperature minimizing the log loss of ``(probabilities, true label)`` pairs.

    >>> sure_and_often_wrong = [({"know": 0.95, "buy": 0.05}, "know")] * 7 + [({"know": 0.95, "buy": 0.05}, "buy")] * 3
    >>> fit_temperature(sure_and_often_wrong) > 1.5   # over-confident: softened
    True
    """
    grid = [0.5 + 0.05 * i for i in range(71)]  # 0.5 .. 4.0

    def loss(t: float) -> float:
        return -sum(math.log(max(tempered(p, t).get(y, 0.0), 1e-12)) for p, y in pairs)

    return min(grid, key=loss) if pairs else 1.0


class MomentDetector:
    """River API: ``predict_proba_one``, ``learn_one``; plus ``teach_one`` and ``explain_one``."""

    def __init__(self, kind: str = MODEL_KINDS[0], teach_threshold: float = 0.8, teach_weight: float = 0.3,
                 warmup: float = 40.0) -> None:
        self.kind = kind
        self.model = make_model(kind)
        self.rules = RuleDetector()
        self.teach_threshold = teach_threshold
        self.teach_weight = teach_weight
        self.warmup = warmup  # labels at which rules and model weigh equally
        self.n_feedback = 0
        self.n_taught = 0
        #: calibration: probabilities are sharpened (< 1) or softened (> 1); fit by ``calibrate``
        self.temperature = 1.0
        self._teach_debt = 0.0  # for models without sample weights: learn 1 in 1/weight
        self.metrics = PrequentialMetrics()
        #: a follower of the shared model (``pipeline.model_log``) learns nothing: the learner's quality
        self.shared_quality: dict | None = None
        self._rules_for: dict | None = None
        self._rules_p: dict[str, float] = {}

    @property
    def name(self) -> str:
        return f"river-{self.kind}"

    @property
    def version(self) -> str:
        """Deterministic: the same input in the same order gives the same version."""
        return f"{self.n_feedback}.{self.n_taught}"

    def quality(self) -> dict:
        """The prequential quality: this model's own, or the shared model's learner's."""
        return self.shared_quality if self.shared_quality is not None else self.metrics.snapshot()

    def blend(self) -> float:
        """The rules' share of a prediction: 1 with no labels, 1/2 at ``warmup`` labels."""
        labels = self.n_feedback + self.teach_weight * self.n_taught
        return self.warmup / (self.warmup + labels)

    def _rules(self, x: dict[str, float]) -> dict[str, float]:
        # predict and teach look at the same x one after the other: compute the rules once
        if self._rules_for is not x:
            self._rules_for, self._rules_p = x, self.rules.predict_proba_one(x)
        return self._rules_p

    def predict_proba_one(self, x: dict[str, float]) -> dict[str, float]:
        rules = self._rules(x)
        a = self.blend()
        if a >= 0.999:
            return rules
        model = self.model.predict_proba_one(self._input(x))
        return mix_tempered(rules, model, MOMENTS, a, self.temperature)

    def learn_one(self, x: dict[str, float], y: str, w: float = 1.0) -> MomentDetector:
        """A feedback label (delayed): scored first (prequential), then learned."""
        p = self.predict_proba_one(x)
        self.metrics.update(y, max(MOMENTS, key=lambda m: (p[m], -MOMENTS.index(m))))
        self._learn(x, y, w)
        self.n_feedback += 1
        return self

    def teach_one(self, x: dict[str, float]) -> str | None:
        """Learn the rules' label for ``x`` if they are confident (weak supervision)."""
        label = self.teach_label(x)
        if label is not None:
            self.learn_taught(x, label)
        return label

    def teach_label(self, x: dict[str, float]) -> str | None:
        """The rules' label for ``x`` if they are confident enough to teach it, else None."""
        rules = self._rules(x)
        label = max(rules, key=rules.get)  # rules are in MOMENTS order: a tie keeps the earlier
        return label if rules[label] >= self.teach_threshold else None

    def learn_taught(self, x: dict[str, float], label: str) -> None:
        """Learn a rule label (weight ``teach_weight``); ``teach_label`` chose it."""
        self._learn(x, label, self.teach_weight)
        self.n_taught += 1

    def _input(self, x: dict[str, float]) -> dict[str, float]:
        # multinomial naive Bayes takes counts: negative cues (heading away) are dropped
        return {k: v for k, v in x.items() if v > 0} if self.kind == "naive-bayes" else x

    def _learn(self, x: dict[str, float], y: str, w: float) -> None:
        x = self._input(x)
        if self.kind in OVR_KINDS:
            self.model.learn_one(x, y, w)
            return
        self._teach_debt += w  # no sample weights: learn whole examples at the weighted rate
        while self._teach_debt >= 1.0 - 1e-9:
            self._teach_debt -= 1.0
            self.model.learn_one(x, y)

    def explain_one(self, x: dict[str, float], y: str, k: int = 3) -> list[tuple[str, float]]:
        """The features that pushed ``y`` most: rule cues while the rules dominate, else the
        River model's weight × value for ``y`` (log-odds units)."""
        if self.blend() >= 0.5 or self.kind == "naive-bayes":
            return self.rules.explain_one(x, y, k)
        if self.kind in OVR_KINDS:
            contrib = self.model.contributions(x, y)
        else:
            weights = self.model.weights.get(y, {})
            contrib = [(f, weights.get(f, 0.0) * v) for f, v in x.items()]
        contrib = [c for c in contrib if c[1] > 0 and math.isfinite(c[1])]
        contrib.sort(key=lambda c: -c[1])
        return contrib[:k] or self.rules.explain_one(x, y, k)
