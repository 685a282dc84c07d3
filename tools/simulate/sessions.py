"""Users and their sessions: who, when, on which platform, with which intent, doing what.

A session is one or two intent segments (a shift such as know -> buy). Each
segment draws its events from the profile's cue templates: mostly cues of its
own moment, about a quarter generic pages and searches without intent, and now
and then a cue of another moment (contradiction). Positions come from
``geo``: customers heading to a store approach it, others stand still, commute
or stand inside a store. Everything is drawn from one ``random.Random``.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from tools.simulate import geo
from tools.simulate.profile import CLICK_KINDS, MOMENTS, City, Cue, Product, Profile, names_product, slugify

PLATFORMS: tuple[tuple[tuple[str, str], float], ...] = (
    (("web", "desktop"), 0.33), (("web", "mobile"), 0.27), (("web", "tablet"), 0.05), (("app", "mobile"), 0.26),
    (("app", "tablet"), 0.045), (("email", "desktop"), 0.02), (("email", "mobile"), 0.01),
    (("terminal", "other"), 0.015), (("callcenter", "desktop"), 0.01),
)
SESSIONS_PER_USER: tuple[tuple[int, float], ...] = ((1, 0.54), (2, 0.23), (3, 0.11), (4, 0.05), (5, 0.045),
                                                    (6, 0.015), (8, 0.01))
#: the moment a session came from, given where it shifted to
SHIFT_FROM: dict[str, tuple[tuple[str, float], ...]] = {
    "buy": (("know", 0.7), ("go", 0.15), ("do", 0.15)), "go": (("know", 0.5), ("buy", 0.5)),
    "do": (("buy", 0.5), ("know", 0.5)), "know": (("do", 0.6), ("buy", 0.4)),
}
#: which other moment a contradicting cue comes from (unless the profile's ``CueMix`` says)
CONFUSE: dict[str, tuple[tuple[str, float], ...]] = {
    "know": (("buy", 0.45), ("do", 0.35), ("go", 0.2)), "go": (("buy", 0.5), ("know", 0.3), ("do", 0.2)),
    "do": (("know", 0.55), ("buy", 0.3), ("go", 0.15)), "buy": (("know", 0.6), ("go", 0.25), ("do", 0.15)),
}
CLICK_BOOST = 1.4
MIN_USER_GAP_MS = 45 * 60_000
#: ts formats: epoch ms, RFC 3339 Z with/without fraction, local offset with/without fraction
TS_FORMATS: tuple[tuple[str, float], ...] = (("ms", 0.48), ("zf", 0.3), ("z", 0.09), ("of", 0.1), ("o", 0.03))


def pick(rng: random.Random, pairs):
    """One value from ``((value, weight), ...)``."""
    return rng.choices([v for v, _ in pairs], [w for _, w in pairs])[0]


@dataclass(slots=True)
class Store:
    venue_id: str
    name: str
    city: City
    district: str
    point: geo.Point


@dataclass(slots=True)
class User:
    uid: str
    city: City
    home: geo.Point
    platform: tuple[str, str]
    opted_out: bool
    analytics_off: bool
    locale: str
    app_version: str
    rel: object | None = None  # --profiles: the hidden relationship (relations.Relation)


@dataclass(slots=True)
class Ev:
    """One event of a session (without the common fields, added when written)."""

    t: int
    topic: str
    body: dict
    tag: str | None  # the moment it cues; None = generic or a position
    seg: int
    fmt: str = "ms"
    cue: bool = False  # a cancellation/complaint/return event (``--profiles``)
    eid: str | None = None  # the event_id it was written with


@dataclass(slots=True)
class Session:
    user: User
    session_id: str | None
    channel: str
    device: str
    moments: list[str]  # one per segment; the last is the session's moment
    events: list[Ev] = field(default_factory=list)
    feedback: Ev | None = None
    #: how positions are drawn: (kind, store, arrives) with kind approach|store|commute|home|coarse
    plan: tuple | None = None
    drawn: int = 0  # content events drawn so far (the first may carry a referrer)

    @property
    def start(self) -> int:
        return self.events[0].t

    @property
    def end(self) -> int:
        return self.events[-1].t


class SessionMaker:
    """Draws users and sessions for one profile from one random generator."""

    def __init__(self, rng: random.Random, profile: Profile, stores: dict[str, list[Store]],
                 no_session_id_share: float) -> None:
        self.rng = rng
        self.p = profile
        self.stores = stores
        self.no_sid = no_session_id_share
        self._cues = {m: self._table(profile.cues[m]) for m in MOMENTS}
        self._generic = self._table(profile.generic)
        self._subtables: dict[tuple[int, str], tuple[list[Cue], list[float]]] = {}
        self.prof = None  # --profiles: relations.Hooks (own generators; None draws nothing extra)

    @staticmethod
    def _table(cues: tuple[Cue, ...]) -> tuple[list[Cue], list[float]]:
        # pages are visited more often than searches are typed (the sample's 1.4 : 1)
        return list(cues), [w * (1.0 if kind == "q" else CLICK_BOOST) for w, kind, _t, _ti in cues]

    def _only(self, table: tuple[list[Cue], list[float]], kind: str) -> tuple[list[Cue], list[float]]:
        """The searches (``"q"``) or the clicks of a cue table (the whole table if it has none)."""
        key = (id(table), kind)
        if key not in self._subtables:
            picked = [(c, w) for c, w in zip(*table, strict=True) if (c[1] == "q") == (kind == "q")]
            self._subtables[key] = ([c for c, _ in picked], [w for _, w in picked]) if picked else table
        return self._subtables[key]

    def hex(self, n: int) -> str:
        return f"{self.rng.getrandbits(4 * n):0{n}x}"

    def uuid(self) -> str:
        h = self.hex(32)
        return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{'89ab'[int(h[16], 16) % 4]}{h[17:20]}-{h[20:]}"

    # ------------------------------------------------------------------ users
    def user(self, opt_out_share: float, analytics_off_share: float) -> tuple[User, int]:
        rng, p = self.rng, self.p
        if rng.random() < 0.25:
            uid = f"dev-{self.uuid()}"
        elif p.id_style == "num":
            uid = f"{p.user_prefix}{rng.randrange(10**8, 10**9)}"
        else:
            uid = f"{p.user_prefix}{self.hex(10)}"
        city = rng.choices(p.cities, [2.0] + [1.0] * (len(p.cities) - 1))[0]
        opted_out = rng.random() < opt_out_share
        user = User(uid, city, geo.around(rng, geo.Point(city.lat, city.lon), 500.0, 14_000.0), pick(rng, PLATFORMS),
                    opted_out, (not opted_out) and rng.random() < analytics_off_share, pick(rng, p.locales),
                    rng.choice(p.app_versions))
        if self.prof is not None:
            self.prof.relate(user)
        return user, pick(rng, SESSIONS_PER_USER)

    # --------------------------------------------------------------- sessions
    def session(self, user: User, start_ms: int, weights: dict[str, float], shift: bool) -> Session:
        rng, p = self.rng, self.p
        channel, device = user.platform if rng.random() < 0.65 else pick(rng, PLATFORMS)
        sid = None if rng.random() < self.no_sid else f"{p.session_prefix}{self.hex(16)}"
        final = rng.choices(list(weights), list(weights.values()))[0]
        moments = [pick(rng, SHIFT_FROM[final]), final] if shift else [final]
        s = Session(user, sid, channel, device, moments)
        ctx = self.context(user)
        journey = p.journey
        k = min(14, 3 + int(rng.gammavariate(2.0, 1.9 * journey.length)))
        sizes = [k]
        if shift:
            k = max(k, 5)
            first = rng.randint(2, k - 2)
            sizes = [first, k - first]
        # only a profile that asks for a journey knob draws for it (the others' scenarios stay as they were)
        lead = rng.randint(*journey.late_events) if journey.late_intent and rng.random() < journey.late_intent else 0
        opener = None
        if journey.search_first is not None:
            opener = "q" if rng.random() < journey.search_first else "click"
        events: list[Ev] = [self.content(moments[0], ctx, s, 0, landing=i == 0, generic=True,
                                         kind=opener if i == 0 else None) for i in range(lead)]
        for seg, (moment, n) in enumerate(zip(moments, sizes, strict=True)):
            seg_events = [self.content(moment, ctx, s, seg, landing=(seg == 0 and i == 0 and not lead),
                                       kind=opener if seg == 0 and i == 0 and not lead else None)
                          for i in range(n)]
            if moment == "buy":
                _funnel_order(seg_events)
            events += seg_events
        self.place(s, events, ctx)
        self.clock(s, events, start_ms)
        s.events = events
        if self.prof is not None:
            self.prof.add_cues(s, ctx)
        return s

    def context(self, user: User) -> dict:
        rng, p = self.rng, self.p
        product = rng.choice(p.products)
        if self.prof is not None:
            product = self.prof.product(user, product, 0.8)
        same = [o for o in p.products_in(product.category) if o is not product] or list(p.products)
        other = rng.choice(same)
        cat = p.category(product.category)
        store = rng.choice(self.stores[user.city.code])
        task = rng.choice(cat.tasks)
        ctx = _product_ctx(product, p)
        ctx.update(
            other=other.q, opid=other.pid, onr=other.nr or other.pid, city=user.city.name,
            cityq=user.city.name.lower(), citys=user.city.slug, district=store.district, store=store.name,
            stores=slugify(store.name), sid=store.venue_id, shop=p.shop, shopq=p.shop.lower(), task=task,
            tasks=slugify(task), taskt=task[:1].upper() + task[1:],
        )
        ctx.update({k: rng.choice(v) for k, v in p.extras.items()})
        ctx["_store"] = store  # for positions; str.format ignores it
        return ctx

    def content(self, moment: str, ctx: dict, s: Session, seg: int, landing: bool, generic: bool = False,
                kind: str | None = None) -> Ev:
        """One search or click: generic, contradicting or of ``moment`` (``generic=True``: generic);
        ``kind`` ``"q"``/``"click"`` restricts it to searches or clicks."""
        rng, mix = self.rng, self.p.mix
        r = -1.0 if generic else rng.random()
        share, contra = (mix.landing_generic, mix.landing_contra) if landing else (mix.generic, mix.contra)
        if r < share:
            table, tag = self._generic, None
            if rng.random() < 0.35:  # browsing something else
                other = rng.choice(self.p.products)
                if self.prof is not None:
                    other = self.prof.product(s.user, other, 0.5)
                ctx = {**ctx, **_product_ctx(other, self.p)}
        elif r < share + contra:
            tag = pick(rng, (mix.confuse or CONFUSE)[moment])
            table = self._cues[tag]
        else:
            table, tag = self._cues[moment], moment
        if kind is not None:
            table = self._only(table, kind)
        _w, kind, text, title = rng.choices(table[0], table[1])[0]
        if kind == "q":
            ev = Ev(0, "events.search", self.search(text, ctx, s), tag, seg)
        else:
            ev = Ev(0, "events.clickstream", self.click(kind, text, title, ctx, s), tag, seg)
        s.drawn += 1
        return ev

    def search(self, template: str, ctx: dict, s: Session) -> dict:
        rng, p = self.rng, self.p
        if rng.random() < 0.12:
            query = template.format(**{**ctx, "q": ctx["name"]})
        else:
            query = template.format(**ctx).lower()
        if p.umlaut_fold and rng.random() < p.umlaut_fold:
            query = query.translate(_FOLD if rng.random() < 0.7 else _STRIP)
        typo = rng.random() < p.typo_rate
        if typo:
            query = _typo(rng, query)
        body: dict = {"query": query}
        if rng.random() < 0.7:
            body["results_count"] = rng.randint(0, 3) if typo else int(rng.lognormvariate(3.2, 1.1))
        if rng.random() < 0.8:
            voice = rng.random() < (0.06 if s.channel == "app" else 0.01)
            body["source"] = "voice" if voice else "app" if s.channel == "app" else "site"
        return body

    def click(self, kind: str, path: str, title: str | None, ctx: dict, s: Session) -> dict:
        rng, p = self.rng, self.p
        url = path.format(**ctx)
        if s.channel == "email" and not s.drawn and rng.random() < 0.8:
            url = _with_query(url, "utm_source=newsletter&utm_medium=email")
        body: dict = {"type": CLICK_KINDS[kind], "url": url if s.channel == "app" else p.base_url + url}
        if title and rng.random() < 0.72:
            body["title"] = title.format(**ctx)
        if not s.drawn and s.channel == "web" and rng.random() < 0.3:
            body["referrer"] = rng.choice(p.referrers)
        if names_product(path) or names_product(title):
            if rng.random() < 0.95:
                body["product_id"] = ctx["pid"]
            if rng.random() < 0.6 or self.prof is not None:  # with --profiles: always
                body["category"] = ctx["ckey"]
            if kind in ("view", "cart") and rng.random() < 0.75:
                body["price"] = ctx["price"]
                body["currency"] = p.currency
        return body

    # -------------------------------------------------------------- positions
    def place(self, s: Session, events: list[Ev], ctx: dict) -> None:
        """Insert position reports: approach a store, stand in one, stand still or commute."""
        rng = self.rng
        mobile = s.channel == "app" or (s.channel == "web" and s.device in ("mobile", "tablet"))
        store: Store = ctx["_store"]
        go_seg = len(s.moments) - 1 if s.moments[-1] == "go" else None
        if mobile and go_seg is not None and rng.random() < (0.8 if s.channel == "app" else 0.45):
            first = next(i for i, e in enumerate(events) if e.seg == go_seg)
            n = rng.randint(2, 6)
            for _ in range(n):
                events.insert(rng.randint(first + 1, len(events)), Ev(0, "events.location", {}, None, go_seg))
            s.plan = ("approach", store, rng.random() < 0.3)
            return
        if s.channel == "terminal":
            return
        if mobile and s.moments[-1] in ("know", "buy") and rng.random() < (0.1 if s.channel == "app" else 0.04):
            plan = ("store", store, False)
        elif mobile and rng.random() < (0.55 if s.channel == "app" else 0.12):
            plan = ("commute", None, False) if rng.random() < 0.2 else ("home", None, False)
        elif s.channel == "web" and s.device == "desktop" and rng.random() < 0.08:
            plan = ("coarse", None, False)
        else:
            return
        n = 1 if plan[0] == "coarse" else rng.randint(1, 2)
        for _ in range(n):
            i = rng.randint(0, len(events))
            seg = events[min(i, len(events) - 1)].seg
            events.insert(i, Ev(0, "events.location", {}, None, seg))
        s.plan = plan

    def clock(self, s: Session, events: list[Ev], start_ms: int) -> None:
        """Event times (gaps < 25 min), ts formats, then the positions along those times."""
        rng = self.rng
        plan = s.plan
        t = start_ms
        for i, e in enumerate(events):
            if i:
                moving = plan is not None and plan[0] == "approach" and e.topic == "events.location"
                t += int(1000 * (rng.uniform(30.0, 240.0) if moving else _gap_s(rng)))
            e.fmt = pick(rng, TS_FORMATS)
            e.t = t - t % 1000 if e.fmt in ("z", "o") else t
        locs = [e for e in events if e.topic == "events.location"]
        if not locs or plan is None:
            return
        kind, store, arrive = plan
        times = [e.t for e in locs]
        if kind == "approach":
            fixes = geo.approach(rng, store.point, times, arrive)
        elif kind == "store":
            fixes = geo.stationary(rng, store.point, times, coarse=False)
        elif kind == "commute":
            fixes = geo.commute(rng, s.user.home, times)
        else:
            fixes = geo.stationary(rng, s.user.home, times, coarse=kind == "coarse")
        for e, f in zip(locs, fixes, strict=True):
            body = {"lat": f.lat, "lon": f.lon}
            if f.accuracy_m is not None and rng.random() < (0.75 if kind != "coarse" else 1.0):
                body["accuracy_m"] = f.accuracy_m
            if f.speed_mps is not None:
                body["speed_mps"] = f.speed_mps
            if f.heading is not None:
                body["heading"] = f.heading
            e.body = body


def _product_ctx(product: Product, p: Profile) -> dict:
    cat = p.category(product.category)
    return dict(name=product.name, q=product.q, slug=product.slug, pid=product.pid, nr=product.nr or product.pid,
                ckey=cat.key, cat=cat.title, cq=cat.query, cs=cat.slug, brand=product.brand,
                brandq=product.brand.lower(), brands=slugify(product.brand), price=product.price)


def _funnel_order(events: list[Ev]) -> None:
    """Cart before checkout before purchase, whatever order they were drawn in."""
    rank = {"add_to_cart": 1, "checkout": 2, "purchase": 3}
    idx = [i for i, e in enumerate(events) if e.body.get("type") in rank]
    ordered = sorted((events[i] for i in idx), key=lambda e: rank[e.body["type"]])
    for i, e in zip(idx, ordered, strict=True):
        events[i] = e


def _gap_s(rng: random.Random) -> float:
    r = rng.random()
    if r < 0.8:
        return min(180.0, max(2.0, rng.lognormvariate(2.8, 0.8)))
    if r < 0.96:
        return rng.uniform(60.0, 300.0)
    return rng.uniform(300.0, 1200.0)


def _with_query(url: str, extra: str) -> str:
    base, hash_, frag = url.partition("#")
    return f"{base}{'&' if '?' in base else '?'}{extra}{hash_}{frag}"


_FOLD = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
_STRIP = str.maketrans({"ä": "a", "ö": "o", "ü": "u", "ß": "s"})


def mistype(rng: random.Random, text: str, candidates, swap: float = 0.4, drop: float = 0.7) -> str:
    """One typo in one word of ``text`` whose index ``candidates(words)`` lists: two letters swapped
    (below ``swap``), one dropped (below ``drop``) or one doubled; searches and messages share it."""
    words = text.split(" ")
    long = candidates(words)
    if not long:
        return text
    i = rng.choice(long)
    w = words[i]
    j = rng.randrange(1, len(w) - 1)
    op = rng.random()
    if op < swap:
        w = w[:j] + w[j + 1] + w[j] + w[j + 2:]
    elif op < drop:
        w = w[:j] + w[j + 1:]
    else:
        w = w[:j] + w[j] + w[j:]
    words[i] = w
    return " ".join(words)


def _typo(rng: random.Random, text: str) -> str:
    return mistype(rng, text, lambda words: [i for i, w in enumerate(words) if len(w) >= 4])
