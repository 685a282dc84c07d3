"""``pharmacy-de``: "MediPunkt – Ihre Apotheke am Markt", a German pharmacy chain (German, EUR).

Online shop plus many local pharmacies; ``go`` dominates (nearest open pharmacy, Notdienst,
vorbestellen and pick up today, E-Rezept in der Filiale einlösen). URL scheme
``/pzn/<pzn>/<slug>``, ``/sortiment/<cat>``, ``/beipackzettel/...`` and ``/wirkstoffe/...`` (know),
``/gesund-anwenden/...`` and the E-Rezept app (do), ``/apotheken/<stadt>/<apotheke>`` and
``/notdienst/<stadt>`` (go), ``/warenkorb`` and ``/bestellung/kasse`` (buy). Most cue words are the
trade's own and unknown to ``detectors.rules`` ("notdienst", "vorbestellen", "einlösen", "nebenwirkungen",
"beipackzettel", "rezeptbonus", "N3"); several it knows point the wrong way ("wie oft darf man" and
"wie lange wirkt" are know, "wie lange hat ... auf" is go, the home page's "Apotheke am Markt" has "markt"),
and "E-Rezept" and "apotheke" recur in go, do and buy alike.
"""

from __future__ import annotations

from tools.simulate.profile import Category, City, CueMix, Journey, Product, Profile

C = Category
CATEGORIES = (
    C("schmerz", "Schmerz & Fieber", "schmerzmittel", "schmerz-fieber",
      ("fieber richtig messen", "fieberzäpfchen beim kind geben", "wadenwickel machen")),
    C("erkaeltung", "Erkältung & Grippe", "erkältungsmittel", "erkaeltung-grippe",
      ("nasenspray richtig sprühen", "mit kamille inhalieren", "nasendusche benutzen")),
    C("allergie", "Allergie & Heuschnupfen", "allergietabletten", "allergie-heuschnupfen",
      ("augentropfen richtig eintropfen", "pollenflug-warnung aktivieren", "nasenspray bei heuschnupfen sprühen")),
    C("magen", "Magen & Darm", "magentabletten", "magen-darm",
      ("elektrolytlösung anrühren", "tabletten teilen", "tropfen richtig dosieren")),
    C("haut", "Haut & Wundversorgung", "wundsalbe", "haut-wundversorgung",
      ("wunde versorgen", "blasenpflaster aufkleben", "zeckenkarte benutzen")),
    C("messen", "Blutdruck & Messgeräte", "blutdruckmessgerät", "blutdruck-messgeraete",
      ("blutdruck richtig messen", "manschette anlegen", "blutdruckwerte in die app übertragen")),
    C("tests", "Selbsttests", "schnelltest", "selbsttests",
      ("corona-selbsttest durchführen", "schwangerschaftstest ablesen", "blutzucker messen")),
    C("atemwege", "Atemwege & Inhalation", "inhalierhilfe", "atemwege-inhalation",
      ("dosieraerosol richtig inhalieren", "inhalierhilfe auswaschen", "vernebler zusammenbauen")),
)

