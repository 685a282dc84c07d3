"""The compiled detector loops (detectors/_hotloops.pyx) give the pure-Python results bit for bit.

Replay and the worker must decide the same, and a machine without a C compiler runs the
Python loops: so every result is compared exactly (==, no tolerance) on random inputs.
In CI the extension must have been built (an install that silently fell back fails here).
"""

from __future__ import annotations

import copy
import os
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from detectors import hotloops, rules
from schemas.topics import MOMENTS

compiled = pytest.mark.skipif(not hotloops.COMPILED, reason="detectors._hotloops not built (no C compiler?)")

KEYS = st.sampled_from(
    ["r:w:kauf", "s:w:kauf", "l:w:kauf", "r:w:anleitung", "s:w:near", "s:w:review", "r:w:stock", "s:ev:add_to_cart",
     "r:ev:checkout", "s:ev:video_play", "loc:in_venue", "loc:heading_to_venue", "loc:walk", "n:events",
     "price:log", "ch:web", "hour:2"]) | st.text(min_size=1, max_size=12)
VALUES = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False) | st.sampled_from([0.0, -0.0, 1.0, 0.5])
X = st.dictionaries(KEYS, VALUES, max_size=40)
WEIGHTS = st.dictionaries(KEYS, st.lists(st.floats(min_value=-1e3, max_value=1e3, allow_nan=False),
                                         min_size=4, max_size=4), max_size=30)
GRAD = st.floats(min_value=-1.0, max_value=1.0, allow_nan=False)
PROBS = st.floats(min_value=0.0, max_value=1.0)
LABELS = st.lists(st.sampled_from(MOMENTS), min_size=1, max_size=4, unique=True)


def test_ci_builds_the_extension():
    if os.environ.get("CI", "").lower() not in ("1", "true", "yes"):
        pytest.skip("checked in CI only: a local install may lack a C compiler")
    assert hotloops.COMPILED, "pip install did not build detectors._hotloops: the worker would run the slow loops"


@compiled
@settings(max_examples=300, deadline=None)
@given(weights=WEIGHTS, x=X, intercepts=st.lists(GRAD, min_size=4, max_size=4))
def test_raws4_equals_python(weights, x, intercepts):
    assert hotloops.raws4(weights, x, intercepts) == hotloops.PURE["raws4"](weights, x, intercepts)


@compiled
@settings(max_examples=300, deadline=None)
@given(weights=WEIGHTS, x=X, grads=st.lists(GRAD, min_size=4, max_size=4),
       lr=st.sampled_from([0.1, 0.01, 0.5]), l2=st.sampled_from([1e-4, 0.0, 0.01]))
def test_learn4_equals_python(weights, x, grads, lr, l2):
    mine, pure = copy.deepcopy(weights), copy.deepcopy(weights)
    hotloops.learn4(mine, x, *grads, lr, l2)
    hotloops.PURE["learn4"](pure, x, *grads, lr, l2)
    assert mine == pure and list(mine) == list(pure)  # same weights, new features in the same order


@compiled
@settings(max_examples=300, deadline=None)
@given(weights=st.dictionaries(KEYS, st.tuples(st.lists(st.floats(min_value=-1e3, max_value=1e3), min_size=4,
                                                        max_size=4),
                                               st.lists(st.floats(min_value=0.0, max_value=1e6), min_size=4,
                                                        max_size=4)).map(lambda t: t[0] + t[1]), max_size=30),
       x=X, grads=st.lists(GRAD, min_size=4, max_size=4),
       lr=st.sampled_from([0.1, 0.01, 0.5]), l2=st.sampled_from([1e-4, 0.0, 0.01]))
def test_learn4_adagrad_equals_python(weights, x, grads, lr, l2):
    mine, pure = copy.deepcopy(weights), copy.deepcopy(weights)
    hotloops.learn4_adagrad(mine, x, *grads, lr, l2)
    hotloops.PURE["learn4_adagrad"](pure, x, *grads, lr, l2)
    assert mine == pure and list(mine) == list(pure)


@compiled
@settings(max_examples=300, deadline=None)
@given(labels=LABELS, raws=st.lists(st.floats(min_value=-40, max_value=40) | st.sampled_from([18.0, -18.0, 0.0]),
                                    min_size=4, max_size=4),
       y=st.sampled_from(MOMENTS), w=st.sampled_from([1.0, 0.3]), clip=st.sampled_from([1e12, 0.1]),
       intercepts=st.lists(GRAD, min_size=4, max_size=4))
def test_gradients_equal_python(labels, raws, y, w, clip, intercepts):
    mine, pure = list(intercepts), list(intercepts)
    got = hotloops.gradients(raws, labels, y, w, mine, 0.01, clip)
    want = hotloops.PURE["gradients"](raws, labels, y, w, pure, 0.01, clip)
    assert got == want and mine == pure
    assert [hotloops.log_loss_gradient(True, r) for r in raws] == [hotloops.PURE["log_loss_gradient"](True, r)
                                                                  for r in raws]


@compiled
@settings(max_examples=300, deadline=None)
@given(x=X)
def test_rule_totals_equal_python(x):
    args = (rules._COMPILED, rules._compile, x, MOMENTS, rules._CONST, rules._SESSION, rules.SESSION_WEIGHT)
    got, want = hotloops.rule_totals(*args), hotloops.PURE["rule_totals"](*args)
    assert got == want and list(got) == list(want)




@compiled
@settings(max_examples=300, deadline=None)
@given(totals=st.fixed_dictionaries({m: st.floats(min_value=-50, max_value=50) for m in MOMENTS}),
       temperature=st.sampled_from([1.0, 0.5, 2.0]))
