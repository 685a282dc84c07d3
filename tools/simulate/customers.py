"""The customer-profile variant of a scenario (``micromoments simulate --profiles``).

Like the shared sample ``electronics-en-profiles`` (``../shared/samples/README.md``): every user
has a hidden relationship (``relations``), sessions follow the user's interests and some carry
cancellation/complaint/return events (``cue_events`` in truth), customers and agents exchange
``events.contact`` messages (``contacts``, texts from ``texts``), and ``feedback`` gains the kinds
``sentiment`` and ``outcome``. Ground truth: ``users.jsonl``, ``contacts_truth.jsonl`` and the
``contacts`` block of ``meta.json``.
"""

from __future__ import annotations

from collections import Counter

from schemas.topics import CONTACT_TOPIC
from tools.simulate.contacts import Contact, ContactMaker
from tools.simulate.relations import Hooks
from tools.simulate.sessions import Session, SessionMaker, Store, User

NOTES = ("half_ms splits the time range: sentiment feedback only for inbound contacts before it, outcome feedback "
         "only for users whose last event is before it; contacts are > 30 min away from the user's sessions; "
         "per_sentiment, sarcastic and per_medium count inbound messages, per_lang all")
CRITICALITIES = ("green", "amber", "red")


class Customers:
    def __init__(self, seed: int, maker: SessionMaker, stores: dict[str, list[Store]]) -> None:
        self.hooks = Hooks(seed, maker.p, maker)
        self.cm = ContactMaker(seed, self.hooks, stores)
        self.contacts: list[Contact] = []
        self.outcome: set[str] = set()
        self.half_ms = 0
        self.n_feedback = 0

    def items(self, users: list[User], sessions: list[Session], t_min: int, t_max: int) -> list[tuple[int, bytes]]:
        """The contact and feedback lines with their times (after the sessions are drawn)."""
        self.half_ms = (t_min + t_max) // 2
        contacts = sorted(self.cm.plan(users, sessions, t_min, t_max), key=lambda c: c.t)
        out = [(c.t, self.cm.line(c)) for c in contacts]
        last: dict[str, int] = {}
        for s in sessions:
            last[s.user.uid] = max(last.get(s.user.uid, s.end), s.end)
        for c in contacts:
            last[c.user.uid] = max(last[c.user.uid], c.t)
        feedback, self.outcome = self.cm.feedback(contacts, users, last, self.half_ms)
        self.contacts, self.n_feedback = contacts, len(feedback)
        return out + feedback

    def bad_base(self, base):
        """The scenario's bad-line base, extended by contact messages."""
        return lambda topic, user, t: self.cm.bad_base(user, t) if topic == CONTACT_TOPIC else base(topic, user, t)

    # ------------------------------------------------------------------ truth
    def users_truth(self, users: list[User], sessions: list[Session]) -> list[dict]:
        per: dict[str, Counter] = {u.uid: Counter() for u in users}
        for s in sessions:
            n = per[s.user.uid]
            n["sessions"] += 1
            n["product"] += sum(1 for e in s.events if e.topic == "events.clickstream" and "product_id" in e.body)
            n["cues"] += sum(e.cue for e in s.events)
        for c in self.contacts:
            per[c.user.uid]["contacts"] += 1
            per[c.user.uid]["inbound"] += c.direction == "inbound"
        rows = []
        for u in users:
            n, rel = per[u.uid], u.rel
            rows.append({"user_id": u.uid, "criticality": rel.criticality, "churned": rel.churned,
                         "interests": list(rel.interests), "opted_out": u.opted_out, "analytics_off": u.analytics_off,
                         "n_sessions": n["sessions"], "n_product_events": n["product"], "n_cue_events": n["cues"],
                         "n_contacts": n["contacts"], "n_inbound": n["inbound"],
                         "has_outcome_feedback": u.uid in self.outcome})
        return rows

    def contacts_truth(self) -> list[dict]:
        return [{"event_id": c.eid, "user_id": c.user.uid, "ts": c.t, "direction": c.direction, "medium": c.medium,
                 "lang": c.lang, "lang_given": c.tag is not None, "sentiment": c.mood, "sarcastic": c.sarcastic,
                 "has_feedback": c.feedback_t is not None} for c in self.contacts]

    def meta(self, meta: dict, users: list[User], sessions: list[Session]) -> None:
        """Add ``events.contact`` and the new feedback to ``per_topic``, and the ``contacts`` block."""
        inbound = [c for c in self.contacts if c.direction == "inbound"]
        topics = dict(meta["per_topic"])
        per_topic = {}
        for topic, n in topics.items():
            if topic == "feedback":
                per_topic[CONTACT_TOPIC] = len(self.contacts)
                n += self.n_feedback
            per_topic[topic] = n
        meta["per_topic"] = per_topic
        moods = Counter(c.mood for c in inbound)
        crit = Counter(u.rel.criticality for u in users)
        cue_sessions = [s for s in sessions if any(e.cue for e in s.events)]
        meta["contacts"] = {
            "events": len(self.contacts), "inbound": len(inbound), "outbound": len(self.contacts) - len(inbound),
            "users_with_contacts": len({c.user.uid for c in self.contacts}),
            "per_sentiment": {m: moods[m] for m in ("negative", "neutral", "positive")},
            "sarcastic": sum(c.sarcastic for c in inbound),
            "per_lang": dict(sorted(Counter(c.lang for c in self.contacts).items())),
            "per_medium": dict(sorted(Counter(c.medium for c in inbound).items())),
            "lang_given": sum(c.tag is not None for c in self.contacts),
            "sentiment_feedback": sum(c.feedback_t is not None for c in self.contacts),
            "outcome_feedback": len(self.outcome),
            "cue_events": sum(e.cue for s in cue_sessions for e in s.events),
            "sessions_with_cues": len(cue_sessions),
            "per_criticality": {k: crit[k] for k in CRITICALITIES},
            "churned": sum(u.rel.churned for u in users),
            "half_ms": self.half_ms,
            "notes": NOTES,
        }
