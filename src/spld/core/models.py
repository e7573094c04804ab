"""Shared base models: timestamps, public records and background task progress."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeStamped(models.Model):
    """Creation and modification times."""

    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)

    class Meta:
        abstract = True


class PublicRecord(TimeStamped):
    """A record the charter says must be public; every change of it is logged in the ledger."""

    # Type name used in the transparency log, e.g. "organization".
    public_type: str = ""

    class Meta:
        abstract = True

    def public_id(self) -> str:
        """Stable identifier of this record in the log."""
        return str(self.pk)

    def public_payload(self) -> dict[str, Any]:
        """JSON published for this record (no personal data)."""
        raise NotImplementedError


class TaskProgress(models.Model):
    """Progress of a background task, shown to the user who started it."""

    task_id = models.CharField(max_length=64, primary_key=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="task_progress",
    )
    label = models.CharField(_("tâche"), max_length=200)
    done = models.PositiveBigIntegerField(default=0)
    total = models.PositiveBigIntegerField(default=0)
    message = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.label

    @property
    def percent(self) -> int | None:
        """Completion in percent, or None when the total is unknown."""
        if not self.total:
            return None
        return min(100, round(100 * self.done / self.total))


class WorkerLease(models.Model):
    """A running worker's heartbeat: its tasks are abandoned once the lease has expired."""

    worker_id = models.CharField(max_length=64, primary_key=True)
    hostname = models.CharField(max_length=255, blank=True)
    pid = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField(auto_now_add=True)
    heartbeat_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.worker_id} ({self.hostname}:{self.pid})"
