"""``micromoments soak``: the worker, the sink and serve under simulated traffic for a long while,
with faults along the way, then an account of every input.

It starts a broker of its own (it restarts it), ``micromoments worker``, ``micromoments sink``
(embedded chDB) and ``micromoments serve`` in a temporary folder, and produces simulated shop
traffic with customers' messages (bad lines included) at ``--rate`` records/s for ``--minutes``.
Along the way (fractions of the run):

- 0.15  the worker is killed with SIGKILL and started again;
- 0.30  the broker is stopped (SIGTERM) and started again on the same ports and data;
- 0.45  ClickHouse is away for ``--clickhouse-down`` seconds (every insert of the sink fails);
- 0.85  a customer whose records were all sent is erased (``micromoments erase``).

After the traffic it waits until the worker has committed every input and the sink's tables
hold what ``replay`` of the same lines implies, then checks (``Report.checks``): every valid
event and customer message of an analytics-consenting customer is in ClickHouse exactly once
(count with FINAL = distinct = expected), every bad input is in the DLQ, no moment is stored twice,
the erased customer has no row anywhere and serve answers 404 for them. Resident memory of the
three processes and the worker's input lag are sampled every ``--sample-seconds``; the report
gives them over time and how long the lag took to recover after each fault.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import logging
import multiprocessing
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import orjson
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from config import CLIError, Settings
from config.kafka import kafka_options
from pipeline.detector_factory import build_core
from pipeline.engine import OutRecord
from pipeline.replay import Replayer
from schemas import Rejection, decode
from schemas.topics import ANALYTICS_CONTACTS_TOPIC, ANALYTICS_EVENTS_TOPIC, DLQ_TOPIC, EVENT_TOPICS, MOMENT_TOPICS
from serving.keys import KeyFile
from sinks import service
from sinks.rows import pseudonym_key, pseudonymize
from tools.bench.procs import ProcessDied, SinkProc, WorkerProc, rss_mb
from tools.broker import BrokerError, LocalBroker, restart
from tools.feed import Record, read_all, records_from_lines
from tools.serve_process import ServeProcess
from tools.simulate import simulate

PREFIX = "soak."
APP_ID = "micromoments-soak"
PSEUDONYM_KEY = "soak-pseudonym-key-0123456789abcdef"
#: when each fault happens, as a fraction of the traffic's duration
KILL_AT, BROKER_AT, CLICKHOUSE_AT, ERASE_AT = 0.15, 0.30, 0.45, 0.85


class BrokerDidNotStart(RuntimeError):
    """The soak's own broker could not be started (no Java, no Kafka jars)."""


def expected_rows(records: list[Record], erased: str) -> dict[str, set[str]]:
    """What replay of the same lines stores: event and contact ids (the erased customer's left out)."""
    rows: dict[str, set[str]] = {ANALYTICS_EVENTS_TOPIC: set(), ANALYTICS_CONTACTS_TOPIC: set()}

    def keep(out: OutRecord) -> None:
        if out.topic in rows and out.key != erased.encode():
            rows[out.topic].add(orjson.loads(out.value)["event_id"])

    lines = [orjson.dumps({"topic": r.topic, **orjson.loads(r.value)}) if _is_object(r.value) else r.value or b""
             for r in records]
    for _ in Replayer(build_core(Settings(model="rules")), analytics=keep).feed(lines):
        pass
    return {"events": rows[ANALYTICS_EVENTS_TOPIC], "contacts": rows[ANALYTICS_CONTACTS_TOPIC]}


def _oracle(records: list[Record], erased: str, conn) -> None:
    conn.send(expected_rows(records, erased))
    conn.close()


