"""LEXIMIN against an independent computation: every panel enumerated, one LP per question."""

from __future__ import annotations

import itertools
import random
from pathlib import Path

import numpy as np
import pytest
from scipy.optimize import linprog

from spld.participation.sortition.draw import Stream, draw_panel
from spld.participation.sortition.feasibility import relax
from spld.participation.sortition.legacy import legacy_probabilities
from spld.participation.sortition.leximin import InfeasibleQuotas, leximin
from spld.participation.sortition.pool import Pool, Quota, check_instance, read_instance

PAPER = Path(__file__).resolve().parents[2] / ".." / "shared" / "fixtures" / "sortition"


def feasible_panels(pool: Pool, quotas, size):
    """Every panel of ``size`` people meeting the quotas and the exclusions (brute force)."""
    panels = []
    for panel in itertools.combinations(range(len(pool.people)), size):
        if any(sum(i in panel for i in group) > 1 for group in pool.exclusive):
            continue
        if all(
            q.min <= sum(pool.people[i][q.category] == q.value for i in panel) <= q.max
            for q in quotas
        ):
            panels.append(panel)
    return panels


def reference_leximin(pool: Pool, quotas, size) -> np.ndarray:
    """LEXIMIN by the textbook method: raise the floor, then fix whoever cannot rise above it."""
    panels = feasible_panels(pool, quotas, size)
    n, m = len(pool.people), len(panels)
    a = np.zeros((n, m))
    for c, panel in enumerate(panels):
        a[list(panel), c] = 1.0
    fixed: dict[int, float] = {}
    while len(fixed) < n:
        free = [i for i in range(n) if i not in fixed]
        # variables: p_1..p_m, z ; maximise z
        cost = np.zeros(m + 1)
        cost[-1] = -1.0
        a_ub, b_ub = [], []
        for i in range(n):
            row = np.zeros(m + 1)
            row[:m] = -a[i]
            if i in fixed:
                b_ub.append(-fixed[i] + 1e-9)
            else:
                row[-1] = 1.0
                b_ub.append(0.0)
            a_ub.append(row)
        a_eq = [np.r_[np.ones(m), 0.0]]
        bounds = [(0, None)] * m + [(None, None)]
        res = linprog(cost, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=[1.0], bounds=bounds)
        z = -res.fun
        # whoever cannot exceed z while everyone free keeps z gets fixed at z
        progressed = False
        for i in free:
            cost_i = np.zeros(m + 1)
            cost_i[:m] = -a[i]
            a_ub2, b_ub2 = [], []
            for j in range(n):
                row = np.zeros(m + 1)
                row[:m] = -a[j]
                a_ub2.append(row)
                b_ub2.append(-fixed.get(j, z) + 1e-9)
            res_i = linprog(cost_i, A_ub=a_ub2, b_ub=b_ub2, A_eq=a_eq, b_eq=[1.0], bounds=bounds)
            if -res_i.fun <= z + 1e-7:
                fixed[i] = z
                progressed = True
        assert progressed
    return np.array([fixed[i] for i in range(n)])


def random_instance(rng: random.Random):
    n = rng.randint(5, 9)
    size = rng.randint(2, 4)
    people = [
        {"sexe": rng.choice("FH"), "age": rng.choice(["jeune", "moyen", "senior"])}
        for _ in range(n)
    ]
    quotas = [Quota("sexe", v, rng.randint(0, 2), rng.randint(2, size)) for v in "FH"]
    quotas += [
        Quota("age", v, rng.randint(0, 1), rng.randint(1, size))
        for v in ("jeune", "moyen", "senior")
    ]
    households = [rng.choice([None, None, "a", "b"]) for _ in range(n)]
    return Pool.with_households(people, households), quotas, size


@pytest.mark.parametrize("seed", range(25))
def test_leximin_matches_an_independent_lp_on_small_pools(seed):
    pool, quotas, size = random_instance(random.Random(seed))
    if not feasible_panels(pool, quotas, size):
        with pytest.raises(InfeasibleQuotas):
            leximin(pool, quotas, size)
        return
    ours = leximin(pool, quotas, size)
    reference = reference_leximin(pool, quotas, size)
    assert np.allclose(np.sort(ours.probabilities), np.sort(reference), atol=1e-6)
    assert np.allclose(ours.probabilities, reference, atol=1e-6)
    assert ours.probabilities.sum() == pytest.approx(size)
    assert ours.gap <= 1e-6


