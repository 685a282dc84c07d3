# cython: language_level=3, boundscheck=False, wraparound=False, initializedcheck=False
"""The detector's per-feature loops, compiled (optional: pure Python is the fallback).

Each function does the additions and multiplications of its pure-Python twin of the same
name in ``detectors.hotloops``, one by one in the same order on C doubles, which are
Python's floats: the results are bit for bit the same (the build turns off floating-point
contraction; ``tests/test_hotloops.py`` compares both on random inputs). What it saves is
the interpreter's work per feature: on this machine these loops were the largest part of
an event's cost (docs/PERFORMANCE.md, attempt 18).
"""

from cpython.dict cimport PyDict_GetItem
from cpython.object cimport PyObject
from libc.math cimport exp, log1p, pow, sqrt

ADAGRAD_EPS = 1e-9  # = detectors.hotloops.ADAGRAD_EPS


def raws4(dict weights, dict x, list intercepts):
    """``OneVsRestLogReg._raws`` for four labels: per label the dot product in x's order,
    plus the intercept."""
    cdef double a = 0.0, b = 0.0, c = 0.0, d = 0.0, v
    cdef PyObject* found
    cdef list ws
    for k, value in x.items():
        found = PyDict_GetItem(weights, k)
        if found is NULL:
            continue
        ws = <list>found
        v = value
        a += <double>ws[0] * v
        b += <double>ws[1] * v
        c += <double>ws[2] * v
        d += <double>ws[3] * v
    return [a + <double>intercepts[0], b + <double>intercepts[1],
            c + <double>intercepts[2], d + <double>intercepts[3]]


def learn4(dict weights, dict x, double g0, double g1, double g2, double g3, double lr, double l2):
    """``OneVsRestLogReg.learn_one``'s SGD step on the weights of x's features, four labels."""
    cdef double v, w0, w1, w2, w3
    cdef PyObject* found
    cdef list ws
    for k, value in x.items():
        found = PyDict_GetItem(weights, k)
        if found is NULL:
            ws = [0.0, 0.0, 0.0, 0.0]
            weights[k] = ws
        else:
            ws = <list>found
        v = value
        w0 = ws[0]
        w1 = ws[1]
        w2 = ws[2]
        w3 = ws[3]
        ws[0] = w0 - lr * (v * g0 + l2 * w0)
        ws[1] = w1 - lr * (v * g1 + l2 * w1)
        ws[2] = w2 - lr * (v * g2 + l2 * w2)
        ws[3] = w3 - lr * (v * g3 + l2 * w3)


def rule_totals(dict compiled, compile_rule, dict x, tuple moments, object const, object session,
                double session_weight):
    """``RuleDetector.totals``: per moment the rules' contributions of x's features, added
    in x's order; ``compile_rule(key)`` compiles (and remembers) a key not seen yet."""
    cdef double t0 = 0.0, t1 = 0.0, t2 = 0.0, t3 = 0.0, contribution, value
    cdef PyObject* found
    cdef tuple rule
    cdef object m0 = moments[0], m1 = moments[1], m2 = moments[2], m3 = moments[3]
    for key, v in x.items():
        found = PyDict_GetItem(compiled, key)
        rule = compile_rule(key) if found is NULL else <tuple>found
        if not rule:
            continue
        value = v
        for m, coef, kind in rule:
            if kind is const:
                contribution = coef
            elif kind is session:
                contribution = <double>coef * (session_weight * value)
            else:
                contribution = <double>coef * value
            if m == m0:
                t0 += contribution
            elif m == m1:
                t1 += contribution
            elif m == m2:
                t2 += contribution
            elif m == m3:
                t3 += contribution
            else:
                raise KeyError(m)
    return {m0: t0, m1: t1, m2: t2, m3: t3}


# --- the probabilities of a few labels (4 moments): one small C array instead of dicts ---------

cdef enum:
    MAX_LABELS = 16


cdef int _check(Py_ssize_t n) except -1:
    if n < 1 or n > MAX_LABELS:
        raise ValueError(f"between 1 and {MAX_LABELS} labels, got {n}")
    return 0


cdef dict _normalized(list keys, double* values, Py_ssize_t n, double temperature):
    """``tempered``'s arithmetic on ``values`` (in place), as a dict of ``keys``."""
    cdef double inv = 1.0 / temperature, z = 0.0, v
    cdef Py_ssize_t i
    for i in range(n):
        if inv != 1.0:
            v = values[i]
            if 1e-12 > v:  # Python's max(v, 1e-12): v unless the other is larger
                v = 1e-12
            values[i] = pow(v, inv)
        z += values[i]
    if z == 0.0:  # Python's `sum(...) or 1.0`
        z = 1.0
    return {keys[i]: values[i] / z for i in range(n)}


def softmax(dict totals, double temperature):
    """``RuleDetector``'s softmax of the moments' totals."""
    cdef Py_ssize_t n = len(totals), i = 0
    cdef double values[MAX_LABELS]
    cdef double top = 0.0, z = 0.0
    _check(n)
    keys = list(totals)
    for t in totals.values():
        values[i] = t
        if i == 0 or values[i] > top:  # Python's max(): the first of the largest
            top = values[i]
        i += 1
    for i in range(n):
        values[i] = exp((values[i] - top) / temperature)
        z += values[i]
    return {keys[i]: values[i] / z for i in range(n)}


def vote(list raws, list labels):
    """``OneVsRestLogReg``'s one-vs-rest vote: each label's sigmoid, normalized by their sum."""
    cdef Py_ssize_t n = len(labels), i
    cdef double values[MAX_LABELS]
    cdef double r, total = 0.0
    if n == 0:
        return {}
    _check(n)
    if len(raws) != n:
        raise ValueError("one raw score per label")
    for i in range(n):
        r = raws[i]
        values[i] = 0.0 if r < -30 else 1.0 if r > 30 else 1.0 / (1.0 + exp(-r))
        total += values[i]
    if total:
        return {labels[i]: values[i] / total for i in range(n)}
    return {labels[i]: 1.0 / n for i in range(n)}


