"""The next best action for one customer on one channel: the one decision module of the worker
(moments and profiles) and of ``micromoments serve`` (which adds the frequency caps).

A red customer gets retention before anything else, an amber one service before selling (the
catalogue refuses offers for red); otherwise the current moment decides, a ``go`` customer is
sent to the nearest open venue that has the session's products in stock, and without a moment
the top interests do. Every choice carries a ``reason`` (English, for analysts) and the
catalogue's ``text`` in the customer's language.

>>> cat = Catalogue.load()
>>> venue = {"venue_id": "v1", "name": "Köln-Ehrenfeld", "distance_m": 312.0, "open_now": True,
...          "wait_minutes": 5, "free_capacity": None, "stock": {"p1": 4}}
>>> s = Situation(level="green", moment="go", confidence=0.91, venue=venue, lang="de")
>>> choice = choose(cat, "terminal", s)
>>> choice["action"], choice["text"]
('route_to_store', 'Köln-Ehrenfeld hat geöffnet, 300 m entfernt, 1 von 1 Produkten vorrätig, Wartezeit etwa 5 Min.')
>>> choose(cat, "callcenter", Situation(level="red", why="looked for cancellation (2x)", moment="buy"))["reason"]
'red: looked for cancellation (2x); retention before any offer'
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import orjson

from actions.catalogue import ActionSpec, Catalogue
from schemas.units import distance_words

MEMO_SIZE = 4096  # ~1.5 KiB each
KIND_WHY = {"retention": "retention before any offer", "service": "service before selling"}


@dataclass
class Situation:
    """What the decision looks at: traffic light, current moment, go-context, interests."""

    level: str = "green"
    why: str = ""  # the traffic light's first reason, in words
    moment: str | None = None
    confidence: float = 0.0
    venue: dict[str, Any] | None = None  # a VenueContext as JSON: the venue to send the customer to
    topics: list[str] = field(default_factory=list)
    lang: str = "en"

    @classmethod
    def of_profile(cls, record: dict[str, Any]) -> Situation:
        """The situation a profile record (``schemas.profiles.Profile`` as JSON) describes."""
        crit = record.get("criticality") or {}
        moment = record.get("moment") or {}
        reasons = crit.get("reasons") or []
        return cls(level=crit.get("level", "green"),
                   why=reasons[0] if reasons else (f"criticality {crit['score']:.2f}" if "score" in crit else ""),
                   moment=moment.get("moment"), confidence=moment.get("confidence", 0.0),
                   venue=moment.get("venue"), topics=[i["topic"] for i in (record.get("interests") or [])[:3]],
                   lang=record.get("lang") or "en")

    def in_stock(self) -> bool:
        """The venue is open and has the session's latest product (or the session named none)."""
        v = self.venue
        if v is None or v.get("open_now") is not True:
            return False
        stock = v.get("stock") or {}
        return not stock or next(iter(stock.values())) > 0


def needs_met(spec: ActionSpec, s: Situation) -> bool:
    for need in spec.needs:
        if need == "interests" and not s.topics:
            return False
        if need == "venue" and s.venue is None:
            return False
        if need == "venue_open_in_stock" and not s.in_stock():
            return False
    return True


def ranked(cat: Catalogue, channel: str, s: Situation) -> list[ActionSpec]:
    """The eligible actions, best first (priority, then file order)."""
    return [a for a in cat.index[(channel, s.level, s.moment or "none")] if needs_met(a, s)]


def choose(cat: Catalogue, channel: str, s: Situation,
           capped: Callable[[ActionSpec], bool] | None = None) -> dict[str, str]:
    """``{action, reason, text}``: the best eligible action that is not ``capped``. The catalogue
    keeps an uncapped fallback for every case, so there always is one."""
    for spec in ranked(cat, channel, s):
        if capped is not None and spec.cap is not None and capped(spec):
            continue
        return {"action": spec.id, "reason": reason(spec, s), "text": text(spec, s)}
    raise LookupError(f"no action for channel {channel}")  # a validated catalogue never gets here


def per_channel(cat: Catalogue, s: Situation, channels: tuple[str, ...]) -> dict[str, dict[str, str]]:
    """The choice for each channel (no caps: the worker's profile records). Many customers are in
    the same situation, so the answers are kept by situation (bounded; a copy is returned)."""
    key = (s.level, s.why, s.moment, f"{s.confidence:.2f}", orjson.dumps(s.venue) if s.venue else None,
           tuple(s.topics), s.lang, channels)
    found = cat.memo.get(key)
    if found is None:
        if len(cat.memo) >= MEMO_SIZE:
            cat.memo.clear()
        found = cat.memo[key] = {c: choose(cat, c, s) for c in channels}
    return {c: dict(choice) for c, choice in found.items()}


def reason(spec: ActionSpec, s: Situation) -> str:
    """Why this action, in words (English)."""
    parts = []
    if s.level != "green" and spec.kind in KIND_WHY:
        parts.append(f"{s.level}: {s.why}; {KIND_WHY[spec.kind]}" if s.why else f"{s.level}; {KIND_WHY[spec.kind]}")
    if s.moment is not None and s.moment in spec.moments and len(spec.moments) < 5:
        parts.append(f"current moment {s.moment} ({s.confidence:.2f})")
    if s.venue is not None and any(n.startswith("venue") for n in spec.needs):
        v = s.venue
        state = {True: "open", False: "closed"}.get(v.get("open_now"), "opening hours unknown")
        parts.append(f"{v['name']} {state}, "
                     f"{distance_words(v['distance_m'], 'en')}" + (f", wait {v['wait_minutes']:g} min"
                                                              if v.get("wait_minutes") is not None else ""))
    if "interests" in spec.needs:
        parts.append(f"top interests: {', '.join(s.topics)}")
    if not parts:
        parts.append("no interests known yet" if spec.kind == "content" else "nothing known that calls for more")
    return "; ".join(parts)


def text(spec: ActionSpec, s: Situation) -> str:
    """The catalogue's words for the customer's language, placeholders filled in."""
    lang = s.lang if s.lang == "de" else "en"
    template = spec.text.de if lang == "de" else spec.text.en
    if "{" not in template:
        return template
    v = s.venue or {}
    stock = v.get("stock") or {}
    have = sum(1 for n in stock.values() if n > 0)
    values = {"venue": v.get("name", ""), "distance": distance_words(v.get("distance_m", 0.0), lang),
              "wait": f"{v['wait_minutes']:g}" if v.get("wait_minutes") is not None else "?",
              "stock": (f"{have} von {len(stock)} Produkten" if lang == "de" else f"{have} of {len(stock)} products")
              if stock else ("Ware" if lang == "de" else "goods"),
              "topics": ", ".join(s.topics)}
    return template.format(**values)
