"""Signs of a strained relationship in clicks and searches: cancellation, complaint, return, refund.

A cue is a word of the page's URL or title or of a search query, in German or English, stemmed
(``detectors.text``) and matched with one typo allowed for words of six letters or more
("comlpaint", "cancel accuont" are still cues).

>>> cue_of_text("how to cancel my account")
'cancel'
>>> cue_of_text("Rücksendeetikett drucken"), cue_of_text("comlpaint techhub")
('return', 'complaint')
>>> cue_of_url("https://shop.example/account/refund-status"), cue_of_url("/account/close")
('refund', 'cancel')
>>> cue_of_text("Close your account"), cue_of_text("returnal the game"), cue_of_text("akku bohrer")
('cancel', None, None)
"""

from __future__ import annotations

from functools import lru_cache

from detectors.text import tokens, url_tokens

KINDS = ("cancel", "complaint", "return", "refund")
#: stems (``detectors.text.stem`` of the folded word) and word prefixes per kind
_STEMS = {
    "cancel": ("cancel", "cancellation", "unsubscrib", "kuendig", "kuendigung", "storno", "stornier",
               "vertragsend", "abmeld", "clos account", "delet account", "konto loesch", "konto schliess"),
    "complaint": ("complaint", "complain", "warranty claim", "beschwerd", "beschwer", "reklamation",
                  "reklamier", "maengel", "schlichtung", "ombudsman", "dispute"),
    "return": ("return", "retour", "retoure", "ruecksend", "rueckgab", "umtausch", "zurueckschick",
               "send back", "return label", "ruecksendeetikett"),
    "refund": ("refund", "chargeback", "money back", "erstatt", "rueckerstatt", "rueckbuch", "geld zurueck",
               "gutschrift"),
}
_SINGLE = {s: kind for kind, stems in _STEMS.items() for s in stems if " " not in s}
_PAIRS = {s: kind for kind, stems in _STEMS.items() for s in stems if " " in s}


def _near(token: str, stem: str) -> bool:
    """``token`` starts with ``stem`` up to one deleted, inserted, swapped or changed letter."""
    if token.startswith(stem):
        return len(token) - len(stem) <= 8  # a longer word built on the stem (rücksendeetikett)
    if len(stem) < 6:
        return False
    head = token[: len(stem) + 1]
    for a in range(len(stem)):
        if head[:a] != stem[:a]:
            break
        rest_t, rest_s = head[a:], stem[a:]
        if (rest_t[1:len(rest_s)] == rest_s[1:]  # one changed letter
                or rest_t[:len(rest_s) - 1] == rest_s[1:]  # one dropped
                or rest_t[1:len(rest_s) + 1] == rest_s  # one inserted
                or (len(rest_s) > 1 and rest_t[:2] == rest_s[1::-1] and rest_t[2:len(rest_s)] == rest_s[2:])):
            return True
    return False


def _kind(words: tuple[str, ...]) -> str | None:
    for i, a in enumerate(words):  # two words within three, either order ("account/close")
        for b in words[i + 1:i + 3]:
            kind = _PAIRS.get(f"{a} {b}") or _PAIRS.get(f"{b} {a}")
            if kind is not None:
                return kind
    for word in words:
        if word in ("returnal",):
            continue
        for stem, kind in _SINGLE.items():
            if _near(word, stem):
                return kind
    return None


@lru_cache(maxsize=16384)
def cue_of_text(text: str) -> str | None:
    """The cue kind a query or title names, if any."""
    return _kind(tokens(text))


@lru_cache(maxsize=16384)
def cue_of_url(url: str) -> str | None:
    return _kind(url_tokens(url))


def cue_of(url: str | None = None, title: str | None = None, query: str | None = None) -> str | None:
    """The cue of a click (URL, title) or a search (query)."""
    for text in (query, title):
        if text:
            kind = cue_of_text(text)
            if kind is not None:
                return kind
    return cue_of_url(url) if url else None
