"""The Faust app, built by ``build_app(settings)``: its configuration, topics, the users table, and
the agent, timers and pages that call the ``StreamWorker``. Read it top to bottom.

The agent is thin: whole fetches of the input topics arrive from ``BatchApp``'s consumer
(``pipeline/faust_adapter.py``), not one by one through Faust's stream, and go to the worker,
which hands them to ``StreamEngine`` (the same engine ``micromoments replay`` runs), sends what it
returns, and every 0.5 s waits for those results' delivery, writes the users' states and only then
commits the input offsets (``pipeline/commit.py``) — so a crash re-reads anything whose results
were not yet on the broker (at-least-once; moment ids are deterministic, and the per-user duplicate
memory in the table skips records whose effects were already written).
"""

from __future__ import annotations

import gc

import faust

from config import CLIError, Settings
from config.kafka import kafka_options
from pipeline import faust_adapter
from pipeline.batch_producer import CachedPartitioner
from pipeline.dedup import DedupMemory
from pipeline.detector_factory import build_core, build_detector
from pipeline.engine import GC_THRESHOLDS, StreamEngine
from pipeline.faust_adapter import BatchApp
from pipeline.inputs import GROUP_TOPICS, InputPartitions
from pipeline.learner import SharedLearner
from pipeline.learning import Models, SharedLearning, shareable
from pipeline.model_log import ModelFollower
from pipeline.stream_worker import EXPIRY_INTERVAL_S, SWITCH_INTERVAL_S, StreamWorker
from pipeline.topics import DLQ_MAX_BYTES
from pipeline.user_store import UserStore
from pipeline.venue_follower import VenueFollower
from schemas.topics import VENUES_TOPIC

CONTENT_TYPE_PROMETHEUS = "text/plain; version=0.0.4"


def faust_credentials(settings: Settings):
    """Faust's form of the ``MOMENTS_KAFKA_*`` security settings (None: plaintext)."""
    opts = kafka_options(settings)
    if opts["security_protocol"] == "PLAINTEXT":
        return None
    if opts["security_protocol"] == "SSL":
        return faust.SSLCredentials(opts["ssl_context"])
    return faust.SASLCredentials(username=opts["sasl_plain_username"], password=opts["sasl_plain_password"],
                                 ssl_context=opts.get("ssl_context"), mechanism=opts["sasl_mechanism"])


def faust_app(settings: Settings, partitioner: CachedPartitioner) -> BatchApp:
    """The Faust app with the worker's configuration (FAUST-NOTES.md pitfalls in the comments)."""
    return BatchApp(
        settings.app_id,
        broker=";".join(f"kafka://{h.strip()}" for h in settings.kafka_bootstrap.split(",")),
        broker_credentials=faust_credentials(settings),  # TLS / SASL like every other client (config.kafka)
        key_serializer="raw",
        value_serializer="raw",
        store="memory://",  # tables live in memory and are rebuilt from their changelog topics
        datadir=str(settings.data_dir / "faust"),
        topic_partitions=settings.partitions,
        topic_replication_factor=settings.replication_factor,
        producer_linger=0.0,  # results are sent in bursts of a batch: they share requests without lingering
        producer_max_batch_size=256 * 1024,  # per partition and request (default 16 KiB)
        producer_partitioner=partitioner,
        producer_max_request_size=DLQ_MAX_BYTES + 64 * 1024,  # the largest DLQ record fits a request
        broker_session_timeout=10,  # pitfall 8: fast group joins
        broker_heartbeat_interval=1,
        broker_rebalance_timeout=20,
        consumer_auto_offset_reset="earliest",
        stream_wait_empty=False,  # offsets are committed by position, not by Faust acks
        broker_max_poll_records=settings.batch_size,  # records per fetch handed over (and held in the inbox)
        web_port=settings.web_port,
        web_host=settings.web_host,
        web_bind=settings.web_host,
    )


