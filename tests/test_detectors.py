"""Detectors: features (English and German), learning from feedback, checkpoints, scoring."""

from __future__ import annotations

import orjson
import pytest

from config import Settings
from detectors import checkpoint, features
from detectors.online import MODEL_KINDS, MomentDetector
from detectors.rules import LEXICON, RuleDetector
from detectors.scoring import f1_scores, score
from detectors.text import tokens, url_tokens
from pipeline.venues import Nearest
from schemas import decode
from schemas.events import Venue
from tools.evaluate import evaluate, write_report
from tools.simulate import simulate

T0 = 1_747_116_000_000


def event(topic: str, **fields):
    base = {"event_id": f"e{len(fields)}{fields.get('ts', 0)}", "user_id": "u", "ts": T0}
    msg = decode(topic, orjson.dumps({**base, **fields}))
    assert not hasattr(msg, "reason"), msg
    return msg


def test_german_and_english_text_meet_in_one_token_space():
    assert tokens("Öffnungszeiten Baumärkte in der Nähe") == ("oeffnungszeit", "baumaerkt", "naeh")
    assert tokens("Straße") == ("strass",)
    assert tokens("How to set up the XPS13 reviews") == ("how", "set", "up", "xps", "13", "review")
    # compound URL slugs split on separators and camel case, whatever the site's scheme
    assert url_tokens("https://x.example/de/artikel/123-akku-schrauber.html") == ("artikel", "123", "akku", "schraub")
    assert url_tokens("https://shop.example/storeLocator?city=Berlin") == ("stor", "locator", "city", "berlin")


def test_session_features_cover_queries_pages_events_and_location():
    s = features.SessionFeatures()
    features.update(s, event("events.search", query="Akkuschrauber günstig kaufen", ts=T0), None)
    features.update(s, event("events.clickstream", type="add_to_cart", url="https://x.example/de/warenkorb",
                             product_id="P1", price=99.0, ts=T0 + 1), None)
    venue = Venue(venue_id="v", name="V", lat=48.0, lon=11.0)
    far = Nearest(venue, 1500.0, 0.0)
    near = Nearest(venue, 900.0, 0.0)
    features.update(s, event("events.location", lat=47.99, lon=11.0, speed_mps=1.3, heading=0.0, ts=T0 + 2), far)
    features.update(s, event("events.location", lat=47.995, lon=11.0, speed_mps=1.3, heading=5.0, ts=T0 + 3), near)
    x = features.vector(s, T0 + 3)
    assert x["s:w:kauf"] > 0 and x["s:w:guenstig"] > 0 and x["s:b:guenstig_kauf"] > 0
    assert x["r:ev:add_to_cart"] == 1.0 and x["s:w:warenkorb"] > 0 and "price:log" in x
    assert x["loc:approaching"] == 1.0 and x["loc:walk"] == 1.0 and x["loc:heading_to_venue"] > 0.99
    assert s.products == ["P1"] and s.query == "Akkuschrauber günstig kaufen"
    assert "l:src:location" in x and "r:w:kauf" not in {k for k in x if k.startswith("l:")}


def test_model_learns_vocabulary_the_rules_do_not_know():
    unknown = {"know": "testsieger", "go": "marktfinder", "do": "verfugen", "buy": "bestpreis"}
    assert not any(w in LEXICON for w in unknown.values())
    d = MomentDetector()
    x = {m: {f"r:w:{w}": 1.0, f"s:w:{w}": 0.69} for m, w in unknown.items()}
    before = sum(max(d.predict_proba_one(x[m]), key=d.predict_proba_one(x[m]).get) == m for m in unknown)
    for _ in range(40):
        for m in unknown:
            d.learn_one(x[m], m)
    after = sum(max(d.predict_proba_one(x[m]), key=d.predict_proba_one(x[m]).get) == m for m in unknown)
    assert before <= 1 and after == 4
    assert d.metrics.snapshot()["labels"] == 160


