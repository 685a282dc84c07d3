"""A small, readable rule labeler: the cold-start teacher.

English and German cue lexicons per moment, click types and location cues give
each moment a score; a softmax turns scores into probabilities. It follows
River's API so it can stand in for (and teach) the online model.
"""

from __future__ import annotations

from detectors.hotloops import rule_totals, softmax
from detectors.text import tokens
from schemas.topics import MOMENTS

LEXICON_TEXT: dict[str, str] = {
    "know": (
        "what why which who review reviews rating ratings test tested vs versus compare comparison "
        "compared specs specifications spec difference best top worth battery life features info "
        "blog news article faq wiki questions answers guide guides buying-guide explained "
        "was warum welche welcher bewertung bewertungen erfahrung erfahrungen vergleich testbericht "
        "unterschied technische daten datenblatt ratgeber lohnt sich empfehlung"
    ),
    "go": (
        "near nearby nearest store stores shop location locations locator directions direction map "
        "open hours opening today pickup pick-up collect in-store local branch visit address route "
        "call store-finder find-a-store "
        "naehe filiale filialen markt maerkte standort standorte oeffnungszeiten geoeffnet heute "
        "abholung abholen anfahrt wegbeschreibung haendler vor ort laden"
    ),
    "do": (
        "how setup set-up install installation installing configure connect pair pairing fix repair "
        "reset update firmware tutorial manual instructions troubleshoot troubleshooting support "
        "not-working problem error diy step steps tips video clean replace "
        "wie anleitung einrichten installieren anschliessen verbinden reparieren reparatur "
        "zuruecksetzen aktualisieren bedienungsanleitung handbuch hilfe selber selbst schritt tipps "
        "reinigen austauschen entkalken"
    ),
    "buy": (
        "buy purchase order price prices pricing deal deals cheap cheapest discount coupon promo "
        "offer offers sale cart checkout basket shipping delivery financing payment stock "
        "kaufen kauf bestellen bestellung preis preise guenstig billig angebot angebote rabatt "
        "gutschein aktion warenkorb kasse versand lieferung finanzierung ratenkauf"
    ),
}
#: stemmed token -> moments it cues (a token may cue several, e.g. "stock": go and buy)
LEXICON: dict[str, tuple[str, ...]] = {}
for _moment, _text in LEXICON_TEXT.items():
    for _tok in tokens(_text):
        if _moment not in LEXICON.get(_tok, ()):
            LEXICON[_tok] = (*LEXICON.get(_tok, ()), _moment)

EVENT_CUES: dict[str, tuple[str, float]] = {
    "ev:add_to_cart": ("buy", 2.0),
    "ev:checkout": ("buy", 3.0),
    "ev:purchase": ("buy", 3.0),
    "ev:remove_from_cart": ("buy", 0.5),
    "ev:video_play": ("do", 1.0),
    "ev:download": ("do", 1.0),
}
LOCATION_CUES: dict[str, float] = {
    "loc:approaching": 2.0,
    "loc:in_venue": 2.0,
    "loc:heading_to_venue": 1.0,
    "loc:walk": 0.5,
    "loc:bike": 0.5,
    "loc:drive": 0.5,
}
RECENT_WEIGHT = 1.5  # recent cues weigh more: intent shifts win
SESSION_WEIGHT = 0.6
TEMPERATURE = 1.0


# how a compiled rule turns the feature's value into a contribution (see RuleDetector.scores)
_CONST, _SESSION, _VALUE = "const", "session", "value"
#: feature key -> ((moment, coefficient, kind), ...); bounded: query words are unbounded
_COMPILED: dict[str, tuple[tuple[str, float, str], ...]] = {}
_COMPILED_MAX = 200_000


def _compile(key: str) -> tuple[tuple[str, float, str], ...]:
    """The contributions ``RuleDetector.scores`` gives ``key``, as coefficients."""
    scope, _, cue = key.partition(":")
    rule: tuple[tuple[str, float, str], ...] = ()
    if scope in ("r", "s") and cue.startswith("w:"):
        rule = tuple((m, RECENT_WEIGHT, _CONST) if scope == "r" else (m, 1.0, _SESSION)
                     for m in LEXICON.get(cue[2:], ()))
    elif scope in ("r", "s") and cue in EVENT_CUES:
        m, w = EVENT_CUES[cue]
        rule = ((m, w, _CONST if scope == "r" else _SESSION),)
    elif key in LOCATION_CUES:
        rule = (("go", LOCATION_CUES[key], _VALUE),)
    if len(_COMPILED) >= _COMPILED_MAX:
        _COMPILED.clear()
    _COMPILED[key] = rule
    return rule


class RuleDetector:
    """Lexicon rules over the session features; learns nothing.

    >>> d = RuleDetector()
    >>> p = d.predict_proba_one({"r:w:kauf": 1.0, "s:w:kauf": 0.69})
    >>> max(p, key=p.get), round(p["buy"], 2)
    ('buy', 0.69)
    >>> d.predict_proba_one({})["know"]
    0.25
    """

    name = "rules"
    version = "1"

    def scores(self, x: dict[str, float]) -> dict[str, list[tuple[str, float]]]:
        """Per moment, the features that contributed and how much."""
        out: dict[str, list[tuple[str, float]]] = {m: [] for m in MOMENTS}
        for key, value in x.items():
            scope, _, cue = key.partition(":")
            if scope in ("r", "s") and cue.startswith("w:"):
                weight = RECENT_WEIGHT if scope == "r" else SESSION_WEIGHT * value
                for m in LEXICON.get(cue[2:], ()):
                    out[m].append((key, weight))
            elif scope in ("r", "s") and cue in EVENT_CUES:
                m, w = EVENT_CUES[cue]
                out[m].append((key, w * (1.0 if scope == "r" else SESSION_WEIGHT * value)))
            elif key in LOCATION_CUES:
                out["go"].append((key, LOCATION_CUES[key] * value))
        return out

    def totals(self, x: dict[str, float]) -> dict[str, float]:
        """Per moment, the sum of ``scores`` — the same additions in the same order, from rules
        compiled once per feature key (the hot path: keys repeat across events and users)."""
        return rule_totals(_COMPILED, _compile, x, MOMENTS, _CONST, _SESSION, SESSION_WEIGHT)

    def predict_proba_one(self, x: dict[str, float]) -> dict[str, float]:
        return softmax(self.totals(x), TEMPERATURE)

    def learn_one(self, x: dict[str, float], y: str, w: float = 1.0) -> RuleDetector:
        return self  # rules are fixed; the online model learns

    def explain_one(self, x: dict[str, float], y: str, k: int = 3) -> list[tuple[str, float]]:
        contrib = sorted(self.scores(x)[y], key=lambda kv: -kv[1])
        return contrib[:k]
