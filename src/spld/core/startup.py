"""The start-up guard of servers and workers: no start with a missing or foreign key."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import CommandError
from django.utils.module_loading import import_string


def refuse_unsafe_start() -> None:
    """Run settings.STARTUP_CHECK (set by the project, which knows every app); CommandError."""
    check = getattr(settings, "STARTUP_CHECK", "")
    if not check:
        return
    try:
        import_string(check)()
    except ImproperlyConfigured as exc:
        raise CommandError(str(exc)) from exc
