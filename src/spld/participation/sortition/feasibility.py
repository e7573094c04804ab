"""Can the quotas be met? If not, the smallest change of minimums and maximums that makes them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from spld.participation.sortition import milp
from spld.participation.sortition.leximin import group_people
from spld.participation.sortition.pool import Pool, Quota


@dataclass(frozen=True)
class Relaxation:
    """One quota to widen: its new bounds."""

    quota: Quota
    new_min: int
    new_max: int


def relax(pool: Pool, quotas: Sequence[Quota], size: int) -> list[Relaxation] | None:
    """The least total widening of quota bounds giving a feasible panel ([] if none is needed).

    None means that no widening helps: the pool itself is too small, or exclusions rule out
    every panel of this size.
    """
    groups = group_people(pool)
    model = milp.Model()
    x = model.add_vars([0.0] * len(groups), [float(g.size) for g in groups], integer=True)
    q = len(quotas)
    below = model.add_vars([0.0] * q, [float(size)] * q, integer=True)
    above = model.add_vars([0.0] * q, [float(size)] * q, integer=True)
    model.add_row(x, [1.0] * len(x), size, size)
    for k, quota in enumerate(quotas):
        idx = [j for j, g in enumerate(groups) if (quota.category, quota.value) in g.features]
        # count + below >= min  and  count - above <= max
        model.add_row(idx + [below[k]], [1.0] * len(idx) + [1.0], quota.min, milp.INF)
        model.add_row(idx + [above[k]], [1.0] * len(idx) + [-1.0], -milp.INF, quota.max)
    position = {i: j for j, g in enumerate(groups) for i in g.members}
    for excl in pool.exclusive:
        idx = sorted({position[i] for i in excl})
        if len(idx) > 1:
            model.add_row(idx, [1.0] * len(idx), -milp.INF, 1.0)
    cost = np.zeros(len(groups) + 2 * q)
    cost[below] = 1.0
    cost[above] = 1.0
    solution = model.minimise(cost)
    if solution is None:
        return None
    changes = []
    for k, quota in enumerate(quotas):
        lower = int(round(solution[below[k]]))
        upper = int(round(solution[above[k]]))
        if lower or upper:
            changes.append(Relaxation(quota, quota.min - lower, quota.max + upper))
    return changes
