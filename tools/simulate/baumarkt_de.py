"""``baumarkt-de``: "WerkHaus", a German DIY / home-improvement chain (German, EUR).

Its own URL scheme (``/de/artikel/<nr>-<slug>.html``, ``/de/ratgeber/...``,
``/de/projekte/...``, ``/de/maerkte/<stadt>/...``, ``/de/warenkorb``,
``/de/kasse``) and German queries with umlauts, ß and compounds. About half of
the cue words are ones the rule lexicon in ``detectors.rules`` does not know
("bestpreis", "sofort lieferbar", "reservieren", "verlegen", "streichen",
"dübeln", "testsieger"...), and some it knows point the wrong way ("vor- und
nachteile" has "vor" from "vor Ort"; "wie lange hat ... offen" has "wie"), so
learning from feedback can beat the rules here.
"""

from __future__ import annotations

from tools.simulate.profile import DEFAULT_FEEDBACK_SOURCES, Category, City, Product, Profile

C = Category
CATEGORIES = (
    C("werkzeug", "Elektrowerkzeug", "akkuschrauber", "elektrowerkzeug",
      ("regal an die wand dübeln", "löcher in fliesen bohren", "bohren ohne staub", "schrauben versenken")),
    C("farben", "Farben & Lacke", "wandfarbe", "farben-lacke",
      ("wand streichen", "decke streichen ohne streifen", "heizkörper lackieren", "zaun lasieren")),
    C("boden", "Bodenbeläge", "laminat", "bodenbelaege",
      ("laminat verlegen", "vinylboden verlegen", "sockelleisten anbringen", "trittschalldämmung verlegen")),
    C("fliesen", "Fliesen", "fliesen", "fliesen",
      ("fliesen verlegen", "fliesen schneiden", "fugen erneuern", "silikonfuge ziehen")),
    C("garten", "Garten", "gartengeräte", "garten",
      ("rasen vertikutieren", "hochbeet bauen", "hecke schneiden", "rasen neu anlegen")),
    C("sanitaer", "Sanitär", "armaturen", "sanitaer",
      ("wasserhahn wechseln", "duschkopf tauschen", "siphon abschrauben", "wc-sitz montieren")),
    C("holz", "Holz & Platten", "holzplatten", "holz",
      ("regal bauen", "terrasse ölen", "osb-platten zuschneiden", "gartenhaus aufbauen")),
    C("elektro", "Elektroinstallation", "lampen", "elektroinstallation",
      ("deckenlampe montieren", "lichtschalter tauschen", "led-streifen kürzen", "bewegungsmelder einstellen")),
)

P = Product
PRODUCTS = (
    P("4012345", "Bosch PSR 18 LI-2 Akkuschrauber", "werkzeug", 89.99, "Bosch", "4012345", "bosch psr 18"),
    P("4012377", "Makita DHP482Z Akku-Schlagbohrschrauber", "werkzeug", 119.0, "Makita", "4012377", "makita dhp482"),
    P("4013101", "Metabo SBE 650 Schlagbohrmaschine", "werkzeug", 74.99, "Metabo", "4013101",
      "schlagbohrmaschine metabo"),
    P("4013150", "Einhell TE-HD 18 Bohrhammer", "werkzeug", 99.95, "Einhell", "4013150", "einhell bohrhammer"),
    P("5120011", "Alpina Wandfarbe Weiß 10 l", "farben", 54.99, "Alpina", "5120011", "alpina weiß"),
    P("5120045", "Schöner Wohnen Polarweiß 5 l", "farben", 39.99, "Schöner Wohnen", "5120045",
      "schöner wohnen polarweiß"),
    P("5121002", "Wilckens Heizkörperlack Weiß 750 ml", "farben", 17.49, "Wilckens", "5121002", "heizkörperlack"),
    P("6230017", "Laminat Eiche Natur 8 mm", "boden", 12.99, "WerkHaus", "6230017", "laminat eiche"),
    P("6230540", "Klick-Vinyl Steinoptik Grau", "boden", 24.95, "WerkHaus", "6230540", "klick vinyl grau"),
    P("6310022", "Feinsteinzeug Bodenfliese Beton 60x60", "fliesen", 29.99, "WerkHaus", "6310022", "bodenfliese 60x60"),
    P("6310105", "Fliesenkleber Flex 25 kg", "fliesen", 16.49, "PCI", "6310105", "fliesenkleber"),
    P("7400120", "Gardena Gartenschlauch 20 m", "garten", 39.99, "Gardena", "7400120", "gartenschlauch gardena"),
    P("7400200", "Bosch Rotak 32 Rasenmäher", "garten", 129.0, "Bosch", "7400200", "rasenmäher bosch"),
    P("7401008", "Hochbeet Lärche 120 x 60 cm", "garten", 89.0, "WerkHaus", "7401008", "hochbeet lärche"),
    P("8100300", "Grohe Eurosmart Einhebelmischer", "sanitaer", 79.9, "Grohe", "8100300", "grohe eurosmart"),
    P("8100415", "Hansgrohe Croma Select Duschkopf", "sanitaer", 34.95, "Hansgrohe", "8100415", "duschkopf hansgrohe"),
    P("9200010", "OSB-Platte 12 mm 250 x 125 cm", "holz", 14.99, "WerkHaus", "9200010", "osb platte 12mm"),
    P("9200088", "Terrassendiele Douglasie 4 m", "holz", 6.49, "WerkHaus", "9200088", "terrassendielen douglasie"),
    P("9310012", "LED-Deckenleuchte Rund 24 W", "elektro", 39.99, "Paulmann", "9310012", "led deckenleuchte"),
    P("9310140", "Bewegungsmelder Aufputz 180°", "elektro", 19.95, "Steinel", "9310140", "bewegungsmelder außen"),
)

