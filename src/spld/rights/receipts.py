"""Receipts: ISO/IEC TS 27560 records with Kantara CR 1.1 names, signed, hashed into the log."""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.utils import timezone

from spld.core.canonical import canonical_json
from spld.core.links import absolute_url
from spld.ledger import services as ledger
from spld.rights import jws
from spld.rights.models import ConsentEvent, ConsentRecord, Receipt, RequestPart, RightsRequest

SCHEMA = "ISO/IEC TS 27560:2023; Kantara Consent Receipt 1.1"
JURISDICTION = "FR"


def _ts(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace(
        "+00:00", "Z")


def body_digest(claims: dict[str, Any]) -> str:
    """SHA-256 of the canonical claims without their "log" member: the value in the log."""
    body = {k: v for k, v in claims.items() if k != "log"}
    return hashlib.sha256(canonical_json(body)).hexdigest()


def _controller(organization: Any) -> dict[str, Any]:
    return {
        "piiController": organization.name,
        "piiControllerId": organization.siren,
        "piiControllerUrl": organization.website or "",
        "contact": organization.dpo_contact or "",
        "onBehalf": False,
    }


def _issue(*, actor: Any, user: Any, kind: str, title: str, body: dict[str, Any]) -> Receipt:
    """Sign a receipt and append its hash to the transparency log (caller's transaction)."""
    receipt = Receipt(user=user, kind=kind, title=title[:300], uid=uuid.uuid4())
    now = timezone.now()
    claims = {
        "iss": settings.SITE_URL,
        "iat": int(now.timestamp()),
        "jti": str(receipt.uid),
        "version": "KI-CR-v1.1.0",
        "schema": SCHEMA,
        "receiptType": kind,
        "jurisdiction": JURISDICTION,
        "language": "fr",
        "consentReceiptID": str(receipt.uid),
        "issuedAt": _ts(now),
        **body,
    }
    receipt.body_sha256 = body_digest(claims)
    receipt.jws = ""
    receipt.save()
    entry = ledger.record(actor=actor, subject=receipt, action="issued")
    # The log's origin line names it in checkpoints; the URL says where to fetch them.
    claims["log"] = {"index": entry.index, "origin": settings.LOG_ORIGIN,
                     "url": absolute_url("/log/"),
                     "publicPayload": receipt.public_payload()}
    receipt.log_index = entry.index
    receipt.jws = jws.sign(claims)
    receipt.save(update_fields=["log_index", "jws", "updated_at"])
    return receipt


def for_consent_event(*, actor: Any, event: ConsentEvent, subject_ref: uuid.UUID) -> Receipt:
    """Receipt of one consent event (given, renewed, withdrawn, expired, refused)."""
    record: ConsentRecord = event.record
    notice = event.notice
    org = record.organization
    body = {
        "consentTimestamp": _ts(event.at),
        "collectionMethod": record.collection_method,
        "piiPrincipalId": f"urn:uuid:{subject_ref}",
        "piiControllers": [_controller(org)],
        "policyUrl": notice.policy_url,
        "services": [{
            "service": notice.activity_name,
            "purposes": [{
                "purpose": notice.purpose,
                "purposeCategory": [notice.purpose_dpv] if notice.purpose_dpv else [],
                "consentType": "EXPLICIT",
                "piiCategory": list(notice.data_categories),
                "primaryPurpose": True,
                "termination": notice.retention,
                "thirdPartyDisclosure": bool(notice.recipients),
                "thirdPartyName": ", ".join(notice.recipients),
            }],
        }],
        "sensitive": False,
        "spiCat": [],
        # ISO/IEC TS 27560 record, with W3C DPV terms.
        "record": {
            "record_id": str(record.uid),
            "schema_version": "27560:2023",
            "pii_principal": f"urn:uuid:{subject_ref}",
            "controller": org.siren,
            "processing_activity": record.activity_ref,
            "purpose": notice.purpose,
            "purpose_dpv": notice.purpose_dpv,
            "legal_basis": "dpv:Consent",
            "personal_data": list(notice.data_categories),
            "storage_duration": notice.retention,
            "recipients": list(notice.recipients),
            "withdrawal_method": notice.withdrawal_method,
            "notice": {"id": str(notice.uid), "version": notice.version,
                       "language": notice.language, "sha256": notice.text_sha256},
            "state": record.state,
            "event": {"type": _DPV_EVENTS[event.kind], "kind": event.kind,
                      "timestamp": _ts(event.at), "by": event.by},
        },
    }
    title = f"Consentement {event.get_kind_display()} — {org.name} — {notice.purpose}"
    return _issue(actor=actor, user=record.user, kind=Receipt.Kind.CONSENT, title=title,
                  body=body)


def for_request_part(*, actor: Any, part: RequestPart, subject_ref: uuid.UUID) -> Receipt:
    """Receipt of an organisation's answer to its part of a rights request."""
    request: RightsRequest = part.request
    body = {
        "consentTimestamp": _ts(part.answered_at or timezone.now()),
        "piiPrincipalId": f"urn:uuid:{subject_ref}",
        "piiControllers": [_controller(part.organization)],
        "request": {
            "request_id": str(request.uid),
            "part_id": str(part.uid),
            "right": request.kind,
            "right_dpv": f"dpv:{_DPV_RIGHTS[request.kind]}",
            "received_on": part.received_on.isoformat(),
            "due_on": part.deadline.isoformat(),
            "outcome": part.status,
            "answered_at": _ts(part.answered_at) if part.answered_at else None,
            "on_time": part.answered_on_time,
            "refusal_reason": part.refusal_reason or None,
        },
    }
    title = (f"Demande de {request.get_kind_display()} — {part.organization.name} — "
             f"{part.get_status_display()}")
    return _issue(actor=actor, user=request.user, kind=Receipt.Kind.REQUEST, title=title,
                  body=body)


def for_erasure(*, actor: Any, user: Any, subject_ref: uuid.UUID,
                deleted: dict[str, int], at: datetime) -> Receipt:
    """Receipt of a crypto-shredding erasure: what was deleted, and when."""
    body = {
        "consentTimestamp": _ts(at),
        "piiPrincipalId": f"urn:uuid:{subject_ref}",
        "piiControllers": [{"piiController": settings.SITE_NAME, "piiControllerUrl":
                            settings.SITE_URL, "onBehalf": False}],
        "erasure": {
            "erased_at": _ts(at),
            "method": "crypto-shredding: AES-256-GCM data key destroyed, rows deleted",
            "deleted": deleted,
            "right_dpv": "dpv:RightToErasure",
        },
    }
    return _issue(actor=actor, user=user, kind=Receipt.Kind.ERASURE,
                  title="Effacement de mes données", body=body)


_DPV_RIGHTS = {
    "access": "A15-RightOfAccess",
    "erasure": "A17-RightToErasure",
    "rectification": "A16-RightToRectification",
    "restriction": "A18-RightToRestrictProcessing",
    "objection": "A21-RightToObject",
    "portability": "A20-RightToDataPortability",
    "withdrawal": "A7-3-RightToWithdrawConsent",
}

_DPV_EVENTS = {
    "given": "dpv:ConsentGiven",
    "renewed": "dpv:RenewedConsentGiven",
    "withdrawn": "dpv:ConsentWithdrawn",
    "expired": "dpv:ConsentExpired",
    "refused": "dpv:ConsentRefused",
}
