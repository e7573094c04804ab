"""Writes about consents, rights requests, receipts, the vault and the access log."""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import json
import logging
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from spld.accounts.models import User
from spld.core.links import public_url
from spld.core.permissions import require
from spld.organizations.models import Organization
from spld.rights import deadlines, keys, receipts, routing, vault
from spld.rights.models import (
    AccessLogEntry,
    Attachment,
    CitizenVault,
    ConsentEvent,
    ConsentNotice,
    ConsentRecord,
    Receipt,
    RequestPart,
    RightsRequest,
)

log = logging.getLogger(__name__)

MAX_ATTACHMENTS = 3
MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024
MAX_ANSWER_DATA_BYTES = 5 * 1024 * 1024
MAX_PARTS = 30
# Magic numbers: the declared type is never trusted.
ATTACHMENT_TYPES = {
    b"%PDF-": "application/pdf",
    b"\x89PNG\r\n\x1a\n": "image/png",
    b"\xff\xd8\xff": "image/jpeg",
}
REFUSAL_REASONS = {
    "manifestly_unfounded": _("Demande manifestement infondée ou excessive (RGPD art. 12.5)"),
    "identity_not_established": _("Identité du demandeur non établie (RGPD art. 12.6)"),
    "legal_obligation": _("Conservation imposée par une obligation légale (RGPD art. 17.3.b)"),
    "public_interest_task": _("Mission d’intérêt public ou exercice de l’autorité publique "
                              "(RGPD art. 17.3.b, art. 21.1)"),
    "legal_claims": _("Constatation, exercice ou défense de droits en justice (RGPD art. 17.3.e)"),
    "no_data": _("Aucune donnée vous concernant n’est traitée"),
    "rights_of_others": _("Atteinte aux droits et libertés d’autrui (RGPD art. 15.4)"),
    "archives": _("Archives dans l’intérêt public ou recherche (RGPD art. 89)"),
}


def _system_actor() -> str:
    return "system"


def email_digest(email: str) -> str:
    """Keyed hash of an address: lets a pending consent be claimed without storing the address."""
    # A dedicated key, not the Django secret: rotating that one must not orphan consents.
    return hmac.new(keys.consent_match_key(), email.strip().lower().encode(),
                    hashlib.sha256).hexdigest()


def _clean_list(value: Any, field: str, *, required: bool = False) -> list[str]:
    if value is None:
        value = []
    if not isinstance(value, list) or any(not isinstance(v, str) or not v.strip()
                                          or len(v) > 300 for v in value) or len(value) > 50:
        raise ValidationError({field: _("Une liste de textes courts est attendue.")})
    if required and not value:
        raise ValidationError({field: _("Indiquez au moins une valeur.")})
    return [v.strip() for v in value]


# ---------------------------------------------------------------- consents


def _notice(*, organization: Organization, activity_ref: str, activity_name: str, purpose: str,
            purpose_dpv: str, version: str, language: str, text: str,
            data_categories: list[str], retention: str, recipients: list[str],
            withdrawal_method: str, policy_url: str) -> ConsentNotice:
    """The notice version, created once; a version's text can never change afterwards."""
    digest = hashlib.sha256(text.encode()).hexdigest()
    existing = ConsentNotice.objects.filter(
        organization=organization, activity_ref=activity_ref, purpose=purpose, version=version,
        language=language,
    ).first()
    if existing is not None:
        if (existing.text_sha256 != digest or existing.data_categories != data_categories
                or existing.retention != retention or existing.recipients != recipients):
            raise ValidationError({"notice": _(
                "Cette version de l’information existe déjà avec un autre contenu : "
                "publiez une nouvelle version plutôt que de la modifier.")})
        return existing
    notice = ConsentNotice(
        organization=organization, activity_ref=activity_ref, activity_name=activity_name,
        purpose=purpose, purpose_dpv=purpose_dpv, version=version, language=language,
        text=text, text_sha256=digest, data_categories=data_categories, retention=retention,
        recipients=recipients, withdrawal_method=withdrawal_method, policy_url=policy_url,
    )
    notice.full_clean()
    notice.save()
    return notice


