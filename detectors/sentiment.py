"""The mood of one customer message: a lexicon cold start that learns a shop's own words online.

Features of a message (``features``): the lexicon's compound split into its positive and
negative part (``detectors.lexicon``), whether it asks, and its words and word pairs with the
scope of a negation marked ("not happy" -> ``w:not_happy``). The classifier is a one-vs-rest
logistic regression with a learning rate per weight (``detectors.ovr``, AdaGrad) whose weights
on the lexicon features start where the lexicon alone decides (``COLD_START``); the words
start at zero and learn from ``kind: "sentiment"`` feedback, so a shop's "at the neighbours again"
becomes negative after a few labels while the lexicon keeps deciding what was never labelled.

>>> m = SentimentModel()
>>> r = m.analyze("Thanks, the repair was quick and painless!", "en")
>>> r.label, r.score > 0.3, [w for w, _ in r.reasons]
('positive', True, ['thanks', 'quick', 'painless'])
>>> m.analyze("Wo finde ich meine Rechnung?", "de").label
'neutral'
>>> x = m.features("the parcel is at the neighbours again", "en")
>>> m.predict("the parcel is at the neighbours again", "en")[0]
'neutral'
>>> for _ in range(6):
...     m.learn_one(x, "negative")
>>> m.predict("my parcel is at the neighbours again", "en")[0]
'negative'
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from detectors.lexicon import LEXICONS, LexScore
from detectors.ovr import OneVsRestLogReg
from detectors.text import stem

LABELS = ("negative", "neutral", "positive")
#: the lexicon's decision as weights: positive above a compound of ~0.2, negative below ~-0.2
COLD_START: dict[str, tuple[dict[str, float], float]] = {
    "negative": ({"lex:neg": 7.0, "lex:pos": -7.0}, -1.4),
    "neutral": ({"lex:neg": -7.0, "lex:pos": -7.0, "lex:ask": 0.5}, 1.4),
    "positive": ({"lex:pos": 7.0, "lex:neg": -7.0}, -1.4),
}
#: AdaGrad's squared-gradient sums given to the cold-start weights: they move as if they had seen
#: this many unit gradients already (a few labels must not overturn the lexicon)
PRIOR_SUMS = 25.0
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?", re.UNICODE)
_NEGATIONS = frozenset("""
    not no never none nothing nobody without cannot cant dont didnt doesnt isnt wasnt wont
    nicht kein keine keinen keinem keiner keines nie niemals nichts ohne
