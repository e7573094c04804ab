"""LEXIMIN selection probabilities for panels drawn by lot (Flanigan et al., Nature 2021).

Column generation on the dual LP, with HiGHS (open source) for both the LP and the pricing
integer programme. People who share a feature vector and no exclusion constraint are
interchangeable, so they form one *group* and the programmes count members per group: a pool
of thousands with a few categories stays a problem of a few dozen variables.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from spld.participation.sortition import milp
from spld.participation.sortition.pool import Pool, Quota

# Dual values below this are treated as zero; prices above the cap by less are not violations.
EPS = 1e-7


@dataclass(frozen=True)
class Group:
    """Interchangeable people: the same features and no exclusion constraint among them."""

    members: tuple[int, ...]
    features: tuple[tuple[str, str], ...]

    @property
    def size(self) -> int:
        return len(self.members)


@dataclass
class Allocation:
    """A lottery over panel compositions and the selection probability it gives each person."""

    method: str
    groups: list[Group]
    compositions: list[np.ndarray]
    weights: np.ndarray
    probabilities: np.ndarray
    gap: float
    stages: int = 0
    columns: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def minimum(self) -> float:
        return float(self.probabilities.min()) if len(self.probabilities) else 0.0


def group_people(pool: Pool) -> list[Group]:
    """Split the pool into groups of interchangeable people (constrained people stay alone)."""
    constrained = {i for group in pool.exclusive for i in group if len(group) > 1}
    by_key: dict[tuple, list[int]] = {}
    for i, person in enumerate(pool.people):
        features = tuple(sorted(person.items()))
        key: tuple = ("person", i) if i in constrained else ("features", features)
        by_key.setdefault(key, []).append(i)
    return [
        Group(tuple(members), tuple(sorted(pool.people[members[0]].items())))
        for members in by_key.values()
    ]


class CompositionProgram:
    """The integer programme whose solutions are the feasible panel compositions."""

    def __init__(self, pool: Pool, quotas: Sequence[Quota], size: int, groups: list[Group]):
        self.groups = groups
        self.model = milp.Model()
        self.x = self.model.add_vars(
            [0.0] * len(groups), [float(g.size) for g in groups], integer=True
        )
        all_idx = list(range(len(groups)))
        self.model.add_row(all_idx, [1.0] * len(groups), size, size)
        for quota in quotas:
            idx = [j for j, g in enumerate(groups) if (quota.category, quota.value) in g.features]
            self.model.add_row(idx, [1.0] * len(idx), quota.min, quota.max)
        position = {i: j for j, g in enumerate(groups) for i in g.members}
        self.exclusive: list[list[int]] = []
        for excl in pool.exclusive:
            idx = sorted({position[i] for i in excl})
            if len(idx) > 1:
                self.model.add_row(idx, [1.0] * len(idx), -milp.INF, 1.0)
                self.exclusive.append(idx)

        # Dense copies for neighbour columns: which group counts towards which quota.
        self.sizes = np.array([g.size for g in groups], dtype=np.int64)
        self.features = np.array(
            [[(q.category, q.value) in g.features for q in quotas] for g in groups], dtype=np.int64
        ).reshape(len(groups), len(quotas))
        self.low = np.array([q.min for q in quotas], dtype=np.int64)
        self.high = np.array([q.max for q in quotas], dtype=np.int64)
        self.excl_of = np.zeros((len(groups), len(self.exclusive)), dtype=np.int64)
        for e, idx in enumerate(self.exclusive):
            self.excl_of[idx, e] = 1

    def neighbours(
        self, comp: np.ndarray, weights: np.ndarray, target: float, limit: int
    ) -> list[np.ndarray]:
        """Up to ``limit`` compositions one swap away from ``comp``, still worth more than target.

        More columns per round for the price of one solve: each is feasible (quotas and
        exclusions checked here) and violates the cap as much as a column from the solver.
        """
        out = np.flatnonzero(comp > 0)
        into = np.flatnonzero(comp < self.sizes)
        counts = comp @ self.features
        value = float(weights @ comp)
        gain = weights[into][None, :] - weights[out][:, None]
        new = counts + self.features[into][None, :, :] - self.features[out][:, None, :]
        ok = ((new >= self.low) & (new <= self.high)).all(axis=2)
        if self.exclusive:
            excl = comp @ self.excl_of
            new_excl = excl + self.excl_of[into][None, :, :] - self.excl_of[out][:, None, :]
            ok &= (new_excl <= 1).all(axis=2)
        ok &= out[:, None] != into[None, :]
        ok &= value + gain > target
        pairs = np.argwhere(ok)
        if not len(pairs):
            return []
        order = np.argsort(-gain[ok], kind="stable")[:limit]
        found = []
        for a, b in pairs[order]:
            neighbour = comp.copy()
            neighbour[out[a]] -= 1
            neighbour[into[b]] += 1
            found.append(neighbour)
        return found

    def best(self, weights: np.ndarray, *, quick: int | None = None) -> np.ndarray | None:
        """The composition maximising the weighted count of members, or None if infeasible.

        With ``quick``, the solver stops after that many improving solutions: a good column,
        not a proven best one.
        """
        self.model.limit_solutions(quick)
        solution = self.model.maximise(weights)
        if solution is None:
            return None
        return np.rint(solution).astype(np.int64)


def _initial_columns(program: CompositionProgram, rng: np.random.Generator) -> list[np.ndarray]:
    """A few compositions that together include every group that can be selected at all."""
    columns: dict[bytes, np.ndarray] = {}
    n = len(program.groups)
    uncovered = np.ones(n, dtype=bool)
    while uncovered.any():
        # Favour groups not yet in any column; ties broken at random for variety.
        weights = uncovered.astype(float) + rng.random(n) * 1e-3
        comp = program.best(weights)
        if comp is None:
            return []
        newly = uncovered & (comp > 0)
        columns.setdefault(comp.tobytes(), comp)
        if not newly.any():
            break  # the rest can never be selected under these quotas
        uncovered &= ~newly
    return list(columns.values())


class StageDual:
    """The restricted dual of one LEXIMIN stage, kept warm while columns are added."""

    def __init__(self, columns: list[np.ndarray], sizes: np.ndarray, fixed: dict[int, float]):
        n = len(sizes)
        self.sizes = sizes
        self.model = milp.Model()
        self.model.warm()
        # Variables: y_0..y_{n-1} >= 0, then the cap (free).
        self.model.add_vars([0.0] * n, [milp.INF] * n)
        self.cap = self.model.add_vars([-milp.INF], [milp.INF])[0]
        unfixed = [j for j in range(n) if j not in fixed]
        self.model.add_row(unfixed, [1.0] * len(unfixed), 1.0, 1.0)
        self.cost = np.zeros(n + 1)
        for j, value in fixed.items():
            self.cost[j] = -value
        self.cost[self.cap] = 1.0
        for comp in columns:
            self.add(comp)

    def add(self, comp: np.ndarray) -> None:
        """One more panel composition: its members' dual weight may not exceed the cap."""
        idx = np.flatnonzero(comp)
        coef = comp[idx] / self.sizes[idx]
        self.model.add_row(
            [*idx.tolist(), self.cap], [*coef.tolist(), -1.0], -milp.INF, 0.0
        )

    def solve(self) -> tuple[np.ndarray, float, float]:
        """Dual weights, the cap, and the objective (the stage's best minimum probability)."""
        solution = self.model.minimise(self.cost)
        if solution is None:  # pragma: no cover - always feasible and bounded
            raise RuntimeError("LEXIMIN stage dual has no solution")
        n = len(self.sizes)
        self.value = float(self.cost @ solution)
        return np.maximum(solution[:n], 0.0), float(solution[self.cap]), self.value