def _add_event(*, actor: Any, record: ConsentRecord, kind: str, by: str) -> ConsentEvent:
    """Append an event and, when the citizen is known, its signed receipt."""
    event = ConsentEvent.objects.create(record=record, kind=kind, notice=record.notice,
                                        at=timezone.now(), by=by)
    if record.user_id is not None:
        subject_ref = vault.vault_for(record.user).subject_ref
        event.receipt = receipts.for_consent_event(actor=actor, event=event,
                                                   subject_ref=subject_ref)
        event.save(update_fields=["receipt"])
    return event


def _apply_given(*, actor: Any, record: ConsentRecord, by: str) -> ConsentRecord:
    kind = ConsentEvent.Kind.RENEWED if record.pk and record.is_active else ConsentEvent.Kind.GIVEN
    record.state = ConsentRecord.State.GIVEN
    record.given_at = timezone.now()
    record.withdrawn_at = None
    record.save()
    _add_event(actor=actor, record=record, kind=kind, by=by)
    return record


def record_consent(*, actor: Any, organization: Organization, subject_email: str,
                   activity_ref: str, activity_name: str, purpose: str, purpose_dpv: str = "",
                   notice_version: str, language: str = "fr", notice_text: str,
                   data_categories: list[str], retention: str, recipients: list[str] | None = None,
                   withdrawal_method: str = "", policy_url: str = "",
                   expires_at: datetime | None = None) -> ConsentRecord:
    """An organisation records a consent it collected (given, or renewed if already given)."""
    require(actor, "rights.record_consent", organization)
    try:
        validate_email(subject_email)
    except ValidationError as exc:
        raise ValidationError({"subject_email": _("Adresse électronique invalide.")}) from exc
    for name, value in (("purpose", purpose), ("notice_text", notice_text),
                        ("notice_version", notice_version), ("retention", retention),
                        ("processing_activity", activity_ref)):
        if not str(value).strip():
            raise ValidationError({name: _("Ce champ est obligatoire.")})
    known = routing.activity_exists(organization, activity_ref)
    if known is False:
        raise ValidationError({"processing_activity": _(
            "Ce traitement n’est pas déclaré au registre de l’organisation.")})
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationError({"expires_at": _("La date d’expiration doit être dans le futur.")})
    categories = _clean_list(data_categories, "data_categories", required=True)
    recipients = _clean_list(recipients, "recipients")
    withdrawal = withdrawal_method.strip() or _(
        "Un clic sur « Retirer » dans « Mon espace données » sur {site}.").format(
        site=public_url("rights:space"))
    with transaction.atomic():
        notice = _notice(
            organization=organization, activity_ref=activity_ref.strip(),
            activity_name=(activity_name or activity_ref).strip()[:300], purpose=purpose.strip(),
            purpose_dpv=purpose_dpv.strip()[:100], version=notice_version.strip()[:50],
            language=(language or "fr").strip()[:10], text=notice_text, data_categories=categories,
            retention=retention.strip()[:200], recipients=recipients,
            withdrawal_method=withdrawal[:500], policy_url=policy_url.strip(),
        )
        user = User.objects.filter(email__iexact=subject_email.strip(),
                                   email_verified_at__isnull=False).first()
        lookup: dict[str, Any] = {"organization": organization, "activity_ref": notice.activity_ref,
                                  "purpose": notice.purpose}
        if user is not None:
            lookup["user"] = user
        else:
            lookup.update(user=None, pending_email_digest=email_digest(subject_email))
        record = ConsentRecord.objects.select_for_update().filter(**lookup).first()
        if record is None:
            record = ConsentRecord(**lookup, notice=notice, collection_method="api")
        record.notice = notice
        record.expires_at = expires_at
        _apply_given(actor=actor, record=record, by="organization")
    return record