def tempered(dict p, double temperature):
    """``p`` normalized, each probability raised to ``1/temperature``."""
    cdef Py_ssize_t n = len(p), i = 0
    cdef double values[MAX_LABELS]
    _check(n)
    for v in p.values():
        values[i] = v
        i += 1
    return _normalized(list(p), values, n, temperature)


def mix_tempered(dict rules, dict model, tuple moments, double a, double temperature):
    """Per moment ``a * rules + (1 - a) * model`` (0 for a label the model lacks), tempered."""
    cdef Py_ssize_t n = len(moments), i
    cdef double values[MAX_LABELS]
    cdef object found
    _check(n)
    for i in range(n):
        m = moments[i]
        found = model.get(m)
        values[i] = a * <double>rules[m] + (1.0 - a) * (0.0 if found is None else <double>found)
    return _normalized(list(moments), values, n, temperature)


# --- the session's feature vector ---------------------------------------------------------------

#: cue -> its keys ("s:<cue>", "r:<cue>", "l:<cue>"): cues repeat across events and users, and a
#: remembered key also keeps its hash; bounded like the other caches (cleared when full)
cdef dict _KEYS = {}
cdef Py_ssize_t _KEYS_MAX = 200_000


cdef tuple _keys(object cue):
    cdef PyObject* found = PyDict_GetItem(_KEYS, cue)
    if found is not NULL:
        return <tuple>found
    if len(_KEYS) >= _KEYS_MAX:
        _KEYS.clear()
    keys = (f"s:{cue}", f"r:{cue}", f"l:{cue}")
    _KEYS[cue] = keys
    return keys


def session_vector(dict counts, list recent, dict numeric, n_events, channel, device, ts_ms):
    """``detectors.features.vector``'s dict from the session's parts."""
    cdef dict x = {}
    for c, v in counts.items():
        x[(<tuple>_keys(c))[0]] = log1p(v)
    for cues in recent:
        for c in cues:
            x[(<tuple>_keys(c))[1]] = 1.0
    if recent:
        for c in recent[len(recent) - 1]:  # no negative index: compiled without wraparound
            x[(<tuple>_keys(c))[2]] = 1.0
    x.update(numeric)
    x["n:events"] = log1p(n_events)
    x[f"ch:{channel}"] = 1.0
    if device:
        x[f"dev:{device}"] = 1.0
    hour = (ts_ms // 3_600_000) % 24  # Python's floor division: ts_ms is a Python int
    x[f"hour:{hour // 6}"] = 1.0
    return x


# --- the model's gradients ----------------------------------------------------------------------

cdef double _log_loss_gradient(bint y, double raw):
    cdef double sign = 1.0 if y else -1.0
    cdef double z = raw * sign
    if z > 18.0:
        return exp(-z) * -sign
    if z < -18.0:
        return -sign
    return -sign / (exp(z) + 1.0)


def learn4_adagrad(dict weights, dict x, double g0, double g1, double g2, double g3, double lr, double l2):
    """``OneVsRestLogReg.learn_one``'s AdaGrad step: ``ws`` = [4 weights, their 4 squared-gradient sums]."""
    cdef double v, w0, w1, w2, w3, a0, a1, a2, a3, d0, d1, d2, d3
    cdef double eps = ADAGRAD_EPS
    cdef PyObject* found
    cdef list ws
    for k, value in x.items():
        found = PyDict_GetItem(weights, k)
        if found is NULL:
            ws = [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]
            weights[k] = ws
        else:
            ws = <list>found
        v = value
        w0 = ws[0]
        w1 = ws[1]
        w2 = ws[2]
        w3 = ws[3]
        a0 = ws[4]
        a1 = ws[5]
        a2 = ws[6]
        a3 = ws[7]
        d0 = v * g0 + l2 * w0
        d1 = v * g1 + l2 * w1
        d2 = v * g2 + l2 * w2
        d3 = v * g3 + l2 * w3
        a0 += d0 * d0
        a1 += d1 * d1
        a2 += d2 * d2
        a3 += d3 * d3
        ws[0] = w0 - lr * d0 / (sqrt(a0) + eps)
        ws[1] = w1 - lr * d1 / (sqrt(a1) + eps)
        ws[2] = w2 - lr * d2 / (sqrt(a2) + eps)
        ws[3] = w3 - lr * d3 / (sqrt(a3) + eps)
        ws[4] = a0
        ws[5] = a1
        ws[6] = a2
        ws[7] = a3


def log_loss_gradient(y, double raw):
    """River's ``optim.losses.Log().gradient`` for a boolean target (weights 1)."""
    return _log_loss_gradient(bool(y), raw)


def gradients(list raws, list labels, y, double w, list intercepts, double intercept_lr, double clip):
    """Per label, the clipped log-loss gradient (weighted by ``w``) for target ``y``; each
    intercept takes its SGD step here (in place)."""
    cdef Py_ssize_t n = len(labels), j
    cdef double g, lo = -clip
    if len(raws) < n or len(intercepts) < n:
        raise ValueError("a raw score and an intercept per label")
    grads = []
    for j in range(n):
        g = _log_loss_gradient(y == labels[j], raws[j]) * w
        if lo > g:  # Python's max(g, -clip) then min(..., clip)
            g = lo
        if clip < g:
            g = clip
        grads.append(g)
        intercepts[j] = <double>intercepts[j] - intercept_lr * g
    return grads