P = Product
PRODUCTS = (
    P("MP-A0412", "Ibuprofen AL 400 mg 20 Filmtabletten", "schmerz", 3.29, "Aliud", "04114918", "ibuprofen 400"),
    P("MP-A0417", "Paracetamol ratiopharm 500 mg 20 Tabletten", "schmerz", 2.49, "ratiopharm", "01126111",
      "paracetamol 500"),
    P("MP-A1120", "Grippostad C 24 Hartkapseln", "erkaeltung", 13.95, "Stada", "00571748", "grippostad"),
    P("MP-A1134", "Sinupret extract 40 überzogene Tabletten", "erkaeltung", 19.97, "Bionorica", "10395598",
      "sinupret"),
    P("MP-A2203", "Cetirizin ADGC 10 mg 50 Filmtabletten", "allergie", 7.95, "Zentiva", "03070219", "cetirizin"),
    P("MP-A2218", "Livocab direkt Augentropfen 4 ml", "allergie", 11.49, "Johnson & Johnson", "02883784",
      "livocab augentropfen"),
    P("MP-A3301", "Iberogast Classic 50 ml", "magen", 23.99, "Bayer", "16507327", "iberogast"),
    P("MP-A3315", "Elotrans Pulver 20 Beutel", "magen", 14.90, "Stada", "01941506", "elotrans"),
    P("MP-A4406", "Bepanthen Wund- und Heilsalbe 50 g", "haut", 9.99, "Bayer", "01578681", "bepanthen"),
    P("MP-A4419", "Compeed Blasenpflaster Medium", "haut", 8.49, "Compeed", "10995356", "compeed blasenpflaster"),
    P("MP-A5502", "Omron M500 Oberarm-Blutdruckmessgerät", "messen", 79.90, "Omron", "13919412", "omron m500"),
    P("MP-A5511", "Braun ThermoScan 7 Ohrthermometer", "messen", 54.95, "Braun", "10060574", "braun thermoscan"),
    P("MP-A6605", "Corona-Schnelltest Nasal 5 Stück", "tests", 6.99, "MediPunkt", "17974012", "corona schnelltest"),
    P("MP-A6620", "Clearblue Schwangerschaftstest Digital", "tests", 17.95, "Clearblue", "08702337", "clearblue"),
    P("MP-A7708", "AeroChamber Plus Inhalierhilfe", "atemwege", 29.50, "Trudell", "00217350", "aerochamber"),
    P("MP-A7713", "GeloMyrtol forte 20 Kapseln", "atemwege", 12.48, "Pohl-Boskamp", "04784637", "gelomyrtol"),
)

CITIES = (
    City("Frankfurt am Main", "F", 50.1109, 8.6821, 60, ("Sachsenhausen", "Bornheim", "Höchst")),
    City("Stuttgart", "S", 48.7758, 9.1829, 60, ("Bad Cannstatt", "Vaihingen")),
    City("Nürnberg", "N", 49.4521, 11.0767, 60, ("Gostenhof", "Langwasser")),
    City("Dresden", "DD", 51.0504, 13.7373, 60, ("Neustadt", "Blasewitz")),
    City("Hannover", "H", 52.3759, 9.7320, 60, ("Linden", "List")),
    City("Freiburg im Breisgau", "FR", 47.9990, 7.8421, 60, ("Wiehre", "Herdern")),
    City("Passau", "PA", 48.5665, 13.4312, 60, ("Innstadt", "Grubweg")),
)

