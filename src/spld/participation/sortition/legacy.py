"""The greedy method used by sortition practitioners before LEXIMIN, kept for comparison."""

from __future__ import annotations

import random
from collections.abc import Sequence

import numpy as np

from spld.participation.sortition.pool import Pool, Quota


def legacy_panel(
    pool: Pool, quotas: Sequence[Quota], size: int, rng: random.Random
) -> list[int] | None:
    """One greedy draw: fill the most urgent feature first; None when it gets stuck."""
    remaining = set(range(len(pool.people)))
    chosen: list[int] = []
    count = {(q.category, q.value): 0 for q in quotas}
    bounds = {(q.category, q.value): q for q in quotas}
    excl_of: dict[int, list[int]] = {}
    for group in pool.exclusive:
        for i in group:
            excl_of.setdefault(i, []).extend(j for j in group if j != i)
    while len(chosen) < size:
        best, best_ratio = None, -1.0
        for key, quota in bounds.items():
            need = quota.min - count[key]
            have = sum(1 for i in remaining if pool.people[i].get(key[0]) == key[1])
            if need > 0 and have == 0:
                return None
            ratio = need / have if have else -1.0
            if have and ratio > best_ratio:
                best, best_ratio = key, ratio
        if best is None:
            return None
        candidates = sorted(i for i in remaining if pool.people[i].get(best[0]) == best[1])
        person = rng.choice(candidates)
        chosen.append(person)
        remaining.discard(person)
        remaining.difference_update(excl_of.get(person, []))
        for item in pool.people[person].items():
            if item in count:
                count[item] += 1
                if count[item] >= bounds[item].max:
                    remaining = {i for i in remaining if pool.people[i].get(item[0]) != item[1]}
    ok = all(bounds[k].min <= count[k] <= bounds[k].max for k in bounds)
    return chosen if ok else None


def legacy_probabilities(
    pool: Pool, quotas: Sequence[Quota], size: int, *, runs: int = 2000, seed: int = 0
) -> tuple[np.ndarray, int]:
    """Selection frequencies of the greedy method over ``runs`` successful draws, and failures."""
    rng = random.Random(seed)  # noqa: S311 - reproducible simulation, not a secret
    hits = np.zeros(len(pool.people))
    done = failures = 0
    while done < runs:
        panel = legacy_panel(pool, quotas, size, rng)
        if panel is None:
            failures += 1
            if failures > 10 * runs:
                break
            continue
        hits[panel] += 1
        done += 1
    return hits / max(done, 1), failures
