"""The open-loop HTTP load generator (tools/bench/http_load.py) against a tiny HTTP/1.1 server
running on its own event loop in a thread: injected delays must show in the percentiles, and a
server stall in the p99 (no coordinated omission)."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Self

import pytest

from tools.bench.http_load import HttpProtocolError, max_rate, precise_loop, round_robin_paths, run_load, summarize_ms
from tools.bench.procs import free_port

KEY = "k3y"
ROOT = Path(__file__).resolve().parents[1]


class TinyServer:
    """Keep-alive HTTP/1.1 server: ``/v1/profiles/<id>`` is 200 (404 for ids starting with
    "missing", 401 without ``Bearer k3y``); every ``slow_every``-th request waits ``slow_s``
    (that connection only); request number ``stall_at`` blocks the whole server ``stall_s``
    (like a GC pause); ``chunked`` answers with a chunked body."""

    def __init__(self, slow_every: int = 0, slow_s: float = 0.002, stall_at: int = 0, stall_s: float = 0.3,
                 chunked: bool = False) -> None:
        self.slow_every, self.slow_s, self.stall_at, self.stall_s, self.chunked = (
            slow_every, slow_s, stall_at, stall_s, chunked)
        self.count = 0
        self.port = 0
        self._ready = threading.Event()
        self._thread = threading.Thread(target=asyncio.run, args=(self._main(),), daemon=True)

    async def _main(self) -> None:
        self._loop, self._stop = asyncio.get_running_loop(), asyncio.Event()
        server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        self.port = server.sockets[0].getsockname()[1]
        self._ready.set()
        async with server:
            await self._stop.wait()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:
            try:
                head = await reader.readuntil(b"\r\n\r\n")
            except (asyncio.IncompleteReadError, ConnectionError):
                break
            self.count += 1
            if self.count == self.stall_at:
                time.sleep(self.stall_s)  # noqa: ASYNC251 - blocking the loop is the point
            elif self.slow_every and self.count % self.slow_every == 0:
                await asyncio.sleep(self.slow_s)
            path = head.split(b" ", 2)[1].decode()
            if f"authorization: bearer {KEY}\r\n".encode() not in head.lower():
                status, body = "401 Unauthorized", b'{"detail":"bad key"}'
            elif path.startswith("/v1/profiles/missing"):
                status, body = "404 Not Found", b'{"detail":"unknown user"}'
            else:
                status, body = "200 OK", b'{"user_id":"%s","moments":[]}' % path.rsplit("/", 1)[1].encode()
            if self.chunked:
                writer.write(f"HTTP/1.1 {status}\r\nTransfer-Encoding: chunked\r\n\r\n".encode()
                             + b"%x\r\n%s\r\n0\r\n\r\n" % (len(body), body))
            else:
                writer.write(f"HTTP/1.1 {status}\r\nContent-Type: application/json\r\n"
                             f"Content-Length: {len(body)}\r\n\r\n".encode() + body)
        writer.close()

    def __enter__(self) -> Self:
        self._thread.start()
        self._ready.wait(5)
        return self

    def __exit__(self, *exc) -> None:
        self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(5)


def load(port: int, rate: float = 400, seconds: float = 1.0, ids=("u1", "u2"), key: str = KEY, **kw) -> dict:
    with asyncio.Runner(loop_factory=precise_loop) as runner:
        return runner.run(run_load("127.0.0.1", port, round_robin_paths(list(ids)),
                                   {"Authorization": f"Bearer {key}"}, rate, seconds, warmup_s=0.2, **kw))


def test_percentiles_reflect_the_injected_delay():
    """1 request in 10 waits 20 ms (large next to the noise of a busy 2-core machine)."""
    with TinyServer(slow_every=10, slow_s=0.020) as srv:
        r = load(srv.port, rate=400, seconds=1.5)
    assert r["n"] == 600 and r["answered"] == 600 and r["errors"] == 0 and r["status"] == {"200": 600}
    lat = r["latency_ms"]
    assert lat["p50"] < 10.0  # 9 in 10 requests are fast
    assert 20.0 <= lat["p99"] < 100.0  # the tail is the delay
    assert lat["max"] >= lat["p999"] >= lat["p99"] >= lat["p90"] >= lat["p50"] > 0
    assert 350 < r["achieved_rate"] < 450 and len(r["dispatch_lag_ms"]) == 5


def test_the_precise_loop_wakes_within_a_fraction_of_a_millisecond():
    """epoll rounds a 0.2 ms wait up to 1 ms; that lag would be counted in every latency."""
    async def overshoots() -> list[float]:
        loop, out = asyncio.get_running_loop(), []
        for _ in range(50):
            t = loop.time()
            await asyncio.sleep(0.0002)
            out.append(loop.time() - t - 0.0002)
        return sorted(out)
    with asyncio.Runner(loop_factory=precise_loop) as runner:
        assert runner.run(overshoots())[25] < 0.0005


def test_statuses_are_counted():
    with TinyServer() as srv:
        r = load(srv.port, rate=200, seconds=0.5, ids=("u1", "missing-1", "u2", "missing-2"))
        bad = load(srv.port, rate=200, seconds=0.5, key="wrong")
    assert r["status"] == {"200": 50, "404": 50} and r["errors"] == 0
    assert bad["status"] == {"401": 100} and bad["errors"] == 0


def test_a_dead_server_counts_errors_without_hanging():
    port = free_port()  # nothing listens there
    t = time.monotonic()
    r = load(port, rate=200, seconds=0.5)
    assert time.monotonic() - t < 3.0
    assert r["answered"] == 0 and r["errors"] == r["n"] == 100 and r["status"] == {}
    assert r["latency_ms"]["p99"] is None and r["achieved_rate"] == 0.0


def test_a_silent_server_times_out_as_errors():
    async def silent(reader, writer):
        await reader.read()  # never answers

    async def run() -> dict:
        server = await asyncio.start_server(silent, "127.0.0.1", 0)
        async with server:
            port = server.sockets[0].getsockname()[1]
            return await run_load("127.0.0.1", port, lambda i: "/", {}, 50, 0.4, connections=2, warmup_s=0.0,
                                  timeout_s=0.5)
    t = time.monotonic()
    r = asyncio.run(run())
    assert time.monotonic() - t < 3.0
    assert r["answered"] == 0 and r["errors"] == r["n"] == 20


def test_a_stalled_server_shows_in_the_p99():
    """The server blocks 300 ms once. A closed-loop client would see one slow request per
    connection (8 of 800: not even the p99); here every request due during the stall waits."""
    with TinyServer(stall_at=300, stall_s=0.3) as srv:
        r = load(srv.port, rate=400, seconds=2.0)
    assert r["errors"] == 0 and r["answered"] == 800
    assert r["latency_ms"]["p99"] > 200.0  # ~120 requests were due during the stall
    assert r["latency_ms"]["p90"] > 20.0
    assert r["service_ms"]["p99"] < r["latency_ms"]["p99"]  # measured from the send it hides the stall
    assert r["late_send"] > 50  # written late: they waited for a connection the stalled server held


def test_chunked_responses_fail_clearly():
    with TinyServer(chunked=True) as srv, pytest.raises(HttpProtocolError, match="chunked"):
        load(srv.port, rate=50, seconds=0.2)


def test_max_rate_steps_up_until_the_p99_breaks():
    def fake(rate: float) -> dict:
        return {"offered_rate": rate, "achieved_rate": rate, "errors": 0,
                "latency_ms": {"p99": 1.0 if rate < 3000 else 12.0}}
    out = max_rate(fake, 1000, p99_limit_ms=10, factor=2)
    assert out["max_rate"] == 2000 and [s["offered_rate"] for s in out["steps"]] == [1000, 2000, 4000]
    assert "p99" in out["stopped"]
    errs = max_rate(lambda r: {**fake(r), "errors": 3}, 1000)
    assert errs["max_rate"] is None and len(errs["steps"]) == 1 and "errors" in errs["stopped"]
    assert len(max_rate(fake, 10, factor=1.1, max_steps=4)["steps"]) == 4
    # a failure while the client itself sent late is a stall of the machine: that step runs once more
    runs: list[float] = []

    def stalled_once(rate: float) -> dict:
        runs.append(rate)
        stall = rate == 2000 and runs.count(2000) == 1
        return {**fake(rate), "latency_ms": {"p99": 90.0 if stall else fake(rate)["latency_ms"]["p99"]},
                "dispatch_lag_ms": {"p99": 80.0 if stall else 0.1}}
    again = max_rate(stalled_once, 1000, p99_limit_ms=10, factor=2)
    assert again["max_rate"] == 2000 and runs == [1000, 2000, 2000, 4000]


def test_round_robin_is_a_seeded_shuffle_and_summaries_are_in_ms():
    ids = [f"u{i}" for i in range(5)] + ["a b/c"]
    path_for = round_robin_paths(ids, seed=7)
    first = [path_for(i) for i in range(6)]
    assert sorted(first) == sorted([f"/v1/profiles/{u}" for u in ids[:5]] + ["/v1/profiles/a%20b%2Fc"])
    assert first != [f"/v1/profiles/{u}" for u in ids[:5]] + ["/v1/profiles/a%20b%2Fc"]  # shuffled
    assert [path_for(i + 6) for i in range(6)] == first
    assert first == [round_robin_paths(ids, seed=7)(i) for i in range(6)]
    assert summarize_ms([0.001, 0.003, 0.002]) == {"p50": 2.0, "p90": 2.8, "p99": 2.98, "p999": 2.998, "max": 3.0}


def test_the_cli_prints_one_json_object(tmp_path: Path):
    (tmp_path / "ids").write_text("u1\nu2\nmissing-3\n\n")
    (tmp_path / "key").write_text(KEY + "\n")
    with TinyServer() as srv:
        out = subprocess.run([sys.executable, "-m", "tools.bench.http_load", "--url", f"http://127.0.0.1:{srv.port}",
                              "--token-file", str(tmp_path / "key"), "--ids-file", str(tmp_path / "ids"),
                              "--rate", "300", "--seconds", "1", "--warmup", "0.2"],
                             cwd=ROOT, capture_output=True, text=True, timeout=30, check=False)
    assert out.returncode == 0, out.stderr
    r = json.loads(out.stdout)
    assert r["status"] == {"200": 200, "404": 100} and r["errors"] == 0
