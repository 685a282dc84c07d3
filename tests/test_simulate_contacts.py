"""The customer-profile variant of the simulator (``micromoments simulate --profiles``): the files and
fields of the shared sample ``electronics-en-profiles``, contacts away from sessions, feedback kinds,
moods, languages, cue events, interests, determinism, and no change at all without ``--profiles``."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from bisect import bisect_left
from collections import Counter, defaultdict
from functools import cache
from pathlib import Path

import orjson
import pytest

from detectors.language import detect
from micromoments.cli import main
from schemas import Rejection, decode_replay_line
from tests.shared_sample import require_sample
from tools.simulate import PROFILES, simulate, write

N = 300
SEED = 5
GERMAN = ("baumarkt-de", "pharmacy-de")
ENGLISH = ("electronics-en", "fashion-en", "furniture-en", "tickets-en")
CONTACT_BAD = {"contact_missing_text", "contact_oversize_text", "contact_bad_medium", "contact_bad_direction"}
USER_KEYS = ["user_id", "criticality", "churned", "interests", "opted_out", "analytics_off", "n_sessions",
             "n_product_events", "n_cue_events", "n_contacts", "n_inbound", "has_outcome_feedback"]
CONTACT_TRUTH_KEYS = ["event_id", "user_id", "ts", "direction", "medium", "lang", "lang_given", "sentiment",
                      "sarcastic", "has_feedback"]
META_CONTACT_KEYS = ["events", "inbound", "outbound", "users_with_contacts", "per_sentiment", "sarcastic",
                     "per_lang", "per_medium", "lang_given", "sentiment_feedback", "outcome_feedback", "cue_events",
                     "sessions_with_cues", "per_criticality", "churned", "half_ms", "notes"]


class Run:
    """A profile scenario, decoded once."""

    def __init__(self, shop: str) -> None:
        self.scn = simulate(shop, N, seed=SEED, profiles=True)
        self.decoded = [(i, *decode_replay_line(line)) for i, line in enumerate(self.scn.lines, start=1)]
        self.raw: dict[str, dict] = {}
        self.valid: dict[str, tuple[str, object]] = {}
        for _i, topic, msg in self.decoded:
            if not isinstance(msg, Rejection) and topic != "ref.venues":
                self.valid.setdefault(msg.event_id, (topic, msg))
        for line in self.scn.lines:
            try:
                d = orjson.loads(line)
            except orjson.JSONDecodeError:
                continue
            if isinstance(d, dict) and isinstance(d.get("event_id"), str):
                self.raw.setdefault(d["event_id"], d)
        self.contacts = {c["event_id"]: c for c in self.scn.contacts}
        self.texts = {eid: self.raw[eid]["text"] for eid in self.contacts}

    def of(self, topic: str) -> list:
        return [msg for t, msg in self.valid.values() if t == topic]


@cache
def get_run(shop: str) -> Run:
    return Run(shop)


@pytest.fixture(params=list(PROFILES))
def run(request) -> Run:
    return get_run(request.param)


def test_files_exist_with_the_samples_fields(run: Run, tmp_path: Path):
    paths = write(run.scn, tmp_path)
    assert [p.name for p in paths] == ["events.jsonl", "truth.jsonl", "meta.json", "users.jsonl",
                                       "contacts_truth.jsonl"]
    users = [orjson.loads(line) for line in (tmp_path / "users.jsonl").read_bytes().splitlines()]
    truth = [orjson.loads(line) for line in (tmp_path / "contacts_truth.jsonl").read_bytes().splitlines()]
    meta = orjson.loads((tmp_path / "meta.json").read_bytes())
    assert {tuple(u) for u in users} == {tuple(USER_KEYS)} and len(users) == meta["users"]
    assert {tuple(c) for c in truth} == {tuple(CONTACT_TRUTH_KEYS)} and len(truth) == meta["contacts"]["events"]
    assert list(meta["contacts"]) == META_CONTACT_KEYS and list(meta)[-1] == "contacts"
    assert [c["ts"] for c in truth] == sorted(c["ts"] for c in truth)
    assert meta["per_topic"]["events.contact"] == len(truth) == len(run.of("events.contact"))
    assert meta["per_topic"]["feedback"] == len(run.of("feedback"))
    assert meta["contacts"]["per_criticality"] == dict(Counter(u["criticality"] for u in users))
    assert meta["contacts"]["sessions_with_cues"] == sum("cue_events" in t for t in run.scn.truth)
    assert meta["contacts"]["cue_events"] == sum(u["n_cue_events"] for u in users) > 0
    assert sum(u["n_sessions"] for u in users) == meta["sessions"]
    assert sum(u["n_contacts"] for u in users) == len(truth)
    assert 0.25 <= sum(u["n_contacts"] == 0 for u in users) / len(users) <= 0.45
    assert max(u["n_contacts"] for u in users) <= 4
    assert all(1 <= len(u["interests"]) <= 3 for u in users)
    share = Counter(u["criticality"] for u in users)
    assert share["green"] > share["amber"] > share["red"] > 0
    churn = {k: [u["churned"] for u in users if u["criticality"] == k] for k in ("green", "amber", "red")}
    assert sum(churn["red"]) / len(churn["red"]) > sum(churn["amber"]) / len(churn["amber"]) > \
        sum(churn["green"]) / len(churn["green"])


def test_field_sets_match_the_shared_sample(tmp_path: Path):
    folder = require_sample("electronics-en-profiles")
    ours = get_run("electronics-en")
    write(ours.scn, tmp_path)
    for name in ("users.jsonl", "contacts_truth.jsonl"):
        theirs = orjson.loads((folder / name).read_bytes().splitlines()[0])
        mine = orjson.loads((tmp_path / name).read_bytes().splitlines()[0])
        assert list(mine) == list(theirs), name
    their_meta = orjson.loads((folder / "meta.json").read_bytes())
    assert list(ours.scn.meta["contacts"]) == list(their_meta["contacts"])
    assert set(their_meta) - {"contacts"} <= set(ours.scn.meta)
    for topic in ("events.contact", "feedback"):
        their_keys, our_keys = set(), set()
        for line in (folder / "events.jsonl").read_bytes().splitlines():
            d = orjson.loads(line) if line.startswith(b'{"topic":"' + topic.encode()) else None
            if isinstance(d, dict) and d.get("topic") == topic:
                their_keys |= set(d)
        for d in ours.raw.values():
            if d.get("topic") == topic:
                our_keys |= set(d)
        assert our_keys - {"session_id"} <= their_keys, (topic, our_keys - their_keys)


def test_every_line_valid_or_rejected_where_meta_says(run: Run):
    bad = {b["line"]: b["kind"] for b in run.scn.meta["bad_lines"]}
    assert {i for i, _t, msg in run.decoded if isinstance(msg, Rejection)} == set(bad)
    assert CONTACT_BAD <= set(bad.values())
    assert 0.02 <= len(bad) / len(run.scn.lines) <= 0.04


def test_contacts_are_more_than_30_minutes_from_the_users_sessions(run: Run):
    busy = defaultdict(list)
    for topic, msg in run.valid.values():
        if topic in ("events.clickstream", "events.search", "events.location"):
            busy[msg.user_id].append(msg.ts)
    t_min, t_max = run.scn.meta["time_range"]
    for c in run.scn.contacts:
        times = sorted(busy[c["user_id"]])
        i = bisect_left(times, c["ts"])
        near = [abs(times[j] - c["ts"]) for j in (i - 1, i) if 0 <= j < len(times)]
        assert min(near) > 30 * 60_000, c
        assert t_min <= c["ts"] <= t_max
        assert run.valid[c["event_id"]][1].ts == c["ts"]


def test_sentiment_feedback_only_before_half_and_only_for_inbound(run: Run):
    half = run.scn.meta["contacts"]["half_ms"]
    t_min, t_max = run.scn.meta["time_range"]
    assert half == (t_min + t_max) // 2
    feedback = [m for m in run.of("feedback") if m.kind == "sentiment"]
    assert len(feedback) == run.scn.meta["contacts"]["sentiment_feedback"] > 0
    for fb in feedback:
        c = run.contacts[fb.contact_event_id]
        assert c["direction"] == "inbound" and c["ts"] < half and c["has_feedback"]
        assert fb.sentiment == c["sentiment"] and fb.user_id == c["user_id"] and fb.source == "agent"
        assert 60_000 <= fb.ts - c["ts"] <= 3_600_000
    early = [c for c in run.scn.contacts if c["direction"] == "inbound" and c["ts"] < half]
    assert 0.1 <= len(feedback) / len(early) <= 0.5
    # outcome: about half of the users whose last event is before half_ms, 1-3 h after it
    last = defaultdict(int)
    for topic, msg in run.valid.values():
        if topic != "feedback":
            last[msg.user_id] = max(last[msg.user_id], msg.ts)
    users = {u["user_id"]: u for u in run.scn.users}
    outcome = [m for m in run.of("feedback") if m.kind == "outcome"]
    for fb in outcome:
        assert last[fb.user_id] < half and 3_600_000 <= fb.ts - last[fb.user_id] <= 10_800_000
        assert fb.outcome == ("churned" if users[fb.user_id]["churned"] else "stayed")
    assert {fb.user_id for fb in outcome} == {u for u, row in users.items() if row["has_outcome_feedback"]}
    eligible = sum(1 for u in users if last[u] < half)
    assert 0.25 <= len(outcome) / eligible <= 0.75


def test_moods_are_balanced_and_answers_polite_and_threaded(run: Run):
    inbound = [c for c in run.scn.contacts if c["direction"] == "inbound"]
    moods = Counter(c["sentiment"] for c in inbound)
    assert all(moods[m] / len(inbound) >= 0.2 for m in ("negative", "neutral", "positive")), moods
    assert 0.65 <= len(inbound) / len(run.scn.contacts) <= 0.9
    assert all(c["sentiment"] == "negative" for c in inbound if c["sarcastic"])
    assert sum(c["sarcastic"] for c in inbound) / len(inbound) < 0.08
    assert 0.25 <= sum(c["lang_given"] for c in run.scn.contacts) / len(run.scn.contacts) <= 0.55
    assert set(Counter(c["medium"] for c in inbound)) == {"email", "chat", "call", "review", "social", "form"}
    red = [u["user_id"] for u in run.scn.users if u["criticality"] == "red"]
    green = [u["user_id"] for u in run.scn.users if u["criticality"] == "green"]

    def negative(ids: set[str]) -> float:
        mine = [c for c in inbound if c["user_id"] in ids]
        return sum(c["sentiment"] == "negative" for c in mine) / max(1, len(mine))

    assert negative(set(red)) > 0.5 and negative(set(green)) < 0.25
    for c in run.scn.contacts:
        d = run.raw[c["event_id"]]
        assert 1 <= len(d["text"]) <= 4000 and (c["lang_given"] == ("lang" in d))
        if "lang" in d:
            assert d["lang"].split("-")[0] == c["lang"]
        if c["direction"] == "outbound":
            assert c["sentiment"] is None and not c["sarcastic"]
            before = [o for o in run.scn.contacts if o["user_id"] == c["user_id"] and o["direction"] == "inbound"
                      and o["ts"] < c["ts"] and o["lang"] == c["lang"]]
            assert before, c
            if "ticket_id" in d:
                assert d["ticket_id"] in {run.raw[o["event_id"]].get("ticket_id") for o in before}
            if "subject" in d:
                assert d["subject"].startswith(("Re: ", "AW: "))
    texts = list(run.texts.values())
    assert len(set(texts)) >= 0.9 * len(texts)
    assert sorted(len(t) for t in texts)[len(texts) // 2] < 200


def test_sarcasm_is_rare_but_there():
    inbound = [c for shop in PROFILES for c in get_run(shop).scn.contacts if c["direction"] == "inbound"]
    assert 0.01 <= sum(c["sarcastic"] for c in inbound) / len(inbound) <= 0.06


@pytest.mark.parametrize("shop", [*GERMAN, *ENGLISH, "bank-de-en"])
def test_texts_are_in_the_shops_language(shop: str):
    run = get_run(shop)
    detected = {eid: detect(text)[0] for eid, text in run.texts.items()}
    written = Counter(c["lang"] for c in run.scn.contacts)
    agree = sum(detected[c["event_id"]] == c["lang"] for c in run.scn.contacts) / len(run.scn.contacts)
    assert agree >= 0.95, (shop, agree)
    if shop in GERMAN:
        assert set(written) == {"de"}
    elif shop in ENGLISH:
        assert set(written) == {"en"}
    else:
        assert min(written["de"], written["en"]) >= 0.25 * len(run.scn.contacts), written
        by_user = defaultdict(set)
        for c in run.scn.contacts:
            by_user[c["user_id"]].add(c["lang"])
        assert any(len(langs) == 2 for langs in by_user.values())  # some customers write both


def test_cue_events_are_listed_in_truth_and_follow_strain(run: Run):
    ids = [eid for t in run.scn.truth for eid in t.get("cue_events", ())]
    assert ids and len(ids) == len(set(ids))
    for t in run.scn.truth:
        for eid in t.get("cue_events", ()):
            topic, msg = run.valid[eid]
            assert topic in ("events.clickstream", "events.search") and msg.user_id == t["user_id"]
            assert t["session_start"] < msg.ts <= t["session_end"] and msg.session_id == t["session_id"]
    crit = {u["user_id"]: u["criticality"] for u in run.scn.users}
    rate = {k: [("cue_events" in t) for t in run.scn.truth if crit[t["user_id"]] == k] for k in ("green", "red")}
    assert sum(rate["red"]) / len(rate["red"]) > sum(rate["green"]) / len(rate["green"])


def test_product_clicks_carry_category_and_follow_interests(run: Run):
    interests = {u["user_id"]: set(u["interests"]) for u in run.scn.users}
    clicks = [m for m in run.of("events.clickstream") if m.product_id is not None]
    assert clicks and all(m.category is not None for m in clicks)
    assert sum(m.category in interests[m.user_id] for m in clicks) / len(clicks) >= 0.6


def test_same_seed_same_bytes(tmp_path: Path):
    a, b = simulate("bank-de-en", 120, seed=3, profiles=True), simulate("bank-de-en", 120, seed=3, profiles=True)
    assert a.lines == b.lines and a.users == b.users and a.contacts == b.contacts and a.meta == b.meta
    assert simulate("bank-de-en", 120, seed=4, profiles=True).lines != a.lines
    out = tmp_path / "p"
    argv = ["simulate", "--profile", "pharmacy-de", "--profiles", "--sessions", "80", "--seed", "2", "-q", "--out"]
    assert main([*argv, str(out)]) == 0
    code = ("import sys; from micromoments.cli import main; sys.exit(main(" + repr([*argv, str(tmp_path / "q")]) + "))")
    env = {**os.environ, "PYTHONHASHSEED": "123"}
    done = subprocess.run([sys.executable, "-c", code], env=env, cwd=Path(__file__).parents[1], timeout=60, check=False)
    assert done.returncode == 0
    for name in ("events.jsonl", "truth.jsonl", "meta.json", "users.jsonl", "contacts_truth.jsonl"):
        assert (out / name).read_bytes() == (tmp_path / "q" / name).read_bytes(), name


#: events.jsonl of the simulator before --profiles existed (300 sessions)
BEFORE = {("electronics-en", 1): "0278d6848e39b85c2344eaed28b94aee27371ba9c72709a9c157f15b33bb9b10",
          ("baumarkt-de", 7): "e406be490bf89e6f0b288395fa630d6c4ca99abafd3a5999f07321e9ea04b5ca",
          ("bank-de-en", 1): "a3baa52dc1f3188b5f0f6b2dfef661edcb5919ca07cc3355daf9ee34644a0cd5"}


@pytest.mark.parametrize("shop, seed", list(BEFORE))
def test_without_profiles_nothing_changes(shop: str, seed: int, tmp_path: Path):
    scn = simulate(shop, 300, seed=seed)
    assert hashlib.sha256(b"\n".join(scn.lines) + b"\n").hexdigest() == BEFORE[(shop, seed)]
    assert not any(b'"topic":"events.contact"' in line for line in scn.lines)
    assert not any(b'"kind":' in line for line in scn.lines if b'"topic":"feedback"' in line)
    assert "contacts" not in scn.meta and "events.contact" not in scn.meta["per_topic"]
    assert not any("cue_events" in t for t in scn.truth) and not scn.users and not scn.contacts
    assert [p.name for p in write(scn, tmp_path)] == ["events.jsonl", "truth.jsonl", "meta.json"]


def test_cli_help_and_kafka_with_profiles(monkeypatch, tmp_path: Path, capsys):
    with pytest.raises(SystemExit):
        main(["simulate", "--help"])
    out = capsys.readouterr().out
    assert "--profiles" in out and "--profiles --sessions" in out
    import tools.feed

    sent = {}

    async def fake_produce(bootstrap, records, prefix="", rate=None, progress=None):
        sent["records"] = list(records)
        return len(sent["records"])

    monkeypatch.setattr(tools.feed, "produce", fake_produce)
    assert main(["simulate", "--profile", "tickets-en", "--profiles", "--sessions", "40", "--kafka", "--bootstrap",
                 "h:1", "--out", str(tmp_path / "k"), "-q"]) == 0
    lines = (tmp_path / "k" / "events.jsonl").read_bytes().splitlines()
    assert sent["records"] == tools.feed.records_from_lines(lines)
    assert any(r.topic == "events.contact" for r in sent["records"])