def build_app(settings: Settings) -> tuple[BatchApp, StreamWorker]:
    """The worker's Faust app and the ``StreamWorker`` its agent, timers and pages call."""
    faust_adapter.check()  # an installed Faust that lacks what the adapter uses fails here, by name
    gc.set_threshold(*GC_THRESHOLDS)  # fewer young-generation collections
    prefix = settings.topic_prefix
    partitioner = CachedPartitioner()  # the producer's, also used by ``send_records``
    app = faust_app(settings, partitioner)

    # --- topics and tables ----------------------------------------------------------------------
    inputs_topic = app.topic(*(prefix + t for t in sorted(GROUP_TOPICS)), key_type=bytes, value_type=bytes)
    #: user id -> serialized UserState (sessions, consent, frequency caps); changelog-backed.
    #: use_partitioner: the changelog partition follows the key, which is the input partition
    #: for records keyed by user id (FAUST-NOTES pitfall 6).
    #: key_type/value_type=bytes make the store and the changelog raw (recovery decodes nothing).
    users = app.Table(
        "users", default=None, partitions=settings.partitions, use_partitioner=True,
        key_type=bytes, value_type=bytes,
        schema=faust.Schema(key_type=bytes, value_type=bytes, key_serializer="raw", value_serializer="raw"),
    )

    #: the duplicate memory's digests (``pipeline.dedup``): one record per input partition and hour
    #: of event time, sent to the partition named in its key; read back once recovered, then dropped
    dedup = app.Table(
        "dedup", default=None, partitions=settings.partitions, use_partitioner=True,
        key_type=bytes, value_type=bytes,
        schema=faust.Schema(key_type=bytes, value_type=bytes, key_serializer="raw", value_serializer="raw"),
    )

    # --- the worker -----------------------------------------------------------------------------
    model_dir = settings.data_dir / "model"
    store = UserStore(lambda: faust_adapter.table_store(users))
    inputs: InputPartitions | None = None
    shared = settings.model_sync == "shared"
    core = build_core(settings, state_dir=model_dir, learning=SharedLearning() if shared else None)
    follower = learner = None
    if shared:  # one model for all workers: examples to the learner, versions from mm.model
        if not shareable(core.detector):
            raise CLIError(f"MOMENTS_MODEL_SYNC=shared works with ovr-logreg, ovr-sgd or rules, not "
                           f"{settings.model}; set MOMENTS_MODEL_SYNC=local")
        follower = ModelFollower(settings, core.use_models)
        learner = SharedLearner(settings, lambda: Models(build_detector(settings, model_dir)))
    engine = StreamEngine(core, store,
                          max_wait_ms=settings.merge_wait_ms, gap_wait_ms=settings.offset_gap_wait_ms,
                          start=lambda source: inputs.start_offset(source), max_per_tick=settings.batch_size,
                          dedup=DedupMemory(persist=True))
    venues = VenueFollower(settings.kafka_bootstrap, prefix + VENUES_TOPIC, engine.core.apply_venue)
    inputs = InputPartitions(app, engine, venues, prefix, settings.batch_size)
    worker = StreamWorker(app, settings, engine, store, inputs, users.changelog_topic, partitioner, model_dir,
                          dedup_table=dedup, follower=follower, learner=learner)
    app.batch_topics = frozenset(inputs_topic.topics)
    app.batch_handler = lambda generation, records: worker.inbox.put((generation, records))
    app.paused_by_app = inputs.paused

    # --- agent, tasks, timers -------------------------------------------------------------------
    async def process_events(stream):
        """Clicks, searches, positions, feedback, re-keyed records, erase requests and venues
        (bad ones to the DLQ; the follower keeps the venues) -> moments, rows, states."""
        # Iterating a stream subscribes its topics; that is all the stream is used for: their
        # records arrive as whole fetches in the worker's inbox, and the stream never receives any.
        aiter(stream.channel)
        await worker.process()

    app.agent(inputs_topic, name="process_events")(process_events)
    app.task(venues.run)  # every venue, from the start of ref.venues
    if shared:
        app.task(follower.run)  # the shared model's versions (the agent decides nothing before the first)
        app.task(learner.run)  # learns on the one worker that holds mm.learn
    app.timer(0.05, name="release_waiting")(worker.release_waiting)
    if shared:
        app.timer(SWITCH_INTERVAL_S, name="switch_model")(worker.switch_model)  # new versions, at a commit
    app.timer(EXPIRY_INTERVAL_S, name="expire_sessions")(worker.expire_sessions)
    app.timer(10.0, name="publish_model_metrics")(worker.publish_model_metrics)

    async def on_shutdown(app, **kwargs) -> None:
        await worker.shutdown()

    async def on_revoked(app, revoked, **kwargs) -> None:
        await worker.partitions_revoked()

    app.on_before_shutdown.connect(on_shutdown, weak=False)
    app.on_partitions_revoked.connect(on_revoked, weak=False)

    # --- web pages ------------------------------------------------------------------------------
    async def prometheus_metrics(web, request):
        """Prometheus text format: events in, DLQ by reason, duplicates, moments, latency, model."""
        return web.bytes(worker.metrics.render(), content_type=CONTENT_TYPE_PROMETHEUS)

    async def health(web, request):
        body, status = await worker.health()
        return web.json(body, status=status)

    async def stats(web, request):
        return web.json(worker.stats())

    app.page("/metrics", name="metrics")(prometheus_metrics)
    app.page("/health", name="health")(health)
    app.page("/stats/", name="stats")(stats)
    return app, worker
