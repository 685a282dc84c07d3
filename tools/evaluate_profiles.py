"""Score the customer profiles of a replay against a scenario's profile truth.

A scenario with profile truth (the shared ``electronics-en-profiles`` sample, or ``micromoments
simulate --profiles``) has ``users.jsonl`` and ``contacts_truth.jsonl`` beside ``events.jsonl``.
The replay runs the worker's engine; every analysed inbound message is taken as the worker
analysed it on arrival (before any later label), the profile of a user is the last record on
the ``profiles`` topic. Beside our sentiment model a naive Bayes (River's ``MultinomialNB``
over ``BagOfWords``, words and word pairs) learns from the same sentiment feedback in stream
order and predicts each message on arrival, as the baseline the issue asks to beat.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from detectors.scoring import f1_scores
from pipeline.core import Core
from pipeline.replay import Replayer
from schemas.profiles import AnalysedContact
from schemas.topics import PROFILES_TOPIC

LABELS = ("negative", "neutral", "positive")
LEVELS = ("green", "amber", "red")


@dataclass
class ProfileScores:
    scenario: str
    contacts: int
    sentiment_f1: float
    sentiment_f1_2nd: float
    nb_f1_2nd: float
    per_lang_2nd: dict[str, tuple[float, float, int]]  # lang -> (ours, naive Bayes, messages)
    lang_accuracy: float | None
    lang_detected: int
    criticality_f1: float
    criticality_auc: float | None
    critical_users: int
    interests_p3: float
    interest_users: int
    opted_out_leaks: int
    profile_records: int

    def row(self) -> str:
        langs = " ".join(f"{k} {v[0]:.3f}/{v[1]:.3f}" for k, v in sorted(self.per_lang_2nd.items()))
        auc = f"{self.criticality_auc:.3f}" if self.criticality_auc is not None else "n/a"
        acc = f"{self.lang_accuracy:.3f}" if self.lang_accuracy is not None else "n/a"
        return (f"| {self.scenario} | {self.contacts} | {self.sentiment_f1:.3f} | {self.sentiment_f1_2nd:.3f} | "
                f"{self.nb_f1_2nd:.3f} | {langs} | {acc} ({self.lang_detected}) | {self.criticality_f1:.3f} | {auc} "
                f"({self.critical_users}) | {self.interests_p3:.3f} ({self.interest_users}) | {self.opted_out_leaks} |")


HEADER = ("| scenario | inbound msgs | sentiment F1 | 2nd half | NB 2nd half | 2nd half per lang (ours/NB) | "
          "lang acc (detected) | criticality F1 | AUC churn (users) | interests P@3 (users) | opted-out leaks |\n"
          "|---|---|---|---|---|---|---|---|---|---|---|")


def macro_f1(pairs: list[tuple[str, str]], labels: tuple[str, ...]) -> float:
    return f1_scores(pairs, labels)[0]


def auc(scores: list[float], positives: list[bool]) -> float | None:
    """Probability that a churned user scores above a stayed one (ties count half)."""
    pos = [s for s, y in zip(scores, positives) if y]
    neg = [s for s, y in zip(scores, positives) if not y]
    if not pos or not neg:
        return None
    wins = sum((p > n) + 0.5 * (p == n) for p in pos for n in neg)
    return wins / (len(pos) * len(neg))


def _jsonl(path: Path) -> list[dict[str, Any]]:
    return [orjson.loads(line) for line in path.read_bytes().splitlines() if line.strip()]


def naive_bayes_predictions(lines: list[bytes], inbound: set[str]) -> dict[str, str]:
    """The baseline: each inbound message predicted on arrival, learning from sentiment feedback."""
    from river import compose, feature_extraction, naive_bayes

    nb = compose.Pipeline(feature_extraction.BagOfWords(lowercase=True, ngram_range=(1, 2)),
                          naive_bayes.MultinomialNB(alpha=1.0))
    texts: dict[str, str] = {}
    predicted: dict[str, str] = {}
    for line in lines:
        try:
            obj = orjson.loads(line)
        except orjson.JSONDecodeError:
            continue
        if not isinstance(obj, dict):
            continue
        eid = obj.get("event_id")
        if obj.get("topic") == "events.contact" and eid in inbound and eid not in texts:
            texts[eid] = obj["text"]
            predicted[eid] = nb.predict_one(obj["text"]) or "neutral"
        elif obj.get("topic") == "feedback" and obj.get("kind") == "sentiment" and obj.get("contact_event_id") in texts:
            nb.learn_one(texts[obj["contact_event_id"]], obj.get("sentiment"))
    return predicted


def evaluate_profiles(events: Path, core: Core) -> ProfileScores:
    folder = events.parent
    users = {u["user_id"]: u for u in _jsonl(folder / "users.jsonl")}
    truth = {c["event_id"]: c for c in _jsonl(folder / "contacts_truth.jsonl")}
    half = orjson.loads((folder / "meta.json").read_bytes())["contacts"]["half_ms"]
    lines = events.read_bytes().splitlines()

    analysed: dict[str, AnalysedContact] = {}
    core.profiler.observe = lambda c: analysed.setdefault(c.event_id, c)
    profiles: dict[str, dict[str, Any]] = {}
    records = [0]

    def on_record(out) -> None:
        if out.topic == PROFILES_TOPIC and out.value is not None:
            records[0] += 1
            p = orjson.loads(out.value)
            profiles[p["user_id"]] = p

    for _ in Replayer(core, on_record).feed(lines):
        pass
    inbound = {eid for eid, t in truth.items() if t["direction"] == "inbound"}
    nb = naive_bayes_predictions(lines, inbound)

    rows = [(truth[eid], analysed[eid]) for eid in inbound if eid in analysed]
    second = [(t, a) for t, a in rows if t["ts"] >= half]
    per_lang = {}
    for lang in sorted({t["lang"] for t, _ in second}):
        sel = [(t, a) for t, a in second if t["lang"] == lang]
        per_lang[lang] = (macro_f1([(t["sentiment"], a.sentiment.label) for t, a in sel], LABELS),
                          macro_f1([(t["sentiment"], nb.get(t["event_id"], "neutral")) for t, _ in sel], LABELS),
                          len(sel))
    detected = [(t, a) for t, a in rows if not t["lang_given"]]

    crit_pairs, crit_scores, churned = [], [], []
    p3, n_interest = 0.0, 0
    leaks = 0
    for uid, u in users.items():
        p = profiles.get(uid)
        if u["opted_out"]:
            if p is not None and (p.get("sentiment") or p.get("criticality") or p.get("interests")
                                  or p.get("moment") or p.get("next_best_action")):
                leaks += 1
            continue
        if p is None:
            continue
        if (u["n_contacts"] or u["n_cue_events"]) and p.get("criticality"):
            crit_pairs.append((u["criticality"], p["criticality"]["level"]))
            crit_scores.append(p["criticality"]["score"])
            churned.append(bool(u["churned"]))
        named = [i["topic"] for i in p.get("interests") or []][:3]
        if named:
            n_interest += 1
            p3 += sum(t in u["interests"] for t in named) / len(named)
    return ProfileScores(
        scenario=folder.name, contacts=len(rows),
        sentiment_f1=macro_f1([(t["sentiment"], a.sentiment.label) for t, a in rows], LABELS),
        sentiment_f1_2nd=macro_f1([(t["sentiment"], a.sentiment.label) for t, a in second], LABELS),
        nb_f1_2nd=macro_f1([(t["sentiment"], nb.get(t["event_id"], "neutral")) for t, _ in second], LABELS),
        per_lang_2nd=per_lang,
        lang_accuracy=(sum(t["lang"] == a.lang for t, a in detected) / len(detected)) if detected else None,
        lang_detected=len(detected),
        criticality_f1=macro_f1(crit_pairs, LEVELS), criticality_auc=auc(crit_scores, churned),
        critical_users=len(crit_pairs), interests_p3=p3 / n_interest if n_interest else 0.0,
        interest_users=n_interest, opted_out_leaks=leaks, profile_records=records[0])


def median_scores(name: str, runs: list[ProfileScores]) -> ProfileScores:
    """The median of each number over ``runs`` (seeds of one shop kind), as one row."""
    from statistics import median

    def med(get):
        values = [v for v in map(get, runs) if v is not None]
        return median(values) if values else None

    langs = sorted({lang for r in runs for lang in r.per_lang_2nd})

    def per_lang(lang: str, i: int):
        return med(lambda r: r.per_lang_2nd.get(lang, (None,) * 3)[i])
    return ProfileScores(
        scenario=name, contacts=round(med(lambda r: r.contacts)), sentiment_f1=med(lambda r: r.sentiment_f1),
        sentiment_f1_2nd=med(lambda r: r.sentiment_f1_2nd), nb_f1_2nd=med(lambda r: r.nb_f1_2nd),
        per_lang_2nd={lang: (per_lang(lang, 0), per_lang(lang, 1), round(per_lang(lang, 2))) for lang in langs},
        lang_accuracy=med(lambda r: r.lang_accuracy), lang_detected=round(med(lambda r: r.lang_detected)),
        criticality_f1=med(lambda r: r.criticality_f1), criticality_auc=med(lambda r: r.criticality_auc),
        critical_users=round(med(lambda r: r.critical_users)), interests_p3=med(lambda r: r.interests_p3),
        interest_users=round(med(lambda r: r.interest_users)), opted_out_leaks=max(r.opted_out_leaks for r in runs),
        profile_records=round(med(lambda r: r.profile_records)))


def main(argv: list[str] | None = None) -> int:
    """``python -m tools.evaluate_profiles DIR...``: one row per scenario folder, then the median per
    shop kind over its seeds (folders named ``<shop>-<seed>``), cold start from what ships."""
    import argparse
    import sys
    from concurrent.futures import ProcessPoolExecutor

    parser = argparse.ArgumentParser(prog="python -m tools.evaluate_profiles", description=main.__doc__)
    parser.add_argument("dirs", nargs="+", type=Path, help="scenario folders with profile truth")
    parser.add_argument("--jobs", type=int, default=2, help="scenarios evaluated in parallel (default 2)")
    args = parser.parse_args(argv)
    missing = [d for d in args.dirs if not (d / "users.jsonl").is_file()]
    if missing:
        print(f"no profile truth (users.jsonl) in {', '.join(map(str, missing))}", file=sys.stderr)
        return 2
    with ProcessPoolExecutor(args.jobs) as pool:
        runs = list(pool.map(_evaluate_folder, args.dirs))
    print(HEADER)
    for r in runs:
        print(r.row())
    groups: dict[str, list[ProfileScores]] = {}
    for r in runs:
        shop, _, seed = r.scenario.rpartition("-")
        groups.setdefault(shop if seed.isdigit() and shop else r.scenario, []).append(r)
    multi = {k: v for k, v in groups.items() if len(v) > 1}
    if multi:
        print("\nMedian over seeds:\n\n" + HEADER)
        for name, group in multi.items():
            print(median_scores(f"{name} (median of {len(group)})", group).row())
    return 0


def _evaluate_folder(folder: Path) -> ProfileScores:
    from config import get_settings
    from pipeline.detector_factory import build_core

    return evaluate_profiles(folder / "events.jsonl", build_core(get_settings()))


if __name__ == "__main__":
    raise SystemExit(main())