def test_feedback_beats_the_rules_on_a_profile_they_do_not_know(tmp_path):
    scenario = simulate("baumarkt-de", 600, seed=5)
    tmp = tmp_path
    (tmp / "events.jsonl").write_bytes(b"\n".join(scenario.lines) + b"\n")
    (tmp / "truth.jsonl").write_bytes(b"\n".join(orjson.dumps(t) for t in scenario.truth) + b"\n")
    runs = {r.model: r for r in evaluate(tmp / "events.jsonl", tmp / "truth.jsonl", ["rules", "ovr-logreg"],
                                         Settings(model_start="cold"))}
    model, rules = runs["ovr-logreg"].scores, runs["rules"].scores
    # learning shows where the model has had feedback to learn from: second half, sessions without
    # feedback (the honest online number); the whole stream includes the cold start
    assert model.online_f1 > rules.online_f1 + 0.04, (model.online_f1, rules.online_f1)
    assert model.macro_f1 > rules.macro_f1
    assert runs["ovr-logreg"].scores.opted_out_moments == 0
    write_report(list(runs.values()), tmp / "report", "baumarkt-de")
    assert {p.name for p in (tmp / "report").iterdir()} >= {"summary.md", "metrics.json", "confusion.png",
                                                             "learning_curve.png", "time_to_detect.png"}


@pytest.mark.parametrize("kind", [k for k in MODEL_KINDS if k != "naive-bayes"])
def test_checkpoint_round_trip_gives_identical_predictions(kind, tmp_path):
    d = MomentDetector(kind=kind)
    xs = [{"r:w:kauf": 1.0, "s:w:preis": 0.7}, {"r:w:anleitung": 1.0}, {"loc:approaching": 1.0, "r:w:filial": 1.0},
          {"r:w:testsieger": 1.0}]
    for i, x in enumerate(xs * 10):
        d.learn_one(x, ("buy", "do", "go", "know")[i % 4])
        d.teach_one(x)
    d.temperature = 1.35  # calibration travels with the weights
    checkpoint.save(d, tmp_path)
    loaded = checkpoint.load(tmp_path)
    assert loaded.version == d.version and loaded.name == d.name and loaded.temperature == 1.35
    for x in xs:
        assert loaded.predict_proba_one(x) == d.predict_proba_one(x)
        assert loaded.explain_one(x, "buy") == d.explain_one(x, "buy")
    assert (tmp_path / f"detector-{d.version}.json").is_file()
    assert not list(tmp_path.glob(".tmp-*"))  # atomic: no half-written files left
    # AdaGrad's per-weight rates travel too: both go on learning the same
    for x in xs:
        d.learn_one(x, "know")
        loaded.learn_one(x, "know")
    assert all(loaded.predict_proba_one(x) == d.predict_proba_one(x) for x in xs)


def test_a_checkpoint_from_before_adagrad_loads_as_river_sgd():
    d = MomentDetector(kind="ovr-sgd")
    for _ in range(5):
        d.learn_one({"r:w:kauf": 1.0}, "buy")
    data = checkpoint.to_dict(d)
    data["kind"] = "ovr-logreg"  # what checkpoints said before 2026-12-05 ...
    del data["optimizer"]  # ... without naming the optimizer
    old = checkpoint.from_dict(data)
    assert old.model.optimizer == "sgd" and old.predict_proba_one({"r:w:kauf": 1.0}) == d.predict_proba_one(
        {"r:w:kauf": 1.0})


def test_adagrad_learns_a_new_word_and_keeps_a_well_known_one():
    """Why the detector uses AdaGrad: in a shop never seen, its own words (no history) are learned
    at the full rate from their first labels, while what many labels taught stays put (with SGD,
    every label pulls every weight as hard)."""
    from detectors.ovr import OneVsRestLogReg

    def after(optimizer):
        m = OneVsRestLogReg(optimizer=optimizer)
        for i in range(400):  # a long history
            for y, word in (("buy", "kaufen"), ("do", "anleitung"), ("go", "filiale"), ("know", "test")):
                m.learn_one({f"r:w:{word}": 1.0, f"r:w:x{i % 7}": 1.0}, y)
        known = m.label_weights("buy")["r:w:kaufen"]
        for _ in range(3):  # three labels of a new word, together with a well-known one
            m.learn_one({"r:w:kontoauszug": 1.0, "r:w:kaufen": 1.0}, "do")
        return m.label_weights("do")["r:w:kontoauszug"], known - m.label_weights("buy")["r:w:kaufen"]

    (new_ada, drift_ada), (new_sgd, drift_sgd) = after("adagrad"), after("sgd")
    assert new_ada > 0.5 * new_sgd > 0
    assert 0 < drift_ada < 0.2 * drift_sgd, (drift_ada, drift_sgd)


