"""Scheduled maintenance: expire consents, flag overdue requests, purge past retention."""

from __future__ import annotations

from django_tasks import task

from spld.rights import services


@task()
def rights_maintenance() -> dict[str, int]:
    """Run the daily maintenance; returns counts only (never personal data)."""
    counts = {"consents_expired": services.expire_consents(actor="system"),
              "parts_flagged_overdue": services.flag_overdue(actor="system")}
    counts.update(services.purge_expired(actor="system"))
    return counts