CUES = {
    "know": (
        (3, "q", "{q} nebenwirkungen", None), (3, "q", "was hilft gegen {symptom}", None),
        (2, "q", "{q} wechselwirkungen", None), (2, "q", "{q} dosierung", None), (2, "q", "{q} wirkstoff", None),
        (2, "q", "wie oft darf man {q} nehmen", None), (2, "q", "{q} und {other} zusammen", None),
        (1, "q", "{q} in der schwangerschaft", None), (1, "q", "{q} mit alkohol", None),
        (1, "q", "wie lange wirkt {q}", None), (1, "q", "{q} erfahrungen", None),
        (1, "q", "{q} rezeptfrei", None), (1, "q", "hausmittel gegen {symptom}", None),
        (3, "view", "/beipackzettel/{nr}/{slug}", "Beipackzettel {name}"),
        (2, "view", "/wirkstoffe/{cs}", "Wirkstoffe: {cat}"),
        (2, "click", "/wechselwirkungs-check?pzn={nr},{onr}", "Wechselwirkungs-Check"),
        (1, "view", "/ratgeber/{cs}/symptome", "Ratgeber {cat}: Symptome & Ursachen"),
        (1, "view", "/pzn/{nr}/{slug}#anwendungsgebiete", "Anwendungsgebiete {name}"),
    ),
    "go": (
        (3, "q", "apotheke in der nähe", None), (3, "q", "notdienst apotheke {cityq}", None),
        (2, "q", "{shopq} {district}", None), (2, "q", "{q} vorbestellen", None),
        (2, "q", "e-rezept einlösen {cityq}", None), (2, "q", "apotheke {district} {day} offen", None),
        (1, "q", "nachtapotheke {cityq}", None), (1, "q", "{q} heute abholen {district}", None),
        (1, "q", "wie lange hat die apotheke {district} auf", None), (1, "q", "notapotheke {cityq} {district}", None),
        (1, "q", "{q} vorrätig {cityq}", None), (1, "q", "{shopq} click und collect", None),
        (3, "view", "/apotheken/{citys}/{stores}", "{store}"), (3, "view", "/notdienst/{citys}", "Notdienst {city}"),
        (2, "click", "/apotheke-finden", "Apotheke finden"),
        (2, "click", "/vorbestellen/{sid}/{nr}", "Vorbestellen & heute abholen"),
        (2, "click", "/e-rezept/apotheke-waehlen/{sid}", "E-Rezept in der Apotheke einlösen"),
        (1, "click", "/apotheken/{citys}/{stores}#route", "Route"),
    ),
    "do": (
        (3, "q", "{task}", None), (2, "q", "{task} wie geht das", None), (1, "q", "{task} anleitung", None),
        (2, "q", "e-rezept in der app einlösen", None), (1, "q", "gesundheitskarte nfc pin app", None),
        (1, "q", "{q} gebrauchsanweisung", None), (1, "q", "{q} anwenden", None),
        (1, "q", "{q} richtig einnehmen", None),
        (1, "q", "{q} fehlermeldung", None), (1, "q", "{task} bei kindern", None),
        (3, "view", "/gesund-anwenden/{tasks}", "{taskt}"), (2, "video", "/gesund-anwenden/{tasks}#film", "{taskt}"),
        (2, "click", "/app/e-rezept/scannen", "E-Rezept scannen"),
        (1, "view", "/app/e-rezept/gesundheitskarte-verbinden", "Gesundheitskarte verbinden"),
        (1, "download", "/pzn/{nr}/{slug}/gebrauchsanweisung.pdf", "Gebrauchsanweisung {name}"),
        (1, "view", "/gesund-anwenden/{cs}", "Richtig anwenden: {cat}"),
    ),
    "buy": (
        (3, "q", "{q} günstig", None), (2, "q", "{q} {pack}", None), (2, "q", "{q} bestellen", None),
        (2, "q", "{q} versandkostenfrei", None), (1, "q", "{shopq} rezeptbonus", None),
        (1, "q", "{q} großpackung", None), (1, "q", "{q} online apotheke", None), (1, "q", "{cq} sparset", None),
        (1, "q", "{shopq} gutschein", None), (1, "q", "{q} preisvergleich", None),
        (4, "view", "/pzn/{nr}/{slug}", "{name}"), (3, "cart", "/pzn/{nr}/{slug}?menge=1", "In den Warenkorb"),
        (2, "view", "/warenkorb", "Warenkorb"), (2, "checkout", "/bestellung/kasse", "Zur Kasse"),
        (1, "click", "/pzn/{nr}/{slug}?packung={pack}", "Packungsgröße {pack}"),
        (1, "purchase", "/bestellung/danke", "Danke für Ihre Bestellung"), (1, "uncart", "/warenkorb", None),
        (1, "view", "/rezeptbonus", "Rezeptbonus"),
    ),
}

