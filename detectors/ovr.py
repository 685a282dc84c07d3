"""One-vs-rest logistic regression: River's arithmetic, laid out for sparse text features.

River's ``OneVsRestClassifier(LogisticRegression(optimizer=SGD(lr), l2=l2))`` keeps one
weight vector per label and makes one Python-to-Rust round trip per label for every dot
product and update step: about 160 µs to learn one example with four labels on the
development machine, the largest single cost of the worker (docs/PERFORMANCE.md). Here the
weights of all labels sit together per feature (``feature -> [w per label]``), so a
prediction or an update is one pass over the example's ~40 features.

The arithmetic is River's, operation for operation (dot product in the example's key order,
the log loss gradient, clipping, L2 on the example's weights, the SGD step, the intercept's
own learning rate), so predictions and weights are bit for bit the same as River's
(``tests/test_detectors.py`` checks that on a simulated stream). With ``optimizer="adagrad"``
each weight has its own rate instead (River's ``optim.AdaGrad``'s rule), which the detector uses:
a shop's own words are learned at the full rate from their first labels, while the weights the
shipped model learned from thousands of labels move slowly (docs/DETECTORS.md, "Shops never seen").

>>> m = OneVsRestLogReg()
>>> for _ in range(20):
...     m.learn_one({"w:kaufen": 1.0}, "buy")
...     m.learn_one({"w:wie": 1.0}, "do")
>>> p = m.predict_proba_one({"w:kaufen": 1.0})
>>> max(p, key=p.get), m.labels
('buy', ['buy', 'do'])
"""

from __future__ import annotations

import math

from detectors.hotloops import ADAGRAD_EPS, gradients, learn4, learn4_adagrad, raws4, vote

#: River's ``LogisticRegression`` defaults for what the detector does not set
INTERCEPT_LR = 0.01
CLIP_GRADIENT = 1e12


