"""A moment's reasons in words: one short sentence in the customer's language (German or English).

``reasons`` are feature keys with log-odds contributions (``r:w:stor``: ``detectors.features``). Each
positive one feeds a family — the search, the page or click, prices, the position, channel, device,
earlier events — that becomes a phrase in the context's words: the query as typed, the kind of page
its URL shows, the venue's name, rounded distance, opening state and stock. The 1–3 strongest make
the sentence, older steps first; else a fallback per moment (``wants to buy: "tv"``). Feature keys
never reach it: a cue that cannot be said in the context's words is left out.

>>> from schemas.outputs import MomentContext, VenueContext
>>> ctx = MomentContext(query="akku bohrer test", url="https://shop.example/de/filialen/koeln-ehrenfeld",
...     venue=VenueContext(venue_id="K1", name="Köln-Ehrenfeld", distance_m=304.2))
>>> why = [("s:w:akku", 0.9), ("r:w:filial", 1.1), ("loc:heading_to_venue", 0.8)]
>>> moment_explanation("go", why, ctx, "en")
'searched "akku bohrer test", then the store page of Köln-Ehrenfeld, 300 m away and heading there'
>>> moment_explanation("go", why, ctx, lang_of("de-AT"))
'suchte „akku bohrer test“, dann die Filialseite von Köln-Ehrenfeld, 300 m entfernt und auf dem Weg dorthin'
>>> moment_explanation("buy", [("r:ev:add_to_cart", 1.3), ("ch:app", 0.2)], MomentContext(channel="app"), "en")
'put a product in the cart, in the app'
>>> moment_explanation("buy", [("scripted", 1.0)], MomentContext(query="tv"), "de")
'will kaufen: „tv“'
"""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import urlsplit

from detectors.language import supported
from detectors.text import tokens, url_tokens
from schemas.outputs import MomentContext, VenueContext
from schemas.units import distance_words

#: page kinds: words of their URLs (normalized like the cues; the first kind that matches wins), English, German
_PAGES = {
    "confirmation": ("confirmation confirmed thank danke", "the order confirmation", "die Bestellbestätigung"),
    "checkout": ("checkout kasse payment zahlungsart bezahlen", "the checkout", "die Kasse"),
    "cart": ("cart bag basket warenkorb", "the cart", "den Warenkorb"),
    "reservation": ("reservierung reservieren reserve vorbestellen", "the reservation page", "die Reservierung"),
    "appointment": ("termin appointment book-a", "the appointment booking", "die Terminbuchung"),
    "availability": ("verfuegbarkeit availability", "the availability", "die Verfügbarkeit"),
    "manual": ("manual instructions anleitung bedienungsanleitung beipackzettel", "a manual", "eine Anleitung"),
    "pdf": ("pdf", "a PDF document", "ein PDF-Dokument"),
    "reviews": ("reviews bewertungen kundenbewertungen rating testbericht", "the reviews", "die Bewertungen"),
    "specs": ("specs dimensions datenblatt technische", "the specifications", "das Datenblatt"),
    "compare": ("compare comparison vergleich produktvergleich vs", "a comparison", "einen Vergleich"),
    "howto": ("how howto tutorial projekte diy care assembly anwenden", "a how-to page", "eine Anleitungsseite"),
    "guide": ("guide ratgeber kaufberatung journal blog magazin wissen learn inspiration explained ideas",
              "a guide", "einen Ratgeber"),
    "product": ("products p artikel pzn item", "a product page", "eine Produktseite"),
    "store": (("stores locator filialen filialfinder maerkte markt marktsuche standort showrooms boutiques venues "
               "apotheken notdienst route directions anfahrt"), "a store page", "eine Filialseite"),
    "deals": ("deals sale offers angebote prospekt aktion", "the offers", "die Angebote"),
    "account": ("account konto login banking wishlist merkliste favorites", "the customer account", "das Kundenkonto"),
    "support": ("support help hilfe faq service kontakt contact", "the help pages", "die Hilfeseiten"),
    "category": ("c shop sortiment category kategorie collections", "a category page", "eine Kategorieseite"),
    "event": ("events seats lineup", "an event page", "eine Veranstaltungsseite"),
    "video": ("", "a how-to video", "ein Anleitungsvideo"), "home": ("", "the home page", "die Startseite"),
    "page": ("", "a page", "eine Seite"),
}
_PAGE_WORDS = [(kind, frozenset(tokens(words))) for kind, (words, _, _) in _PAGES.items() if words]
_VIDEO = frozenset(tokens("video film watch"))  # in the fragment: the page's video
_LOCALES = frozenset(tokens("de en us uk at ch gb au ie ca"))

