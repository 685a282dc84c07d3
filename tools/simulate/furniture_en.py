"""``furniture-en``: "Hearth & Grain", an Australian furniture and homewares store with large
showrooms (Australian English, AUD; October, so the south-east is on daylight saving time).

URL scheme ``/au/products/<slug>/<sku>`` (skus like ``HG-SOF-1042``), ``/au/furniture/<cat>``,
inspiration pages without intent (``/au/inspiration/...``, ``/au/lookbook/...``,
``/au/new-arrivals``), ``/au/materials/...`` and ``/au/journal/...`` (know),
``/au/showrooms/<city>/<showroom>`` and design consultations (go),
``/au/care-and-assembly/...`` and flat-pack PDFs (do), ``/au/cart`` and ``/au/checkout/...`` (buy).
Intent shows late: long inspiration browsing first. Furniture words ("showroom", "assemble",
"flat-pack", "afterpay", "interest free", "dimensions", "fabric", "consultation") are mostly
unknown to the rule lexicon, and some it knows point the wrong way: "order" free swatches, the
"mattress finder" and "how big is" (know), "best way to" and the "assembly guide" (do), "sit on
it before you buy" (go), "what is the lead time" and "how long is delivery" (buy).
"""

from __future__ import annotations

from tools.simulate.profile import Category, City, CueMix, Journey, Product, Profile

C = Category
CATEGORIES = (
    C("sofas", "Sofas & Modulars", "sofas", "sofas-modulars",
      ("clean a velvet sofa", "remove pet hair from a sofa", "re-plump sofa cushions")),
    C("beds", "Beds & Bedheads", "bed frames", "beds-bedheads",
      ("assemble a bed frame", "fix a squeaky bed frame", "fit a bedhead to a bed base")),
    C("mattresses", "Mattresses", "mattresses", "mattresses",
      ("rotate a mattress", "air out a new mattress", "get a stain out of a mattress")),
    C("dining", "Dining", "dining tables", "dining",
      ("oil a timber table", "remove water rings from timber", "level a wobbly table")),
    C("storage", "Storage & Bookcases", "bookcases", "storage-bookcases",
      ("anchor a bookcase to the wall", "assemble a flat-pack bookcase", "adjust cupboard door hinges")),
    C("rugs", "Rugs", "rugs", "rugs", ("measure a room for a rug", "stop a rug slipping", "get creases out of a rug")),
    C("outdoor", "Outdoor", "outdoor furniture", "outdoor",
      ("oil teak outdoor furniture", "keep outdoor cushions dry over winter", "wash outdoor cushion covers")),
    C("office", "Home Office", "desks", "home-office",
      ("assemble a standing desk", "set the right desk height", "tidy desk cables")),
)

P = Product
PRODUCTS = (
    P("HG-SOF-1042", "Bondi 3 Seater Sofa", "sofas", 2499.0, "Hearth & Grain", typed="bondi sofa"),
    P("HG-SOF-1057", "Elwood Velvet Modular Sofa", "sofas", 3899.0, "Hearth & Grain", typed="elwood modular"),
    P("HG-BED-2015", "Tasman Oak Queen Bed Frame", "beds", 1599.0, "Hearth & Grain", typed="tasman bed"),
    P("HG-BED-2031", "Nook Upholstered King Bedhead", "beds", 899.0, "Hearth & Grain", typed="nook bedhead"),
    P("HG-MAT-3007", "Sleepmaker Miracoil Firm Queen", "mattresses", 1299.0, "Sleepmaker", typed="sleepmaker firm"),
    P("HG-MAT-3022", "Koala Calm As Mattress Queen", "mattresses", 1450.0, "Koala", typed="koala mattress"),
    P("HG-DIN-4021", "Blackwood Extension Dining Table", "dining", 2199.0, "Hearth & Grain",
      typed="extension dining table"),
    P("HG-DIN-4038", "Wishbone Dining Chair", "dining", 349.0, "Carl Hansen", typed="wishbone chair"),
    P("HG-STO-5011", "Harlow Tall Bookcase", "storage", 699.0, "Hearth & Grain", typed="harlow bookcase"),
    P("HG-STO-5026", "Kirra Spotted Gum Sideboard", "storage", 1799.0, "Hearth & Grain", typed="kirra sideboard"),
    P("HG-RUG-6003", "Byron Jute Rug 200x300", "rugs", 599.0, "Armadillo", typed="jute rug"),
    P("HG-RUG-6019", "Wool Flatweave Rug 160x230", "rugs", 449.0, "Hearth & Grain", typed="flatweave rug"),
    P("HG-OUT-7018", "Noosa Teak Outdoor Lounge", "outdoor", 2899.0, "Hearth & Grain", typed="teak outdoor lounge"),
    P("HG-OUT-7024", "Palm Cove Sun Lounger", "outdoor", 649.0, "Hearth & Grain", typed="sun lounger"),
    P("HG-OFF-8002", "Sit Stand Desk 140", "office", 899.0, "Hearth & Grain", typed="standing desk"),
    P("HG-OFF-8016", "Alto Ergonomic Chair", "office", 549.0, "Hearth & Grain", typed="ergonomic chair"),
)

