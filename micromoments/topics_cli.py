"""``micromoments topics create|list``: the pipeline's Kafka topics, created up front.

``create`` makes every missing topic of ``pipeline.topics.ALL_TOPICS`` (inputs
co-partitioned with ``MOMENTS_PARTITIONS`` partitions, ``ref.venues`` compacted); the
worker and the sink do the same at start, so this is for deployments that create
topics before any process starts (the compose file's one-shot ``topics`` service).
``list`` shows each topic of the pipeline with its partition count, or "missing".
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time

from config import CLIError
from config.kafka import kafka_options


def _settings():
    from config import get_settings

    get_settings.cache_clear()
    return get_settings()


async def _create_with_retry(settings, wait_s: float) -> list[str]:
    """``ensure_topics``, retried while the broker is not reachable yet (up to ``wait_s``)."""
    from pipeline.topics import ensure_topics

    deadline = time.monotonic() + wait_s
    while True:
        try:
            return await ensure_topics(settings)
        except Exception as exc:  # noqa: BLE001 - connection errors of aiokafka vary by version
            if time.monotonic() >= deadline:
                raise CLIError(f"could not create the topics on {settings.kafka_bootstrap}: {exc!r}") from None
            print(f"broker not ready ({exc.__class__.__name__}), retrying", file=sys.stderr)
            await asyncio.sleep(2.0)


def _cmd_create(args: argparse.Namespace) -> int:
    from schemas.topics import ALL_TOPICS

    settings = _settings()
    created = asyncio.run(_create_with_retry(settings, args.wait))
    existing = len(ALL_TOPICS) - len(created)
    for name in created:
        print(f"created {name}")
    print(f"{len(created)} topic(s) created, {existing} already present "
          f"(partitions {settings.partitions}, replication {settings.replication_factor})")
    return 0


async def _describe(settings) -> dict[str, int | None]:
    """Pipeline topic (full name) -> partition count, or None where missing."""
    from aiokafka.admin import AIOKafkaAdminClient

    from schemas.topics import ALL_TOPICS

    admin = AIOKafkaAdminClient(**kafka_options(settings), request_timeout_ms=15_000)
    try:
        await admin.start()
        present = set(await admin.list_topics())
        names = [settings.topic(t) for t in ALL_TOPICS]
        found = [n for n in names if n in present]
        parts = {d["topic"]: len(d["partitions"]) for d in (await admin.describe_topics(found) if found else [])}
        return {n: parts.get(n) for n in names}
    finally:
        await admin.close()


def _ask(settings, coro, what: str):
    """Run an admin request; a broker that cannot be reached is a clear CLI error."""
    try:
        return asyncio.run(coro)
    except Exception as exc:  # noqa: BLE001
        raise CLIError(f"could not {what} at {settings.kafka_bootstrap}: {exc!r}") from None


def _cmd_list(args: argparse.Namespace) -> int:
    from pipeline.topics import TOPIC_CONFIGS

    settings = _settings()
    topics = _ask(settings, _describe(settings), "reach Kafka")
    missing = 0
    for name, parts in topics.items():
        base = name[len(settings.topic_prefix):]
        note = " (compacted)" if TOPIC_CONFIGS.get(base, {}).get("cleanup.policy") == "compact" else ""
        if parts is None:
            missing += 1
            print(f"{name:32} missing{note}")
        else:
            print(f"{name:32} {parts} partition(s){note}")
    return 1 if missing else 0


def _cmd_check(args: argparse.Namespace) -> int:
    from pipeline.topics import config_drift

    settings = _settings()
    drift = _ask(settings, config_drift(settings), "read the topic configs")
    for line in drift:
        print(f"differs: {line}")
    print(f"{len(drift)} setting(s) differ from what the pipeline creates (MOMENTS_TOPIC_RETENTION_HOURS "
          f"{settings.topic_retention_hours:g}, MOMENTS_COMPACTION_LAG_HOURS {settings.compaction_lag_hours:g}); "
          "change them with kafka-configs or re-create the topics" if drift else
          "every existing pipeline topic has the configs the pipeline creates it with")
    return 1 if drift else 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("topics", help="create or list the pipeline's Kafka topics",
                       description="Create the pipeline's topics before any worker starts (inputs co-partitioned "
                                   "with MOMENTS_PARTITIONS partitions, ref.venues compacted), or list them.")
    tsub = p.add_subparsers(dest="topics_command", metavar="ACTION")
    tsub.required = True
    c = tsub.add_parser("create", help="create the missing topics (MOMENTS_PARTITIONS partitions, ref.venues compacted)")
    c.add_argument("--wait", type=float, default=60.0, metavar="SECONDS",
                   help="keep retrying this long while the broker is unreachable (default 60)")
    c.set_defaults(func=_cmd_create)
    ck = tsub.add_parser("check", help="compare the existing topics' retention/compaction configs with the "
                                       "pipeline's settings (exit 1 if any differs)")
    ck.set_defaults(func=_cmd_check)
    ls = tsub.add_parser("list", help="each pipeline topic with its partition count (exit 1 if any is missing)")
    ls.set_defaults(func=_cmd_list)
