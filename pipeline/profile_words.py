"""The profile in words (German or English): the traffic light's reasons and the profile's
``explanation``. The parts are the profile record's JSON objects (``schemas.profiles``); what to
do per channel is decided by the action catalogue (``actions.choose``)."""

from __future__ import annotations

import math
from typing import Any

LEVEL_WORDS = {"en": {"green": "Green", "amber": "Amber", "red": "Red"},
               "de": {"green": "Grün", "amber": "Gelb", "red": "Rot"}}
MOOD_WORDS = {"en": {"negative": "negative", "neutral": "neutral", "positive": "positive",
                     "improving": "improving", "stable": "stable", "worsening": "worsening"},
              "de": {"negative": "negativ", "neutral": "neutral", "positive": "positiv",
                     "improving": "besser werdend", "stable": "gleichbleibend", "worsening": "schlechter werdend"}}
MOMENT_WORDS = {"en": {"know": "wants to know", "go": "wants to go", "do": "wants to do", "buy": "wants to buy"},
                "de": {"know": "will wissen", "go": "will hin", "do": "will machen", "buy": "will kaufen"}}
CUE_WORDS = {"en": {"cancel": "cancellation", "complaint": "complaint", "return": "return", "refund": "refund"},
             "de": {"cancel": "Kündigung", "complaint": "Beschwerde", "return": "Rückgabe", "refund": "Erstattung"}}
#: the traffic light's reasons, per language: feature -> template ({n}: a count, {v}: a value, {w}: a word)
REASON_WORDS = {
    "en": {"cue": "looked for {w} ({n}x)", "mood:neg": "negative mood ({v:.2f})", "neg_msgs": "{n} negative message(s)",
           "trend:worse": "mood worsening", "neg": "negative {w}", "msgs": "{n} message(s)",
           "recent_msgs": "{n} message(s) in 7 days", "churned": "reported as churned"},
    "de": {"cue": "suchte nach {w} ({n}x)", "mood:neg": "negative Stimmung ({v:.2f})",
           "neg_msgs": "{n} negative Nachricht(en)", "trend:worse": "Stimmung wird schlechter",
           "neg": "negativ: {w}", "msgs": "{n} Nachricht(en)", "recent_msgs": "{n} Nachricht(en) in 7 Tagen",
           "churned": "als abgewandert gemeldet"},
}


def reason_text(feature: str, x: dict[str, float], p: dict[str, Any], lang: str = "en") -> str:
    """A criticality feature in words: English for the record's reason list (analysts), the
    customer's language for the explanation."""
    words = REASON_WORDS["de" if lang == "de" else "en"]
    if feature.startswith("cue:"):
        kind = feature[4:]
        return words["cue"].format(w=CUE_WORDS["de" if lang == "de" else "en"].get(kind, kind),
                                   n=p["cues"].get(kind, 0))
    if feature == "mood:neg":
        return words[feature].format(v=-x[feature])
    if feature in ("neg_msgs", "msgs"):
        return words[feature].format(n=round(math.expm1(x[feature])))
    if feature == "recent_msgs":
        return words[feature].format(n=round(math.expm1(x[feature])) + 1)
    if feature == "trend:worse":
        return words[feature]
    if feature.startswith("neg:"):
        return words["neg"].format(w=feature[4:])
    return feature


def explain(crit: dict[str, Any], sentiment: dict[str, Any] | None, moment: dict[str, Any] | None,
            interests: list[dict[str, Any]], lang: str, said: list[str] | None = None) -> str:
    """One sentence a person can read, in the customer's language (``said``: the traffic light's
    reasons in that language, else the record's)."""
    lang = lang if lang in LEVEL_WORDS else "en"
    words = MOOD_WORDS[lang]
    parts = [f"{LEVEL_WORDS[lang][crit['level']]} ({crit['score']:.2f})"]
    reasons = said if said is not None else crit["reasons"]
    if reasons:
        parts[0] += ": " + ", ".join(reasons[:2])
    if sentiment is not None:
        mood = "Stimmung" if lang == "de" else "mood"
        parts.append(f"{mood} {words[sentiment['label']]}, {words[sentiment['trend']]}")
    if moment is not None:
        parts.append(MOMENT_WORDS[lang][moment["moment"]])
    if interests:
        label = "interessiert an" if lang == "de" else "interested in"
        parts.append(f"{label} {', '.join(i['topic'] for i in interests[:3])}")
    return "; ".join(parts) + "."
