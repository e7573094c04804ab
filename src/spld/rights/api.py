"""Consent API for organisations (`/api/1/consents`, organisation token)."""

from __future__ import annotations

from typing import Annotated, Any

from django.conf import settings
from django.http import Http404, HttpRequest
from django.urls import reverse
from ninja import Field, Router, Status

from spld.accounts.auth import token_auth
from spld.core.pagination import MAX_OFFSET
from spld.rights import schemas, selectors, services
from spld.rights.models import ConsentRecord

router = Router(tags=["consentements"])


def _out(record: ConsentRecord) -> dict[str, Any]:
    events = list(record.events.select_related("receipt"))
    last_receipt = next((e.receipt for e in reversed(events) if e.receipt), None)
    return {
        "id": str(record.uid), "state": record.state, "purpose": record.purpose,
        "processing_activity": record.activity_ref, "notice_version": record.notice.version,
        "linked_to_account": record.user_id is not None, "given_at": record.given_at,
        "withdrawn_at": record.withdrawn_at, "expires_at": record.expires_at,
        "events": [{"kind": e.kind, "at": e.at, "by": e.by,
                    "receipt_log_index": e.receipt.log_index if e.receipt else None}
                   for e in events],
        "receipt": last_receipt.jws if last_receipt else None,
        "consent_page": settings.SITE_URL.rstrip("/") + reverse(
            "rights:consent_page", args=[record.notice.uid]),
    }


@router.post("", response={201: schemas.ConsentOut}, auth=token_auth,
             summary="Enregistrer un consentement recueilli")
def create_consent(request: HttpRequest, payload: schemas.ConsentCreate) -> Status:
    """Record (or renew) a consent; a signed receipt is issued when the citizen is known."""
    actor = request.auth  # type: ignore[attr-defined]
    record = services.record_consent(
        actor=actor, organization=actor.organization, subject_email=payload.subject_email,
        activity_ref=payload.processing_activity.ref,
        activity_name=payload.processing_activity.name, purpose=payload.purpose,
        purpose_dpv=payload.purpose_dpv, notice_version=payload.notice.version,
        language=payload.notice.language, notice_text=payload.notice.text,
        data_categories=payload.data_categories, retention=payload.retention,
        recipients=payload.recipients, withdrawal_method=payload.withdrawal_method,
        policy_url=payload.notice.policy_url, expires_at=payload.expires_at,
    )
    return Status(201, _out(record))


@router.get("", response=list[schemas.ConsentOut], auth=token_auth,
            summary="Consentements enregistrés par l’organisation")
def list_consents(request: HttpRequest, state: str = "",
                  limit: Annotated[int, Field(ge=1, le=1000)] = 100,
                  offset: Annotated[int, Field(ge=0, le=MAX_OFFSET)] = 0) -> list[dict[str, Any]]:
    """The organisation's own consent records (to learn about withdrawals)."""
    actor = request.auth  # type: ignore[attr-defined]
    qs = selectors.consents_recorded_by(actor.organization, state=state)
    return [_out(r) for r in qs[offset: offset + limit]]


@router.get("/{uid}", response=schemas.ConsentOut, auth=token_auth,
            summary="État d’un consentement")
def get_consent(request: HttpRequest, uid: str) -> dict[str, Any]:
    """One consent record of the organisation (404 for another organisation's)."""
    actor = request.auth  # type: ignore[attr-defined]
    record = selectors.consent_recorded_by(actor.organization, uid)
    if record is None:
        raise Http404("consent not found")
    return _out(record)
