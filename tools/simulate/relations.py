"""The hidden relationship of each customer (``--profiles``) and what it does to the sessions.

Every user gets a ``Relation``: criticality (green/amber/red, 55/30/15%), whether the customer is
lost in the end (mostly red, some amber, rarely green), 1-3 interests (category keys of the shop),
the language the customer writes in (the shop's; in a bilingual shop by locale, some mixed) and a
first name. ``Hooks`` plugs into ``SessionMaker``: sessions mostly show products of the user's
interests, and some sessions (more for strained users) get cancellation, complaint, return or
refund pages and searches in the shop's URL scheme and language (``Ev.cue``; no moment).

Each concern draws from its own generator (``{seed}:relations``, ``:interests``, ``:cues``), and the
session generator draws exactly what it drew before; without ``--profiles`` none of this runs.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from tools.simulate.profile import Product, Profile, names_product
from tools.simulate.sessions import Ev, Session, SessionMaker, User, pick
from tools.simulate.texts import Domain, domains_of, first_name, order_no

CRITICALITY: tuple[tuple[str, float], ...] = (("green", 0.55), ("amber", 0.30), ("red", 0.15))
CHURN = {"green": 0.04, "amber": 0.24, "red": 0.66}
N_INTERESTS: tuple[tuple[int, float], ...] = ((1, 0.34), (2, 0.43), (3, 0.23))
#: share of a user's sessions with cancellation/complaint/return events, by criticality
CUE_SESSIONS = {"green": 0.07, "amber": 0.25, "red": 0.42}
N_CUES: tuple[tuple[int, float], ...] = ((1, 0.72), (2, 0.23), (3, 0.05))
CUE_TS: tuple[tuple[str, float], ...] = (("ms", 0.55), ("zf", 0.33), ("of", 0.12))
#: a bilingual shop: the language a customer writes in, by the primary subtag of the locale
BILINGUAL = {"de": (("de", 0.85), ("en", 0.05), ("mixed", 0.10)),
             "other": (("en", 0.75), ("de", 0.10), ("mixed", 0.15))}


@dataclass(slots=True)
class Relation:
    criticality: str
    churned: bool
    interests: tuple[str, ...]  # category keys, as in the events' ``category``
    lang: str  # "en", "de" or "mixed" (each message either)
    name: str
    female: bool
    handle: str  # social-media handle


class Hooks:
    """``SessionMaker.prof``: relations of new users, interest products, cue events."""

    def __init__(self, seed: int, profile: Profile, maker: SessionMaker) -> None:
        self.p = profile
        self.maker = maker
        self.rel_rng = random.Random(f"{seed}:relations")
        self.int_rng = random.Random(f"{seed}:interests")
        self.cue_rng = random.Random(f"{seed}:cues")
        self.domains = domains_of(profile)
        self.cats = [c.key for c in profile.categories if profile.products_in(c.key)]
        self._pool: dict[tuple[str, ...], tuple[Product, ...]] = {}
        maker.prof = self

    # ------------------------------------------------------------ relations
    def relate(self, user: User) -> None:
        rng = self.rel_rng
        crit = pick(rng, CRITICALITY)
        churned = rng.random() < CHURN[crit]
        k = min(pick(rng, N_INTERESTS), len(self.cats))
        interests = tuple(rng.sample(self.cats, k))
        if len(self.domains) > 1:
            lang = pick(rng, BILINGUAL["de" if user.locale.startswith("de") else "other"])
        else:
            lang = next(iter(self.domains))
        name_lang = lang if lang != "mixed" else ("de" if user.locale.startswith("de") else "en")
        name, female = first_name(rng, name_lang)
        handle = f"{name.lower()}{rng.choice(('', '_', '.', ''))}{rng.choice(('', str(rng.randint(1, 99))))}"
        if len(handle) < 5:
            handle += str(rng.randint(70, 99))
        user.rel = Relation(crit, churned, interests, lang, name, female, handle)

    def lang_of(self, rel: Relation, rng: random.Random) -> str:
        """The language of one message (or one cue event) of a customer."""
        if rel.lang != "mixed":
            return rel.lang
        return rng.choice(sorted(self.domains))

    # ------------------------------------------------------------ interests
    def interest_products(self, rel: Relation) -> tuple[Product, ...]:
        if rel.interests not in self._pool:
            self._pool[rel.interests] = tuple(pr for key in rel.interests for pr in self.p.products_in(key))
        return self._pool[rel.interests] or self.p.products

    def product(self, user: User, default: Product, share: float) -> Product:
        """A product of the user's interests (``share`` of the time), else ``default``."""
        rng = self.int_rng
        if user.rel is None or rng.random() >= share:
            return default
        return rng.choice(self.interest_products(user.rel))

    # ------------------------------------------------------------ cue events
    def add_cues(self, s: Session, ctx: dict) -> None:
        """Maybe insert 1-3 cancellation/complaint/return events into a finished session."""
        rng, rel = self.cue_rng, s.user.rel
        share = CUE_SESSIONS[rel.criticality] + (0.08 if rel.churned else 0.0)
        if rng.random() >= share:
            return
        for _ in range(pick(rng, N_CUES)):
            domain = self.domains[self.lang_of(rel, rng)]
            self._insert(s, self._cue_event(s, ctx, domain))

    def _cue_event(self, s: Session, ctx: dict, domain: Domain) -> Ev:
        rng, p = self.cue_rng, self.p
        fields = {**ctx, "order": order_no(rng, domain.order)}
        if rng.random() < 0.45:
            query = rng.choice(domain.cue_queries).format(**fields)
            body: dict = {"query": query.lower()}
            if rng.random() < 0.7:
                body["results_count"] = rng.randint(0, 40)
            if rng.random() < 0.8:
                body["source"] = "app" if s.channel == "app" else "site"
            return Ev(0, "events.search", body, None, 0, cue=True)
        path, title = rng.choice(domain.cue_pages)
        url = path.format(**fields)
        body = {"type": "click" if rng.random() < 0.3 else "page_view",
                "url": url if s.channel == "app" else p.base_url + url}
        if title and rng.random() < 0.75:
            body["title"] = title.format(**fields)
        if names_product(path):
            body["product_id"] = ctx["pid"]
            body["category"] = ctx["ckey"]
        return Ev(0, "events.clickstream", body, None, 0, cue=True)

    def _insert(self, s: Session, ev: Ev) -> None:
        """Between two events of the session (its start stays), or shortly after its last one."""
        rng, events = self.cue_rng, s.events
        i = rng.randint(1, len(events))
        if i < len(events) and events[i].t - events[i - 1].t > 2:
            t = rng.randint(events[i - 1].t + 1, events[i].t - 1)
        else:
            i = len(events)
            t = events[-1].t + int(1000 * rng.uniform(4.0, 150.0))
        ev.fmt = pick(rng, CUE_TS)
        ev.t, ev.seg = t, events[i - 1].seg
        events.insert(i, ev)
