"""Reads about consents, requests, receipts, the access log and public statistics."""

from __future__ import annotations

import statistics
import uuid
from collections import Counter
from datetime import date, datetime
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from spld.organizations.models import Organization
from spld.rights.models import (
    AccessLogEntry,
    CitizenVault,
    ConsentEvent,
    ConsentRecord,
    Receipt,
    RequestPart,
    RightsRequest,
)

# Public statistics never show a count below this (re-identification risk).
SUPPRESSION_THRESHOLD = 5


def consents_of(user: Any) -> QuerySet[ConsentRecord]:
    """A citizen's consents with their notice, controller and events."""
    return (ConsentRecord.objects.filter(user=user)
            .select_related("organization", "notice")
            .prefetch_related(Prefetch("events", queryset=ConsentEvent.objects
                                       .select_related("receipt")))
            .order_by("organization__name", "purpose"))


def consent_of(user: Any, uid: str | uuid.UUID) -> ConsentRecord | None:
    """One of the citizen's consents (None for anyone else's)."""
    if not _is_uuid(uid):
        return None
    return consents_of(user).filter(uid=uid).first()


def consents_recorded_by(organization: Organization, *, state: str = "",
                         ) -> QuerySet[ConsentRecord]:
    """The consent records of one controller organisation."""
    qs = ConsentRecord.objects.filter(organization=organization).select_related(
        "notice").order_by("-updated_at", "pk")
    return qs.filter(state=state) if state else qs


def consent_recorded_by(organization: Organization, uid: str) -> ConsentRecord | None:
    """One consent record of this organisation (None for another's or a bad id)."""
    if not _is_uuid(uid):
        return None
    return consents_recorded_by(organization).filter(uid=uid).first()


def _is_uuid(value: str | uuid.UUID) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


def receipts_of(user: Any) -> QuerySet[Receipt]:
    """A citizen's receipts, newest first."""
    return Receipt.objects.filter(user=user).order_by("-created_at")


def receipt_of(user: Any, uid: str | uuid.UUID) -> Receipt | None:
    """One of the citizen's receipts (None for anyone else's)."""
    if not _is_uuid(uid):
        return None
    return receipts_of(user).filter(uid=uid).first()


def requests_of(user: Any) -> QuerySet[RightsRequest]:
    """A citizen's rights requests with their parts."""
    return (RightsRequest.objects.filter(user=user)
            .prefetch_related(Prefetch("parts", queryset=RequestPart.objects
                                       .select_related("organization", "receipt")))
            .order_by("-created_at"))


def request_of(user: Any, uid: str | uuid.UUID) -> RightsRequest | None:
    """One of the citizen's requests (None for anyone else's)."""
    if not _is_uuid(uid):
        return None
    return requests_of(user).filter(uid=uid).first()


def parts_for(organization: Organization) -> QuerySet[RequestPart]:
    """The parts routed to one organisation (and only those)."""
    return (RequestPart.objects.filter(organization=organization)
            .select_related("request", "organization").order_by("status", "due_on", "pk"))


def part_for(organization: Organization, uid: str | uuid.UUID) -> RequestPart | None:
    """One part routed to this organisation (None if routed elsewhere)."""
    if not _is_uuid(uid):
        return None
    return parts_for(organization).filter(uid=uid).first()


def overdue_parts(organization: Organization | None = None) -> list[RequestPart]:
    """Open parts past their deadline (all organisations for the SPLD team)."""
    qs = RequestPart.objects.select_related("organization", "request").filter(
        status__in=[RequestPart.Status.PENDING, RequestPart.Status.EXTENDED])
    if organization is not None:
        qs = qs.filter(organization=organization)
    return [p for p in qs if p.is_overdue]


def access_log_for_citizen(user: Any) -> QuerySet[AccessLogEntry]:
    """Staff reads of this citizen's data (by their current pseudonym)."""
    vault = CitizenVault.objects.filter(user=user).first()
    if vault is None:
        return AccessLogEntry.objects.none()
    return (AccessLogEntry.objects.filter(subject_ref=vault.subject_ref)
            .select_related("organization", "staff"))


def access_log_for_dpo(organization: Organization | None) -> QuerySet[AccessLogEntry]:
    """An organisation's access log (every organisation's for the SPLD team)."""
    qs = AccessLogEntry.objects.select_related("organization", "staff").order_by("at", "pk")
    return qs if organization is None else qs.filter(organization=organization)


def _as_datetime(value: date | datetime, *, end: bool = False) -> datetime:
    if isinstance(value, datetime):
        return value if timezone.is_aware(value) else timezone.make_aware(value)
    moment = datetime.combine(value, datetime.max.time() if end else datetime.min.time())
    return timezone.make_aware(moment)