_W = {  # phrase: (English, German)
    **{f"page:{kind}": (en, de) for kind, (_, en, de) in _PAGES.items()},
    "store_of": ("the store page of {}", "die Filialseite von {}"), "view": ("viewed {}", "öffnete {}"),
    "ev:add_to_cart": ("put a product in the cart", "legte einen Artikel in den Warenkorb"),
    "ev:remove_from_cart": ("changed the cart", "änderte den Warenkorb"),
    "ev:checkout": ("went to the checkout", "ging zur Kasse"),
    "ev:purchase": ("completed a purchase", "schloss einen Kauf ab"),
    "ev:video_play": ("played a video", "sah sich ein Video an"),
    "ev:download": ("downloaded a file", "lud eine Datei herunter"),
    "ev:download_manual": ("downloaded a manual", "lud eine Anleitung herunter"),
    "search": ("searched {}", "suchte {}"), "then": ("then {}", "dann {}"), "and": ("and", "und"),
    "price": ("looked at prices", "sah sich Preise an"), "last": ("{}, last viewed {}", "{}, öffnete zuletzt {}"),
    "earlier": ("as earlier in the visit", "wie schon früher im Besuch"), "away": ("{} away", "{} entfernt"),
    "from": ("{} from {}", "{} von {} entfernt"), "at": ("at {}", "bei {}"), "there": ("there now", "gerade dort"),
    "in_store": ("in a store", "in einer Filiale"), "heading": ("heading there", "auf dem Weg dorthin"),
    "leaving": ("moving away", "entfernt sich"), "to_store": ("heading to a store", "auf dem Weg zu einer Filiale"),
    "moving": ("on the move", "unterwegs"), "loc:walk": ("on foot", "zu Fuß"), "loc:bike": ("by bike", "mit dem Rad"),
    "loc:drive": ("by car", "mit dem Auto"), "open": ("open now", "gerade geöffnet"),
    "closed": ("closed now", "gerade geschlossen"), "wait": ("{:.0f} min wait", "{:.0f} Min. Wartezeit"),
    "stock": ("in stock", "vorrätig"), "no_stock": ("not in stock", "nicht vorrätig"),
    "some_stock": ("{} of {} items in stock", "{} von {} Artikeln vorrätig"), "ch:app": ("in the app", "in der App"),
    "ch:callcenter": ("on the phone", "am Telefon"), "ch:terminal": ("at a terminal", "an einem Terminal"),
    "ch:email": ("from an email", "aus einer E-Mail"), "dev:mobile": ("on a phone", "am Smartphone"),
    "dev:tablet": ("on a tablet", "am Tablet"), "know": ("wants to know", "will wissen"),
    "go": ("wants to go", "will hin"), "do": ("wants to do", "will machen"), "buy": ("wants to buy", "will kaufen"),
}
_SCOPE_RANK = {"s": 0, "r": 1, "l": 2}  # session, last three events, last event
_STEPS = ("search", "click", "price")  # the order of steps of equal recency


