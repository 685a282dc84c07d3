"""The ClickHouse sink's storage on embedded chDB (and on a server where MOMENTS_CLICKHOUSE_URL is
set): migrations, rows and privacy, analyst queries, read-only SQL, erasure. The sink reading Kafka
is in test_sink_kafka.py."""

from __future__ import annotations

import pytest

from schemas import Moment
from schemas.internal import AnalyticsEvent
from sinks import clickhouse, schema
from sinks.query import NAMED, Analytics, ReadOnlyViolation, check_read_only
from sinks.rows import event_row, geohash, moment_row, pseudonym_key, pseudonymize
from tests.sink_helpers import KEY, SERVER_URL, T0, ev, insert_direct, make_settings, moment, small_dataset


@pytest.fixture
def ch(tmp_path):
    """(settings, migrated client); chDB: one folder per test, closed after it."""
    settings = make_settings(tmp_path)
    client = clickhouse.connect(settings)
    schema.migrate(client, settings)
    yield settings, client
    if SERVER_URL:
        client.command(f"DROP DATABASE IF EXISTS {settings.clickhouse_database}")
    client.close()



def test_geohash_and_pseudonym():
    assert geohash(48.137154, 11.576124) == "u281z7"
    assert geohash(-33.8688, 151.2093) == "r3gx2f"
    assert geohash(0.0, 0.0) == "s00000"
    p = pseudonymize(b"k", "alice")
    assert len(p) == 32 and p == pseudonymize(b"k", "alice") != pseudonymize(b"k2", "alice")
    assert p != pseudonymize(b"k", "bob") and "alice" not in p


def test_rows_carry_no_raw_user_id_or_position(tmp_path):
    settings = make_settings(tmp_path, pseudonym_key="")
    key = pseudonym_key(settings)  # generated once, kept in the data dir
    assert key == pseudonym_key(settings) and (tmp_path / "pseudonym.key").stat().st_mode & 0o777 == 0o600
    row = event_row(AnalyticsEvent.model_validate(ev(1, "alice", "s", topic="events.location", lat=48.137154,
                                                     lon=11.576124)), key)
    assert "alice" not in map(str, row) and "u281z7" in row
    assert not any(isinstance(v, float) and abs(v - 48.137154) < 1e-9 for v in row)
    mrow = moment_row(Moment.model_validate(moment("m1", "go", "alice", "s", T0)), key)
    assert "alice" not in map(str, mrow) and pseudonymize(key, "alice") in mrow


# --------------------------------------------------------------------------- schema, queries, erasure


def test_migrations_twice_are_a_no_op(ch):
    settings, client = ch
    assert schema.migrate(client, settings) == []  # the fixture migrated already
    tables = {r[0] for r in client.query(f"SHOW TABLES FROM {settings.clickhouse_database}").result_rows}
    assert {"events", "moments", "sessions", "model_metrics", "moments_per_minute", "moments_per_minute_mv",
            "schema_migrations"} <= tables
    versions = client.query(f"SELECT version FROM {settings.clickhouse_database}.schema_migrations").result_rows
    assert sorted(v[0] for v in versions) == [m.version for m in schema.MIGRATIONS]
    ddl = client.query(f"SHOW CREATE TABLE {settings.clickhouse_database}.events").result_rows[0][0]
    assert "DateTime64(3, 'UTC')" in ddl and "toYYYYMM(ts)" in ddl and "TTL" in ddl and "LowCardinality" in ddl
    changed = make_settings(settings.data_dir, retention_days=90, clickhouse_database=settings.clickhouse_database)
    assert len(schema.migrate(client, changed)) == len(schema.TTL_TABLES)  # retention change applied
    assert schema.migrate(client, changed) == []


def test_named_queries_on_a_small_dataset(ch):
    settings, client = ch
    insert_direct(settings, client, small_dataset())
    a = Analytics(settings, client)
    assert a.counts() == {"events": 11, "moments": 5, "sessions": 2, "model_metrics": 3, "profiles": 3, "contacts": 3}
    results = {name: a.named(name) for name in NAMED}
    cols, rows = results["moments-per-minute"]
    per = [dict(zip(cols, r)) for r in rows]
    assert sum(r["moments"] for r in per) == 5
    assert {(r["moment"], r["channel"], r["moments"]) for r in per} >= {("go", "web", 1), ("go", "app", 1)}
    cols, rows = results["know-to-buy"]
    conv = {r[0]: dict(zip(cols, r)) for r in rows}
    assert (conv["web"]["know_sessions"], conv["web"]["converted_to_buy"]) == (1, 1)
    assert (conv["app"]["know_sessions"], conv["app"]["converted_to_buy"]) == (1, 0)
    cols, rows = results["top-search-terms"]
    assert ["know", "router", 1] in rows and ["buy", "router", 1] in rows
    cols, rows = results["go-venues"]
    assert rows == [["v1", "Store One", 2, 100.0]]
    cols, rows = results["model-quality"]
    assert len(rows) >= 1 and "accuracy" in cols
    # a row delivered twice counts once (ReplacingMergeTree + FINAL; uniqExact in the rollup)
    insert_direct(settings, client, small_dataset())
    assert a.counts() == {"events": 11, "moments": 5, "sessions": 2, "model_metrics": 3, "profiles": 3, "contacts": 3}
    cols, rows = a.named("moments-per-minute")
    assert sum(dict(zip(cols, r))["moments"] for r in rows) == 5


