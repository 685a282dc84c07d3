"""The ``micromoments`` command line: one entry point, one sub-command per job.

Each sub-command lives in the module that owns the work and registers itself
through ``register(subparsers)``; this file only wires them together.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from config import CLIError
from pipeline import __version__


def _build_parser() -> argparse.ArgumentParser:
    from micromoments import model_cli, serve_cli, sink_cli, topics_cli
    from pipeline import replay, worker
    from tools import broker, evaluate, schema_cli, simulate, soak, train, unseen
    from tools.bench import suite as bench

    parser = argparse.ArgumentParser(
        prog="micromoments",
        description="Detect customers' micro-moments (know, go, do, buy) from Kafka event streams.",
    )
    parser.add_argument("--version", action="version", version=f"micromoments {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for module in (broker, replay, schema_cli, simulate, topics_cli, worker, evaluate, unseen, train, bench,
                   sink_cli, serve_cli, soak, model_cli):
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = _build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except CLIError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