def test_scores_on_a_tiny_hand_computed_case():
    truth = [
        {"user_id": "a", "session_start": 0, "session_end": 100, "moment": "buy", "has_feedback": False},
        {"user_id": "a", "session_start": 5000, "session_end": 5100, "moment": "know", "has_feedback": False},
        {"user_id": "b", "session_start": 0, "session_end": 100, "moment": "go", "has_feedback": True},
        {"user_id": "c", "session_start": 0, "session_end": 100, "moment": "do", "opted_out": True},
    ]
    moments = [
        {"user_id": "a", "moment": "know", "event_ts_ms": 10},  # a1: know then buy (1 flip: truth has 1 segment)
        {"user_id": "a", "moment": "buy", "event_ts_ms": 50},
        {"user_id": "a", "moment": "know", "event_ts_ms": 5050},  # a2: right on its 2nd event
        {"user_id": "c", "moment": "do", "event_ts_ms": 10},  # opted out: must never happen
    ]
    times = {"a": [0, 10, 50, 100, 5000, 5050, 5100], "b": [0, 100], "c": [0, 10]}
    s = score(truth, moments, times)
    # pairs: (buy, buy), (know, know), (go, none) -> buy 1, know 1, go 0; "do" absent from scored truth
    assert s.macro_f1 == pytest.approx((1 + 1 + 0) / 3)
    assert s.per_class_f1 == {"know": 1.0, "go": 0.0, "do": 0.0, "buy": 1.0}
    assert s.coverage == pytest.approx(2 / 3)
    assert s.ttd == [2, 2] and s.ttd_median == 2
    assert s.flip_rate == pytest.approx(1 / 2)
    assert s.opted_out_moments == 1 and s.sessions == 3
    assert s.online_f1 == pytest.approx(1.0)  # second half without feedback: a2 only
    assert f1_scores([("go", "go")])[0] == 1.0


def test_calibration_softens_an_over_confident_model_where_it_decides():
    """Fit where the threshold applies: after every event against the truth at that time.
    A model trained on whole sessions (feedback) is sure early and often wrong there."""
    from detectors.online import fit_temperature, tempered
    from tools.train import calibration_temperature

    sim = simulate("electronics-en", 120, seed=5, bad_share=0.0)
    d = MomentDetector()
    for i, x in enumerate([{"r:w:kauf": 1.0}, {"r:w:anleitung": 1.0}] * 50):  # sure of two cues only
        d.learn_one(x, ("buy", "do")[i % 2])
    t = calibration_temperature(d, sim.lines, sim.truth, Settings(model_start="cold"))
    assert t != 1.0 and d.temperature == 1.0  # fitted, the model itself untouched
    p = {"know": 0.97, "go": 0.01, "do": 0.01, "buy": 0.01}
    assert fit_temperature([(p, "know")] * 6 + [(p, "buy")] * 4) > 1.0 > fit_temperature([(p, "know")] * 100)
    assert tempered(p, 1.0) == pytest.approx(p)


def test_cue_profile_counts_generic_and_contradicting_events_per_position():
    from tools.cue_profile import GENERIC, report

    cues = [(1, "buy", GENERIC), (1, "buy", "know"), (1, "know", "know"), (1, "do", "do"),
            (2, "buy", "buy"), (2, "know", "buy"), (7, "go", "go")]
    rows = {line.split()[0]: line.split()[1:] for line in report(cues).splitlines()[1:4]}
    # position 1: 4 events, 1 generic, 1 of another moment (1 of 3 cues)
    assert rows["1"] == ["4", "0.25", "0.25", "0.33"]
    assert rows["2"] == ["2", "0.00", "0.50", "0.50"]
    assert rows["5"][:4] == ["and", "later", "1", "0.00"]
    matrix = {line.split()[0]: line.split()[1:] for line in report(cues).splitlines() if line.startswith("buy ")}
    assert matrix["buy"] == ["0.33", "0.00", "0.00", "0.33", "0.33"]


