"""``bank-de-en``: "Spreebank", a German retail bank with branches (German and English side by side, EUR).

Many customers are expats: queries and pages mix German and English, often in one query
("girokonto open online", "filiale near me"). URL scheme ``/de/privatkunden/<cat>/<slug>`` and
``/en/personal/...`` (products), ``/de/konditionen/...``, ``/de/wissen/...``, ``/en/learn/...`` (know),
``/de/filialfinder``, ``/de/filialen/<stadt>/<filiale>``, ``/de/termin/<id>`` (go),
``/de/service/...``, ``/en/help/...``, ``/de/banking/...`` (do), and the application funnel
``/de/antrag/<id>/start|absenden|bestaetigung`` (cart, checkout, purchase: buy). Banking words
("zinsen", "eröffnen", "beantragen", "sperren", "kontoauszug", "geldautomat", "termin") are unknown to
the rule lexicon, and many it knows point the wrong way ("open" an account, "order" a new card, "was tun",
"wie hoch sind die zinsen", the "preis"-leistungsverzeichnis, the product sheet download).
"""

from __future__ import annotations

from tools.simulate.profile import Category, City, CueMix, Journey, Product, Profile

C = Category
CATEGORIES = (
    C("konto", "Konto / Accounts", "girokonto", "konto",
      ("kontoauszug herunterladen", "überweisung stornieren", "set up standing order")),
    C("karten", "Karten / Cards", "kreditkarte", "karten", ("change pin", "karte sperren", "activate apple pay")),
    C("kredite", "Kredite / Loans", "kredit", "kredite",
      ("sondertilgung leisten", "pay off loan early", "ratenplan ändern")),
    C("sparen", "Sparen & Anlegen / Savings", "tagesgeld", "sparen-anlegen",
      ("freistellungsauftrag einrichten", "sparplan rate ändern", "transfer depot to spreebank")),
    C("versicherung", "Versicherung / Insurance", "versicherung", "versicherung",
      ("schaden melden", "file an insurance claim", "versicherung kündigen")),
    C("baufi", "Baufinanzierung / Mortgages", "baufinanzierung", "baufinanzierung",
      ("upload mortgage documents", "grundschuld löschen lassen", "tilgungssatz ändern")),
)

P = Product
PRODUCTS = (
    P("SB-K01", "Spree Girokonto", "konto", 0.0, "Spreebank", typed="girokonto"),
    P("SB-K02", "Girokonto Plus", "konto", 6.9, "Spreebank", typed="girokonto plus"),
    P("SB-K03", "Junges Konto", "konto", 0.0, "Spreebank", typed="student account"),
    P("SB-C01", "Visa Debitkarte", "karten", 0.0, "Visa", typed="visa debit"),
    P("SB-C02", "Kreditkarte Gold", "karten", 89.0, "Mastercard", typed="kreditkarte gold"),
    P("SB-C03", "Travel Credit Card", "karten", 39.0, "Visa", typed="travel credit card"),
    P("SB-L01", "Ratenkredit", "kredite", 10000.0, "Spreebank", typed="ratenkredit"),
    P("SB-L02", "Autokredit", "kredite", 20000.0, "Spreebank", typed="car loan"),
    P("SB-L03", "Rahmenkredit", "kredite", 5000.0, "Spreebank", typed="rahmenkredit"),
    P("SB-S01", "Tagesgeldkonto", "sparen", 0.0, "Spreebank", typed="tagesgeld"),
    P("SB-S02", "Festgeld 12 Monate", "sparen", 5000.0, "Spreebank", typed="festgeld"),
    P("SB-S03", "ETF-Sparplan", "sparen", 25.0, "Spreebank Invest", typed="etf sparplan"),
    P("SB-V01", "Hausratversicherung", "versicherung", 4.5, "Allianz", typed="hausrat"),
    P("SB-V02", "Private Haftpflicht", "versicherung", 3.9, "Allianz", typed="liability insurance"),
    P("SB-B01", "Baufinanzierung 10 Jahre Zinsbindung", "baufi", 300000.0, "Spreebank", typed="baufinanzierung"),
    P("SB-B02", "Forward-Darlehen", "baufi", 250000.0, "Spreebank", typed="forward darlehen"),
)

