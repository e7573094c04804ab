"""Writes of the data API: the log of reads of shared and restricted data."""

from __future__ import annotations

from typing import Any

from spld.dataapi.models import DataRead


def log_read(*, actor: Any, resource: Any, kind: str, query: str = "") -> DataRead | None:
    """Record who read a non-open resource, when and how (open data reads are not logged)."""
    if resource.dataset.access_level == "open":
        return None
    token_org = getattr(actor, "organization", None)
    return DataRead.objects.create(
        resource=resource, kind=kind, query=query[:1000],
        user=actor if getattr(actor, "pk", None) and hasattr(actor, "memberships") else None,
        organization=token_org, token_id=getattr(actor, "token_id", None),
    )
