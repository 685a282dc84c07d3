"""Moments explained in words (``detectors.explain``): phrases per feature family in English and
German, the issue's example, and every moment of simulated shops readable and free of feature keys."""

from __future__ import annotations

import re

import pytest

from config import Settings
from detectors.explain import lang_of, moment_explanation, page_kind
from pipeline.detector_factory import build_core
from pipeline.replay import Replayer
from schemas import Moment
from schemas.outputs import MomentContext, VenueContext
from tools.simulate import PROFILES, simulate

#: a feature key as the detector writes it (scope and cue, e.g. ``r:w:stor``, ``loc:dist_log_km``)
RAW_KEY = re.compile(r"\b(?:[rsl]:)?(?:w|b|ev|src|has|loc|price|n|ch|dev|hour):[a-z0-9_]")
QUOTED = re.compile(r"„[^“]*“|\"[^\"]*\"")
EN_WORDS = {"searched", "viewed", "then", "the", "a", "and", "wants", "away", "from", "now", "heading", "on"}
DE_WORDS = {"suchte", "öffnete", "dann", "und", "will", "entfernt", "die", "den", "eine", "gerade", "sich"}


def venue(**kw) -> VenueContext:
    return VenueContext(**{"venue_id": "V1", "name": "Köln-Ehrenfeld", "distance_m": 304.2, **kw})


def both(moment: str, reasons: list[tuple[str, float]], ctx: MomentContext) -> tuple[str, str]:
    return moment_explanation(moment, reasons, ctx, "en"), moment_explanation(moment, reasons, ctx, "de")


def test_the_issue_example_in_english_and_german():
    ctx = MomentContext(query="akku bohrer test", url="https://www.werkhaus.example/de/filialen/koeln-ehrenfeld",
                        venue=venue(), locale="de-DE")
    reasons = [("r:w:filial", 1.2), ("s:src:search", 0.9), ("loc:heading_to_venue", 0.8)]
    assert both("go", reasons, ctx) == (
        'searched "akku bohrer test", then the store page of Köln-Ehrenfeld, 300 m away and heading there',
        "suchte „akku bohrer test“, dann die Filialseite von Köln-Ehrenfeld, 300 m entfernt und auf dem Weg dorthin")


def test_lang_of_locales():
    assert [lang_of(x) for x in ("de-AT", "de", "DE-ch", "en-GB", "fr-FR", "", None)] == \
        ["de", "de", "de", "en", "en", "en", "en"]
    ctx = MomentContext(query="tv")
    assert moment_explanation("buy", [], ctx, "fr") == moment_explanation("buy", [], ctx, "en") == 'wants to buy: "tv"'


def test_search_phrase_keeps_the_query_as_typed_and_cuts_long_ones():
    ctx = MomentContext(query="Öffnungszeiten Filiale München")
    assert both("go", [("r:w:oeffnungszeit", 1.0), ("r:b:filial_muench", 0.5)], ctx) == (
        'searched "Öffnungszeiten Filiale München"', "suchte „Öffnungszeiten Filiale München“")
    long = MomentContext(query="what time does the northern lights music festival start on saturday")
    assert moment_explanation("know", [("r:src:search", 1.0)], long, "en") == \
        'searched "what time does the northern lights music…"'


