"""Logging filters: expected refusals are logged in one line, without a traceback."""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied


class ExpectedFailures(logging.Filter):
    """Drop the traceback of expected failures (a 403, a task that failed for a known reason).

    They are part of normal use (a link followed without the right, a bad file): a traceback
    per occurrence would bury the real errors of the server log.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        from spld.core.progress import TaskFailed

        exc = record.exc_info[1] if isinstance(record.exc_info, tuple) else None
        if isinstance(exc, PermissionDenied | TaskFailed):
            if isinstance(exc, TaskFailed):
                reason = f"{exc.code}: {exc.message}".replace("%", "%%")  # msg is %-formatted
                record.msg = f"{record.msg} ({reason})"
            record.exc_info = None
            record.exc_text = None
        return True
