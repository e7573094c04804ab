"""Failure counters that pause a key (account and address, address, code) after failures."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from spld.accounts.models import Throttle


@dataclass(frozen=True)
class Policy:
    """How many failures a key may make within a window, and how long it then pauses."""

    max_failures: int
    window: int
    first_pause: int
    max_pause: int

    def pause(self, failures: int) -> int:
        """Seconds of pause after this many failures (0 below the limit), doubling past it."""
        if failures < self.max_failures:
            return 0
        extra = min(failures - self.max_failures, 40)  # the cap makes larger exponents moot
        return min(self.first_pause * 2**extra, self.max_pause)


def account_address_policy() -> Policy:
    """One account from one address: exponential back-off, so the owner elsewhere is not hit."""
    return Policy(
        settings.LOGIN_MAX_FAILURES,
        settings.LOGIN_BACKOFF_MAX_SECONDS,
        settings.LOGIN_BACKOFF_SECONDS,
        settings.LOGIN_BACKOFF_MAX_SECONDS,
    )


def address_policy() -> Policy:
    """One address, all accounts together: a plain rate limit against password spraying."""
    seconds = settings.LOGIN_THROTTLE_SECONDS
    return Policy(settings.LOGIN_ADDRESS_MAX_FAILURES, seconds, seconds, seconds)


def code_policy() -> Policy:
    """Guessing an e-mail verification code."""
    seconds = settings.LOGIN_THROTTLE_SECONDS
    return Policy(settings.LOGIN_MAX_FAILURES, seconds, seconds, seconds)


def _digest(value: str) -> str:
    # Hash so that no e-mail address or IP sits in clear in this table.
    return hashlib.sha256(value.strip().lower().encode()).hexdigest()


def _key(kind: str, *values: str) -> str:
    # The first value leads so that every key of one account shares a prefix (see clear_prefix).
    return ":".join([kind, *(_digest(value) for value in values)])


def blocked_until(kind: str, *values: str) -> datetime | None:
    """When the pause for this key ends, or None if it is not paused."""
    row = Throttle.objects.filter(key=_key(kind, *values)).first()
    if row and row.blocked_until and row.blocked_until > timezone.now():
        return row.blocked_until
    return None


def record_failure(kind: str, *values: str, policy: Policy | None = None) -> datetime | None:
    """Count one failure; return the end of the pause it starts, if it starts one."""
    policy = policy or code_policy()
    now = timezone.now()
    with transaction.atomic():
        row, created = Throttle.objects.select_for_update().get_or_create(
            key=_key(kind, *values), defaults={"window_start": now}
        )
        if created and row.pk % PURGE_EVERY == 0:
            purge_expired(now=now)
        if row.window_start < now - timedelta(seconds=policy.window):
            row.failures, row.window_start, row.blocked_until = 0, now, None
        row.failures += 1
        pause = policy.pause(row.failures)
        if pause:
            row.blocked_until = now + timedelta(seconds=pause)
        row.save()
    return row.blocked_until if pause else None


# Each new key gives a chance to drop dead ones, so a spray of guesses cannot grow the table.
PURGE_EVERY = 100


def purge_expired(*, now: datetime | None = None) -> int:
    """Delete counters whose window and pause are both over (they would restart at zero)."""
    now = now or timezone.now()
    longest = max(settings.LOGIN_BACKOFF_MAX_SECONDS, settings.LOGIN_THROTTLE_SECONDS)
    stale = Throttle.objects.filter(window_start__lt=now - timedelta(seconds=longest)).filter(
        Q(blocked_until__isnull=True) | Q(blocked_until__lte=now)
    )
    deleted, _ = stale.delete()
    return deleted


def reset(kind: str, *values: str) -> None:
    """Forget failures after a success."""
    Throttle.objects.filter(key=_key(kind, *values)).delete()


def clear_prefix(kind: str, first: str) -> int:
    """Forget every key of this kind starting with `first` (one account, all addresses)."""
    deleted, _ = Throttle.objects.filter(key__startswith=f"{kind}:{_digest(first)}:").delete()
    return deleted
