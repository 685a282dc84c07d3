"""The detector's per-feature loops, in one place: pure Python here, compiled where built.

An event's features (~60 keys) pass through three loops: the model's dot products
(``raws4``), its SGD step (``learn4``) and the rules' totals (``rule_totals``). In
CPython each key costs interpreter work far above its arithmetic, and these loops were
the largest part of an event's cost (docs/PERFORMANCE.md). ``detectors/_hotloops.pyx``
is the same code compiled with Cython at install (an optional extension: without a C
compiler the install still works and these Python versions run). Both do the same float
operations in the same order, so results are bit for bit equal (``tests/test_hotloops.py``).

>>> COMPILED in (True, False)
True
>>> raws4({"w:kaufen": [0.5, 0.0, 0.0, -0.5]}, {"w:kaufen": 2.0, "w:neu": 1.0}, [0.0, 0.1, 0.2, 0.3])
[1.0, 0.1, 0.2, -0.7]
"""

from __future__ import annotations

from collections.abc import Callable


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


PURE = {"raws4": raws4, "learn4": learn4, "rule_totals": rule_totals}

try:
    from detectors._hotloops import learn4, raws4, rule_totals  # type: ignore[no-redef]
    COMPILED = True
except ImportError:  # built without a C compiler: the Python loops above
    COMPILED = False
