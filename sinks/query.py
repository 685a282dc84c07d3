"""The analysts' side: named queries, read-only ad-hoc SQL, erasure of a user's rows.

``Analytics`` works on a clickhouse-connect client (chDB or a server). Tables with
replacing engines are read with ``FINAL`` so a row delivered twice counts once; the
rollup is read with ``-Merge`` combinators.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from config import Settings
from sinks import schema
from sinks.rows import pseudonym_key, pseudonymize


class ReadOnlyViolation(ValueError):
    """An ad-hoc statement that could write (or is not one plain read)."""


@dataclass(frozen=True)
class NamedQuery:
    description: str
    sql: str  # {db} and {limit} are filled in


NAMED: dict[str, NamedQuery] = {
    "moments-per-minute": NamedQuery(
        "moments per minute by moment and channel (the rollup)",
        """SELECT minute, moment, channel, uniqExactMerge(moments) AS moments, uniqMerge(users) AS users,
       round(max(max_confidence), 3) AS max_confidence
FROM {db}.moments_per_minute GROUP BY minute, moment, channel ORDER BY minute, moment, channel LIMIT {limit}"""),
    "know-to-buy": NamedQuery(
        "know -> buy conversion per session, by channel: sessions with a know moment and a later buy",
        """SELECT channel, count() AS know_sessions,
       countIf(n_buy > 0 AND last_buy >= first_know) AS converted_to_buy,
       round(converted_to_buy / know_sessions, 3) AS conversion
FROM (SELECT session_id, argMin(channel, event_ts) AS channel, countIf(moment = 'know') AS n_know,
             minIf(event_ts, moment = 'know') AS first_know, countIf(moment = 'buy') AS n_buy,
             maxIf(event_ts, moment = 'buy') AS last_buy
      FROM {db}.moments FINAL GROUP BY session_id)
WHERE n_know > 0 GROUP BY channel ORDER BY channel LIMIT {limit}"""),
    "top-search-terms": NamedQuery(
        "top search terms per moment (the session's latest query when the moment was detected)",
        """SELECT moment, lower(query) AS term, count() AS moments
FROM {db}.moments FINAL WHERE query != ''
GROUP BY moment, term ORDER BY moment, moments DESC, term LIMIT 10 BY moment LIMIT {limit}"""),
    "go-venues": NamedQuery(
        "go moments per venue with the average distance",
        """SELECT venue_id, any(venue_name) AS venue, count() AS go_moments,
       round(avg(venue_distance_m), 1) AS avg_distance_m
FROM {db}.moments FINAL WHERE moment = 'go' AND venue_id != ''
GROUP BY venue_id ORDER BY go_moments DESC, venue_id LIMIT {limit}"""),
    "mood-per-day": NamedQuery(
        "customers' mood per day and channel: analysed inbound messages, average sentiment, share negative",
        """SELECT toDate(ts) AS day, channel, medium, count() AS messages,
       round(avg(sentiment_score), 3) AS avg_sentiment, round(countIf(sentiment_label = 'negative') / messages, 3)
       AS share_negative
FROM {db}.contacts FINAL GROUP BY day, channel, medium ORDER BY day, channel, medium LIMIT {limit}"""),
    "red-customers": NamedQuery(
        "customers whose traffic light is red now (their latest profile), riskiest first, with the reasons",
        """SELECT user_id, updated_at, criticality_score, criticality_reasons, sentiment_label, actions['callcenter']
       AS callcenter_action
FROM (SELECT user_id, argMax(updated_at, version) AS updated_at, argMax(criticality_level, version) AS level,
             argMax(criticality_score, version) AS criticality_score,
             argMax(criticality_reasons, version) AS criticality_reasons,
             argMax(sentiment_label, version) AS sentiment_label, argMax(actions, version) AS actions
      FROM {db}.profiles FINAL GROUP BY user_id)
WHERE level = 'red' ORDER BY criticality_score DESC, user_id LIMIT {limit}"""),
    "top-interests": NamedQuery(
        "top interests now: customers naming each topic in their latest profile, and its average weight",
        """SELECT topic, count() AS customers, round(avg(weight), 3) AS avg_weight
FROM (SELECT user_id, argMax(interest_topics, version) AS topics, argMax(interest_weights, version) AS weights
      FROM {db}.profiles FINAL GROUP BY user_id)
ARRAY JOIN topics AS topic, weights AS weight
GROUP BY topic ORDER BY customers DESC, topic LIMIT {limit}"""),
    "model-quality": NamedQuery(
        "the online model's quality over time (per minute, last value of each worker)",
        """SELECT minute, model, version, max(labels) AS labels,
       round(avg(accuracy), 4) AS accuracy, round(avg(macro_f1), 4) AS macro_f1,
       round(avg(error_mean), 4) AS error_mean, max(drifts) AS drifts, sum(processed) AS processed
FROM (SELECT worker, toStartOfMinute(ts) AS minute, model, version,
             argMax(labels, ts) AS labels, argMax(accuracy, ts) AS accuracy, argMax(macro_f1, ts) AS macro_f1,
             argMax(error_mean, ts) AS error_mean, argMax(drifts, ts) AS drifts,
             argMax(processed, ts) AS processed
      FROM {db}.model_metrics FINAL GROUP BY worker, minute, model, version)
