"""``micromoments model``: the shared model on ``mm.model`` (docs/ARCHITECTURE.md, "One model across workers").

``status`` prints the latest version; ``export`` writes one version (the latest, ``--version``
as moments name it, or ``--seq``) to a file that ``micromoments replay --model FILE --freeze``
decides with: the same decisions the workers made with that version.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import Any

import orjson

from config import CLIError


def _version_key(version: str) -> tuple[int, ...]:
    try:
        return tuple(int(p) for p in version.split("."))
    except ValueError:
        raise CLIError(f"a model version looks like 120.4711 (feedback labels.rule labels), not {version!r}") from None


async def _read(seq: int | None, version: str | None) -> tuple[Any, dict[str, Any]]:
    from aiokafka.errors import KafkaError

    from config import get_settings
    from pipeline.model_log import ModelLog, read_version
    from schemas.topics import MODEL_TOPIC

    settings = get_settings()
    want = _version_key(version) if version is not None else None

    def usable(h: dict[str, str]) -> bool:
        if seq is not None:
            return int(h["mm-seq"]) <= seq
        if want is not None:
            return bool(h.get("mm-version")) and _version_key(h["mm-version"]) <= want
        return True

    def reached(r: ModelLog) -> bool:
        if seq is not None:
            return r.seq >= seq
        if want is not None:
            return r.models is not None and _version_key(r.meta.get("version", "0")) >= want
        return False

    try:
        reader, _ = await read_version(settings, usable, reached)
    except (KafkaError, TimeoutError, OSError) as exc:
        raise CLIError(f"cannot read {settings.topic(MODEL_TOPIC)} at {settings.kafka_bootstrap}: {exc!r}") from None
    if reader.models is None:
        raise CLIError(f"no model version on {settings.topic(MODEL_TOPIC)} (no worker has run with "
                       "MOMENTS_MODEL_SYNC=shared, or the versions asked for are past the topic's retention)")
    got = reader.meta
    if (seq is not None and got["seq"] != seq) or (version is not None and got.get("version") != version):
        asked = f"seq {seq}" if seq is not None else f"version {version}"
        raise CLIError(f"{asked} is not on the topic; nearest: seq {got['seq']}, version {got.get('version')}")
    return reader.models, got


def _cmd_status(args: argparse.Namespace) -> int:
    _, meta = asyncio.run(_read(None, None))
    print(f"seq {meta['seq']}  version {meta.get('version')}  epoch {meta['epoch']}  "
          f"published {meta.get('ts_ms')}  learned up to mm.learn offset {meta.get('learn_offset')}")
    return 0


def _cmd_export(args: argparse.Namespace) -> int:
    from pipeline.learning import snapshot

    models, meta = asyncio.run(_read(args.seq, args.version))
    payload = orjson.dumps({**meta, "models": snapshot(models)})
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(payload)
    print(f"wrote seq {meta['seq']} (version {meta.get('version')}) to {args.out}", file=sys.stderr)
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("model", help="the shared model's versions on mm.model (status, export for replay)",
                       description=__doc__)
    cmds = p.add_subparsers(dest="model_command", metavar="ACTION")
    cmds.required = True
    s = cmds.add_parser("status", help="the latest version")
    s.set_defaults(func=_cmd_status)
    e = cmds.add_parser("export", help="one version to a file for `replay --model FILE --freeze`")
    which = e.add_mutually_exclusive_group()
    which.add_argument("--version", help="as a moment's model.version names it (default: the latest)")
    which.add_argument("--seq", type=int, help="the version's sequence number")
    e.add_argument("--out", "-o", type=Path, required=True, help="the file to write (JSON)")
    e.set_defaults(func=_cmd_export)
