"""Versioned, idempotent migrations of the analytics tables.

Each migration is a list of DDL statements that are themselves idempotent
(``IF NOT EXISTS``); applied versions are recorded in ``schema_migrations``, so a
second ``migrate`` does nothing, and one interrupted half-way simply runs again.

Tables (database ``micromoments`` by default; times are ``DateTime64(3, 'UTC')``,
partitions are months of the event time, a retention TTL on the event time):

* ``events``: every stored event (analytics consent), ReplacingMergeTree keyed by
  ``(user_id, event_id)``;
* ``moments``: every published moment, keyed by ``(user_id, moment_id)``;
* ``sessions``: one row per closed session, keyed by ``(user_id, session_id)``;
* ``model_metrics``: the online model's running quality, keyed by ``(worker, ts)``;
* ``profiles``: every customer profile record (analytics consent), keyed by ``(user_id, version)``:
  the history; the latest version per user is the profile now;
* ``contacts``: every analysed inbound message: language, sentiment score, label and the words
  that decided it (never the text), keyed by ``(user_id, event_id)``;
* ``moments_per_minute``: minute x moment x channel rollup (AggregatingMergeTree fed by
  the materialized view ``moments_per_minute_mv``); counts are ``uniqExact(moment_id)``
  states, so a moment inserted twice (replay) still counts once.

``user_id`` in ClickHouse is always the pseudonym (keyed hash), never the raw id.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from config import Settings

#: the tables holding rows of a user (erasure) with their event-time column
USER_TABLES = {"events": "ts", "moments": "event_ts", "sessions": "start", "profiles": "updated_at", "contacts": "ts"}
ROLLUP = "moments_per_minute"


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    statements: tuple[str, ...]


def _ttl(column: str) -> str:
    return f"TTL toDateTime({column}) + INTERVAL {{retention}} DAY"


_DEDUP = "SETTINGS non_replicated_deduplication_window = 1000"  # insert_deduplication_token on MergeTree

MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "base tables", (
        f"""CREATE TABLE IF NOT EXISTS {{db}}.events (
            event_id String,
            user_id String COMMENT 'pseudonym: hmac-sha256(key, user id), 32 hex chars',
            session_id String,
            topic LowCardinality(String),
            ts DateTime64(3, 'UTC'),
            channel LowCardinality(String),
            device LowCardinality(String),
            locale LowCardinality(String),
            type LowCardinality(String),
            url String,
            title String,
            referrer String,
            product_id String,
            category LowCardinality(String),
            price Nullable(Float64),
            currency LowCardinality(String),
            query String,
            results_count Nullable(UInt32),
            source LowCardinality(String),
            geohash LowCardinality(String) COMMENT 'position coarsened to a 6-char geohash (about 1.2 x 0.6 km)',
            accuracy_m Nullable(Float32),
            speed_mps Nullable(Float32),
            heading Nullable(Float32),
            moment LowCardinality(String) COMMENT 'feedback: the labelled moment',
            inserted_at DateTime64(3, 'UTC') DEFAULT now64(3)
        ) ENGINE = ReplacingMergeTree
        PARTITION BY toYYYYMM(ts)
        ORDER BY (user_id, event_id)
        {_ttl("ts")}
        {_DEDUP}""",
        f"""CREATE TABLE IF NOT EXISTS {{db}}.moments (
            moment_id String,
            moment LowCardinality(String),
            user_id String COMMENT 'pseudonym',
            session_id String,
            confidence Float32,
            score_know Float32, score_go Float32, score_do Float32, score_buy Float32,
            event_id String,
            event_ts DateTime64(3, 'UTC'),
            detected_at DateTime64(3, 'UTC'),
            latency_ms Float32,
            model LowCardinality(String),
            model_version LowCardinality(String),
            action LowCardinality(String),
            channel LowCardinality(String),
            device LowCardinality(String),
            locale LowCardinality(String),
            query String,
            url String,
            product_ids Array(String),
            venue_id LowCardinality(String),
            venue_name LowCardinality(String),
            venue_distance_m Nullable(Float32),
            venue_open Nullable(Bool),
            reason_features Array(LowCardinality(String)),
            reason_contributions Array(Float32),
            inserted_at DateTime64(3, 'UTC') DEFAULT now64(3)
        ) ENGINE = ReplacingMergeTree
        PARTITION BY toYYYYMM(event_ts)
        ORDER BY (user_id, moment_id)
        {_ttl("event_ts")}
        {_DEDUP}""",
        f"""CREATE TABLE IF NOT EXISTS {{db}}.sessions (
            session_id String,
            user_id String COMMENT 'pseudonym',
            start DateTime64(3, 'UTC'),
            end DateTime64(3, 'UTC'),
            n_events UInt32,
            channel LowCardinality(String),
            device LowCardinality(String),
            last_moment LowCardinality(String),
            n_moments UInt16,
            client_session_id String,
            inserted_at DateTime64(3, 'UTC') DEFAULT now64(3)
        ) ENGINE = ReplacingMergeTree
        PARTITION BY toYYYYMM(start)
        ORDER BY (user_id, session_id)
        {_ttl("start")}
        {_DEDUP}""",
        f"""CREATE TABLE IF NOT EXISTS {{db}}.model_metrics (
            ts DateTime64(3, 'UTC'),
            worker LowCardinality(String),
            model LowCardinality(String),
            version LowCardinality(String),
            labels UInt64,
            accuracy Float64,
            macro_f1 Float64,
            error_mean Float64,
            drifts UInt32,
            window UInt32,
            processed UInt64,
            inserted_at DateTime64(3, 'UTC') DEFAULT now64(3)
        ) ENGINE = ReplacingMergeTree
        PARTITION BY toYYYYMM(ts)
        ORDER BY (worker, ts)
        {_ttl("ts")}
        {_DEDUP}""",
    )),
    Migration(2, "per-minute x moment x channel rollup", (
        f"""CREATE TABLE IF NOT EXISTS {{db}}.{ROLLUP} (
            minute DateTime('UTC'),
            moment LowCardinality(String),
            channel LowCardinality(String),
            moments AggregateFunction(uniqExact, String),
            users AggregateFunction(uniq, String),
            max_confidence SimpleAggregateFunction(max, Float32)
        ) ENGINE = AggregatingMergeTree
        PARTITION BY toYYYYMM(minute)
        ORDER BY (minute, moment, channel)
        {_ttl("minute")}""",
        f"""CREATE MATERIALIZED VIEW IF NOT EXISTS {{db}}.{ROLLUP}_mv TO {{db}}.{ROLLUP} AS
        SELECT toStartOfMinute(event_ts) AS minute, moment, channel,
               uniqExactState(moment_id) AS moments, uniqState(user_id) AS users,
               max(confidence) AS max_confidence
        FROM {{db}}.moments GROUP BY minute, moment, channel""",
    )),
    Migration(3, "customer profiles and analysed contacts", (
        f"""CREATE TABLE IF NOT EXISTS {{db}}.profiles (
            user_id String COMMENT 'pseudonym',
            updated_at DateTime64(3, 'UTC'),
            version UInt32,
            moment LowCardinality(String),
            moment_confidence Nullable(Float32),
            sentiment_score Nullable(Float32),
            sentiment_label LowCardinality(String),
            sentiment_trend LowCardinality(String),
            sentiment_n UInt16,
            criticality_level LowCardinality(String),
            criticality_score Nullable(Float32),
            criticality_reasons Array(String),
            interest_topics Array(LowCardinality(String)),
            interest_weights Array(Float32),
            actions Map(LowCardinality(String), LowCardinality(String)),
            lang LowCardinality(String),
            inserted_at DateTime64(3, 'UTC') DEFAULT now64(3)
        ) ENGINE = ReplacingMergeTree
        PARTITION BY toYYYYMM(updated_at)
        ORDER BY (user_id, version)
        {_ttl("updated_at")}
        {_DEDUP}""",
        f"""CREATE TABLE IF NOT EXISTS {{db}}.contacts (
            event_id String,
            user_id String COMMENT 'pseudonym',
            ts DateTime64(3, 'UTC'),
            medium LowCardinality(String),
            channel LowCardinality(String),
            lang LowCardinality(String),
            lang_detected Bool,
            sentiment_score Float32,
            sentiment_label LowCardinality(String),
            sentiment_reasons Array(String),
            inserted_at DateTime64(3, 'UTC') DEFAULT now64(3)
        ) ENGINE = ReplacingMergeTree
        PARTITION BY toYYYYMM(ts)
        ORDER BY (user_id, event_id)
        {_ttl("ts")}
        {_DEDUP}""",
    )),
    Migration(4, "erasure log", (
        # who was erased and when (the erase request's Kafka time): the sink drops a re-read row of
        # that user written before it, so resetting the sink's offsets never brings them back
        """CREATE TABLE IF NOT EXISTS {db}.erasures (
            user_id String COMMENT 'pseudonym',
            erased_at DateTime64(3, 'UTC')
        ) ENGINE = ReplacingMergeTree(erased_at)
        ORDER BY user_id""",
    )),
)

ROLLUP_SELECT = """SELECT toStartOfMinute(event_ts) AS minute, moment, channel,
       uniqExactState(moment_id) AS moments, uniqState(user_id) AS users, max(confidence) AS max_confidence
