"""Deterministic synthetic pools: the Brest jury's six features, skewed as volunteers are."""

from __future__ import annotations

import random

from spld.participation.sortition.pool import Pool

# Population shares used for quotas. Sex, age (from 18) and communes follow the INSEE figures
# for Brest métropole (RP2020 age bands, 2021 municipal populations); diploma and
# socio-professional category were not in the figures found, so these shares are stated
# assumptions of the demo, and attitude to data is split evenly by design.
BREST_MARGINS: dict[str, dict[str, float]] = {
    "sexe": {"femme": 51, "homme": 49},
    "age": {"18-29": 41, "30-44": 38265, "45-59": 38162, "60-74": 32164, "75+": 19434},
    "diplome": {"aucun": 16, "cap-bep": 24, "bac": 18, "superieur": 42},
    "csp": {
        "independant": 6, "cadre": 16, "intermediaire": 27, "employe": 27, "ouvrier": 17,
        "sans-activite": 7,
    },
    "commune": {
        "Bohars": 3615, "Brest": 139619, "Gouesnou": 6347, "Guilers": 8170,
        "Guipavas": 15460, "Plougastel-Daoulas": 13445, "Plouzané": 13473,
        "Le Relecq-Kerhuon": 11791,
    },
    "attitude": {
        "tres-reservee": 1, "reservee": 1, "neutre": 1, "favorable": 1, "tres-favorable": 1,
    },
}
# 18–29 year-olds: the 15–29 band (50,028) less an estimate of those under 18 (3/15 of it).
BREST_MARGINS["age"]["18-29"] = 50028 * 12 / 15

# How volunteers differ from the population: older, more graduates, more from Brest city.
_SKEW = {
    "age": {"18-29": 0.6, "30-44": 0.9, "45-59": 1.1, "60-74": 1.5, "75+": 0.9},
    "diplome": {"aucun": 0.4, "cap-bep": 0.7, "bac": 1.0, "superieur": 1.6},
    "commune": {"Brest": 1.3},
}


def brest_pool(size: int = 400, *, seed: int = 2022) -> tuple[Pool, list[str]]:
    """A pool of volunteers and their households (about one household in ten has two)."""
    rng = random.Random(seed)  # noqa: S311 - reproducible simulation, not a secret
    people = []
    for _ in range(size):
        person = {}
        for category, shares in BREST_MARGINS.items():
            values = list(shares)
            weights = [shares[v] * _SKEW.get(category, {}).get(v, 1.0) for v in values]
            person[category] = rng.choices(values, weights)[0]
        people.append(person)
    households = []
    for i in range(size):
        shared = i > 0 and rng.random() < 0.1
        households.append(households[i - 1] if shared else f"foyer-{i:04d}")
    return Pool.with_households(people, households), households