def test_every_composition_meets_the_quotas_and_households():
    rng = random.Random(7)
    people = [{"sexe": rng.choice("FH"), "commune": rng.choice("ABC")} for _ in range(60)]
    households = [f"h{i // 2}" if i < 20 else None for i in range(60)]
    pool = Pool.with_households(people, households)
    quotas = [Quota("sexe", "F", 4, 6), Quota("sexe", "H", 4, 6)]
    quotas += [Quota("commune", c, 2, 5) for c in "ABC"]
    result = leximin(pool, quotas, 10)
    assert result.probabilities.sum() == pytest.approx(10)
    for comp in result.compositions:
        members = [g.members for g in result.groups]
        assert comp.sum() == 10
        for quota in quotas:
            count = sum(
                c for c, g in zip(comp, result.groups, strict=True)
                if (quota.category, quota.value) in g.features
            )
            assert quota.min <= count <= quota.max
        chosen = {m for c, ms in zip(comp, members, strict=True) if c for m in ms[:c]}
        for group in pool.exclusive:
            # people of one household are alone in their group, so a count of 1 means them
            assert sum(1 for i in group if i in chosen) <= 1


def test_identical_people_get_identical_probabilities_and_large_pools_stay_fast():
    rng = random.Random(3)
    people = [
        {"sexe": rng.choice("FH"), "age": rng.choice(["18-34", "35-59", "60+"]),
         "commune": rng.choice(["Brest", "Guipavas", "Plouzané", "Bohars"])}
        for _ in range(2000)
    ]
    quotas = [Quota("sexe", v, 95, 105) for v in "FH"]
    quotas += [Quota("age", v, 60, 75) for v in ("18-34", "35-59", "60+")]
    quotas += [Quota("commune", v, 35, 60) for v in ("Brest", "Guipavas", "Plouzané", "Bohars")]
    result = leximin(Pool(people), quotas, 200)
    for g in result.groups:
        assert np.ptp(result.probabilities[list(g.members)]) == 0
    assert result.probabilities.sum() == pytest.approx(200)
    assert result.minimum > 0


def test_infeasible_quotas_get_the_smallest_relaxation():
    people = [{"sexe": "F"}] * 3 + [{"sexe": "H"}] * 7
    quotas = [Quota("sexe", "F", 4, 5), Quota("sexe", "H", 1, 4)]
    pool = Pool(people)
    assert check_instance(pool, quotas, 6)  # four women wanted, three available
    changes = relax(pool, quotas, 6)
    assert changes is not None
    assert sum(abs(c.new_min - c.quota.min) + abs(c.new_max - c.quota.max) for c in changes) == 1
    assert relax(pool, [Quota("sexe", "F", 0, 5), Quota("sexe", "H", 0, 5)], 6) == []
    assert relax(Pool(people[:3]), quotas, 6) is None  # pool smaller than the panel


def test_the_draw_is_replayable_and_follows_the_lottery():
    groups = [["a1", "a2", "a3"], ["b1", "b2"]]
    compositions = [[2, 1], [1, 2]]
    weights = ["0.25", "0.75"]
    first = draw_panel(groups, compositions, weights, b"root-hash")
    assert first == draw_panel(groups, compositions, weights, b"root-hash")
    seen = {draw_panel(groups, compositions, weights, bytes([s]))[0] for s in range(40)}
    assert seen == {0, 1}
    index, panel = first
    assert len(panel) == 3 and len(set(panel)) == 3
    assert sum(p.startswith("a") for p in panel) == compositions[index][0]
    # the stream is SHA-256 in counter mode: fixed for ever, whatever the Python version
    assert str(Stream(b"x").uniform())[:12] == str(Stream(b"x").uniform())[:12]


def test_legacy_method_is_less_fair_than_leximin():
    rng = random.Random(5)
    people = [{"sexe": "F" if i < 15 else "H", "age": rng.choice("JV")} for i in range(60)]
    quotas = [Quota("sexe", "F", 5, 5), Quota("sexe", "H", 5, 5)]
    quotas += [Quota("age", v, 3, 7) for v in "JV"]
    pool = Pool(people)
    fair = leximin(pool, quotas, 10)
    greedy, _ = legacy_probabilities(pool, quotas, 10, runs=400)
    assert fair.minimum >= greedy.min() - 0.02
    assert fair.probabilities.sum() == pytest.approx(10)


@pytest.mark.skipif(not (PAPER / "example_small_20").exists(), reason="../shared not beside")
def test_paper_instance_minimum_probability():
    inst = read_instance(PAPER / "example_small_20")
    result = leximin(inst.pool, inst.quotas, inst.size)
    assert result.minimum == pytest.approx(0.10, abs=0.001)
