"""Which organisations a rights request should go to, read from the record of processing.

Uses spld.registers when it is installed (its selectors when they exist); until then, and
for organisations with nothing declared, falls back to the citizen's consents and to the
organisations serving the citizen's commune.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db.models import Q

from spld.organizations.models import Organization
from spld.rights.models import ConsentRecord


@dataclass
class Proposal:
    """An organisation proposed for a request, with why."""

    organization: Organization
    activities: list[dict[str, str]] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)


def registers_available() -> bool:
    """True when the registers app is installed (its tables exist)."""
    return apps.is_installed("spld.registers")


def _activities(organization: Organization | None = None) -> list[Any]:
    """Processing activities in the register that are not ended (via its selectors)."""
    if not registers_available():
        return []
    from spld.registers import selectors as register_selectors

    return list(register_selectors.processing_list(organization=organization)
                .exclude(status="ended"))


def activity_exists(organization: Organization, ref: str) -> bool | None:
    """Whether `ref` is a processing activity of `organization` (None: no register to ask)."""
    if not registers_available():
        return None
    try:
        uuid.UUID(str(ref))
    except ValueError:
        return False
    from spld.registers import selectors as register_selectors

    return register_selectors.processing_list(organization=organization).filter(
        uid=ref).exists()


def declared_holders() -> dict[int, dict[str, Any]]:
    """Organisations with the processing activities they declare, by organisation id."""
    if not registers_available():
        return {}
    from spld.registers import selectors as register_selectors

    return {h["organization"].pk: h for h in register_selectors.holders()}


def situations() -> list[str]:
    """The categories of data subjects declared in the register, for the citizen to pick."""
    seen: set[str] = set()
    for activity in _activities():
        seen.update(s.strip() for s in activity.data_subjects if s.strip())
    return sorted(seen, key=str.casefold)


def propose(*, user: Any, commune: str = "", chosen_situations: list[str] | None = None,
            ) -> list[Proposal]:
    """Organisations whose processing activities cover the citizen's situation."""
    wanted = {s.casefold() for s in (chosen_situations or [])}
    proposals: dict[int, Proposal] = {}

    def add(org: Organization, reason: str) -> Proposal:
        proposal = proposals.setdefault(org.pk, Proposal(organization=org))
        if reason not in proposal.reasons:
            proposal.reasons.append(reason)
        return proposal

    for activity in _activities():
        subjects = {s.casefold() for s in activity.data_subjects}
        org = activity.organization
        if commune and org.territory and commune not in org.territory:
            continue
        if wanted & subjects:
            proposal = add(org, "register")
            proposal.activities.append({"uid": str(activity.uid), "name": activity.name})
    consent_orgs = Organization.objects.filter(
        pk__in=ConsentRecord.objects.filter(user=user).values("organization_id")
    )
    for org in consent_orgs:
        add(org, "consent")
    if not proposals and commune:
        for org in Organization.objects.filter(Q(territory__contains=[commune])
                                               if _json_contains() else Q()):
            if commune in (org.territory or []):
                add(org, "territory")
    return sorted(proposals.values(), key=lambda p: p.organization.name.casefold())


def _json_contains() -> bool:
    # SQLite has no JSON containment lookup: filter in Python there.
    from django.db import connection

    return connection.vendor == "postgresql"
