"""The scenario simulator (``tools.simulate``, ``micromoments simulate``): format, truth, realism, CLI."""

from __future__ import annotations

import math
import os
import re
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path

import orjson
import pytest

from detectors.rules import LEXICON
from detectors.text import tokens, url_tokens
from micromoments.cli import main
from schemas import Rejection, decode_replay_line
from tests.shared_sample import require_sample, sample_lines
from tools.simulate import PROFILES, get_profile, simulate, write

N = 200
EVENT_TOPICS = ("events.clickstream", "events.search", "events.location")


@pytest.fixture(scope="module", params=list(PROFILES))
def scn(request):
    return simulate(request.param, N, seed=11)


def decoded(scn):
    """[(line_no, topic, message | Rejection)] for every line."""
    return [(i, *decode_replay_line(line)) for i, line in enumerate(scn.lines, start=1)]


def unique_events(scn):
    """user_id -> [(ts, topic, message)] of the valid, de-duplicated events and feedback."""
    out, seen = defaultdict(list), set()
    for _i, topic, msg in decoded(scn):
        if isinstance(msg, Rejection) or topic == "ref.venues" or msg.event_id in seen:
            continue
        seen.add(msg.event_id)
        out[msg.user_id].append((msg.ts, topic, msg))
    return out


def test_every_line_valid_or_rejected_exactly_where_meta_says(scn):
    bad = {b["line"]: b["kind"] for b in scn.meta["bad_lines"]}
    rejected = {i for i, _t, msg in decoded(scn) if isinstance(msg, Rejection)}
    assert rejected == set(bad)
    assert scn.meta["lines"] == len(scn.lines) and scn.meta["n_bad_lines"] == len(bad)
    assert 0.02 <= len(bad) / len(scn.lines) <= 0.04
    assert len(set(bad.values())) >= 25  # the sample's kinds and more, not one kind repeated
    assert {"non_utf8", "oversize_query", "truncated_json", "unknown_topic", "not_object"} <= set(bad.values())


def test_duplicates_repeat_the_line_before_and_nothing_else_repeats(scn):
    dups = scn.meta["duplicates"]["lines"]
    assert scn.meta["duplicates"]["count"] == len(dups) >= 1
    for n in dups:
        assert scn.lines[n - 1] == scn.lines[n - 2]
    seen, repeated = set(), set()
    for i, topic, msg in decoded(scn):
        if isinstance(msg, Rejection) or topic == "ref.venues":
            continue
        if msg.event_id in seen:
            repeated.add(i)
        seen.add(msg.event_id)
    assert repeated == set(dups)


def test_venues_first_then_sorted_by_event_time(scn):
    topics = [t for _i, t, _m in decoded(scn)]
    n_venues = scn.meta["per_topic"]["ref.venues"]
    assert topics[:n_venues] == ["ref.venues"] * n_venues and "ref.venues" not in topics[n_venues:]
    times = [m.ts for _i, t, m in decoded(scn)[n_venues:] if not isinstance(m, Rejection)]
    assert times == sorted(times)
    venue_ids = [orjson.loads(line)["venue_id"] for line in scn.lines[:n_venues]]
    assert len(set(venue_ids)) < len(venue_ids)  # a few venues are updated in the block


def test_truth_sessions_match_their_events(scn):
    events = unique_events(scn)
    by_user = defaultdict(list)
    for t in scn.truth:
        by_user[t["user_id"]].append(t)
        own = [(ts, m) for ts, topic, m in events[t["user_id"]]
               if topic in EVENT_TOPICS and t["session_start"] <= ts <= t["session_end"]]
        assert len(own) == t["n_events"] >= 3
        assert min(ts for ts, _ in own) == t["session_start"] and max(ts for ts, _ in own) == t["session_end"]
        assert {m.session_id for _, m in own} == {t["session_id"]}
        assert {m.channel for _, m in own} == {t["channel"]}
        assert {m.device for _, m in own} <= {t["device"], None}
        personalization = {m.consent.personalization if m.consent else None for _, m in own}
        assert personalization == {False} if t["opted_out"] else False not in personalization
        times = sorted(ts for ts, _ in own)
        assert all(b - a < 25 * 60_000 for a, b in zip(times, times[1:]))
        feedback = [(ts, m) for ts, topic, m in events[t["user_id"]]
                    if topic == "feedback" and t["session_end"] + 60_000 <= ts <= t["session_end"] + 1_200_000]
        assert len(feedback) == int(t["has_feedback"])
        for _ts, fb in feedback:
            assert fb.moment == t["moment"] and fb.session_id == t["session_id"]
        if "segments" in t:
            segs = t["segments"]
            assert len(segs) == 2 and segs[-1]["moment"] == t["moment"] and segs[0]["moment"] != t["moment"]
            assert segs[0]["start"] == t["session_start"] and segs[-1]["end"] == t["session_end"]
            assert segs[0]["end"] < segs[1]["start"]
    for sessions in by_user.values():
        for a, b in zip(sessions, sessions[1:]):
            assert b["session_start"] - a["session_end"] >= 45 * 60_000


