"""The benchmark's results: min/median of repeats, merged latency runs, and the printed summary."""

from __future__ import annotations

import statistics


def min_median(values: list[float]) -> dict:
    return {"min": round(min(values)), "median": round(statistics.median(values)), "runs": [round(x) for x in values]}


def merge_latency(runs: list[dict[str, dict]]) -> dict:
    """Per offered rate: the median over runs of each end-to-end percentile, plus every run."""
    out: dict = {"what": "produce -> moment received by a consumer of moments.* (end to end), ms; "
                         "worker_* = the moment's own latency_ms (record timestamp -> decision)"}
    for label in runs[0]:
        per = [r[label] for r in runs]
        agg = {}
        for q in ("p50", "p95", "p99"):
            e2e = [p["e2e"][q] for p in per if p["e2e"][q] is not None]
            own = [p["worker"][q] for p in per if p["worker"][q] is not None]
            agg[q] = round(statistics.median(e2e), 1) if e2e else None
            agg[f"worker_{q}"] = round(statistics.median(own), 1) if own else None
        agg["offered_eps"] = per[0]["offered_eps"]
        agg["runs"] = per
        out[label] = agg
    return out


def summary(doc: dict) -> str:
    lines = []
    if (doc.get("machine") or {}).get("detector_us_per_event"):
        m = doc["machine"]
        compiled = (f"; {m['detector_us_per_event_compiled']} µs/event with the compiled loops"
                    if m.get("compiled") else "; detector loops NOT compiled (pure Python)")
        lines.append(f"machine: {m['cpus']} CPUs; detector features + predict in pure Python "
                     f"{m['detector_us_per_event']} µs/event (the day's speed){compiled}")
    if isinstance(doc.get("pipeline_eps"), dict):
        lines.append(f"{'throughput (' + format(doc['events'], ',') + ' events)':<34}{'min ev/s':>10}{'median ev/s':>13}")
        for key, label in (("passthrough_eps", "(a) aiokafka passthrough"), ("same_work_eps", "(b) aiokafka same work"),
                           ("pipeline_eps", "(c) Faust worker")):
            lines.append(f"  {label:<32}{doc[key]['min']:>10,}{doc[key]['median']:>13,}")
        lines.append(f"  c/a = {doc['ratio_passthrough']}, c/b = {doc['ratio_same_work']} (target c/b >= 0.5); "
                     f"floor 5,000 ev/s: {'met' if doc['pipeline_eps']['median'] >= 5000 else 'NOT met'}")
        sink = doc.get("sink") or {}
        if sink.get("included"):
            lines.append(f"  sink (chDB) ran beside the worker: {sink['records']:,} analytics records, "
                         f"caught up {sink['lag_s']} s after the worker")
    lat = doc.get("latency_ms")
    if lat:
        lines.append(f"{'latency produce->moment, ms':<34}{'p50':>8}{'p95':>9}{'p99':>9}   worker p99")
        for label, v in lat.items():
            if isinstance(v, dict):
                name = f"{int(label):,} ev/s offered" if label.isdigit() else label
                lines.append(f"  {name:<32}{v['p50']!s:>8}{v['p95']!s:>9}{v['p99']!s:>9}   {v['worker_p99']}")
        p99 = (lat.get("1000") or {}).get("p99")
        if p99 is not None:
            lines.append(f"  p99 at 1k ev/s <= 50 ms: {'met' if p99 <= 50 else 'NOT met'}")
    rss = doc.get("rss_mb")
    if rss:
        lines.append(f"RSS with {rss['users']:,} live sessions: {rss['median']} MiB median (min {rss['min']}); "
                     f"<= 400 MiB: {'met' if rss['median'] <= 400 else 'NOT met'}")
        if rss.get("burst"):
            lines.append(f"  (opened at {rss['offered_eps']:,.0f} ev/s; the same traffic produced at once: "
                         f"{rss['burst']['median']} MiB, peak {rss['burst']['peak_mb']} MiB)")
    pr = doc.get("profiles")
    if pr:
        lines.append(f"worker with customer messages ({pr['contacts']:,} of {pr['events']:,} records): "
                     f"{pr['with_contacts_eps']['median']:,} ev/s vs {pr['without_contacts_eps']['median']:,} "
                     f"without = {pr['ratio']}; within 10 %: {'met' if pr['ratio'] >= 0.9 else 'NOT met'}")
        f = (pr.get("freshness_ms") or {}).get("1000") or {}
        if f.get("p99") is not None:
            lines.append(f"  profile freshness at 1k ev/s: p50 {f['p50']} ms, p99 {f['p99']} ms; "
                         f"p99 <= 1 s: {'met' if f['p99'] <= 1000 else 'NOT met'}")
    sv = doc.get("serve")
    if sv:
        lat, mem = sv["at_1000_rps"]["latency_ms"], sv["memory"]
        lines.append(f"serve, GET /v1/profiles/{{id}} over {sv['profiles']:,} profiles at 1,000 req/s: p50 {lat['p50']} ms, "
                     f"p99 {lat['p99']} ms; p50 <= 1 ms and p99 <= 5 ms: "
                     f"{'met' if lat['p50'] <= 1 and lat['p99'] <= 5 else 'NOT met'}")
        lines.append(f"  highest rate with p99 <= 10 ms: {sv['max_rate']['max_rate']:,.0f} req/s; RSS {mem['rss_mb']} MiB "
                     f"(store {mem['store_mb']} MiB on disk); <= 300 MiB: {'met' if mem['rss_mb'] <= 300 else 'NOT met'}")
        lines.append(f"  ready from an empty store in {sv['cold_ready_s']} s, after a restart in {sv['restart_ready_s']} s; "
                     f"restart <= 10 s: {'met' if sv['restart_ready_s'] <= 10 else 'NOT met'}")
        f = sv.get("freshness_ms") or {}
        if f.get("p99") is not None:
            lines.append(f"  freshness through the API at 1k ev/s: p50 {f['p50']} ms, p99 {f['p99']} ms ({f['n']} changes); "
                         f"p99 <= 1 s: {'met' if f['p99'] <= 1000 else 'NOT met'}")
    sc = doc.get("scale_2_workers")
    if sc:
        lines.append(f"2 workers / 1 worker (4 partitions): {sc['two_eps']:,} / {sc['one_eps']:,} ev/s = "
                     f"{sc['ratio']} x; >= 1.6: {'met' if sc['ratio'] >= 1.6 else 'NOT met'}")
        if "two_cpu_cores" in sc:
            lines.append(f"  (workers used {sc['one_cpu_cores']} / {sc['two_cpu_cores']} CPU cores of "
                         f"{sc['cpu_cores']}; ev/s per worker core {sc['one_eps_per_core']:,} / "
                         f"{sc['two_eps_per_core']:,})")
    sm = doc.get("shared_model")
    if sm and sm.get("worst"):
        w = sm["worst"]
        lines.append(f"one shared model, 1/2/3 workers on {sm['partitions']} partitions ({', '.join(sm['shops'])}): "
                     f"macro-F1 gap {w['macro_f1_gap']}, coverage gap {w['coverage_gap']} (<= 0.01: "
                     f"{'met' if max(w['macro_f1_gap'], w['coverage_gap']) <= 0.01 else 'NOT met'}); version delay "
                     f"p99 {w['delay_ms_p99']} ms (<= 2 s: {'met' if w['delay_ms_p99'] <= 2000 else 'NOT met'}); "
                     f"a label in every worker within {w['label_s']} s (<= 5 s: "
                     f"{'met' if w['label_s'] <= 5 else 'NOT met'}); events per CPU second vs one worker "
                     f"{w['events_per_cpu_s_ratio']} (>= 0.9: {'met' if w['events_per_cpu_s_ratio'] >= 0.9 else 'NOT met'})")
    return "\n".join(lines)
