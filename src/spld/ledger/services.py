"""Writes of the transparency log: appending (from other apps' services only), witnesses."""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from spld.core.french import of
from spld.core.models import PublicRecord
from spld.core.permissions import require
from spld.ledger import log, merkle, note
from spld.ledger.models import Checkpoint, Cosignature, LogEntry, Witness

# A cosignature dated this far in the future is refused (clock skew allowance).
MAX_FUTURE_SECONDS = 300


def _owning_organization(subject: Any) -> Any:
    """The organisation a public record belongs to, if it says so."""
    if hasattr(subject, "public_organization"):
        return subject.public_organization()
    if getattr(subject, "public_type", "") == "organization":
        return subject
    for attr in ("organization", "publisher", "holder", "signatory"):
        value = getattr(subject, attr, None)
        if value is not None and hasattr(value, "slug"):
            return value
    return None


def _actor_org(actor: Any, subject: Any) -> str:
    """Slug of the organisation on whose behalf the actor acts ('' for the SPLD team)."""
    token_org = getattr(actor, "organization", None)
    if token_org is not None:  # an API token acts for exactly one organisation
        return str(token_org.slug)
    owner = _owning_organization(subject)
    roles_for = getattr(actor, "roles_for", None)
    if (
        owner is not None
        and roles_for is not None
        and getattr(actor, "is_authenticated", False)
        and roles_for(owner)
    ):
        return str(owner.slug)
    return ""


def _new_leaf(
    actor: Any, subject: PublicRecord, action: str, at: Any, at_text: str = ""
) -> log.NewLeaf:
    subject_type, subject_id = subject.public_type, subject.public_id()
    if not subject_type or not action:
        raise ValueError("a log entry needs the subject's public_type and an action")
    return log.NewLeaf(
        subject_type=subject_type[:50],
        subject_id=str(subject_id)[:200],
        action=action[:50],
        actor_org=_actor_org(actor, subject)[:80],
        at=at,
        payload=log.jcs(subject.public_payload()),
        at_text=at_text,
    )


def record(*, actor: Any, subject: PublicRecord, action: str) -> LogEntry:
    """Append one leaf for `action` on `subject`, inside the caller's transaction."""
    leaf = _new_leaf(actor, subject, action, timezone.now())
    index = log.append([leaf])
    data = leaf.leaf_bytes()  # the same bytes the log stored and hashed
    return LogEntry(
        index=index,
        leaf=data,
        leaf_hash=merkle.leaf_hash(data),
        subject_type=leaf.subject_type,
        subject_id=leaf.subject_id,
        action=leaf.action,
        actor_org=leaf.actor_org,
        at=leaf.at,
        payload=leaf.payload,
    )


def record_many(*, actor: Any, items: Iterable[tuple[PublicRecord, str]]) -> range:
    """Append one leaf per (subject, action) in one locked batch; returns their indexes."""
    at = timezone.now()
    at_text = log.format_time(at)
    leaves = [_new_leaf(actor, subject, action, at, at_text) for subject, action in items]
    if not leaves:
        return range(0)
    first = log.append(leaves)
    return range(first, first + len(leaves))


def sign_checkpoint(*, actor: Any) -> Checkpoint:
    """Sign a checkpoint of the current tree now (admin command, cron)."""
    require(actor, "ledger.sign")
    return log.sign_checkpoint()


def register_witness(
    *, actor: Any, name: str, vkey: str, label: str, organization: Any = None, user: Any = None
) -> Witness:
    """Register a witness's cosigning key (published in the log)."""
    require(actor, "ledger.manage_witnesses")
    try:
        verifier = note.parse_vkey(vkey)
    except note.NoteError as exc:
        raise ValidationError(
            {"vkey": _("Clé de vérification invalide : %(e)s") % {"e": exc}}
        ) from exc
    if verifier.alg != note.ALG_COSIGNATURE_V1:
        raise ValidationError(
            {"vkey": _("Un témoin doit avoir une clé de cosignature (type 0x04).")}
        )
    if verifier.name != name:
        raise ValidationError({"name": _("Le nom ne correspond pas à celui de la clé.")})
    witness = Witness(
        name=name, vkey=verifier.vkey, label=label, organization=organization, user=user
    )
    with transaction.atomic():
        witness.full_clean()
        witness.save()
        record(actor=actor, subject=witness, action="registered")
    return witness


def deactivate_witness(*, actor: Any, witness: Witness) -> Witness:
    """Stop accepting a witness's cosignatures (kept and still served for the past)."""
    require(actor, "ledger.manage_witnesses")
    with transaction.atomic():
        witness.active = False
        witness.save(update_fields=["active", "updated_at"])
        record(actor=actor, subject=witness, action="deactivated")
    return witness


def submit_cosignature(*, cosigned_note: str) -> list[Cosignature]:
    """Store the valid cosignatures of registered witnesses found on a checkpoint note."""
    # No user: the signature itself authenticates the witness.
    try:
        text, sigs = note.split_note(cosigned_note)
        note.parse_checkpoint(text)
    except note.NoteError as exc:
        raise ValidationError(_("Checkpoint cosigné illisible : %(e)s") % {"e": exc}) from exc
    checkpoint = Checkpoint.objects.filter(text=text).first()
    if checkpoint is None:
        raise ValidationError(_("Ce journal n’a jamais signé ce checkpoint."))
    witnesses = {
        w.name: w for w in Witness.objects.filter(active=True, name__in={s.name for s in sigs})
    }
    stored = []
    now = int(time.time())
    for sig in sigs:
        witness = witnesses.get(sig.name)
        if witness is None:
            continue  # unknown keys are ignored (signed-note)
        timestamp = note.verify_cosignature(text, sig, note.parse_vkey(witness.vkey))
        if timestamp is None:
            raise ValidationError(
                _("La cosignature %(name)s est invalide.") % {"name": of(sig.name)}
            )
        if timestamp > now + MAX_FUTURE_SECONDS:
            raise ValidationError(
                _("La cosignature %(name)s est datée du futur.") % {"name": of(sig.name)}
            )
        with transaction.atomic():
            cosig, _created = Cosignature.objects.select_for_update().get_or_create(
                checkpoint=checkpoint,
                witness=witness,
                defaults={"timestamp": timestamp, "line": sig.line()},
            )
            if timestamp > cosig.timestamp:
                cosig.timestamp, cosig.line = timestamp, sig.line()
                cosig.save(update_fields=["timestamp", "line"])
        stored.append(cosig)
    if not stored:
        raise ValidationError(_("Aucune cosignature d’un témoin enregistré."))
    return stored
