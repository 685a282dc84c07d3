"""Every topic name, defined once: the contract's topics and the pipeline's internal ones.

Names are without the deployment's prefix (``MOMENTS_TOPIC_PREFIX``, ``Settings.topic``).

>>> moment_topic("buy")
'moments.buy'
>>> MOMENT_TOPICS
('moments.know', 'moments.go', 'moments.do', 'moments.buy')
"""

from __future__ import annotations

from typing import Literal, get_args

# --- the contract (../shared/DESIGN.md) -----------------------------------------------------------
CLICKSTREAM_TOPIC = "events.clickstream"
SEARCH_TOPIC = "events.search"
LOCATION_TOPIC = "events.location"
FEEDBACK_TOPIC = "feedback"
CONTACT_TOPIC = "events.contact"  # customer communication (../shared/PROFILES.md)
VENUES_TOPIC = "ref.venues"  # compacted reference data, key = venue id
DLQ_TOPIC = "events.dlq"
PROFILES_TOPIC = "profiles"  # compacted, key = user id: the latest profile (../shared/PROFILES.md)
#: header of a profile record caused by a message: that message's event_id (tracing, freshness)
CAUSE_HEADER = "mm-event-id"
#: the inputs keyed by user id, in the merge's order for equal event times (contacts last: added later,
#: so the order of the others stays as it was)
EVENT_TOPICS = (CLICKSTREAM_TOPIC, SEARCH_TOPIC, LOCATION_TOPIC, FEEDBACK_TOPIC, CONTACT_TOPIC)
#: the four moments, in the contract's order
MomentName = Literal["know", "go", "do", "buy"]
MOMENTS: tuple[str, ...] = get_args(MomentName)


def moment_topic(moment: str) -> str:
    """The action topic of a moment."""
    return f"moments.{moment}"


MOMENT_TOPICS = tuple(moment_topic(m) for m in MOMENTS)

# --- internal (docs/ARCHITECTURE.md) --------------------------------------------------------------
REKEYED_TOPIC = "mm.rekeyed"  # inputs re-partitioned by user id
CONTROL_TOPIC = "mm.control"  # erase requests, keyed by user id
ANALYTICS_EVENTS_TOPIC = "mm.analytics.events"  # normalized events for the sink
ANALYTICS_SESSIONS_TOPIC = "mm.analytics.sessions"  # closed sessions for the sink
ANALYTICS_MOMENTS_TOPIC = "mm.analytics.moments"  # published moments of analytics-consenting users
ANALYTICS_METRICS_TOPIC = "mm.analytics.metrics"  # the online model's running quality
ANALYTICS_CONTACTS_TOPIC = "mm.analytics.contacts"  # analysed inbound messages of analytics-consenting users
LEARN_TOPIC = "mm.learn"  # learning examples of every worker for the one learner (1 partition)
MODEL_TOPIC = "mm.model"  # the shared model's versions: snapshots and deltas (1 partition)
#: topics only the workers read and write (their formats: docs/ARCHITECTURE.md), not in the AsyncAPI document
WORKER_TOPICS = (REKEYED_TOPIC, LEARN_TOPIC, MODEL_TOPIC)
ANALYTICS_TOPICS = (ANALYTICS_EVENTS_TOPIC, ANALYTICS_MOMENTS_TOPIC, ANALYTICS_SESSIONS_TOPIC,
                    ANALYTICS_METRICS_TOPIC, ANALYTICS_CONTACTS_TOPIC)

#: every topic the pipeline reads or writes
ALL_TOPICS = (*EVENT_TOPICS, VENUES_TOPIC, *MOMENT_TOPICS, DLQ_TOPIC, PROFILES_TOPIC, REKEYED_TOPIC, CONTROL_TOPIC,
              ANALYTICS_EVENTS_TOPIC, ANALYTICS_SESSIONS_TOPIC, ANALYTICS_MOMENTS_TOPIC, ANALYTICS_METRICS_TOPIC,
              ANALYTICS_CONTACTS_TOPIC, LEARN_TOPIC, MODEL_TOPIC)
