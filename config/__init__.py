"""Shared by every layer: the settings from ``MOMENTS_*`` environment variables
(pydantic-settings) and ``CLIError``, the user-facing error of every command.

Every setting has a sane default for a laptop: a local broker on 127.0.0.1:9092,
embedded chDB under the data dir. ``micromoments config`` prints the effective values.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

#: The project checkout (where ``deploy/`` lives) when running from source.
PROJECT_ROOT = Path(__file__).resolve().parent.parent


class CLIError(Exception):
    """A user-facing error: printed as ``error: <message>`` with exit code 2."""


class Settings(BaseSettings):
    """All runtime settings; each field is read from ``MOMENTS_<NAME>``."""

    model_config = SettingsConfigDict(env_prefix="MOMENTS_", extra="ignore")

    kafka_bootstrap: str = Field(
        "127.0.0.1:9092", description="Kafka bootstrap servers (host:port[,host:port])"
    )
    kafka_security_protocol: Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"] = Field(
        "PLAINTEXT", description="how every Kafka client of the project connects (docs/DEPLOY.md: a secured cluster)")
    kafka_ssl_cafile: Path | None = Field(None, description="TLS: the CA certificate(s) that signed the brokers' (PEM)")
    kafka_ssl_certfile: Path | None = Field(None, description="TLS: the client certificate (PEM), if brokers ask for one")
    kafka_ssl_keyfile: Path | None = Field(None, description="TLS: the client certificate's private key (PEM)")
    kafka_ssl_check_hostname: bool = Field(True, description="TLS: the broker certificate must name the host")
    kafka_sasl_mechanism: Literal["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"] = Field(
        "PLAIN", description="SASL: the mechanism (SASL_PLAINTEXT, SASL_SSL)")
    kafka_sasl_username: str | None = Field(None, description="SASL: the user")
    kafka_sasl_password: SecretStr | None = Field(None, description="SASL: the password (never printed or logged)")
    topic_prefix: str = Field(
        "", description="Prefix for every topic name (e.g. 'staging.' gives 'staging.events.search')"
    )
    clickhouse_url: str = Field(
        "", description="ClickHouse server URL (http[s]://user:pass@host:port); empty = embedded chDB in the data dir"
    )
    data_dir: Path = Field(
        Path(".micromoments"), description="Folder for local state: broker data, chDB, model checkpoints"
    )
    kafka_home: Path = Field(
        PROJECT_ROOT / "deploy" / "kafka" / "lib",
        description="Folder with the Apache Kafka server jars (resolved by Maven on first use)",
    )
    broker_port: int = Field(9092, description="PLAINTEXT port of the local broker (0 = pick a free one)")
    controller_port: int = Field(0, description="KRaft controller port of the local broker (0 = pick a free one)")
    broker_heap: str = Field("512m", description="JVM heap of the local broker (-Xmx)")
    app_id: str = Field("micromoments", description="Faust app id: consumer group and internal topic prefix")
    partitions: int = Field(4, ge=1, description="partitions of the topics the pipeline creates")
    topic_retention_hours: float = Field(
        168.0, gt=0, description="retention of the topics the pipeline creates that are not compacted (inputs, "
                                 "moments, analytics, DLQ, internal): how long raw ids stay on Kafka")
    compaction_lag_hours: float = Field(
        24.0, gt=0, description="compacted topics (profiles, venues): a superseded or erased record is compacted "
                                "away within this time (max.compaction.lag.ms), its tombstone kept as long again")
    replication_factor: int = Field(1, ge=1, description="replication factor of the topics the pipeline creates")
    web_port: int = Field(6066, description="worker web port (health, stats, metrics)")
    debug_logs: bool = Field(False, description="log Faust, aiokafka and mode at info level too (noisy)")
    web_host: str = Field("127.0.0.1", description="worker web bind address")
    merge_wait_ms: float = Field(
        500.0, ge=0, description="how long a lagging input partition may hold back the event-time merge"
    )
    offset_gap_wait_ms: float = Field(
        2000.0, ge=0, description="how long a hole in a partition's offsets is waited for before it is skipped"
    )
    batch_size: int = Field(2000, ge=1, description="max records per processing batch")
    threshold: float = Field(0.6, ge=0, le=1, description="confidence needed to publish a session's first moment")
    first_event_threshold: float = Field(0.9, ge=0, le=1, description="the same on a session's first event")
    switch_threshold: float = Field(0.7, ge=0, le=1, description="confidence needed to switch to another moment")
    stable_events: int = Field(3, ge=1, description="events in a row a new moment must lead before a switch")
    switch_now_threshold: float = Field(0.95, ge=0, le=1, description="confidence that switches at once")
    max_moments_per_hour: int = Field(6, ge=1, description="frequency cap: moments per user per hour (event time)")
    model: str = Field(
        "ovr-logreg", description="detector: ovr-logreg (AdaGrad), ovr-sgd, softmax, naive-bayes (River, taught by the rules) or rules"
    )
    model_start: str = Field(
        "pretrained", description="start of a model without checkpoint: 'pretrained' (shipped with the package) or 'cold'"
    )
    delivery_timeout_s: float = Field(
        120.0, gt=0, description="how long a commit waits for its results to be delivered (the producer retries "
                                 "meanwhile); no answer by then stops the worker without committing"
    )
    checkpoint_interval_s: float = Field(60.0, gt=0, description="seconds between detector checkpoints in the worker")
    model_sync: Literal["shared", "local"] = Field(
        "shared", description="worker: 'shared' = one model for all workers (the learner publishes versions on "
                              "mm.model, every worker follows); 'local' = each worker learns alone (docs/ARCHITECTURE.md)")
    model_publish_interval_s: float = Field(
        0.5, gt=0, description="the learner publishes a new model version at most this often (when it learned)")
    model_snapshot_interval_s: float = Field(
        300.0, gt=0, description="the learner writes the whole model to mm.model this often (a new worker reads "
                                 "the latest snapshot and the versions after it)")
    model_retention_hours: float = Field(
        24.0, gt=0, description="retention of mm.model: how long a model version can be exported and replayed")
    clickhouse_database: str = Field("micromoments", description="ClickHouse database of the analytics tables")
    pseudonym_key: str = Field(
        "", description="secret key of the keyed hash of user ids in ClickHouse; empty = a random key kept in "
                        "<data dir>/pseudonym.key"
    )
    retention_days: int = Field(730, ge=1, le=10_000, description="ClickHouse retention TTL in days (on the event time)")
    sink_batch_rows: int = Field(10_000, ge=1, description="sink: insert when this many rows are pending")
    sink_batch_seconds: float = Field(1.0, gt=0, description="sink: insert at the latest this long after the first pending row")
    sink_port: int = Field(6067, description="sink: local port serving read-only queries and erasures (chDB owner)")
    sink_metrics_port: int = Field(
        0, ge=0, description="sink: also serve /metrics (only) on MOMENTS_WEB_HOST at this port, for Prometheus "
                             "in another container (0 = off; compose: 6068)")
    sink_fault_file: Path | None = Field(
        None, description="fault injection (tests; unset = off): while this file exists every ClickHouse insert of "
                          "the sink fails as if ClickHouse were unreachable"
    )
    actions_file: Path | None = Field(
        None, description="the next-best-action catalogue (TOML, validated on load; default: the shipped one, "
                          "actions/catalogue.toml)"
    )
    api_keys_file: Path | None = Field(
        None, description="serve: the API keys (hashes only; default DATA_DIR/api-keys.json)")
    serve_store: Path | None = Field(
        None, description="serve: the replica's local profile store (SQLite; default DATA_DIR/serve/profiles.sqlite)")
    serve_rate_limit: float = Field(5000.0, gt=0, description="serve: requests per second per API key (average)")
    serve_rate_burst: float = Field(1000.0, ge=1, description="serve: requests an API key may send at once")
    serve_max_request_bytes: int = Field(16_384, ge=1, description="serve: largest request body accepted (413 above)")

    def keys_path(self) -> Path:
        return self.api_keys_file or self.data_dir / "api-keys.json"

    def topic(self, name: str) -> str:
        """The full name of a contract topic, with the configured prefix."""
        return f"{self.topic_prefix}{name}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings (read once from the environment)."""
    return Settings()