GENERIC = (
    (4, "view", "/", "MediPunkt – Ihre Apotheke am Markt"), (4, "view", "/sortiment/{cs}", "{cat}"),
    (2, "view", "/pzn/{nr}/{slug}", "{name}"), (2, "view", "/sortiment/{cs}?marke={brands}", "{cat}"),
    (1, "view", "/marken/{brands}", "{brand}"), (2, "view", "/mein-konto", "Mein Konto"),
    (1, "click", "/mein-konto/medikationsplan", "Mein Medikationsplan"), (1, "view", "/merkliste", "Merkliste"),
    (1, "view", "/gesundheitsmagazin", "Gesundheitsmagazin"), (1, "view", "/kundenkarte", "MediPunkt Kundenkarte"),
    (1, "view", "/ueber-uns", "Über MediPunkt"),
    (2, "q", "{cq}", None), (2, "q", "{q}", None), (1, "q", "{brandq}", None), (1, "q", "{symptom}", None),
)

PROFILE = Profile(
    name="pharmacy-de",
    description="MediPunkt: German pharmacy chain, online shop and local pharmacies; German, EUR; go dominates",
    shop="MediPunkt",
    base_url="https://www.medipunkt-apotheke.example",
    currency="EUR",
    locales=(("de-DE", 0.9), ("de-AT", 0.07), ("de-CH", 0.03)),
    start="2025-02-15T06:00:00Z",
    moment_weights={"know": 0.2, "go": 0.42, "do": 0.13, "buy": 0.25},
    categories=CATEGORIES,
    products=PRODUCTS,
    cities=CITIES,
    store_name="{shop} Apotheke {district}",
    opening_hours=("Mo-Fr 08:00-19:00; Sa 08:30-14:00", "Mo-Fr 08:00-20:00; Sa 09:00-18:00",
                   "Mo-Sa 08:00-20:00; Su 10:00-14:00"),
    cues=CUES,
    generic=GENERIC,
    id_style="num",
    user_prefix="apo-",
    session_prefix="mps-",
    venue_prefix="MPA",
    app_versions=("5.4.0", "5.5.1", "5.6.0"),
    referrers=("https://www.google.de/", "https://www.ecosia.org/", "https://www.aponet.de/",
               "https://www.apotheken-umschau.de/", "https://www.medpex-vergleich.example/"),
    extras={"symptom": ("kopfschmerzen", "halsschmerzen", "schnupfen", "sodbrennen", "husten", "fieber",
                        "durchfall", "heuschnupfen"),
            "pack": ("n1", "n2", "n3", "20 stück", "50 stück", "100 stück"),
            "day": ("sonntag", "samstag", "feiertag", "jetzt", "nachts")},
    umlaut_fold=0.25,
    feedback_sources={
        "know": (("content_engagement", 0.8), ("survey", 0.2)),
        "go": (("store_visit", 0.88), ("agent", 0.12)),
        "do": (("content_engagement", 0.5), ("agent", 0.3), ("survey", 0.2)),
        "buy": (("conversion", 0.88), ("agent", 0.12)),
    },
    unknown_vocabulary={
        "know": ("nebenwirkungen", "wechselwirkungen", "dosierung", "wirkstoff", "beipackzettel", "schwangerschaft",
                 "rezeptfrei", "hausmittel", "anwendungsgebiete", "symptome", "wie oft darf man"),
        "go": ("apotheke", "notdienst", "notapotheke", "nachtapotheke", "vorbestellen", "e-rezept einlösen",
               "vorrätig", "offen", "auf", "click und collect"),
        "do": ("gesund-anwenden", "anwenden", "einnehmen", "gebrauchsanweisung", "scannen", "gesundheitskarte",
               "nfc", "fehlermeldung", "messen", "inhalieren", "sprühen"),
        "buy": ("versandkostenfrei", "rezeptbonus", "n1", "n2", "n3", "großpackung", "packungsgröße", "sparset",
                "preisvergleich", "menge", "danke"),
    },
    mix=CueMix(generic=0.24, contra=0.12, landing_generic=0.3, landing_contra=0.05),
    journey=Journey(length=0.9),
)
