"""The benchmark's pure helpers: percentiles, /proc status parsing, synthesized live sessions."""

from __future__ import annotations

import orjson
import pytest

from pipeline.state import SESSION_GAP_MS
from schemas import Rejection, decode
from schemas.topics import VENUES_TOPIC
from tools.bench.live import SESSION_WINDOW_MS, event_ids, live_session_records, percentile, summarize_ms
from tools.bench.procs import _clean_env, accounted, cpu_seconds, vm_kb
from tools.bench.report import merge_latency, min_median, summary
from tools.feed import Record, records_from_lines


def test_percentiles_interpolate_between_ranks():
    values = [float(v) for v in range(1, 101)]  # 1..100
    assert percentile(values, 50) == pytest.approx(50.5)
    assert percentile(values, 99) == pytest.approx(99.01)
    assert percentile([7.0], 95) == 7.0
    assert summarize_ms([30.0, 10.0, 20.0]) == {"n": 3, "p50": 20.0, "p95": 29.0, "p99": 29.8, "max": 30.0}
    assert summarize_ms([])["p99"] is None
    with pytest.raises(ValueError):
        percentile([], 50)


def test_vm_fields_of_proc_status():
    status = "Name:\tpython\nVmPeak:\t  900000 kB\nVmHWM:\t  410000 kB\nVmRSS:\t  397312 kB\nThreads:\t5\n"
    assert vm_kb(status, "VmRSS") == 397312
    assert vm_kb(status, "VmHWM") == 410000
    assert vm_kb(status, "VmSwap") is None


def test_accounted_counts_finished_inputs_only():
    stats = {"in:events.search": 10, "processed": 6, "duplicate": 1, "dlq": 2, "venues": 1, "moment:buy": 3}
    assert accounted(stats) == 10


def _templates() -> list[Record]:
    venue = Record(VENUES_TOPIC, b"V1", orjson.dumps({"venue_id": "V1", "name": "Shop", "lat": 1.0, "lon": 2.0,
                                                     "kind": "store"}))
    lines = [
        {"topic": "events.search", "event_id": "a1", "user_id": "u", "session_id": "s1", "ts": 1000,
         "query": "best tv 2025"},
        {"topic": "events.clickstream", "event_id": "a2", "user_id": "u", "session_id": "s1", "ts": 2000,
         "type": "page_view", "url": "/tv/compare"},
        {"topic": "feedback", "event_id": "a3", "user_id": "u", "session_id": "s1", "ts": 2500, "moment": "know"},
        {"topic": "events.clickstream", "event_id": "a4", "user_id": "u", "session_id": "s1", "ts": 3000,
         "type": "add_to_cart", "url": "/tv/x1", "product_id": "X1"},
        {"topic": "events.search", "event_id": "b1", "user_id": "w", "session_id": "s2", "ts": 1000,
         "query": "store near me"},
    ]
    return [venue, *records_from_lines([orjson.dumps(x) for x in lines])]


def test_live_sessions_are_distinct_valid_and_stay_open():
    records = live_session_records(500, _templates(), per_user=3)
    assert records[0].topic == VENUES_TOPIC and sum(r.topic == VENUES_TOPIC for r in records) == 1
    events = records[1:]
    assert len(events) == 500 * 3  # only the 3-event session is a template; feedback is skipped
    assert {r.topic for r in events} == {"events.search", "events.clickstream"}
    users: dict[str, list[int]] = {}
    for r in events:
        msg = decode(r.topic, r.value, r.key)
        assert not isinstance(msg, Rejection), msg
        assert r.key == msg.user_id.encode()
        users.setdefault(msg.user_id, []).append(msg.ts)
    assert len(users) == 500
    ts = [t for r in events for t in [orjson.loads(r.value)["ts"]]]
    assert ts == sorted(ts)  # event-time order
    # the stream ends less than a session gap after every user's last event: nothing expires
    assert max(ts) - min(max(v) for v in users.values()) < SESSION_GAP_MS
    assert max(ts) - min(ts) < SESSION_WINDOW_MS
    assert len(event_ids(records)) == len(events)


def test_event_ids_keep_the_first_send_of_a_duplicate():
    recs = [Record("events.search", b"u", b'{"event_id": "e1"}'), Record("events.search", b"u", b"not json"),
            Record("events.search", b"u", b'{"event_id": "e1"}'), Record(VENUES_TOPIC, b"v", b'{"event_id": "x"}')]
    assert event_ids(recs) == {"e1": 0}


def test_latency_runs_merge_to_medians_and_the_summary_names_unmet_targets():
    def run(p99):
        e2e = {"n": 10, "p50": 10.0, "p95": 20.0, "p99": p99, "max": p99}
        return {"1000": {"offered_eps": 1000.0, "e2e": e2e, "worker": e2e}}
    merged = merge_latency([run(30.0), run(90.0), run(60.0)])
    assert merged["1000"]["p99"] == 60.0 and merged["1000"]["worker_p99"] == 60.0
    assert len(merged["1000"]["runs"]) == 3
    assert min_median([3.0, 1.0, 2.0]) == {"min": 1, "median": 2, "runs": [3, 1, 2]}
    text = summary({"latency_ms": merged, "rss_mb": {"users": 100_000, "median": 450.0, "min": 440.0}})
    assert "p99 at 1k ev/s <= 50 ms: NOT met" in text and "<= 400 MiB: NOT met" in text


