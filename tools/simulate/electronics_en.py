"""``electronics-en``: "Voltline", a US consumer-electronics chain (English, USD).

URL scheme like the shared sample's shop: ``/products/<slug>``, ``/c/<cat>``,
``/stores/<store>``, ``/blog/...``, ``/guides/...``, ``/deals``, ``/checkout``.
Most cue words are ones the rule lexicon knows; a few are not ("any good",
"unboxing", "keeps disconnecting", "refurbished", "trade in").
"""

from __future__ import annotations

from tools.simulate.profile import DEFAULT_FEEDBACK_SOURCES, Category, City, CueMix, Product, Profile

C = Category
CATEGORIES = (
    C("laptops", "Laptops", "laptops", "laptops",
      ("set up a new laptop", "upgrade laptop ram", "factory reset a laptop")),
    C("phones", "Phones", "phones", "phones", ("transfer data to a new phone", "set up esim", "back up a phone")),
    C("tvs", "TVs", "tvs", "tvs", ("mount a tv on the wall", "calibrate a tv picture", "connect a soundbar to a tv")),
    C("audio", "Headphones & Audio", "headphones", "audio", ("pair bluetooth headphones", "update earbud firmware")),
    C("cameras", "Cameras", "cameras", "cameras",
      ("shoot 4k video", "clean a camera sensor", "transfer photos to a laptop")),
    C("smart-home", "Smart home", "smart home", "smart-home",
      ("install a smart thermostat", "set up a mesh wifi", "install a video doorbell")),
    C("gaming", "Gaming", "gaming consoles", "gaming", ("connect a controller", "move games to an external ssd")),
    C("wearables", "Wearables", "smartwatches", "wearables", ("pair a smartwatch", "calibrate a fitness tracker")),
)

P = Product
PRODUCTS = (
    P("VL-1101", "MacBook Air 13 M3", "laptops", 1099.0, "Apple"),
    P("VL-1102", "Lenovo Yoga Slim 7", "laptops", 949.0, "Lenovo"),
    P("VL-1103", "HP Spectre x360 14", "laptops", 1399.0, "HP"),
    P("VL-1201", "iPhone 16", "phones", 799.0, "Apple"),
    P("VL-1202", "Google Pixel 9", "phones", 799.0, "Google"),
    P("VL-1203", "Motorola Edge 2024", "phones", 549.0, "Motorola"),
    P("VL-1301", "Sony Bravia 7 65", "tvs", 1599.0, "Sony"),
    P("VL-1302", "Hisense U8 55", "tvs", 899.0, "Hisense"),
    P("VL-1303", "Samsung The Frame 50", "tvs", 1199.0, "Samsung"),
    P("VL-1401", "Sony WH-1000XM5", "audio", 399.0, "Sony"),
    P("VL-1402", "Beats Studio Buds Plus", "audio", 169.0, "Beats"),
    P("VL-1403", "JBL Charge 5", "audio", 179.0, "JBL"),
    P("VL-1501", "Canon EOS R8", "cameras", 1499.0, "Canon"),
    P("VL-1502", "DJI Osmo Pocket 3", "cameras", 519.0, "DJI"),
    P("VL-1601", "Ecobee Smart Thermostat Premium", "smart-home", 249.0, "Ecobee"),
    P("VL-1602", "Eero Pro 6E", "smart-home", 299.0, "Eero"),
    P("VL-1603", "Arlo Video Doorbell", "smart-home", 129.0, "Arlo"),
    P("VL-1701", "PlayStation 5 Slim", "gaming", 499.0, "Sony"),
    P("VL-1702", "Xbox Series X", "gaming", 499.0, "Microsoft"),
    P("VL-1801", "Apple Watch Series 10", "wearables", 399.0, "Apple"),
    P("VL-1802", "Garmin Venu 3", "wearables", 449.0, "Garmin"),
)

CITIES = (
    City("New York", "NYC", 40.7306, -73.9866, -240, ("Midtown", "Brooklyn", "Queens Center")),
    City("Atlanta", "ATL", 33.7537, -84.3863, -240, ("Buckhead", "Midtown")),
    City("Minneapolis", "MSP", 44.9778, -93.2650, -300, ("Uptown", "Mall of America")),
    City("Phoenix", "PHX", 33.4484, -112.0740, -420, ("Camelback", "Tempe")),
    City("San Diego", "SAN", 32.7157, -117.1611, -420, ("Gaslamp", "Mission Valley")),
    City("Philadelphia", "PHL", 39.9526, -75.1652, -240, ("Center City", "King of Prussia")),
)

