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
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from aiokafka import AIOKafkaConsumer, TopicPartition

from pipeline.config import Settings
from pipeline.feed import Record, produce
from pipeline.topics import ensure_topics

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

    def env(self, web_port: int) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("MOMENTS_") or k == "MOMENTS_DEBUG_LOGS"}
        env.update({
            "MOMENTS_KAFKA_BOOTSTRAP": self.bootstrap, "MOMENTS_TOPIC_PREFIX": self.prefix,
            "MOMENTS_APP_ID": f"mm-{self.prefix.rstrip('.')}", "MOMENTS_PARTITIONS": str(self.partitions),
            "MOMENTS_DATA_DIR": str(self.data_dir), "MOMENTS_WEB_PORT": str(web_port),
            # data is in Kafka before the worker starts: a slow (loaded) machine must not let the
            # merge give up on a lagging partition, or the order would differ from replay's
            "MOMENTS_MERGE_WAIT_MS": "10000",
        })
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
        self.proc = subprocess.Popen([sys.executable, "-m", "pipeline", "worker"], cwd=ROOT,
                                     env=self.deployment.env(self.port), stdout=log, stderr=subprocess.STDOUT)
        return self

    def get(self, path: str) -> bytes:
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}{path}", timeout=5) as r:
            return r.read()

    def stats(self) -> dict | None:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/stats/", timeout=2) as r:
                return json.loads(r.read())["stats"]
        except OSError:
            return None

    def wait_for(self, predicate, timeout: float = 120.0, what: str = "condition") -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.proc is not None and self.proc.poll() is None, f"worker died:\n{self.log_tail()}"
            stats = self.stats()
            if stats is not None and predicate(stats):
                return stats
            time.sleep(0.3)
        raise AssertionError(f"timed out waiting for {what}; stats={self.stats()}\n{self.log_tail()}")

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 30.0) -> int:
        assert self.proc is not None
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode

    def log_tail(self, n: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-n:])
        except OSError:
            return "(no log)"


def accounted(stats: dict) -> int:
    """Inputs accounted for: processed + duplicates + DLQ + venue records applied."""
    return stats.get("processed", 0) + stats.get("duplicate", 0) + stats.get("dlq", 0) + stats.get("venues", 0)


async def read_all(bootstrap: str, topic: str, timeout: float = 30.0) -> list[tuple[bytes | None, bytes | None]]:
    """Every record of ``topic`` from the beginning to its current end, in partition order."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        parts = consumer.partitions_for_topic(topic) or set()
        if not parts:
            await consumer._client.force_metadata_update()
            parts = consumer.partitions_for_topic(topic) or set()
        tps = [TopicPartition(topic, p) for p in sorted(parts)]
        if not tps:
            return []
        consumer.assign(tps)
        await consumer.seek_to_beginning(*tps)
        end = await consumer.end_offsets(tps)
        out: list[tuple[bytes | None, bytes | None]] = []
        deadline = time.monotonic() + timeout
        while any([await consumer.position(tp) < end[tp] for tp in tps]):
            if time.monotonic() > deadline:
                raise TimeoutError(f"could not read {topic} to its end")
            batch = await consumer.getmany(timeout_ms=500)
            for tp in tps:
                out += [(m.key, m.value) for m in batch.get(tp, [])]
        return out
    finally:
        await consumer.stop()
