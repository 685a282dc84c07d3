"""``fashion-en``: "Thread & Vine", a UK fashion retailer with boutiques (British English, GBP).

URL scheme ``/en-gb/p/<slug>/<sku>``, ``/en-gb/shop/<cat>``, ``/en-gb/journal/...``
(style edits: know), ``/en-gb/care/...`` and alterations/returns (do),
``/en-gb/boutiques/<city>/<boutique>`` and stylist bookings (go), ``/en-gb/bag``
and ``/en-gb/secure/checkout`` (buy). Fashion words ("fit", "true to size",
"outfit", "bag", "boutique", "hem") are mostly unknown to the rule lexicon.
"""

from __future__ import annotations

from tools.simulate.profile import Category, City, Product, Profile

C = Category
CATEGORIES = (
    C("dresses", "Dresses", "dresses", "dresses",
      ("style a slip dress for winter", "take up a hem", "steam a dress without a steamer")),
    C("jeans", "Jeans", "jeans", "jeans", ("shrink jeans", "stop jeans fading", "hem jeans")),
    C("coats", "Coats & Jackets", "coats", "coats-jackets",
      ("reproof a wax jacket", "wash a puffer coat", "remove bobbles from a wool coat")),
    C("knitwear", "Knitwear", "jumpers", "knitwear",
      ("hand wash cashmere", "unshrink a wool jumper", "de-bobble a jumper")),
    C("trainers", "Trainers", "trainers", "trainers", ("clean white trainers", "lace trainers", "stretch tight shoes")),
    C("tailoring", "Tailoring", "suits", "tailoring", ("tie a tie", "press trousers", "pack a suit for travel")),
    C("bags", "Bags", "handbags", "bags", ("care for a leather bag", "get a stain out of suede")),
    C("shirts", "Shirts", "shirts", "shirts",
      ("iron a shirt", "get sweat stains out of a shirt", "roll shirt sleeves")),
)

P = Product
PRODUCTS = (
    P("TV-20113", "Linen Wrap Dress", "dresses", 79.0, "Thread & Vine"),
    P("TV-20127", "Satin Slip Dress", "dresses", 95.0, "Thread & Vine"),
    P("TV-21004", "Levi's 501 Original Jeans", "jeans", 100.0, "Levi's", typed="levis 501"),
    P("TV-21019", "Slim Selvedge Jeans", "jeans", 120.0, "Thread & Vine"),
    P("TV-22050", "Wool Blend Overcoat", "coats", 245.0, "Thread & Vine"),
    P("TV-22061", "Barbour Bedale Wax Jacket", "coats", 299.0, "Barbour", typed="barbour bedale"),
    P("TV-23002", "Cashmere Crew Neck Jumper", "knitwear", 150.0, "Thread & Vine", typed="cashmere jumper"),
    P("TV-23017", "Merino Roll Neck", "knitwear", 69.0, "Thread & Vine"),
    P("TV-24030", "Veja Campo Trainers", "trainers", 130.0, "Veja", typed="veja campo"),
    P("TV-24044", "Adidas Samba OG", "trainers", 100.0, "Adidas", typed="adidas samba"),
    P("TV-25001", "Navy Wool Two-Piece Suit", "tailoring", 395.0, "Thread & Vine", typed="navy suit"),
    P("TV-25015", "Silk Knitted Tie", "tailoring", 45.0, "Thread & Vine", typed="knitted tie"),
    P("TV-26008", "Leather Tote Bag", "bags", 189.0, "Thread & Vine", typed="leather tote"),
    P("TV-26020", "Suede Crossbody Bag", "bags", 129.0, "Thread & Vine", typed="suede crossbody"),
    P("TV-27003", "Oxford Button-Down Shirt", "shirts", 59.0, "Thread & Vine", typed="oxford shirt"),
    P("TV-27011", "Linen Camp Collar Shirt", "shirts", 55.0, "Thread & Vine", typed="linen shirt"),
)

CITIES = (
    City("London", "LDN", 51.5072, -0.1276, 60, ("Covent Garden", "Kings Road", "Westfield")),
    City("Manchester", "MAN", 53.4808, -2.2426, 60, ("Spinningfields", "Arndale")),
    City("Birmingham", "BHM", 52.4862, -1.8904, 60, ("Bullring", "Mailbox")),
    City("Leeds", "LDS", 53.8008, -1.5491, 60, ("Victoria Quarter", "Trinity")),
    City("Glasgow", "GLA", 55.8642, -4.2518, 60, ("Buchanan Street", "Silverburn")),
    City("Bristol", "BRS", 51.4545, -2.5879, 60, ("Cabot Circus", "Clifton")),
)