CITIES = (
    City("Berlin", "BER", 52.5200, 13.4050, 60, ("Mitte", "Kreuzberg", "Charlottenburg", "Prenzlauer Berg")),
    City("Hamburg", "HAM", 53.5511, 9.9937, 60, ("Jungfernstieg", "Altona", "Eppendorf")),
    City("München", "MUC", 48.1374, 11.5755, 60, ("Schwabing", "Maxvorstadt", "Sendling")),
    City("Frankfurt", "FRA", 50.1109, 8.6821, 60, ("Zeil", "Sachsenhausen", "Bockenheim")),
    City("Köln", "CGN", 50.9375, 6.9603, 60, ("Ehrenfeld", "Deutz", "Südstadt")),
)

CUES = {
    "know": (
        (3, "q", "{q} zinsen", None), (2, "q", "{q} interest rate {year}", None), (2, "q", "{q} vs {other}", None),
        (2, "q", "tagesgeld vs festgeld", None), (2, "q", "schufa explained", None),
        (1, "q", "schufa auskunft english", None), (1, "q", "was ist ein etf sparplan", None),
        (1, "q", "{q} gebühren", None), (1, "q", "{cq} fees comparison", None),
        (1, "q", "wie hoch sind die zinsen {q}", None), (1, "q", "{q} konditionen", None),
        (1, "q", "{q} einfach erklärt", None), (1, "q", "{shopq} einlagensicherung", None),
        (3, "view", "/de/konditionen/{cs}", "Konditionen & Zinsen: {cat}"),
        (2, "view", "/en/learn/{cs}-explained", "{cat} explained"),
        (2, "view", "/de/wissen/tagesgeld-vs-festgeld", "Tagesgeld vs. Festgeld"),
        (1, "view", "/de/preis-leistungsverzeichnis", "Preis- und Leistungsverzeichnis"),
        (1, "download", "/de/dokumente/{pid}-produktinformationsblatt.pdf", "Produktinformationsblatt {name}"),
    ),
    "go": (
        (3, "q", "{shopq} filiale {cityq}", None), (2, "q", "filiale near me", None),
        (2, "q", "geldautomat in der nähe", None), (2, "q", "atm {shopq} {district}", None),
        (2, "q", "{shopq} termin vereinbaren", None), (1, "q", "book appointment {shopq} {cityq}", None),
        (1, "q", "filiale open saturday", None), (1, "q", "einzahlautomat {cityq} {district}", None),
        (1, "q", "cash deposit machine {cityq}", None), (1, "q", "{shopq} {district} öffnungszeiten", None),
        (1, "q", "kostenlos geld abheben {cityq}", None), (1, "q", "english speaking advisor {cityq}", None),
        (3, "view", "/de/filialfinder", "Filialfinder"), (3, "view", "/de/filialen/{citys}/{stores}", "{store}"),
        (2, "click", "/de/filialfinder?typ=geldautomat&ort={citys}", "Geldautomaten & Einzahlautomaten"),
        (2, "click", "/de/termin/{sid}", "Beratungstermin buchen"),
        (1, "click", "/en/branches/{citys}/{stores}#directions", "Directions"),
    ),
    "do": (
        (3, "q", "{task}", None), (2, "q", "how to {task}", None), (1, "q", "{task} anleitung", None),
        (2, "q", "karte sperren", None), (2, "q", "change pin {q}", None), (1, "q", "apple pay aktivieren", None),
        (1, "q", "google pay einrichten {q}", None), (1, "q", "überweisung stornieren", None),
        (1, "q", "kontoauszug pdf download", None), (1, "q", "phototan new phone", None),
        (1, "q", "card lost what to do", None), (1, "q", "was tun wenn karte gestohlen", None),
        (1, "q", "neue karte bestellen", None),
        (3, "view", "/de/service/{tasks}", "{taskt}"), (2, "view", "/en/help/{tasks}", "Help: {taskt}"),
        (2, "click", "/de/banking/phototan/aktivieren", "photoTAN aktivieren"),
        (1, "click", "/de/banking/karten/{pid}/sperren", "Karte sperren: {name}"),
        (1, "download", "/de/banking/postfach/kontoauszug-{year}.pdf", "Kontoauszug"),
    ),
    "buy": (
        (3, "q", "{q} eröffnen", None), (2, "q", "{q} open online", None), (2, "q", "{q} beantragen", None),
        (2, "q", "apply for {q}", None), (1, "q", "{q} jetzt abschließen", None),
        (1, "q", "{q} online abschließen", None), (1, "q", "konto eröffnen ohne schufa", None),
        (1, "q", "{q} sofortzusage", None), (1, "q", "{q} with residence permit", None),
        (1, "q", "{q} neukundenbonus", None), (1, "q", "{q} in der filiale abschließen", None),
        (4, "view", "/de/privatkunden/{cs}/{slug}", "{name}"), (3, "cart", "/de/antrag/{pid}/start", "Antrag starten"),
        (2, "checkout", "/de/antrag/{pid}/absenden", "Antrag absenden"),
        (1, "purchase", "/de/antrag/{pid}/bestaetigung", "Vielen Dank für Ihren Antrag"),
        (1, "click", "/de/antrag/{pid}/videoident", "VideoIdent starten"),
        (1, "view", "/en/apply/{cs}/{slug}", "Apply now: {name}"), (1, "uncart", "/de/antrag/{pid}/abbrechen", None),
    ),
}

