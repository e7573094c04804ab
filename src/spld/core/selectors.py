"""Reads of the shared kernel: the signed-in user's background tasks."""

from __future__ import annotations

from typing import Any

from spld.core.models import TaskProgress


def tasks_of(user: Any) -> list[dict[str, Any]]:
    """The user's background tasks with their status from the task backend."""
    from django_tasks_db.models import DBTaskResult

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
                "error": _task_error(result),
            }
        )
    return rows


def _task_error(result: Any) -> str:
    if result is None or result.status != "FAILED":
        return ""
    # The last traceback line reads "ExceptionClass: message", the part people can act on.
    lines = [line for line in (result.traceback or "").strip().splitlines() if line.strip()]
    return lines[-1] if lines else (result.exception_class_path or "").rsplit(".", 1)[-1]