FROM {db}.moments WHERE toStartOfMinute(event_ts) IN {minutes} GROUP BY minute, moment, channel"""

#: tables with a retention TTL and their event-time column
TTL_TABLES = {"events": "ts", "moments": "event_ts", "sessions": "start", "model_metrics": "ts", ROLLUP: "minute",
              "profiles": "updated_at", "contacts": "ts"}


def _render(sql: str, settings: Settings) -> str:
    return sql.replace("{db}", quote_ident(settings.clickhouse_database)).replace(
        "{retention}", str(int(settings.retention_days)))


def quote_ident(name: str) -> str:
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
        raise ValueError(f"not a plain identifier: {name!r}")
    return name


def applied_versions(client, settings: Settings) -> set[int]:
    db = quote_ident(settings.clickhouse_database)
    rows = client.query(f"SELECT version FROM {db}.schema_migrations").result_rows
    return {int(r[0]) for r in rows}


def migrate(client, settings: Settings) -> list[str]:
    """Apply the missing migrations and align the retention TTL; returns what was done
    (empty when the schema is current: running it twice is a no-op)."""
    db = quote_ident(settings.clickhouse_database)
    client.command(f"CREATE DATABASE IF NOT EXISTS {db}")
    client.command(f"""CREATE TABLE IF NOT EXISTS {db}.schema_migrations (
        version UInt32, name String, applied_at DateTime64(3, 'UTC') DEFAULT now64(3)
    ) ENGINE = ReplacingMergeTree ORDER BY version""")
    done = applied_versions(client, settings)
    log: list[str] = []
    for m in MIGRATIONS:
        if m.version in done:
            continue
        for stmt in m.statements:
            client.command(_render(stmt, settings))
        client.insert(f"{db}.schema_migrations", [[m.version, m.name]], column_names=["version", "name"])
        log.append(f"applied migration {m.version}: {m.name}")
    log += _align_ttl(client, settings)
    return log


def _align_ttl(client, settings: Settings) -> list[str]:
    """A changed ``MOMENTS_RETENTION_DAYS`` is applied to existing tables (MODIFY TTL)."""
    db = quote_ident(settings.clickhouse_database)
    want = f"toIntervalDay({int(settings.retention_days)})"
    rows = client.query("SELECT name, engine_full FROM system.tables WHERE database = {db:String}",
                        parameters={"db": db}).result_rows
    log = []
    for name, engine_full in rows:
        column = TTL_TABLES.get(name)
        if column is not None and want not in engine_full:
            client.command(f"ALTER TABLE {db}.{name} MODIFY TTL toDateTime({column}) + "
                           f"INTERVAL {int(settings.retention_days)} DAY")
            log.append(f"retention of {name} set to {settings.retention_days} days")
    return log