CITIES = (
    City("Sydney", "SYD", -33.8688, 151.2093, 660, ("Alexandria", "Moore Park", "Castle Hill")),
    City("Melbourne", "MEL", -37.8136, 144.9631, 660, ("Richmond", "Nunawading", "Essendon Fields")),
    City("Brisbane", "BNE", -27.4698, 153.0251, 600, ("Fortitude Valley", "Chermside")),
    City("Perth", "PER", -31.9523, 115.8613, 480, ("Osborne Park", "Cannington")),
    City("Adelaide", "ADL", -34.9285, 138.6007, 630, ("Kent Town", "Mile End")),
    City("Canberra", "CBR", -35.2809, 149.1300, 660, ("Fyshwick",)),
)

CUES = {
    "know": (
        (3, "q", "{q} dimensions", None), (1, "q", "{q} reviews", None), (2, "q", "fabric vs leather {cq}", None),
        (2, "q", "best mattress for back pain", None), (2, "q", "which sofa depth for a small {room} room", None),
        (2, "q", "{q} or {other}", None), (1, "q", "{q} firmness", None), (1, "q", "is {q} pet friendly", None),
        (1, "q", "how firm is the {q}", None), (1, "q", "{cq} solid timber or veneer", None),
        (1, "q", "will the {q} fit through my door", None), (1, "q", "how big is the {q}", None),
        (3, "view", "/au/products/{slug}/{pid}#dimensions", "Dimensions & materials"),
        (2, "view", "/au/products/{slug}/{pid}#reviews", "{name} – customer reviews"),
        (2, "view", "/au/materials/fabric-vs-leather", "Fabric or leather? How they wear"),
        (2, "view", "/au/journal/choosing-{cs}", "Choosing {cat}: timber, fabric and feel"),
        (1, "click", "/au/swatches/order?sku={pid}", "Order free fabric swatches"),
        (1, "view", "/au/sleep/mattress-finder", "Mattress finder quiz"),
    ),
    "go": (
        (3, "q", "{shopq} showroom {cityq}", None), (2, "q", "{shopq} showroom near me", None),
        (1, "q", "{shopq} {district} trading hours", None), (1, "q", "see {q} in store {cityq}", None),
        (1, "q", "is the {q} on the showroom floor {district}", None),
        (1, "q", "book a design consultation {cityq}", None), (1, "q", "{shopq} {district} warehouse", None),
        (1, "q", "furniture showroom {district}", None), (1, "q", "{shopq} {district} parking", None),
        (1, "q", "{shopq} open public holiday", None), (1, "q", "sit on the {q} before you buy {cityq}", None),
        (3, "view", "/au/showrooms", "Showrooms & warehouses"),
        (3, "view", "/au/showrooms/{citys}/{stores}", "{store}"),
        (2, "click", "/au/showrooms/{citys}/{stores}#getting-here", "Getting here"),
        (2, "click", "/au/design-service/book?showroom={sid}", "Book a free design consultation"),
        (2, "click", "/au/products/{slug}/{pid}?showroom={sid}#on-display", "See it in a showroom"),
        (1, "click", "/au/click-and-collect/warehouse/{sid}", "Click & collect from our warehouse"),
        (1, "view", "/au/store-locator", "Store locator"),
    ),
    "do": (
        (2, "q", "how to {task}", None), (3, "q", "{task}", None), (1, "q", "{q} assembly instructions", None),
        (2, "q", "{q} assembly", None), (1, "q", "{q} missing parts", None), (1, "q", "{q} allen key size", None),
        (1, "q", "{task} without tools", None), (1, "q", "{q} care", None), (1, "q", "{cq} anti tip kit", None),
        (1, "q", "tighten {q} legs", None), (1, "q", "best way to {task}", None),
        (3, "view", "/au/care-and-assembly/{tasks}", "{taskt}"),
        (2, "download", "/au/assembly/{pid}.pdf", "Assembly guide – {name}"),
        (2, "video", "/au/care-and-assembly/{tasks}#watch", "Watch: {taskt}"),
        (1, "view", "/au/care-and-assembly/{cs}", "Caring for your {cat}"),
        (1, "click", "/au/help/spare-parts?sku={pid}", "Request spare parts"),
        (1, "view", "/au/services/assembly-at-home", "Assembly at home"),
    ),
    "buy": (
        (2, "q", "{q} afterpay", None), (2, "q", "{q} interest free", None), (1, "q", "{q} sale", None),
        (1, "q", "{q} delivery {cityq}", None), (1, "q", "{q} in stock", None), (1, "q", "{q} clearance", None),
        (1, "q", "what is the lead time on {q}", None), (1, "q", "{cq} spring sale {year}", None),
        (1, "q", "how long is delivery for {q}", None), (1, "q", "{q} when can i get it", None),
        (1, "q", "{q} best price", None),
        (4, "view", "/au/products/{slug}/{pid}", "{name}"),
        (2, "cart", "/au/products/{slug}/{pid}?finish={colour}", "Add to cart"),
        (1, "view", "/au/cart", "Your cart"), (1, "checkout", "/au/checkout/delivery", "Choose a delivery date"),
        (1, "checkout", "/au/checkout/payment?method=afterpay", "Pay with Afterpay"),
        (1, "purchase", "/au/checkout/confirmed", "Thanks, your order is in"),
        (1, "view", "/au/sale/{cs}", "Spring sale: {cat}"), (1, "view", "/au/interest-free", "Interest free"),
        (1, "uncart", "/au/cart", None),
    ),
}