CITIES = (
    City("Berlin", "B", 52.5200, 13.4050, 120, ("Spandau", "Neukölln", "Pankow")),
    City("Hamburg", "HH", 53.5511, 9.9937, 120, ("Altona", "Wandsbek", "Harburg")),
    City("München", "M", 48.1374, 11.5755, 120, ("Pasing", "Giesing")),
    City("Köln", "K", 50.9375, 6.9603, 120, ("Ehrenfeld", "Porz")),
    City("Leipzig", "L", 51.3397, 12.3731, 120, ("Grünau", "Paunsdorf")),
    City("Düsseldorf", "D", 51.2277, 6.7735, 120, ("Bilk", "Benrath")),
)

CUES = {
    "know": (
        (3, "q", "{q} test", None), (3, "q", "{q} testsieger", None), (2, "q", "{q} erfahrungen", None),
        (2, "q", "welcher {cq} ist besser", None), (2, "q", "{q} oder {other}", None),
        (2, "q", "{q} vor- und nachteile", None), (2, "q", "{cq} kaufberatung", None),
        (1, "q", "bester {cq} {year}", None), (1, "q", "{q} stiftung warentest", None),
        (1, "q", "{q} lautstärke", None), (1, "q", "{cq} worauf achten", None), (1, "q", "taugt {q} was", None),
        (1, "q", "{q} maße gewicht", None),
        (3, "view", "/de/ratgeber/{cs}-kaufberatung.html", "{cat}: Kaufberatung"),
        (2, "view", "/de/testsieger/{cs}.html", "Testsieger {cat} {year}"),
        (2, "view", "/de/artikel/{nr}-{slug}.html#kundenbewertungen", "Kundenbewertungen {name}"),
        (2, "click", "/de/produktvergleich?artikel={nr},{onr}", "Produktvergleich"),
        (1, "view", "/de/artikel/{nr}-{slug}/datenblatt.html", "Technische Daten {name}"),
        (1, "video", "/de/artikel/{nr}-{slug}.html#produktvideo", "Produktvorstellung {name}"),
    ),
    "go": (
        (3, "q", "{shopq} {cityq}", None), (2, "q", "baumarkt in der nähe", None),
        (2, "q", "{shopq} {cityq} öffnungszeiten", None), (2, "q", "{q} im markt verfügbar", None),
        (2, "q", "{q} reservieren", None), (2, "q", "wo ist der nächste {shopq}", None),
        (1, "q", "{shopq} {district}", None), (1, "q", "wie lange hat {shopq} {district} offen", None),
        (1, "q", "{shopq} parkplatz", None), (1, "q", "baumarkt {cityq} {district}", None),
        (1, "q", "{shopq} samstag bis wann", None), (1, "q", "{q} vorrätig {cityq}", None),
        (3, "view", "/de/marktsuche", "Marktsuche"),
        (3, "view", "/de/maerkte/{citys}/{stores}.html", "{store}"),
        (2, "click", "/de/maerkte/{citys}/{stores}.html#route", "Route planen"),
        (2, "click", "/de/artikel/{nr}-{slug}.html?markt={sid}#verfuegbarkeit", "Verfügbarkeit im Markt prüfen"),
        (2, "click", "/de/reservierung/{sid}/{nr}", "Reservieren & im Markt abholen"),
        (1, "click", "/de/maerkte/{citys}/{stores}.html#kontakt", "Markt anrufen"),
    ),
    "do": (
        (3, "q", "{task} anleitung", None), (3, "q", "{task}", None), (2, "q", "{task} schritt für schritt", None),
        (1, "q", "{task} video", None), (1, "q", "{task} was brauche ich", None),
        (1, "q", "{task} materialliste", None), (1, "q", "{q} bedienungsanleitung", None),
        (1, "q", "{q} ersatzteile", None), (1, "q", "{q} montieren", None), (1, "q", "{task} bauanleitung", None),
        (4, "view", "/de/projekte/{tasks}.html", "{taskt}"),
        (2, "video", "/de/projekte/{tasks}.html#video", "Video: {taskt}"),
        (1, "view", "/de/projekte/{tasks}/materialliste.html", "Materialliste: {taskt}"),
        (1, "download", "/de/artikel/{nr}-{slug}/bedienungsanleitung.pdf", "Bedienungsanleitung {name}"),
        (1, "view", "/de/service/mietgeraete", "Mietgeräte"),
        (1, "view", "/de/service/holzzuschnitt", "Holzzuschnitt-Service"),
        (1, "click", "/de/werkstatt/kurse/{cs}", "Heimwerker-Workshops"),
    ),
    "buy": (
        (3, "q", "{q} kaufen", None), (2, "q", "{q} preis", None), (2, "q", "{q} bestpreis", None),
        (2, "q", "{q} sofort lieferbar", None), (2, "q", "{q} günstig", None), (1, "q", "{q} angebot", None),
        (1, "q", "{q} preisvergleich", None), (1, "q", "{cq} reduziert", None), (1, "q", "{q} lieferzeit", None),
        (1, "q", "{q} versandkostenfrei", None), (1, "q", "{q} ratenzahlung", None),
        (1, "q", "{cq} sonderangebot", None),
        (4, "view", "/de/artikel/{nr}-{slug}.html", "{name}"),
        (3, "cart", "/de/artikel/{nr}-{slug}.html", "In den Einkaufswagen"),
        (2, "view", "/de/warenkorb", "Warenkorb"), (2, "checkout", "/de/kasse", "Kasse"),
        (1, "checkout", "/de/kasse/zahlungsart", "Zahlungsart wählen"),
        (1, "purchase", "/de/kasse/bestaetigung", "Vielen Dank für Ihren Einkauf"),
        (1, "view", "/de/prospekt", "Wochenprospekt"), (1, "uncart", "/de/warenkorb", None),
    ),
}

