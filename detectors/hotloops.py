"""The detector's per-feature loops, in one place: pure Python here, compiled where built.

An event's features (~40 keys) pass through three loops: the model's dot products
(``raws4``), its SGD step (``gradients``, ``learn4``) and the rules' totals
(``rule_totals``); four probabilities are made of them (``softmax``, ``vote``,
``mix_tempered``); before all that the session's state becomes the feature dict
(``session_vector``). In CPython each key or label costs interpreter work far above its
arithmetic (dicts, float objects), and these were the largest part of an event's cost
(docs/PERFORMANCE.md, attempt 18).

``detectors/_hotloops.pyx`` is the same code compiled with Cython at install: an optional
extension, so without a C compiler the install still works and these Python versions run
(``MOMENTS_PURE_PYTHON=1`` chooses them too). Both do the same float operations in the same
order, so the results are bit for bit equal (``tests/test_hotloops.py``).

>>> COMPILED in (True, False)
True
>>> tempered({"know": 0.9, "go": 0.1}, 2.0)["know"]
0.75
>>> vote([0.0, 31.0], ["know", "buy"])
{'know': 0.3333333333333333, 'buy': 0.6666666666666666}
>>> raws4({"w:kaufen": [0.5, 0.0, 0.0, -0.5]}, {"w:kaufen": 2.0, "w:neu": 1.0}, [0.0, 0.1, 0.2, 0.3])
[1.0, 0.1, 0.2, -0.7]
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable

ADAGRAD_EPS = 1e-9  # keeps AdaGrad's first step finite; the same constant in _hotloops.pyx


def raws4(weights: dict[str, list[float]], x: dict[str, float], intercepts: list[float]) -> list[float]:
    """Per label (four), the weights' dot product with ``x`` (summed in x's order) + intercept."""
    a = b = c = d = 0.0
    get = weights.get
    for k, v in x.items():
        ws = get(k)
        if ws is not None:
            a += ws[0] * v
            b += ws[1] * v
            c += ws[2] * v
            d += ws[3] * v
    i = intercepts
    return [a + i[0], b + i[1], c + i[2], d + i[3]]


def learn4(weights: dict[str, list[float]], x: dict[str, float], g0: float, g1: float, g2: float,
           g3: float, lr: float, l2: float) -> None:
    """River's SGD step with L2 on the weights of x's features, four labels' gradients."""
    for k, v in x.items():
        ws = weights.get(k)
        if ws is None:
            ws = weights[k] = [0.0, 0.0, 0.0, 0.0]
        w0, w1, w2, w3 = ws
        ws[0] = w0 - lr * (v * g0 + l2 * w0)
        ws[1] = w1 - lr * (v * g1 + l2 * w1)
        ws[2] = w2 - lr * (v * g2 + l2 * w2)
        ws[3] = w3 - lr * (v * g3 + l2 * w3)


def learn4_adagrad(weights: dict[str, list[float]], x: dict[str, float], g0: float, g1: float, g2: float,
                   g3: float, lr: float, l2: float) -> None:
    """AdaGrad's step with L2 on the weights of x's features, four labels: each weight has its own
    rate, ``lr / sqrt(sum of its squared gradients)``, so a word seen for the first time moves as
    fast as one seen a thousand times moved at first. ``ws`` = [4 weights, their 4 sums]."""
    for k, v in x.items():
        ws = weights.get(k)
        if ws is None:
            ws = weights[k] = [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]
        w0, w1, w2, w3, a0, a1, a2, a3 = ws
        d0 = v * g0 + l2 * w0
        d1 = v * g1 + l2 * w1
        d2 = v * g2 + l2 * w2
        d3 = v * g3 + l2 * w3
        a0 += d0 * d0
        a1 += d1 * d1
        a2 += d2 * d2
        a3 += d3 * d3
        ws[0] = w0 - lr * d0 / (math.sqrt(a0) + ADAGRAD_EPS)
        ws[1] = w1 - lr * d1 / (math.sqrt(a1) + ADAGRAD_EPS)
        ws[2] = w2 - lr * d2 / (math.sqrt(a2) + ADAGRAD_EPS)
        ws[3] = w3 - lr * d3 / (math.sqrt(a3) + ADAGRAD_EPS)
        ws[4] = a0
        ws[5] = a1
        ws[6] = a2
        ws[7] = a3


def log_loss_gradient(y: bool, raw: float) -> float:
    """River's ``optim.losses.Log().gradient`` for a boolean target (weights 1)."""
    sign = 1 if y else -1
    z = raw * sign
    if z > 18.0:
        return math.exp(-z) * -sign
    if z < -18.0:
        return float(-sign)
    return -sign / (math.exp(z) + 1.0)


