"""Pools and quotas for panels drawn by lot, and the paper's instance format (CSV files)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Quota:
    """At least ``min`` and at most ``max`` panel members with ``category`` = ``value``."""

    category: str
    value: str
    min: int
    max: int


@dataclass
class Pool:
    """Volunteers' features, their pseudonymous ids, and groups of whom at most one is drawn."""

    people: list[dict[str, str]]
    ids: list[str] = field(default_factory=list)
    exclusive: list[list[int]] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.ids:
            self.ids = [f"p{i + 1:05d}" for i in range(len(self.people))]
        if len(self.ids) != len(self.people) or len(set(self.ids)) != len(self.ids):
            raise ValueError("every person needs one distinct id")

    @classmethod
    def with_households(
        cls,
        people: list[dict[str, str]],
        households: Sequence[str | None],
        ids: list[str] | None = None,
    ) -> Pool:
        """A pool where at most one person per household may be drawn."""
        by_household: dict[str, list[int]] = {}
        for i, household in enumerate(households):
            if household:
                by_household.setdefault(household, []).append(i)
        groups = [members for members in by_household.values() if len(members) > 1]
        return cls(people=people, ids=ids or [], exclusive=groups)


class InstanceError(ValueError):
    """A pool or quota file that cannot be used, with the reason."""


def read_quotas(text: str) -> list[Quota]:
    """Quotas from the paper's ``categories.csv``: category,feature,min,max."""
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    quotas = []
    for line, row in enumerate(rows, start=2):
        try:
            low, high = int(row["min"]), int(row["max"])
            category, value = row["category"].strip(), row["feature"].strip()
        except (KeyError, TypeError, ValueError) as exc:
            raise InstanceError(f"line {line}: expected category,feature,min,max") from exc
        if low < 0 or high < low:
            raise InstanceError(f"line {line}: min {low} and max {high} are not a range")
        quotas.append(Quota(category, value, low, high))
    return quotas


def read_people(text: str, categories: Iterable[str]) -> list[dict[str, str]]:
    """People from the paper's ``respondents.csv``: one column per category."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    wanted = list(dict.fromkeys(categories))
    missing = [c for c in wanted if c not in (reader.fieldnames or [])]
    if missing:
        raise InstanceError(f"respondents lack the columns {', '.join(missing)}")
    return [{c: (row[c] or "").strip() for c in wanted} for row in reader]


@dataclass
class Instance:
    """A pool, its quotas and the panel size."""

    pool: Pool
    quotas: list[Quota]
    size: int


def read_instance(folder: Path) -> Instance:
    """An instance folder in the paper's format; the panel size is the name's last ``_`` part."""
    try:
        size = int(folder.name.rsplit("_", 1)[-1])
    except ValueError as exc:
        raise InstanceError(f"{folder.name}: the folder name must end with _<panel size>") from exc
    quotas = read_quotas((folder / "categories.csv").read_text(encoding="utf-8"))
    people = read_people(
        (folder / "respondents.csv").read_text(encoding="utf-8"), (q.category for q in quotas)
    )
    return Instance(Pool(people), quotas, size)


def check_instance(pool: Pool, quotas: Sequence[Quota], size: int) -> list[str]:
    """Problems that make a draw impossible before any solver runs (empty when none)."""
    problems = []
    if size <= 0:
        problems.append("the panel size must be positive")
    if len(pool.people) < size:
        problems.append(f"the pool has {len(pool.people)} people, fewer than the panel's {size}")
    counts: Mapping[tuple[str, str], int] = {}
    for person in pool.people:
        for item in person.items():
            counts[item] = counts.get(item, 0) + 1  # type: ignore[index]
    by_category: dict[str, int] = {}
    for quota in quotas:
        by_category[quota.category] = by_category.get(quota.category, 0) + quota.min
        available = counts.get((quota.category, quota.value), 0)
        if quota.min > available:
            problems.append(
                f"{quota.category} = {quota.value}: minimum {quota.min} but only "
                f"{available} in the pool"
            )
    for category, total in by_category.items():
        if total > size:
            problems.append(f"{category}: the minimums add up to {total}, more than {size}")
    known = {(q.category, q.value) for q in quotas}
    categories = {q.category for q in quotas}
    for (category, value), n in counts.items():
        if category in categories and (category, value) not in known:
            problems.append(f"{category} = {value}: {n} people with a value that has no quota")
    return problems
