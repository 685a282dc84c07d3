"""``tickets-en``: "StageDoor Tickets", a North-American ticket office for concerts, theatre, sports,
comedy, family shows and festivals, with box offices in arenas and theatres (English, USD; US and
Canadian cities, September, daylight saving time).

URL scheme ``/events/<slug>/<event id>`` (ids like ``SD25-CON-0914``), ``/explore/<cat>``,
``/events/.../lineup`` and ``/events/.../know-before-you-go`` and seating charts (know),
``/venues/<city>/<box office>`` with parking, getting there and will call (go),
``/my-tickets/<event id>/transfer|wallet|resale|name-change`` and ``/help/...`` (do),
``/events/.../seats``, ``/cart`` and ``/checkout/...`` (buy). Most sessions open with a search.
Ticket words ("tickets", "setlist", "lineup", "seating chart", "presale", "floor seats",
"box office", "parking", "transfer", "wallet", "refund", "resell") are unknown to the rule
lexicon, and some it knows point the wrong way: know cues "seat map" and "opening act" read as
go, "running order" as buy, "how long is" and a trailer's video play as do; buy cues "how much
are ... tickets" read as do, "best available" as know, "pick seats" as go.
"""

from __future__ import annotations

from tools.simulate.profile import Category, City, CueMix, Journey, Product, Profile

C = Category
CATEGORIES = (
    C("concerts", "Concerts", "concerts", "concerts",
      ("transfer tickets to a friend", "add tickets to apple wallet", "resell concert tickets")),
    C("theatre", "Theatre & Broadway", "broadway shows", "theater",
      ("change the name on a ticket", "exchange tickets for another performance", "request a refund")),
    C("sports", "Sports", "games", "sports",
      ("transfer season tickets", "add tickets to google wallet", "sell tickets on the fan marketplace")),
    C("comedy", "Comedy", "comedy shows", "comedy",
      ("request a refund for a cancelled show", "upgrade my seats", "change the name on a ticket")),
    C("family", "Family & Kids", "kids shows", "family",
      ("print tickets at home", "transfer tickets to a friend", "add a lap child to my tickets")),
    C("festivals", "Festivals", "music festivals", "festivals",
      ("activate a festival wristband", "add a camping pass", "resell a festival pass")),
)

P = Product
PRODUCTS = (
    P("SD25-CON-0914", "The Velvet Comets: Neon Tide Tour", "concerts", 89.0, "The Velvet Comets",
      typed="velvet comets"),
    P("SD25-CON-0921", "Maren Holt Live", "concerts", 129.0, "Maren Holt", typed="maren holt"),
    P("SD25-CON-1003", "Los Faros del Sur", "concerts", 65.0, "Los Faros del Sur", typed="los faros"),
    P("SD25-THE-0912", "Hamlet at the Orpheum", "theatre", 75.0, "Northlight Stage Company", typed="hamlet orpheum"),
    P("SD25-THE-0918", "Paper Lanterns: The Musical", "theatre", 110.0, "Lantern Row Productions",
      typed="paper lanterns musical"),
    P("SD25-THE-1010", "The Glass Orchard", "theatre", 59.0, "Northlight Stage Company", typed="glass orchard"),
    P("SD25-SPO-0916", "Harbor City Huskies vs Lakeshore Gales", "sports", 95.0, "Harbor City Huskies",
      typed="huskies vs gales"),
    P("SD25-SPO-0927", "Pacific Tide vs Summit Ravens", "sports", 70.0, "Pacific Tide", typed="tide vs ravens"),
    P("SD25-SPO-1019", "Metro Cup Final", "sports", 150.0, "Metro Cup", typed="metro cup final"),
    P("SD25-COM-0919", "Dana Whitlock: Overthinker Tour", "comedy", 49.0, "Dana Whitlock", typed="dana whitlock"),
    P("SD25-COM-0926", "Late Shift Improv", "comedy", 35.0, "Late Shift", typed="late shift improv"),
    P("SD25-FAM-0920", "Frost Kingdom on Ice", "family", 45.0, "Frost Kingdom", typed="frost kingdom on ice"),
    P("SD25-FAM-1004", "Dino Dig Live!", "family", 39.0, "Dino Dig", typed="dino dig live"),
    P("SD25-FES-0913", "Northern Lights Music Festival", "festivals", 249.0, "Northern Lights",
      typed="northern lights festival"),
    P("SD25-FES-0920", "Riverbend Folk Fest", "festivals", 149.0, "Riverbend", typed="riverbend folk fest"),
    P("SD25-FES-1011", "Sunset Valley Jazz Weekend", "festivals", 119.0, "Sunset Valley", typed="sunset valley jazz"),
)

