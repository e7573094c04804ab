"""Progress reporting for background tasks (read by the "Mes tâches" page and the API)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError

from spld.core.models import TaskProgress

# What the task backend's statuses mean for a person (and in the API's `state` field).
STATES = {"READY": "pending", "RUNNING": "running", "SUCCESSFUL": "succeeded",
          "FAILED": "failed"}


class TaskFailed(Exception):
    """An expected failure of a task (bad file, refused address): its message is for people.

    Raising it marks the task as failed in the task backend, so every reader (« Mes tâches »,
    the API, the admin) sees a failure and not a success carrying an error.
    """

    def __init__(self, message: str, code: str = "failed") -> None:
        super().__init__(message)
        self.message = message
        self.code = code


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


def fail(task_id: str, message: str, code: str = "failed") -> TaskFailed:
    """Record the reason of a failure (progress stays where it stopped); raise what it returns."""
    TaskProgress.objects.filter(task_id=str(task_id)).update(message=message[:500])
    return TaskFailed(message, code)


def _reported_failure(result: Any) -> str | None:
    # Tasks recorded before failures were raised returned {"ok": False, "message": …}.
    value = getattr(result, "return_value", None)
    if result is not None and result.status == "SUCCESSFUL" and isinstance(value, dict) \
            and value.get("ok") is False:
        return str(value.get("message") or "")
    return None


def state_name(result: Any) -> str:
    """pending, running, succeeded, failed (or unknown) for a task backend result."""
    if result is None:
        return "unknown"
    if _reported_failure(result) is not None:
        return "failed"
    return STATES.get(result.status, "unknown")


def error_text(result: Any, progress: TaskProgress | None = None) -> str:
    """The message of a failed task a person can act on ("" unless it failed)."""
    reported = _reported_failure(result)
    if reported is not None:
        return reported
    if result is None or result.status != "FAILED":
        return ""
    expected = (result.exception_class_path or "").endswith(".TaskFailed")
    if expected and progress is not None and progress.message:
        return progress.message
    # Otherwise the last traceback line reads "ExceptionClass: message".
    lines = [line for line in (result.traceback or "").strip().splitlines() if line.strip()]
    if not lines:
        return (result.exception_class_path or "").rsplit(".", 1)[-1]
    return lines[-1].split(": ", 1)[-1] if expected else lines[-1]


def state_of(task_id: str) -> dict[str, Any]:
    """One task as the API shows it: state, percent, message and, when it failed, the error."""
    from django_tasks_db.models import DBTaskResult

    progress = TaskProgress.objects.filter(task_id=str(task_id)).first()
    try:
        result = DBTaskResult.objects.filter(id=task_id).first() if task_id else None
    except ValidationError:  # not a task id
        result = None
    state = state_name(result)
    return {
        "id": str(task_id),
        "state": state,
        "percent": progress.percent if progress else None,
        "message": progress.message if progress and state != "failed" else "",
        "error": error_text(result, progress),
        "started_at": result.started_at.isoformat() if result and result.started_at else None,
        "finished_at": result.finished_at.isoformat() if result and result.finished_at
        else None,
    }