def on_time_share(organization: Organization, start: date | datetime,
                  end: date | datetime) -> float | None:
    """Share (0–1) of the organisation's parts due in [start, end] answered by their deadline.

    A part counts once its deadline is inside the period: answered on time, answered late,
    or still open past the deadline (late). None when no part was due in the period.
    """
    start_day = _as_datetime(start).date() if isinstance(start, datetime) else start
    end_day = _as_datetime(end, end=True).date() if isinstance(end, datetime) else end
    today = timezone.localdate()
    due, on_time = 0, 0
    for part in RequestPart.objects.filter(organization=organization).exclude(
            status=RequestPart.Status.CANCELLED):
        deadline = part.deadline
        if not (start_day <= deadline <= end_day):
            continue
        if part.answered_at is None and deadline >= today:
            continue  # still in time: not decided yet
        due += 1
        if part.answered_on_time:
            on_time += 1
    return None if due == 0 else on_time / due


def _suppress(count: int) -> int | None:
    return count if count >= SUPPRESSION_THRESHOLD else None


def public_statistics() -> dict[str, Any]:
    """Counts per type, organisation, outcome (under 5 hidden), median delay, on-time share."""
    parts = list(RequestPart.objects.select_related("request", "organization").exclude(
        status=RequestPart.Status.CANCELLED))
    by_kind = Counter(p.request.kind for p in parts)
    by_outcome = Counter(p.status for p in parts)
    by_org: dict[str, Counter[str]] = {}
    names: dict[str, str] = {}
    for p in parts:
        by_org.setdefault(p.organization.slug, Counter())[p.status] += 1
        names[p.organization.slug] = p.organization.name
    answered = [p for p in parts if p.answered_at]
    delays = [(timezone.localdate(p.answered_at) - p.received_on).days for p in answered]
    decided = [p for p in parts if p.answered_at or p.is_overdue]
    on_time = sum(1 for p in decided if p.answered_on_time)
    kinds = dict(RightsRequest.Kind.choices)
    outcomes = dict(RequestPart.Status.choices)
    orgs = []
    for slug, counts in sorted(by_org.items(), key=lambda kv: names[kv[0]].casefold()):
        total = sum(counts.values())
        orgs.append({
            "slug": slug, "name": names[slug], "total": _suppress(total),
            "outcomes": {k: _suppress(counts.get(k, 0)) for k in outcomes if k != "cancelled"},
        })
    enough = len(answered) >= SUPPRESSION_THRESHOLD
    return {
        "threshold": SUPPRESSION_THRESHOLD,
        "total": _suppress(len(parts)),
        "by_kind": [{"kind": k, "label": str(label), "count": _suppress(by_kind.get(k, 0))}
                    for k, label in kinds.items()],
        "by_outcome": [{"status": k, "label": str(label), "count": _suppress(by_outcome.get(k, 0))}
                       for k, label in outcomes.items() if k != "cancelled"],
        "by_organization": orgs,
        "median_days": statistics.median(delays) if enough else None,
        "on_time_share": (on_time / len(decided)) if len(decided) >= SUPPRESSION_THRESHOLD
        else None,
    }


def known_communes() -> list[tuple[str, str]]:
    """(INSEE code, name) of the communes SPLD knows, by name: the territory's and its partners'.

    Names come from the territory's list of communes; a code only an organisation's territory
    names takes the name of the local authority serving that commune alone.
    """
    from spld.demo.territory import COMMUNES

    names = dict(COMMUNES)
    for org in Organization.objects.only("name", "kind", "territory"):
        codes = [c for c in (org.territory or []) if isinstance(c, str)]
        for code in codes:
            names.setdefault(code, "")
        if len(codes) == 1 and org.kind == "local_authority" and not names[codes[0]]:
            names[codes[0]] = org.name
    return sorted(((code, name or code) for code, name in names.items()),
                  key=lambda item: (item[1].casefold(), item[0]))


def commune_name(code: str) -> str:
    """The name of a known commune (empty when unknown)."""
    return dict(known_communes()).get(code, "") if code else ""


def communes_of(user: Any) -> list[str]:
    """The communes the person gave in their rights requests (most recent first)."""
    seen: list[str] = []
    for code in (RightsRequest.objects.filter(user=user).exclude(commune="")
                 .order_by("-created_at").values_list("commune", flat=True)):
        if code not in seen:
            seen.append(code)
    return seen


def holders_for(user: Any, *, communes: list[str]) -> dict[str, Any]:
    """« Qui détient mes données » for one person: organisations they deal with or that serve
    their commune, with the processing activities these declare in the register."""
    from spld.rights import routing

    registers = routing.registers_available()
    declared = routing.declared_holders()
    found: dict[int, dict[str, Any]] = {}

    def add(org: Organization, reason: str) -> None:
        entry = found.setdefault(org.pk, {
            "organization": org, "reasons": [],
            "activities": declared.get(org.pk, {}).get("activities", [])})
        if reason not in entry["reasons"]:
            entry["reasons"].append(reason)

    for record in ConsentRecord.objects.filter(user=user).select_related("organization"):
        add(record.organization, "consent")
    for part in RequestPart.objects.filter(request__user=user).select_related("organization"):
        add(part.organization, "request")
    if communes:
        # Only what the register declares: an organisation serving the commune with activities.
        for holder in declared.values():
            org = holder["organization"]
            if set(communes) & set(org.territory or []):
                add(org, "commune")
    items = sorted(found.values(), key=lambda e: e["organization"].name.casefold())
    return {"registers": registers, "holders": items}
