"""A whole scenario: venues, users, sessions, feedback, duplicates and bad lines -> files.

``generate(Options(...))`` returns the replay lines, the ground truth and the
meta data in the format of the shared sample (``../shared/samples/README.md``);
``write`` puts them into ``events.jsonl``, ``truth.jsonl`` and ``meta.json``.
Deterministic: one seed, separate random streams per concern, no wall clock.
"""

from __future__ import annotations

import json
import random
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import orjson

from schemas.timefmt import parse_ts
from schemas.topics import CLICKSTREAM_TOPIC, FEEDBACK_TOPIC, LOCATION_TOPIC, SEARCH_TOPIC, VENUES_TOPIC
from tools.feed import dumps
from tools.simulate import geo
from tools.simulate.badlines import ALL_KINDS, KINDS, make_bad_line
from tools.simulate.customers import Customers
from tools.simulate.profile import MOMENTS, Profile
from tools.simulate.sessions import MIN_USER_GAP_MS, Ev, Session, SessionMaker, Store, User, pick

EVENT_TOPICS = (CLICKSTREAM_TOPIC, SEARCH_TOPIC, LOCATION_TOPIC)
TOPICS = (*EVENT_TOPICS, FEEDBACK_TOPIC, VENUES_TOPIC)
SESSIONS_PER_HOUR = 33.0  # the shared sample's density: 400 sessions in 12 hours
#: relative traffic by local hour of day
DIURNAL = (0.15,) * 6 + (0.4, 0.6, 0.8, 0.9) + (1.0,) * 8 + (1.2, 1.3, 1.3, 1.1, 0.8, 0.4)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
NOTES = "line numbers are 1-based; bad lines belong to no truth session; a duplicate repeats the line before it"


@dataclass(frozen=True)
class Options:
    """What to simulate; the shares are the realism knobs (see docs/SIMULATOR.md)."""

    profile: str
    sessions: int = 400
    seed: int = 7
    start: str | None = None  # RFC 3339; default: the profile's fixed start
    hours: float | None = None  # default: sessions / 33, at least 2
    opt_out_share: float = 0.03
    analytics_off_share: float = 0.01
    feedback_share: float = 0.3
    bad_share: float = 0.03
    shift_share: float = 0.1
    dup_share: float = 0.007
    no_session_id_share: float = 0.3
    profiles: bool = False  # the customer-profile variant: relations, contacts, cue events (customers.py)


@dataclass
class Scenario:
    lines: list[bytes]
    truth: list[dict]
    meta: dict
    sessions: list[Session] = field(repr=False, default_factory=list)
    users: list[dict] = field(default_factory=list)  # --profiles: users.jsonl
    contacts: list[dict] = field(default_factory=list)  # --profiles: contacts_truth.jsonl


def format_ts(t: int, fmt: str, offset_min: int) -> int | str:
    """``ms`` -> epoch ms; ``zf``/``z`` -> UTC with/without fraction; ``of``/``o`` -> local offset."""
    if fmt == "ms":
        return t
    local = fmt in ("of", "o")
    tz = timezone(timedelta(minutes=offset_min)) if local else UTC
    dt = (_EPOCH + timedelta(milliseconds=t)).astimezone(tz)
    text = dt.strftime("%Y-%m-%dT%H:%M:%S")
    if fmt in ("zf", "of"):
        text += f".{t % 1000:03d}"
    if not local:
        return text + "Z"
    sign = "-" if offset_min < 0 else "+"
    return f"{text}{sign}{abs(offset_min) // 60:02d}:{abs(offset_min) % 60:02d}"