def claim_pending_consents(*, actor: Any, user: User) -> int:
    """Attach consents recorded before the citizen had an account (verified address only)."""
    require(actor, "rights.manage_own", user)
    if not user.email_verified_at:
        return 0
    digest = email_digest(user.email)
    claimed = 0
    with transaction.atomic():
        for record in ConsentRecord.objects.select_for_update().filter(
                user=None, pending_email_digest=digest):
            duplicate = ConsentRecord.objects.filter(
                user=user, organization=record.organization, activity_ref=record.activity_ref,
                purpose=record.purpose).exists()
            if duplicate:
                continue
            record.user, record.pending_email_digest = user, ""
            record.save()
            # The receipts of past events are issued now that the citizen is known.
            for event in record.events.filter(receipt__isnull=True):
                event.receipt = receipts.for_consent_event(
                    actor=actor, event=event, subject_ref=vault.vault_for(user).subject_ref)
                event.save(update_fields=["receipt"])
            claimed += 1
    return claimed


def answer_notice(*, actor: Any, notice: ConsentNotice, accept: bool) -> ConsentRecord:
    """The citizen answers a hosted consent page: accept or refuse, same weight."""
    require(actor, "rights.give_consent", notice)
    with transaction.atomic():
        record = ConsentRecord.objects.select_for_update().filter(
            user=actor, organization=notice.organization, activity_ref=notice.activity_ref,
            purpose=notice.purpose).first()
        if record is None:
            record = ConsentRecord(user=actor, organization=notice.organization,
                                   activity_ref=notice.activity_ref, purpose=notice.purpose,
                                   notice=notice, collection_method="hosted-page")
        record.notice = notice
        if accept:
            return _apply_given(actor=actor, record=record, by="citizen")
        record.state = ConsentRecord.State.REFUSED
        record.withdrawn_at = None
        record.save()
        _add_event(actor=actor, record=record, kind=ConsentEvent.Kind.REFUSED, by="citizen")
    return record


def withdraw_consent(*, actor: Any, record: ConsentRecord) -> ConsentEvent:
    """One-click withdrawal by the citizen; returns the event carrying the receipt."""
    require(actor, "rights.withdraw_consent", record)
    with transaction.atomic():
        record = ConsentRecord.objects.select_for_update().get(pk=record.pk)
        if record.state != ConsentRecord.State.GIVEN:
            raise ValidationError(_("Ce consentement n’est plus actif."))
        record.state = ConsentRecord.State.WITHDRAWN
        record.withdrawn_at = timezone.now()
        record.save()
        return _add_event(actor=actor, record=record, kind=ConsentEvent.Kind.WITHDRAWN,
                          by="citizen")


def expire_consents(*, actor: Any = "system") -> int:
    """Mark consents past their expiry date as expired, each with a receipt."""
    require(actor, "rights.run_maintenance")
    count = 0
    for record in ConsentRecord.objects.filter(state=ConsentRecord.State.GIVEN,
                                               expires_at__lte=timezone.now()):
        with transaction.atomic():
            record.state = ConsentRecord.State.EXPIRED
            record.save()
            _add_event(actor=None, record=record, kind=ConsentEvent.Kind.EXPIRED, by="system")
        count += 1
    log.info("consents expired: %d", count)
    return count


# ---------------------------------------------------------------- rights requests


def _sniff(content: bytes) -> str | None:
    for magic, mime in ATTACHMENT_TYPES.items():
        if content.startswith(magic):
            return mime
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return "text/plain" if "\x00" not in text else None


