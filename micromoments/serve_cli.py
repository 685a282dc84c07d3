"""``micromoments serve`` (the profile API and agent desk) and ``micromoments keys`` (its API keys)."""

from __future__ import annotations

import argparse
import sys

from config import CLIError, get_settings

SERVE_HELP = """Answer by user id, over HTTP: GET /v1/profiles/{user_id}, GET /v1/profiles/{user_id}/next-best-action
?channel=callcenter|terminal|web|app|email, the agent desk page /desk/{user_id}, /health, /metrics, OpenAPI
at /openapi.json. Follows the compacted profiles topic (MOMENTS_KAFKA_BOOTSTRAP) into a local store
(MOMENTS_SERVE_STORE) that survives restarts. Callers need an API key (micromoments keys create NAME)."""


def build_serve_app(store_path=None, bootstrap: str | None = ""):
    """The replica as configured by the settings (``bootstrap`` None: no topic, tests seed the store)."""
    from actions.catalogue import Catalogue, CatalogueError
    from schemas.topics import PROFILES_TOPIC
    from serving.app import ServeApp
    from serving.keys import KeyFile
    from serving.store import ProfileStore

    s = get_settings()
    try:
        catalogue = Catalogue.load(s.actions_file)
    except CatalogueError as exc:
        raise CLIError(str(exc)) from exc
    topic = s.topic(PROFILES_TOPIC)
    path = store_path if store_path is not None else (s.serve_store or s.data_dir / "serve" / "profiles.sqlite")
    return ServeApp(store=ProfileStore(path, topic=topic), keys=KeyFile(s.keys_path()), catalogue=catalogue,
                    bootstrap=s.kafka_bootstrap if bootstrap == "" else bootstrap, topic=topic,
                    rate_limit=s.serve_rate_limit, rate_burst=s.serve_rate_burst,
                    max_request_bytes=s.serve_max_request_bytes)


def _cmd_serve(args: argparse.Namespace) -> int:
    import logging

    import uvicorn

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    app = build_serve_app(args.store)
    print(f"micromoments serve on http://{args.host}:{args.port} (OpenAPI /openapi.json, desk /desk/USER_ID); "
          f"{len(app.keys)} API key(s)", file=sys.stderr)
    # no access log: request paths carry user ids, which must not reach logs (privacy)
    uvicorn.run(app.asgi, host=args.host, port=args.port, access_log=False, log_level="warning",
                workers=1, loop="auto", http="auto", timeout_graceful_shutdown=5)
    return 0


def _cmd_keys(args: argparse.Namespace) -> int:
    from serving.keys import KeyError_, KeyFile

    keys = KeyFile(args.file or get_settings().keys_path())
    try:
        if args.keys_command == "create":
            key = keys.create(args.name)
            print(key)
            print(f"key {args.name!r} created; it is shown only now (the file {keys.path} keeps its hash). "
                  "A running serve accepts it within a second.", file=sys.stderr)
        elif args.keys_command == "list":
            rows = keys.list()
            for row in rows:
                print(f"{row['name']}\t{row['created']}")
            if not rows:
                print(f"no keys in {keys.path} (micromoments keys create NAME)", file=sys.stderr)
        else:
            keys.revoke(args.name)
            print(f"key {args.name!r} revoked; a running serve refuses it within a second", file=sys.stderr)
    except KeyError_ as exc:
        raise CLIError(str(exc)) from exc
    return 0


def _cmd_actions_check(args: argparse.Namespace) -> int:
    from actions.catalogue import Catalogue, CatalogueError

    try:
        cat = Catalogue.load(args.file or get_settings().actions_file)
    except CatalogueError as exc:
        raise CLIError(str(exc)) from exc
    capped = sum(a.cap is not None for a in cat.actions)
    print(f"{cat.source}: {len(cat.actions)} actions ({capped} with a frequency cap), every channel x level x "
          "moment covered")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    from pathlib import Path

    p = sub.add_parser("serve", help="the profile API and agent desk for call centers and terminals (HTTP)",
                       description=SERVE_HELP)
    p.add_argument("--host", default="127.0.0.1", help="bind address (default 127.0.0.1; 0.0.0.0 in a container)")
    p.add_argument("--port", type=int, default=8080, help="port (default 8080)")
    p.add_argument("--store", type=Path, help="the local profile store (default MOMENTS_SERVE_STORE or "
                                              "DATA_DIR/serve/profiles.sqlite)")
    p.set_defaults(func=_cmd_serve)

    k = sub.add_parser("keys", help="API keys of serve: create (shown once), list, revoke",
                       description="API keys for micromoments serve. Only hashes are stored, in MOMENTS_API_KEYS_FILE "
                                   "(default DATA_DIR/api-keys.json); a running serve picks up changes.")
    k.add_argument("--file", type=Path, help="the keys file (default MOMENTS_API_KEYS_FILE)")
    ks = k.add_subparsers(dest="keys_command", metavar="ACTION")
    ks.required = True
    for name, text in (("create", "make a key and print it once"), ("revoke", "remove a key")):
        c = ks.add_parser(name, help=text)
        c.add_argument("name", help="who uses the key, e.g. call-center-berlin")
    ks.add_parser("list", help="the keys' names and creation times (never the keys)")
    k.set_defaults(func=_cmd_keys)

    a = sub.add_parser("actions", help="the next-best-action catalogue: check a file before ops use it")
    asub = a.add_subparsers(dest="actions_command", metavar="ACTION")
    asub.required = True
    c = asub.add_parser("check", help="validate a catalogue (default: MOMENTS_ACTIONS_FILE or the shipped one)")
    c.add_argument("file", nargs="?", type=Path, help="the catalogue (TOML)")
    c.set_defaults(func=_cmd_actions_check)
