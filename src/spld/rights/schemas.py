"""API schemas for consents."""

from __future__ import annotations

from datetime import datetime

from ninja import Field, Schema


class NoticeIn(Schema):
    version: str = Field(..., max_length=50, description="Version de l’information affichée")
    language: str = Field("fr", max_length=10)
    text: str = Field(..., min_length=1, max_length=20000, description="Texte montré à la personne")
    policy_url: str = Field("", max_length=500)


class ActivityIn(Schema):
    ref: str = Field(..., max_length=200, description="UUID du traitement au registre")
    name: str = Field("", max_length=300)


class ConsentCreate(Schema):
    subject_email: str = Field(..., max_length=254, description="Adresse de la personne")
    purpose: str = Field(..., min_length=1, max_length=500)
    purpose_dpv: str = Field("", max_length=100, description="Terme DPV, ex. dpv:ServiceProvision")
    processing_activity: ActivityIn
    notice: NoticeIn
    data_categories: list[str] = Field(..., min_length=1, max_length=50)
    retention: str = Field(..., min_length=1, max_length=200)
    recipients: list[str] = Field(default_factory=list, max_length=50)
    withdrawal_method: str = Field("", max_length=500)
    expires_at: datetime | None = None


class ConsentEventOut(Schema):
    kind: str
    at: datetime
    by: str
    receipt_log_index: int | None = None


class ConsentOut(Schema):
    id: str
    state: str
    purpose: str
    processing_activity: str
    notice_version: str
    linked_to_account: bool
    given_at: datetime | None
    withdrawn_at: datetime | None
    expires_at: datetime | None
    events: list[ConsentEventOut]
    receipt: str | None = Field(None, description="Dernier reçu signé (JWS compact)")
    consent_page: str = Field(..., description="Page de consentement hébergée de cette version")
