"""Which language a customer wrote in: German or English, from function words and letters.

Customer messages are short and informal; a character n-gram model would need training data we
do not ship, while the few hundred most frequent function words of each language decide a
message of a dozen words reliably. Umlauts and ß count for German. ``lang`` of the event wins
where it is given (``resolve``).

>>> detect("Ich bin mit der Lieferung nicht zufrieden, das Paket kam zu spät.")
('de', 1.0)
>>> detect("Thanks, that answered all my questions.")[0]
'en'
>>> resolve("Danke!", "en-GB"), resolve("Danke!", "fr")
(('en', False), ('de', True))
"""

from __future__ import annotations

import re

SUPPORTED = ("de", "en")
_WORD = re.compile(r"[a-zäöüß']+")
_DE = frozenset("""
    aber alle als also am an auch auf aus bei bin bis bitte bist da dann das dass dem den der des
    die dies diese dieser doch dort du durch ein eine einem einen einer es etwas euch für gar gibt
    habe haben hat hatte hier ich ihm ihn ihr im immer in ist ja jetzt kann kein keine leider man
    mein meine mich mir mit muss nach nicht nichts noch nur ob oder ohne schon sehr sein seit sich
    sie sind so über um und uns unser vom von vor war warum was weil welche wenn wer wie wieder
    wir wird wo zu zum zur danke gerne hallo grüße freundlichen guten tag
""".split())
_EN = frozenset("""
    a about after all also am an and any are as at be been but by can could did do does don't
    for from get got had has have he her here hi his how i i'm if in into is it it's just know
    me more my no not now of on one only or our out please really so some still than thank thanks
    that the their them then there they this to too up us very was we were what when where which
    why will with would you your yours regards dear hello
""".split())

#: the function words of each language: no evidence of mood or topic on their own
FUNCTION_WORDS: dict[str, frozenset[str]] = {"de": _DE, "en": _EN}


def detect(text: str) -> tuple[str, float]:
    """``(language, confidence)``: ``de`` or ``en``, confidence the winner's share of the evidence
    (0.5 when there is none; then English, the more common language of our shops' messages)."""
    words = _WORD.findall(text.lower())
    de = sum(w in _DE for w in words) + 2 * sum(ch in "äöüß" for ch in text.lower())
    en = sum(w in _EN for w in words)
    if de + en == 0:
        return "en", 0.5
    return ("de", de / (de + en)) if de > en else ("en", en / (de + en))


def supported(tag: str | None) -> str | None:
    """The primary subtag of a BCP 47 tag or locale if we support it ("de-AT" -> "de"), else None."""
    if not tag:
        return None
    primary = tag.split("-")[0].lower()
    return primary if primary in SUPPORTED else None


def resolve(text: str, lang: str | None) -> tuple[str, bool]:
    """``(language, detected)``: the given tag's language if supported, else detected from the text."""
    given = supported(lang)
    return (given, False) if given is not None else (detect(text)[0], True)
