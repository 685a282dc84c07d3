"""AsyncAPI 3.0 description of the pipeline's Kafka interface, generated from the pydantic models.

The payload schemas are the JSON Schemas of ``micromoments schemas export`` (the same
``SCHEMA_FILES``); their ``$defs`` are hoisted into ``components.schemas`` so that every
``$ref`` resolves inside the one AsyncAPI document. Operations are seen from the pipeline:
it *receives* the input topics and *sends* the moment topics and the DLQ. The internal
``mm.*`` topics (worker -> sink, erasure control) are not part of the contract and are left out.
"""

from __future__ import annotations

import copy
from typing import Any

import yaml

from pipeline import __version__
from schemas.topics import (
    ANALYTICS_CONTACTS_TOPIC,
    ANALYTICS_EVENTS_TOPIC,
    ANALYTICS_METRICS_TOPIC,
    ANALYTICS_MOMENTS_TOPIC,
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
    moment_topic,
)
from tools.schema_cli import SCHEMA_FILES, json_schemas

BINDING_VERSION = "0.5.0"
USER_KEY = {"type": "string", "description": "user_id of the message (UTF-8); Kafka's default murmur2 partitioner, "
                                            "so a user's clicks, searches, positions and feedback share a partition"}
VENUE_KEY = {"type": "string", "description": "venue_id of the venue (UTF-8); the compaction key"}
DLQ_KEY = {"type": ["string", "null"], "description": "the key of the rejected record as it was (normally the "
                                                      "user id); the bytes are also in key_b64"}

#: input topic -> (channel id, title, description)
INPUTS: dict[str, tuple[str, str, str]] = {
    CLICKSTREAM_TOPIC: ("eventsClickstream", "Clickstream", "Page views, clicks, carts, checkouts and purchases."),
    SEARCH_TOPIC: ("eventsSearch", "Searches", "Site, app and voice search queries."),
    LOCATION_TOPIC: ("eventsLocation", "Positions", "Device positions (WGS 84)."),
    FEEDBACK_TOPIC: ("feedback", "Feedback", "Delayed labels for online learning. kind moment (default): the moment "
                                         "a session really was in (labels the session_id given, else the user's "
                                         "latest session started at or before ts); kind sentiment: the mood of one "
                                         "inbound contact; kind outcome: churned or stayed. Never triggers a moment "
                                         "by itself."),
    CONTACT_TOPIC: ("eventsContact", "Customer contacts", "Emails, chats, call notes, reviews, social posts and forms "
                                                           "between the customer and the company (PROFILES.md); "
                                                           "inbound text carries the customer's mood."),
}
MOMENT_TOPICS = {
    "know": "A customer wants to know: answer with content.",
    "go": "A customer wants to go: context carries the nearest venue with distance, opening state, stock and wait.",
    "do": "A customer wants to do: answer with a how-to.",
    "buy": "A customer wants to buy: answer with an offer.",
}

#: internal topics: (topic, channel id, message name, title, summary); mm.analytics.moments carries Moment
INTERNAL = (
    (ANALYTICS_EVENTS_TOPIC, "mmAnalyticsEvents", "AnalyticsEvent", "Analytics: events",
     "Every processed event of a user who allows analytics, normalized, for the ClickHouse events table."),
    (ANALYTICS_SESSIONS_TOPIC, "mmAnalyticsSessions", "AnalyticsSession", "Analytics: sessions",
     "Every session closed after 30 minutes of event-time inactivity, for the sessions table."),
    (ANALYTICS_MOMENTS_TOPIC, "mmAnalyticsMoments", "Moment", "Analytics: moments",
     "Every published moment of a user who allows analytics, for the moments table."),
    (ANALYTICS_METRICS_TOPIC, "mmAnalyticsMetrics", "ModelMetrics", "Analytics: model quality",
     "Each worker's online model and its prequential quality every 10 s (key = worker id)."),
    (ANALYTICS_CONTACTS_TOPIC, "mmAnalyticsContacts", "AnalysedContact", "Analytics: contacts",
     "Every analysed inbound message of a user who allows analytics: language and sentiment, for the contacts table."),
    (CONTROL_TOPIC, "mmControl", "EraseRequest", "Control: erase requests",
     "Forget a user: the worker drops the user's state, the sink deletes the user's rows."),
)

#: every topic named in the contract (DESIGN.md), in document order
CONTRACT_TOPICS = (*INPUTS, VENUES_TOPIC, *(moment_topic(m) for m in MOMENT_TOPICS), DLQ_TOPIC)


