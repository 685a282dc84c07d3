"""The action catalogue: validation with clear errors, and the decisions of the one decision module."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from actions.catalogue import DEFAULT_PATH, LEVELS, Catalogue, CatalogueError
from actions.choose import Situation, choose, ranked
from pipeline.venues import VenueIndex, is_open
from schemas.events import Venue
from schemas.profiles import PROFILE_CHANNELS

SHIPPED = DEFAULT_PATH.read_text(encoding="utf-8")
GREET = '[[action]]\nid = "greet"\nchannels = ["web", "app", "callcenter", "terminal", "email"]\nkind = "greet"\n' \
        'text.en = "hi"\ntext.de = "hallo"\n'


def entry(**fields) -> str:
    lines = ["[[action]]"]
    for k, v in fields.items():
        lines.append(f"{k} = {v}")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize(("text", "message"), [
    ("[[action]\n", "not valid TOML"),
    ("[actions]\nx = 1\n", "unknown top-level key"),
    ("", "no [[action]] entries"),
    (GREET + entry(id='"x"', channels='["fax"]', kind='"greet"', **{"text.en": '"a"', "text.de": '"b"'}),
     "action 2 ('x'): channels.0: Input should be"),
    (GREET + entry(id='"x"', channels='["web"]', kind='"greet"', **{"text.en": '"a"'}), "action 2 ('x'): text.de"),
    (GREET + entry(id='"x"', channels='["web"]', kind='"greet"', colour='"red"', **{"text.en": '"a"', "text.de": '"b"'}),
     "action 2 ('x'): colour: Extra inputs are not permitted"),
    (GREET + entry(id='"upsell"', channels='["callcenter"]', levels='["red"]', kind='"offer"',
                   **{"text.en": '"a"', "text.de": '"b"'}), "an offer is never allowed for red customers"),
    (GREET + entry(id='"x"', channels='["web"]', kind='"content"', **{"text.en": '"{topics}"', "text.de": '"b"'}),
     "text uses {topics} but needs does not name 'interests'"),
    (GREET + entry(id='"x"', channels='["web"]', kind='"content"', **{"text.en": '"{price}"', "text.de": '"b"'}),
     "unknown placeholder {price}"),
    (GREET + GREET, "action id 'greet' is used twice"),
    (GREET.replace('"email"]', "]").replace('"web", ', ""), "no fallback for channel web, level green, moment know"),
    (GREET.replace('"greet"\nchannels', '"Greet!"\nchannels'), "action 1 ('Greet!'): id: String should match"),
])
def test_a_bad_catalogue_is_refused_naming_entry_and_field(text, message):
    with pytest.raises(CatalogueError) as err:
        Catalogue.parse(text, "ops.toml")
    assert str(err.value).startswith("ops.toml: ") and message in str(err.value), str(err.value)


def test_an_unreadable_file_says_which(tmp_path):
    with pytest.raises(CatalogueError, match="cannot read the action catalogue"):
        Catalogue.load(tmp_path / "missing.toml")


def test_the_shipped_catalogue_loads_and_an_edited_copy_is_used(tmp_path):
    assert len(Catalogue.load().actions) >= 15
    edited = tmp_path / "catalogue.toml"
    edited.write_text(SHIPPED.replace('id = "retention_script"', 'id = "call_back_by_manager"'), encoding="utf-8")
    cat = Catalogue.load(edited)
    assert choose(cat, "callcenter", Situation(level="red"))["action"] == "call_back_by_manager"


@given(level=st.sampled_from(LEVELS), moment=st.sampled_from([None, "know", "go", "do", "buy"]),
       channel=st.sampled_from(PROFILE_CHANNELS), topics=st.lists(st.sampled_from(["drills", "tv"]), max_size=2),
       open_now=st.sampled_from([None, True, False]), stock=st.integers(0, 3), lang=st.sampled_from(["de", "en"]))
def test_every_situation_gets_an_action_and_red_never_an_offer(level, moment, channel, topics, open_now, stock, lang):
    venue = {"venue_id": "v", "name": "Köln", "distance_m": 900.0, "open_now": open_now, "wait_minutes": 4.0,
             "free_capacity": None, "stock": {"p1": stock}} if moment == "go" else None
    s = Situation(level=level, why="negative mood (-0.60)", moment=moment, confidence=0.8, venue=venue,
                  topics=topics, lang=lang)
    choice = choose(Catalogue.load(), channel, s)
    kind = Catalogue.load().by_id[choice["action"]].kind
    assert choice["reason"] and choice["text"] and "{" not in choice["text"]
    if level == "red":
        assert kind == "retention" and choice["reason"].startswith("red: negative mood")
    if level == "amber":
        assert kind != "offer"


def test_a_red_caller_gets_a_retention_script_not_an_upsell():
    s = Situation(level="red", why="looked for cancellation (2x)", moment="buy", confidence=0.93, lang="de")
    choice = choose(Catalogue.load(), "callcenter", s)
    assert choice["action"] == "retention_script"
    assert "Kein Verkaufsangebot" in choice["text"]
    green = choose(Catalogue.load(), "callcenter", Situation(level="green", moment="buy", confidence=0.93))
    assert green["action"] == "offer_to_order" and green["reason"] == "current moment buy (0.93)"


def test_a_newsletter_gets_the_top_interests_and_caps_move_to_the_next_action():
    cat = Catalogue.load()
    s = Situation(topics=["drills", "garden"], lang="en")
    first = choose(cat, "email", s)
    assert first == {"action": "newsletter_interests", "reason": "top interests: drills, garden",
                     "text": "Newsletter with content on drills, garden."}
    assert choose(cat, "email", s, capped=lambda spec: spec.id == "newsletter_interests")["action"] == \
        "newsletter_default"
    assert [a.id for a in ranked(cat, "email", s)][-1] == "greet"


def cologne(venue_id: str, lat: float, lon: float, hours: str = "Mo-Sa 09:00-20:00", stock: int = 2,
            **extra) -> Venue:
    return Venue.model_validate({"venue_id": venue_id, "name": f"Köln {venue_id}", "lat": lat, "lon": lon,
                                 "opening_hours": hours, "wait_minutes": 5, "stock": {"p1": stock}, **extra})


def test_opening_state_in_the_venues_own_time_zone():
    """Cologne is on Berlin time (UTC+2 in summer): at 07:30 UTC it is 09:30 there, open; the old
    longitude guess (6.96/15 -> UTC+0) said 07:30 and closed."""
    v = cologne("a", 50.94, 6.96)
    summer = int(datetime(2026, 7, 1, 7, 30, tzinfo=UTC).timestamp() * 1000)
    winter = int(datetime(2026, 1, 7, 7, 30, tzinfo=UTC).timestamp() * 1000)  # 08:30 in Cologne: closed
    assert is_open(v, summer) is True and is_open(v, winter) is False
    # an explicit zone wins over the position
    assert is_open(cologne("b", 50.94, 6.96, timezone="America/New_York"), summer) is False


def test_a_go_customer_is_sent_to_the_nearest_venue_that_is_open_and_has_the_product():
    summer = int(datetime(2026, 7, 1, 10, 0, tzinfo=UTC).timestamp() * 1000)  # Wednesday 12:00 in Cologne
    index = VenueIndex()
    index.upsert(cologne("closed", 50.9400, 6.9600, hours="Sa 09:00-12:00"))  # nearest, closed
    index.upsert(cologne("empty", 50.9420, 6.9600, stock=0))  # open, no stock
    index.upsert(cologne("good", 50.9500, 6.9600))  # open with stock, farther
    best = index.best(50.9399, 6.9600, ["p1"], summer)
    assert best is not None and best.venue.venue_id == "good"
    assert index.nearest(50.9399, 6.9600).venue.venue_id == "closed"
    assert index.best(50.9399, 6.9600, ["p9"], summer).venue.venue_id == "empty"  # nobody has it: nearest open


def test_every_channel_level_and_moment_is_covered_by_the_shipped_catalogue():
    cat = Catalogue.load()
    for channel, level, moment in itertools.product(PROFILE_CHANNELS, LEVELS, [None, "know", "go", "do", "buy"]):
        assert ranked(cat, channel, Situation(level=level, moment=moment)), (channel, level, moment)


def test_the_command_line_checks_a_catalogue_and_the_worker_refuses_a_bad_one(tmp_path, monkeypatch, capsys):
    from config import get_settings
    from micromoments.cli import main

    assert main(["actions", "check"]) == 0 and "every channel x level x moment covered" in capsys.readouterr().out
    bad = tmp_path / "ops.toml"
    bad.write_text(SHIPPED.replace('levels = ["green"]\nmoments = ["buy"]\nkind = "offer"',
                                   'levels = ["green", "red"]\nmoments = ["buy"]\nkind = "offer"', 1), encoding="utf-8")
    assert main(["actions", "check", str(bad)]) == 2
    assert "an offer is never allowed for red customers" in capsys.readouterr().err
    monkeypatch.setenv("MOMENTS_ACTIONS_FILE", str(bad))
    get_settings.cache_clear()
    try:
        events = tmp_path / "in.jsonl"
        events.write_text("")
        assert main(["replay", "-i", str(events), "-o", str(tmp_path / "out.jsonl")]) == 2
        assert "MOMENTS_ACTIONS_FILE: " in capsys.readouterr().err
    finally:
        monkeypatch.delenv("MOMENTS_ACTIONS_FILE")
        get_settings.cache_clear()
