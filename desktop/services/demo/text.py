"""Names turned into addresses and phrases: slugs for domains and local parts, "de"/"d'"."""

from __future__ import annotations

import unicodedata
from functools import cache


def ascii_text(text: str) -> str:
    """``text`` without its accents."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def slug(text: str, sep: str = "-", keep_accents: bool = False) -> str:
    """Lower-case letters and digits, words joined by ``sep`` (``&`` → ``et``)."""
    base = text if keep_accents else ascii_text(text)
    base = base.lower().replace("&", " et ").replace("'", " ").replace("’", " ")
    words: list[str] = []
    current: list[str] = []
    for char in base:
        if char.isalnum():
            current.append(char)
        elif current:
            words.append("".join(current))
            current = []
    if current:
        words.append("".join(current))
    return sep.join(words)


@cache
def person_slug(text: str) -> str:
    """A name for an address: ``Jean-Pierre`` → ``jean-pierre``, ``Le Floc'h`` → ``lefloch``."""
    return "-".join(slug(part, sep="") for part in text.split("-"))


def of_city(city: str) -> str:
    """French "of" before a city name: de Vannes, d'Angers, du Havre, des Sables."""
    if city.startswith("Le "):
        return "du " + city[3:]
    if city.startswith("Les "):
        return "des " + city[4:]
    if ascii_text(city[0]).upper() in "AEIOUYH":
        return "d'" + city
    return "de " + city
