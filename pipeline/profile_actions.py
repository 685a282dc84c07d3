"""What to do with a customer on each channel, and the profile in words (German or English).

A red customer gets retention first on every channel, never an upsell; an amber one gets
service before selling; otherwise the current moment decides (as the moment's own action in
``pipeline.decide``) and the newsletter follows the top interests. Every choice has a reason.
The parts are the profile record's JSON objects (``schemas.profiles`` describes them).
"""

from __future__ import annotations

import math
from typing import Any

from schemas.profiles import PROFILE_CHANNELS

#: per moment: the action on web/app, at the call center, at a branch terminal
MOMENT_ACTIONS = {
    "know": ("show_content", "answer_question", "show_content"),
    "go": ("show_nearest_store", "give_directions", "show_nearest_store"),
    "do": ("show_how_to", "offer_setup_help", "book_service"),
    "buy": ("make_offer", "offer_to_order", "reserve_in_store"),
}
RED_ACTIONS = {"web": "retention_offer", "app": "retention_offer", "callcenter": "retention_script",
               "terminal": "call_service_staff", "email": "personal_apology"}
AMBER_ACTIONS = {"callcenter": "service_check", "email": "service_follow_up", "terminal": "service_check"}
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


def channel_actions(crit: dict[str, Any], moment: dict[str, Any] | None, interests: list[dict[str, Any]],
                    lang: str) -> dict[str, dict[str, str]]:
    """The next best action per channel of the contract (``{channel: {action, reason}}``)."""
    reasons = crit["reasons"]
    why = reasons[0] if reasons else f"criticality {crit['score']:.2f}"
    topics = ", ".join(i["topic"] for i in interests[:3])
    level = crit["level"]
    out: dict[str, dict[str, str]] = {}
    for channel in PROFILE_CHANNELS:
        if level == "red":
            out[channel] = {"action": RED_ACTIONS[channel], "reason": f"red: {why}; retention before any offer"}
            continue
        if level == "amber" and channel in AMBER_ACTIONS:
            out[channel] = {"action": AMBER_ACTIONS[channel], "reason": f"amber: {why}; service before selling"}
            continue
        if channel == "email":
            out[channel] = ({"action": "newsletter_interests", "reason": f"top interests: {topics}"} if topics
                            else {"action": "newsletter_default", "reason": "no interests known yet"})
            continue
        if moment is not None:
            web, call, terminal = MOMENT_ACTIONS[moment["moment"]]
            action = {"callcenter": call, "terminal": terminal}.get(channel, web)
            if level == "amber" and action == "make_offer":
                action = "checkout_help"  # no upsell to a wavering customer
            out[channel] = {"action": action,
                            "reason": f"current moment {moment['moment']} ({moment['confidence']:.2f})"}
        elif topics:
            out[channel] = {"action": "show_interest_content", "reason": f"top interests: {topics}"}
        else:
            out[channel] = {"action": "greet", "reason": "nothing known that calls for more"}
    return out


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
