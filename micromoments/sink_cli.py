"""``micromoments sink | migrate | query | erase``: the ClickHouse side of the pipeline."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys

from config import CLIError
from config.kafka import kafka_options


def _settings():
    from config import get_settings

    get_settings.cache_clear()
    return get_settings()


def _cmd_sink(args: argparse.Namespace) -> int:
    from pipeline.topics import ensure_topics
    from sinks import clickhouse, service
    from sinks.sink import Sink

    settings = _settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    if not settings.debug_logs:
        logging.getLogger("aiokafka").setLevel(logging.WARNING)

    async def main() -> None:
        await ensure_topics(settings)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        sink = Sink(settings)
        runner = None
        if clickhouse.is_embedded(settings) and not args.no_endpoint:
            runner = await service.serve(sink, settings)
        print(f"sink: {clickhouse.describe(settings)}, group {settings.app_id}-sink", file=sys.stderr)
        try:
            stats = await sink.run(stop)
        finally:
            if runner is not None:
                await service.stop_serving(runner, settings)
        print(f"sink stopped: {dict(stats)}", file=sys.stderr)

    asyncio.run(main())
    return 0


def _cmd_migrate(args: argparse.Namespace) -> int:
    from sinks import clickhouse, schema, service

    settings = _settings()
    if service.running_sink(settings) is not None:
        print("the running sink owns the chDB folder and has migrated it already")
        return 0
    client = clickhouse.connect(settings)
    done = schema.migrate(client, settings)
    print("\n".join(done) if done else f"schema is current ({clickhouse.describe(settings)})")
    return 0


def _print_table(columns: list[str], rows: list[list], fmt: str) -> None:
    if fmt == "json":
        import orjson

        for r in rows:
            sys.stdout.write(orjson.dumps(dict(zip(columns, r)), default=str).decode() + "\n")
        return
    if fmt == "tsv":
        print("\t".join(columns))
        for r in rows:
            print("\t".join("" if v is None else str(v) for v in r))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(*columns, show_lines=False)
    for r in rows:
        table.add_row(*("" if v is None else str(v) for v in r))
    Console().print(table)
    print(f"{len(rows)} row(s)")


def _cmd_query(args: argparse.Namespace) -> int:
    from sinks import service
    from sinks.query import NAMED, ReadOnlyViolation

    if args.list or (not args.name and not args.sql):
        for name, q in NAMED.items():
            print(f"{name:20} {q.description}")
        return 0
    if args.name and args.sql:
        raise CLIError("give a query name or --sql, not both")
    if args.name and args.name not in NAMED:
        raise CLIError(f"unknown query {args.name!r}; known: {', '.join(NAMED)}")
    settings = _settings()
    try:
        analytics = service.open_analytics(settings)
        columns, rows = analytics.sql(args.sql) if args.sql else analytics.named(args.name, args.limit)
    except ReadOnlyViolation as exc:
        raise CLIError(f"refused: {exc}") from None
    except service.SinkUnavailable as exc:
        raise CLIError(f"{exc} (is another process using the chDB folder without serving queries?)") from None
    _print_table(columns, rows, args.format)
    return 0


def _cmd_erase(args: argparse.Namespace) -> int:
    from schemas.topics import CONTROL_TOPIC
    from sinks import service

    settings = _settings()
    try:  # the rows first, so the counts printed are this command's
        removed = service.open_analytics(settings).erase(args.user)
    except service.SinkUnavailable as exc:
        raise CLIError(str(exc)) from None
    for table, n in removed.items():
        print(f"{table}: {n} row(s) removed")
    print(f"total: {sum(removed.values())} row(s) removed")
    status = 0
    if not args.clickhouse_only:  # the worker forgets the state; the sink erases rows still in flight
        try:
            asyncio.run(_send_erase(settings, settings.topic(CONTROL_TOPIC), args.user))
            print(f"erase request sent to {settings.topic(CONTROL_TOPIC)} (worker state; the sink erases again)")
        except Exception as exc:  # noqa: BLE001
            print(f"error: could not send the erase request to Kafka: {exc}", file=sys.stderr)
            status = 1
    return status


async def _send_erase(settings, topic: str, user_id: str) -> None:
    from aiokafka import AIOKafkaProducer

    from schemas.internal import EraseRequest

    producer = AIOKafkaProducer(**kafka_options(settings), acks="all", enable_idempotence=True,
                                request_timeout_ms=10_000)
    await asyncio.wait_for(producer.start(), 15)
    try:
        await producer.send_and_wait(topic, EraseRequest(type="erase", user_id=user_id).to_bytes(),
                                     key=user_id.encode("utf-8"))
    finally:
        await producer.stop()


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("sink", help="run the ClickHouse sink (analytics topics -> tables, exactly once)",
                       description="Consume the analytics topics in the group <app_id>-sink and insert batches "
                                   "into ClickHouse (embedded chDB unless MOMENTS_CLICKHOUSE_URL is set).")
    p.add_argument("--no-endpoint", action="store_true",
                   help="embedded chDB: do not serve queries/erasures on the local endpoint")
    p.set_defaults(func=_cmd_sink)

    p = sub.add_parser("migrate", help="create or upgrade the ClickHouse tables (idempotent)")
    p.set_defaults(func=_cmd_migrate)

    p = sub.add_parser("query", help="analyst queries on ClickHouse (named, or read-only --sql)",
                       description="Run a named analyst query and print a table; without arguments, list them.")
    p.add_argument("name", nargs="?", help="named query (see --list)")
    p.add_argument("--sql", help="one read-only statement (SELECT, WITH, SHOW, DESCRIBE, EXPLAIN, EXISTS)")
    p.add_argument("--limit", type=int, default=100, help="max rows of a named query (default 100)")
    p.add_argument("--format", choices=("table", "tsv", "json"), default="table")
    p.add_argument("--list", action="store_true", help="list the named queries")
    p.set_defaults(func=_cmd_query)

    p = sub.add_parser("erase", help="erase a user: ClickHouse rows and pipeline state",
                       description="Send an erase request on mm.control (the worker forgets the user's state) "
                                   "and delete the user's rows from ClickHouse; prints how many.")
    p.add_argument("--user", required=True, help="the user id (as in the input events)")
    p.add_argument("--clickhouse-only", action="store_true", help="do not send the request to the pipeline")
    p.set_defaults(func=_cmd_erase)