def generate(opts: Options, profile: Profile) -> Scenario:
    seed = opts.seed
    start_ms = parse_ts(opts.start or profile.start)
    hours = opts.hours if opts.hours is not None else max(2.0, opts.sessions / SESSIONS_PER_HOUR)
    stores, venue_lines = _venues(random.Random(f"{seed}:venues"), profile, start_ms)
    rng = random.Random(f"{seed}:sessions")
    maker = SessionMaker(rng, profile, stores, opts.no_session_id_share)
    crowd = Customers(seed, maker, stores) if opts.profiles else None
    users, sessions = _sessions(rng, maker, opts, profile, start_ms, int(hours * 3_600_000))

    writer = _Writer(random.Random(f"{seed}:fields"), maker)
    items: list[tuple[int, int, bytes, str | None]] = []  # (t, seq, line, bad kind)
    for s in sessions:
        for e in s.events:
            items.append((e.t, len(items), writer.line(s, e), None))
        if s.feedback is not None:
            items.append((s.feedback.t, len(items), writer.line(s, s.feedback), None))
    event_times = [e.t for s in sessions for e in s.events]
    t_min, t_max = min(event_times), max(event_times)
    base = writer.base
    if crowd is not None:
        items += [(t, len(items) + i, line, None) for i, (t, line) in enumerate(crowd.items(users, sessions, t_min,
                                                                                              t_max))]
        base = crowd.bad_base(base)
    table = ALL_KINDS if crowd is not None else KINDS

    brng = random.Random(f"{seed}:bad")
    n_good = len(venue_lines) + len(items)
    n_bad = round(opts.bad_share * n_good / (1.0 - opts.bad_share)) if opts.bad_share > 0 else 0
    kinds: list[str] = []
    for i in range(n_bad):
        if i % len(table) == 0:
            kinds[i:] = brng.sample(list(table), len(table))
        t = brng.randint(t_min, t_max)
        user = brng.choice(users)
        kind, line = make_bad_line(brng, lambda topic, t=t, user=user: base(topic, user, t), kinds[i])
        items.append((t, len(items), line, kind))
    items.sort(key=lambda it: (it[0], it[1]))

    drng = random.Random(f"{seed}:dups")
    lines = list(venue_lines)
    bad_lines, dup_lines = [], []
    for _t, _seq, line, kind in items:
        lines.append(line)
        if kind is not None:
            bad_lines.append({"line": len(lines), "kind": kind})
        elif drng.random() < opts.dup_share:
            lines.append(line)
            dup_lines.append(len(lines))

    truth = [_truth(s) for s in sorted(sessions, key=lambda s: (s.start, s.user.uid))]
    meta = _meta(opts, profile, users, sessions, lines, venue_lines, (t_min, t_max), dup_lines, bad_lines, hours)
    if crowd is None:
        return Scenario(lines, truth, meta, sessions)
    crowd.meta(meta, users, sessions)
    return Scenario(lines, truth, meta, sessions, crowd.users_truth(users, sessions), crowd.contacts_truth())


