"""``micromoments bench --only serve``: the profile API under load, on a real broker.

1. 100,000 profiles (real records of a replayed two-language shop with ``--profiles``, copied
   under new user ids) are produced to a fresh compacted ``profiles`` topic.
2. ``micromoments serve`` starts with an empty store: seconds until ready (a re-created replica).
3. Its resident memory and store size with the 100,000 profiles.
4. ``GET /v1/profiles/{id}`` over random ids at 1,000 requests/s from ANOTHER process
   (``tools.bench.http_load``: open loop, latency from the scheduled send), then stepping the rate
   up to the highest one held with p99 <= 10 ms.
5. Restart (SIGTERM, start again on the same store): seconds until ready and answering.
6. Freshness: a worker and a serve on one deployment, simulated traffic with customer messages at
   1,000 ev/s; for a sample of users the bench long-polls the API and takes, for each new
   version, the time from producing the message that caused it (the ``mm-event-id`` header) to
   the answer.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
from pathlib import Path

import orjson
from aiokafka import AIOKafkaProducer

from config import Settings
from config.kafka import kafka_options
from schemas.topics import PROFILES_TOPIC
from tools.bench.live import Deployment, say, summarize_ms, warm_up
from tools.bench.procs import vm_kb
from tools.feed import produce, records_from_lines
from tools.serve_process import ROOT, ServeProcess

TARGET_PROFILES = 100_000


def template_profiles(sessions: int = 600, seed: int = 3) -> list[dict]:
    """The final profiles of a replayed bank-de-en shop with customers (German and English)."""
    from pipeline.detector_factory import build_core
    from pipeline.replay import Replayer
    from tools.simulate import simulate

    last: dict[str, dict] = {}

    def keep(out) -> None:
        if out.topic == PROFILES_TOPIC and out.value is not None:
            record = orjson.loads(out.value)
            last[record["user_id"]] = record

    lines = simulate("bank-de-en", sessions, seed=seed, bad_share=0.0, profiles=True).lines
    list(Replayer(build_core(Settings()), keep).feed(lines))
    return [p for p in last.values() if p.get("criticality")]


def copies(templates: list[dict], n: int) -> list[tuple[str, bytes]]:
    out = []
    for i in range(n):
        p = dict(templates[i % len(templates)])
        p["user_id"] = f"bench-{i:06d}"
        out.append((p["user_id"], orjson.dumps(p)))
    return out


async def _seed(bootstrap: str, topic: str, records: list[tuple[str, bytes]]) -> None:
    producer = AIOKafkaProducer(**kafka_options(bootstrap=bootstrap), linger_ms=20, max_batch_size=1 << 20,
                                compression_type=None)
    await producer.start()
    try:
        for i, (user_id, value) in enumerate(records):
            await producer.send(topic, value, key=user_id.encode())
            if i % 10_000 == 9_999:
                await producer.flush()
        await producer.flush()
    finally:
        await producer.stop()


def _load(url: str, key_file: Path, ids_file: Path, rate: float, seconds: float, max_rate: bool = False) -> dict:
    """The HTTP client in its own process (tools.bench.http_load), JSON on stdout."""
    cmd = [sys.executable, "-m", "tools.bench.http_load", "--url", url, "--token-file", str(key_file),
           "--ids-file", str(ids_file), "--rate", str(rate), "--seconds", str(seconds), "--connections", "16"]
    if max_rate:
        cmd += ["--max-rate", "--p99-limit", "10", "--factor", "1.4"]
    res = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=1800, check=False)
    if res.returncode != 0:
        raise RuntimeError(f"http_load failed: {res.stderr[-2000:]}")
    return json.loads(res.stdout)


def _memory(proc: ServeProcess) -> dict:
    status = Path(f"/proc/{proc.proc.pid}/status").read_text()
    return {"rss_mb": round(vm_kb(status) / 1024, 1), "peak_mb": round(vm_kb(status, "VmHWM") / 1024, 1)}


def lookups(settings: Settings, seconds: float, n_profiles: int = TARGET_PROFILES) -> dict:
    """Steps 1-5 of the module docstring."""
    from serving.keys import KeyFile

    templates = template_profiles()
    say(f"serve: {len(templates)} template profiles, producing {n_profiles:,} profiles")
    with Deployment(settings, 1, "srv") as dep:
        topic = dep.prefix + PROFILES_TOPIC
        records = copies(templates, n_profiles)
        asyncio.run(_seed(dep.bootstrap, topic, records))
        keys_file = dep.root / "keys.json"
        key_file, ids_file = dep.root / "key.txt", dep.root / "ids.txt"
        key_file.write_text(KeyFile(keys_file).create("bench") + "\n")
        ids_file.write_text("\n".join(u for u, _ in records) + "\n")
        env = {"MOMENTS_KAFKA_BOOTSTRAP": dep.bootstrap, "MOMENTS_TOPIC_PREFIX": dep.prefix,
               "MOMENTS_API_KEYS_FILE": str(keys_file), "MOMENTS_DATA_DIR": str(dep.root),
               "MOMENTS_SERVE_RATE_LIMIT": "1000000", "MOMENTS_SERVE_RATE_BURST": "1000000"}
        store = dep.root / "serve" / "profiles.sqlite"
        serve = ServeProcess(env, store, dep.root / "serve.log")
        out: dict = {"profiles": n_profiles, "record_bytes_mean": round(sum(len(v) for _, v in records) / n_profiles)}
        with serve:
            out["cold_ready_s"] = round(serve.wait_ready(300), 2)
            say(f"serve: ready with {n_profiles:,} profiles read from the topic in {out['cold_ready_s']} s")
            time.sleep(1.0)
            out["memory"] = {**_memory(serve), "store_mb": round(sum(
                p.stat().st_size for p in store.parent.glob("profiles.sqlite*")) / 2**20, 1)}
            say(f"serve: RSS {out['memory']['rss_mb']} MiB, store {out['memory']['store_mb']} MiB")
            _load(serve.url, key_file, ids_file, 500, 3)  # warm-up (page cache, code paths)
            out["at_1000_rps"] = _load(serve.url, key_file, ids_file, 1000, seconds)
            lat = out["at_1000_rps"]["latency_ms"]
            say(f"serve: 1,000 req/s p50 {lat['p50']} ms, p99 {lat['p99']} ms")
            out["max_rate"] = _load(serve.url, key_file, ids_file, 1000, min(seconds, 10), max_rate=True)
            say(f"serve: highest rate held with p99 <= 10 ms: {out['max_rate']['max_rate']:,.0f} req/s")
            out["memory_after_load"] = _memory(serve)
        again = ServeProcess(env, store, dep.root / "serve.log")
        t0 = time.monotonic()
        with again:
            again.wait_ready(120)
            status, _ = again.get(f"/v1/profiles/{records[-1][0]}", key_file.read_text().strip())
            out["restart_ready_s"] = round(time.monotonic() - t0, 2)
            assert status == 200, f"restarted serve answered {status}"
            say(f"serve: restarted and answering in {out['restart_ready_s']} s")
    return out


async def _poll_user(url: str, key: str, user: str, sent_ms: list[float], ids: dict[str, int],
                     out: list[float], stop: asyncio.Event) -> None:
    import httpx

    version = -1
    async with httpx.AsyncClient(base_url=url, headers={"Authorization": f"Bearer {key}"}, timeout=30) as client:
        while not stop.is_set():
            params = {"after_version": version, "wait": 5} if version >= 0 else {}
            r = await client.get(f"/v1/profiles/{user}", params=params)
            now = time.time() * 1000.0
            if r.status_code != 200:
                await asyncio.sleep(0.2)
                continue
            v = r.json()["version"]
            cause = r.headers.get("mm-event-id")
            if v != version and version >= 0 and cause in ids and ids[cause] < len(sent_ms):
                out.append(now - sent_ms[ids[cause]])
            version = v


async def _fresh_run(dep: Deployment, serve: ServeProcess, key: str, records, rate: float, users: list[str]) -> list:
    sent_ms: list[float] = []
    ids = {orjson.loads(r.value).get("event_id"): i for i, r in enumerate(records) if r.value}
    out: list[float] = []
    stop = asyncio.Event()
    pollers = [asyncio.create_task(_poll_user(serve.url, key, u, sent_ms, ids, out, stop)) for u in users]
    await produce(dep.bootstrap, records, prefix=dep.prefix, rate=rate,
                  progress=lambda _n: sent_ms.append(time.time() * 1000.0))
    await asyncio.sleep(3.0)
    stop.set()
    await asyncio.wait(pollers, timeout=10)
    for p in pollers:
        p.cancel()
    return out


def freshness(settings: Settings, seconds: float, rate: float = 1000.0, sample: int = 200) -> dict:
    """Step 6: produce -> visible through the API, for the messages' profile changes."""
    from serving.keys import KeyFile
    from tools.simulate import simulate

    lines = simulate("bank-de-en", max(200, int(rate * seconds) // 5), seed=8, bad_share=0.0, profiles=True).lines
    records = records_from_lines(lines)
    warm, timed = records[:1000], records[1000:1000 + int(rate * seconds)]
    with Deployment(settings, 1, "fresh") as dep, dep.worker() as worker:
        keys_file = dep.root / "keys.json"
        key = KeyFile(keys_file).create("bench")
        env = {"MOMENTS_KAFKA_BOOTSTRAP": dep.bootstrap, "MOMENTS_TOPIC_PREFIX": dep.prefix,
               "MOMENTS_API_KEYS_FILE": str(keys_file), "MOMENTS_DATA_DIR": str(dep.root),
               "MOMENTS_SERVE_RATE_LIMIT": "1000000", "MOMENTS_SERVE_RATE_BURST": "1000000"}
        with ServeProcess(env, dep.root / "serve.sqlite", dep.root / "serve.log") as serve:
            warm_up(dep, [worker], warm)
            serve.wait_ready(60)
            contacts = [r.key.decode() for r in timed if r.topic == "events.contact" and r.key]
            users = list(dict.fromkeys(contacts))[:sample]
            say(f"serve freshness: {len(timed):,} records at {rate:,.0f}/s, long-polling {len(users)} users")
            got = asyncio.run(_fresh_run(dep, serve, key, timed, rate, users))
    return {"offered_eps": rate, "records": len(timed), "users_polled": len(users), **summarize_ms(got),
            "what": "produce -> the new profile version answered by GET /v1/profiles/{id} (long poll), ms"}


def serve_part(settings: Settings, seconds: float, n_profiles: int = TARGET_PROFILES) -> dict:
    out = lookups(settings, seconds, n_profiles)
    out["freshness_ms"] = freshness(settings, seconds)
    f = out["freshness_ms"]
    say(f"serve freshness: p50 {f['p50']} ms, p99 {f['p99']} ms ({f['n']} changes)")
    return out