# Extra columns added with each priced one (see CompositionProgram.neighbours).
NEIGHBOURS = 4


def _solve_stage(
    program: CompositionProgram,
    dual: StageDual,
    columns: list[np.ndarray],
    seen: set[bytes],
    max_columns: int,
) -> tuple[np.ndarray, float]:
    """Column generation for one stage; returns optimal duals of the full stage and the gap.

    Pricing first stops at the solver's first improving composition (any composition above
    the cap is a valid new column); only when that finds none is pricing solved to proven
    optimality, so the stage ends with duals optimal for the unrestricted stage.
    """
    sizes = dual.sizes
    while True:
        y, cap, _ = dual.solve()
        prices = y / sizes
        for quick in (1, None):
            best = program.best(prices, quick=quick)
            assert best is not None  # the programme was feasible when the columns were built
            violation = float(prices @ best) - cap
            key = best.tobytes()
            if violation > EPS and key not in seen and len(columns) < max_columns:
                for column in [best, *program.neighbours(best, prices, cap + EPS, NEIGHBOURS)]:
                    if column.tobytes() not in seen:
                        seen.add(column.tobytes())
                        columns.append(column)
                        dual.add(column)
                break
        else:
            return y, max(0.0, violation)


def _final_weights(
    columns: list[np.ndarray], sizes: np.ndarray, fixed: dict[int, float]
) -> tuple[np.ndarray, float]:
    """Weights over the columns meeting every fixed probability, with the largest shortfall."""
    m, n = len(columns), len(sizes)
    model = milp.Model()
    model.add_vars([0.0] * m, [1.0] * m)
    slack = model.add_vars([0.0], [1.0])[0]
    model.add_row(list(range(m)), [1.0] * m, 1.0, 1.0)
    for j in range(n):
        idx = [c for c in range(m) if columns[c][j]]
        coef = [columns[c][j] / sizes[j] for c in idx]
        model.add_row(idx + [slack], coef + [1.0], fixed[j], milp.INF)
    cost = np.zeros(m + 1)
    cost[slack] = 1.0
    solution = model.minimise(cost)
    if solution is None:  # pragma: no cover
        raise RuntimeError("LEXIMIN final LP has no solution")
    weights = np.maximum(solution[:m], 0.0)
    return weights / weights.sum(), float(solution[slack])


