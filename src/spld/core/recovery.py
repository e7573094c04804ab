"""Crash recovery of background tasks: worker leases, lost tasks retried or failed, orphans swept.

A `spld worker` renews its lease (`WorkerLease`) while it runs. A task left RUNNING by a worker
whose lease expired (killed, machine down) is put back in the queue, or failed with a French
message after SPLD_TASK_MAX_ATTEMPTS runs. Apps register what to undo for their own tasks
(temporary files, the status shown to the publisher) with `on_lost`.
"""

from __future__ import annotations

import logging
import os
import shutil
import socket
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from spld.core.models import TaskProgress, WorkerLease

logger = logging.getLogger(__name__)

# task module path → handler(db_row, final, message); registered by the apps' tasks modules.
_HANDLERS: dict[str, Callable[[Any, bool, str], None]] = {}
LOST_EXCEPTION = "spld.core.recovery.WorkerLost"


def on_lost(task: Any) -> Callable[[Callable[[Any, bool, str], None]], Callable]:
    """Register what to undo when a run of `task` is lost (called on retry and on failure)."""

    def register(handler: Callable[[Any, bool, str], None]) -> Callable:
        _HANDLERS[task.module_path] = handler
        return handler

    return register


def lease_seconds() -> int:
    return max(1, int(settings.SPLD_TASK_LEASE_SECONDS))


def renew(worker_id: str) -> None:
    """Record that this worker is alive."""
    now = timezone.now()
    updated = WorkerLease.objects.filter(worker_id=worker_id).update(heartbeat_at=now)
    if not updated:
        WorkerLease.objects.create(worker_id=worker_id, hostname=socket.gethostname()[:255],
                                   pid=os.getpid(), heartbeat_at=now)


def release(worker_id: str) -> None:
    """A worker that stops cleanly gives its lease back."""
    WorkerLease.objects.filter(worker_id=worker_id).delete()


def _lost_message(attempts: int) -> str:
    return _("Tâche interrompue : le processus qui l’exécutait s’est arrêté (essais : {n}). "
             "Relancez l’opération ; le fichier déjà publié reste servi.").format(n=attempts)


def recover_lost_tasks() -> dict[str, int]:
    """Requeue or fail the RUNNING tasks whose worker's lease expired; returns the counts."""
    from django_tasks_db.models import DBTaskResult

    now = timezone.now()
    expired = now - timedelta(seconds=lease_seconds())
    alive = set(WorkerLease.objects.filter(heartbeat_at__gte=expired)
                .values_list("worker_id", flat=True))
    counts = {"retried": 0, "failed": 0}
    candidates = DBTaskResult.objects.running().filter(started_at__lt=expired)
    for pk, worker_ids in candidates.values_list("pk", "worker_ids"):
        if worker_ids and worker_ids[-1] in alive:
            continue
        outcome = _recover_one(pk, alive, expired)
        if outcome:
            counts[outcome] += 1
    WorkerLease.objects.filter(heartbeat_at__lt=now - timedelta(seconds=10 * lease_seconds())
                               ).delete()
    return counts


def _recover_one(pk: Any, alive: set[str], expired: Any) -> str | None:
    from django_tasks_db.models import DBTaskResult
    from django_tasks_db.utils import exclusive_transaction

    with exclusive_transaction(DBTaskResult.objects.db):
        row = (DBTaskResult.objects.select_for_update(skip_locked=True)
               .filter(pk=pk, status="RUNNING", started_at__lt=expired).first())
        if row is None or (row.worker_ids and row.worker_ids[-1] in alive):
            return None  # finished meanwhile, or another worker is recovering it
        attempts = len(row.worker_ids)
        final = attempts >= max(1, int(settings.SPLD_TASK_MAX_ATTEMPTS))
        message = _lost_message(attempts)
        if final:
            row.status = "FAILED"
            row.finished_at = timezone.now()
            row.exception_class_path = LOST_EXCEPTION
            row.traceback = message
            row.return_value = None
            row.save(update_fields=["status", "finished_at", "exception_class_path",
                                    "traceback", "return_value"])
        else:
            row.status = "READY"
            row.started_at = None
            row.save(update_fields=["status", "started_at"])
        TaskProgress.objects.filter(task_id=str(row.pk)).update(
            message=(message if final else _("Reprise après l’arrêt d’un processus "
                                              "(essais : {n})").format(n=attempts))[:500])
    logger.warning("task %s (%s) lost by its worker: %s", row.pk, row.task_path,
                   "failed" if final else "requeued")
    _run_handler(row, final, message)
    return "failed" if final else "retried"


