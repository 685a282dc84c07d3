"""The yardstick for online learning: a batch logistic regression refit on the feedback seen so far.

``BatchRefitDetector`` answers with the rules until it has labels, then with a multinomial
logistic regression (L2, L-BFGS) fit from scratch on every feedback label seen so far, refit
every ``every`` labels. It is what a data scientist would run next to the stream; an online
detector that learns slower than it on the same stream wastes labels. It has the detectors'
River API, so the same replay, decision and scoring run it (``micromoments evaluate-unseen``).

>>> d = BatchRefitDetector(every=4)
>>> for _ in range(2):
...     for x, y in (({"w:kasse": 1.0}, "buy"), ({"w:filiale": 1.0}, "go"),
...                  ({"w:anleitung": 1.0}, "do"), ({"w:testsieger": 1.0}, "know")):
...         _ = d.learn_one(x, y)
>>> p = d.predict_proba_one({"w:testsieger": 1.0})
>>> max(p, key=p.get), d.version, d.refits
('know', '8', 2)
"""

from __future__ import annotations

import math

import numpy as np
from scipy import optimize, sparse

from detectors.metrics import PrequentialMetrics
from detectors.rules import RuleDetector
from schemas.topics import MOMENTS


class BatchRefitDetector:
    """River API: ``predict_proba_one``, ``learn_one``, ``explain_one``."""

    name = "batch-refit-logreg"

    def __init__(self, every: int = 25, l2: float = 1.0) -> None:
        self.every = every
        self.l2 = l2  # the penalty on the squared weights, per fit (sklearn's 1/C)
        self.rules = RuleDetector()
        self.metrics = PrequentialMetrics()
        self.refits = 0
        self._xs: list[dict[str, float]] = []
        self._ys: list[int] = []
        self._vocab: dict[str, int] = {}
        self._in_vocab = 0  # labels whose features have columns
        self._w: np.ndarray | None = None  # (features, moments)
        self._b: np.ndarray | None = None

    @property
    def version(self) -> str:
        return str(len(self._ys))

    def predict_proba_one(self, x: dict[str, float]) -> dict[str, float]:
        if self._w is None:
            return self.rules.predict_proba_one(x)
        z = self._b.copy()
        for f, v in x.items():
            j = self._vocab.get(f)
            if j is not None:
                z += v * self._w[j]
        z -= z.max()
        e = np.exp(z)
        e /= e.sum()
        return {m: float(p) for m, p in zip(MOMENTS, e, strict=True)}

    def learn_one(self, x: dict[str, float], y: str, w: float = 1.0) -> BatchRefitDetector:
        p = self.predict_proba_one(x)
        self.metrics.update(y, max(MOMENTS, key=lambda m: (p[m], -MOMENTS.index(m))))
        self._xs.append(dict(x))
        self._ys.append(MOMENTS.index(y))
        if len(self._ys) % self.every == 0:
            self._refit()
        return self

    def explain_one(self, x: dict[str, float], y: str, k: int = 3) -> list[tuple[str, float]]:
        if self._w is None:
            return self.rules.explain_one(x, y, k)
        c = MOMENTS.index(y)
        contrib = [(f, v * float(self._w[self._vocab[f], c])) for f, v in x.items() if f in self._vocab]
        contrib = [t for t in contrib if t[1] > 0 and math.isfinite(t[1])]
        return sorted(contrib, key=lambda t: -t[1])[:k]

    def _refit(self) -> None:
        for x in self._xs[self._in_vocab:]:  # new features get the next columns; old ones keep theirs
            for f in x:
                self._vocab.setdefault(f, len(self._vocab))
        self._in_vocab = len(self._xs)
        rows, cols, vals = [], [], []
        for i, x in enumerate(self._xs):
            for f, v in x.items():
                rows.append(i)
                cols.append(self._vocab[f])
                vals.append(v)
        n, d, k = len(self._xs), len(self._vocab), len(MOMENTS)
        xm = sparse.csr_matrix((vals, (rows, cols)), shape=(n, d))
        onehot = np.zeros((n, k))
        onehot[np.arange(n), self._ys] = 1.0

        def loss(theta: np.ndarray) -> tuple[float, np.ndarray]:
            w, b = theta[:d * k].reshape(d, k), theta[d * k:]
            z = xm @ w + b
            z -= z.max(axis=1, keepdims=True)
            logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
            g = np.exp(logp) - onehot
            value = -(onehot * logp).sum() + 0.5 * self.l2 * (w * w).sum()
            grad = np.concatenate([(xm.T @ g + self.l2 * w).ravel(), g.sum(axis=0)])
            return value, grad

        start = np.zeros(d * k + k)
        if self._w is not None:  # warm start: the fit is the same optimum, found sooner
            start[: self._w.size] = self._w.ravel()
            start[d * k:] = self._b
        theta = optimize.minimize(loss, start, jac=True, method="L-BFGS-B", options={"maxiter": 300}).x
        self._w, self._b = theta[:d * k].reshape(d, k), theta[d * k:]
        self.refits += 1
