"""``micromoments worker``: the streaming worker (Faust), with topics created first."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys


def _cmd_worker(args: argparse.Namespace) -> int:
    if args.web_port is not None:
        os.environ["MOMENTS_WEB_PORT"] = str(args.web_port)
    from config import get_settings
    from pipeline.topics import config_drift, ensure_topics_sync

    get_settings.cache_clear()
    settings = get_settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    created = ensure_topics_sync(settings)
    if created:
        print(f"created topics: {', '.join(created)}", file=sys.stderr)
    try:
        for line in asyncio.run(config_drift(settings)):  # an older deployment's or an operator's topic
            print(f"warning: {line} (micromoments topics check)", file=sys.stderr)
    except Exception as exc:  # noqa: BLE001 - a broker without DescribeConfigs rights: say so, go on
        print(f"warning: topic configs not checked: {exc!r}", file=sys.stderr)
    from pipeline.app import build_app

    app, _worker = build_app(settings)

    # FAUST-NOTES pitfall 1: "-l warn" leaves the root logger at DEBUG; run at info and
    # quieten the chatty libraries instead.
    argv = ["micromoments", "worker", "-l", "info", "--web-port", str(settings.web_port),
            "--web-host", settings.web_host, "--web-bind", settings.web_host]
    if args.no_web:
        argv.append("--without-web")
    if not settings.debug_logs:
        for name in ("aiokafka", "faust", "mode"):
            logging.getLogger(name).setLevel(logging.WARNING)
    sys.argv = argv  # Faust's command line reads sys.argv
    app.main()


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("worker", help="run the streaming worker (Faust agents)",
                       description="Start the Faust worker: consumes the input topics, publishes moments.")
    p.add_argument("--web-port", type=int, help="web port for health and stats (default MOMENTS_WEB_PORT or 6066)")
    p.add_argument("--no-web", action="store_true", help="do not start the web server")
    p.set_defaults(func=_cmd_worker)
