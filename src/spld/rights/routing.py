"""Which organisations a rights request should go to, read from the record of processing.

Uses spld.registers when it is installed (its selectors when they exist); until then, and
for organisations with nothing declared, falls back to the citizen's consents and to the
organisations serving the citizen's commune.
"""

from __future__ import annotations

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


def _activities(organization_ids: set[int] | None = None) -> list[Any]:
    """Processing activities of personal data in the register (active or planned)."""
    if not registers_available():
        return []
    try:
        from spld.registers import selectors as register_selectors  # type: ignore[attr-defined]

        listing = getattr(register_selectors, "processing_activities_for_rights", None)
    except ImportError:
        listing = None
    if listing is not None:
        return list(listing())
    model = apps.get_model("registers", "ProcessingActivity")
    qs = model.objects.select_related("organization").exclude(status="ended")
    if organization_ids is not None:
        qs = qs.filter(organization_id__in=organization_ids)
    return list(qs)


def activity_exists(organization: Organization, ref: str) -> bool | None:
    """Whether `ref` is a processing activity of `organization` (None: no register to ask)."""
    if not registers_available():
        return None
    model = apps.get_model("registers", "ProcessingActivity")
    try:
        return model.objects.filter(organization=organization, uid=ref).exists()
    except Exception:  # noqa: BLE001  (not a UUID: cannot be a register entry)
        return False


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
