"""Customer messages and agent answers (``--profiles``), composed from phrase banks.

A bank is plain data: ``Lang`` (greetings, sign-offs, generic complaints, questions and praise,
negations, "but" clauses, sarcasm, call-note prefixes, ratings, emojis, agent phrases) per language
in ``texts_en``/``texts_de``, and ``Domain`` (what customers of one shop write about: complaints,
questions, praise, issues, agent actions, cancellation/return pages and searches) per shop and
language in ``domains_*``. Templates use ``[a|b|c]`` for alternatives (``[|x]``: optional) and
``{key}`` for the message's context (``{product}``, ``{order}``, ``{store}``, ``{very}`` ...;
``{Key}`` capitalizes). ``Composer`` turns (language, mood, medium) into a subject and a text with
the realism of real inboxes: typos, folded umlauts, emojis, star ratings, terse chats, call notes
in the third person, a clause of the other mood before "but"/"aber", and sarcasm.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field

from tools.simulate.profile import Profile
from tools.simulate.sessions import mistype

MOODS = ("negative", "neutral", "positive")
_ALT = re.compile(r"\[([^\[\]]*)\]")
_KEY = re.compile(r"\{(\w+)\}")


@dataclass(frozen=True)
class Domain:
    """What the customers of one shop write about, in one language."""

    lang: str
    order: str  # order-number pattern: '#' a digit, '@' a capital letter, anything else as is
    complaints: tuple[str, ...]  # first person, negative
    questions: tuple[str, ...]  # neutral
    statements: tuple[str, ...]  # neutral facts ("I ordered ... on Monday.")
    praise: tuple[str, ...]  # first person, positive
    issues: tuple[str, ...]  # neutral noun phrases (German: dative, after "zu"/"mit"/"wegen")
    goods: tuple[str, ...]  # positive noun phrases (German: accusative = nominative: no masculine)
    bads: tuple[str, ...]  # negative noun phrases (for sarcasm)
    leave: tuple[str, ...]  # what a leaving customer closes
    actions: tuple[str, ...]  # an agent's answer: what was done
    subjects: dict[str, tuple[str, ...]]  # mood -> email subjects of this trade
    cue_pages: tuple[tuple[str, str], ...]  # (path, title): cancellation, complaint, return, refund
    cue_queries: tuple[str, ...]
    extras: dict[str, tuple[str, ...]] = field(default_factory=dict)  # more placeholders
    orderw: str = ""  # what its "{order}" numbers are ("order", "Bestellung", "Auftrag"; default by language)


@dataclass(frozen=True)
class Lang:
    """The generic language of customers and agents (see ``texts_en`` for the fields' use)."""

    code: str
    greet: dict[str, tuple[str, ...]]
    sign: dict[str, tuple[str, ...]]
    very: tuple[str, ...]
    neg_extra: tuple[str, ...]
    neg_issue: tuple[str, ...]
    neg_negated: tuple[str, ...]
    neu_issue: tuple[str, ...]
    neu_extra: tuple[str, ...]
    pos_good: tuple[str, ...]
    pos_negated: tuple[str, ...]
    pos_extra: tuple[str, ...]
    lead_pos: tuple[str, ...]  # a positive clause before "but" in a negative message
    lead_neg: tuple[str, ...]  # a negative clause before "but" in a positive message
    but: str  # "{lead}, but {rest}"
    sarcasm: tuple[str, ...]
    leaving: tuple[str, ...]
    chat: dict[str, tuple[str, ...]]
    note_prefix: dict[str, tuple[str, ...]]  # mood -> call-note openers (third person)
    note: dict[str, tuple[str, ...]]
    ratings: dict[str, tuple[str, ...]]
    review_head: dict[str, tuple[str, ...]]
    review_neu: tuple[str, ...]
    tags: dict[str, tuple[str, ...]]
    emoji: dict[str, tuple[str, ...]]
    subjects: dict[str, tuple[str, ...]]
    form_prefix: tuple[str, ...]
    reply_greet: tuple[str, ...]
    reply_open: tuple[str, ...]
    reply_mood: dict[str, tuple[str, ...]]
    reply_generic: tuple[str, ...]
    reply_close: tuple[str, ...]
    reply_sign: tuple[str, ...]
    reply_call: tuple[str, ...]
    reply_review: tuple[str, ...]
    reply_social: tuple[str, ...]
    reply_chat: tuple[str, ...]
    re_prefix: str  # "Re: " / "AW: "
    re_default: str  # subject of an answer to a message without one
    names: tuple[tuple[str, bool], ...]  # (first name, female)
    agents: tuple[str, ...]
    lower_words: frozenset[str]  # first words that lose their capital after "but"
    when: tuple[str, ...]
    deadline: tuple[str, ...]


def expand(rng: random.Random, template: str, ctx: dict) -> str:
    """Fill ``[a|b]`` alternatives and ``{key}`` placeholders; ``KeyError`` names a missing key."""
    text = _ALT.sub(lambda m: rng.choice(m.group(1).split("|")), template)

    def value(m: re.Match) -> str:
        key = m.group(1)
        if key in ctx:
            return str(ctx[key])
        low = key[:1].lower() + key[1:]
        if low in ctx:
            return cap(str(ctx[low]))
        raise KeyError(f"placeholder {{{key}}} in {template!r}")

    text = _KEY.sub(value, text)
    return re.sub(r"  +", " ", text).replace(" ,", ",").replace(" .", ".").strip()


def cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def order_no(rng: random.Random, pattern: str) -> str:
    return "".join(str(rng.randrange(10)) if ch == "#" else chr(65 + rng.randrange(26)) if ch == "@" else ch
                   for ch in pattern)


def money(value: float, currency: str, lang: str) -> str:
    """``$1,099`` / ``£79`` / ``89,99 €`` / ``€89.99``: as customers of that shop write an amount."""
    whole = float(value).is_integer()
    num = f"{value:,.0f}" if whole else f"{value:,.2f}"
    if currency == "EUR":
        return num.replace(",", "X").replace(".", ",").replace("X", ".") + " €" if lang == "de" else "€" + num
    return {"GBP": "£", "USD": "$", "AUD": "$"}.get(currency, currency + " ") + num


def first_name(rng: random.Random, lang: str) -> tuple[str, bool]:
    return rng.choice(get_lang(lang).names)


def domains_of(profile: Profile) -> dict[str, Domain]:
    """The shop's domain per language it is written in (a shop without one: a generic retail domain)."""
    from tools.simulate.domains_de import DOMAINS as DE
    from tools.simulate.domains_en import DOMAINS as EN
    from tools.simulate.domains_en2 import DOMAINS as EN2

    known: dict[str, dict[str, Domain]] = {}
    for table in (EN, EN2, DE):
        for shop, by_lang in table.items():
            known.setdefault(shop, {}).update(by_lang)
    if profile.name in known:
        return dict(sorted(known[profile.name].items()))
    langs = sorted({loc.split("-")[0] for loc, w in profile.locales if w >= 0.2} & {"de", "en"}) or ["en"]
    return {lang: known["_generic"][lang] for lang in langs}


def _langs() -> dict[str, Lang]:
    from tools.simulate.texts_de import LANG as DE
    from tools.simulate.texts_en import LANG as EN

    return {"en": EN, "de": DE}


LANGS: dict[str, Lang] = {}


def get_lang(code: str) -> Lang:
    """The phrase bank of ``code`` (``en``/``de``), loaded on first use."""
    if not LANGS:
        LANGS.update(_langs())
    return LANGS[code]


class Composer:
    """Subjects and texts of one shop's contacts; all draws from the generator given."""

    def __init__(self, rng: random.Random, profile: Profile) -> None:
        get_lang("en")
        self.rng = rng
        self.p = profile
        self.domains = domains_of(profile)

    def context(self, lang: str, base: dict) -> dict:
        """The placeholders of one message: ``base`` (product, store, name ...) plus random ones."""
        rng, L, D = self.rng, LANGS[lang], self.domains[lang]
        ctx = {"very": rng.choice(L.very) if rng.random() < 0.6 else "", "days": rng.randint(2, 14),
               "weeks": rng.randint(2, 6), "mins": rng.randint(20, 95), "when": rng.choice(L.when),
               "deadline": rng.choice(L.deadline), "ref": order_no(rng, "CS-#######"),
               "cust": order_no(rng, "#########"), "order": order_no(rng, D.order),
               "amount2": money(rng.choice((12, 15, 20, 25, 30, 40, 50, 75, 90, 120)), self.p.currency, lang)}
        ctx.update(base)
        ctx["orderw"] = D.orderw or {"en": "order", "de": "Bestellung"}[lang]
        ctx.update({k: rng.choice(v) for k, v in D.extras.items()})
        for key in ("issue", "good", "bad", "leave"):
            ctx[key] = expand(rng, rng.choice(getattr(D, key + "s" if key != "leave" else key)), ctx)
        return ctx

    # ----------------------------------------------------------------- inbound
    def core(self, lang: str, mood: str, ctx: dict, sarcastic: bool = False, leaving: bool = False) -> list[str]:
        """One to three sentences of one mood (the body of any medium)."""
        rng, L, D = self.rng, LANGS[lang], self.domains[lang]
        r = rng.random()
        x = lambda pool: expand(rng, rng.choice(pool), ctx)
        if sarcastic:
            out = [x(L.sarcasm)]
        elif mood == "negative":
            if r < 0.5:
                out = [x(D.complaints)]
            elif r < 0.68:
                out = [x(L.neg_issue)]
            elif r < 0.82:
                out = [x(L.neg_negated)]
            else:
                out = [L.but.format(lead=cap(x(L.lead_pos)), rest=self._decap(L, x(D.complaints)))]
            if rng.random() < 0.5:
                out.append(x(L.neg_extra))
            if leaving:
                out.append(x(L.leaving))
        elif mood == "neutral":
            if r < 0.5:
                out = [x(D.questions)]
            elif r < 0.72:
                out = [x(L.neu_issue)]
            else:
                out = [x(D.statements), x(D.questions if rng.random() < 0.7 else L.neu_issue)]
            if rng.random() < 0.35:
                out.append(x(L.neu_extra))
        else:
            if r < 0.48:
                out = [x(D.praise)]
            elif r < 0.66:
                out = [x(L.pos_good)]
            elif r < 0.8:
                out = [x(L.pos_negated)]
            else:
                out = [L.but.format(lead=cap(x(L.lead_neg)), rest=self._decap(L, x(D.praise)))]
            if rng.random() < 0.45:
                out.append(x(L.pos_extra))
        return [cap(s) for s in out]

    @staticmethod
    def _decap(L: Lang, sentence: str) -> str:
        first = sentence.split(" ", 1)[0]
        return sentence[:1].lower() + sentence[1:] if first in L.lower_words else sentence

    def inbound(self, lang: str, mood: str, medium: str, ctx: dict, sarcastic: bool = False,
                leaving: bool = False) -> tuple[str | None, str]:
        """``(subject or None, text)`` of a customer's message (a call: the agent's note)."""
        rng, L = self.rng, LANGS[lang]
        body = self.core(lang, mood, ctx, sarcastic, leaving)
        emo = "negative" if sarcastic else mood
        subject = None
        if medium == "email":
            text = " ".join(body)
            if rng.random() < 0.72:
                text = expand(rng, rng.choice(L.greet[emo]), ctx) + "\n\n" + text
            if rng.random() < 0.66:
                text += "\n\n" + expand(rng, rng.choice(L.sign[emo]), ctx)
            if rng.random() < 0.85:
                pool = L.subjects[emo] + self.domains[lang].subjects[emo]
                subject = expand(rng, rng.choice(pool), ctx)
        elif medium == "chat":
            text = body[0] if rng.random() < 0.6 or sarcastic else expand(rng, rng.choice(L.chat[mood]), ctx)
            if rng.random() < 0.35:
                text = text[:1].lower() + text[1:] if lang == "en" else text.lower()
            if rng.random() < 0.5 and text.endswith("."):
                text = text[:-1]
        elif medium == "call":
            text = self._note(lang, mood, ctx) if not sarcastic else \
                expand(rng, rng.choice(L.note_prefix["negative"]), ctx) + " " + body[0]
            return None, self._typos(lang, text, 0.08)
        elif medium == "review":
            stars = rng.choice(L.ratings[emo])
            if mood == "neutral":  # a review states, it does not ask
                body = [expand(rng, rng.choice(L.review_neu), ctx)]
                if rng.random() < 0.5:
                    body.append(expand(rng, rng.choice(self.domains[lang].statements), ctx))
            text = " ".join(body)
            if rng.random() < 0.3:
                text = expand(rng, rng.choice(L.review_head[emo]), ctx) + ". " + text
            text = f"{stars} - {text}" if rng.random() < 0.55 else f"{text} {stars}"
        elif medium == "social":
            text = f"@{ctx['shop_handle']} " + " ".join(body[:2])
            if rng.random() < 0.55:
                text += " " + rng.choice(L.tags[emo])
        else:  # form
            text = " ".join(body)
            if rng.random() < 0.55:
                text = expand(rng, rng.choice(L.form_prefix), ctx) + " " + text
        text = self._typos(lang, text, 0.2)
        if medium in ("chat", "social", "review", "email") and rng.random() < \
                {"chat": 0.3, "social": 0.4, "review": 0.15, "email": 0.06}[medium]:
            text = text.rstrip(".") + " " + rng.choice(L.emoji[emo]) if not text.endswith(("?", "!")) \
                else text + " " + rng.choice(L.emoji[emo])
        return subject, text

    def _note(self, lang: str, mood: str, ctx: dict) -> str:
        """The agent's note of a call: third person, so "my order" becomes "her order"."""
        rng, L = self.rng, LANGS[lang]
        female = ctx.get("er") == "sie" if lang == "de" else ctx.get("kunde") == "Kundin"
        third = {k: _third_person(lang, ctx[k], female) for k in ("issue", "good")}
        return expand(rng, rng.choice(L.note_prefix[mood]) + " " + rng.choice(L.note[mood]), {**ctx, **third})

    def _typos(self, lang: str, text: str, share: float) -> str:
        rng = self.rng
        if lang == "de" and rng.random() < 0.14:
            table = _FOLD if rng.random() < 0.8 else _STRIP
            text = text.translate(table)
        if rng.random() >= share:
            return text
        for _ in range(1 if rng.random() < 0.8 else 2):
            text = _typo(rng, text)
        return text

    # ----------------------------------------------------------------- outbound
    def outbound(self, lang: str, medium: str, ctx: dict, mood: str, subject: str | None) -> tuple[str | None, str]:
        """An agent's polite answer to an inbound message of ``mood`` (same language)."""
        rng, L, D = self.rng, LANGS[lang], self.domains[lang]
        x = lambda pool: expand(rng, rng.choice(pool), ctx)
        action = x(D.actions) if rng.random() < 0.75 else x(L.reply_generic)
        feel = x(L.reply_mood[mood])
        if medium in ("email", "form"):
            parts = [x(L.reply_open), feel, action]
            if rng.random() < 0.6:
                parts.append(x(L.reply_close))
            text = x(L.reply_greet) + "\n\n" + " ".join(parts) + "\n\n" + x(L.reply_sign)
            re_subject = L.re_prefix + (subject or L.re_default)
            return (re_subject if subject or rng.random() < 0.7 else None), text
        if medium == "chat":
            return None, x(L.reply_chat) + " " + feel + " " + action
        if medium == "call":
            return None, x(L.reply_call) + " " + feel + " " + action
        if medium == "review":
            return None, x(L.reply_review) + " " + feel + " " + action
        return None, x(L.reply_social) + " " + feel


_FOLD = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue"})
_STRIP = str.maketrans({"ä": "a", "ö": "o", "ü": "u", "ß": "s", "Ä": "A", "Ö": "O", "Ü": "U"})
_WORDY = re.compile(r"^[A-Za-zÄÖÜäöüß]{4,}$")


def _third_person(lang: str, text: str, female: bool) -> str:
    if lang == "de":
        stem = "ihr" if female else "sein"
        return re.sub(r"\b([Mm])ein(e|em|en|er|es)?\b", lambda m: stem + (m.group(2) or ""), text)
    return re.sub(r"\bmy\b", "her" if female else "his", text)


def _typo(rng: random.Random, text: str) -> str:
    """Swap two letters, drop one or double one in one word of four letters or more."""
    return mistype(rng, text, lambda words: [i for i, w in enumerate(words) if _WORDY.match(w)], 0.45, 0.75)