CUES = {
    "know": (
        (3, "q", "{q} reviews", None), (3, "q", "does the {q} fit true to size", None),
        (2, "q", "{q} vs {other}", None), (2, "q", "{cq} trends {year}", None), (2, "q", "{cq} outfit ideas", None),
        (1, "q", "does {q} run small", None), (1, "q", "what to wear with {q}", None),
        (1, "q", "is {q} see through", None), (1, "q", "{q} fabric", None), (1, "q", "best {cq} for winter", None),
        (3, "view", "/en-gb/p/{slug}/{pid}/reviews", "{name} - reviews"),
        (2, "view", "/en-gb/journal/the-{cs}-edit-{year}", "The {cat} edit"),
        (2, "view", "/en-gb/size-guide/{cs}", "Size guide: {cat}"),
        (2, "view", "/en-gb/journal/how-to-wear-{cs}", "How to wear {cat}"),
        (1, "view", "/en-gb/p/{slug}/{pid}#fit-details", "Fit & fabric"),
        (1, "click", "/en-gb/p/{slug}/{pid}/complete-the-look", "Complete the look"),
    ),
    "go": (
        (3, "q", "{shopq} {cityq}", None), (2, "q", "{shopq} near me", None),
        (2, "q", "{shopq} {district} opening times", None),
        (2, "q", "try on {q} in store", None), (1, "q", "{q} in store {cityq}", None),
        (1, "q", "book a personal stylist {cityq}", None), (1, "q", "{shopq} late night shopping", None),
        (1, "q", "is {shopq} {district} open sunday", None), (1, "q", "fashion boutique {district}", None),
        (3, "view", "/en-gb/boutiques", "Find a boutique"), (3, "view", "/en-gb/boutiques/{citys}/{stores}", "{store}"),
        (2, "click", "/en-gb/boutiques/{citys}/{stores}#directions", "Directions"),
        (2, "click", "/en-gb/book-a-stylist/{sid}", "Book a styling appointment"),
        (2, "click", "/en-gb/p/{slug}/{pid}?boutique={sid}#try-in-boutique", "Reserve to try on in boutique"),
    ),
    "do": (
        (3, "q", "how to {task}", None), (2, "q", "{task}", None), (1, "q", "{task} tutorial", None),
        (2, "q", "how to wash {q}", None), (1, "q", "{q} care label", None), (2, "q", "return {q}", None),
        (1, "q", "exchange {q} for a different size", None), (1, "q", "{q} alterations", None),
        (3, "view", "/en-gb/care/{tasks}", "How to {task}"),
        (2, "video", "/en-gb/care/{tasks}#film", "Watch: how to {task}"),
        (2, "view", "/en-gb/returns/start", "Start a return"), (1, "view", "/en-gb/alterations", "Alterations service"),
        (1, "download", "/en-gb/care/{cs}-care-card.pdf", "Care card: {cat}"),
        (1, "click", "/en-gb/account/orders/exchange", "Exchange an item"),
    ),
    "buy": (
        (2, "q", "buy {q}", None), (2, "q", "{q} sale", None), (2, "q", "{q} discount code", None),
        (2, "q", "{q} size {size}", None), (1, "q", "{cq} sale", None), (1, "q", "{q} next day delivery", None),
        (1, "q", "{shopq} student discount", None), (1, "q", "{q} in {colour}", None), (1, "q", "{q} price", None),
        (4, "view", "/en-gb/p/{slug}/{pid}", "{name}"), (3, "cart", "/en-gb/p/{slug}/{pid}?size={size}", "Add to bag"),
        (2, "view", "/en-gb/bag", "Your bag"), (2, "checkout", "/en-gb/secure/checkout", "Secure checkout"),
        (1, "purchase", "/en-gb/secure/checkout/thank-you", "Thank you for your order"),
        (1, "view", "/en-gb/sale/{cs}", "Sale: {cat}"), (1, "uncart", "/en-gb/bag", None),
    ),
}

GENERIC = (
    (4, "view", "/en-gb/", "Thread & Vine | Modern British Clothing"), (4, "view", "/en-gb/shop/{cs}", "{cat}"),
    (2, "view", "/en-gb/new-in", "New in"), (2, "view", "/en-gb/shop/{cs}?colour={colour}", "{cat}"),
    (2, "view", "/en-gb/account", "My account"), (1, "view", "/en-gb/wishlist", "Wishlist"),
    (1, "view", "/en-gb/about-us", "Our story"), (1, "click", "/en-gb/account/orders", "My orders"),
    (2, "view", "/en-gb/p/{slug}/{pid}", "{name}"), (1, "view", "/en-gb/brands/{brands}", "{brand}"),
    (2, "q", "{cq}", None), (2, "q", "{colour} {cq}", None), (1, "q", "{brandq}", None),
)

PROFILE = Profile(
    name="fashion-en",
    description="Thread & Vine: UK fashion retailer with boutiques, British English, GBP",
    shop="Thread & Vine",
    base_url="https://www.threadandvine.example",
    currency="GBP",
    locales=(("en-GB", 0.9), ("en-IE", 0.06), ("en-US", 0.04)),
    start="2025-06-07T07:00:00Z",
    moment_weights={"know": 0.3, "go": 0.17, "do": 0.15, "buy": 0.38},
    categories=CATEGORIES,
    products=PRODUCTS,
    cities=CITIES,
    store_name="{shop} {district}",
    opening_hours=("Mo-Sa 10:00-20:00; Su 11:00-17:00", "Mo-Sa 09:30-19:00; Su 12:00-18:00"),
    cues=CUES,
    generic=GENERIC,
    id_style="hex",
    user_prefix="c_",
    session_prefix="tv-s-",
    venue_prefix="TVB",
    app_versions=("12.1.0", "12.2.0", "12.2.3"),
    referrers=("https://www.google.co.uk/", "https://www.instagram.com/", "https://www.pinterest.co.uk/",
               "https://www.tiktok.com/", "https://www.vogue.co.uk/"),
    extras={"year": ("2025",), "size": ("6", "8", "10", "12", "14", "s", "m", "l", "32w", "uk 9"),
            "colour": ("black", "navy", "cream", "olive", "camel", "stone")},
    feedback_sources={
        "know": (("content_engagement", 0.85), ("survey", 0.15)),
        "go": (("store_visit", 0.85), ("agent", 0.15)),
        "do": (("agent", 0.45), ("content_engagement", 0.35), ("survey", 0.2)),
        "buy": (("conversion", 0.9), ("agent", 0.1)),
    },
    unknown_vocabulary={
        "know": ("fit true to size", "run small", "outfit ideas", "trends", "edit", "see through", "fabric"),
        "go": ("boutique", "try on", "stylist", "late night shopping", "reserve"),
        "do": ("care", "alterations", "return", "exchange", "wash"),
        "buy": ("bag", "next day", "thank you", "size"),
    },
)