def write(scn: Scenario, out_dir: Path) -> list[Path]:
    """Write ``events.jsonl``, ``truth.jsonl`` and ``meta.json`` into ``out_dir`` (created); with
    ``--profiles`` also ``users.jsonl`` and ``contacts_truth.jsonl``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = [out_dir / "events.jsonl", out_dir / "truth.jsonl", out_dir / "meta.json"]
    paths[0].write_bytes(b"\n".join(scn.lines) + b"\n")
    paths[1].write_bytes(b"".join(orjson.dumps(t) + b"\n" for t in scn.truth))
    paths[2].write_text(json.dumps(scn.meta, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    if "contacts" in scn.meta:
        for name, rows in (("users.jsonl", scn.users), ("contacts_truth.jsonl", scn.contacts)):
            paths.append(out_dir / name)
            paths[-1].write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in rows))
    return paths


# ---------------------------------------------------------------------------- parts
def _venues(rng: random.Random, p: Profile, start_ms: int) -> tuple[dict[str, list[Store]], list[bytes]]:
    """Stores per city and the ``ref.venues`` block: initial records, a few updates, tombstones."""
    stores: dict[str, list[Store]] = {}
    records: list[dict] = []
    t0 = format_ts(start_ms - 3_600_000, "zf", 0)
    for city in p.cities:
        centre = geo.Point(city.lat, city.lon)
        for i, district in enumerate(city.districts, start=1):
            pt = geo.around(rng, centre, 1_500.0, 9_000.0)
            store = Store(f"{p.venue_prefix}-{city.code}-{i}", p.store_name.format(shop=p.shop, city=city.name,
                          district=district), city, district, pt)
            stores.setdefault(city.code, []).append(store)
            records.append(_venue_record(rng, p, store, t0))
    closed = []
    for i in range(p.tombstones):
        city = p.cities[i % len(p.cities)]
        store = Store(f"{p.venue_prefix}-{city.code}-X{i + 1}", p.store_name.format(shop=p.shop, city=city.name,
                      district="Zentrum" if p.currency == "EUR" else "Central"), city, "",
                      geo.around(rng, geo.Point(city.lat, city.lon), 500.0, 3_000.0))
        records.append(_venue_record(rng, p, store, t0))
        closed.append(store.venue_id)
    t1 = format_ts(start_ms - 1_800_000, "zf", 0)
    for rec in rng.sample(records[: len(records) - len(closed)], k=min(3, len(records) - len(closed))):
        new = dict(rec, wait_minutes=rng.randint(0, 25), ts=t1)
        if rng.random() < 0.5:
            new["updated_at"] = t1
        records.append(new)
    t2 = format_ts(start_ms - 1_200_000, "zf", 0)
    records += [{"topic": "ref.venues", "venue_id": vid, "deleted": True, "ts": t2} for vid in closed]
    return stores, [dumps(r) for r in records]


def _venue_record(rng: random.Random, p: Profile, store: Store, ts: str) -> dict:
    stock = {pr.pid: rng.choice((0, 1, 2, 3, 5, 8, 12, 20)) for pr in p.products if rng.random() < 0.6}
    rec = {"topic": "ref.venues", "venue_id": store.venue_id, "name": store.name, "lat": round(store.point.lat, 6),
           "lon": round(store.point.lon, 6), "kind": "store", "opening_hours": rng.choice(p.opening_hours),
           "wait_minutes": rng.randint(0, 15)}
    if p.free_capacity:
        rec["free_capacity"] = rng.randint(0, 250)
    rec["stock"] = stock
    rec["ts"] = ts
    return rec


def _sessions(rng: random.Random, maker: SessionMaker, opts: Options, p: Profile, start_ms: int,
              window_ms: int) -> tuple[list[User], list[Session]]:
    users: list[User] = []
    sessions: list[Session] = []
    while len(sessions) < opts.sessions:
        user, k = maker.user(opts.opt_out_share, opts.analytics_off_share)
        k = min(k, opts.sessions - len(sessions))
        users.append(user)
        planned = sorted(_diurnal_time(rng, start_ms, window_ms, user.city.utc_offset_min) for _ in range(k))
        prev: Session | None = None
        for t in planned:
            if prev is not None:  # 45 min after the previous session (and after its feedback)
                t = max(t, prev.end + MIN_USER_GAP_MS + 2_000 + rng.randint(0, 600_000))
            s = maker.session(user, t, p.moment_weights, rng.random() < opts.shift_share)
            if rng.random() < opts.feedback_share:
                ft = s.end + rng.randint(60_000, 1_200_000)
                fmt = pick(rng, (("ms", 0.55), ("zf", 0.27), ("z", 0.1), ("of", 0.08)))
                ft -= ft % 1000 if fmt == "z" else 0
                s.feedback = Ev(ft, "feedback", {"moment": s.moments[-1], "source": pick(
                    rng, p.feedback_sources[s.moments[-1]])}, None, len(s.moments) - 1, fmt)
            sessions.append(s)
            prev = s
    return users, sessions


def _diurnal_time(rng: random.Random, start_ms: int, window_ms: int, offset_min: int) -> int:
    for _ in range(50):
        t = start_ms + rng.randrange(window_ms)
        hour = ((t + offset_min * 60_000) // 3_600_000) % 24
        if rng.random() < DIURNAL[hour] / 1.3:
            return t
    return t


class _Writer:
    """Turns an ``Ev`` into a replay line: common fields (with the sample's optionality) + body."""

    def __init__(self, rng: random.Random, maker: SessionMaker) -> None:
        self.rng = rng
        self.maker = maker

    def consent(self, user: User) -> dict | None:
        if user.opted_out:
            return {"personalization": False, "analytics": True}
        if user.analytics_off:
            return {"personalization": True, "analytics": False}
        return {"personalization": True, "analytics": True} if self.rng.random() < 0.42 else None

    def line(self, s: Session, e: Ev) -> bytes:
        rng, user = self.rng, s.user
        d: dict = {"topic": e.topic, "event_id": self.maker.uuid(), "user_id": user.uid}
        e.eid = d["event_id"]
        if s.session_id is not None:
            d["session_id"] = s.session_id
        d["ts"] = format_ts(e.t, e.fmt, user.city.utc_offset_min)
        if e.topic == "feedback":
            d.update(e.body)
            if user.opted_out or user.analytics_off:
                d["consent"] = self.consent(user)
            return dumps(d)
        if s.channel != "web" or rng.random() < 0.5:
            d["channel"] = s.channel
        if rng.random() < 0.9:
            d["device"] = s.device
        consent = self.consent(user)
        if consent is not None:
            d["consent"] = consent
        if rng.random() < 0.6:
            d["locale"] = user.locale
        if s.channel == "app" and rng.random() < 0.83:
            d["app_version"] = user.app_version if rng.random() < 0.85 else rng.choice(self.maker.p.app_versions)
        d.update(e.body)
        return dumps(d)

    def base(self, topic: str, user: User, t: int) -> dict:
        """A plausible valid message of ``topic`` for ``user`` at ``t`` (the start of a bad line)."""
        rng, p = self.rng, self.maker.p
        d: dict = {"topic": topic, "event_id": self.maker.uuid(), "user_id": user.uid,
                   "ts": format_ts(t, rng.choice(("ms", "zf")), user.city.utc_offset_min)}
        product = rng.choice(p.products)
        if topic == "events.search":
            d.update(query=product.q, results_count=rng.randint(1, 80))
        elif topic == "events.location":
            here = geo.around(rng, user.home, 0.0, 3_000.0)
            d.update(lat=round(here.lat, 6), lon=round(here.lon, 6), speed_mps=1.2, heading=90.0)
        elif topic == "feedback":
            d.update(moment=rng.choice(MOMENTS), source="conversion")
        else:
            d.update(type="page_view", url=p.base_url + "/", product_id=product.pid)
        return d


def _truth(s: Session) -> dict:
    row = {"user_id": s.user.uid, "session_start": s.start, "session_end": s.end, "moment": s.moments[-1],
           "has_feedback": s.feedback is not None, "opted_out": s.user.opted_out, "session_id": s.session_id,
           "n_events": len(s.events), "channel": s.channel, "device": s.device}
    if len(s.moments) > 1:
        row["segments"] = [{"moment": m, "start": min(e.t for e in s.events if e.seg == i),
                            "end": max(e.t for e in s.events if e.seg == i)} for i, m in enumerate(s.moments)]
    if any(e.cue for e in s.events):  # --profiles: cancellation/complaint/return events
        row["cue_events"] = [e.eid for e in s.events if e.cue]
    return row


def _meta(opts: Options, p: Profile, users: list[User], sessions: list[Session], lines: list[bytes],
          venue_lines: list[bytes], time_range: tuple[int, int], dup_lines: list[int], bad_lines: list[dict],
          hours: float) -> dict:
    topics = Counter(e.topic for s in sessions for e in s.events)
    topics["feedback"] = sum(1 for s in sessions if s.feedback is not None)
    topics["ref.venues"] = len(venue_lines)
    content = [e for s in sessions for e in s.events if e.topic != "events.location"]
    moments = Counter(s.moments[-1] for s in sessions)
    return {
        "profile": p.name, "seed": opts.seed, "sessions": len(sessions), "users": len(users), "lines": len(lines),
        "per_moment": {m: moments[m] for m in MOMENTS},
        "per_topic": {t: topics[t] for t in TOPICS},
        "generic_event_share": round(sum(1 for e in content if e.tag is None) / max(1, len(content)), 3),
        "opted_out_users": sum(1 for u in users if u.opted_out),
        "opted_out_sessions": sum(1 for s in sessions if s.user.opted_out),
        "analytics_off_users": sum(1 for u in users if u.analytics_off),
        "shifted_sessions": sum(1 for s in sessions if len(s.moments) > 1),
        "feedback": topics["feedback"],
        "sessions_without_session_id": sum(1 for s in sessions if s.session_id is None),
        "time_range": list(time_range),
        "duplicates": {"count": len(dup_lines), "lines": dup_lines},
        "n_bad_lines": len(bad_lines),
        "bad_lines": bad_lines,
        "notes": NOTES,
        "description": p.description,
        "start": format_ts(parse_ts(opts.start or p.start), "zf", 0),
        "hours": round(hours, 2),
        "options": {k: v for k, v in asdict(opts).items() if k.endswith("_share")},
    }