GENERIC = (
    (4, "view", "/de/", "WerkHaus – Baumarkt online & im Markt"), (4, "view", "/de/sortiment/{cs}/", "{cat}"),
    (2, "view", "/de/sortiment/{cs}/?sortierung=beliebtheit", "{cat}"), (2, "view", "/de/mein-konto", "Mein Konto"),
    (1, "click", "/de/mein-konto/bestellungen", "Meine Bestellungen"), (1, "view", "/de/merkzettel", "Merkzettel"),
    (1, "view", "/de/unternehmen/ueber-uns", "Über WerkHaus"), (1, "view", "/de/newsletter", "Newsletter"),
    (1, "view", "/de/kundenkarte", "WerkHaus Kundenkarte"), (2, "view", "/de/artikel/{nr}-{slug}.html", "{name}"),
    (1, "view", "/de/marken/{brands}", "{brand}"),
    (2, "q", "{cq}", None), (2, "q", "{brandq}", None), (1, "q", "{brandq} {cq}", None),
)

PROFILE = Profile(
    name="baumarkt-de",
    description="WerkHaus: German DIY / home-improvement chain, German, EUR; half its cue words unknown to the rules",
    shop="WerkHaus",
    base_url="https://www.werkhaus.example",
    currency="EUR",
    locales=(("de-DE", 0.85), ("de-AT", 0.08), ("de-CH", 0.04), ("en-DE", 0.03)),
    start="2025-05-17T06:00:00Z",
    moment_weights={"know": 0.22, "go": 0.2, "do": 0.28, "buy": 0.3},
    categories=CATEGORIES,
    products=PRODUCTS,
    cities=CITIES,
    store_name="{shop} {city}-{district}",
    opening_hours=("Mo-Sa 07:00-20:00", "Mo-Fr 07:00-20:00; Sa 08:00-20:00", "Mo-Sa 08:00-20:00"),
    cues=CUES,
    generic=GENERIC,
    id_style="num",
    user_prefix="kk-",
    session_prefix="sid-",
    venue_prefix="WH",
    app_versions=("3.18.2", "3.19.0", "3.19.1"),
    referrers=("https://www.google.de/", "https://www.ecosia.org/", "https://www.idealo.de/",
               "https://www.pinterest.de/", "https://www.youtube.com/"),
    extras={"year": ("2025",)},
    umlaut_fold=0.15,
    feedback_sources=DEFAULT_FEEDBACK_SOURCES,
    unknown_vocabulary={
        "know": ("testsieger", "stiftung warentest", "kaufberatung", "worauf achten", "taugt", "produktvergleich",
                 "kundenbewertungen"),
        "go": ("reservieren", "nächste", "marktsuche", "parkplatz", "vorrätig", "verfügbarkeit", "reservierung",
               "samstag bis wann"),
        "do": ("verlegen", "streichen", "dübeln", "bauanleitung", "materialliste", "montieren", "ersatzteile",
               "projekte", "mietgeräte", "workshops"),
        "buy": ("bestpreis", "sofort lieferbar", "preisvergleich", "reduziert", "lieferzeit", "versandkostenfrei",
                "ratenzahlung", "sonderangebot", "einkaufswagen", "prospekt", "zahlungsart"),
    },
    free_capacity=True,
    tombstones=1,
)