def test_process_settings_are_named_without_the_prefix(monkeypatch):
    """A worker's settings go in by name; a prefixed one (MOMENTS_MODEL_SYNC) would reach the
    process as MOMENTS_MOMENTS_MODEL_SYNC, which nothing reads: refused."""
    monkeypatch.setenv("MOMENTS_MODEL", "rules")  # the caller's own settings do not leak in
    env = _clean_env(model_sync="local")
    assert env["MOMENTS_MODEL_SYNC"] == "local" and "MOMENTS_MODEL" not in env
    with pytest.raises(ValueError, match="MOMENTS_MODEL_SYNC"):
        _clean_env(MOMENTS_MODEL_SYNC="local")


def test_cpu_seconds_of_proc_stat():
    # a command name with spaces and parentheses, utime 250 and stime 50 ticks at 100 per second
    stat = "4242 (python -m (x)) S 1 4242 4242 0 -1 4194304 100 0 0 0 250 50 0 0 20 0 3 0 1000 12345 678"
    assert cpu_seconds(stat, ticks_per_s=100) == pytest.approx(3.0)


def test_a_process_that_dies_keeps_its_log_and_says_why(tmp_path):
    """The benchmark's temporary folders go with their deployment: the log of a process that
    died is copied next to the results and the reason is in the error."""
    from tools.bench import procs as bench_procs

    class Broken(bench_procs._Proc):
        command = "no-such-command"  # micromoments exits 2 with a usage error

    bench_procs.keep_logs_in(tmp_path / "logs")
    try:
        proc = Broken("127.0.0.1:1", "x.", 1, tmp_path / "tmp", "app", "broken").start()
        proc.proc.wait(60)
        with pytest.raises(bench_procs.ProcessDied) as info:
            proc.check_alive()
    finally:
        bench_procs.keep_logs_in(None)
    message = str(info.value)
    assert "exited with code 2" in message and "invalid choice" in message
    (kept,) = (tmp_path / "logs").iterdir()
    assert str(kept) in message and "invalid choice" in kept.read_text()


def test_a_failed_part_is_named_and_the_parts_before_it_are_saved(tmp_path, monkeypatch, capsys):
    import argparse

    from tools.bench import procs as bench_procs
    from tools.bench import suite as bench

    def throughput(doc, args, settings, sizes):
        doc["pipeline_eps"] = {"min": 1, "median": 2}
        return {"events": 3}

    def latency(doc, args, settings, sizes):
        raise bench_procs.ProcessDied("worker (worker, pid 1) exited with code 1: [CRITICAL] boom")

    monkeypatch.setattr(bench, "_PART_RUNNERS", {**bench._PART_RUNNERS, "throughput": throughput, "latency": latency})
    monkeypatch.setattr(bench, "detector_reference", lambda: 1.0)
    monkeypatch.setattr(bench, "detector_us_per_event", lambda: 1.0)
    out = tmp_path / "results.json"
    args = argparse.Namespace(only="throughput,latency", quick=True, events=None, latency_seconds=None,
                              rss_users=None, scale_events=None, profile_events=None, partitions=1, repeats=1,
                              no_sink=True, out=out)
    try:
        assert bench._cmd_bench(args) == 1
    finally:
        bench_procs.keep_logs_in(None)
    err = capsys.readouterr().err
    assert "the latency part failed: worker (worker, pid 1) exited with code 1: [CRITICAL] boom" in err
    saved = orjson.loads(out.read_text())
    assert saved["pipeline_eps"] == {"min": 1, "median": 2} and set(saved["parts"]) == {"throughput"}


def test_a_profile_record_is_traced_to_the_message_that_changed_it():
    from pipeline.engine import CAUSE_HEADER
    from tools.bench.live import profile_source
    from tools.feed import Record

    records = [Record("events.search", b"u1", orjson.dumps({"event_id": "e1", "user_id": "u1", "ts": 1747116002919,
                                                            "query": "tv"})),
               Record("events.contact", b"u2", orjson.dumps({"event_id": "c1", "user_id": "u2",
                                                             "ts": "2025-05-13T06:00:05Z", "text": "hi"}))]
    topics, cause = profile_source(records)
    assert topics == ("profiles",)
    assert cause({"user_id": "u2"}, [(CAUSE_HEADER, b"c1")]) == (1, None)
    assert cause({"user_id": "u1"}, [(CAUSE_HEADER, b"e1")]) == (0, None)
    assert cause({"user_id": "u1"}, []) == (None, None)  # the expiry timer's record: no cause