def _run_handler(row: Any, final: bool, message: str) -> None:
    try:
        import_string(row.task_path)  # imports the tasks module, which registers its handler
    except ImportError:
        return
    handler = _HANDLERS.get(row.task_path)
    if handler is None:
        return
    try:
        handler(row, final, message)
    except Exception:  # one broken cleanup must not stop the recovery of the other tasks
        logger.exception("cleanup of lost task %s failed", row.pk)


def sweep_orphans(max_age: float | None = None) -> int:
    """Remove temporary files (….tmp, uploads/….work) nobody has written to for a long time."""
    max_age = 6 * 3600 if max_age is None else max_age
    data = Path(settings.DATA_DIR)
    cutoff = time.time() - max_age
    removed = 0
    for folder, pattern in (("datasets", "*.tmp"), ("uploads", "*.work")):
        root = data / folder
        if not root.is_dir():
            continue
        for path in root.rglob(pattern):
            try:
                if path.lstat().st_mtime >= cutoff:
                    continue
                if path.is_dir():
                    shutil.rmtree(path, ignore_errors=True)
                else:
                    path.unlink(missing_ok=True)
                removed += 1
            except OSError:
                continue
    return removed


# name → (seconds between runs, 0 = off; job); registered by the apps' `ready()`.
_PERIODIC: dict[str, tuple[Callable[[], int], Callable[[], Any]]] = {}
_last_run: dict[str, float] = {}


def every(name: str, seconds: Callable[[], int]) -> Callable[[Callable[[], Any]], Callable]:
    """Run a job inside every `spld worker`, at most once per `seconds()` (the scheduler)."""

    def register(job: Callable[[], Any]) -> Callable:
        _PERIODIC[name] = (seconds, job)
        return job

    return register


def run_due_jobs() -> list[str]:
    """Run the periodic jobs whose delay has passed; returns their names."""
    ran = []
    for name, (seconds, job) in list(_PERIODIC.items()):
        delay = seconds()
        if delay <= 0 or time.monotonic() - _last_run.get(name, -1e12) < delay:
            continue
        _last_run[name] = time.monotonic()
        try:
            job()
        except Exception:  # one failing job must not stop the others nor the worker
            logger.exception("periodic job %s failed", name)
        ran.append(name)
    return ran


def maintain(worker_id: str) -> None:
    """One heartbeat: renew the lease, recover lost tasks, sweep old orphans, run due jobs."""
    renew(worker_id)
    recover_lost_tasks()
    sweep_orphans()
    run_due_jobs()


def _guarded(step: Callable[[], Any], *, close: bool = False) -> None:
    try:
        step()
    except Exception:  # a locked SQLite database or a lost connection: try again next beat
        logger.exception("task maintenance step failed")
    finally:
        if close:  # the heartbeat thread's own connection, not the worker's
            from django.db import connection

            connection.close()


class Heartbeat:
    """A thread that keeps the worker's lease and recovers lost tasks while tasks run."""

    def __init__(self, worker_id: str) -> None:
        import threading

        self.worker_id = worker_id
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="spld-heartbeat", daemon=True)

    def start(self) -> None:
        _guarded(lambda: maintain(self.worker_id))
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(lease_seconds() / 4):
            _guarded(lambda: maintain(self.worker_id), close=True)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)
        _guarded(lambda: release(self.worker_id))