GENERIC = (
    (4, "view", "/de/", "Spreebank – Ihre Bank in Berlin, Hamburg, München, Frankfurt und Köln"),
    (2, "view", "/en/", "Spreebank – banking in English"), (3, "view", "/de/privatkunden/{cs}", "{cat}"),
    (2, "view", "/en/personal/{cs}", "{cat}"), (2, "view", "/de/banking/login", "Online-Banking Login"),
    (2, "view", "/de/banking/finanzstatus", "Finanzstatus"), (1, "click", "/de/banking/umsaetze", "Umsätze"),
    (1, "view", "/de/banking/postfach", "Postfach"), (1, "view", "/en/about", "About Spreebank"),
    (1, "view", "/de/karriere", "Karriere"), (2, "view", "/de/privatkunden/{cs}/{slug}", "{name}"),
    (1, "view", "/en/personal/{cs}/{slug}", "{name}"),
    (2, "q", "{cq}", None), (2, "q", "{shopq} login", None), (1, "q", "{brandq}", None),
    (1, "q", "{shopq} app", None), (1, "q", "{cq} {shopq}", None),
)

PROFILE = Profile(
    name="bank-de-en",
    description="Spreebank: German retail bank with branches, German and English side by side, EUR; "
                "most cue words unknown to the rules, many known ones misleading",
    shop="Spreebank",
    base_url="https://www.spreebank.example",
    currency="EUR",
    locales=(("de-DE", 0.55), ("en-DE", 0.25), ("en-GB", 0.1), ("en-US", 0.1)),
    start="2025-11-08T07:00:00Z",
    moment_weights={"know": 0.28, "go": 0.2, "do": 0.27, "buy": 0.25},
    categories=CATEGORIES,
    products=PRODUCTS,
    cities=CITIES,
    store_name="{shop} Filiale {city}-{district}",
    opening_hours=("Mo-Fr 09:00-18:00", "Mo-Fr 10:00-18:00; Sa 10:00-14:00",
                   "Mo,Tu,Th 09:00-18:00; We,Fr 09:00-13:00"),
    cues=CUES,
    generic=GENERIC,
    id_style="num",
    user_prefix="kn",
    session_prefix="spb-",
    venue_prefix="SPB",
    app_versions=("8.4.0", "8.5.1", "8.6.0"),
    referrers=("https://www.google.de/", "https://www.check24.example/", "https://www.finanztip.example/",
               "https://www.reddit.com/r/germany/", "https://www.toytowngermany.example/"),
    extras={"year": ("2025",)},
    umlaut_fold=0.2,
    feedback_sources={
        "know": (("content_engagement", 0.8), ("survey", 0.2)),
        "go": (("store_visit", 0.75), ("agent", 0.25)),
        "do": (("agent", 0.5), ("content_engagement", 0.3), ("survey", 0.2)),
        "buy": (("conversion", 0.8), ("agent", 0.2)),
    },
    unknown_vocabulary={
        "know": ("zinsen", "interest rate", "gebühren", "fees", "konditionen", "erklärt", "einlagensicherung",
                 "schufa", "wissen", "learn", "leistungsverzeichnis", "produktinformationsblatt"),
        "go": ("geldautomat", "atm", "termin vereinbaren", "appointment", "saturday", "einzahlautomat",
               "cash deposit machine", "geld abheben", "advisor", "filialfinder", "beratungstermin"),
        "do": ("sperren", "change pin", "apple pay", "aktivieren", "stornieren", "kontoauszug", "phototan", "lost",
               "gestohlen", "service", "help", "schaden melden", "kündigen"),
        "buy": ("eröffnen", "beantragen", "apply", "abschließen", "sofortzusage", "neukundenbonus", "antrag",
                "absenden", "videoident", "residence permit"),
    },
    mix=CueMix(generic=0.28, contra=0.16, landing_generic=0.35, landing_contra=0.06),
    journey=Journey(),
)