GENERIC = (
    (4, "view", "/au/", "Hearth & Grain | Furniture & Homewares"), (4, "view", "/au/furniture/{cs}", "{cat}"),
    (3, "view", "/au/inspiration/room-ideas/{room}", "Room ideas: {room} room"),
    (2, "view", "/au/lookbook/spring-{year}", "Spring lookbook {year}"),
    (2, "view", "/au/new-arrivals", "New arrivals"),
    (2, "view", "/au/inspiration/colour-of-the-year-{year}", "Colour of the year: {colour}"),
    (2, "view", "/au/inspiration/styling/{cs}", "Styling {cat}"),
    (1, "view", "/au/inspiration/real-homes/{citys}", "Real homes: {city}"),
    (2, "view", "/au/furniture/{cs}?colour={colour}", "{cat}"), (1, "view", "/au/wishlist", "My wishlist"),
    (1, "view", "/au/account", "My account"), (1, "view", "/au/our-story", "Our story"),
    (2, "view", "/au/products/{slug}/{pid}", "{name}"), (1, "view", "/au/brands/{brands}", "{brand}"),
    (2, "q", "{cq}", None), (2, "q", "{colour} {cq}", None), (2, "q", "{room} room ideas", None),
    (1, "q", "{brandq}", None), (1, "q", "{colour} {room} room", None),
)

PROFILE = Profile(
    name="furniture-en",
    description="Hearth & Grain: Australian furniture store with large showrooms, Australian English, AUD; "
                "intent shows late, after inspiration browsing",
    shop="Hearth & Grain",
    base_url="https://www.hearthandgrain.example",
    currency="AUD",
    locales=(("en-AU", 0.92), ("en-NZ", 0.04), ("en-GB", 0.02), ("zh-AU", 0.02)),
    start="2025-10-18T21:00:00Z",
    moment_weights={"know": 0.3, "go": 0.2, "do": 0.15, "buy": 0.35},
    categories=CATEGORIES,
    products=PRODUCTS,
    cities=CITIES,
    store_name="{shop} {district}",
    opening_hours=("Mo-Fr 09:00-17:30; Th 09:00-21:00; Sa 09:00-17:00; Su 10:00-17:00",
                   "Mo-Sa 09:00-17:30; Su 10:00-17:00", "Mo-Su 10:00-18:00"),
    cues=CUES,
    generic=GENERIC,
    id_style="num",
    user_prefix="hgm-",
    session_prefix="hgs-",
    venue_prefix="HGR",
    app_versions=("4.7.0", "4.8.1", "4.8.2"),
    referrers=("https://www.google.com.au/", "https://www.pinterest.com.au/", "https://www.instagram.com/",
               "https://www.houzz.com.au/", "https://www.productreview.com.au/", "https://www.bing.com/"),
    extras={"year": ("2025",), "room": ("living", "dining", "kids", "sun", "family", "guest"),
            "colour": ("oat", "sage", "terracotta", "charcoal", "walnut", "natural")},
    feedback_sources={
        "know": (("content_engagement", 0.8), ("survey", 0.2)),
        "go": (("store_visit", 0.75), ("agent", 0.25)),
        "do": (("agent", 0.5), ("content_engagement", 0.35), ("survey", 0.15)),
        "buy": (("conversion", 0.88), ("agent", 0.12)),
    },
    unknown_vocabulary={
        "know": ("dimensions", "fabric", "leather", "depth", "firmness", "pet friendly", "swatches", "timber",
                 "veneer", "seat height", "materials", "choosing", "fit through"),
        "go": ("showroom", "trading", "design consultation", "warehouse", "showroom floor", "on display",
               "getting here", "homemaker centre", "public holiday", "parking"),
        "do": ("assemble", "assembly", "flat-pack", "anchor", "anti tip", "missing parts", "allen key", "tighten",
               "care", "spare parts", "measure", "oil", "re-plump"),
        "buy": ("afterpay", "interest free", "clearance", "lead time", "when can i get it", "finish", "confirmed"),
    },
    mix=CueMix(generic=0.3, contra=0.12, landing_generic=0.55, landing_contra=0.05),
    journey=Journey(late_intent=0.6, late_events=(2, 5), length=1.3),
)
