"""LEXIMIN panel selection: SPLD on HiGHS against the paper's figures and sortition-algorithms.

Three instances, each solved by SPLD's LEXIMIN (column generation, HiGHS for the LP and the
pricing integer programme):
- small: the Nature 2021 paper's ``example_small_20`` (GPL data: read from ``--small PATH``,
  default ``../shared/fixtures/sortition/example_small_20``; skipped when absent);
- large: ``--large PATH`` in the same format, or a generated pool of 2,000 with a panel of
  200 and the small instance's two categories;
- brest: the six-feature synthetic pool of the Brest citizens' jury demo (400 volunteers).

When the PyPI package ``sortition-algorithms`` is installed, it runs on the small instance
too: its LEXIMIN needs Gurobi (the refusal is reported), so its maximin on HiGHS is timed.
The last line is ``RESULT {json}``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from spld.participation.sortition.leximin import leximin  # noqa: E402
from spld.participation.sortition.pool import Pool, Quota, read_instance  # noqa: E402
from spld.participation.sortition.quotas import propose_quotas  # noqa: E402
from spld.participation.sortition.synthetic import BREST_MARGINS, brest_pool  # noqa: E402

DEFAULT_SMALL = ROOT.parent / "shared" / "fixtures" / "sortition" / "example_small_20"
PAPER_SMALL_MIN = 0.10  # reference_output/example_small_20_statistics.txt


def generated_large(size: int = 2000, panel: int = 200, seed: int = 7) -> tuple[Pool, list]:
    """A skewed pool with the small instance's two categories, quotas at 45–55 % of the panel."""
    rng = random.Random(seed)  # noqa: S311 - a reproducible benchmark input
    people = []
    for _ in range(size):
        gender = "female" if rng.random() < 0.62 else "male"
        liberal = rng.random() < (0.7 if gender == "female" else 0.35)
        people.append({"gender": gender, "leaning": "liberal" if liberal else "conservative"})
    low, high = int(panel * 0.45), int(panel * 0.55)
    quotas = [
        Quota(category, value, low, high)
        for category, values in (("gender", ("female", "male")),
                                 ("leaning", ("liberal", "conservative")))
        for value in values
    ]
    return Pool(people), quotas


def timed(pool: Pool, quotas: list, size: int) -> tuple[float, float, float, float]:
    """Minimum probability, wall and CPU seconds, and optimality gap of one LEXIMIN run."""
    start, cpu = time.perf_counter(), time.process_time()
    result = leximin(pool, quotas, size)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    total = float(result.probabilities.sum())
    assert abs(total - size) < 1e-6, f"probabilities sum to {total}, not {size}"
    return result.minimum, seconds, result.gap, cpu


