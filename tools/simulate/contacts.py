"""Customer contacts (``--profiles``): who writes when, by which medium, in which mood and language,
the agents' answers, and the ``sentiment``/``outcome`` feedback; as replay lines.

A user has 0-4 messages (strained users more). The first is inbound; each later one is either
another inbound message or, now and then, an agent's answer to an earlier inbound one (same
medium, ticket and language; "Re:"/"AW:" for emails). Moods follow the relationship (green mostly
positive or neutral, red mostly negative; sarcasm is a negative mood in positive words). Every
message lies inside the scenario's time range and more than 30 minutes away from the same user's
clicks, searches and positions. Draws: ``{seed}:contacts`` (plan), ``:texts`` (words) and
``:contact-fields`` (ids and optional fields).
"""

from __future__ import annotations

import bisect
import random
from dataclasses import dataclass

from tools.feed import dumps
from tools.simulate.relations import Hooks, Relation
from tools.simulate.sessions import TS_FORMATS, Session, Store, User, pick
from tools.simulate.texts import LANGS, Composer, money

MEDIA: tuple[tuple[str, float], ...] = (("email", 0.35), ("chat", 0.2), ("call", 0.14), ("review", 0.15),
                                        ("social", 0.08), ("form", 0.08))
N_CONTACTS: dict[str, tuple[tuple[int, float], ...]] = {
    "green": ((0, 0.42), (1, 0.31), (2, 0.15), (3, 0.07), (4, 0.05)),
    "amber": ((0, 0.24), (1, 0.26), (2, 0.21), (3, 0.16), (4, 0.13)),
    "red": ((0, 0.12), (1, 0.18), (2, 0.22), (3, 0.21), (4, 0.27)),
}
MOOD: dict[str, tuple[tuple[str, float], ...]] = {
    "green": (("negative", 0.08), ("neutral", 0.42), ("positive", 0.50)),
    "amber": (("negative", 0.47), ("neutral", 0.31), ("positive", 0.22)),
    "red": (("negative", 0.76), ("neutral", 0.18), ("positive", 0.06)),
}
SARCASM = 0.09  # of the negative inbound messages
REPLY = 0.4  # a later message is an agent's answer (while an inbound one is unanswered)
TICKET = {"email": 0.55, "chat": 0.6, "call": 0.5, "form": 0.7, "review": 0.05, "social": 0.1}
GAP_MS = 31 * 60_000  # > 30 min from the user's session events
SENTIMENT_FEEDBACK = 0.3
OUTCOME_FEEDBACK = 0.5


@dataclass(slots=True)
class Contact:
    t: int
    user: User
    direction: str
    medium: str
    lang: str  # the language the text is written in
    mood: str | None  # inbound only
    sarcastic: bool
    fmt: str
    tag: str | None = None  # the event's ``lang`` field
    ticket: str | None = None
    subject: str | None = None
    text: str = ""
    eid: str = ""
    feedback_t: int | None = None  # a sentiment feedback for it


