"""The worker at saturation (slow): records arrive faster than it can process them for half a minute.

Regression test of issue 14: at its capacity the worker used to stop itself ("record batch(es)
not delivered ... still pending after the flush"): a commit's snapshot could be taken while a
timer's batch was still queueing its results, and those were then judged lost. Here the worker
always has a backlog waiting (several partitions, the ClickHouse sink beside it on the same
cores) for at least ``LOAD_S`` seconds; it must stay up, commit as it goes, and account for every
input exactly once, publishing no moment twice.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest

from tests.sink_helpers import SinkProcess
from tests.worker_helpers import (
    Worker,
    WorkerEnv,
    accounted,
    all_committed,
    committed_inputs,
    inputs_read,
    published,
    settled,
)
from tools.feed import records_from_lines
from tools.simulate import simulate

pytestmark = [pytest.mark.kafka, pytest.mark.slow]

LOAD_S = 30.0
CHUNK_SESSIONS = 1500  # ~11k records a chunk
BACKLOG = 20_000  # produce another chunk whenever fewer records than this wait for the worker
#: batches of 500 records (default 2,000): four times the batch boundaries per second, where timers
#: (merge release, session expiry) run between batches; cd40c07 failed within ~10 s in 3 of 3 runs
#: like this (1 of 3 runs passed with the default batch size)
SMALL_BATCHES = {"MOMENTS_BATCH_SIZE": "500"}
START = datetime(2025, 5, 13, tzinfo=UTC)


def chunk(k: int) -> list:
    """The k-th chunk of traffic: its own users (seed) and its own stretch of event time."""
    hours = 48
    start = (START + timedelta(hours=k * (hours + 1))).isoformat().replace("+00:00", "Z")
    return records_from_lines(simulate("electronics-en", CHUNK_SESSIONS, seed=1000 + k, start=start,
                                       hours=hours).lines)


def test_worker_at_saturation_stays_up_commits_as_it_goes_and_accounts_for_every_input(kafka_bootstrap, tmp_path):
    deployment = WorkerEnv(kafka_bootstrap, tmp_path / "worker", partitions=4, extra=SMALL_BATCHES)
    deployment.produce([])  # topics first (co-partitioned, as the worker creates them)
    worker, sink = Worker(deployment), SinkProcess(deployment, tmp_path / "sink")
    produced, k = 0, 0
    backlogs: list[int] = []
    commits: list[int] = []  # committed input offsets, sampled while the load runs
    try:
        worker.start().wait_for(lambda s: True, what="the worker's web page")
        sink.start()
        started = time.monotonic()
        while time.monotonic() - started < LOAD_S:
            stats = worker.wait_for(lambda s: True, what="stats")  # asserts the worker is alive
            backlog = produced - accounted(stats)
            if backlog < BACKLOG:
                produced += deployment.produce(chunk(k))
                k += 1
                backlogs.append(produced - accounted(worker.wait_for(lambda s: True)))
            else:
                time.sleep(0.5)
            commits.append(committed_inputs(deployment))
        load_s = time.monotonic() - started
        stats = worker.wait_for(lambda s: settled(s) and inputs_read(s) >= produced and
                                all_committed(deployment, produced), timeout=300, what="the backlog drained")
        assert sink.remote() is not None  # the sink ran beside it all along and is still up
    finally:
        worker.stop()
        sink.stop()
    log = worker.log_path.read_text(errors="replace")
    assert "not delivered" not in log and "commit failed" not in log and "Crashed" not in log, worker.log_tail(80)
    # saturated: the worker had work waiting after every chunk was produced
    assert len(backlogs) >= 3 and min(backlogs) > 0, backlogs
    # committed as it went: the committed offsets rose while the load ran, not only at the end
    rising = [c for a, c in zip(commits, commits[1:]) if c > a]
    assert len(rising) >= 5 and commits[-1] < produced, (commits[:: max(1, len(commits) // 20)], produced)
    # every input read once and accounted for: processed + duplicates + DLQ + venue records
    assert inputs_read(stats) == produced == accounted(stats), stats
    moments = published(deployment)
    ids = [m.moment_id for m in moments]
    assert len(ids) == len(set(ids)), "a moment was published twice"
    print(f"\nsaturation: {produced} records in {k} chunks over {load_s:.0f} s, backlog after each chunk "
          f"{min(backlogs)}..{max(backlogs)}; committed {len(rising)} times during the load; "
          f"processed {stats.get('processed')}, duplicates {stats.get('duplicate', 0)}, DLQ {stats.get('dlq', 0)}, "
          f"venues {stats.get('venues', 0)}; {len(ids)} moments, each once")
