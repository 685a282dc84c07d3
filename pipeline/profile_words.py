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
CUE_WORDS = {"cancel": "cancellation", "complaint": "complaint", "return": "return", "refund": "refund"}


def reason_text(feature: str, x: dict[str, float], p: dict[str, Any]) -> str:
    """A criticality feature in words (English: the analysts' and agents' reason list)."""
    if feature.startswith("cue:"):
        kind = feature[4:]
        n = p["cues"].get(kind, 0)
        return f"looked for {CUE_WORDS.get(kind, kind)} ({n}x)"
    if feature == "mood:neg":
        return f"negative mood ({-x[feature]:.2f})"
    if feature == "neg_msgs":
        return f"{round(math.expm1(x[feature]))} negative message(s)"
    if feature == "trend:worse":
        return "mood worsening"
    if feature.startswith("neg:"):
        return f"negative {feature[4:]}"
    if feature in ("msgs", "recent_msgs"):
        return f"{round(math.expm1(x[feature])) + (feature == 'recent_msgs')} message(s)" + (
            " in 7 days" if feature == "recent_msgs" else "")
    return feature


def explain(crit: dict[str, Any], sentiment: dict[str, Any] | None, moment: dict[str, Any] | None,
            interests: list[dict[str, Any]], lang: str) -> str:
    """One sentence a person can read, in the customer's language."""
    lang = lang if lang in LEVEL_WORDS else "en"
    words = MOOD_WORDS[lang]
    parts = [f"{LEVEL_WORDS[lang][crit['level']]} ({crit['score']:.2f})"]
    if crit["reasons"]:
        parts[0] += ": " + ", ".join(crit["reasons"][:2])
    if sentiment is not None:
        mood = "Stimmung" if lang == "de" else "mood"
        parts.append(f"{mood} {words[sentiment['label']]}, {words[sentiment['trend']]}")
    if moment is not None:
        parts.append(MOMENT_WORDS[lang][moment["moment"]])
    if interests:
        label = "interessiert an" if lang == "de" else "interested in"
        parts.append(f"{label} {', '.join(i['topic'] for i in interests[:3])}")
    return "; ".join(parts) + "."
