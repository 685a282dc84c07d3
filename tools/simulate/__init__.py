"""Scenario simulator: synthetic shop traffic with ground truth, for replay, tests and Kafka.

``micromoments simulate --profile NAME --sessions N --seed S --out DIR`` writes
``events.jsonl`` (the replay input), ``truth.jsonl`` and ``meta.json`` in the
format of the shared sample; ``--kafka`` produces the same lines to a broker.
Profiles are whole shops: vocabulary, URL scheme, products, stores and cities.
``--profiles`` adds the customers (``customers.py``): relationships, contact messages with
their mood, cue events, sentiment/outcome feedback, ``users.jsonl`` and ``contacts_truth.jsonl``.
"""

from __future__ import annotations

from tools.simulate import bank_de_en, baumarkt_de, electronics_en, fashion_en, furniture_en, pharmacy_de, tickets_en
from tools.simulate.cli import register
from tools.simulate.profile import Profile
from tools.simulate.scenario import Options, Scenario, generate, write

#: every shop: the first three are the originals; the others were added for shops never seen (issue 16)
PROFILES: dict[str, Profile] = {p.name: p for p in (
    electronics_en.PROFILE, baumarkt_de.PROFILE, fashion_en.PROFILE, bank_de_en.PROFILE, pharmacy_de.PROFILE,
    furniture_en.PROFILE, tickets_en.PROFILE,
)}


def get_profile(name: str) -> Profile:
    """The profile called ``name``; ``KeyError`` naming the known ones otherwise."""
    try:
        return PROFILES[name]
    except KeyError:
        raise KeyError(f"unknown profile {name!r}; known: {', '.join(PROFILES)}") from None


def select_shops(spec: str) -> list[str]:
    """Shop names from ``"all"`` or a comma-separated list; ``ValueError`` naming unknown ones.

    >>> select_shops("fashion-en, bank-de-en")
    ['fashion-en', 'bank-de-en']
    """
    shops = list(PROFILES) if spec == "all" else [s.strip() for s in spec.split(",") if s.strip()]
    unknown = [s for s in shops if s not in PROFILES]
    if unknown or not shops:
        raise ValueError(f"unknown shop(s) {', '.join(unknown) or '(none given)'}; known: {', '.join(PROFILES)}")
    return shops


def simulate(profile: str, sessions: int = 400, seed: int = 7, **knobs) -> Scenario:
    """Generate a scenario in memory: ``simulate("baumarkt-de", 200, seed=1).lines``."""
    return generate(Options(profile=profile, sessions=sessions, seed=seed, **knobs), get_profile(profile))


__all__ = ["PROFILES", "Options", "Profile", "Scenario", "generate", "get_profile", "register", "select_shops", "simulate", "write"]
