"""Text normalization for English and German: queries, URL paths, titles.

Lower-case, fold umlauts and ß, split URL slugs and compounds on separators,
and strip a light set of suffixes so that "reviews", "review", "Bewertungen"
and "bewertung" meet.
"""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import urlsplit

_FOLD = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "é": "e", "è": "e", "á": "a", "à": "a"})
_SPLIT = re.compile(r"[^a-z0-9]+")
# camelCase and letter/digit boundaries in slugs ("XPS13", "storeLocator")
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Za-z])(?=[0-9])|(?<=[0-9])(?=[A-Za-z])")
# longest first; a suffix is stripped only if the stem keeps >= 4 characters
_SUFFIXES = ("ungen", "ings", "ing", "ies", "ern", "en", "er", "es", "ed", "s", "e")
_STOP = frozenset(
    "a an the and or of for to in on at is it my me i with by from de der die das den dem ein eine "
    "und oder fuer mit von zu im am ist ich mein meine www http https com html htm php index".split()
)


def stem(token: str) -> str:
    """A light suffix stripper for English and German.

    >>> [stem(t) for t in ["reviews", "bewertungen", "opening", "stores", "kaufen", "tv"]]
    ['review', 'bewert', 'open', 'stor', 'kauf', 'tv']
    """
    if len(token) <= 4 or token.isdigit():
        return token
    for suffix in _SUFFIXES:
        if token.endswith(suffix) and len(token) - len(suffix) >= 4:
            return token[: -len(suffix)]
    return token


@lru_cache(maxsize=65536)
def tokens(text: str) -> tuple[str, ...]:
    """Normalized, stemmed tokens of free text (cached: queries and titles repeat).

    >>> tokens("Öffnungszeiten Filiale München")
    ('oeffnungszeit', 'filial', 'muench')
    >>> tokens("How to set up the XPS13?")
    ('how', 'set', 'up', 'xps', '13')
    """
    text = _CAMEL.sub(" ", text).lower().translate(_FOLD)
    return tuple(stem(t) for t in _SPLIT.split(text) if t and t not in _STOP)


@lru_cache(maxsize=65536)
def url_tokens(url: str) -> tuple[str, ...]:
    """Tokens of a URL's path and query keys, whatever the site's scheme.

    >>> url_tokens("https://shop.example/de/filialen/muenchen-pasing?ref=nav")
    ('filial', 'muench', 'pasing', 'ref', 'nav')
    """
    try:
        parts = urlsplit(url)
        text = f"{parts.path} {parts.query}"
    except ValueError:
        text = url
    return tuple(t for t in tokens(text) if not (len(t) <= 2 and t in {"de", "en", "us", "uk", "at", "ch"}))