def _read_upload(upload: Any, limit: int) -> bytes:
    if upload.size is not None and upload.size > limit:
        raise ValidationError({"attachments": _(
            "Fichier trop lourd ({name}) : {max} Mo au plus.").format(
            name=upload.name, max=limit // (1024 * 1024))})
    content = upload.read(limit + 1)
    if len(content) > limit:
        raise ValidationError({"attachments": _("Fichier trop lourd : {max} Mo au plus.").format(
            max=limit // (1024 * 1024))})
    return content


def file_request(*, actor: Any, kind: str, details: str, organizations: list[Organization],
                 commune: str = "", attachments: list[Any] | None = None) -> RightsRequest:
    """File one request for the territory; each chosen organisation gets its part."""
    require(actor, "rights.file_request")
    if kind not in RightsRequest.Kind.values:
        raise ValidationError({"kind": _("Droit inconnu.")})
    organizations = list({o.pk: o for o in organizations}.values())
    if not organizations:
        raise ValidationError({"organizations": _("Choisissez au moins une organisation.")})
    if len(organizations) > MAX_PARTS:
        raise ValidationError({"organizations": _("Trop d’organisations choisies.")})
    if len(details) > 5000:
        raise ValidationError({"details": _("5 000 caractères au plus.")})
    attachments = attachments or []
    if len(attachments) > MAX_ATTACHMENTS:
        raise ValidationError({"attachments": _("{n} pièces jointes au plus.").format(
            n=MAX_ATTACHMENTS)})
    files = []
    for upload in attachments:
        content = _read_upload(upload, MAX_ATTACHMENT_BYTES)
        mime = _sniff(content)
        if mime is None:
            raise ValidationError({"attachments": _(
                "Type de fichier refusé : PDF, PNG, JPEG ou texte seulement.")})
        files.append((str(upload.name)[:200], mime, content))
    today = timezone.localdate()
    with transaction.atomic():
        request = RightsRequest.objects.create(
            user=actor, kind=kind, commune=commune[:5], received_on=today,
            details_sealed=vault.seal(actor, details, context="request.details") if details
            else b"",
        )
        for organization in organizations:
            RequestPart.objects.create(request=request, organization=organization,
                                       received_on=today, due_on=deadlines.due_date(today))
        for name, mime, content in files:
            Attachment.objects.create(
                request=request, content_type=mime, size=len(content),
                name_sealed=vault.seal(actor, name, context="attachment.name"),
                content_sealed=vault.seal(actor, content, context="attachment.content"),
            )
    log.info("rights request filed: %d parts, %d attachments", len(organizations), len(files))
    return request


def _notify_citizen(user: User, subject: str, body: str) -> None:
    # Only the address owner receives it; nothing is written to application logs.
    send_mail(subject, body, None, [user.email], fail_silently=True)


def extend_part(*, actor: Any, part: RequestPart, reason: str) -> RequestPart:
    """Extend by two months, only with a reason notified within the first month."""
    require(actor, "rights.answer_part", part)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Une prolongation doit être motivée.")})
    if not part.is_open or part.status == RequestPart.Status.EXTENDED:
        raise ValidationError(_("Cette demande ne peut plus être prolongée."))
    if not deadlines.may_extend(part.received_on, timezone.localdate()):
        raise ValidationError(_("La prolongation doit être notifiée dans le premier mois."))
    with transaction.atomic():
        part.status = RequestPart.Status.EXTENDED
        part.extended_due_on = deadlines.extended_due_date(part.received_on)
        part.extension_reason = reason[:2000]
        part.extension_notified_at = timezone.now()
        part.save()
    _notify_citizen(part.request.user, _("Votre demande est prolongée"), _(
        "{org} prolonge le délai de réponse à votre demande jusqu’au {date}.\nMotif : {reason}"
    ).format(org=part.organization.name, date=part.extended_due_on.strftime("%d/%m/%Y"),
             reason=reason))
    return part


def _parse_answer_data(content: bytes) -> list[dict[str, Any]]:
    """Answer data uploaded by an organisation: a JSON list of objects or a CSV with a header."""
    text = content.decode("utf-8-sig", errors="strict")
    stripped = text.lstrip()
    if stripped.startswith(("[", "{")):
        data = json.loads(text)
        rows = data if isinstance(data, list) else [data]
        if not all(isinstance(r, dict) for r in rows):
            raise ValueError("JSON must be objects")
        return rows
    dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    return [dict(r) for r in csv.DictReader(io.StringIO(text), dialect=dialect)]


def complete_part(*, actor: Any, part: RequestPart, answer: str,
                  data_file: Any = None) -> RequestPart:
    """The organisation has done what was asked; access answers carry the data found."""
    require(actor, "rights.answer_part", part)
    if not part.is_open:
        raise ValidationError(_("Cette demande a déjà reçu une réponse."))
    if not answer.strip():
        raise ValidationError({"answer": _("Expliquez ce qui a été fait.")})
    rows: list[dict[str, Any]] = []
    if data_file is not None:
        content = _read_upload(data_file, MAX_ANSWER_DATA_BYTES)
        try:
            rows = _parse_answer_data(content)
        except (ValueError, UnicodeDecodeError, csv.Error) as exc:
            raise ValidationError({"data_file": _(
                "Fichier illisible : JSON (liste d’objets) ou CSV avec en-tête attendu.")}) from exc
    user = part.request.user
    with transaction.atomic():
        part.status = RequestPart.Status.DONE
        part.answered_at = timezone.now()
        part.answer_sealed = vault.seal(user, answer.strip()[:10000], context="part.answer")
        if rows:
            part.data_sealed = vault.seal(user, json.dumps(rows, ensure_ascii=False),
                                          context="part.data")
        part.save()
        part.receipt = receipts.for_request_part(
            actor=actor, part=part, subject_ref=vault.vault_for(user).subject_ref)
        part.save(update_fields=["receipt"])
    _notify_citizen(user, _("Réponse à votre demande"), _(
        "{org} a répondu à votre demande. Consultez « Mon espace données » sur {site}."
    ).format(org=part.organization.name, site=public_url("rights:space")))
    return part


def refuse_part(*, actor: Any, part: RequestPart, reason: str, details: str,
                cada_relevant: bool = False) -> RequestPart:
    """Refuse with a legal reason; the citizen is told how to complain to the CNIL (and CADA)."""
    require(actor, "rights.answer_part", part)
    if not part.is_open:
        raise ValidationError(_("Cette demande a déjà reçu une réponse."))
    if reason not in REFUSAL_REASONS:
        raise ValidationError({"reason": _("Choisissez le motif juridique du refus.")})
    if not details.strip():
        raise ValidationError({"details": _("Expliquez le refus à la personne.")})
    user = part.request.user
    with transaction.atomic():
        part.status = RequestPart.Status.REFUSED
        part.answered_at = timezone.now()
        part.refusal_reason = reason
        part.refusal_details_sealed = vault.seal(user, details.strip()[:5000],
                                                 context="part.refusal")
        part.cada_relevant = bool(cada_relevant)
        part.save()
        part.receipt = receipts.for_request_part(
            actor=actor, part=part, subject_ref=vault.vault_for(user).subject_ref)
        part.save(update_fields=["receipt"])
    _notify_citizen(user, _("Réponse à votre demande"), _(
        "{org} a refusé votre demande. Vous pouvez saisir la CNIL : "
        "https://www.cnil.fr/fr/plaintes").format(org=part.organization.name))
    return part


def flag_overdue(*, actor: Any = "system") -> int:
    """Flag open parts past their deadline and warn the organisation and the SPLD team."""
    require(actor, "rights.run_maintenance")
    today = timezone.localdate()
    flagged = 0
    admins = list(User.objects.filter(is_superuser=True, is_active=True)
                  .values_list("email", flat=True))
    for part in RequestPart.objects.select_related("organization").filter(
            status__in=[RequestPart.Status.PENDING, RequestPart.Status.EXTENDED],
            overdue_flagged_at__isnull=True):
        if today <= part.deadline:
            continue
        RequestPart.objects.filter(pk=part.pk).update(overdue_flagged_at=timezone.now())
        recipients = [*admins]
        if "@" in part.organization.dpo_contact:
            recipients.append(part.organization.dpo_contact)
        if recipients:
            send_mail(_("Demande d’exercice de droits en retard"), _(
                "Une demande adressée à {org} a dépassé son délai ({date}). "
                "Répondez-y depuis l’espace de l’organisation.").format(
                org=part.organization.name, date=part.deadline.strftime("%d/%m/%Y")),
                None, recipients, fail_silently=True)
        flagged += 1
    log.info("rights request parts flagged overdue: %d", flagged)
    return flagged


# ---------------------------------------------------------------- access log


def log_read(*, staff: Any, organization: Organization | None, subject: User, record_type: str,
             record_id: str, purpose: str = AccessLogEntry.Purpose.ANSWER_REQUEST,
             ) -> AccessLogEntry:
    """Append one access-log entry: a staff member read a citizen's personal data."""
    return AccessLogEntry.objects.create(
        staff=staff if isinstance(staff, User) else None, organization=organization,
        subject_ref=vault.vault_for(subject).subject_ref, record_type=record_type[:50],
        record_id=str(record_id)[:64], purpose=purpose,
    )


def open_part(*, staff: Any, organization: Organization, part: RequestPart) -> dict[str, Any]:
    """A staff member opens a routed part: the read is logged, then the sealed details opened."""
    require(staff, "rights.view_parts", organization)
    if part.organization_id != organization.pk:
        raise ValidationError(_("Cette demande n’est pas adressée à cette organisation."))
    log_read(staff=staff, organization=organization, subject=part.request.user,
             record_type="request_part", record_id=str(part.uid))
    return {
        "details": vault.open_text(part.request.details_sealed, context="request.details"),
        "attachments": [{"pk": a.pk, "type": a.content_type, "size": a.size,
                         "name": vault.open_text(a.name_sealed, context="attachment.name")}
                        for a in part.request.attachments.all()],
    }


# ---------------------------------------------------------------- erasure and retention


def erase_my_data(*, actor: Any, user: User) -> Receipt:
    """Crypto-shred everything SPLD holds about the citizen in this app; returns the receipt."""
    require(actor, "rights.manage_own", user)
    now = timezone.now()
    with transaction.atomic():
        old = CitizenVault.objects.select_for_update().filter(user=user).first()
        subject_ref = old.subject_ref if old else vault.vault_for(user).subject_ref
        active = ConsentRecord.objects.filter(user=user, state=ConsentRecord.State.GIVEN)
        withdrawn = 0
        for record in active:
            # The organisation keeps knowing the consent is withdrawn, no longer whose it was.
            record.state, record.withdrawn_at, record.user = (
                ConsentRecord.State.WITHDRAWN, now, None)
            record.save()
            ConsentEvent.objects.create(record=record, kind=ConsentEvent.Kind.WITHDRAWN,
                                        notice=record.notice, at=now, by="citizen")
            withdrawn += 1
        consents = ConsentRecord.objects.filter(user=user)
        deleted = {
            "consents_withdrawn": withdrawn,
            "consent_records": consents.count(),
            "rights_requests": RightsRequest.objects.filter(user=user).count(),
            "attachments": Attachment.objects.filter(request__user=user).count(),
            "receipts": Receipt.objects.filter(user=user).count(),
            "encryption_keys": 1 if old else 0,
        }
        consents.delete()
        RightsRequest.objects.filter(user=user).delete()
        Receipt.objects.filter(user=user).delete()
        CitizenVault.objects.filter(user=user).delete()  # the key: crypto-shredding
        receipt = receipts.for_erasure(actor=actor, user=user, subject_ref=subject_ref,
                                       deleted=deleted, at=now)
    if connection.vendor == "sqlite" and not connection.in_atomic_block:
        # secure_delete zeroed the erased rows in the database pages; the write-ahead log
        # still holds the pages as they were until a checkpoint truncates it.
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    log.info("erasure done: %s", json.dumps(deleted, sort_keys=True))
    return receipt


def purge_expired(*, actor: Any = "system") -> dict[str, int]:
    """Delete what is past its retention period; logs counts only."""
    require(actor, "rights.run_maintenance")
    now = timezone.now()
    day = 86400
    consent_limit = now - timedelta(seconds=settings.RIGHTS_CONSENT_RETENTION_DAYS * day)
    request_limit = now - timedelta(seconds=settings.RIGHTS_REQUEST_RETENTION_DAYS * day)
    access_limit = now - timedelta(seconds=settings.RIGHTS_ACCESS_LOG_RETENTION_DAYS
                                            * day)
    with transaction.atomic():
        ended = ConsentRecord.objects.exclude(state=ConsentRecord.State.GIVEN).filter(
            updated_at__lt=consent_limit)
        counts = {"consent_records": ended.count()}
        ended.delete()
        closed = RightsRequest.objects.filter(created_at__lt=request_limit).exclude(
            parts__status__in=[RequestPart.Status.PENDING, RequestPart.Status.EXTENDED])
        counts["rights_requests"] = closed.count()
        closed.delete()
        # The access log's own retention: the only way its rows are ever removed.
        old_reads = AccessLogEntry.objects.filter(at__lt=access_limit)
        counts["access_log_entries"] = old_reads.count()
        old_reads.delete()
    log.info("rights retention purge: %s", json.dumps(counts, sort_keys=True))
    return counts