def sortition_algorithms_small(folder: Path) -> dict | None:
    """The PyPI package on the small instance: its LEXIMIN, and its maximin on HiGHS.

    None when the package is not installed. Its LEXIMIN requires the commercial Gurobi
    solver; when that is refused, its maximin (the same smallest probability, without the
    further leximin stages) on HiGHS is the open-solver figure to compare with.
    """
    try:
        from sortition_algorithms import adapters, settings  # type: ignore[import-not-found]
        from sortition_algorithms.committee_generation import (  # type: ignore[import-not-found]
            leximin as sa_leximin,
        )
        from sortition_algorithms.committee_generation import maximin as sa_maximin
    except ImportError:
        print("sortition-algorithms: not installed (pip install sortition-algorithms)")
        return None
    lines = (folder / "categories.csv").read_text(encoding="utf-8").splitlines()
    features_csv = "feature,value,min,max\n" + "\n".join(lines[1:]) + "\n"
    rows = (folder / "respondents.csv").read_text(encoding="utf-8").splitlines()
    people_csv = "id," + rows[0] + "\n" + "\n".join(
        f"p{i},{row}" for i, row in enumerate(rows[1:])
    ) + "\n"
    size = int(folder.name.rsplit("_", 1)[-1])
    data = adapters.SelectionData(adapters.CSVStringDataSource(features_csv, people_csv))
    conf = settings.Settings(id_column="id", columns_to_keep=[])
    features, _ = data.load_features(size)
    people, _ = data.load_people(conf, features)
    outcome: dict = {}
    try:
        sa_leximin.find_distribution_leximin(features, people, size, [])
        outcome["leximin"] = "ran"
    except RuntimeError as exc:
        outcome["leximin_error"] = str(exc.args[0])
        print(f"sortition-algorithms leximin: refused ({exc.args[0]})")
    start = time.perf_counter()
    with open(os.devnull, "w") as quiet, contextlib.redirect_stdout(quiet):
        committees, probabilities, _ = sa_maximin.find_distribution_maximin(
            features, people, size, [], "highspy"
        )
    outcome["maximin_s"] = time.perf_counter() - start
    per_person: dict[str, float] = {}
    for committee, p in zip(committees, probabilities, strict=True):
        for person in committee:
            per_person[person] = per_person.get(person, 0.0) + float(p)
    outcome["maximin_min_prob"] = min(per_person.get(f"p{i}", 0.0) for i in range(len(rows) - 1))
    return outcome


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=Path, default=DEFAULT_SMALL)
    parser.add_argument("--large", type=Path, default=None)
    parser.add_argument("--brest-size", type=int, default=400)
    args = parser.parse_args()
    result: dict = {"method": "leximin (column generation, HiGHS LP + MIP pricing)"}

    if args.small.exists():
        inst = read_instance(args.small)
        minimum, seconds, gap, _ = timed(inst.pool, inst.quotas, inst.size)
        print(f"small  {args.small.name}: min {minimum:.4f} (paper {PAPER_SMALL_MIN:.4f}), "
              f"{seconds:.2f} s, gap {gap:.1e}")
        result.update(small_min_prob=round(minimum, 6), small_s=round(seconds, 3),
                      small_vs_paper_points=round(100 * (minimum - PAPER_SMALL_MIN), 4))
        peer = sortition_algorithms_small(args.small)
        if peer is not None:
            print(f"sortition-algorithms maximin on HiGHS: min {peer['maximin_min_prob']:.4f}, "
                  f"{peer['maximin_s']:.2f} s")
            # Their time over ours: > 1 means SPLD's full LEXIMIN is faster than their maximin.
            result["vs_sortition_algorithms"] = round(peer["maximin_s"] / seconds, 2)
            result["sortition_algorithms_maximin_min_prob"] = round(peer["maximin_min_prob"], 6)
            result["sortition_algorithms_leximin"] = peer.get("leximin_error", "ran")
    else:
        print(f"small: {args.small} not found (the paper's instance, GPL: give --small PATH)")
        result.update(small_min_prob=None, small_s=None)

    if args.large is not None:
        inst = read_instance(args.large)
        pool, quotas, size = inst.pool, inst.quotas, inst.size
        label = args.large.name
    else:
        pool, quotas = generated_large()
        size, label = 200, "generated 2000/200"
    minimum, seconds, gap, _ = timed(pool, quotas, size)
    print(f"large  {label}: min {minimum:.4f}, {seconds:.2f} s, gap {gap:.1e}")
    result.update(large_min_prob=round(minimum, 6), large_s=round(seconds, 3),
                  large_gap=gap)

    pool, _households = brest_pool(args.brest_size)
    quotas = propose_quotas(BREST_MARGINS, 20)
    minimum, seconds, gap, cpu = timed(pool, quotas, 20)
    print(f"brest  {args.brest_size} volunteers, 6 features, panel 20: min {minimum:.4f}, "
          f"{seconds:.2f} s ({cpu:.2f} s of CPU: the figure that holds on a busy machine), "
          f"gap {gap:.1e}")
    result.update(brest_min_prob=round(minimum, 6), brest_s=round(seconds, 3),
                  brest_cpu_s=round(cpu, 3), brest_gap=gap)
    print("RESULT " + json.dumps(result))


if __name__ == "__main__":
    main()