""".split())
_SCOPE = 3  # words after a negation that it marks
#: greetings that open a message; the line or clause they start is the envelope, not the mood
_GREETING = re.compile(
    r"^\s*(?:hi|hey|hello|hallo|moin|servus|dear|good (?:morning|afternoon|evening)|to whom it may concern|"
    r"guten (?:morgen|tag|abend)|sehr geehrte|liebe[rs]?|grüß gott|hi there)\b[^\n,!.:]*[,!.:]?", re.IGNORECASE)
_ENVELOPE_WORDS = 6  # a first or last paragraph of at most this many words is greeting or sign-off


def body(text: str) -> str:
    """The message without its greeting and sign-off: "Dear team," and "Best, Anna" or "Kind
    regards" carry politeness, not the customer's mood.

    >>> body("Hi there,\\n\\nThe parcel never arrived.\\n\\nThanks, Sarah")
    'The parcel never arrived.'
    >>> body("hey, love the new app!")
    'love the new app!'
    """
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]
    if len(paragraphs) > 1 and len(paragraphs[0].split()) <= _ENVELOPE_WORDS and paragraphs[0][-1:] in ",:!":
        paragraphs = paragraphs[1:]
    if len(paragraphs) > 1 and len(paragraphs[-1].split()) <= _ENVELOPE_WORDS:
        paragraphs = paragraphs[:-1]
    rest = "\n\n".join(paragraphs)
    stripped = _GREETING.sub("", rest, count=1).lstrip(" ,!.:\n")
    return stripped if stripped else rest


@dataclass(slots=True)
class SentimentResult:
    """``score`` in -1..1 (P(positive) - P(negative)); ``reasons``: the words that decided it."""

    label: str
    score: float
    proba: dict[str, float]
    reasons: list[tuple[str, float]]


class SentimentModel:
    """``predict_proba_one`` / ``learn_one`` over ``features(text, lang)``; ``analyze`` for a message."""

    name = "sentiment-lex-ovr"

    def __init__(self, lr: float = 0.3, l2: float = 0.0) -> None:
        self.clf = OneVsRestLogReg(lr=lr, l2=l2, optimizer="adagrad")
        for label in LABELS:
            weights, intercept = COLD_START[label]
            self.clf.set_label(label, weights, intercept, {k: PRIOR_SUMS for k in weights})
        self.n_learned = 0

    @classmethod
    def features(cls, text: str, lang: str) -> dict[str, float]:
        """Features of a message (of its ``body``)."""
        text = body(text)
        return cls._features(text, LEXICONS.score(text, lang))

    @staticmethod
    def _features(text: str, lex: LexScore) -> dict[str, float]:
        """Features of a message body ``text`` whose lexicon score is ``lex``."""
        x: dict[str, float] = {"lex:pos": max(lex.compound, 0.0), "lex:neg": max(-lex.compound, 0.0),
                               "lex:ask": 1.0 if lex.questions else 0.0}
        words = [w.replace("’", "'") for w in _WORD.findall(text.lower())]
        if not words:
            return x
        scale = 1.0 / math.sqrt(len(words))
        marked, left = [], 0
        for w in words:
            if w.replace("'", "") in _NEGATIONS or w.endswith("n't"):
                left = _SCOPE
                marked.append("not")
                continue
            token = stem(w)
            marked.append("not_" + token if left else token)
            left = max(0, left - 1)
        for i, token in enumerate(marked):
            x["w:" + token] = scale
            if i:
                x["b:" + marked[i - 1] + "_" + token] = scale
        return x

    def predict_proba_one(self, x: dict[str, float]) -> dict[str, float]:
        return self.clf.predict_proba_one(x)

    def learn_one(self, x: dict[str, float], y: str, w: float = 1.0) -> None:
        if y not in LABELS:
            raise ValueError(f"sentiment label must be one of {LABELS}, not {y!r}")
        self.clf.learn_one(x, y, w)
        self.n_learned += 1

    def predict(self, text: str, lang: str) -> tuple[str, dict[str, float]]:
        p = self.predict_proba_one(self.features(text, lang))
        return max(p, key=p.get), p

    def analyze(self, text: str, lang: str) -> SentimentResult:
        text = body(text)
        lex = LEXICONS.score(text, lang)
        x = self._features(text, lex)
        p = self.predict_proba_one(x)
        label = max(p, key=p.get)
        score = p.get("positive", 0.0) - p.get("negative", 0.0)
        return SentimentResult(label, round(score, 4), p, self._reasons(x, label, lex))

    def _reasons(self, x: dict[str, float], label: str, lex: LexScore, k: int = 3) -> list[tuple[str, float]]:
        """The lexicon's words that pushed toward ``label`` and the learned words that did."""
        sign = {"positive": 1.0, "negative": -1.0}.get(label, 0.0)
        found: dict[str, float] = {}
        if sign:
            for word, v in lex.hits:
                if v * sign > 0:
                    found[word] = found.get(word, 0.0) + v * sign
        for feature, c in self.clf.contributions(x, label):
            if feature.startswith("w:") and c > 0.05:
                word = feature[2:].replace("not_", "not ")
                found[word] = found.get(word, 0.0) + c
        ranked = sorted(found.items(), key=lambda kv: -kv[1])[:k]
        return [(w, round(c, 3)) for w, c in ranked]

    # --- checkpoints ---------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        c = self.clf
        return {"name": self.name, "n_learned": self.n_learned, "lr": c.lr, "l2": c.l2,
                "labels": {lab: {"w": c.label_weights(lab), "b": c.intercept(lab), "g": c.label_sums(lab)}
                           for lab in c.labels}}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SentimentModel:
        m = cls(lr=data.get("lr", 0.3), l2=data.get("l2", 0.0))
        for label, d in data.get("labels", {}).items():
            m.clf.set_label(label, d["w"], d["b"], d.get("g"))
        m.n_learned = int(data.get("n_learned", 0))
        return m
