"""Prometheus metrics of the worker, read from the engine's counters at scrape time.

Counters are not incremented on the hot path: a collector turns ``StreamEngine.stats``
into metric families when Prometheus scrapes ``/metrics``; only the latency histogram
is observed per published moment.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, InfoMetricFamily

from detectors.metrics import quality_of

LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)


class EngineCollector:
    def __init__(self, engine, model_status=None) -> None:
        self.engine = engine
        self.model_status = model_status  # the shared model's follower and learner (``StreamWorker.model_status``)

    def collect(self):
        stats = self.engine.stats
        events = CounterMetricFamily("micromoments_events_in", "input records read, by topic", labels=["topic"])
        dlq = CounterMetricFamily("micromoments_dlq", "records sent to the DLQ, by reason", labels=["reason"])
        moments = CounterMetricFamily("micromoments_moments", "moments published, by moment", labels=["moment"])
        for key, value in stats.items():
            kind, _, label = key.partition(":")
            if kind == "in" and label:
                events.add_metric([label], value)
            elif kind == "dlq" and label:
                dlq.add_metric([label], value)
            elif kind == "moment":
                moments.add_metric([label], value)
        yield events
        yield dlq
        yield moments
        yield CounterMetricFamily("micromoments_processed", "events and feedback processed", value=stats["processed"])
        yield CounterMetricFamily("micromoments_duplicates", "duplicate event ids dropped", value=stats["duplicate"])
        yield CounterMetricFamily("micromoments_undelivered", "results or states the broker did not take (the worker "
                                  "stops without committing; the input is read again)", value=stats["undelivered"])
        yield CounterMetricFamily("micromoments_sessions_closed", "sessions closed for the sessions table",
                                  value=stats["sessions_closed"])
        yield GaugeMetricFamily("micromoments_sessions", "users with an open session on this worker",
                                value=len(self.engine.open_users))
        yield GaugeMetricFamily("micromoments_waiting_records", "records held for ordering", value=self.engine.waiting())
        detector = self.engine.core.detector
        info = InfoMetricFamily("micromoments_model_version", "the detector deciding on this worker")
        info.add_metric([], {"name": detector.name, "version": str(detector.version)})
        yield info
        shared = self.model_status() if self.model_status is not None else None
        if shared is not None:
            yield GaugeMetricFamily("micromoments_model_seq", "the shared model's version this worker decides with "
                                    "(sequence number; a lagging worker shows a lower one)", value=shared["seq"])
            delay = shared["delay_ms_p99"]
            yield GaugeMetricFamily("micromoments_model_delay_p99_seconds", "p99 of the time from the learner's "
                                    "publishing of a version to its use here", value=(delay or 0.0) / 1000.0)
            yield GaugeMetricFamily("micromoments_model_learner", "1 on the worker that learns the shared model",
                                    value=1.0 if shared["learner"]["active"] else 0.0)
        snap = quality_of(detector)
        if snap is not None:
            yield GaugeMetricFamily("micromoments_model_macro_f1", "prequential macro-F1 over the last labels",
                                    value=snap["macro_f1"])
            yield GaugeMetricFamily("micromoments_model_accuracy", "prequential accuracy over the last labels",
                                    value=snap["accuracy"])
            yield CounterMetricFamily("micromoments_model_drifts", "drifts detected by ADWIN", value=snap["drifts"])


class WorkerMetrics:
    """The registry served on ``/metrics`` (a fresh registry: no process-global state)."""

    def __init__(self, engine, model_status=None) -> None:
        self.registry = CollectorRegistry()
        self.registry.register(EngineCollector(engine, model_status))
        self.latency = Histogram("micromoments_moment_latency_seconds", "detection minus arrival of the event",
                                 buckets=LATENCY_BUCKETS, registry=self.registry)

    def observe_latencies(self, latencies_ms: list[float]) -> None:
        for ms in latencies_ms:
            self.latency.observe(ms / 1000.0)
        latencies_ms.clear()

    def render(self) -> bytes:
        return generate_latest(self.registry)
