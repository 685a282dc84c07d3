"""The mood of a message from word lists: the cold start of the sentiment model, German and English.

English starts from VADER's lexicon (the ``vaderSentiment`` package ships it, MIT license) with
its negations and boosters, plus ``lexicons/en_domain.tsv``: customer-service words VADER lacks
("still waiting", "charged twice") or rates for other text kinds. German has its own lexicon
(``lexicons/de.tsv``, ``lexicons/de_rules.tsv``), written for this project (Apache-2.0; see the
files' headers). Both run the same rules, VADER's in spirit: phrases of up to three words before
single words, a negation within the three words before flips and damps a word (German also
"gefällt mir nicht": a negation right after it in the clause), boosters and dampeners before it
scale it, a contrast ("but", "aber") halves what came before and weighs what follows 1.5 times,
exclamation marks amplify, emojis count by ``lexicons/emoji.tsv`` or the words of their names.
A rating ("2/5", "3 von 5 Sternen", "★★★★☆") is the customer's own verdict: it weighs twice a
word and damps the words beside it. Irony markers (``lexicons/sarcasm.tsv``: "na toll", 🙄 alone;
"again", applause beside blame) turn praise into blame. German words may carry one typo (two
letters swapped, one doubled or missing, umlauts typed as "ae" or "a"). The sum is squashed to
-1..1 as VADER's ``compound``.

>>> LEXICONS.score("The delivery was not bad at all, thanks!", "en").compound > 0.3
True
>>> s = LEXICONS.score("Ich bin mit der Lieferung überhaupt nicht zufrieden.", "de")
>>> s.compound < -0.3, [w for w, _ in s.hits]
(True, ['zufrieden'])
>>> LEXICONS.score("Tolles Sofa, aber die Lieferung kam drei Wochen zu spät.", "de").compound < 0
True
>>> [w for w, _ in LEXICONS.score("Oh great, the parcel is lost again. 2/5", "en").hits]
['great (irony)', 'lost', '2/5']
>>> LEXICONS.score("Da kann man nciht meckern", "de").compound > 0
True
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from detectors.language import FUNCTION_WORDS

HERE = Path(__file__).parent / "lexicons"
#: VADER's constants: booster step, negation factor, the squash's alpha
BOOST = 0.293
NEGATION_SCALAR = -0.74
ALPHA = 15.0
CONTRAST_BEFORE = 0.5
#: a star rating as a word's valence, interpolated between whole stars: four stars is mild praise
#: ("ok, nothing special" is often rated 4), one star as strong as "terrible"
STAR_VALENCE = (-3.0, -2.0, 0.0, 0.9, 2.5)
#: German inflection: tried in this order when a word is not in the lexicon as written
_DE_ENDINGS = ("en", "em", "er", "es", "e", "n", "s")
#: a rating: "4/5", "8/10", "3 von 5", "2 out of 5", "1 star", "5 Sterne", "★★☆☆☆"
_RATING = (r"\d{1,2}(?:[.,]5)?\s*(?:/|out of|of|von|aus)\s*(?:5|10)\b"
           r"|\d(?:[.,]5)?\s*-?\s*(?:stars?|sterne?n?)\b|[★☆]+")
_RATING_PARTS = re.compile(r"(\d{1,2}(?:[.,]5)?)\s*(?:(?:/|out of|of|von|aus)\s*(5|10))?")
_TOKEN = re.compile(_RATING + r"|[^\W\d_]+(?:['’][^\W\d_]+)?|[!?]|[^\w\s]", re.UNICODE)
#: a rating is the customer's own verdict: it weighs this much more than a word, and the words
#: beside it count this much (a neutral rating, three of five, damps them most)
RATING_WEIGHT = 2.0
RATING_OTHERS = 0.5
RATING_NEUTRAL_OTHERS = 0.25
#: irony turns praise into blame, a little weaker than plain blame
IRONY = -0.8
_FUZZY_MIN = 4  # typo-tolerant lookup for words of at least this many letters
_MISSING_MIN = 6  # a letter missing is assumed in words of at least this many letters
_UMLAUTS = {"a": "ä", "o": "ö", "u": "ü"}
_CLAUSE_END = frozenset(".;\n")
_SENTENCE_END = frozenset(".!?;\n")


@dataclass(slots=True)
class LexScore:
    """``compound`` in -1..1; ``hits``: each word or phrase that counted, with its final valence."""

    compound: float
    positive: float = 0.0
    negative: float = 0.0
    hits: list[tuple[str, float]] = field(default_factory=list)
    questions: int = 0


@dataclass(slots=True)
class Language:
    """One language's word lists (valences -4..4 as VADER's)."""

    words: dict[str, float]
    negations: frozenset[str]
    boosters: dict[str, float]
    contrasts: dict[str, float]
    inflected: bool = False  # try German endings
    negation_after: bool = False  # "gefällt mir nicht"
    longest: int = 3
    #: tolerate one typo: German (typed without umlauts, long words); measured worse for English,
    #: whose real words are too often one letter from a scored one ("hearth", "grin")
    typos: bool = False
    irony: tuple[tuple[str, bool], ...] = ()  # (marker, strong)
    function_words: frozenset[str] = frozenset()
    _typos: dict[str, float | None] = field(default_factory=dict)  # lookups of words one typo away
    _negation_typos: dict[str, bool] = field(default_factory=dict)
    _deletes: dict[str, str] | None = None
    phrase_starts: frozenset[str] = field(init=False, default=frozenset())

    def __post_init__(self) -> None:
        # first words of the phrases: only there is a phrase looked up
        self.phrase_starts = frozenset(w.split(" ", 1)[0] for w in self.words if " " in w)

    def lookup(self, word: str) -> float | None:
        """The valence of a word as written, inflected (German) or with one typo."""
        v = self._exact(word)
        if v is None and self.typos and len(word) >= _FUZZY_MIN and word not in self.function_words and word.isalpha():
            if word not in self._typos:
                self._typos[word] = self._near(word, self._exact)
            v = self._typos[word]
        return v

    def is_negation(self, word: str) -> bool:
        if word in self.negations or word.endswith("n't") or word.endswith("n’t"):
            return True
        if not (self.typos and len(word) >= _FUZZY_MIN and word not in self.function_words and word.isalpha()):
            return False
        if word not in self._negation_typos:
            self._negation_typos[word] = self._near(word, lambda w: True if w in self.negations else None) is not None
        return self._negation_typos[word]

    def _exact(self, word: str) -> float | None:
        v = self.words.get(word)
        if v is None and self.inflected and len(word) > 4:
            for ending in _DE_ENDINGS:
                if word.endswith(ending):
                    v = self.words.get(word[: -len(ending)])
                    if v is not None:
                        break
        return v

    def _near(self, word: str, known):
        """``known`` of the first word one typo away: two letters swapped, one letter doubled or
        missing, an umlaut folded (German "spat" for "spät", "zufriden" for "zufrieden")."""
        for cand in _typo_candidates(word, self.inflected):
            v = known(cand)
            if v is not None:
                return v
        if self._deletes is None:
            self._deletes = {}
            for w in [*self.words, *self.negations]:
                if w.isalpha() and (len(w) >= _MISSING_MIN + 1 or w in self.negations):
                    for j in range(1, len(w)):
                        self._deletes.setdefault(w[:j] + w[j + 1:], w)
        # one letter missing: only in longer words (a short real word is too often a scored word
        # minus a letter: "read" of "dread") and in negations ("nver")
        full = self._deletes.get(word)
        if full is not None and (len(word) >= _MISSING_MIN or full in self.negations):
            return known(full)
        return None


def _typo_candidates(word: str, umlauts: bool):
    n = len(word)
    for j in range(1, n - 1):  # swapped neighbours (not the first letter: "form" is no typo of "from")
        yield word[:j] + word[j + 1] + word[j] + word[j + 2:]
    for j in range(2, n):  # a letter doubled ("terriible"); a stray one is too often a real word ("hearth")
        if word[j] == word[j - 1]:
            yield word[:j] + word[j + 1:]
    if umlauts:
        for folded, umlaut in (("ae", "ä"), ("oe", "ö"), ("ue", "ü"), ("ss", "ß")):
            if folded in word:
                yield word.replace(folded, umlaut)
        for j, ch in enumerate(word):
            if ch in _UMLAUTS:
                yield word[:j] + _UMLAUTS[ch] + word[j + 1:]


def _read_tsv(path: Path, columns: int) -> list[list[str]]:
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) != columns:
            raise ValueError(f"{path.name}:{number}: expected {columns} tab-separated fields")
        rows.append([p.strip() for p in parts])
    return rows


def _words(path: Path) -> dict[str, float]:
    return {w.lower(): float(v) for w, v in _read_tsv(path, 2)}


def _rules(path: Path) -> tuple[frozenset[str], dict[str, float], dict[str, float]]:
    neg, boost, contrast = set(), {}, {}
    for kind, word, value in _read_tsv(path, 3):
        if kind == "negation":
            neg.add(word.lower())
        elif kind == "booster":
            boost[word.lower()] = float(value)
        elif kind == "contrast":
            contrast[word.lower()] = float(value)
        else:
            raise ValueError(f"{path.name}: unknown rule kind {kind!r}")
    return frozenset(neg), boost, contrast


def _irony_markers(path: Path) -> dict[str, tuple[tuple[str, bool], ...]]:
    out: dict[str, list[tuple[str, bool]]] = {"en": [], "de": []}
    for lang, strength, marker in _read_tsv(path, 3):
        if strength not in ("strong", "weak") or lang not in ("en", "de", "*"):
            raise ValueError(f"{path.name}: bad irony marker line {lang!r} {strength!r} {marker!r}")
        for key in (("en", "de") if lang == "*" else (lang,)):
            out[key].append((marker.lower(), strength == "strong"))
    return {k: tuple(v) for k, v in out.items()}


class Lexicons:
    """Loaded on first use (VADER's lexicon takes ~50 ms); one shared instance, ``LEXICONS``."""

    @cached_property
    def _vader(self):
        from vaderSentiment import vaderSentiment

        return vaderSentiment, vaderSentiment.SentimentIntensityAnalyzer()

    @cached_property
    def languages(self) -> dict[str, Language]:
        vader, analyzer = self._vader
        en_words = {**analyzer.lexicon, **{k: float(v) for k, v in vader.SENTIMENT_LADEN_IDIOMS.items()},
                    **_words(HERE / "en_domain.tsv")}
        irony = _irony_markers(HERE / "sarcasm.tsv")
        en = Language(en_words, frozenset(w.replace("'", "’") for w in vader.NEGATE) | frozenset(vader.NEGATE),
                      {k.lower(): v for k, v in vader.BOOSTER_DICT.items()},
                      {"but": 1.5, "however": 1.5, "although": 1.5, "though": 1.5},
                      irony=irony["en"], function_words=FUNCTION_WORDS["en"])
        neg, boost, contrast = _rules(HERE / "de_rules.tsv")
        de = Language(_words(HERE / "de.tsv"), neg, boost, contrast, inflected=True, negation_after=True, typos=True,
                      irony=irony["de"], function_words=FUNCTION_WORDS["de"])
        return {"en": en, "de": de}

    @cached_property
    def emojis(self) -> dict[str, float]:
        """An emoji's valence: ``lexicons/emoji.tsv``, else the sum of its name's words in VADER's lexicon."""
        _, analyzer = self._vader
        words = analyzer.lexicon
        named = {e: v for e, name in analyzer.emojis.items()
                 if (v := sum(words.get(w, 0.0) for w in name.lower().split()))}
        return {**named, **{e.replace("\ufe0f", ""): float(v) for e, v in _read_tsv(HERE / "emoji.tsv", 2)}}

    def score(self, text: str, lang: str) -> LexScore:
        language = self.languages.get(lang) or self.languages["en"]
        return _score(text, language, self.emojis)


def _score(text: str, lang: Language, emojis: dict[str, float]) -> LexScore:
    tokens = _TOKEN.findall(text.lower())
    hits: list[tuple[str, float, bool]] = []  # (phrase, valence, is a rating)
    emphasis = 0.0
    questions = tokens.count("?")
    sentence: list[tuple[str, float, bool]] = []  # the current sentence's hits, before contrast weighting
    i, n = 0, len(tokens)
    start = 0  # first token of the current clause (negation and boosters do not cross it)
    contrast_at = -1  # index in ``sentence`` where the last contrast began
    contrast_weight = 1.0

    def end_sentence() -> None:
        nonlocal sentence, contrast_at, contrast_weight
        for j, (w, v, rating) in enumerate(sentence):
            if contrast_at >= 0 and not rating:
                v *= CONTRAST_BEFORE if j < contrast_at else contrast_weight
            hits.append((w, v, rating))
        sentence, contrast_at, contrast_weight = [], -1, 1.0

    while i < n:
        tok = tokens[i]
        if tok in _SENTENCE_END or tok == "!":
            if tok == "!":
                emphasis += 1
            end_sentence()
            start = i + 1
            i += 1
            continue
        if tok == ",":
            start = i + 1
        if tok in lang.contrasts:
            contrast_at, contrast_weight = len(sentence), lang.contrasts[tok]
            start = i + 1
            i += 1
            continue
        stars = _stars(tok)
        if stars is not None:
            sentence.append((tok, _star_valence(stars), True))
            i += 1
            continue
        if tok in emojis:
            sentence.append((tok, emojis[tok], False))
            i += 1
            continue
        phrase, valence, size = _match(tokens, i, lang)
        if valence is None or valence == 0.0 or (
                tok in lang.boosters and i + 1 < n and _match(tokens, i + 1, lang)[1]):
            i += size if valence == 0.0 else 1  # a neutral phrase ("kind regards") is skipped whole;
            continue  # a booster before a scored word boosts it, it does not count itself
        valence = _modify(tokens, i, size, start, valence, lang)
        sentence.append((phrase, valence, False))
        i += size
    end_sentence()
    hits = _irony(tokens, hits, lang)
    ratings = [v for _, v, rating in hits if rating]
    if ratings:  # the customer's own verdict weighs most; a neutral one damps the words most
        others = RATING_OTHERS if any(ratings) else RATING_NEUTRAL_OTHERS
        hits = [(w, v * (RATING_WEIGHT if rating else others), rating) for w, v, rating in hits]
    total = sum(v for _, v, _ in hits)
    if total:
        total += math.copysign(min(emphasis, 4) * 0.292, total)
    pos = sum(v for _, v, _ in hits if v > 0)
    neg = -sum(v for _, v, _ in hits if v < 0)
    compound = total / math.sqrt(total * total + ALPHA) if total else 0.0
    return LexScore(compound, pos, neg, [(w, round(v, 3)) for w, v, _ in hits if v], questions)


def _irony(tokens: list[str], hits: list[tuple[str, float, bool]], lang: Language) -> list[tuple[str, float, bool]]:
    """Praise turned into blame where an irony marker says so: a strong one ("na toll", 🙄) alone,
    a weak one ("again", applause) only beside blame in the same message."""
    if not lang.irony or not any(v > 0 for _, v, _ in hits):
        return hits
    words = " " + " ".join(t for t in tokens if t not in (",", ".", ":", ";", "-", "'", '"')) + " "
    strong = any(f" {m} " in words for m, is_strong in lang.irony if is_strong)
    if not strong and not (any(v < 0 for _, v, _ in hits)
                           and any(f" {m} " in words for m, is_strong in lang.irony if not is_strong)):
        return hits
    return [(f"{w} (irony)", IRONY * v, r) if v > 0 else (w, v, r) for w, v, r in hits]


def _stars(tok: str) -> float | None:
    """Stars of five in a rating token, ``None`` for any other token."""
    if "★" in tok or "☆" in tok:
        return float(tok.count("★")) if len(tok) == 5 else None
    if not tok[:1].isdigit():
        return None
    m = _RATING_PARTS.match(tok)
    value, scale = float(m.group(1).replace(",", ".")), float(m.group(2) or 5)
    return value * 5.0 / scale if 0 < value <= scale else None


def _star_valence(stars: float) -> float:
    stars = min(5.0, max(1.0, stars))
    low = int(stars) if stars < 5 else 4
    return STAR_VALENCE[low - 1] + (stars - low) * (STAR_VALENCE[min(low, 4)] - STAR_VALENCE[low - 1])


def _match(tokens: list[str], i: int, lang: Language) -> tuple[str, float | None, int]:
    """The longest phrase starting at ``i`` that the lexicon knows."""
    if tokens[i] not in lang.phrase_starts:
        return tokens[i], lang.lookup(tokens[i]), 1
    for size in range(min(lang.longest, len(tokens) - i), 1, -1):
        phrase = " ".join(tokens[i:i + size])
        v = lang.words.get(phrase)
        if v is not None:
            return phrase, v, size
    return tokens[i], lang.lookup(tokens[i]), 1


def _modify(tokens: list[str], i: int, size: int, start: int, valence: float, lang: Language) -> float:
    """Boosters and negations in the three words before (and, German, a negation right after)."""
    negated = False
    for back, j in enumerate(range(i - 1, max(start, i - 3) - 1, -1)):
        word = tokens[j]
        boost = lang.boosters.get(word)
        if boost is not None:
            valence += math.copysign(boost * (1.0 - 0.05 * back), valence)
        if lang.is_negation(word):
            negated = not negated
    if lang.negation_after and not negated:
        for j in range(i + size, min(len(tokens), i + size + 3)):
            word = tokens[j]
            if word in _CLAUSE_END or word in (",", "!", "?") or lang.lookup(word):
                break
            if lang.is_negation(word):
                negated = True
                break
    return valence * NEGATION_SCALAR if negated else valence


LEXICONS = Lexicons()