CITIES = (
    City("New York", "NYC", 40.7505, -73.9934, -240, ("Hudson Arena", "Orpheum Theatre", "Brooklyn Pavilion")),
    City("Toronto", "YYZ", 43.6532, -79.3832, -240, ("Harbourfront Arena", "King Street Playhouse")),
    City("Chicago", "CHI", 41.8781, -87.6298, -300, ("Lakeshore Arena", "Loop Music Hall")),
    City("Nashville", "BNA", 36.1627, -86.7816, -300, ("Broadway Amphitheater", "Riverfront Hall")),
    City("Vancouver", "YVR", 49.2827, -123.1207, -420, ("False Creek Arena", "Granville Theatre")),
    City("Los Angeles", "LAX", 34.0522, -118.2437, -420, ("Downtown Coliseum", "Sunset Playhouse")),
    City("Montreal", "YUL", 45.5019, -73.5674, -240, ("Centre-Ville Arena",)),
)

CUES = {
    "know": (
        (3, "q", "{q} setlist", None), (3, "q", "{q} lineup", None), (2, "q", "what time does {q} start", None),
        (2, "q", "is {q} worth it", None), (2, "q", "{district} seating chart", None),
        (1, "q", "{q} age limit", None), (1, "q", "{district} bag policy", None), (1, "q", "how long is {q}", None),
        (1, "q", "{q} opening act", None), (1, "q", "{q} running order", None), (1, "q", "{district} seat map", None),
        (1, "q", "is {q} kid friendly", None), (1, "q", "{q} or {other}", None),
        (3, "view", "/events/{slug}/{pid}/lineup", "{name}: lineup & set times"),
        (2, "view", "/venues/{citys}/{stores}/seating-chart", "Seating chart: {district}"),
        (2, "view", "/events/{slug}/{pid}/know-before-you-go", "Know before you go"),
        (1, "view", "/help/bag-policy", "Bag policy"), (1, "video", "/events/{slug}/{pid}#trailer", "Trailer"),
    ),
    "go": (
        (3, "q", "box office near me", None), (2, "q", "{district} box office hours", None),
        (2, "q", "directions to {district}", None), (2, "q", "parking near {district}", None),
        (2, "q", "{district} will call", None), (1, "q", "{q} doors open", None),
        (1, "q", "where to park for {q}", None), (1, "q", "{shopq} box office {cityq}", None),
        (1, "q", "pick up tickets at {district}", None), (1, "q", "rideshare drop off {district}", None),
        (1, "q", "{district} entrance gate", None),
        (3, "view", "/venues/{citys}/{stores}", "{store}"),
        (2, "view", "/venues/{citys}/{stores}/getting-there", "Getting there"),
        (2, "click", "/venues/{citys}/{stores}/parking", "Parking passes & lots"),
        (2, "view", "/venues/{citys}/{stores}/box-office", "Box office"),
        (1, "click", "/venues/{citys}/{stores}/will-call", "Will call"),
        (1, "click", "/events/{slug}/{pid}/doors", "Doors & entry times"),
    ),
    "do": (
        (3, "q", "how to {task}", None), (2, "q", "{task}", None), (2, "q", "transfer {q} tickets", None),
        (2, "q", "{q} refund", None), (1, "q", "add {q} tickets to {wallet}", None),
        (1, "q", "resell {q} tickets", None), (1, "q", "change name on {q} ticket", None),
        (1, "q", "{q} tickets not showing in app", None), (1, "q", "{q} postponed", None),
        (3, "view", "/my-tickets/{pid}/transfer", "Transfer tickets"),
        (2, "click", "/my-tickets/{pid}/wallet", "Add to {wallet}"),
        (2, "view", "/my-tickets/{pid}/resale", "Sell on Fan Resale"),
        (2, "view", "/help/{tasks}", "{taskt}"), (1, "click", "/my-tickets/refunds/new", "Request a refund"),
        (1, "view", "/my-tickets/{pid}/name-change", "Change the ticket holder"),
        (1, "download", "/my-tickets/{pid}/print.pdf", "Print-at-home tickets"),
    ),
    "buy": (
        (4, "q", "{q} tickets", None), (2, "q", "{q} tickets {cityq}", None), (2, "q", "{q} presale code", None),
        (2, "q", "cheapest {q} tickets", None), (1, "q", "{q} {section} seats", None),
        (1, "q", "buy tickets {q} {cityq}", None), (1, "q", "{q} floor seats", None),
        (1, "q", "how much are {q} tickets", None), (1, "q", "{q} best available", None),
        (1, "q", "{qty} tickets together {q}", None), (1, "q", "is {q} sold out", None),
        (1, "q", "{q} vip package", None),
        (4, "view", "/events/{slug}/{pid}", "{name} tickets"), (3, "view", "/events/{slug}/{pid}/seats", "Pick seats"),
        (2, "cart", "/events/{slug}/{pid}/seats?qty={qty}", "Add to cart"), (1, "view", "/cart", "Cart"),
        (2, "checkout", "/checkout/{pid}/payment", "Checkout"),
        (1, "purchase", "/checkout/{pid}/confirmed", "You're in!"),
        (1, "view", "/presale/{slug}", "Presale: {name}"), (1, "uncart", "/cart", None),
    ),
}

