"""``micromoments schemas``: JSON Schema files of every message of the contract, and an AsyncAPI 3.0 document."""

from __future__ import annotations

import argparse
from pathlib import Path

import orjson
from pydantic import BaseModel

from schemas import (
    ClickEvent,
    ContactEvent,
    DlqRecord,
    Feedback,
    LocationEvent,
    Moment,
    SearchEvent,
    Venue,
    VenueTombstone,
)
from schemas.internal import AnalyticsEvent, AnalyticsSession, EraseRequest, ModelMetrics
from schemas.profiles import AnalysedContact, Profile
from schemas.topics import (
    ANALYTICS_CONTACTS_TOPIC,
    ANALYTICS_EVENTS_TOPIC,
    ANALYTICS_METRICS_TOPIC,
    ANALYTICS_SESSIONS_TOPIC,
    CLICKSTREAM_TOPIC,
    CONTACT_TOPIC,
    CONTROL_TOPIC,
    DLQ_TOPIC,
    FEEDBACK_TOPIC,
    LOCATION_TOPIC,
    PROFILES_TOPIC,
    SEARCH_TOPIC,
    VENUES_TOPIC,
)

#: file stem -> (model, JSON Schema mode). Inputs are described as accepted, outputs as written.
SCHEMA_FILES: dict[str, tuple[type[BaseModel], str]] = {
    CLICKSTREAM_TOPIC: (ClickEvent, "validation"),
    SEARCH_TOPIC: (SearchEvent, "validation"),
    LOCATION_TOPIC: (LocationEvent, "validation"),
    FEEDBACK_TOPIC: (Feedback, "validation"),
    CONTACT_TOPIC: (ContactEvent, "validation"),
    VENUES_TOPIC: (Venue, "validation"),
    f"{VENUES_TOPIC}.tombstone": (VenueTombstone, "validation"),
    "moment": (Moment, "serialization"),
    DLQ_TOPIC: (DlqRecord, "serialization"),
    PROFILES_TOPIC: (Profile, "serialization"),
    # internal: worker -> sink, operators -> worker and sink (schemas/internal.py)
    ANALYTICS_EVENTS_TOPIC: (AnalyticsEvent, "serialization"),
    ANALYTICS_SESSIONS_TOPIC: (AnalyticsSession, "serialization"),
    ANALYTICS_METRICS_TOPIC: (ModelMetrics, "serialization"),
    ANALYTICS_CONTACTS_TOPIC: (AnalysedContact, "serialization"),
    CONTROL_TOPIC: (EraseRequest, "validation"),
}


def json_schemas() -> dict[str, dict]:
    """Every message's JSON Schema (draft 2020-12), keyed by file stem."""
    out = {}
    for stem, (model, mode) in SCHEMA_FILES.items():
        schema = model.model_json_schema(mode=mode)
        schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        schema["$id"] = f"micromoments/{stem}.schema.json"
        out[stem] = schema
    return out


def export(directory: Path) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for stem, schema in json_schemas().items():
        path = directory / f"{stem}.schema.json"
        path.write_bytes(orjson.dumps(schema, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS) + b"\n")
        written.append(path)
    return written


def _cmd_export(args: argparse.Namespace) -> int:
    for path in export(Path(args.directory)):
        print(path)
    return 0


def _cmd_asyncapi(args: argparse.Namespace) -> int:
    from config import get_settings
    from tools.asyncapi import render

    text = render(partitions=get_settings().partitions, bootstrap=get_settings().kafka_bootstrap)
    if args.out in (None, "-"):
        print(text, end="")
    else:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(text, encoding="utf-8")
        print(args.out)
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("schemas", help="export the message schemas (JSON Schema, AsyncAPI)", description=__doc__)
    ssub = p.add_subparsers(dest="schemas_command", metavar="ACTION")
    ssub.required = True
    e = ssub.add_parser("export", help="write one JSON Schema file per message type into DIR")
    e.add_argument("directory", metavar="DIR", help="output folder (created if missing)")
    e.set_defaults(func=_cmd_export)
    a = ssub.add_parser("asyncapi", help="write the AsyncAPI 3.0 document of every topic (YAML)")
    a.add_argument("--out", metavar="FILE", help="output file (default: stdout)")
    a.set_defaults(func=_cmd_asyncapi)