GROUP BY minute, model, version ORDER BY minute, model, version LIMIT {limit}"""),
}

_READ_KEYWORDS = {"SELECT", "WITH", "SHOW", "DESCRIBE", "DESC", "EXPLAIN", "EXISTS"}
_COMMENTS = re.compile(r"--[^\n]*|/\*.*?\*/", re.S)


def check_read_only(sql: str) -> tuple[str, str]:
    """(statement without trailing ';', first keyword) or ``ReadOnlyViolation``. The
    statement is also run with ``readonly = 1``, so a write that slips past this check
    (``WITH ... INSERT``) is refused by ClickHouse itself."""
    text = _COMMENTS.sub(" ", sql).strip().rstrip(";").strip()
    if not text:
        raise ReadOnlyViolation("empty statement")
    if ";" in text:
        raise ReadOnlyViolation("one statement only")
    first = re.match(r"[(\s]*([A-Za-z]+)", text)
    keyword = first.group(1).upper() if first else ""
    if keyword not in _READ_KEYWORDS:
        raise ReadOnlyViolation(f"only read-only statements are allowed ({', '.join(sorted(_READ_KEYWORDS))}), "
                                f"not {keyword or 'this'}")
    if re.search(r"\bINTO\s+OUTFILE\b", text, re.I):
        raise ReadOnlyViolation("INTO OUTFILE writes a file")
    return text, keyword


class Analytics:
    """Queries and erasure on a client (the sink's own in its process)."""

    def __init__(self, settings: Settings, client) -> None:
        self.settings = settings
        self.client = client
        self.db = schema.quote_ident(settings.clickhouse_database)

    def named(self, name: str, limit: int = 100) -> tuple[list[str], list[list[Any]]]:
        if name not in NAMED:
            raise KeyError(f"unknown query {name!r}; known: {', '.join(NAMED)}")
        return self.sql(NAMED[name].sql.replace("{db}", self.db).replace("{limit}", str(int(limit))))

    def sql(self, sql: str) -> tuple[list[str], list[list[Any]]]:
        """Run one read-only statement; ``ReadOnlyViolation`` for anything else."""
        text, keyword = check_read_only(sql)
        if keyword in ("SELECT", "WITH"):
            # per-query setting (chDB applies per-call settings by SET/restore, which readonly breaks)
            text = f"{text}\nSETTINGS readonly = 1"
        try:
            result = self.client.query(text, settings=None if _is_chdb(self.client) else {"readonly": 1})
        except Exception as exc:  # noqa: BLE001
            if "READONLY" in str(exc) or "Code: 164" in str(exc):
                raise ReadOnlyViolation(f"refused by ClickHouse (readonly): {str(exc)[:200]}") from exc
            raise
        return list(result.column_names), [list(r) for r in result.result_rows]

    def erase(self, user_id: str, at_ms: int | None = None) -> dict[str, int]:
        """Delete every row of ``user_id`` (by its pseudonym); the per-minute rollup of the
        minutes they had moments in is rebuilt without them. The erasure is logged first (with
        ``at_ms``, the request's time, default now): rows of the user written before it are
        never stored again (``erased``). Returns rows removed per table."""
        pseudo = pseudonymize(pseudonym_key(self.settings), user_id)
        assert re.fullmatch(r"[0-9a-f]{32}", pseudo)  # safe to inline
        at = datetime.fromtimestamp((at_ms if at_ms is not None else time.time() * 1000) / 1000, tz=UTC)
        self.client.insert(f"{self.db}.erasures", [[pseudo, at]], column_names=["user_id", "erased_at"])
        where = f"user_id = '{pseudo}'"
        minutes = [r[0] for r in self.client.query(
            f"SELECT DISTINCT toUnixTimestamp(toStartOfMinute(event_ts)) FROM {self.db}.moments WHERE {where}"
        ).result_rows]
        removed: dict[str, int] = {}
        for table in schema.USER_TABLES:
            removed[table] = int(self.client.query(f"SELECT count() FROM {self.db}.{table} FINAL WHERE {where}")
                                 .result_rows[0][0])
            if removed[table]:
                self.client.command(f"ALTER TABLE {self.db}.{table} DELETE WHERE {where} SETTINGS mutations_sync = 2")
        if minutes:
            in_list = "(" + ",".join(f"toDateTime({int(m)}, 'UTC')" for m in minutes) + ")"
            self.client.command(f"ALTER TABLE {self.db}.{schema.ROLLUP} DELETE WHERE minute IN {in_list} "
                                f"SETTINGS mutations_sync = 2")
            self.client.command(f"INSERT INTO {self.db}.{schema.ROLLUP} " +
                                schema.ROLLUP_SELECT.replace("{db}", self.db).replace("{minutes}", in_list))
        return removed

    def erased(self) -> dict[str, int]:
        """The erasure log: pseudonym -> the latest erasure's time (epoch ms)."""
        rows = self.client.query(f"SELECT user_id, toUnixTimestamp64Milli(max(erased_at)) FROM {self.db}.erasures "
                                 "GROUP BY user_id").result_rows
        return {r[0]: int(r[1]) for r in rows}

    def counts(self) -> dict[str, int]:
        """Logical rows per table (FINAL)."""
        return {t: int(self.client.query(f"SELECT count() FROM {self.db}.{t} FINAL").result_rows[0][0])
                for t in ("events", "moments", "sessions", "model_metrics", "profiles", "contacts")}


def _is_chdb(client) -> bool:
    return type(client).__name__ == "ChdbClient"
