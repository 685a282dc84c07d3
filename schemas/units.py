"""Quantities in words the same way everywhere a person reads them (explanations, action texts)."""

from __future__ import annotations


def distance_words(metres: float, lang: str) -> str:
    """``300 m``, ``1.2 km`` (German ``1,2 km``), ``12 km``: rounded as people say distances.

    >>> distance_words(312, "en"), distance_words(87, "en"), distance_words(1234, "de"), distance_words(12_400, "en")
    ('300 m', '90 m', '1,2 km', '12 km')
    """
    if metres < 1000:
        return f"{round(metres, -1) if metres < 100 else round(metres / 50) * 50:.0f} m"
    km = f"{metres / 1000:.1f}" if metres < 9950 else f"{metres / 1000:.0f}"
    return (km.replace(".", ",") if lang == "de" else km) + " km"
