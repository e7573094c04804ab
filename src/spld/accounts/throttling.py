"""Failure counters that pause a key (account, address) after too many failures."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from spld.accounts.models import Throttle


def _key(kind: str, value: str) -> str:
    # Hash so that no e-mail address or IP sits in clear in this table.
    return f"{kind}:{hashlib.sha256(value.lower().encode()).hexdigest()}"


def blocked_until(kind: str, value: str) -> datetime | None:
    """When the pause for this key ends, or None if it is not paused."""
    row = Throttle.objects.filter(key=_key(kind, value)).first()
    if row and row.blocked_until and row.blocked_until > timezone.now():
        return row.blocked_until
    return None


def record_failure(kind: str, value: str) -> None:
    """Count one failure; pause the key once the limit is reached within the window."""
    max_failures, pause = settings.LOGIN_MAX_FAILURES, settings.LOGIN_THROTTLE_SECONDS
    now = timezone.now()
    with transaction.atomic():
        row, _ = Throttle.objects.select_for_update().get_or_create(
            key=_key(kind, value), defaults={"window_start": now}
        )
        if row.window_start < now - timedelta(seconds=pause):
            row.failures, row.window_start = 0, now
        row.failures += 1
        if row.failures >= max_failures:
            row.blocked_until = now + timedelta(seconds=pause)
        row.save()


def reset(kind: str, value: str) -> None:
    """Forget failures after a success."""
    Throttle.objects.filter(key=_key(kind, value)).delete()
