"""Pause the background worker during a backup: a file lock every task takes shared."""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.conf import settings

_held: dict[str, int] = {}


def lock_path() -> Path:
    """The lock file shared by the workers and `spld backup` (in SPLD_DATA_DIR)."""
    return Path(settings.DATA_DIR) / "worker.lock"


def _open() -> int:
    path = lock_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    return os.open(path, os.O_RDWR | os.O_CREAT, 0o600)


def _task_started(**_kwargs: Any) -> None:
    _task_finished()
    fd = _open()
    fcntl.flock(fd, fcntl.LOCK_SH)  # waits while a backup holds the lock
    _held["fd"] = fd


def _task_finished(**_kwargs: Any) -> None:
    fd = _held.pop("fd", None)
    if fd is not None:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def hold_tasks_during_backups() -> None:
    """Make this process's worker wait before each task while a backup runs."""
    from django_tasks_db.compat import task_finished, task_started

    task_started.connect(_task_started, dispatch_uid="spld-pause-start")
    task_finished.connect(_task_finished, dispatch_uid="spld-pause-finish")


@contextlib.contextmanager
def tasks_paused(timeout: float = 600.0) -> Iterator[None]:
    """Wait for running tasks to end, keep new ones waiting until the block ends."""
    fd = _open()
    deadline = time.monotonic() + timeout
    try:
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise TimeoutError(
                        f"a background task still runs after {timeout:.0f} s"
                    ) from None
                time.sleep(0.2)
        yield
    finally:
        with contextlib.suppress(OSError):
            fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)
