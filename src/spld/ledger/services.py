"""Appending to the transparency log; called only from other apps' services."""

from __future__ import annotations

import hashlib
from typing import Any

from django.db import transaction
from django.utils import timezone

from spld.core.canonical import canonical_json
from spld.core.models import PublicRecord
from spld.ledger import merkle
from spld.ledger.models import LogEntry


def _actor_org(actor: Any, subject: PublicRecord) -> str:
    organization = getattr(actor, "organization", None)
    if organization is not None:
        return str(organization.slug)
    return ""


def record(*, actor: Any, subject: PublicRecord, action: str) -> LogEntry:
    """Append one leaf for `action` on `subject`, inside the caller's transaction."""
    payload = canonical_json(subject.public_payload())
    at = timezone.now()
    leaf_doc = {
        "type": subject.public_type,
        "id": subject.public_id(),
        "action": action,
        "at": at.isoformat().replace("+00:00", "Z"),
        "actor_org": _actor_org(actor, subject),
        "payload_sha256": hashlib.sha256(payload).hexdigest(),
    }
    leaf = canonical_json(leaf_doc)
    with transaction.atomic():
        last = LogEntry.objects.select_for_update().order_by("-index").first()
        index = 0 if last is None else last.index + 1
        return LogEntry.objects.create(
            index=index, leaf=leaf, leaf_hash=merkle.leaf_hash(leaf),
            subject_type=leaf_doc["type"], subject_id=leaf_doc["id"], action=action,
            actor_org=leaf_doc["actor_org"], at=at, payload=payload,
        )