@pytest.mark.parametrize("url, kind, en, de", [
    ("https://shop.example/en-gb/bag", "cart", "viewed the cart", "öffnete den Warenkorb"),
    ("/de/kasse/zahlungsart", "checkout", "viewed the checkout", "öffnete die Kasse"),
    ("/au/products/kirra-sideboard/HG-5026#reviews", "reviews", "viewed the reviews", "öffnete die Bewertungen"),
    ("/de/artikel/6310105-fliesenkleber/bedienungsanleitung.pdf", "manual", "viewed a manual", "öffnete eine Anleitung"),
    ("/guides/how-to-install-a-video-doorbell#video", "video", "viewed a how-to video", "öffnete ein Anleitungsvideo"),
    ("/de/ratgeber/garten-kaufberatung.html", "guide", "viewed a guide", "öffnete einen Ratgeber"),
    ("/products/sony-wh-1000xm5", "product", "viewed a product page", "öffnete eine Produktseite"),
    ("/de/maerkte/hamburg/werkhaus-hamburg-harburg.html#route", "store", "viewed a store page", "öffnete eine Filialseite"),
    ("/de/", "home", "viewed the home page", "öffnete die Startseite"),
])
def test_page_phrases_name_the_kind_of_page(url, kind, en, de):
    assert page_kind(url) == kind
    assert both("know", [("r:w:x", 0.7), ("l:ev:page_view", 0.2)], MomentContext(url=url)) == (en, de)


def test_click_events_and_prices():
    ctx = MomentContext(url="/de/artikel/4013150-bohrhammer.html", product_ids=["4013150"])
    assert both("buy", [("r:ev:add_to_cart", 1.3), ("s:ev:add_to_cart", 0.8), ("price:log", 0.4)], ctx) == (
        "put a product in the cart, then looked at prices",
        "legte einen Artikel in den Warenkorb, dann sah sich Preise an")
    assert both("buy", [("r:ev:checkout", 1.0)], MomentContext(url="/checkout")) == (
        "went to the checkout", "ging zur Kasse")
    manual = MomentContext(url="/support/hisense-u8-55/manual.pdf")
    assert both("do", [("r:ev:download", 1.0)], manual) == ("downloaded a manual", "lud eine Anleitung herunter")


def test_steps_in_the_order_of_their_recency():
    ctx = MomentContext(query="tv deals", url="/c/tvs")
    # the page's cue is of the session (older), the search's of the last event
    assert moment_explanation("buy", [("l:w:deal", 1.0), ("s:w:tv", 0.1), ("s:w:c", 0.5)], ctx, "en") == \
        'viewed a category page, then searched "tv deals"'
    assert moment_explanation("buy", [("s:src:search", 1.0), ("l:w:c", 0.5)], ctx, "en") == \
        'searched "tv deals", then a category page'


def test_venue_phrases_distance_movement_opening_and_stock():
    v = venue(name="WerkHaus Berlin-Spandau", distance_m=1234.0, open_now=True, wait_minutes=5.0,
              stock={"P1": 3})
    ctx = MomentContext(venue=v, product_ids=["P1"])
    assert both("go", [("loc:walk", 1.4), ("loc:heading_to_venue", 1.1)], ctx) == (
        "1.2 km from WerkHaus Berlin-Spandau (open now, 5 min wait, in stock) and heading there on foot",
        ("1,2 km von WerkHaus Berlin-Spandau (gerade geöffnet, 5 Min. Wartezeit, vorrätig) entfernt und zu Fuß "
         "auf dem Weg dorthin"))
    closed = MomentContext(venue=venue(distance_m=12_345.0, open_now=False, stock={"P1": 0, "P2": 0}))
    assert both("go", [("loc:drive", 0.6), ("s:src:location", 0.5)], closed) == (
        "12 km from Köln-Ehrenfeld (closed now, not in stock), on the move by car",
        "12 km von Köln-Ehrenfeld (gerade geschlossen, nicht vorrätig) entfernt, mit dem Auto unterwegs")
    inside = MomentContext(venue=venue(distance_m=40.0, open_now=True, stock={"P1": 1, "P2": 0}))
    assert both("go", [("loc:in_venue", 2.0)], inside) == (
        "at Köln-Ehrenfeld (open now, 1 of 2 items in stock)",
        "bei Köln-Ehrenfeld (gerade geöffnet, 1 von 2 Artikeln vorrätig)")
    # a moment without a venue in its context (not go): the movement alone
    assert both("do", [("loc:approaching", 1.0), ("loc:bike", 0.5)], MomentContext()) == (
        "heading to a store, by bike", "auf dem Weg zu einer Filiale, mit dem Rad")