def test_meta_counts_agree_with_truth_and_lines(scn):
    m, truth = scn.meta, scn.truth
    assert m["sessions"] == len(truth) == N and sum(m["per_moment"].values()) == N
    assert m["per_moment"] == {k: sum(1 for t in truth if t["moment"] == k) for k in ("know", "go", "do", "buy")}
    assert m["users"] == len({t["user_id"] for t in truth})
    assert m["opted_out_sessions"] == sum(t["opted_out"] for t in truth)
    assert m["shifted_sessions"] == sum("segments" in t for t in truth)
    assert m["feedback"] == sum(t["has_feedback"] for t in truth) == m["per_topic"]["feedback"]
    assert m["sessions_without_session_id"] == sum(t["session_id"] is None for t in truth)
    counted = Counter(topic for evs in unique_events(scn).values() for _ts, topic, _m in evs)
    assert all(m["per_topic"][t] == counted[t] for t in (*EVENT_TOPICS, "feedback"))
    assert m["time_range"] == [min(t["session_start"] for t in truth), max(t["session_end"] for t in truth)]
    assert truth == sorted(truth, key=lambda t: t["session_start"])


def test_realism_knobs_hold_roughly(scn):
    m, truth = scn.meta, scn.truth
    # a shop whose intent shows late opens many sessions with pages of no intent
    assert 0.15 <= m["generic_event_share"] <= (0.5 if get_profile(m["profile"]).journey.late_intent else 0.32)
    assert 0.04 <= m["shifted_sessions"] / N <= 0.18
    assert 0.2 <= m["sessions_without_session_id"] / N <= 0.4
    assert 0.2 <= m["feedback"] / N <= 0.4
    assert all(m["per_moment"][k] >= 0.1 * N for k in ("know", "go", "do", "buy"))
    assert len({t["channel"] for t in truth}) >= 3 and {"web", "app"} <= {t["channel"] for t in truth}
    assert sum(c > 1 for c in Counter(t["user_id"] for t in truth).values()) >= 20  # returning users
    bad = {b["line"] for b in m["bad_lines"]}
    formats = Counter(_ts_format(orjson.loads(line)["ts"]) for i, line in enumerate(scn.lines, start=1)
                      if i not in bad and line.startswith(b'{"topic":"events.'))
    assert {"ms", "zf", "z", "offset"} <= set(formats)


def test_go_sessions_move_towards_a_store(scn):
    venues = [orjson.loads(line) for line in scn.lines if line.startswith(b'{"topic":"ref.venues"')]
    events = unique_events(scn)
    closer = total = 0
    for t in scn.truth:
        if t["moment"] != "go" or "segments" in t:
            continue
        fixes = [m for ts, topic, m in events[t["user_id"]]
                 if topic == "events.location" and t["session_start"] <= ts <= t["session_end"]]
        if len(fixes) < 2 or not any((f.speed_mps or 0.0) >= 1.0 for f in fixes):
            continue  # standing still (or no speed reported)
        total += 1
        target = min((v for v in venues if "lat" in v), key=lambda v: _metres(fixes[-1].lat, fixes[-1].lon,
                                                                               v["lat"], v["lon"]))
        first, last = (_metres(f.lat, f.lon, target["lat"], target["lon"]) for f in (fixes[0], fixes[-1]))
        closer += last < first
    assert total >= 5 and closer / total >= 0.75


def test_same_seed_same_bytes(tmp_path: Path):
    a, b = simulate("electronics-en", N, seed=5), simulate("electronics-en", N, seed=5)
    assert a.lines == b.lines and a.truth == b.truth and a.meta == b.meta
    assert simulate("electronics-en", N, seed=6).lines != a.lines
    write(a, tmp_path / "a")
    write(b, tmp_path / "b")
    for name in ("events.jsonl", "truth.jsonl", "meta.json"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_same_bytes_in_another_process_with_another_hash_seed():
    code = "import sys; from tools.simulate import simulate; sys.stdout.buffer.write(b'\\n'.join(" \
           "simulate('baumarkt-de', 60, seed=4).lines))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=60,
                          env={**os.environ, "PYTHONHASHSEED": "12345"}, cwd=Path(__file__).resolve().parents[1])
    assert done.returncode == 0, done.stderr
    assert done.stdout == b"\n".join(simulate("baumarkt-de", 60, seed=4).lines)