def _rewrite_refs(node: Any) -> Any:
    """``#/$defs/X`` -> ``#/components/schemas/X`` everywhere in a schema."""
    if isinstance(node, dict):
        return {k: (v.replace("#/$defs/", "#/components/schemas/") if k == "$ref" and isinstance(v, str)
                    else _rewrite_refs(v)) for k, v in node.items()}
    if isinstance(node, list):
        return [_rewrite_refs(v) for v in node]
    return node


def component_schemas() -> dict[str, dict]:
    """Every model's JSON Schema, plus the nested models, keyed by model name."""
    out: dict[str, dict] = {}
    for stem, schema in json_schemas().items():
        schema = copy.deepcopy(schema)
        defs = schema.pop("$defs", {})
        schema.pop("$schema", None)
        schema.pop("$id", None)
        model, _ = SCHEMA_FILES[stem]
        for name, sub in (*defs.items(), (model.__name__, schema)):
            sub = _rewrite_refs(sub)
            if name in out and out[name] != sub:
                raise ValueError(f"two different JSON Schemas named {name!r}")
            out[name] = sub
    return out


def _ref(*path: str) -> dict[str, str]:
    return {"$ref": "#/" + "/".join(p.replace("/", "~1") for p in path)}


def _message(name: str, title: str, summary: str, payload: dict, key: dict) -> dict:
    return {
        "name": name,
        "title": title,
        "summary": summary,
        "contentType": "application/json",
        "payload": payload,
        "bindings": {"kafka": {"key": key, "bindingVersion": BINDING_VERSION}},
    }


def _channel(topic: str, title: str, description: str, messages: dict[str, str], partitions: int | None,
             compacted: bool = False) -> dict:
    kafka: dict[str, Any] = {"topic": topic, "bindingVersion": BINDING_VERSION}
    if partitions is not None:
        kafka["partitions"] = partitions
    kafka["topicConfiguration"] = {"cleanup.policy": ["compact" if compacted else "delete"]}
    return {
        "address": topic,
        "title": title,
        "description": description,
        "messages": {mid: _ref("components", "messages", comp) for mid, comp in messages.items()},
        "bindings": {"kafka": kafka},
    }