class ContactMaker:
    def __init__(self, seed: int, hooks: Hooks, stores: dict[str, list[Store]]) -> None:
        self.rng = random.Random(f"{seed}:contacts")
        self.frng = random.Random(f"{seed}:contact-fields")
        self.hooks = hooks
        self.p = hooks.p
        self.stores = stores
        self.composer = Composer(random.Random(f"{seed}:texts"), hooks.p)
        self.handle = "".join(ch for ch in self.p.shop.lower() if ch.isalnum())

    def uuid(self) -> str:
        h = f"{self.frng.getrandbits(128):032x}"
        return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{'89ab'[int(h[16], 16) % 4]}{h[17:20]}-{h[20:]}"

    # ------------------------------------------------------------------ plan
    def plan(self, users: list[User], sessions: list[Session], t_min: int, t_max: int) -> list[Contact]:
        busy: dict[str, list[int]] = {}
        for s in sessions:
            busy.setdefault(s.user.uid, []).extend(e.t for e in s.events)
        out: list[Contact] = []
        for user in users:
            times = sorted(busy.get(user.uid, ()))
            out += self._user(user, times, t_min, t_max)
        return out

    def _free(self, times: list[int], t: int) -> bool:
        i = bisect.bisect_left(times, t)
        return all(abs(times[j] - t) > GAP_MS for j in (i - 1, i) if 0 <= j < len(times))

    def _time(self, times: list[int], lo: int, hi: int, fmt: str, near: bool = False) -> int | None:
        """A free time in ``[lo, hi]``: uniform, or (``near``) 35 min to 12 h before or after one of
        the user's session events (customers write around the time they shop)."""
        rng = self.rng
        for _ in range(60):
            if near and times and rng.random() < 0.85:
                t = rng.choice(times) + (1 if rng.random() < 0.6 else -1) * int(rng.uniform(0.58, 12.0) * 3_600_000)
            else:
                t = rng.randint(lo, hi) if hi > lo else lo
            t -= t % 1000 if fmt in ("z", "o") else 0
            if lo <= t <= hi and self._free(times, t):
                return t
        return None

    def _user(self, user: User, times: list[int], t_min: int, t_max: int) -> list[Contact]:
        rng, rel = self.rng, user.rel
        n = pick(rng, N_CONTACTS[rel.criticality])
        if n == 0:
            return []
        n_in, n_out = 1, 0
        for _ in range(n - 1):
            if n_out < n_in and rng.random() < REPLY:
                n_out += 1
            else:
                n_in += 1
        inbound = []
        for _ in range(n_in):
            fmt = pick(rng, TS_FORMATS)
            t = self._time(times, t_min, t_max, fmt, near=True)
            if t is not None:
                inbound.append(Contact(t, user, "inbound", pick(rng, MEDIA), self.hooks.lang_of(rel, rng), None,
                                       False, fmt))
        inbound.sort(key=lambda c: c.t)
        for i, c in enumerate(inbound):
            c.mood = pick(rng, MOOD[rel.criticality])
            leaving = rel.churned and i == len(inbound) - 1 and rng.random() < 0.45
            if leaving:
                c.mood = "negative"
            c.sarcastic = c.mood == "negative" and not leaving and rng.random() < SARCASM
            c.ticket = f"CS-{rng.randrange(10**7):07d}" if rng.random() < TICKET[c.medium] else None
            c.tag = self._tag(user, c.lang) if rng.random() < 0.4 else None
            ctx = self._ctx(user, rel, c.lang)
            c.subject, c.text = self.composer.inbound(c.lang, c.mood, c.medium, ctx, c.sarcastic, leaving)
        replies = []
        for c in sorted(rng.sample(inbound, min(n_out, len(inbound))), key=lambda c: c.t):
            fmt = pick(rng, TS_FORMATS)
            lo = c.t + {"chat": 120_000, "social": 600_000}.get(c.medium, 1_800_000)
            hi = c.t + {"chat": 1_500_000, "social": 14_400_000}.get(c.medium, 36_000_000)
            t = self._time(times, lo, min(hi, t_max), fmt)
            if t is None:
                continue
            medium = "email" if c.medium == "form" else c.medium
            r = Contact(t, user, "outbound", medium, c.lang, None, False, fmt, ticket=c.ticket)
            r.tag = self._tag(user, c.lang) if rng.random() < 0.4 else None
            ctx = self._ctx(user, rel, c.lang)
            r.subject, r.text = self.composer.outbound(c.lang, medium, ctx, "negative" if c.sarcastic else c.mood,
                                                       c.subject)
            replies.append(r)
        return inbound + replies

    def _tag(self, user: User, lang: str) -> str:
        rng = self.rng
        if user.locale.split("-")[0] == lang and rng.random() < 0.5:
            return user.locale
        if lang == "de":
            return pick(rng, (("de", 0.5), ("de-DE", 0.35), ("de-AT", 0.1), ("de-CH", 0.05)))
        regional = next((loc for loc, _w in self.p.locales if loc.startswith("en-")), "en-US")
        return pick(rng, (("en", 0.55), (regional, 0.35), ("en-US", 0.05), ("en-GB", 0.05)))

    def _ctx(self, user: User, rel: Relation, lang: str) -> dict:
        rng = self.composer.rng
        product = rng.choice(self.hooks.interest_products(rel)) if rng.random() < 0.8 else rng.choice(self.p.products)
        store = rng.choice(self.stores[user.city.code])
        base = {"shop": self.p.shop, "shop_handle": self.handle, "product": product.name, "product_q": product.q,
                "store": store.name, "district": store.district, "city": user.city.name,
                "cat": self.p.category(product.category).title, "amount": money(product.price, self.p.currency, lang),
                "name": rel.name, "initial": chr(65 + rng.randrange(26)), "agent": rng.choice(LANGS[lang].agents),
                "handle": rel.handle, "kunde": "Kundin" if rel.female else "Kunde", "er": "sie" if rel.female else "er"}
        return self.composer.context(lang, base)

    # ------------------------------------------------------------------ feedback
    def feedback(self, contacts: list[Contact], users: list[User], last: dict[str, int], half_ms: int
                 ) -> tuple[list[tuple[int, bytes]], set[str]]:
        """Sentiment feedback for inbound messages before ``half_ms``, outcome feedback for users whose last
        event is before it: ``([(t, line)], user ids with an outcome)``."""
        from tools.simulate.scenario import format_ts

        rng, items, outcome = self.rng, [], set()
        for c in contacts:
            if c.direction == "inbound" and c.t < half_ms and rng.random() < SENTIMENT_FEEDBACK:
                fmt = pick(rng, TS_FORMATS)
                t = c.t + rng.randint(60_000, 3_600_000)
                t -= t % 1000 if fmt in ("z", "o") else 0
                c.feedback_t = t
                d = {"topic": "feedback", "event_id": self.uuid(), "user_id": c.user.uid,
                     "ts": format_ts(t, fmt, c.user.city.utc_offset_min), "kind": "sentiment",
                     "contact_event_id": c.eid, "sentiment": c.mood, "source": "agent"}
                items.append((t, dumps(self._consent(d, c.user))))
        for user in users:
            if last[user.uid] < half_ms and rng.random() < OUTCOME_FEEDBACK:
                fmt = pick(rng, TS_FORMATS)
                t = last[user.uid] + rng.randint(3_600_000, 10_800_000)
                t -= t % 1000 if fmt in ("z", "o") else 0
                d = {"topic": "feedback", "event_id": self.uuid(), "user_id": user.uid,
                     "ts": format_ts(t, fmt, user.city.utc_offset_min), "kind": "outcome",
                     "outcome": "churned" if user.rel.churned else "stayed"}
                items.append((t, dumps(self._consent(d, user))))
                outcome.add(user.uid)
        return items, outcome

    @staticmethod
    def _consent(d: dict, user: User) -> dict:
        if user.opted_out:
            d["consent"] = {"personalization": False, "analytics": True}
        elif user.analytics_off:
            d["consent"] = {"personalization": True, "analytics": False}
        return d

    # ------------------------------------------------------------------ lines
    def line(self, c: Contact) -> bytes:
        from tools.simulate.scenario import format_ts

        rng, user = self.frng, c.user
        c.eid = self.uuid()
        d: dict = {"topic": "events.contact", "event_id": c.eid, "user_id": user.uid,
                   "ts": format_ts(c.t, c.fmt, user.city.utc_offset_min)}
        if rng.random() < 0.7:
            d["channel"] = {"email": "email", "call": "callcenter"}.get(
                c.medium, "app" if c.medium == "chat" and user.platform[0] == "app" else "web")
        if user.opted_out or user.analytics_off:
            self._consent(d, user)
        elif rng.random() < 0.42:
            d["consent"] = {"personalization": True, "analytics": True}
        if rng.random() < 0.6:
            d["locale"] = user.locale
        d.update(medium=c.medium, direction=c.direction)
        if c.subject:
            d["subject"] = c.subject
        d["text"] = c.text
        if c.tag:
            d["lang"] = c.tag
        if c.ticket:
            d["ticket_id"] = c.ticket
        return dumps(d)

    def bad_base(self, user: User, t: int) -> dict:
        """A valid contact of ``user`` at ``t`` that a bad line then breaks."""
        from tools.simulate.scenario import format_ts

        lang = self.hooks.lang_of(user.rel, self.frng)
        mood = self.frng.choice(("negative", "neutral", "positive"))
        _s, text = self.composer.inbound(lang, mood, "chat", self._ctx(user, user.rel, lang))
        return {"topic": "events.contact", "event_id": self.uuid(), "user_id": user.uid,
                "ts": format_ts(t, self.frng.choice(("ms", "zf")), user.city.utc_offset_min),
                "medium": self.frng.choice(("email", "chat", "form")), "direction": "inbound", "text": text}

