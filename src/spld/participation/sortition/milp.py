"""A small linear / integer programme builder over HiGHS (highspy), the open-source solver."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

import highspy
import numpy as np

INF = highspy.kHighsInf


def _silence_banner() -> None:
    """Create the first solver with stdout closed: HiGHS prints a banner once per process."""
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 1)
            highspy.Highs()
    finally:
        os.dup2(saved, 1)
        os.close(saved)


_silence_banner()


class Model:
    """Columns with bounds, rows with bounds; solved for a given cost vector."""

    def __init__(self) -> None:
        self._h = highspy.Highs()
        self._h.setOptionValue("output_flag", False)
        self._h.setOptionValue("log_to_console", False)
        # The default relative MIP gap (1e-4) would let pricing stop short of the optimum.
        self._h.setOptionValue("mip_rel_gap", 0.0)
        self._h.setOptionValue("mip_abs_gap", 1e-9)
        self._n = 0
        self._cost: np.ndarray | None = None
        self._sense = None

    def add_vars(
        self, lower: Sequence[float], upper: Sequence[float], *, integer: bool = False
    ) -> list[int]:
        """Add columns and return their indices."""
        count = len(lower)
        self._h.addVars(count, np.asarray(lower, dtype=float), np.asarray(upper, dtype=float))
        idx = list(range(self._n, self._n + count))
        self._n += count
        self._cost = None  # new columns: the objective must be set again
        if integer and count:
            self._h.changeColsIntegrality(
                count,
                np.asarray(idx, dtype=np.int32),
                np.array([highspy.HighsVarType.kInteger] * count),
            )
        return idx

    def add_row(
        self, idx: Sequence[int], coef: Sequence[float], lower: float, upper: float
    ) -> None:
        """Add the constraint lower <= sum(coef * x[idx]) <= upper."""
        self._h.addRow(
            float(lower),
            float(upper),
            len(idx),
            np.asarray(idx, dtype=np.int32),
            np.asarray(coef, dtype=float),
        )

    def _solve(self, cost: np.ndarray, sense) -> np.ndarray | None:
        cost = np.asarray(cost, dtype=float)
        # Re-setting an unchanged objective would throw away HiGHS's warm start.
        if self._cost is None or self._sense != sense or not np.array_equal(cost, self._cost):
            self._h.changeColsCost(self._n, np.arange(self._n, dtype=np.int32), cost)
            self._h.changeObjectiveSense(sense)
            self._cost, self._sense = cost.copy(), sense
        self._h.run()
        status = self._h.getModelStatus()
        if status == highspy.HighsModelStatus.kOptimal:
            self.optimal = True
        elif (
            status == highspy.HighsModelStatus.kSolutionLimit
            and self._h.getInfo().primal_solution_status
        ):
            self.optimal = False  # stopped early on purpose, with a feasible point
        else:
            return None
        return np.asarray(self._h.getSolution().col_value, dtype=float)

    def warm(self) -> None:
        """Re-solves start from the last basis: skip presolve, which would discard it."""
        self._h.setOptionValue("presolve", "off")

    def limit_solutions(self, count: int | None) -> None:
        """Stop integer solves after ``count`` improving solutions (None: solve to optimality)."""
        self._h.setOptionValue("mip_max_improving_sols", count or 2147483647)

    def maximise(self, cost: np.ndarray) -> np.ndarray | None:
        """An optimal point maximising cost @ x, or None when infeasible."""
        return self._solve(cost, highspy.ObjSense.kMaximize)

    def minimise(self, cost: np.ndarray) -> np.ndarray | None:
        """An optimal point minimising cost @ x, or None when infeasible."""
        return self._solve(cost, highspy.ObjSense.kMinimize)
