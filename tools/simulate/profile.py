"""What a simulated shop is made of: products, cities, URL scheme and intent vocabulary.

A ``Profile`` is plain data. Cue templates are ``(weight, kind, text, title)``
tuples; ``kind`` is ``q`` (a search; ``text`` is the query) or a click kind
(``view`` ``click`` ``cart`` ``uncart`` ``checkout`` ``purchase`` ``video``
``download``; ``text`` is the URL path). Templates are ``str.format`` strings
over the session's context: ``{name}`` ``{q}`` (product name as typed)
``{slug}`` ``{pid}`` ``{nr}`` ``{cat}`` ``{cq}`` (category as typed) ``{cs}``
(category slug) ``{brand}`` ``{brandq}`` ``{brands}`` ``{other}`` ``{opid}``
``{onr}`` ``{city}`` ``{cityq}`` ``{citys}`` ``{district}`` ``{store}``
``{stores}`` ``{sid}`` ``{shop}`` ``{shopq}`` ``{task}`` ``{tasks}``
``{taskt}``, and the profile's ``extras`` (``{year}``, ``{size}``...).
A template that names a product (``{name}``, ``{slug}``, ``{pid}``, ``{nr}``,
``{q}``) makes a product event (``product_id``, ``category``, maybe ``price``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from schemas.topics import MOMENTS

CLICK_KINDS: dict[str, str] = {
    "view": "page_view", "click": "click", "cart": "add_to_cart", "uncart": "remove_from_cart",
    "checkout": "checkout", "purchase": "purchase", "video": "video_play", "download": "download",
}
Cue = tuple[float, str, str, str | None]
_PRODUCT_FIELDS = re.compile(r"\{(name|q|slug|pid|nr)\}")


def slugify(text: str) -> str:
    """URL slug with German umlauts transliterated: ``"Wand streichen"`` -> ``"wand-streichen"``."""
    text = text.lower().translate(str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "'": ""}))
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


def names_product(template: str | None) -> bool:
    return bool(template) and _PRODUCT_FIELDS.search(template) is not None


@dataclass(frozen=True, slots=True)
class Product:
    pid: str
    name: str
    category: str  # category key
    price: float
    brand: str
    nr: str = ""  # article number where the URL scheme uses one
    typed: str = ""  # how customers type it (default: the name in lower case)

    @property
    def q(self) -> str:
        return self.typed or self.name.lower()

    @property
    def slug(self) -> str:
        return slugify(self.name)


@dataclass(frozen=True, slots=True)
class Category:
    key: str
    title: str  # as shown on the site
    query: str  # as customers type it
    slug: str
    tasks: tuple[str, ...]  # "do" tasks, as typed ("fliesen verlegen")


@dataclass(frozen=True, slots=True)
class City:
    name: str
    code: str  # short, for venue ids
    lat: float
    lon: float
    utc_offset_min: int  # local offset during the scenario (for RFC 3339 strings)
    districts: tuple[str, ...] = ()

    @property
    def slug(self) -> str:
        return slugify(self.name)


@dataclass(frozen=True)
class CueMix:
    """Shares of a segment's events: generic (no intent), a cue of another moment
    (contradiction, from ``confuse``), else a cue of the segment's own moment.

    The defaults are our own profiles'. ``electronics-en`` copies what the shared sample
    shows (measured, docs/SIMULATOR.md): more generic events, more
    contradictions, and contradictions already on the landing page.
    """

    generic: float = 0.22
    contra: float = 0.1
    #: the same two shares for the first event of a session (its landing page or first search)
    landing_generic: float = 0.3
    landing_contra: float = 0.02
    #: moment -> ((other moment, weight), ...); None: the simulator's default table
    confuse: dict[str, tuple[tuple[str, float], ...]] | None = None


@dataclass(frozen=True)
class Journey:
    """How a shop's sessions run; the defaults are our first three profiles' (and keep their
    scenarios byte for byte).

    ``search_first``: the share of sessions that open with a search (``None``: the first event is
    drawn like any other, about 40% searches). ``late_intent``: the share of sessions whose intent
    shows late, after ``late_events`` (inclusive range) events without intent (home page, category
    pages, browsing). ``length``: the session's intent events are ``3 + gamma(2, 1.9 * length)``
    (at most 14), so > 1 means longer sessions.
    """

    search_first: float | None = None
    late_intent: float = 0.0
    late_events: tuple[int, int] = (2, 4)
    length: float = 1.0


@dataclass(frozen=True)
class Profile:
    name: str
    description: str
    shop: str  # brand name as written
    base_url: str  # web origin; the app sends bare paths
    currency: str
    locales: tuple[tuple[str, float], ...]
    start: str  # default scenario start (RFC 3339)
    moment_weights: dict[str, float]
    categories: tuple[Category, ...]
    products: tuple[Product, ...]
    cities: tuple[City, ...]
    store_name: str  # format of a store's name: {shop} {city} {district}
    opening_hours: tuple[str, ...]
    cues: dict[str, tuple[Cue, ...]]  # moment -> templates
    generic: tuple[Cue, ...]  # no intent: home, categories, account...
    id_style: str  # "hex" (<prefix><10 hex>) or "num" (<prefix><9 digits>) for known customers
    user_prefix: str
    session_prefix: str
    venue_prefix: str
    app_versions: tuple[str, ...]
    referrers: tuple[str, ...]
    typo_rate: float = 0.05
    #: more placeholders, one value drawn per session: {"year": ("2025",), "size": ("M", "L")}
    extras: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: share of German queries typed without umlauts ("naehe", "nahe")
    umlaut_fold: float = 0.0
    #: feedback source per moment: (source, weight)
    feedback_sources: dict[str, tuple[tuple[str, float], ...]] = field(default_factory=dict)
    #: cue words of this trade that detectors.rules does not know (documentation and tests)
    unknown_vocabulary: dict[str, tuple[str, ...]] = field(default_factory=dict)
    free_capacity: bool = False  # venues publish free parking/capacity
    tombstones: int = 0  # venues removed in the venue block (closed stores)
    #: how a session's events are drawn (shares of generic pages and contradicting cues)
    mix: CueMix = field(default_factory=CueMix)
    #: how its sessions run (search first, intent late, length)
    journey: Journey = field(default_factory=Journey)

    def category(self, key: str) -> Category:
        return self._cats[key]

    def products_in(self, key: str) -> tuple[Product, ...]:
        return self._by_cat[key]

    def __post_init__(self) -> None:
        cats = {c.key: c for c in self.categories}
        by_cat: dict[str, list[Product]] = {k: [] for k in cats}
        for p in self.products:
            by_cat[p.category].append(p)
        object.__setattr__(self, "_cats", cats)
        object.__setattr__(self, "_by_cat", {k: tuple(v) for k, v in by_cat.items()})
        for moment in MOMENTS:
            for _w, kind, text, _t in self.cues[moment]:
                if kind != "q" and kind not in CLICK_KINDS:
                    raise ValueError(f"{self.name}: unknown cue kind {kind!r} in {text!r}")


DEFAULT_FEEDBACK_SOURCES: dict[str, tuple[tuple[str, float], ...]] = {
    "know": (("content_engagement", 0.8), ("survey", 0.2)),
    "go": (("store_visit", 0.8), ("survey", 0.2)),
    "do": (("content_engagement", 0.45), ("survey", 0.35), ("agent", 0.2)),
    "buy": (("conversion", 0.82), ("agent", 0.18)),
}