def test_softmax_equals_python(totals, temperature):
    got, want = hotloops.softmax(totals, temperature), hotloops.PURE["softmax"](totals, temperature)
    assert got == want and list(got) == list(want)


@compiled
@settings(max_examples=300, deadline=None)
@given(labels=LABELS, raws=st.lists(st.floats(min_value=-60, max_value=60) | st.sampled_from([-30.0, 30.0, -31.0]),
                                    min_size=4, max_size=4))
def test_vote_equals_python(labels, raws):
    raws = raws[:len(labels)]
    got, want = hotloops.vote(raws, labels), hotloops.PURE["vote"](raws, labels)
    assert got == want and list(got) == list(want)
    assert hotloops.vote([], []) == hotloops.PURE["vote"]([], []) == {}


@compiled
@settings(max_examples=300, deadline=None)
@given(rules_p=st.fixed_dictionaries({m: PROBS for m in MOMENTS}), labels=LABELS, probs=st.lists(PROBS, min_size=4, max_size=4),
       a=st.floats(min_value=0.0, max_value=1.0), temperature=st.sampled_from([1.0, 1.2, 0.8, 3.5]))
def test_mix_tempered_and_tempered_equal_python(rules_p, labels, probs, a, temperature):
    model_p = dict(zip(labels, probs))  # early on the model knows only some labels
    args = (rules_p, model_p, MOMENTS, a, temperature)
    got, want = hotloops.mix_tempered(*args), hotloops.PURE["mix_tempered"](*args)
    assert got == want and list(got) == list(want)
    assert hotloops.tempered(model_p, temperature) == hotloops.PURE["tempered"](model_p, temperature)
    zeros = dict.fromkeys(MOMENTS, 0.0)  # all zero: divided by 1, as `sum(...) or 1.0`
    assert hotloops.tempered(zeros, 1.0) == hotloops.PURE["tempered"](zeros, 1.0) == zeros


CUES = st.sampled_from(["w:kauf", "w:near", "ev:add_to_cart", "src:search", "b:wie_reinigen", "has:product"]) \
    | st.text(max_size=10)


@compiled
@settings(max_examples=300, deadline=None)
@given(counts=st.dictionaries(CUES, st.floats(min_value=1.0, max_value=500.0), max_size=30),
       recent=st.lists(st.lists(CUES, max_size=8), max_size=3),
       numeric=st.dictionaries(st.sampled_from(["loc:walk", "loc:dist_log_km", "price:log", "w:kauf"]), VALUES),
       n_events=st.integers(min_value=0, max_value=10_000), channel=st.sampled_from(["web", "app", None]),
       device=st.sampled_from(["mobile", "", None]),
       ts_ms=st.integers(min_value=-10**13, max_value=10**13))
def test_session_vector_equals_python(counts, recent, numeric, n_events, channel, device, ts_ms):
    args = (counts, recent, numeric, n_events, channel, device, ts_ms)
    got, want = hotloops.session_vector(*args), hotloops.PURE["session_vector"](*args)
    assert got == want and list(got) == list(want)


@pytest.mark.parametrize("how", ["not built", "MOMENTS_PURE_PYTHON=1"])
def test_without_the_extension_the_detector_runs_the_python_loops(how):
    """A machine without a C compiler (or the switch set): the import falls back and the detector works."""
    hide = "import sys; sys.modules['detectors._hotloops'] = None\n" if how == "not built" else ""
    env = {**os.environ, "MOMENTS_PURE_PYTHON": "1" if how != "not built" else "0"}
    code = (
        hide +
        "from detectors import hotloops\n"
        "from detectors.online import MomentDetector\n"
        "assert not hotloops.COMPILED and hotloops.raws4 is hotloops.PURE['raws4']\n"
        "d = MomentDetector(warmup=1.0)\n"
        "for _ in range(30):\n"
        "    d.learn_one({'r:w:duebeln': 1.0}, 'do'); d.learn_one({'r:w:kauf': 1.0}, 'buy')\n"
        "    d.learn_one({'r:w:near': 1.0}, 'go'); d.learn_one({'r:w:review': 1.0}, 'know')\n"
        "p = d.predict_proba_one({'r:w:duebeln': 1.0})\n"
        "print(max(p, key=p.get))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=env)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "do"


@compiled
def test_a_learning_detector_on_a_stream_is_the_same_compiled_or_not(monkeypatch):
    """The whole detector over simulated sessions: every prediction and taught label equal."""
    from detectors import features, online, ovr
    from detectors.online import MomentDetector
    from tests.test_detectors import session_vectors

    vectors = list(session_vectors("baumarkt-de", 120, seed=5))

    def run() -> list:
        d, out = MomentDetector(), []
        d.temperature = 1.2  # the shipped model's calibration: the tempered path
        for i, x in enumerate(vectors):
            out.append((d.predict_proba_one(x), d.teach_one(x)))
            if i % 7 == 0:
                d.learn_one(x, MOMENTS[i % 4])
        return out

    fast = run()
    monkeypatch.setattr(ovr, "raws4", hotloops.PURE["raws4"])
    monkeypatch.setattr(ovr, "learn4", hotloops.PURE["learn4"])
    monkeypatch.setattr(ovr, "vote", hotloops.PURE["vote"])
    monkeypatch.setattr(ovr, "gradients", hotloops.PURE["gradients"])
    monkeypatch.setattr(rules, "rule_totals", hotloops.PURE["rule_totals"])
    monkeypatch.setattr(rules, "softmax", hotloops.PURE["softmax"])
    monkeypatch.setattr(online, "mix_tempered", hotloops.PURE["mix_tempered"])
    assert len(vectors) > 500 and run() == fast
    monkeypatch.setattr(features, "session_vector", hotloops.PURE["session_vector"])
    assert list(session_vectors("baumarkt-de", 120, seed=5)) == vectors
