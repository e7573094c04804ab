"""Reads of the shared kernel: the signed-in user's background tasks."""

from __future__ import annotations

from typing import Any

from spld.core.models import TaskProgress


def tasks_of(user: Any) -> list[dict[str, Any]]:
    """The user's background tasks with their state from the task backend."""
    from django_tasks_db.models import DBTaskResult

    from spld.core.progress import error_text, state_name

    progress = list(TaskProgress.objects.filter(owner=user)[:50])
    statuses = {
        str(r.id): r for r in DBTaskResult.objects.filter(id__in=[p.task_id for p in progress])
    }
    rows = []
    for p in progress:
        result = statuses.get(p.task_id)
        rows.append(
            {
                "progress": p,
                "status": result.status if result else "UNKNOWN",
                "state": state_name(result),
                "error": error_text(result, p),
            }
        )
    return rows
