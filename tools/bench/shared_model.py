"""Bench part ``model``: one shared model with 1, 2 and 3 workers on 6 partitions (issue 20's targets).

For each shop and each number of workers, a fresh deployment gets the same simulated stream
(feedback included) at a fixed rate, live. Measured:

* quality: macro-F1 and coverage of the moments the workers published, against the scenario's truth
  (``detectors.scoring``, the measure of ``micromoments evaluate``);
* convergence: every worker's p99 of the time from the learner's publishing of a version to its use
  (``/stats/`` ``model.shared.delay_ms_p99``), and whether all ended on the same version;
* a label's effect: after the stream, feedback labels are sent one at a time; the time until every
  worker decides with a version that learned it (its feedback count went up);
* cost: the workers' events per CPU second at saturation (records produced as fast as possible,
  measured from the end of producing until the learner has learned them all: ``saturation``),
  1 vs 2 vs 3 workers; on a machine with fewer cores than workers that is what "throughput per
  worker" can mean.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import time
import uuid

import orjson

from config import Settings
from detectors.scoring import score
from pipeline.detector_factory import build_detector
from pipeline.learning import Models
from pipeline.model_log import ModelLog, encode_snapshot
from schemas import Moment, Rejection, decode, parse_ts
from schemas.topics import FEEDBACK_TOPIC, MOMENT_TOPICS
from tools.bench.live import Deployment, say
from tools.bench.procs import accounted, wait_until
from tools.bench.suite import scenario_records
from tools.evaluate import event_times
from tools.feed import Record, read_all, records_from_lines
from tools.simulate import simulate

SHOPS = ("baumarkt-de", "fashion-en")
PARTITIONS = 6


def _model(worker) -> dict:
    page = worker.page() or {}
    return page.get("model", {})


def _feedbacks(version: str) -> int:
    return int(version.split(".")[0]) if version and version[0].isdigit() else -1


def _valid(line: dict) -> bool:
    """A feedback line the contract accepts (the stream has bad lines too)."""
    body = {k: v for k, v in line.items() if k != "topic"}
    return not isinstance(decode(FEEDBACK_TOPIC, orjson.dumps(body), str(line.get("user_id")).encode()), Rejection)


def _label_probes(dep: Deployment, workers: list, lines: list[bytes], truth: list[dict], n: int) -> list[float]:
    """Seconds from sending one feedback label (a copy of one of the stream's, under a new event id)
    to every worker deciding with a version that learned it."""
    opted_out = {t["user_id"] for t in truth if t.get("opted_out")}
    fbs = [orjson.loads(line) for line in lines if b'"feedback"' in line]
    fbs = [f for f in fbs if f.get("topic") == FEEDBACK_TOPIC and f.get("kind", "moment") == "moment"
           and f.get("user_id") not in opted_out and _valid(f)][-n:]
    out = []
    for fb in fbs:
        before = max(_feedbacks(_model(w).get("version", "")) for w in workers)
        fb.pop("topic")
        fb["event_id"] = f"probe-{uuid.uuid4().hex[:12]}"
        start = time.perf_counter()
        dep.produce([Record(FEEDBACK_TOPIC, fb["user_id"].encode(), orjson.dumps(fb))])
        deadline = start + 30
        while time.perf_counter() < deadline:
            if all(_feedbacks(_model(w).get("version", "")) > before for w in workers):
                out.append(round(time.perf_counter() - start, 3))
                break
            time.sleep(0.02)
        else:
            say(f"model: a label was not learned within 30 s (feedback {fb['event_id']}); not counted")
    return out


def run_one(settings: Settings, shop: str, lines: list[bytes], truth: list[dict], n_workers: int, rate: float,
            probes: int) -> dict:
    records = records_from_lines(lines)
    with Deployment(settings, PARTITIONS, f"m{n_workers}") as dep:
        workers = [dep.worker(f"worker{i}", {"model_sync": "shared"}) for i in range(n_workers)]
        try:
            for w in workers:
                w.start()

            wait_until(lambda: _all_ready(workers), workers, 180,
                       f"{n_workers} worker(s) with partitions and the shared model")
            time.sleep(3.0)  # a settled group
            say(f"model: {shop}, {n_workers} worker(s): {len(records):,} records at {rate:,.0f}/s")
            dep.produce(records, rate=rate)
            wait_until(lambda: sum(accounted(w.stats()) for w in workers) >= len(records), workers, 600,
                       "every record accounted for")

            def converged():
                models = [_model(w) for w in workers]
                return len({m["version"] for m in models}) == 1 and models
            time.sleep(2.0)
            models = wait_until(converged, workers, 60, "every worker on one version")
            delays = [m["shared"]["delay_ms_p99"] or 0.0 for m in models]
            label_s = _label_probes(dep, workers, lines, truth, probes)
            moments = []
            for topic in MOMENT_TOPICS:
                moments += [Moment.model_validate_json(v) for _, v in
                            asyncio.run(read_all(dep.bootstrap, dep.prefix + topic))]
        finally:
            for w in workers:
                w.stop()
    rows = [{"user_id": m.user_id, "moment": m.moment, "event_ts_ms": parse_ts(m.event_ts),
             "confidence": m.confidence} for m in moments]
    s = score(truth, rows, event_times(lines))
    result = {"workers": n_workers, "macro_f1": round(s.macro_f1, 4), "coverage": round(s.coverage, 4),
              "moments": len(moments), "versions_named": len({m.model.version for m in moments}),
              "final_version": models[0]["version"], "final_seq": models[0]["shared"]["seq"],
              "delay_ms_p99_max": max(delays), "label_s": label_s,
              "label_s_max": max(label_s) if label_s else None}
    say(f"model: {shop}, {n_workers} worker(s): macro-F1 {result['macro_f1']:.4f}, coverage "
        f"{result['coverage']:.4f}, version delay p99 {result['delay_ms_p99_max']:.0f} ms, label effect max "
        f"{result['label_s_max']} s")
    return result


def saturation(settings: Settings, records: list, n_workers: int, sync: str = "shared") -> dict:
    """Events/s and CPU of ``n_workers`` deciding preloaded-as-fast-as-possible records, from the end
    of producing to the moment the learner has learned them all (the model's version stops
    changing): its learning belongs to the cost, and it may lag behind the deciding."""
    with Deployment(settings, PARTITIONS, f"s{n_workers}") as dep:
        workers = [dep.worker(f"worker{i}", {"model_sync": sync}) for i in range(n_workers)]
        try:
            for w in workers:
                w.start()
            wait_until(lambda: _all_ready(workers, sync == "shared"), workers, 180, f"{n_workers} worker(s) ready")
            time.sleep(3.0)
            dep.produce(records)
            t0, n0 = time.perf_counter(), sum(accounted(w.stats()) for w in workers)
            cpu0 = sum(w.cpu_s() for w in workers)
            wait_until(lambda: sum(accounted(w.stats()) for w in workers) >= len(records), workers, 900,
                       "every record accounted for")
            last = (None, 0.0, 0.0)  # (seq, time, cpu) when the version last changed
            while True:  # (each worker learning alone: its version is its own; the newest counts)
                seq = max(_model(w).get("shared", {}).get("seq", 0) for w in workers) if sync == "shared" else \
                    sorted(_model(w).get("version", "") for w in workers)
                now, cpu = time.perf_counter(), sum(w.cpu_s() for w in workers)
                if seq != last[0]:
                    last = (seq, now, cpu)
                elif now - last[1] > 3.0:  # six publish intervals without a new version: learned all
                    break
                time.sleep(0.1)
        finally:
            for w in workers:
                w.stop()
    seconds, cpu = last[1] - t0, last[2] - cpu0
    out = {"eps": round((len(records) - n0) / seconds), "cpu_cores": round(cpu / seconds, 2),
           "events_per_cpu_s": round((len(records) - n0) / cpu), "produced_before_start": n0}
    say(f"model: saturation, {n_workers} worker(s), {sync}: {out['eps']:,} ev/s on {out['cpu_cores']} cores "
        f"(learned all), {out['events_per_cpu_s']:,} events per CPU second")
    return out


def _all_ready(workers: list, shared: bool = True) -> bool:
    pages = [w.page() for w in workers]
    return all(p and p.get("assigned") and (not shared or p["model"].get("shared", {}).get("seq", -1) >= 0)
               for p in pages)


def snapshot_cost(settings: Settings) -> dict:
    """The shipped model as one snapshot: its size on mm.model, and the time to encode (the
    learner, every ``MOMENTS_MODEL_SNAPSHOT_INTERVAL_S``) and to decode it (a starting worker)."""
    models = Models(build_detector(settings.model_copy(update={"data_dir": settings.data_dir / "none"})))
    start = time.perf_counter()
    records = encode_snapshot({"seq": 0, "epoch": 0, "ts_ms": 0, "version": "0.0"}, models)
    encoded = time.perf_counter()
    reader = ModelLog()
    for rec in records:
        reader.offer(*rec)
    decoded = time.perf_counter()
    return {"features": len(models.detector.model.weights), "chunks": len(records),
            "bytes": sum(len(r[1]) for r in records), "encode_s": round(encoded - start, 3),
            "decode_s": round(decoded - encoded, 3)}


def shared_model(settings: Settings, sessions: int = 1500, rate: float = 1000.0, probes: int = 10,
                 workers: tuple[int, ...] = (1, 2, 3), shops: tuple[str, ...] = SHOPS,
                 throughput_events: int = 60_000) -> dict:
    out: dict = {"partitions": PARTITIONS, "rate": rate, "sessions": sessions, "shops": {},
                 "snapshot": snapshot_cost(settings)}
    say(f"model: snapshot of the shipped model {out['snapshot']}")
    for shop in shops:
        scn = simulate(shop, sessions, seed=2020)
        runs = [run_one(settings, shop, scn.lines, scn.truth, n, rate, probes) for n in workers]
        one = runs[0]
        for r in runs:
            r["macro_f1_vs_one"] = round(r["macro_f1"] - one["macro_f1"], 4)
            r["coverage_vs_one"] = round(r["coverage"] - one["coverage"], 4)
        out["shops"][shop] = runs
    records = scenario_records(throughput_events, seed=8)
    rates = {n: saturation(settings, records, n) for n in workers}
    for r in rates.values():
        r["vs_one"] = round(r["events_per_cpu_s"] / rates[workers[0]]["events_per_cpu_s"], 3)
    out["saturation"] = {"events": len(records), "workers": rates}
    all_runs = [r for runs in out["shops"].values() for r in runs]
    out["worst"] = {
        "macro_f1_gap": max(abs(r["macro_f1_vs_one"]) for r in all_runs),
        "coverage_gap": max(abs(r["coverage_vs_one"]) for r in all_runs),
        "delay_ms_p99": max(r["delay_ms_p99_max"] for r in all_runs),
        "label_s": max((r["label_s_max"] or 0.0) for r in all_runs),
        "events_per_cpu_s_ratio": min(r["vs_one"] for r in rates.values()),
        "label_s_median": statistics.median([s for r in all_runs for s in r["label_s"]] or [0.0]),
    }
    return out


def main(argv: list[str] | None = None) -> int:
    """``python -m tools.bench.shared_model``: the part, or only its saturation runs (``--only
    saturation``, e.g. ``--sync local`` for each worker learning alone: the cost of more processes
    on the same cores without the shared model)."""
    import argparse

    from config import get_settings

    p = argparse.ArgumentParser(prog="python -m tools.bench.shared_model", description=main.__doc__)
    p.add_argument("--only", choices=("all", "saturation"), default="all")
    p.add_argument("--workers", default="1,2,3", help="numbers of workers, comma-separated")
    p.add_argument("--sync", choices=("shared", "local"), default="shared")
    p.add_argument("--repeats", type=int, default=1)
    p.add_argument("--events", type=int, default=60_000, help="records of each saturation run")
    args = p.parse_args(argv)
    settings, workers = get_settings(), tuple(int(n) for n in args.workers.split(","))
    if args.only == "all":
        print(json.dumps(shared_model(settings, workers=workers, throughput_events=args.events), indent=1))
        return 0
    records = scenario_records(args.events, seed=8)
    runs = {n: [saturation(settings, records, n, args.sync) for _ in range(args.repeats)] for n in workers}
    per_cpu = {n: statistics.median(r["events_per_cpu_s"] for r in rs) for n, rs in runs.items()}
    print(json.dumps({"sync": args.sync, "runs": runs, "median_events_per_cpu_s": per_cpu,
                      "vs_first": {n: round(v / per_cpu[workers[0]], 3) for n, v in per_cpu.items()}}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