def test_channel_device_and_earlier_cues_follow_the_steps():
    ctx = MomentContext(query="wasserhahn wechseln", channel="app", device="mobile")
    en, de = both("do", [("r:w:wechseln", 1.0), ("ch:app", 0.4), ("s:w:anleitung", 0.3), ("dev:mobile", 0.1)], ctx)
    assert en == 'searched "wasserhahn wechseln", in the app, as earlier in the visit'
    assert de == "suchte „wasserhahn wechseln“, in der App, wie schon früher im Besuch"


@pytest.mark.parametrize("moment, en, de", [
    ("know", 'wants to know: "tv"', "will wissen: „tv“"), ("go", 'wants to go: "tv"', "will hin: „tv“"),
    ("do", 'wants to do: "tv"', "will machen: „tv“"), ("buy", 'wants to buy: "tv"', "will kaufen: „tv“"),
])
def test_fallback_per_moment_when_no_reason_has_words(moment, en, de):
    reasons = [("hour:2", 0.3), ("n:events", 0.2), ("scripted", 1.0), ("r:w:tv", -0.5)]
    assert both(moment, reasons, MomentContext(query="tv")) == (en, de)
    assert both(moment, [], MomentContext(url="/en-gb/bag"))[0].endswith(", last viewed the cart")
    assert both(moment, [], MomentContext())[1] == de.split(":")[0]


def test_the_moment_schema_carries_the_explanation_after_the_reasons():
    props = list(Moment.model_json_schema(mode="serialization")["properties"])
    assert props.index("explanation") == props.index("reasons") + 1
    assert Moment.model_fields["explanation"].default is None


@pytest.fixture(scope="module")
def replayed() -> list[Moment]:
    """Every moment replay publishes for seven simulated shops (a few seconds)."""
    out = []
    for shop in PROFILES:
        scn = simulate(shop, 70, seed=21)
        out += [m for m in Replayer(build_core(Settings())).feed(scn.lines) if isinstance(m, Moment)]
    return out


def test_every_replayed_moment_is_explained_in_words_without_feature_keys(replayed):
    assert len(replayed) > 300 and {m.moment for m in replayed} == {"know", "go", "do", "buy"}
    for m in replayed:
        text = m.explanation
        assert text and len(text) < 240, m
        assert not RAW_KEY.search(QUOTED.sub("", text)), (text, m.reasons)
        assert not any(r.feature in text for r in m.reasons), (text, m.reasons)
        # the session's locale decides; without one, the language the profile knows (either here)
        langs = [lang_of(m.context.locale)] if m.context.locale else ["de", "en"]
        assert text in [moment_explanation(m.moment, [(r.feature, r.contribution) for r in m.reasons], m.context,
                                           lang) for lang in langs]
    go_venues = [m for m in replayed if m.moment == "go" and m.context.venue is not None and
                 any(r.feature.startswith("loc:") for r in m.reasons[:1])]
    assert go_venues and all(m.context.venue.name in m.explanation or "300 m" in m.explanation
                             for m in go_venues)


def test_german_customers_read_german_and_the_others_english(replayed):
    de = [m for m in replayed if lang_of(m.context.locale) == "de"]
    en = [m for m in replayed if m.context.locale and lang_of(m.context.locale) == "en"]  # none: the profile's
    assert len(de) > 100 and len(en) > 100
    for group, own, other in ((de, DE_WORDS, EN_WORDS), (en, EN_WORDS, DE_WORDS)):
        for m in group:  # the customer's own words (query, venue name) aside
            text = QUOTED.sub("", m.explanation.replace(m.context.venue.name, "") if m.context.venue else m.explanation)
            words = set(re.findall(r"[a-zäöüß]+", text.lower()))
            assert not words & other, (m.context.locale, m.explanation)
        assert sum(bool(own & set(re.findall(r"[a-zäöüß]+", m.explanation.lower()))) for m in group) > len(group) / 2