def gradients(raws: list[float], labels: list[str], y: str, w: float, intercepts: list[float],
              intercept_lr: float, clip: float) -> list[float]:
    """Per label, River's clipped log-loss gradient (weighted by ``w``) for target ``y``; each
    intercept takes its SGD step here (in place)."""
    grads = []
    for j, (label, raw) in enumerate(zip(labels, raws)):
        g = log_loss_gradient(y == label, raw) * w
        g = float(min(max(g, -clip), clip))
        grads.append(g)
        intercepts[j] -= intercept_lr * g
    return grads


def rule_totals(compiled: dict[str, tuple], compile_rule: Callable[[str], tuple], x: dict[str, float],
                moments: tuple[str, ...], const: object, session: object,
                session_weight: float) -> dict[str, float]:
    """Per moment, the sum of x's rule contributions in x's order. A compiled rule is
    ``((moment, coefficient, kind), ...)``: the contribution is the coefficient (``const``),
    times ``session_weight * value`` (``session``) or times the value."""
    totals = dict.fromkeys(moments, 0.0)
    for key, value in x.items():
        rule = compiled.get(key)
        if rule is None:
            rule = compile_rule(key)
        for m, c, kind in rule:
            totals[m] += c if kind is const else c * (session_weight * value) if kind is session else c * value
    return totals


# --- the probabilities of a few labels (the four moments) -----------------------------------------
# sums are plain left-to-right additions (Python's sum() compensates rounding since 3.12)

def softmax(totals: dict[str, float], temperature: float) -> dict[str, float]:
    """The rules' softmax of the moments' totals."""
    top = max(totals.values())
    exp = {m: math.exp((t - top) / temperature) for m, t in totals.items()}
    z = 0.0
    for e in exp.values():
        z += e
    return {m: e / z for m, e in exp.items()}


def vote(raws: list[float], labels: list[str]) -> dict[str, float]:
    """River's one-vs-rest vote: each label's sigmoid (River's, inline), normalized by their sum."""
    votes = [0.0 if r < -30 else 1.0 if r > 30 else 1.0 / (1.0 + math.exp(-r)) for r in raws]
    total = 0.0
    for p in votes:
        total += p
    if total:
        return {label: p / total for label, p in zip(labels, votes)}
    return {label: 1.0 / len(votes) for label in labels}


def tempered(p: dict[str, float], temperature: float) -> dict[str, float]:
    """``p`` normalized, each probability raised to ``1/temperature`` (temperature scaling)."""
    inv = 1.0 / temperature
    out = {m: max(v, 1e-12) ** inv for m, v in p.items()} if inv != 1.0 else p
    z = 0.0
    for v in out.values():
        z += v
    z = z or 1.0
    return {m: v / z for m, v in out.items()}


def mix_tempered(rules: dict[str, float], model: dict[str, float], moments: tuple[str, ...], a: float,
                 temperature: float) -> dict[str, float]:
    """Per moment ``a * rules + (1 - a) * model`` (0 for a label the model lacks), tempered."""
    return tempered({m: a * rules[m] + (1.0 - a) * model.get(m, 0.0) for m in moments}, temperature)


# --- the session's feature vector -----------------------------------------------------------------

def session_vector(counts: dict[str, float], recent: list[list[str]], numeric: dict[str, float], n_events: int,
                   channel: str | None, device: str | None, ts_ms: int) -> dict[str, float]:
    """River's ``x`` from a session's parts (``detectors.features`` describes the keys)."""
    x: dict[str, float] = {f"s:{c}": math.log1p(v) for c, v in counts.items()}
    for cues in recent:
        for c in cues:
            x[f"r:{c}"] = 1.0
    if recent:
        for c in recent[-1]:
            x[f"l:{c}"] = 1.0
    x.update(numeric)
    x["n:events"] = math.log1p(n_events)
    x[f"ch:{channel}"] = 1.0
    if device:
        x[f"dev:{device}"] = 1.0
    hour = (ts_ms // 3_600_000) % 24
    x[f"hour:{hour // 6}"] = 1.0  # UTC quarter of the day
    return x


PURE = {f.__name__: f for f in (raws4, learn4, learn4_adagrad, log_loss_gradient, gradients, rule_totals, softmax, vote, tempered, mix_tempered, session_vector)}

try:
    if os.environ.get("MOMENTS_PURE_PYTHON", "") not in ("", "0"):  # e.g. to compare, or to debug
        raise ImportError("MOMENTS_PURE_PYTHON is set")
    from detectors._hotloops import (  # type: ignore[no-redef]
        gradients,
        learn4,
        learn4_adagrad,
        log_loss_gradient,
        mix_tempered,
        raws4,
        rule_totals,
        session_vector,
        softmax,
        tempered,
        vote,
    )
    COMPILED = True
except ImportError:  # built without a C compiler: the Python loops above
    COMPILED = False