def test_german_profile_has_umlauts_and_vocabulary_the_rules_do_not_know():
    scn = simulate("baumarkt-de", N, seed=11)
    queries = [orjson.loads(line)["query"] for line in scn.lines if line.startswith(b'{"topic":"events.search"')
               and b'"query":"' in line and len(line) < 2000 and b"\\ud" not in line]
    assert sum(bool(re.search("[äöüß]", q)) for q in queries) >= 0.1 * len(queries)
    assert any("ß" in q for q in queries)
    profile = get_profile("baumarkt-de")
    for moment, words in profile.unknown_vocabulary.items():
        for word in words:
            assert not [t for t in tokens(word) if t in LEXICON], (moment, word)
    # a good share of each moment's cue events carries no cue the rules know for that moment
    unknown, total = Counter(), Counter()
    for s in scn.sessions:
        for e in s.events:
            if e.tag is None or e.body.get("type") in ("add_to_cart", "checkout", "purchase", "video_play", "download"):
                continue
            toks = tokens(e.body["query"]) if "query" in e.body else \
                (*url_tokens(e.body["url"]), *tokens(e.body.get("title", "")))
            total[e.tag] += 1
            unknown[e.tag] += not any(e.tag in LEXICON.get(t, ()) for t in toks)
    assert all(unknown[m] / total[m] >= 0.3 for m in ("know", "go", "do", "buy")), (unknown, total)
    text = b"\n".join(scn.lines).decode("utf-8", "replace").lower()
    for words in profile.unknown_vocabulary.values():
        assert sum(w in text for w in words) >= 2


def test_profiles_are_different_shops():
    shops = [simulate(name, 30, seed=1) for name in PROFILES]

    def good_lines(s):
        bad = {b["line"] for b in s.meta["bad_lines"]}
        return [line for i, line in enumerate(s.lines, start=1) if i not in bad]

    hosts = [{orjson.loads(line).get("url", "").split("/")[2] for line in good_lines(s)
              if line.startswith(b'{"topic":"events.clickstream"') and b'"url":"http' in line} for s in shops]
    assert all(len(h) == 1 for h in hosts) and len(set().union(*hosts)) == len(PROFILES)
    pids = [{p.pid for p in prof.products} for prof in PROFILES.values()]
    assert sum(len(p) for p in pids) == len(set().union(*pids))
    assert "/de/artikel/" in b"\n".join(shops[list(PROFILES).index("baumarkt-de")].lines).decode()


def test_field_sets_and_ts_mix_like_the_shared_sample():
    require_sample()

    def profile_of(lines):
        fields, formats = defaultdict(set), Counter()
        for line in lines:
            try:
                obj = orjson.loads(line)
            except orjson.JSONDecodeError:
                continue
            if not isinstance(obj, dict) or obj.get("topic") not in (*EVENT_TOPICS, "feedback", "ref.venues"):
                continue
            if isinstance(decode_replay_line(line)[1], Rejection):
                continue
            fields[obj["topic"]] |= set(obj)
            if obj["topic"] != "ref.venues":
                formats[_ts_format(obj["ts"])] += 1
        total = sum(formats.values())
        return fields, {k: v / total for k, v in formats.items()}

    ours_fields, ours_ts = profile_of(simulate("electronics-en", 400, seed=7).lines)
    their_fields, their_ts = profile_of(sample_lines())
    for topic, keys in their_fields.items():
        assert keys <= ours_fields[topic], (topic, keys - ours_fields[topic])
        assert ours_fields[topic] - keys <= {"updated_at", "free_capacity", "deleted"}, topic
    for fmt, share in their_ts.items():
        assert abs(ours_ts.get(fmt, 0.0) - share) <= 0.06, (fmt, ours_ts, their_ts)


