"""Run the streaming worker as a real process against the test broker, and read topics back."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from config import Settings
from pipeline.detector_factory import build_core
from pipeline.replay import Replayer
from pipeline.topics import ensure_topics
from schemas import Moment
from schemas.topics import MOMENT_TOPICS
from tools.feed import Record, produce, read_all

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class WorkerEnv:
    """One isolated pipeline deployment on the shared broker: its own topic prefix and group."""

    bootstrap: str
    data_dir: Path
    partitions: int = 1
    prefix: str = field(default_factory=lambda: f"t{uuid.uuid4().hex[:8]}.")
    extra: dict[str, str] = field(default_factory=dict)  # more MOMENTS_* settings, e.g. the model

    @property
    def group(self) -> str:
        return f"mm-{self.prefix.rstrip('.')}"

    def env(self, web_port: int) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("MOMENTS_") or k == "MOMENTS_DEBUG_LOGS"}
        env.update({
            "MOMENTS_KAFKA_BOOTSTRAP": self.bootstrap, "MOMENTS_TOPIC_PREFIX": self.prefix,
            "MOMENTS_APP_ID": self.group, "MOMENTS_PARTITIONS": str(self.partitions),
            "MOMENTS_DATA_DIR": str(self.data_dir), "MOMENTS_WEB_PORT": str(web_port),
            # data is in Kafka before the worker starts: a slow (loaded) machine must not let the
            # merge give up on a lagging partition, or the order would differ from replay's
            "MOMENTS_MERGE_WAIT_MS": "10000",
            # these tests compare the worker's moments with replay's, one for one: the worker learns
            # inline as replay does (the shared model's versions arrive when they arrive; its
            # tests compare each moment with replay of the version it names: test_shared_model_kafka)
            "MOMENTS_MODEL_SYNC": "local",
        })
        env.update(self.extra)
        return env

    def settings(self) -> Settings:
        return Settings(kafka_bootstrap=self.bootstrap, topic_prefix=self.prefix, partitions=self.partitions,
                        data_dir=self.data_dir)

    def produce(self, records: list[Record], rate: float | None = None) -> int:
        """Create the topics as the worker would (co-partitioned), then send ``records``."""
        asyncio.run(ensure_topics(self.settings()))
        return asyncio.run(produce(self.bootstrap, records, prefix=self.prefix, rate=rate))

    def read_topic(self, topic: str) -> list[tuple[bytes | None, bytes | None]]:
        return asyncio.run(read_all(self.bootstrap, self.prefix + topic))


class Worker:
    """``micromoments worker`` in a subprocess; its log goes to a file for post-mortems."""

    def __init__(self, deployment: WorkerEnv, name: str = "worker") -> None:
        self.deployment = deployment
        self.port = free_port()
        self.log_path = deployment.data_dir / f"{name}-{self.port}.log"
        self.proc: subprocess.Popen | None = None

    def start(self) -> Worker:
        self.deployment.data_dir.mkdir(parents=True, exist_ok=True)
        log = open(self.log_path, "wb")
        self.proc = subprocess.Popen([sys.executable, "-m", "micromoments", "worker"], cwd=ROOT,
                                     env=self.deployment.env(self.port), stdout=log, stderr=subprocess.STDOUT)
        return self

    def get(self, path: str) -> bytes:
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}{path}", timeout=5) as r:
            return r.read()

    def health(self) -> int:
        """HTTP status of ``/health`` (0 if the worker does not answer)."""
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/health", timeout=10) as r:
                return r.status
        except urllib.error.HTTPError as exc:
            return exc.code
        except OSError:
            return 0

    def stats(self) -> dict | None:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/stats/", timeout=2) as r:
                return json.loads(r.read())["stats"]
        except OSError:
            return None

    def wait_for(self, predicate, timeout: float = 120.0, what: str = "condition", poll: float = 0.3) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.proc is not None and self.proc.poll() is None, f"worker died:\n{self.log_tail()}"
            stats = self.stats()
            if stats is not None and predicate(stats):
                return stats
            time.sleep(poll)
        raise AssertionError(f"timed out waiting for {what}; stats={self.stats()}\n{self.log_tail()}")

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 30.0) -> int | None:
        if self.proc is None:  # never started
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode

    def kill(self) -> int:
        """SIGKILL: no shutdown hook runs (no last commit, no model checkpoint)."""
        return self.stop(signal.SIGKILL)

    def kill_past_commit(self, deployment: WorkerEnv, records: int, timeout: float = 120.0) -> dict:
        """SIGKILL the worker at a moment when it has processed at least ``records`` input records
        past the group's commit (their results sent, the offsets not committed): frozen (SIGSTOP)
        right after a look at its stats, killed if the commits are that far behind, else let go
        on (SIGCONT) and looked at again. Returns the last stats."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            stats = self.stats() or {}
            self.proc.send_signal(signal.SIGSTOP)  # from here on nothing is committed
            if stats.get("processed", 0) - committed_inputs(deployment) >= records:
                self.kill()
                return stats
            self.proc.send_signal(signal.SIGCONT)
            time.sleep(0.02)
        raise AssertionError(f"never {records} records processed past the commit\n{self.log_tail()}")

    def log_tail(self, n: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-n:])
        except OSError:
            return "(no log)"