def leximin(
    pool: Pool, quotas: Sequence[Quota], size: int, *, max_columns: int = 20_000
) -> Allocation:
    """Maximise the smallest selection probability, then the next smallest, and so on."""
    groups = group_people(pool)
    sizes = np.array([g.size for g in groups], dtype=float)
    program = CompositionProgram(pool, quotas, size, groups)
    rng = np.random.default_rng(0)
    columns = _initial_columns(program, rng)
    if not columns:
        raise InfeasibleQuotas("no panel satisfies the quotas")
    seen = {c.tobytes() for c in columns}
    fixed: dict[int, float] = {}
    gap = 0.0
    stages = 0
    while len(fixed) < len(groups):
        stages += 1
        dual = StageDual(columns, sizes, fixed)
        y, gap_stage = _solve_stage(program, dual, columns, seen, max_columns)
        gap = max(gap, gap_stage)
        value = dual.value
        tight = [j for j in range(len(groups)) if j not in fixed and y[j] > EPS]
        if not tight:  # pragma: no cover - sum of unfixed duals is 1
            tight = [j for j in range(len(groups)) if j not in fixed]
        for j in tight:
            fixed[j] = max(0.0, value)
    weights, shortfall = _final_weights(columns, sizes, fixed)
    keep = weights > 1e-12
    columns = [c for c, k in zip(columns, keep, strict=True) if k]
    weights = weights[keep] / weights[keep].sum()
    group_prob = sum(w * c for w, c in zip(weights, columns, strict=True)) / sizes
    probabilities = np.zeros(len(pool.people))
    for j, g in enumerate(groups):
        probabilities[list(g.members)] = group_prob[j]
    return Allocation(
        method="leximin",
        groups=groups,
        compositions=columns,
        weights=weights,
        probabilities=probabilities,
        gap=max(gap, shortfall),
        stages=stages,
        columns=len(seen),
    )


class InfeasibleQuotas(ValueError):
    """No panel of the requested size meets the quotas."""


def feature_counts(pool: Pool) -> Mapping[tuple[str, str], int]:
    """How many people of the pool hold each (category, value)."""
    counts: dict[tuple[str, str], int] = {}
    for person in pool.people:
        for item in person.items():
            counts[item] = counts.get(item, 0) + 1
    return counts
