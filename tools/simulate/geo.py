"""Positions: stores around city centres, homes, and tracks (approach, commute, stand still).

Small distances only (a city), so an equirectangular projection is plenty.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

EARTH_M = 6_371_000.0

#: travel modes towards a store: (name, speed range m/s, max start distance m)
MODES: tuple[tuple[str, tuple[float, float], float], ...] = (
    ("walk", (1.1, 1.6), 1_800.0),
    ("bike", (3.5, 6.5), 5_000.0),
    ("drive", (8.5, 16.5), 14_000.0),
)
MODE_WEIGHTS = (0.3, 0.15, 0.55)


@dataclass(frozen=True, slots=True)
class Point:
    lat: float
    lon: float


def offset(p: Point, distance_m: float, bearing_deg: float) -> Point:
    """The point ``distance_m`` away from ``p`` in direction ``bearing_deg`` (0 = north)."""
    b = math.radians(bearing_deg)
    dlat = distance_m * math.cos(b) / EARTH_M
    dlon = distance_m * math.sin(b) / (EARTH_M * math.cos(math.radians(p.lat)))
    return Point(p.lat + math.degrees(dlat), p.lon + math.degrees(dlon))


def distance(a: Point, b: Point) -> float:
    """Great-circle distance in metres (haversine)."""
    p1, p2 = math.radians(a.lat), math.radians(b.lat)
    dp, dl = p2 - p1, math.radians(b.lon - a.lon)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_M * math.asin(min(1.0, math.sqrt(h)))


def bearing(a: Point, b: Point) -> float:
    """Initial bearing from ``a`` to ``b`` in degrees [0, 360)."""
    p1, p2 = math.radians(a.lat), math.radians(b.lat)
    dl = math.radians(b.lon - a.lon)
    y = math.sin(dl) * math.cos(p2)
    x = math.cos(p1) * math.sin(p2) - math.sin(p1) * math.cos(p2) * math.cos(dl)
    return math.degrees(math.atan2(y, x)) % 360.0


def around(rng: random.Random, centre: Point, min_m: float, max_m: float) -> Point:
    return offset(centre, rng.uniform(min_m, max_m), rng.uniform(0.0, 360.0))


@dataclass(slots=True)
class Fix:
    """One position report: what an ``events.location`` message carries."""

    lat: float
    lon: float
    accuracy_m: float | None
    speed_mps: float | None
    heading: float | None


def _fix(rng: random.Random, p: Point, accuracy: tuple[float, float], speed: float | None,
         heading: float | None) -> Fix:
    jitter = offset(p, rng.uniform(0.0, 12.0), rng.uniform(0.0, 360.0))
    return Fix(round(jitter.lat, 6), round(jitter.lon, 6), round(rng.uniform(*accuracy), 1),
               None if speed is None else round(speed, 2), None if heading is None else round(heading % 360.0, 2))


def approach(rng: random.Random, store: Point, times_ms: list[int], arrive: bool) -> list[Fix]:
    """A customer moving towards ``store``: distance shrinks with time at a mode's speed.

    The start distance is what the speed covers until the last ping (capped per mode),
    so the customer is close at the session's end; with ``arrive`` the last ping is in the store.
    """
    name, (lo, hi), max_d = rng.choices(MODES, MODE_WEIGHTS)[0]
    speed = rng.uniform(lo, hi)
    end_d = rng.uniform(60.0, 400.0) if not arrive else 0.0
    span_s = (times_ms[-1] - times_ms[0]) / 1000.0
    start_d = min(max_d, end_d + speed * span_s * rng.uniform(0.9, 1.1))
    start_d = max(start_d, end_d + 150.0)
    direction = rng.uniform(0.0, 360.0)  # from the store towards the start
    fixes = []
    for i, t in enumerate(times_ms):
        elapsed = (t - times_ms[0]) / 1000.0
        d = max(end_d, start_d - speed * elapsed)
        if arrive and i == len(times_ms) - 1:
            d = rng.uniform(3.0, 30.0)
        here = offset(store, d, direction + rng.gauss(0.0, 2.0))
        if d < 35.0:
            fixes.append(_fix(rng, here, (3.0, 20.0), 0.0 if rng.random() < 0.7 else None, None))
            continue
        stopped = rng.random() < 0.08  # a red light
        v = 0.0 if stopped else speed * rng.uniform(0.85, 1.15)
        head = None if stopped or rng.random() < 0.25 else bearing(here, store) + rng.gauss(0.0, 10.0)
        fixes.append(_fix(rng, here, (3.0, 25.0), v if rng.random() < 0.9 else None, head))
    return fixes


def commute(rng: random.Random, start: Point, times_ms: list[int]) -> list[Fix]:
    """Someone on a bus or in a car, heading somewhere that is not (necessarily) a store."""
    speed = rng.uniform(7.0, 17.0)
    head = rng.uniform(0.0, 360.0)
    fixes = []
    for t in times_ms:
        here = offset(start, speed * (t - times_ms[0]) / 1000.0, head)
        fixes.append(_fix(rng, here, (4.0, 40.0), speed * rng.uniform(0.9, 1.1),
                          head + rng.gauss(0.0, 4.0) if rng.random() < 0.7 else None))
    return fixes


def stationary(rng: random.Random, place: Point, times_ms: list[int], coarse: bool) -> list[Fix]:
    """Standing still at home, at work, or (``place`` = a store) inside a shop."""
    acc = (250.0, 1500.0) if coarse else (4.0, 60.0)
    spot = offset(place, rng.uniform(0.0, 300.0 if coarse else 15.0), rng.uniform(0.0, 360.0))
    return [_fix(rng, spot, acc, 0.0 if rng.random() < 0.55 else None, None) for _ in times_ms]