def accounted(stats: dict) -> int:
    """Inputs accounted for: processed + duplicates + DLQ + venue records applied."""
    return stats.get("processed", 0) + stats.get("duplicate", 0) + stats.get("dlq", 0) + stats.get("venues", 0)


def inputs_read(stats: dict) -> int:
    """Input records the worker read (``in:<topic>`` counters)."""
    return sum(v for k, v in stats.items() if k.startswith("in:"))


def settled(stats: dict) -> bool:
    """Every record read is accounted for (none is still held by the merge)."""
    return inputs_read(stats) == accounted(stats)


def group_commits(deployment: WorkerEnv) -> dict:
    """The worker group's committed input offsets: topic partition -> OffsetAndMetadata (empty
    while the coordinator is not ready)."""
    from aiokafka.admin import AIOKafkaAdminClient
    from aiokafka.errors import KafkaError

    async def committed() -> dict:
        admin = AIOKafkaAdminClient(bootstrap_servers=deployment.bootstrap)
        await admin.start()
        try:
            offsets = await admin.list_consumer_group_offsets(deployment.group)
            return {tp: meta for tp, meta in offsets.items() if tp.topic.startswith(deployment.prefix)}
        finally:
            await admin.close()

    try:
        return asyncio.run(committed())
    except KafkaError:  # e.g. GroupCoordinatorNotAvailable on a broker that just started
        return {}


def committed_inputs(deployment: WorkerEnv) -> int:
    """Sum of the worker group's committed input offsets (0 while the coordinator is not ready)."""
    return sum(meta.offset for tp, meta in group_commits(deployment).items()
               if not tp.topic.endswith("mm.rekeyed") and meta.offset > 0)


def all_committed(deployment: WorkerEnv, total: int) -> bool:
    """True once the group's committed offsets cover every produced input record."""
    return committed_inputs(deployment) >= total


def group_members(deployment: WorkerEnv) -> tuple[str, int]:
    """(state, number of members) of the worker group, ("", 0) if unknown."""
    from aiokafka.admin import AIOKafkaAdminClient
    from aiokafka.errors import KafkaError

    async def describe() -> tuple[str, int]:
        admin = AIOKafkaAdminClient(bootstrap_servers=deployment.bootstrap)
        await admin.start()
        try:
            (response,) = await admin.describe_consumer_groups([deployment.group])
            _error, _group, state, _ptype, _protocol, members = response.groups[0][:6]
            return state, len(members)
        finally:
            await admin.close()

    try:
        return asyncio.run(describe())
    except KafkaError:
        return "", 0


# --------------------------------------------------------------------------- moments vs replay

WALL_CLOCK_FIELDS = ("detected_at", "latency_ms")


def replay_moments(lines: list[bytes], settings: Settings | None = None) -> list[Moment]:
    """What ``micromoments replay`` publishes for ``lines`` (default settings unless given)."""
    replayer = Replayer(build_core(settings or Settings()))
    return [m for m in replayer.feed(lines) if isinstance(m, Moment)]


def published(deployment: WorkerEnv) -> list[Moment]:
    """Every moment on the four action topics, each checked against the contract and its topic."""
    out = []
    for topic in MOMENT_TOPICS:
        for key, value in deployment.read_topic(topic):
            moment = Moment.model_validate_json(value)  # every contract field, nothing else
            assert key == moment.user_id.encode()
            assert topic == f"moments.{moment.moment}"
            out.append(moment)
    return out


def content(m: Moment) -> dict:
    return {k: v for k, v in m.model_dump(mode="json").items() if k not in WALL_CLOCK_FIELDS}


def contents_by_id(got: list[Moment]) -> dict[str, list[dict]]:
    """Moment id -> the content of each publication of it (re-publications after a crash too)."""
    out: dict[str, list[dict]] = {}
    for m in got:
        out.setdefault(m.moment_id, []).append(content(m))
    return out


def assert_moments_as_replay(got: list[Moment], expected: list[Moment]) -> dict[str, list[dict]]:
    """No moment lost, none invented, every publication (re-publications too) identical to
    replay's but for the wall-clock fields, and sessions continued: the pipeline-assigned session
    ids equal replay's. Returns moment id -> the versions published."""
    want = {m.moment_id: content(m) for m in expected}
    versions = contents_by_id(got)
    missing, extra = set(want) - set(versions), set(versions) - set(want)
    assert not missing and not extra, f"{len(missing)} lost {sorted(missing)[:5]}, {len(extra)} invented"
    changed = [(mid, want[mid], v) for mid, vs in versions.items() for v in vs if v != want[mid]]
    assert not changed, f"{len(changed)} publications differ from replay's, first: {changed[0]}"
    assert {m.session_id for m in got} == {m.session_id for m in expected}
    return versions


