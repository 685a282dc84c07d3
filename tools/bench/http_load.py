"""Open-loop HTTP/1.1 load generator for ``micromoments serve`` (stdlib asyncio only).

Why open loop: a closed-loop client (send, wait, send the next) slows down when the server
stalls, so the requests that should have arrived during the stall are never sent and a 300 ms
pause shows up as one slow request per connection (coordinated omission). Here request ``i`` is
due at ``t0 + i / rate`` whatever happens; its latency runs from that due time to the last byte
of its response, so waiting for a free connection, a stalled server and a late client all count.

Why hand-written HTTP: the client shares a 2-core machine with the server. A minimal keep-alive
exchange (status line, headers, Content-Length body) costs a fraction of a full HTTP client, and
what it does not parse (chunked bodies, no length) stops the run with ``HttpProtocolError``.

Besides ``latency_ms`` (from the due time) the result holds ``service_ms`` (from the write: what a
closed-loop client would report) and the client's own lag: ``dispatch_lag_ms`` (how late the
scheduler handed requests out: timer granularity, or a client short of CPU) and ``late_dispatch``
(handed out > 10 ms late). ``late_send`` counts requests written > 10 ms late, which includes
waiting for a busy connection (server back-pressure).

Why ``precise_loop``: the default epoll loop rounds timer waits up to the next millisecond, which
alone sent requests 0.6 ms late at the median (p99 1.1 ms) at 400-1000/s: too much next to a 1 ms
p50 target. ``select()`` takes microseconds (lag p50 0.1 ms) and a few fds cost it nothing.

Run it as its own process: ``python -m tools.bench.http_load --help``; it prints one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import random
import selectors
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from urllib.parse import quote, urlsplit

LATE_S = 0.010  # "late" = more than 10 ms after the due time


class HttpProtocolError(RuntimeError):
    """The server answered something this minimal client does not parse (a configuration problem,
    not a load effect: the run stops instead of counting it)."""


def precise_loop() -> asyncio.AbstractEventLoop:
    """A loop whose timers wake within µs (see above): ``asyncio.Runner(loop_factory=precise_loop)``."""
    return asyncio.SelectorEventLoop(selectors.SelectSelector())


def percentile(sorted_values: Sequence[float], q: float) -> float:
    """Linear-interpolated percentile ``q`` (0..100) of sorted values (as ``tools.bench.live``;
    copied so that this process imports nothing but the standard library)."""
    pos = (len(sorted_values) - 1) * q / 100.0
    lo, hi = math.floor(pos), math.ceil(pos)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (pos - lo)


def summarize_ms(seconds: list[float], qs: Sequence[float] = (50, 90, 99, 99.9)) -> dict:
    """p50/p90/p99/p999 and max of durations in seconds, in ms (rounded to µs); None if empty."""
    v = sorted(seconds)
    names = [f"p{q:g}".replace(".", "") for q in qs] + ["max"]
    if not v:
        return dict.fromkeys(names)
    return dict(zip(names, [round(percentile(v, q) * 1e3, 3) for q in qs] + [round(v[-1] * 1e3, 3)]))


async def read_response(reader: asyncio.StreamReader) -> tuple[int, bool]:
    """Read one response; returns its status and whether the connection stays open."""
    head = await reader.readuntil(b"\r\n\r\n")
    status_line, _, rest = head.partition(b"\r\n")
    parts = status_line.split(None, 2)
    if len(parts) < 2 or not parts[0].startswith(b"HTTP/1.") or not parts[1].isdigit():
        raise HttpProtocolError(f"not an HTTP/1.x status line: {status_line[:80]!r}")
    status, keep, length = int(parts[1]), parts[0] == b"HTTP/1.1", None
    for line in rest.split(b"\r\n"):
        name, _, value = line.partition(b":")
        name = name.strip().lower()
        if name == b"content-length":
            if not value.strip().isdigit():
                raise HttpProtocolError(f"bad Content-Length: {value[:40]!r}")
            length = int(value)
        elif name == b"transfer-encoding" and b"chunked" in value.lower():
            raise HttpProtocolError("the server sent a chunked body: this client reads Content-Length bodies only")
        elif name == b"connection":
            keep = value.strip().lower() != b"close" if keep else value.strip().lower() == b"keep-alive"
    if length is None:
        if not (100 <= status < 200 or status in (204, 304)):
            raise HttpProtocolError(f"response {status} without Content-Length")
        length = 0
    await reader.readexactly(length)
    return status, keep


class _Conn:
    """One persistent connection; (re)opened on demand, aborted by the watchdog when stuck."""

    def __init__(self, host: str, port: int, timeout_s: float) -> None:
        self.host, self.port, self.timeout_s = host, port, timeout_s
        self.reader, self.writer, self.busy_since = None, None, None  # busy_since: loop time of the send

    async def open(self) -> None:
        self.reader, self.writer = await asyncio.wait_for(asyncio.open_connection(self.host, self.port),
                                                          self.timeout_s)

    async def open_quietly(self) -> None:
        """Pre-open before the clock starts (a failure is retried, and counted, per request)."""
        try:
            await self.open()
        except OSError:  # TimeoutError is one
            self.close()

    def close(self) -> None:
        if self.writer is not None:
            self.writer.transport.abort()
        self.reader = self.writer = None


class _Record:
    """What happened to the measured requests (index >= ``first``; the warm-up is not kept)."""

    def __init__(self, first: int) -> None:
        self.first, self.latency, self.service, self.dispatch_lag = first, [], [], []  # s from due, from send; s late
        self.status, self.errors = Counter(), Counter()  # "200" -> n; exception name -> n
        self.late_send, self.last_done = 0, 0.0


async def _dispatch(queue: asyncio.Queue, loop, t0: float, rate: float, total: int, rec: _Record) -> None:
    """Hand request ``i`` to the pool at ``t0 + i / rate`` (all overdue ones at once if late; it
    yields every round even when behind, so that the connections get to read their responses)."""
    i = 0
    while i < total:
        await asyncio.sleep(max(0.0, t0 + i / rate - loop.time()))
        now = loop.time()
        while i < total and (due := t0 + i / rate) <= now:
            if i >= rec.first:
                rec.dispatch_lag.append(now - due)
            queue.put_nowait((i, due))
            i += 1


async def _worker(conn: _Conn, queue: asyncio.Queue, loop, path_for: Callable[[int], str], tail: bytes,
                  rec: _Record) -> None:
    """Serve queued requests on one connection, one at a time, until the ``None`` sentinel."""
    while (item := await queue.get()) is not None:
        i, due = item
        conn.busy_since = sent = loop.time()
        if i >= rec.first and sent - due > LATE_S:
            rec.late_send += 1
        try:
            if conn.writer is None:
                await conn.open()
            conn.writer.write(b"GET " + path_for(i).encode() + b" HTTP/1.1\r\n" + tail)
            status, keep = await read_response(conn.reader)
        except (OSError, EOFError, asyncio.LimitOverrunError) as exc:  # refused, reset, timed out, cut
            conn.close()
            if i >= rec.first:
                rec.errors[type(exc).__name__] += 1
        else:
            done = loop.time()
            if not keep:
                conn.close()
            if i >= rec.first:
                rec.latency.append(done - due)
                rec.service.append(done - sent)
                rec.status[str(status)] += 1
                rec.last_done = done
        finally:
            conn.busy_since = None


async def _watchdog(conns: list[_Conn], loop, timeout_s: float) -> None:
    """Abort a connection whose request has run longer than ``timeout_s`` (counted as an error),
    so that a server that accepts but never answers cannot hang the run."""
    while True:
        await asyncio.sleep(min(0.25, timeout_s / 4))
        for c in conns:
            if c.busy_since is not None and loop.time() - c.busy_since > timeout_s and c.writer is not None:
                c.writer.transport.abort()


async def run_load(host: str, port: int, path_for: Callable[[int], str], headers: dict, rate: float,
                   seconds: float, connections: int = 8, warmup_s: float = 1.0, timeout_s: float = 5.0) -> dict:
    """Offer ``rate`` GET requests/s for ``warmup_s + seconds`` over ``connections`` keep-alive
    connections; statistics cover the requests due after the warm-up. A request unanswered
    ``timeout_s`` after its send (or never sent before the end) counts as an error."""
    loop = asyncio.get_running_loop()
    tail = "".join(f"{k}: {v}\r\n" for k, v in {"Host": f"{host}:{port}", **headers}.items()).encode() + b"\r\n"
    total, first = round(rate * (warmup_s + seconds)), round(rate * warmup_s)
    rec, queue = _Record(first), asyncio.Queue()
    conns = [_Conn(host, port, timeout_s) for _ in range(connections)]
    await asyncio.gather(*(c.open_quietly() for c in conns))
    t0 = loop.time() + 0.01
    workers = [asyncio.create_task(_worker(c, queue, loop, path_for, tail, rec)) for c in conns]
    watchdog = asyncio.create_task(_watchdog(conns, loop, timeout_s))
    dispatcher = asyncio.create_task(_dispatch(queue, loop, t0, rate, total, rec))
    try:
        await asyncio.wait([dispatcher, *workers], return_when=asyncio.FIRST_COMPLETED)  # workers end early only on error
        if dispatcher.done() and not dispatcher.exception():
            for _ in conns:
                queue.put_nowait(None)
            await asyncio.wait(workers, timeout=timeout_s + 1.0, return_when=asyncio.FIRST_EXCEPTION)
    finally:
        for task in (dispatcher, watchdog, *workers):
            task.cancel()
        for c in conns:
            c.close()
    for task in (dispatcher, *workers):
        if task.done() and not task.cancelled() and task.exception():
            raise task.exception()
    n, answered = total - first, len(rec.latency)
    if unanswered := n - answered - sum(rec.errors.values()):  # still queued or in flight at the end
        rec.errors["unanswered"] += unanswered
    window = max(seconds, rec.last_done - (t0 + warmup_s))
    return {"offered_rate": rate, "achieved_rate": round(answered / window, 1) if window > 0 else 0.0,
            "seconds": seconds, "warmup_s": warmup_s, "connections": connections,
            "n": n, "answered": answered, "errors": sum(rec.errors.values()), "error_kinds": dict(rec.errors),
            "status": dict(sorted(rec.status.items())),
            "latency_ms": summarize_ms(rec.latency), "service_ms": summarize_ms(rec.service),
            "dispatch_lag_ms": summarize_ms(rec.dispatch_lag),
            "late_dispatch": sum(lag > LATE_S for lag in rec.dispatch_lag), "late_send": rec.late_send}


def _failed(result: dict, p99_limit_ms: float) -> bool:
    p99 = result["latency_ms"]["p99"]
    return bool(result["errors"]) or p99 is None or p99 > p99_limit_ms


def max_rate(run_at: Callable[[float], dict], start: float, p99_limit_ms: float = 10.0, factor: float = 1.5,
             max_steps: int = 8) -> dict:
    """Offer ``start``, ``start * factor``, ... until the p99 exceeds ``p99_limit_ms`` or errors appear;
    ``max_rate`` is the highest offered rate that held (None if the first one failed). A step that
    failed while the client itself sent late (its dispatch lag p99 over the limit: a stall of the
    machine, not the server) is run once more, and both runs are kept in ``steps``."""
    steps: list[dict] = []
    best, rate, stopped = None, float(start), f"{max_steps} steps all held"
    for _ in range(max_steps):
        result = run_at(rate)
        steps.append(result)
        if _failed(result, p99_limit_ms) and (result.get("dispatch_lag_ms", {}).get("p99") or 0) > p99_limit_ms:
            result = run_at(rate)  # the client stalled: once more
            steps.append(result)
        p99 = result["latency_ms"]["p99"]
        if result["errors"] or p99 is None or p99 > p99_limit_ms:
            why = f"{result['errors']} errors" if result["errors"] else f"p99 {p99} ms > {p99_limit_ms:g} ms"
            stopped = f"{why} at {rate:g}/s"
            break
        best, rate = result, round(rate * factor, 1)
    return {"max_rate": best["offered_rate"] if best else None,
            "achieved_rate": best["achieved_rate"] if best else None,
            "p99_limit_ms": p99_limit_ms, "stopped": stopped, "steps": steps}


def round_robin_paths(ids: Sequence[str], template: str = "/v1/profiles/{id}", seed: int = 0) -> Callable[[int], str]:
    """Request ``i`` -> the path of the ``i % len(ids)``-th id of a seeded shuffle (every id is
    asked once before any repeats; the same seed gives the same order)."""
    if not ids:
        raise ValueError("no ids")
    order = list(ids)
    random.Random(seed).shuffle(order)
    paths = [template.replace("{id}", quote(uid, safe="")) for uid in order]
    return lambda i: paths[i % len(paths)]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m tools.bench.http_load", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--url", required=True, help="http://host:port of the server (http only)")
    p.add_argument("--token-file", type=Path, help="file holding the API key, sent as 'Authorization: Bearer'")
    p.add_argument("--ids-file", type=Path, required=True, help="one user id per line")
    p.add_argument("--path", default="/v1/profiles/{id}", help="path template (default %(default)s)")
    p.add_argument("--rate", type=float, default=1000.0, help="requests/s offered (--max-rate: the first step)")
    p.add_argument("--seconds", type=float, default=10.0, help="measured seconds (after the warm-up)")
    p.add_argument("--warmup", type=float, default=1.0, help="seconds offered at the rate before measuring")
    p.add_argument("--connections", type=int, default=8, help="keep-alive connections (default %(default)s)")
    p.add_argument("--timeout", type=float, default=5.0, help="a request unanswered this long is an error")
    p.add_argument("--seed", type=int, default=0, help="seed of the id shuffle")
    p.add_argument("--max-rate", action="store_true", help="step the rate up by --factor until p99 > --p99-limit")
    p.add_argument("--p99-limit", type=float, default=10.0, help="ms (default %(default)s)")
    p.add_argument("--factor", type=float, default=1.5, help="rate step of --max-rate (default %(default)s)")
    p.add_argument("--max-steps", type=int, default=8, help="(default %(default)s)")
    a = p.parse_args(argv)
    url = urlsplit(a.url)
    if url.scheme != "http" or not url.hostname:
        p.error(f"--url must be http://host[:port], not {a.url!r}")
    ids = [line.strip() for line in a.ids_file.read_text().splitlines() if line.strip()]
    if not ids:
        p.error(f"no ids in {a.ids_file}")
    headers = {"Authorization": f"Bearer {a.token_file.read_text().strip()}"} if a.token_file else {}
    path_for = round_robin_paths(ids, a.path, a.seed)

    def run_at(rate: float) -> dict:
        with asyncio.Runner(loop_factory=precise_loop) as runner:
            result = runner.run(run_load(url.hostname, url.port or 80, path_for, headers, rate, a.seconds,
                                         a.connections, a.warmup, a.timeout))
        print(f"[http_load] {rate:g}/s: p50 {result['latency_ms']['p50']} p99 {result['latency_ms']['p99']} ms, "
              f"errors {result['errors']}, late dispatch {result['late_dispatch']}", file=sys.stderr, flush=True)
        return result

    out = max_rate(run_at, a.rate, a.p99_limit, a.factor, a.max_steps) if a.max_rate else run_at(a.rate)
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