# ----------------------------------------------------------------------------- CLI
def test_cli_help_lists_profiles_and_knobs(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["simulate", "--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    for option in ("--profile", "--sessions", "--seed", "--out", "--kafka", "--bootstrap", "--rate",
                   "--opt-out-share", "--feedback-share", "--bad-share", "--shift-share", "--start"):
        assert option in out
    assert main(["simulate", "--list-profiles"]) == 0
    listed = capsys.readouterr().out
    assert all(name in listed for name in PROFILES)


@pytest.mark.parametrize("argv, message", [
    (["--profile", "nope", "--out", "x"], "unknown profile 'nope'"),
    (["--profile", "electronics-en", "--sessions", "0", "--out", "x"], "--sessions"),
    (["--profile", "electronics-en"], "--out"),
    (["--profile", "electronics-en", "--start", "2025-05-13T06:00:00", "--out", "x"], "--start"),
])
def test_cli_user_errors_exit_2(argv, message, capsys):
    assert main(["simulate", *argv]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error:") and message in err


def test_cli_unwritable_dir_is_a_clear_error(tmp_path: Path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    assert main(["simulate", "--profile", "fashion-en", "--sessions", "5", "--out", str(blocker / "sub")]) == 2
    assert "error: cannot write the scenario" in capsys.readouterr().err


def test_cli_writes_the_three_files(tmp_path: Path):
    out = tmp_path / "scn"
    assert main(["simulate", "--profile", "baumarkt-de", "--sessions", "25", "--seed", "3", "--out", str(out),
                 "--bad-share", "0", "--feedback-share", "1", "-q"]) == 0
    meta = orjson.loads((out / "meta.json").read_bytes())
    truth = (out / "truth.jsonl").read_bytes().splitlines()
    assert meta["profile"] == "baumarkt-de" and meta["seed"] == 3 and meta["n_bad_lines"] == 0
    assert len(truth) == 25 and meta["feedback"] == 25
    assert meta["lines"] == len((out / "events.jsonl").read_bytes().splitlines())


def test_cli_kafka_mode_sends_the_lines_through_feed(monkeypatch, tmp_path: Path):
    import tools.feed

    sent = {}

    async def fake_produce(bootstrap, records, prefix="", rate=None, progress=None):
        records = list(records)
        sent.update(bootstrap=bootstrap, records=records, prefix=prefix, rate=rate)
        if progress is not None:
            for _ in records:
                progress(1)
        return len(records)

    monkeypatch.setattr(tools.feed, "produce", fake_produce)
    argv = ["simulate", "--profile", "electronics-en", "--sessions", "20", "--kafka", "--bootstrap", "h:1",
            "--rate", "1000", "--out", str(tmp_path / "k")]
    assert main(argv) == 0
    lines = (tmp_path / "k" / "events.jsonl").read_bytes().splitlines()
    assert sent["bootstrap"] == "h:1" and sent["rate"] == 1000
    assert sent["records"] == tools.feed.records_from_lines(lines)


def test_console_script_help():
    exe = Path(sys.executable).with_name("micromoments")
    if not exe.exists():
        pytest.skip("console script not installed next to the interpreter")
    done = subprocess.run([str(exe), "simulate", "--help"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and "--profile" in done.stdout
    done = subprocess.run([str(exe), "simulate", "--profile", "nope", "--out", "x"], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 2 and "error:" in done.stderr


# ----------------------------------------------------------------------------- helpers
def _ts_format(ts) -> str:
    if not isinstance(ts, str):
        return "ms"
    if ts.endswith("Z"):
        return "zf" if "." in ts else "z"
    return "offset"


def _metres(lat1, lon1, lat2, lon2) -> float:
    x = math.radians(lon2 - lon1) * math.cos(math.radians((lat1 + lat2) / 2))
    return 6_371_000.0 * math.hypot(x, math.radians(lat2 - lat1))


def test_journey_knobs_shape_the_sessions():
    """search_first opens sessions with a search; late_intent puts events without intent first."""
    from dataclasses import replace

    from tools.simulate.profile import Journey
    from tools.simulate.scenario import Options, generate

    base = get_profile("fashion-en")

    def sessions(journey: Journey):
        p = replace(base, journey=journey)
        return generate(Options(profile=p.name, sessions=300, seed=3), p).sessions

    def content(s):
        return [e for e in s.events if e.topic != "events.location"]

    opened = Counter(content(s)[0].topic for s in sessions(Journey(search_first=0.9)))
    assert opened["events.search"] / sum(opened.values()) > 0.85
    default = Counter(content(s)[0].topic for s in sessions(Journey()))
    assert default["events.search"] / sum(default.values()) < 0.6
    late = sessions(Journey(late_intent=1.0, late_events=(3, 3)))
    assert all(e.tag is None for s in late for e in content(s)[:3])
    share_late = sum(content(s)[0].tag is None for s in late) / len(late)
    share_default = sum(content(s)[0].tag is None for s in sessions(Journey())) / 300
    assert share_late == 1.0 and share_default < 0.5
    # contradicting cues (another moment's) are drawn at the profile's share, journey or not
    for journey in (Journey(), Journey(late_intent=0.5, search_first=0.5)):
        events = [(e, s.moments[e.seg]) for s in sessions(journey) for e in content(s)]
        contra = sum(e.tag is not None and e.tag != m for e, m in events) / len(events)
        assert 0.5 * base.mix.contra < contra < 1.5 * base.mix.contra, contra
    longer = sessions(Journey(length=2.0))
    assert sum(map(len, map(content, longer))) > 1.3 * sum(map(len, map(content, sessions(Journey()))))
