"""The vocabulary subset shipped with the product: W3C DPV 2.3 terms and the Eurocities standard."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.utils.translation import get_language

_DIR = Path(__file__).resolve().parent / "vocab"
_DPV = json.loads((_DIR / "dpv.json").read_text(encoding="utf-8"))
EUROCITIES: dict[str, Any] = json.loads(
    (_DIR / "eurocities-0.3.1.json").read_text(encoding="utf-8")
)

PURPOSES: dict[str, dict[str, Any]] = {t["iri"]: t for t in _DPV["purposes"]}
LEGAL_BASES: dict[str, dict[str, Any]] = {t["iri"]: t for t in _DPV["legal_bases"]}
CATEGORIES: dict[str, dict[str, Any]] = {t["iri"]: t for t in _DPV["personal_data_categories"]}
PUBLIC_TASK = "https://w3id.org/dpv/legal/eu/gdpr#A6-1-e"


def label(iri: str) -> str:
    """The label of a DPV term in the current language (the IRI itself when unknown)."""
    term = PURPOSES.get(iri) or LEGAL_BASES.get(iri) or CATEGORIES.get(iri)
    if term is None:
        return iri
    lang = (get_language() or "fr")[:2]
    return str(term["label_en"] if lang == "en" else term["label_fr"])


def legal_basis_choices() -> list[tuple[str, str]]:
    """(IRI, "art. 6(1)(x) — label") choices, French labels (choices are static)."""
    return [(iri, f"art. {t['article']} — {t['label_fr']}") for iri, t in LEGAL_BASES.items()]


def purpose_choices() -> list[tuple[str, str]]:
    """(IRI, label) for purposes."""
    return [(iri, label(iri)) for iri in PURPOSES]


def category_choices() -> list[tuple[str, str]]:
    """(IRI, label) for personal-data categories; sensitive ones are marked."""
    return [(iri, label(iri) + (" (sensible)" if t["special"] else ""))
            for iri, t in CATEGORIES.items()]
