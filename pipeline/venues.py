"""Venues (stores) for ``go`` moments: nearest venue, opening state, stock.

Opening hours use the common subset of OpenStreetMap syntax
(``Mo-Sa 09:00-21:00; Su 11:00-18:00``, ``24/7``, ``off``, several ranges per
rule). Venue records carry no time zone in the contract: an IANA zone in an
extra ``timezone`` field is used when present, else the zone is looked up from
the venue's position (timezonefinder: the world's zone borders shipped in its
package, offline), so that Cologne is on Berlin time with its daylight saving;
only at sea, where no zone is found, the offset is guessed from the longitude.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo

from schemas.events import Venue

EARTH_RADIUS_M = 6_371_008.8
_DAYS = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")
_RULE = re.compile(r"^(?P<days>[A-Za-z,\- ]+?)?\s*(?P<times>off|closed|(?:\d{1,2}:\d{2}-\d{1,2}:\d{2}\s*,?\s*)+)$")


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres.

    >>> round(haversine_m(48.137, 11.575, 52.520, 13.405) / 1000)
    504
    """
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def bearing_deg(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Initial bearing from point 1 to point 2, degrees clockwise from north."""
    p1, p2, dl = math.radians(lat1), math.radians(lat2), math.radians(lon2 - lon1)
    y = math.sin(dl) * math.cos(p2)
    x = math.cos(p1) * math.sin(p2) - math.sin(p1) * math.cos(p2) * math.cos(dl)
    return (math.degrees(math.atan2(y, x)) + 360.0) % 360.0


@lru_cache(maxsize=1024)
def parse_opening_hours(spec: str) -> tuple[tuple[int, int, int], ...] | None:
    """Weekly open intervals as ``(weekday, start_minute, end_minute)``; None if unparseable.

    >>> parse_opening_hours("Mo-Fr 09:00-18:00; Sa 10:00-14:00")[-1]
    (5, 600, 840)
    >>> len(parse_opening_hours("24/7"))
    7
    """
    spec = spec.strip()
    if spec == "24/7":
        return tuple((d, 0, 1440) for d in range(7))
    intervals: list[tuple[int, int, int]] = []
    for rule in filter(None, (r.strip() for r in spec.split(";"))):
        m = _RULE.match(rule)
        if m is None:
            return None
        days = _parse_days(m.group("days")) if m.group("days") else list(range(7))
        if days is None:
            return None
        times = m.group("times")
        intervals = [iv for iv in intervals if iv[0] not in days]  # a later rule overrides
        if times in ("off", "closed"):
            continue
        for part in filter(None, (t.strip() for t in times.split(","))):
            start, end = (_minutes(t) for t in part.split("-"))
            for d in days:
                if end <= start:  # past midnight
                    intervals += [(d, start, 1440), ((d + 1) % 7, 0, end)]
                else:
                    intervals.append((d, start, end))
    return tuple(intervals)


def _parse_days(text: str) -> list[int] | None:
    days: list[int] = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        ends = [p.strip()[:2].capitalize() for p in part.split("-")]
        if any(e not in _DAYS for e in ends):
            return None
        a, b = _DAYS.index(ends[0]), _DAYS.index(ends[-1])
        days += [(a + i) % 7 for i in range((b - a) % 7 + 1)]
    return days


def _minutes(hhmm: str) -> int:
    h, m = hhmm.split(":")
    return int(h) * 60 + int(m)


def local_time(venue: Venue, ts_ms: int) -> datetime:
    """The venue's local wall-clock time at event time ``ts_ms``."""
    utc = datetime.fromtimestamp(ts_ms / 1000, tz=UTC)
    zone = (venue.model_extra or {}).get("timezone")
    if isinstance(zone, str):
        try:
            return utc.astimezone(ZoneInfo(zone))
        except (KeyError, ValueError):
            pass
    found = zone_at(round(venue.lat, 4), round(venue.lon, 4))
    if found is not None:
        return utc.astimezone(found)
    return utc.astimezone(timezone(timedelta(hours=round(venue.lon / 15.0))))


@lru_cache(maxsize=4096)
def zone_at(lat: float, lon: float) -> ZoneInfo | None:
    """The IANA zone at a position (cached: venues do not move), None at sea.

    >>> zone_at(50.94, 6.96).key, zone_at(40.71, -74.0).key
    ('Europe/Berlin', 'America/New_York')
    """
    name = _finder().timezone_at(lat=lat, lng=lon)
    try:
        return ZoneInfo(name) if name and not name.startswith("Etc/") else None
    except (KeyError, ValueError):
        return None


@lru_cache(maxsize=1)
def _finder():
    from timezonefinder import TimezoneFinder  # loads its data files on first use only

    return TimezoneFinder()


def is_open(venue: Venue, ts_ms: int) -> bool | None:
    """Whether the venue is open at event time; None when its hours are unknown."""
    if not venue.opening_hours:
        return None
    intervals = parse_opening_hours(venue.opening_hours)
    if intervals is None:
        return None
    t = local_time(venue, ts_ms)
    minute = t.hour * 60 + t.minute
    return any(d == t.weekday() and s <= minute < e for d, s, e in intervals)


@dataclass(frozen=True, slots=True)
class Nearest:
    venue: Venue
    distance_m: float
    bearing: float


class VenueIndex:
    """The current venues; a newer record replaces the old one, a tombstone removes it.

    A linear scan is used for the nearest venue: a chain's few hundred stores
    cost microseconds, and it only runs for events with a position.
    """

    def __init__(self) -> None:
        self._venues: dict[str, Venue] = {}

    def __len__(self) -> int:
        return len(self._venues)

    def upsert(self, venue: Venue) -> None:
        self._venues[venue.venue_id] = venue

    def delete(self, venue_id: str) -> None:
        self._venues.pop(venue_id, None)

    def get(self, venue_id: str) -> Venue | None:
        return self._venues.get(venue_id)

    def best(self, lat: float, lon: float, products: list[str], ts_ms: int) -> Nearest | None:
        """Where to send a ``go`` customer: the nearest venue that is open at event time and has
        the session's latest product in stock; else the nearest open one; else the nearest."""
        ranked: tuple[int, float, str] | None = None
        best: Venue | None = None
        for v in self._venues.values():
            open_now = is_open(v, ts_ms)
            stocked = not products or (v.stock or {}).get(products[0], 0) > 0
            key = (0 if open_now and stocked else 1 if open_now else 2, haversine_m(lat, lon, v.lat, v.lon), v.venue_id)
            if ranked is None or key < ranked:
                ranked, best = key, v
        if best is None or ranked is None:
            return None
        return Nearest(best, ranked[1], bearing_deg(lat, lon, best.lat, best.lon))

    def nearest(self, lat: float, lon: float) -> Nearest | None:
        best: Nearest | None = None
        for v in self._venues.values():
            d = haversine_m(lat, lon, v.lat, v.lon)
            if best is None or d < best.distance_m or (d == best.distance_m and v.venue_id < best.venue.venue_id):
                best = Nearest(v, d, 0.0)
        if best is None:
            return None
        return Nearest(best.venue, best.distance_m, bearing_deg(lat, lon, best.venue.lat, best.venue.lon))
