"""Quotas proposed from population margins for a panel of a given size."""

from __future__ import annotations

import math
from collections.abc import Mapping

from spld.participation.sortition.pool import Quota


def propose_quotas(
    margins: Mapping[str, Mapping[str, float]], size: int, *, tolerance: float = 0.1
) -> list[Quota]:
    """Bounds around each category's share of ``size`` (± ``tolerance`` of it, at least one seat).

    ``margins`` maps each category to its values' counts or shares in the population; they
    are normalised per category, so census counts can be passed as they are.
    """
    quotas = []
    for category, values in margins.items():
        total = float(sum(values.values()))
        if total <= 0:
            raise ValueError(f"{category}: the margins add up to zero")
        for value, amount in values.items():
            ideal = size * float(amount) / total
            slack = max(1.0, tolerance * ideal)
            low = max(0, math.floor(ideal - slack))
            high = min(size, math.ceil(ideal + slack))
            quotas.append(Quota(category, value, low, high))
    return quotas
