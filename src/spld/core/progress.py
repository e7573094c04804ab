"""Progress reporting for background tasks (read by the "Mes tâches" page)."""

from __future__ import annotations

from typing import Any

from spld.core.models import TaskProgress


def track(result: Any, *, owner: Any, label: str) -> TaskProgress:
    """Start tracking an enqueued task result for its owner."""
    return TaskProgress.objects.create(
        task_id=str(result.id), owner=owner if getattr(owner, "pk", None) else None, label=label
    )


def report(task_id: str, *, done: int, total: int = 0, message: str = "") -> None:
    """Record how far a running task has got."""
    TaskProgress.objects.filter(task_id=str(task_id)).update(
        done=done, total=total, message=message[:500]
    )