CUES = {
    "know": (
        (4, "q", "{q} review", None), (3, "q", "{q} vs {other}", None), (2, "q", "best {cq} {year}", None),
        (2, "q", "is the {q} worth it", None), (2, "q", "{q} specs", None), (1, "q", "{q} battery life", None),
        (1, "q", "is the {q} any good", None), (1, "q", "{q} or {other}", None),
        (1, "q", "difference between {q} and {other}", None), (1, "q", "{cq} comparison", None),
        (1, "q", "which {cq} should i get", None), (1, "q", "{q} pros and cons", None),
        (3, "view", "/products/{slug}/reviews", "{name} reviews"),
        (2, "view", "/blog/best-{cs}-{year}", "The best {cat} of {year}"),
        (2, "view", "/guides/{cs}-buying-guide", "{cat} buying guide"),
        (2, "click", "/compare?ids={pid},{opid}", "Compare products"),
        (1, "view", "/products/{slug}/questions", "{name}: questions & answers"),
        (1, "video", "/products/{slug}#unboxing", "{name} unboxing"),
    ),
    "go": (
        (3, "q", "{q} in stock near me", None), (3, "q", "{shopq} near me", None), (2, "q", "{shopq} {cityq}", None),
        (2, "q", "store hours", None), (2, "q", "{shopq} {district} hours", None),
        (1, "q", "electronics store {cityq} open now", None), (1, "q", "pick up {q} today", None),
        (1, "q", "where can i try the {q}", None), (1, "q", "{shopq} {district} parking", None),
        (3, "view", "/stores", "Store locator"), (3, "view", "/stores/{stores}", "{store}"),
        (2, "click", "/stores/{stores}/directions", "Get directions"),
        (1, "click", "/stores/{stores}/call", "Call store"),
        (2, "click", "/products/{slug}?store={sid}#availability", "Check store availability"),
        (1, "view", "/pickup", "Same-day pickup"),
    ),
    "do": (
        (3, "q", "how to {task}", None), (2, "q", "{q} setup", None), (2, "q", "{q} not connecting", None),
        (1, "q", "reset {q}", None), (1, "q", "{q} firmware update", None), (1, "q", "{q} manual", None),
        (1, "q", "{q} keeps disconnecting", None), (1, "q", "{q} wont turn on", None), (1, "q", "{task}", None),
        (3, "view", "/guides/how-to-{tasks}", "How to {task}"),
        (2, "video", "/guides/how-to-{tasks}#video", "How to {task} (video)"),
        (2, "view", "/support/{slug}", "{name} support"),
        (1, "download", "/support/{slug}/manual.pdf", "{name} manual"),
        (1, "click", "/support/{slug}/drivers", "Drivers & downloads"),
        (1, "view", "/services/installation", "Installation services"),
        (1, "view", "/community/{cs}/troubleshooting", "Community: {cat}"),
    ),
    "buy": (
        (3, "q", "buy {q}", None), (3, "q", "{q} price", None), (2, "q", "{q} deal", None),
        (2, "q", "cheap {cq}", None),
        (1, "q", "{q} coupon", None), (1, "q", "{q} refurbished", None), (1, "q", "{q} trade in", None),
        (1, "q", "{cq} on sale", None),
        (4, "view", "/products/{slug}", "{name}"), (3, "cart", "/products/{slug}", "{name}"),
        (2, "view", "/cart", "Your cart"), (2, "checkout", "/checkout", "Checkout"),
        (1, "purchase", "/checkout/confirmation", "Order confirmed"), (1, "view", "/deals", "Deals of the day"),
        (1, "view", "/financing", "Financing options"), (1, "uncart", "/products/{slug}", None),
    ),
}

GENERIC = (
    (4, "view", "/", "Voltline - TVs, Laptops, Phones & Smart Home"), (4, "view", "/c/{cs}", "{cat}"),
    (2, "view", "/c/{cs}?sort=popular", "{cat}"), (1, "view", "/c/{cs}?page=2", "{cat} - page 2"),
    (2, "view", "/account", "My account"), (1, "click", "/account/orders", "Order history"),
    (1, "view", "/account/wishlist", "Wishlist"), (1, "view", "/about", "About Voltline"),
    (1, "view", "/newsletter", "Newsletter"), (1, "view", "/help/contact", "Contact us"),
    (2, "view", "/products/{slug}", "{name}"), (1, "view", "/brands/{brands}", "{brand}"),
    (2, "q", "{cq}", None), (2, "q", "{brandq}", None), (1, "q", "{brandq} {cq}", None),
)

PROFILE = Profile(
    name="electronics-en",
    description="Voltline: US consumer-electronics chain, English, USD (like the shared sample)",
    shop="Voltline",
    base_url="https://www.voltline.example",
    currency="USD",
    locales=(("en-US", 0.85), ("en-GB", 0.1), ("es-US", 0.05)),
    start="2025-05-13T12:00:00Z",
    moment_weights={"know": 0.31, "go": 0.17, "do": 0.2, "buy": 0.32},
    categories=CATEGORIES,
    products=PRODUCTS,
    cities=CITIES,
    store_name="{shop} {district}",
    opening_hours=("Mo-Sa 09:00-21:00; Su 11:00-18:00", "Mo-Su 10:00-20:00", "Mo-Sa 10:00-21:00; Su 11:00-19:00"),
    cues=CUES,
    generic=GENERIC,
    id_style="hex",
    user_prefix="u_",
    session_prefix="s-",
    venue_prefix="VL",
    app_versions=("6.3.0", "6.3.1", "6.4.0"),
    referrers=("https://www.google.com/", "https://www.bing.com/", "https://duckduckgo.com/",
               "https://www.reddit.com/", "https://www.youtube.com/"),
    extras={"year": ("2025",)},
    feedback_sources=DEFAULT_FEEDBACK_SOURCES,
    # what the shared sample shows (docs/SIMULATOR.md): about a third of the events generic, half of
    # the landing pages; about one cue in six from another moment, already on the landing page;
    # research (know) cues in buy sessions, buying cues in the others, no go cue outside go sessions
    mix=CueMix(generic=0.25, contra=0.14, landing_generic=0.48, landing_contra=0.08, confuse={
        "know": (("buy", 0.65), ("do", 0.35)), "go": (("buy", 0.6), ("know", 0.4)),
        "do": (("buy", 0.6), ("know", 0.4)), "buy": (("know", 1.0),)}),
    unknown_vocabulary={
        "know": ("any good", "pros and cons", "unboxing"),
        "go": ("where can i try", "parking"),
        "do": ("keeps disconnecting", "wont turn on", "community"),
        "buy": ("refurbished", "trade in", "confirmed"),
    },
)