GENERIC = (
    (4, "view", "/", "StageDoor Tickets | Concerts, Theatre, Sports"), (4, "view", "/explore/{cs}", "{cat}"),
    (2, "view", "/explore/{cs}?city={citys}", "{cat} in {city}"), (2, "view", "/explore/this-weekend", "This weekend"),
    (1, "view", "/explore/just-announced", "Just announced"), (1, "view", "/artists/{brands}", "{brand}"),
    (2, "view", "/events/{slug}/{pid}", "{name}"), (2, "view", "/account", "My account"),
    (1, "view", "/my-tickets", "My tickets"), (1, "view", "/favorites", "Favorites"),
    (1, "view", "/gift-cards", "Gift cards"), (1, "view", "/about", "About StageDoor"),
    (3, "q", "{brandq}", None), (2, "q", "{cq} {cityq}", None), (1, "q", "{cq} this weekend", None),
    (1, "q", "events {cityq} {month}", None), (1, "q", "{q}", None),
)

PROFILE = Profile(
    name="tickets-en",
    description="StageDoor Tickets: North-American ticket office with box offices, English, USD",
    shop="StageDoor Tickets",
    base_url="https://www.stagedoortickets.example",
    currency="USD",
    locales=(("en-US", 0.72), ("en-CA", 0.2), ("fr-CA", 0.05), ("es-US", 0.03)),
    start="2025-09-12T21:00:00Z",
    moment_weights={"know": 0.25, "go": 0.18, "do": 0.17, "buy": 0.4},
    categories=CATEGORIES,
    products=PRODUCTS,
    cities=CITIES,
    store_name="{shop} Box Office {district}",
    opening_hours=("Mo-Fr 10:00-18:00; Sa 10:00-16:00", "Tu-Sa 12:00-20:00", "Mo-Su 11:00-19:00"),
    cues=CUES,
    generic=GENERIC,
    id_style="num",
    user_prefix="fan",
    session_prefix="sdx-",
    venue_prefix="SDB",
    app_versions=("4.8.2", "4.9.0", "5.0.1"),
    referrers=("https://www.google.com/", "https://www.google.ca/", "https://www.instagram.com/",
               "https://www.reddit.com/", "https://open.spotify.com/", "https://www.setlist.example/"),
    extras={"year": ("2025",), "qty": ("2", "2", "3", "4"),
            "section": ("floor", "lower bowl", "balcony", "mezzanine", "orchestra", "section 112"),
            "wallet": ("apple wallet", "google wallet"),
            "month": ("september", "october")},
    feedback_sources={
        "know": (("content_engagement", 0.85), ("survey", 0.15)),
        "go": (("store_visit", 0.8), ("agent", 0.2)),
        "do": (("agent", 0.5), ("content_engagement", 0.3), ("survey", 0.2)),
        "buy": (("conversion", 0.9), ("agent", 0.1)),
    },
    unknown_vocabulary={
        "know": ("setlist", "lineup", "start", "seating chart", "age limit", "bag policy", "kid friendly",
                 "know before you go", "trailer"),
        "go": ("box office", "parking", "park", "getting there", "rideshare", "entrance", "doors"),
        "do": ("transfer", "refund", "wallet", "resell", "resale", "change name", "postponed", "print"),
        "buy": ("tickets", "presale", "seats", "floor", "sold out", "vip", "together"),
    },
    mix=CueMix(generic=0.2, contra=0.12, landing_generic=0.2, landing_contra=0.06),
    journey=Journey(search_first=0.85),
)