def lang_of(locale: str | None) -> str:
    """The explanation's language for a customer's locale: ``de`` or ``en`` (anything else).

    >>> lang_of("de-AT"), lang_of("en-GB"), lang_of("fr-FR"), lang_of(None)
    ('de', 'en', 'en', 'en')
    """
    return supported(locale) or "en"


def _w(key: str, lang: str, *args: object) -> str:
    return _W[key][lang == "de"].format(*args)


@lru_cache(maxsize=65536)
def page_kind(url: str | None) -> str:
    """The kind of page a URL shows, from its path, query and fragment words (cached: pages repeat).

    >>> page_kind("https://shop.example/de/artikel/610-fliesenkleber/bedienungsanleitung.pdf")
    'manual'
    >>> page_kind("/guides/how-to-install-a-doorbell#video"), page_kind("/en-gb/bag"), page_kind("/de/")
    ('video', 'cart', 'home')
    """
    if not url:
        return "page"
    try:
        parts = urlsplit(url)
        words, fragment = set(tokens(f"{parts.path} {parts.query} {parts.fragment}")), set(tokens(parts.fragment))
    except ValueError:
        words, fragment = set(tokens(url)), set()
    words -= _LOCALES
    if fragment & _VIDEO:
        return "video"
    return next((kind for kind, vocabulary in _PAGE_WORDS if words & vocabulary), "page" if words else "home")


def _cue(key: str) -> str:
    """The cue of a feature key: ``r:ev:checkout`` -> ``ev:checkout``; ``loc:walk`` stays."""
    scope, _, cue = key.partition(":")
    return cue if scope in _SCOPE_RANK else key


def _family(key: str, query_words: set[str], url_words: set[str], ctx: MomentContext) -> str | None:
    """Which phrase a feature key feeds, or None if it has no words for a person."""
    scope, cue = key.partition(":")[0], _cue(key)
    kind, _, value = cue.partition(":")
    if kind == "b" or cue == "src:search":  # query bigrams, the search itself
        return "search" if ctx.query else None
    if kind == "w":  # a word of the latest query or page, or of an earlier event
        if ctx.query and value in query_words:
            return "search"
        return "click" if ctx.url and (value in url_words or scope != "s") else "earlier"
    if kind == "ev" or (kind == "has" and ctx.url):
        return "click"
    if kind == "loc" or cue == "src:location":
        return "venue"
    if cue == "price:log":
        return "price"
    return cue if cue in _W else None  # channel, device; not the hour or the number of events


def _status(v: VenueContext, lang: str) -> str:
    """The venue's opening state, wait and the stock of the session's products, in parentheses."""
    parts = []
    if v.open_now is not None:
        parts.append(_w("open" if v.open_now else "closed", lang))
        if v.open_now and v.wait_minutes is not None and v.wait_minutes >= 1:
            parts.append(_w("wait", lang, v.wait_minutes))
    if v.stock:
        have, n = sum(q > 0 for q in v.stock.values()), len(v.stock)
        parts.append(_w("stock" if have == n else "no_stock" if not have else "some_stock", lang, have, n))
    return f" ({', '.join(parts)})" if parts else ""


def _click(keys: list[str], ctx: MomentContext, lang: str, first: bool) -> tuple[str, bool]:
    """The page or click phrase, and whether it names the venue."""
    kind = page_kind(ctx.url)
    for ev in map(_cue, keys):
        if ev.startswith("ev:") and ev in _W:
            return _w(ev + "_manual" if ev == "ev:download" and kind == "manual" else ev, lang), False
    v, page = ctx.venue, set(url_tokens(ctx.url or ""))  # the venue's own page: every word of its name but the brand
    named = kind == "store" and v is not None and set(tokens(v.name)[1:] or tokens(v.name)) <= page
    noun = _w("store_of", lang, v.name) + _status(v, lang) if named and v else _w("page:" + kind, lang)
    return (_w("view", lang, noun) if first else noun), named


