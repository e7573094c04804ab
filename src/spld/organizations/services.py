"""Writes about organisations; each change is recorded in the transparency log."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.text import slugify

from spld.core.permissions import require
from spld.ledger import services as ledger
from spld.organizations.models import Organization

EDITABLE_FIELDS = ("name", "description", "kind", "territory", "website", "dpo_contact", "siren")


def create_organization(
    *, actor: Any, name: str, siren: str, kind: str, slug: str = "", **fields: Any
) -> Organization:
    """Register a partner organisation."""
    require(actor, "organizations.create")
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"unknown organisation fields: {sorted(unknown)}")
    organization = Organization(
        name=name,
        siren=siren.replace(" ", ""),
        kind=kind,
        slug=slug or slugify(name)[:80],
        **fields,
    )
    with transaction.atomic():
        organization.full_clean()
        organization.save()
        ledger.record(actor=actor, subject=organization, action="created")
    return organization


def update_organization(*, actor: Any, organization: Organization, **changes: Any) -> Organization:
    """Change an organisation's public description."""
    require(actor, "organizations.change", organization)
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"unknown organisation fields: {sorted(unknown)}")
    if "siren" in changes:
        # Identity changes are reserved to the SPLD team.
        require(actor, "organizations.create")
    with transaction.atomic():
        for field, value in changes.items():
            setattr(organization, field, value)
        organization.full_clean()
        organization.save()
        ledger.record(actor=actor, subject=organization, action="updated")
    return organization