def say(text: str) -> None:
    print(f"[soak {time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


@dataclass
class Plan:
    minutes: float = 30.0
    rate: float = 1000.0
    partitions: int = 3
    clickhouse_down_s: float = 60.0
    sample_s: float = 5.0
    seed: int = 11

    @property
    def seconds(self) -> float:
        return self.minutes * 60.0


@dataclass
class Report:
    plan: dict
    records: int = 0
    faults: list[dict] = field(default_factory=list)
    samples: list[dict] = field(default_factory=list)
    checks: dict[str, dict] = field(default_factory=dict)
    numbers: dict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return bool(self.checks) and all(c["ok"] for c in self.checks.values())

    def check(self, name: str, ok: bool, **detail) -> None:
        self.checks[name] = {"ok": bool(ok), **detail}
        say(f"check {name}: {'ok' if ok else 'FAILED'} {detail}")

    def to_dict(self) -> dict:
        return {"ok": self.ok, "plan": self.plan, "records": self.records, "faults": self.faults,
                "checks": self.checks, "numbers": self.numbers, "samples": self.samples}


def traffic(plan: Plan) -> list[Record]:
    """Simulated electronics-en traffic with customers' messages and ~1 % bad lines: the number of
    records ``rate`` x ``seconds`` asks for (about seven lines a session)."""
    want = int(plan.rate * plan.seconds)
    lines = simulate("electronics-en", max(50, want // 6), seed=plan.seed, profiles=True).lines
    return records_from_lines(lines)[:want]


def erase_candidate(records: list[Record], before: float) -> tuple[str, dict[str, int]]:
    """The customer with the most records among those whose records all come before ``before``
    (a fraction of the stream): erased later, nothing of theirs arrives after the request. Also how
    many customers the records name, in all and in their first half (the worker holds each one's
    state: its memory grows with them)."""
    first, last, count = {}, {}, Counter()
    for i, r in enumerate(records):
        msg = decode(r.topic, r.value, r.key) if r.topic in EVENT_TOPICS else None
        if msg is not None and not isinstance(msg, Rejection):
            first.setdefault(msg.user_id, i)
            last[msg.user_id] = i
            count[msg.user_id] += 1
    limit = int(len(records) * before)
    half = len(records) // 2
    customers = {"total": len(count), "in_the_first_half": sum(1 for i in first.values() if i < half)}
    return max((u for u in count if last[u] < limit), key=lambda u: (count[u], u)), customers


class Producer:
    """Sends the records at ``rate`` from a thread of its own, through broker restarts: a batch whose
    delivery fails is sent again (the duplicate memory drops what arrives twice)."""

    def __init__(self, bootstrap: str, records: list[Record], rate: float) -> None:
        self.bootstrap, self.records, self.rate = bootstrap, records, rate
        self.sent = 0
        self.resent = 0
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name="soak-producer", daemon=True)

    def start(self) -> Producer:
        self.thread.start()
        return self

    def _run(self) -> None:
        try:
            asyncio.run(self._produce())
        except BaseException as exc:  # noqa: BLE001 -- reported by the soak
            self.error = exc

    async def _produce(self) -> None:
        producer = AIOKafkaProducer(**kafka_options(bootstrap=self.bootstrap), linger_ms=5, acks="all",
                                    enable_idempotence=True, request_timeout_ms=30_000,
                                    max_request_size=2 * 1024 * 1024)
        await producer.start()
        try:
            start, batch = time.perf_counter(), 200
            for i in range(0, len(self.records), batch):
                chunk = self.records[i:i + batch]
                await self._send(producer, chunk)
                self.sent = i + len(chunk)
                ahead = self.sent / self.rate - (time.perf_counter() - start)
                if ahead > 0.001:
                    await asyncio.sleep(ahead)
        finally:
            await producer.stop()

    async def _send(self, producer: AIOKafkaProducer, chunk: list[Record]) -> None:
        todo = chunk
        for attempt in range(30):
            futures = [await producer.send(PREFIX + r.topic, r.value, key=r.key) for r in todo]
            results = await asyncio.gather(*futures, return_exceptions=True)
            todo = [r for r, res in zip(todo, results) if isinstance(res, BaseException)]
            if not todo:
                return
            self.resent += len(todo)
            await asyncio.sleep(1.0)
        raise RuntimeError(f"{len(todo)} records could not be delivered in 30 attempts")


async def _lag(bootstrap: str, group: str, partitions: int) -> int:
    """Input records not yet committed by the worker's consumer group."""
    consumer = AIOKafkaConsumer(**kafka_options(bootstrap=bootstrap), group_id=group, enable_auto_commit=False,
                                request_timeout_ms=5_000)
    await consumer.start()
    try:
        tps = [TopicPartition(PREFIX + t, p) for t in EVENT_TOPICS for p in range(partitions)]
        ends = await consumer.end_offsets(tps)
        lag = 0
        for tp in tps:
            lag += ends[tp] - ((await consumer.committed(tp)) or 0)
        return lag
    finally:
        await consumer.stop()


def lag(bootstrap: str, partitions: int) -> int | None:
    try:
        return asyncio.run(asyncio.wait_for(_lag(bootstrap, APP_ID, partitions), 10))
    except Exception as exc:  # noqa: BLE001 -- the broker is down or restarting: no sample
        say(f"no lag sample: {exc!r}")
        return None


class Soak:
    def __init__(self, plan: Plan, root: Path) -> None:
        self.plan, self.root = plan, root
        self.report = Report(plan=vars(plan).copy())
        self.broker: LocalBroker | None = None
        self.worker: WorkerProc | None = None
        self.sink: SinkProc | None = None
        self.serve: ServeProcess | None = None
        self.fault_file = root / "clickhouse-away"
        self.t0 = 0.0

    # --- processes ------------------------------------------------------------------------------

    def _launch_broker(self) -> None:
        self.broker = LocalBroker(Settings(data_dir=self.root / "broker", broker_port=0, controller_port=0))
        try:
            self.broker.launch()
        except BrokerError as exc:
            raise BrokerDidNotStart(f"the soak's broker did not start: {exc}") from exc

    def _env(self) -> dict[str, str]:
        return {"pseudonym_key": PSEUDONYM_KEY, "retention_days": "3650", "sink_batch_seconds": "0.5",
                "api_keys_file": str(self.root / "keys.json")}

    def _start_worker(self, name: str) -> None:
        self.worker = WorkerProc(self.bootstrap, PREFIX, self.plan.partitions, self.root / "worker", APP_ID, name,
                                 extra_env=self._env()).start()

    def start(self) -> None:
        try:
            self.bootstrap = self.broker.wait_ready().bootstrap
        except BrokerError as exc:
            raise BrokerDidNotStart(f"the soak's broker did not start: {exc}") from exc
        say(f"broker at {self.bootstrap}")
        self._start_worker("worker-1")
        self.sink = SinkProc(self.bootstrap, PREFIX, self.plan.partitions, self.root / "sink", APP_ID,
                             extra_env={**self._env(), "sink_fault_file": str(self.fault_file)}).start()
        self.key = KeyFile(self.root / "keys.json").create("soak")
        self.serve = ServeProcess({"MOMENTS_KAFKA_BOOTSTRAP": self.bootstrap, "MOMENTS_TOPIC_PREFIX": PREFIX,
                                   "MOMENTS_API_KEYS_FILE": str(self.root / "keys.json"),
                                   "MOMENTS_DATA_DIR": str(self.root / "serve")},
                                  self.root / "serve" / "store.sqlite", self.root / "serve.log").start()
        deadline = time.monotonic() + 120
        while not self.worker.page():
            self.worker.check_alive()
            if time.monotonic() > deadline:
                raise ProcessDied(f"the worker did not come up:\n{self.worker.log_tail()}")
            time.sleep(0.5)

    def stop(self) -> None:
        """Worker, sink and serve stop side by side (each waits for its graceful shutdown), then the broker."""
        stopping = [threading.Thread(target=proc.stop) for proc in (self.worker, self.sink, self.serve)
                    if proc is not None]
        for t in stopping:
            t.start()
        for t in stopping:
            t.join()
        if self.broker is not None:
            self.broker.stop()

    # --- the run --------------------------------------------------------------------------------

    def elapsed(self) -> float:
        return time.monotonic() - self.t0

    def sample(self, note: str = "") -> dict:
        s = {"t": round(self.elapsed(), 1), "sent": self.producer.sent,
             "lag": lag(self.bootstrap, self.plan.partitions),
             "rss_worker_mb": rss_mb(self.worker.proc.pid if self.worker and self.worker.proc else None),
             "rss_sink_mb": rss_mb(self.sink.proc.pid if self.sink and self.sink.proc else None),
             "rss_serve_mb": rss_mb(self.serve.proc.pid if self.serve and self.serve.proc else None)}
        if note:
            s["note"] = note
        self.report.samples.append(s)
        return s

    def fault(self, name: str, action) -> None:
        say(f"fault: {name}")
        started = self.elapsed()
        detail = action() or {}
        self.report.faults.append({"fault": name, "at_s": round(started, 1),
                                   "took_s": round(self.elapsed() - started, 1), **detail})

    def _kill_worker(self) -> dict:
        pid = self.worker.proc.pid
        self.worker.proc.send_signal(signal.SIGKILL)
        self.worker.proc.wait()
        self._start_worker("worker-2")
        return {"killed_pid": pid}

    def _restart_broker(self) -> dict:
        self.broker = restart(self.broker, while_down=lambda: time.sleep(5.0))
        return {}

    def _clickhouse_away(self) -> dict:
        """The sink's counters 3 s after the fault began (an insert in flight may still succeed)
        and at its end: while away, nothing may be inserted or committed, and inserts are retried."""
        self.fault_file.touch()
        began = time.monotonic()
        end, first = began + self.plan.clickhouse_down_s, None
        while time.monotonic() < end:
            self._tick()
            if first is None and time.monotonic() - began >= 3.0:
                first = self.sink.stats() or {}
        last = self.sink.stats() or {}
        self.fault_file.unlink()
        keys = ("inserts", "commits", "insert_failures", "records")
        return {"down_s": self.plan.clickhouse_down_s,
                "sink_while_away": {k: (last.get(k, 0) - (first or {}).get(k, 0)) for k in keys}}

    def _erase(self) -> dict:
        env = {**self.sink.env}
        out = subprocess.run([sys.executable, "-m", "micromoments", "erase", "--user", self.erased], check=False, env=env,
                             capture_output=True, text=True, timeout=120)
        if out.returncode != 0:
            raise RuntimeError(f"micromoments erase failed: {out.stdout}{out.stderr}")
        return {"user": self.erased, "output": out.stdout.strip().splitlines()[-1:]}

    def _tick(self) -> None:
        """Between the faults: a sample every ``sample_s``; a process that died fails the soak."""
        for proc in (self.worker, self.sink):
            proc.check_alive()
        if self.serve.proc.poll() is not None:
            raise ProcessDied(f"serve exited:\n{self.serve.tail()}")
        if self.producer.error is not None:
            raise RuntimeError(f"the producer failed: {self.producer.error!r}")
        if self.elapsed() >= self._next_sample:
            self.sample()
            self._next_sample += self.plan.sample_s
        time.sleep(0.2)

    def run(self) -> Report:
        plan = self.plan
        # the broker's restart is planned: the soak's own clients retry, their complaints are noise
        logging.getLogger("aiokafka").setLevel(logging.CRITICAL)
        self._launch_broker()  # the JVM starts while the traffic is simulated
        say(f"simulating {plan.rate * plan.seconds:,.0f} records")
        self.records = traffic(plan)
        self.report.records = len(self.records)
        self.erased, self.report.numbers["customers"] = erase_candidate(self.records, ERASE_AT - 0.1)
        self.start_oracle()
        self.start()
        self.producer = Producer(self.bootstrap, self.records, plan.rate)
        self.t0 = time.monotonic()
        self._next_sample = 0.0
        self.producer.start()
        schedule = [(KILL_AT, "worker killed (SIGKILL) and restarted", self._kill_worker),
                    (BROKER_AT, "broker restarted", self._restart_broker),
                    (CLICKHOUSE_AT, f"ClickHouse away {plan.clickhouse_down_s:.0f} s", self._clickhouse_away),
                    (ERASE_AT, "customer erased", self._erase)]
        for at, name, action in schedule:
            while self.elapsed() < at * plan.seconds:
                self._tick()
            self.fault(name, action)
        while self.producer.thread.is_alive():
            self._tick()
        if self.producer.error is not None:
            raise RuntimeError(f"the producer failed: {self.producer.error!r}")
        traffic_end = self.elapsed()
        say(f"traffic done ({self.producer.sent:,} records, {self.producer.resent} sent again); draining")
        while self.elapsed() - traffic_end < max(300.0, plan.seconds):
            last = self.sample()["lag"]
            if last == 0:
                break
            self._tick()
        self.report.numbers["drained_after_traffic_s"] = round(self.elapsed() - traffic_end, 1)
        self.verify()
        return self.report

    # --- the account ----------------------------------------------------------------------------

    def start_oracle(self) -> None:
        """Replay of the same lines (``expected_rows``) in a forked process while the traffic runs:
        forked before any thread or client starts, it shares the records copy-on-write."""
        ctx = multiprocessing.get_context("fork")
        self._oracle_in, child = ctx.Pipe(duplex=False)
        self._oracle = ctx.Process(target=_oracle, args=(self.records, self.erased, child), daemon=True,
                                   name="soak-oracle")
        self._oracle.start()
        child.close()

    def expected(self) -> dict[str, set[str]]:
        """What replay of the same lines stores (from the oracle process)."""
        try:
            want = self._oracle_in.recv()
        except EOFError:
            raise RuntimeError(f"the replay oracle died (exit code {self._oracle.exitcode})") from None
        self._oracle.join(timeout=30)
        return want

    def verify(self) -> None:
        report = self.report
        say("the replay oracle's expected rows")
        want = self.expected()
        settings = Settings(data_dir=self.root / "sink", topic_prefix=PREFIX, pseudonym_key=PSEUDONYM_KEY)
        remote = service.running_sink(settings)
        db = settings.clickhouse_database

        def sql(query: str) -> list[list]:
            return remote.sql(query)[1]

        def counts(table: str, key: str) -> tuple[int, int, int]:
            return tuple(sql(f"SELECT (SELECT count() FROM {db}.{table} FINAL), (SELECT uniqExact({key}) FROM "
                             f"{db}.{table}), (SELECT count() FROM {db}.{table})")[0])

        deadline = time.monotonic() + max(180.0, self.plan.seconds / 2)
        while time.monotonic() < deadline and counts("events", "event_id")[0] < len(want["events"]):
            self._tick()
        for table, key in (("events", "event_id"), ("contacts", "event_id")):
            final, distinct, physical = counts(table, key)
            stored = {r[0] for r in sql(f"SELECT {key} FROM {db}.{table} FINAL")}
            report.check(f"{table}: each once", final == distinct == len(want[table]) and stored == want[table],
                         final=final, distinct=distinct, physical=physical, expected=len(want[table]),
                         missing=len(want[table] - stored), unexpected=len(stored - want[table]))
        final, distinct, physical = counts("moments", "moment_id")
        report.check("moments: none stored twice", final == distinct, final=final, distinct=distinct, physical=physical)
        sent: Counter[str] = Counter()
        for topic in MOMENT_TOPICS:
            for _, value in asyncio.run(read_all(self.bootstrap, PREFIX + topic)):
                sent[orjson.loads(value)["moment_id"]] += 1
        report.numbers["moments_on_topics"] = {"distinct": len(sent), "sent_again_after_a_fault": sum(sent.values()) - len(sent)}
        bad = {(r.topic, r.value) for r in self.records if isinstance(decode(r.topic, r.value, r.key), Rejection)}
        dlq = [orjson.loads(v) for _, v in asyncio.run(read_all(self.bootstrap, PREFIX + DLQ_TOPIC))]
        in_dlq = {(d["source_topic"], base64.b64decode(d["value_b64"]) if d.get("value_b64") else None) for d in dlq}
        report.check("bad inputs: every one in the DLQ", bad <= in_dlq, bad=len(bad), dlq_records=len(dlq))
        pseudonym = pseudonymize(pseudonym_key(settings), self.erased)
        left = {t: sql(f"SELECT count() FROM {db}.{t} WHERE user_id = '{pseudonym}'")[0][0]
                for t in ("events", "moments", "sessions", "contacts", "profiles")}
        status, _ = self.serve.get(f"/v1/profiles/{self.erased}", key=self.key)
        report.check("erased customer: no row, no profile", not any(left.values()) and status == 404,
                     rows=left, serve_status=status)
        away = next(f["sink_while_away"] for f in report.faults if "sink_while_away" in f)
        report.check("ClickHouse away: the sink inserted and committed nothing, and retried",
                     away["inserts"] == away["commits"] == 0 and away["insert_failures"] >= 2, **away)
        lags = [s["lag"] for s in report.samples if s["lag"] is not None]
        report.check("lag recovered", bool(lags) and lags[-1] == 0, final_lag=lags[-1] if lags else None)
        self._summarise()

    def _summarise(self) -> None:
        samples = self.report.samples
        for proc in ("worker", "sink", "serve"):
            values = [(s["t"], s[f"rss_{proc}_mb"]) for s in samples if s.get(f"rss_{proc}_mb")]
            if values:
                half = [v for t, v in values if t >= values[-1][0] / 2]
                self.report.numbers[f"rss_{proc}_mb"] = {"first": values[0][1], "max": max(v for _, v in values),
                                                         "last": values[-1][1],
                                                         "second_half_growth": round(half[-1] - half[0], 1)}
        recovery = []
        threshold = self.plan.rate * 5  # records: under five seconds of traffic behind
        for f in self.report.faults:
            after = [s for s in samples if s["t"] >= f["at_s"] and s["lag"] is not None]
            back = next((s["t"] for s in after if s["t"] > f["at_s"] + f["took_s"] and s["lag"] <= threshold), None)
            recovery.append({"fault": f["fault"], "lag_back_under_5s_of_traffic_after_s":
                             round(back - f["at_s"], 1) if back is not None else None,
                             "max_lag": max((s["lag"] for s in after if back is None or s["t"] <= back), default=None)})
        self.report.numbers["recovery"] = recovery


def _is_object(value: bytes | None) -> bool:
    try:
        return isinstance(orjson.loads(value), dict) if value else False
    except orjson.JSONDecodeError:
        return False


def _stop_on_sigterm(signum, frame) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def run_soak(plan: Plan, root: Path | None = None) -> Report:
    """Run the soak in ``root`` (kept), or in a temporary folder that is removed when every check
    passed and kept, with the processes' logs, when one failed or the run broke off. SIGTERM
    stops it like Ctrl-C: the broker and the processes it started are stopped."""
    main = threading.current_thread() is threading.main_thread()
    before = signal.signal(signal.SIGTERM, _stop_on_sigterm) if main else None
    folder = Path(tempfile.mkdtemp(prefix="micromoments-soak-")) if root is None else root
    folder.mkdir(parents=True, exist_ok=True)
    soak = Soak(plan, folder)
    report = None
    try:
        report = soak.run()
        return report
    finally:
        soak.stop()
        if main:
            signal.signal(signal.SIGTERM, before)
        if root is None and report is not None and report.ok:
            shutil.rmtree(folder, ignore_errors=True)
        else:
            say(f"logs and data kept in {folder}")


def _print_summary(report: Report) -> None:
    print(f"soak: {report.records:,} records, {len(report.faults)} faults")
    for f in report.faults:
        print(f"  {f['at_s']:>7.1f} s  {f['fault']} (took {f['took_s']} s)")
    for name, c in report.checks.items():
        detail = ", ".join(f"{k}={v}" for k, v in c.items() if k != "ok")
        print(f"  {'ok    ' if c['ok'] else 'FAILED'}  {name}  ({detail})")
    for key, value in report.numbers.items():
        print(f"  {key}: {json.dumps(value)}")
    print("soak: " + ("every check passed" if report.ok else "FAILED"))


def _cmd(args: argparse.Namespace) -> int:
    plan = Plan(minutes=args.minutes, rate=args.rate, partitions=args.partitions,
                clickhouse_down_s=args.clickhouse_down, sample_s=args.sample_seconds, seed=args.seed)
    if plan.clickhouse_down_s >= (ERASE_AT - CLICKHOUSE_AT) * plan.seconds:
        raise CLIError(f"--clickhouse-down {plan.clickhouse_down_s:.0f} s does not fit a {plan.minutes} min run "
                       f"(at most {(ERASE_AT - CLICKHOUSE_AT) * plan.seconds:.0f} s)")
    report = run_soak(plan, args.keep)
    _print_summary(report)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(report.to_dict(), indent=1) + "\n")
        print(f"report written to {args.out}")
    return 0 if report.ok else 1


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("soak", help="worker, sink and serve under simulated traffic with faults, then an account",
                       description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--minutes", type=float, default=30.0, help="minutes of traffic (default 30)")
    p.add_argument("--rate", type=float, default=1000.0, help="records per second (default 1000)")
    p.add_argument("--partitions", type=int, default=3, help="partitions per topic (default 3)")
    p.add_argument("--clickhouse-down", type=float, default=60.0, help="seconds ClickHouse is away (default 60)")
    p.add_argument("--sample-seconds", type=float, default=5.0, help="seconds between samples (default 5)")
    p.add_argument("--seed", type=int, default=11, help="simulator seed (default 11)")
    p.add_argument("--out", type=Path, help="write the report as JSON here")
    p.add_argument("--keep", type=Path, metavar="DIR", help="run in DIR and keep it (logs, broker data)")
    p.set_defaults(func=_cmd)