class OneVsRestLogReg:
    """A binary logistic regression per label (labels in the order first seen)."""

    def __init__(self, lr: float = 0.1, l2: float = 1e-4, intercept_lr: float = INTERCEPT_LR,
                 optimizer: str = "sgd") -> None:
        if optimizer not in ("sgd", "adagrad"):
            raise ValueError(f"optimizer must be sgd or adagrad, not {optimizer!r}")
        #: ``sgd``: River's step (bit for bit); ``adagrad``: a rate per weight, lr / sqrt(sum of its
        #: squared gradients), kept after the label's weights in each feature's list
        self.optimizer = optimizer
        self.lr = lr
        self.l2 = l2
        self.intercept_lr = intercept_lr
        self.labels: list[str] = []
        self.intercepts: list[float] = []
        #: feature -> one weight per label (0.0 for a label not yet seen when it was created)
        self.weights: dict[str, list[float]] = {}
        # the detector predicts, then learns the same x: the dot products of the prediction are
        # reused by the next learn_one if it gets the same (unchanged) dict
        self._raws_for: dict | None = None
        self._raws_of: list[float] = []

    def _raws(self, x: dict[str, float]) -> list[float]:
        """Per label, the weights' dot product with ``x`` (summed in x's order) + intercept."""
        n = len(self.labels)
        if n == 4:  # the detector's case (compiled where built: detectors.hotloops)
            return raws4(self.weights, x, self.intercepts)
        sums = [0.0] * n
        for k, v in x.items():
            ws = self.weights.get(k)
            if ws is not None:
                for j in range(n):
                    sums[j] += ws[j] * v
        return [s + b for s, b in zip(sums, self.intercepts)]

    def predict_proba_one(self, x: dict[str, float]) -> dict[str, float]:
        """River's one-vs-rest vote: each label's sigmoid, normalized by their sum."""
        raws = self._raws(x)
        self._raws_for, self._raws_of = x, raws
        return vote(raws, self.labels)

    def learn_one(self, x: dict[str, float], y: str, w: float = 1.0) -> None:
        if y not in self.labels:  # River clones a fresh classifier for a new label
            self._add_label(y)
        raws = self._raws_of if self._raws_for is x else self._raws(x)
        self._raws_for = None  # the weights change
        grads = gradients(raws, self.labels, y, w, self.intercepts, self.intercept_lr, CLIP_GRADIENT)
        lr, l2, weights = self.lr, self.l2, self.weights
        n = len(grads)
        if n == 4:  # the detector's case (compiled where built: detectors.hotloops)
            (learn4_adagrad if self.optimizer == "adagrad" else learn4)(weights, x, *grads, lr, l2)
            return
        if self.optimizer == "adagrad":
            for k, v in x.items():
                ws = weights.get(k)
                if ws is None:
                    ws = weights[k] = [0.0] * (2 * n)
                for j in range(n):
                    wj = ws[j]
                    d = v * grads[j] + l2 * wj
                    ws[n + j] += d * d
                    ws[j] = wj - lr * d / (math.sqrt(ws[n + j]) + ADAGRAD_EPS)
            return
        for k, v in x.items():
            ws = weights.get(k)
            if ws is None:
                ws = weights[k] = [0.0] * n
            for j in range(n):
                wj = ws[j]
                ws[j] = wj - lr * (v * grads[j] + l2 * wj)

    def _add_label(self, label: str) -> None:
        n = len(self.labels)
        self.labels.append(label)
        self.intercepts.append(0.0)
        for ws in self.weights.values():
            if len(ws) > n:  # [weights..., squared gradient sums...] (adagrad)
                ws.insert(n, 0.0)
            ws.append(0.0)
        self._raws_for = None

    # --- per label, for checkpoints and explanations ------------------------------------------

    def contributions(self, x: dict[str, float], label: str) -> list[tuple[str, float]]:
        """Per feature of ``x``: its weight for ``label`` times its value (log-odds units)."""
        if label not in self.labels:
            return []
        j = self.labels.index(label)
        get = self.weights.get
        return [(k, ws[j] * v) for k, v in x.items() if (ws := get(k)) is not None]

    def label_weights(self, label: str) -> dict[str, float]:
        j = self.labels.index(label)
        return {k: ws[j] for k, ws in self.weights.items()}

    def intercept(self, label: str) -> float:
        return self.intercepts[self.labels.index(label)]

    def label_sums(self, label: str) -> dict[str, float]:
        """AdaGrad's squared-gradient sums of one label's weights (empty for SGD)."""
        if self.optimizer != "adagrad":
            return {}
        n, j = len(self.labels), self.labels.index(label)
        return {k: ws[n + j] for k, ws in self.weights.items()}

    def set_label(self, label: str, weights: dict[str, float], intercept: float,
                  sums: dict[str, float] | None = None) -> None:
        """Load one label's weights (a checkpoint; ``sums``: AdaGrad's); a new label is appended."""
        if label not in self.labels:
            self._add_label(label)
        self._raws_for = None
        j, n = self.labels.index(label), len(self.labels)
        size = 2 * n if self.optimizer == "adagrad" else n
        self.intercepts[j] = intercept
        for k, v in weights.items():
            ws = self.weights.get(k)
            if ws is None:
                ws = self.weights[k] = [0.0] * size
            ws[j] = v
        if size > n:
            for k, v in (sums or {}).items():
                self.weights[k][n + j] = v

    # --- a version's changed rows, for the shared model (``pipeline.learning``) ---------------

    def rows(self, keys) -> dict[str, list[float]]:
        """The weight lists (weights per label, then AdaGrad's sums) of the features in ``keys``."""
        get = self.weights.get
        return {k: list(ws) for k in keys if (ws := get(k)) is not None}

    def set_rows(self, labels: list[str], intercepts: list[float], rows: dict[str, list[float]]) -> None:
        """Take another copy's labels, intercepts and the given rows (its newer weights).

        >>> a, b = OneVsRestLogReg(optimizer="adagrad"), OneVsRestLogReg(optimizer="adagrad")
        >>> a.learn_one({"w:kaufen": 1.0}, "buy"); a.learn_one({"w:wie": 1.0}, "do")
        >>> b.set_rows(a.labels, a.intercepts, a.rows(["w:kaufen", "w:wie"]))
        >>> b.predict_proba_one({"w:wie": 1.0}) == a.predict_proba_one({"w:wie": 1.0})
        True
        """
        if labels != self.labels:
            for label in labels[len(self.labels):]:
                self._add_label(label)
            if labels != self.labels:
                raise ValueError(f"labels {labels} do not extend {self.labels}")
        self.intercepts = list(intercepts)
        for k, ws in rows.items():
            self.weights[k] = list(ws)
        self._raws_for = None
