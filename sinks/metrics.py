"""Prometheus metrics of the ClickHouse sink, read from its counters at scrape time."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily


class SinkCollector:
    """The ClickHouse sink's counters: rows inserted per table, inserts, retries, commits."""

    def __init__(self, sink) -> None:
        self.sink = sink

    def collect(self):
        stats = self.sink.stats
        rows = CounterMetricFamily("micromoments_sink_rows", "rows inserted into ClickHouse, by table",
                                   labels=["table"])
        for key, value in stats.items():
            kind, _, table = key.partition(":")
            if kind == "rows" and table:
                rows.add_metric([table], value)
        yield rows
        for name, key, doc in (("inserts", "inserts", "insert statements that succeeded"),
                               ("insert_failures", "insert_failures", "failed inserts (each is retried with back-off)"),
                               ("commits", "commits", "offset commits after successful inserts"),
                               ("erasures", "erasures", "user erasures applied")):
            yield CounterMetricFamily(f"micromoments_sink_{name}", doc, value=stats[key])


def render_sink_metrics(sink) -> bytes:
    registry = CollectorRegistry()
    registry.register(SinkCollector(sink))
    return generate_latest(registry)
