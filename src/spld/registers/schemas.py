"""API bodies of the registers (organisations and datasets are referred to by slug)."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from ninja import Field, Schema

from spld.core.schemas import PartialSchema

# null is accepted where the model column may be empty: a nullable column, a free text that
# null clears (stored as ""), or the organisation (null: the token's own).
_TEXTS = frozenset({"purpose_detail", "legal_text", "other_recipients", "processors",
                    "recipient_category", "data_description", "reference", "actual_results",
                    "footprint_note", "benefit", "decision_rule", "performance", "code_url",
                    "documentation_url", "dpo_opinion", "data_subjects_opinion", "decision"})
_NULLABLE = _TEXTS | {"organization", "start_date", "end_date", "recipient", "yearly_volume",
                      "impact_assessment", "lineage_run"}


class ProcessingIn(PartialSchema):
    nullable = _NULLABLE

    organization: str | None = Field(None, description="Slug ; par défaut celle du jeton.")
    name: str | None = None
    description: str | None = None
    purposes: list[str] | None = Field(None, description="IRI de finalités DPV")
    purpose_detail: str | None = None
    legal_basis: str | None = Field(None, description="IRI DPV (eu-gdpr:A6-1-e…)")
    legal_text: str | None = None
    data_categories: list[str] | None = None
    data_subjects: list[str] | None = None
    recipient_organizations: list[str] | None = None
    other_recipients: str | None = None
    transfers: list[dict[str, str]] | None = None
    retention: str | None = None
    security_measures: str | None = None
    joint_controllers: list[str] | None = None
    processors: str | None = None
    datasets_used: list[str] | None = None
    datasets_produced: list[str] | None = None
    dpia_required: bool | None = None
    dpia_reason: str | None = None
    status: str | None = None
    start_date: datetime.date | None = None


class FlowIn(PartialSchema):
    nullable = _NULLABLE

    organization: str | None = None
    recipient: str | None = None
    recipient_category: str | None = None
    datasets: list[str] | None = None
    data_categories: list[str] | None = None
    data_description: str | None = None
    purpose: str | None = None
    ground: str | None = None
    reference: str | None = None
    start_date: datetime.date | None = None
    end_date: datetime.date | None = None
    frequency: str | None = None
    status: str | None = None


class UsageIn(PartialSchema):
    nullable = _NULLABLE

    organization: str | None = None
    title: str | None = None
    description: str | None = None
    partners: list[str] | None = None
    datasets: list[str] | None = None
    purpose: str | None = None
    general_interest: str | None = None
    expected_results: str | None = None
    actual_results: str | None = None
    start_date: datetime.date | None = None
    end_date: datetime.date | None = None
    status: str | None = None
    algorithms: list[uuid.UUID] | None = None
    processing_activities: list[uuid.UUID] | None = None
    footprint_note: str | None = None
    lineage_run: uuid.UUID | None = None


class IndicatorPoint(Schema):
    name: str
    unit: str = ""
    date: datetime.date
    value: float


class IndicatorsIn(Schema):
    points: list[IndicatorPoint]


class AlgorithmIn(PartialSchema):
    nullable = _NULLABLE

    organization: str | None = None
    note: str | None = Field(None, description="Note de révision publiée dans l’historique")
    name: str | None = None
    department: str | None = None
    contact_email: str | None = None
    description_short: str | None = None
    description: str | None = None
    status: str | None = None
    purpose: str | None = None
    benefit: str | None = None
    decision_role: str | None = None
    automation_level: str | None = None
    human_oversight: str | None = None
    people_affected: str | None = None
    yearly_volume: int | None = None
    legal_basis: str | None = None
    data_sources: str | None = None
    datasets: list[str] | None = None
    method: str | None = None
    operations: str | None = None
    parameters: list[dict[str, Any]] | None = None
    decision_rule: str | None = None
    performance: str | None = None
    monitoring: str | None = None
    risks: str | None = None
    mitigations: str | None = None
    impact_assessment: uuid.UUID | None = None
    redress: str | None = None
    code_url: str | None = None
    documentation_url: str | None = None
    extra: dict[str, Any] | None = None


class ExplainIn(Schema):
    values: dict[str, Any] = Field(..., description="Valeur de chaque paramètre pour la situation")
    run: uuid.UUID | None = Field(None, description="Exécution OpenLineage dont la décision "
                                  "a utilisé les données (facultatif)")


class PiaImportIn(Schema):
    processing_activity: uuid.UUID
    document: Any = Field(..., description="Export JSON de l’outil PIA de la CNIL")


class AssessmentIn(PartialSchema):
    nullable = _NULLABLE

    title: str | None = None
    context: str | None = None
    necessity: str | None = None
    risks: list[dict[str, Any]] | None = None
    measures: list[dict[str, Any]] | None = None
    dpo_opinion: str | None = None
    data_subjects_opinion: str | None = None
    decision: str | None = None


class EurocitiesImportIn(Schema):
    organization: str | None = None
    document: dict[str, Any]