def document(partitions: int = 4, bootstrap: str = "kafka:9092") -> dict:
    """The AsyncAPI 3.0.0 document as a dict (``partitions``: of the user-keyed topics)."""
    schemas = component_schemas()
    sref = lambda name: _ref("components", "schemas", name)  # noqa: E731

    messages = {
        "ClickEvent": _message("ClickEvent", "Clickstream event", "One click-stream event.",
                               sref("ClickEvent"), USER_KEY),
        "SearchEvent": _message("SearchEvent", "Search event", "One search query.", sref("SearchEvent"), USER_KEY),
        "LocationEvent": _message("LocationEvent", "Location event", "One device position.",
                                  sref("LocationEvent"), USER_KEY),
        "Feedback": _message("Feedback", "Feedback", "A delayed label: a session's moment, a contact's "
                                                     "sentiment or the customer's outcome.",
                             sref("Feedback"), USER_KEY),
        "ContactEvent": _message("ContactEvent", "Customer contact", "One message between the customer and the "
                                                                     "company.", sref("ContactEvent"), USER_KEY),
        "Venue": _message("Venue", "Venue", "A venue (store, branch, pick-up point) with stock and wait time; "
                                            "a newer record for the same key replaces the old one.",
                          sref("Venue"), VENUE_KEY),
        "VenueTombstone": _message(
            "VenueTombstone", "Venue tombstone",
            "Removes the venue named by the key: a null value (Kafka tombstone); the replay-file form "
            "{venue_id, deleted: true} is accepted too.",
            {"oneOf": [{"type": "null"}, sref("VenueTombstone")]}, VENUE_KEY),
        "Moment": _message("Moment", "Moment", "A session entered a micro-moment. moment_id is deterministic: "
                                               "deduplicate re-deliveries on it.", sref("Moment"), USER_KEY),
        "Profile": _message("Profile", "Customer profile", "The whole profile of a user after a change "
                                                           "(mood, criticality, interests, next best action per "
                                                           "channel); a null value (tombstone) when the user is erased.",
                            {"oneOf": [{"type": "null"}, sref("Profile")]}, USER_KEY),
        "DlqRecord": _message("DlqRecord", "Dead letter", "A rejected input record with the original bytes, "
                                                          "its source topic/partition/offset and a reason.",
                              sref("DlqRecord"), DLQ_KEY),
        **{name: _message(name, title, summary, sref(name), USER_KEY)
           for _, _, name, title, summary in INTERNAL if name != "Moment"},
    }

    channels: dict[str, dict] = {}
    operations: dict[str, dict] = {}
    model_message = {"ClickEvent": "clickEvent", "SearchEvent": "searchEvent", "LocationEvent": "locationEvent",
                     "Feedback": "feedback", "ContactEvent": "contactEvent"}
    for (topic, (cid, title, desc)), comp in zip(INPUTS.items(), model_message, strict=True):
        mid = model_message[comp]
        channels[cid] = _channel(topic, title, desc + " Key = user_id.", {mid: comp}, partitions)
        operations[f"receive{cid[0].upper()}{cid[1:]}"] = {
            "action": "receive", "title": f"Consume {topic}",
            "summary": "The worker validates, sessionizes and scores each event; bad input goes to events.dlq.",
            "channel": _ref("channels", cid), "messages": [_ref("channels", cid, "messages", mid)],
        }
    channels["refVenues"] = _channel(
        VENUES_TOPIC, "Venues", "Reference data of venues, compacted, key = venue_id. Every worker reads all of it; "
                                "it enriches go moments.",
        {"venue": "Venue", "venueTombstone": "VenueTombstone"}, 1, compacted=True)
    operations["receiveRefVenues"] = {
        "action": "receive", "title": "Follow ref.venues", "summary": "Every worker keeps the whole venue index.",
        "channel": _ref("channels", "refVenues"),
        "messages": [_ref("channels", "refVenues", "messages", "venue"),
                     _ref("channels", "refVenues", "messages", "venueTombstone")],
    }
    for moment, desc in MOMENT_TOPICS.items():
        cid = f"moments{moment.capitalize()}"
        channels[cid] = _channel(moment_topic(moment), f"Moments: {moment}",
                                 desc + " Key = user_id. One message each time a session enters the moment.",
                                 {"moment": "Moment"}, partitions)
        operations[f"send{cid[0].upper()}{cid[1:]}"] = {
            "action": "send", "title": f"Publish moments.{moment}",
            "summary": f"Marketing systems subscribe to moments.{moment} with their own consumer group.",
            "channel": _ref("channels", cid), "messages": [_ref("channels", cid, "messages", "moment")],
        }
    channels["eventsDlq"] = _channel(DLQ_TOPIC, "Dead letters",
                                     "Every input record that broke the contract, with the original bytes.",
                                     {"dlqRecord": "DlqRecord"}, partitions)
    operations["sendEventsDlq"] = {
        "action": "send", "title": "Publish events.dlq", "summary": "Bad input never stops the pipeline.",
        "channel": _ref("channels", "eventsDlq"), "messages": [_ref("channels", "eventsDlq", "messages", "dlqRecord")],
    }

    channels["profiles"] = _channel(PROFILES_TOPIC, "Customer profiles",
                                    "Compacted, key = user_id: the latest profile of each user; call centers, "
                                    "terminals and the ClickHouse sink follow it.", {"profile": "Profile"},
                                    partitions, compacted=True)
    operations["sendProfiles"] = {
        "action": "send", "title": "Publish profiles", "summary": "A new record whenever what a reader sees changes.",
        "channel": _ref("channels", "profiles"), "messages": [_ref("channels", "profiles", "messages", "profile")],
    }

    for topic, cid, name, title, summary in INTERNAL:
        channels[cid] = _channel(topic, title, f"Internal. {summary} Key = user_id.", {"message": name}, partitions)
        action = "receive" if topic == CONTROL_TOPIC else "send"
        operations[f"{action}{cid[0].upper()}{cid[1:]}"] = {
            "action": action, "title": f"{action.capitalize()} {topic}",
            "summary": "Read by the worker and the sink." if topic == CONTROL_TOPIC else "Read by the ClickHouse sink.",
            "channel": _ref("channels", cid), "messages": [_ref("channels", cid, "messages", "message")],
        }

    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "micromoments",
            "version": __version__,
            "description": (
                "Detects a customer's micro-moment (know, go, do, buy) from click, search and location events "
                "and publishes it on an action topic within milliseconds. JSON, UTF-8, one message per record. "
                "Every topic name may carry the prefix MOMENTS_TOPIC_PREFIX. Times are epoch milliseconds or "
                "RFC 3339 with an offset on input; RFC 3339 UTC with milliseconds on output. Unknown extra fields "
                "of input events are allowed and kept."
            ),
        },
        "defaultContentType": "application/json",
        "servers": {
            "kafka": {"host": bootstrap, "protocol": "kafka", "description": "Apache Kafka (MOMENTS_KAFKA_BOOTSTRAP)"},
        },
        "channels": channels,
        "operations": operations,
        "components": {"messages": messages, "schemas": schemas},
    }


def render(partitions: int = 4, bootstrap: str = "kafka:9092") -> str:
    """The document as YAML."""
    return yaml.safe_dump(document(partitions, bootstrap), sort_keys=False, allow_unicode=True, width=100)