@pytest.mark.parametrize("sql", [
    "INSERT INTO micromoments.events (event_id) VALUES ('x')",
    "WITH 1 AS x INSERT INTO micromoments.events (event_id) SELECT 'x'",
    "SELECT 1; DROP TABLE micromoments.events",
    "DROP TABLE micromoments.events",
    "ALTER TABLE micromoments.events DELETE WHERE 1",
    "TRUNCATE TABLE micromoments.events",
    "/* hi */ CREATE TABLE micromoments.x (a Int8) ENGINE = Memory",
    "SELECT * FROM micromoments.events INTO OUTFILE 'x.csv'",
    "SELECT 1 SETTINGS readonly = 0",
    "OPTIMIZE TABLE micromoments.events FINAL",
])
def test_sql_refuses_writes(ch, sql):
    settings, client = ch
    insert_direct(settings, client, small_dataset())
    sql = sql.replace("micromoments.", f"{settings.clickhouse_database}.")
    with pytest.raises((ReadOnlyViolation, Exception)) as info:
        Analytics(settings, client).sql(sql)
    assert info.type is ReadOnlyViolation or "readonly" in str(info.value).lower() or "syntax" in str(info.value).lower()
    assert Analytics(settings, client).counts()["events"] == 11
    assert client.query(f"EXISTS TABLE {settings.clickhouse_database}.x").result_rows[0][0] == 0


def test_sql_runs_reads(ch):
    settings, client = ch
    insert_direct(settings, client, small_dataset())
    a = Analytics(settings, client)
    assert a.sql(f"SELECT count() AS n FROM {settings.clickhouse_database}.events FINAL;") == (["n"], [[11]])
    assert a.sql("-- c\nWITH 2 AS k SELECT k * 2 AS v") == (["v"], [[4]])
    assert a.sql(f"SHOW TABLES FROM {settings.clickhouse_database}")[1]
    assert check_read_only("  (SELECT 1)")[1] == "SELECT"


def test_erasure_removes_all_rows_of_a_user(ch):
    settings, client = ch
    insert_direct(settings, client, small_dataset())
    insert_direct(settings, client, small_dataset())  # physical duplicates go too
    a = Analytics(settings, client)
    removed = a.erase("alice")
    assert removed == {"events": 6, "moments": 3, "sessions": 1, "profiles": 2, "contacts": 2}
    alice = pseudonymize(KEY.encode(), "alice")
    db = settings.clickhouse_database
    for table in schema.USER_TABLES:
        assert client.query(f"SELECT count() FROM {db}.{table} WHERE user_id = '{alice}'").result_rows[0][0] == 0
    assert a.counts() == {"events": 5, "moments": 2, "sessions": 1, "model_metrics": 3, "profiles": 1,
                          "contacts": 1}
    # the rollup was rebuilt without her: only bob's two moments remain
    cols, rows = a.named("moments-per-minute")
    assert sum(dict(zip(cols, r))["moments"] for r in rows) == 2
    assert a.erase("alice") == {"events": 0, "moments": 0, "sessions": 0, "profiles": 0, "contacts": 0}


# --------------------------------------------------------------------------- with Kafka


def test_rows_doctests():
    import doctest

    import sinks.rows

    assert doctest.testmod(sinks.rows).failed == 0


def test_profile_queries_mood_per_day_red_customers_now_and_top_interests(ch):
    """The analysts' profile questions, on the latest profile per user; a profile of a user who
    does not allow analytics is never stored."""
    settings, client = ch
    insert_direct(settings, client, small_dataset())
    a = Analytics(settings, client)
    cols, rows = a.named("red-customers")
    assert [r[cols.index("user_id")] for r in rows] == [pseudonymize(KEY.encode(), "alice")]  # carol: no consent
    assert rows[0][cols.index("callcenter_action")] == "retention_script"
    cols, rows = a.named("top-interests")
    assert [(r[0], r[1]) for r in rows] == [("mesh", 2), ("routers", 1)]
    cols, rows = a.named("mood-per-day")
    by_day = {(str(r[0]), r[2]): (r[3], r[5]) for r in rows}
    assert sorted(by_day.values()) == [(1, 0.0), (1, 1.0), (1, 1.0)] and len({d for d, _ in by_day}) == 2
