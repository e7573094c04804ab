"""French grammar helpers: elision of "de" before a vowel ("d’Eau du Ponant")."""

from __future__ import annotations

import unicodedata

from django.utils.translation import get_language

_VOWELS = set("aeiouy")


def starts_with_vowel(word: str) -> bool:
    """Whether French elides before `word` (a vowel, accented or not; h is left alone)."""
    first = unicodedata.normalize("NFD", word.strip()[:1]).lower()[:1]
    return first in _VOWELS


def of(name: object) -> str:
    """In French "de X" or "d’X" (elided before a vowel); in other languages X alone.

    Messages put it where French needs "de": msgid "Membres {org}", English "Members of {org}".
    """
    text = str(name)
    if not (get_language() or "fr").startswith("fr"):
        return text
    return f"d’{text}" if starts_with_vowel(text) else f"de {text}"


def than(name: object) -> str:
    """"que X" or "qu’X" in French ("connecté en tant qu’Alex"); X alone elsewhere."""
    text = str(name)
    if not (get_language() or "fr").startswith("fr"):
        return text
    return f"qu’{text}" if starts_with_vowel(text) else f"que {text}"
