"""Consents, receipts, rights requests, the personal-data vault and the staff access log."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from spld.core.models import PublicRecord


class CitizenVault(models.Model):
    """A citizen's data key (AES-256-GCM, wrapped by the master key) and pseudonym.

    Erasure deletes this row: every blob sealed with the key becomes unreadable, including
    copies in backups of the other tables (crypto-shredding).
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="rights_vault"
    )
    # Pseudonym used in receipts and in the access log instead of the e-mail address.
    subject_ref = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    wrapped_key = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"vault {self.subject_ref}"


class ConsentNotice(models.Model):
    """One version of the notice shown when asking consent (immutable once created)."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="consent_notices"
    )
    activity_ref = models.CharField(_("traitement (référence au registre)"), max_length=200)
    activity_name = models.CharField(_("traitement"), max_length=300)
    purpose = models.CharField(_("finalité"), max_length=500)
    purpose_dpv = models.CharField(_("finalité (terme DPV)"), max_length=100, blank=True)
    version = models.CharField(_("version de l’information"), max_length=50)
    language = models.CharField(_("langue"), max_length=10, default="fr")
    text = models.TextField(_("texte de l’information"))
    text_sha256 = models.CharField(max_length=64)
    data_categories = models.JSONField(_("catégories de données"), default=list)
    retention = models.CharField(_("durée de conservation"), max_length=200)
    recipients = models.JSONField(_("destinataires"), default=list, blank=True)
    withdrawal_method = models.CharField(_("moyen de retrait"), max_length=500)
    policy_url = models.URLField(_("politique de confidentialité"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "activity_ref", "purpose", "version", "language"],
                name="rights_unique_notice_version",
            )
        ]
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.organization} — {self.purpose} (v{self.version}, {self.language})"


class ConsentRecord(models.Model):
    """Consent of one citizen for one purpose of one processing activity of a controller."""

    class State(models.TextChoices):
        GIVEN = "given", _("donné")
        WITHDRAWN = "withdrawn", _("retiré")
        EXPIRED = "expired", _("expiré")
        REFUSED = "refused", _("refusé")

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="consent_records",
    )
    # Consent recorded by an organisation before the citizen has an SPLD account: only a
    # keyed hash of the address is kept until the citizen signs in and claims it.
    pending_email_digest = models.CharField(max_length=64, blank=True, db_index=True)
    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="consent_records"
    )
    activity_ref = models.CharField(max_length=200)
    purpose = models.CharField(max_length=500)
    notice = models.ForeignKey(ConsentNotice, on_delete=models.PROTECT, related_name="records")
    state = models.CharField(max_length=20, choices=State.choices, default=State.GIVEN)
    collection_method = models.CharField(max_length=50, default="api")
    given_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-updated_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organization", "activity_ref", "purpose"],
                condition=models.Q(user__isnull=False),
                name="rights_one_consent_per_purpose",
            )
        ]

    def __str__(self) -> str:
        return f"{self.organization} — {self.purpose} ({self.state})"

    @property
    def is_active(self) -> bool:
        return self.state == self.State.GIVEN and (
            self.expires_at is None or self.expires_at > timezone.now()
        )


class ConsentEvent(models.Model):
    """A dated event in the life of a consent (ISO/IEC TS 27560 event)."""

    class Kind(models.TextChoices):
        GIVEN = "given", _("donné")
        RENEWED = "renewed", _("renouvelé")
        WITHDRAWN = "withdrawn", _("retiré")
        EXPIRED = "expired", _("expiré")
        REFUSED = "refused", _("refusé")

    record = models.ForeignKey(ConsentRecord, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    notice = models.ForeignKey(ConsentNotice, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    by = models.CharField(max_length=20, default="citizen")  # citizen | organization | system
    receipt = models.OneToOneField(
        "Receipt", null=True, blank=True, on_delete=models.SET_NULL, related_name="consent_event"
    )

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.kind} {self.at:%Y-%m-%d}"


class Receipt(PublicRecord):
    """A signed receipt (compact JWS); only its hash and type enter the transparency log."""

    public_type = "rights-receipt"

    class Kind(models.TextChoices):
        CONSENT = "consent", _("consentement")
        REQUEST = "request", _("demande d’exercice de droits")
        ERASURE = "erasure", _("effacement des données")

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="rights_receipts",
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    title = models.CharField(max_length=300)
    # SHA-256 of the canonical receipt body without its "log" member: what the log holds.
    body_sha256 = models.CharField(max_length=64)
    jws = models.TextField()
    log_index = models.BigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title

    @property
    def label(self) -> str:
        """The title in the reader's language, with organisation and purpose or outcome.

        The stored title is the French one of the day it was issued; this one is rebuilt from
        the records the receipt is about, so that /en/ pages read English.
        """
        event = getattr(self, "consent_event", None) if self.kind == self.Kind.CONSENT else None
        if event is not None:
            return _("Consentement {kind} — {org} — {purpose}").format(
                kind=event.get_kind_display(), org=event.record.organization.name,
                purpose=event.notice.purpose)
        part = getattr(self, "request_part", None) if self.kind == self.Kind.REQUEST else None
        if part is not None:
            return f"{part.request.title} — {part.organization.name} — {part.get_status_display()}"
        if self.kind == self.Kind.ERASURE:
            return str(_("Effacement de mes données"))
        return self.title

    def public_id(self) -> str:
        return str(self.uid)

    def public_payload(self) -> dict[str, Any]:
        # Only the type and the hash: the receipt itself stays with the citizen.
        return {"type": self.kind, "sha256": self.body_sha256}


class RightsRequest(models.Model):
    """A request filed once for the whole territory, split into one part per organisation."""

    class Kind(models.TextChoices):
        ACCESS = "access", _("accès")
        ERASURE = "erasure", _("effacement")
        RECTIFICATION = "rectification", _("rectification")
        RESTRICTION = "restriction", _("limitation")
        OBJECTION = "objection", _("opposition")
        PORTABILITY = "portability", _("portabilité")
        WITHDRAWAL = "withdrawal", _("retrait du consentement")

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="rights_requests"
    )
    kind = models.CharField(_("droit exercé"), max_length=20, choices=Kind.choices)
    # Free text from the citizen, sealed with their vault key.
    details_sealed = models.BinaryField(blank=True, default=b"")
    commune = models.CharField(max_length=5, blank=True)
    received_on = models.DateField(default=date.today)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.received_on})"

    @property
    def title(self) -> str:
        """"Demande d’accès", "Demande de rectification"…: a whole phrase per right (elision)."""
        return str(REQUEST_TITLES.get(self.kind, self.get_kind_display()))


# One translatable phrase per right: French elides "de" before a vowel ("d’accès").
REQUEST_TITLES = {
    RightsRequest.Kind.ACCESS: _("Demande d’accès"),
    RightsRequest.Kind.ERASURE: _("Demande d’effacement"),
    RightsRequest.Kind.RECTIFICATION: _("Demande de rectification"),
    RightsRequest.Kind.RESTRICTION: _("Demande de limitation"),
    RightsRequest.Kind.OBJECTION: _("Demande d’opposition"),
    RightsRequest.Kind.PORTABILITY: _("Demande de portabilité"),
    RightsRequest.Kind.WITHDRAWAL: _("Demande de retrait du consentement"),
}


class RequestPart(models.Model):
    """The part of a rights request an organisation must answer."""

    class Status(models.TextChoices):
        PENDING = "pending", _("en cours")
        EXTENDED = "extended", _("prolongée")
        DONE = "done", _("traitée")
        REFUSED = "refused", _("refusée")
        CANCELLED = "cancelled", _("annulée")

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    request = models.ForeignKey(RightsRequest, on_delete=models.CASCADE, related_name="parts")
    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="rights_parts"
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    received_on = models.DateField()
    due_on = models.DateField()
    extended_due_on = models.DateField(null=True, blank=True)
    extension_reason = models.TextField(blank=True)
    extension_notified_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    answer_sealed = models.BinaryField(blank=True, default=b"")
    refusal_reason = models.CharField(max_length=40, blank=True)
    refusal_details_sealed = models.BinaryField(blank=True, default=b"")
    cada_relevant = models.BooleanField(default=False)
    # Access/portability answers: the organisation's data, sealed (JSON list of objects).
    data_sealed = models.BinaryField(blank=True, default=b"")
    overdue_flagged_at = models.DateTimeField(null=True, blank=True)
    receipt = models.OneToOneField(
        Receipt, null=True, blank=True, on_delete=models.SET_NULL, related_name="request_part"
    )

    class Meta:
        ordering = ["due_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["request", "organization"], name="rights_one_part_per_org"
            )
        ]

    def __str__(self) -> str:
        return f"{self.request} → {self.organization}"

    @property
    def deadline(self) -> date:
        return self.extended_due_on or self.due_on

    @property
    def is_open(self) -> bool:
        return self.status in (self.Status.PENDING, self.Status.EXTENDED)

    @property
    def is_overdue(self) -> bool:
        return self.is_open and timezone.localdate() > self.deadline

    @property
    def answered_on_time(self) -> bool | None:
        if self.answered_at is None:
            return None
        return timezone.localdate(self.answered_at) <= self.deadline


class Attachment(models.Model):
    """A file joined to a request (type- and size-limited, stored sealed)."""

    request = models.ForeignKey(RightsRequest, on_delete=models.CASCADE, related_name="attachments")
    name_sealed = models.BinaryField()
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    content_sealed = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"attachment {self.pk} ({self.content_type})"


class AccessLogEntry(models.Model):
    """One read of a citizen's personal data by staff (CNIL recommendation 2021-122).

    Append-only: rows are never updated; only the retention task deletes old rows.
    """

    class Purpose(models.TextChoices):
        ANSWER_REQUEST = "answer_request", _("traitement d’une demande d’exercice de droits")
        SUPPORT = "support", _("assistance à l’usager")
        AUDIT = "audit", _("contrôle et audit")

    at = models.DateTimeField(default=timezone.now, db_index=True)
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    organization = models.ForeignKey(
        "organizations.Organization", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    # The citizen's pseudonym, not their account: the entry holds no more than needed.
    subject_ref = models.UUIDField(db_index=True)
    record_type = models.CharField(max_length=50)
    record_id = models.CharField(max_length=64)
    purpose = models.CharField(max_length=30, choices=Purpose.choices)

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.record_type}:{self.record_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ValueError("access log entries are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise ValueError("access log entries are removed only by the retention task")


class OidcIdentity(models.Model):
    """A citizen's account at an OpenID Connect provider (issuer + subject), linked to a user."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="oidc_identities"
    )
    issuer = models.CharField(max_length=300)
    subject = models.CharField(max_length=255)
    created_at = models.DateTimeField(auto_now_add=True)
    last_login_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["issuer", "subject"], name="rights_unique_oidc_sub")
        ]

    def __str__(self) -> str:
        return f"{self.issuer} {self.subject}"