def _venue(keys: list[str], ctx: MomentContext, lang: str, named: bool) -> str | None:
    """Where the customer is: the venue's distance (its name unless the page named it), the movement."""
    cues = set(map(_cue, keys))
    band = next((_w(b, lang) for b in ("loc:walk", "loc:bike", "loc:drive") if b in cues), None)
    towards = bool(cues & {"loc:approaching", "loc:heading_to_venue"})
    moving = _w("heading", lang) if towards else _w("leaving", lang) if "loc:leaving" in cues else None
    v = ctx.venue
    if "loc:in_venue" in cues:
        return _w("in_store", lang) if v is None else _w("there", lang) if named else \
            _w("at", lang, v.name) + _status(v, lang)
    if v is None:
        where = _w("to_store", lang) if towards else _w("moving", lang) if band or "src:location" in cues else None
        return f"{where}, {band}" if where and band else where
    where = _w("away", lang, distance_words(v.distance_m, lang)) if named else \
        _w("from", lang, distance_words(v.distance_m, lang), v.name + _status(v, lang))
    if moving is None:
        return f"{where}, {_w('moving', lang)} {band}" if band and lang != "de" else \
            f"{where}, {band} {_w('moving', lang)}" if band else where
    how = f"{band} {moving}" if band and lang == "de" else f"{moving} {band}" if band else moving
    return f"{where} {_w('and', lang)} {how}"


def _quote(query: str | None, lang: str) -> str:
    """The query as typed, cut after 40 characters, in the language's quotation marks."""
    q = (query or "").strip()
    q = q if len(q) <= 40 else q[:41].rsplit(" ", 1)[0] + "…"
    return f"„{q}“" if lang == "de" else f'"{q}"'


def moment_explanation(moment: str, reasons: list[tuple[str, float]], context: MomentContext, lang: str) -> str:
    """One sentence for a person: what the customer did that made this ``moment``, in ``lang``
    (``de``; anything else is English), from the positive ``reasons`` and the ``context``."""
    query_words = set(tokens(context.query)) if context.query else set()
    url_words = set(url_tokens(context.url)) if context.url else set()
    strength: dict[str, float] = {}
    keys: dict[str, list[str]] = {}
    for key, contribution in reasons:
        family = _family(key, query_words, url_words, context) if contribution > 0 else None
        if family is not None:
            strength[family] = strength.get(family, 0.0) + contribution
            keys.setdefault(family, []).append(key)
    recency = {f: max(_SCOPE_RANK.get(k.partition(":")[0], 1) for k in ks) for f, ks in keys.items()}
    top = sorted(strength, key=lambda f: -strength[f])[:3]
    steps = sorted((f for f in top if f in _STEPS), key=lambda f: (recency[f], _STEPS.index(f)))
    if len(steps) > 1 and "click" in steps and page_kind(context.url) == "page" and \
            not any(_cue(k) in _W for k in keys["click"]):
        steps.remove("click")  # "then a page" says nothing the other steps do not
    clauses, named = [], False
    for i, family in enumerate(steps):
        if family == "click":
            text, named = _click(keys[family], context, lang, first=i == 0)
        else:
            text = _w("search", lang, _quote(context.query, lang)) if family == "search" else _w(family, lang)
        clauses.append(text)
    sentence = ", ".join(c if i == 0 else _w("then", lang, c) for i, c in enumerate(clauses))
    venue = _venue(keys["venue"], context, lang, named) if "venue" in top else None
    if not sentence and venue is None:  # nothing to say in the context's words: the moment itself
        wants = _w(moment, lang) if moment in ("know", "go", "do", "buy") else moment
        sentence = f"{wants}: {_quote(context.query, lang)}" if context.query else \
            _w("last", lang, wants, _click([], context, lang, first=False)[0]) if context.url else wants
    extras = [venue] + [_w(f, lang) for f in top if f.startswith(("ch:", "dev:"))]
    extras += [_w("earlier", lang)] * ("earlier" in top)
    return ", ".join(p for p in (sentence, *extras) if p)