def session_vectors(profile: str, sessions: int, seed: int):
    """The feature vector after each event of a simulated scenario, as the pipeline builds it."""
    from pipeline.state import UserState
    from schemas.events import LocationEvent
    from tools.bench.detector import load_events

    events, venues = load_events(profile, sessions, seed=seed)
    users: dict[str, UserState] = {}
    for ev in events:
        state = users.setdefault(ev.user_id, UserState(ev.user_id))
        session, _, _ = state.session_for(ev.event_id, ev.ts, ev.session_id)
        f = session.features
        features.update(f, ev, venues.nearest(ev.lat, ev.lon) if isinstance(ev, LocationEvent) else None)
        yield features.vector(f, ev.ts)


def test_compiled_rule_totals_equal_the_readable_scores_exactly():
    rules = RuleDetector()
    checked = 0
    for profile in ("electronics-en", "baumarkt-de"):
        for x in session_vectors(profile, 150, seed=3):
            readable = {m: sum(w for _, w in c) for m, c in rules.scores(x).items()}
            assert rules.totals(x) == readable  # bit for bit: replay and worker decisions depend on it
            checked += any(readable.values())
    assert checked > 500


def rivers_one_vs_rest(model=None):
    """River's ``OneVsRestClassifier(LogisticRegression(SGD(0.1), l2=1e-4))``, with the weights
    of our ``OneVsRestLogReg`` ``model`` if given."""
    from river import linear_model, multiclass, optim

    river = multiclass.OneVsRestClassifier(linear_model.LogisticRegression(optimizer=optim.SGD(0.1), l2=1e-4))
    for label in (model.labels if model is not None else ()):
        clf = river.classifier.clone()
        for f, v in model.label_weights(label).items():
            clf._weights[f] = v
        clf.intercept = model.intercept(label)
        river.classifiers[label] = clf
    return river


def test_one_vs_rest_predicts_as_river_exactly():
    shipped = checkpoint.pretrained()
    assert shipped is not None and shipped.kind == "ovr-logreg"
    river = rivers_one_vs_rest(shipped.model)
    for x in session_vectors("electronics-en", 150, seed=4):
        assert shipped.model.predict_proba_one(x) == river.predict_proba_one(x)
    assert MomentDetector().model.predict_proba_one({"s:w:tv": 1.0}) == {}  # cold: no label yet, as River


def test_one_vs_rest_learns_as_river_exactly():
    """From cold, weak and strong labels (labels appearing one by one), in the detector's way:
    predictions and every weight bit for bit equal to River's (replay and worker decisions, and
    the shipped model, depend on the arithmetic, not only on its approximate result)."""
    from detectors.ovr import OneVsRestLogReg

    ours, river = OneVsRestLogReg(lr=0.1, l2=1e-4), rivers_one_vs_rest()
    rules = RuleDetector()
    learned = 0
    for i, x in enumerate(session_vectors("baumarkt-de", 120, seed=5)):
        assert ours.predict_proba_one(x) == river.predict_proba_one(x)
        p = rules.predict_proba_one(x)
        label = max(p, key=p.get)
        if p[label] >= 0.8 or i % 7 == 0:
            w = 1.0 if i % 7 == 0 else 0.3
            ours.learn_one(x, label, w)
            river.learn_one(x, label, w=w)
            learned += 1
    assert learned > 300 and ours.labels == list(river.classifiers)
    for label, clf in river.classifiers.items():
        assert ours.intercept(label) == clf.intercept
        mine = ours.label_weights(label)
        assert {f: mine[f] for f in clf._weights} == dict(clf._weights)
        assert all(v == 0.0 for f, v in mine.items() if f not in clf._weights)
