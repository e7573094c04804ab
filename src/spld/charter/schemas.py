"""API schemas of the charter (separate in / out shapes)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Field, Schema


class EventOut(Schema):
    from_status: str
    to_status: str
    action: str
    reason: str
    at: dt.datetime
    author: str = Field(alias="author_label")


class MembershipOut(Schema):
    organization: str
    organization_name: str
    status: str
    status_label: str
    status_since: dt.datetime
    active_since: dt.datetime | None
    route: str
    contract_kind: str
    contract_reference: str
    contract_start: dt.date | None
    contract_end: dt.date | None
    contracting_authority: str | None
    charter_version: int | None
    allowed_transitions: list[str]

    @staticmethod
    def resolve_organization(obj) -> str:  # type: ignore[no-untyped-def]
        return obj.organization.slug

    @staticmethod
    def resolve_organization_name(obj) -> str:  # type: ignore[no-untyped-def]
        return obj.organization.name

    @staticmethod
    def resolve_status_label(obj) -> str:  # type: ignore[no-untyped-def]
        return str(obj.get_status_display())

    @staticmethod
    def resolve_contracting_authority(obj) -> str | None:  # type: ignore[no-untyped-def]
        return obj.contracting_authority.slug if obj.contracting_authority else None

    @staticmethod
    def resolve_charter_version(obj) -> int | None:  # type: ignore[no-untyped-def]
        return obj.charter_version.number if obj.charter_version else None

    @staticmethod
    def resolve_allowed_transitions(obj) -> list[str]:  # type: ignore[no-untyped-def]
        from spld.charter.lifecycle import allowed_targets

        return allowed_targets(obj.status)


class MembershipDetailOut(MembershipOut):
    events: list[EventOut]

    @staticmethod
    def resolve_events(obj):  # type: ignore[no-untyped-def]
        return list(obj.events.order_by("at", "pk"))


class MembershipCreate(Schema):
    organization: str = Field(description="Identifiant (slug) de l’organisation candidate")
    route: Literal["voluntary", "contract"] = "voluntary"
    motivation: str = Field("", max_length=5000)
    contract_kind: Literal["", "procurement", "concession", "delegation"] = ""
    contract_reference: str = Field("", max_length=200)
    contract_start: dt.date | None = None
    contract_end: dt.date | None = None
    contracting_authority: str | None = Field(None, description="Slug de l’autorité contractante")


class TransitionIn(Schema):
    to_status: str = Field(description="Statut visé (voir allowed_transitions)")
    reason: str = Field(max_length=5000)


class AnswerIn(Schema):
    principle: int = Field(ge=1, le=11)
    practice: str = Field(min_length=1, max_length=10000)
    responsible: str = Field(min_length=1, max_length=200)
    evidence_url: str = Field("", max_length=500)
    evidence_label: str = Field("", max_length=200)


class AssessmentOut(Schema):
    round: int
    status: str
    submitted_at: dt.datetime | None
    answered_principles: list[int]

    @staticmethod
    def resolve_answered_principles(obj) -> list[int]:  # type: ignore[no-untyped-def]
        return sorted(obj.answers.values_list("principle", flat=True))


class DecisionIn(Schema):
    outcome: Literal["approved", "changes_requested"]
    reasons: str = Field(min_length=1, max_length=10000)


class AlertIn(Schema):
    organization: str
    principle: int = Field(ge=1, le=11)
    facts: str = Field(min_length=1, max_length=10000)
    expected_remedy: str = Field(min_length=1, max_length=10000)
    deadline: dt.date


class AlertOut(Schema):
    id: int
    organization: str
    level: int
    principle: int
    facts: str
    expected_remedy: str
    deadline: dt.date
    status: str
    origin: str
    indicator_code: str
    raised_at: dt.datetime
    answer: str
    resolution: str

    @staticmethod
    def resolve_organization(obj) -> str:  # type: ignore[no-untyped-def]
        return obj.membership.organization.slug


class AlertAnswerIn(Schema):
    answer: str = Field(min_length=1, max_length=10000)


class ExclusionIn(Schema):
    decision: str = Field(min_length=1, max_length=10000)
    votes_for: int = Field(ge=0, le=1000)
    votes_against: int = Field(ge=0, le=1000)
    abstentions: int = Field(0, ge=0, le=1000)
    decided_on: dt.date | None = None


class ExclusionOut(Schema):
    organization: str
    decision: str
    votes_for: int
    votes_against: int
    abstentions: int
    decided_on: dt.date
    reapply_after: dt.date

    @staticmethod
    def resolve_organization(obj) -> str:  # type: ignore[no-untyped-def]
        return obj.membership.organization.slug


class EvaluationAnswerIn(Schema):
    principle: int = Field(ge=1, le=11)
    level: Literal["met", "partial", "not_met", "not_applicable"]
    comment: str = Field("", max_length=5000)


class EvaluationIn(Schema):
    year: int = Field(ge=2000, le=2100)
    summary: str = Field("", max_length=10000)
    answers: list[EvaluationAnswerIn]


class EvaluationOut(Schema):
    organization: str
    year: int
    submitted_at: dt.datetime
    summary: str
    indicators: dict[str, float | None]
    answers: list[EvaluationAnswerIn]

    @staticmethod
    def resolve_organization(obj) -> str:  # type: ignore[no-untyped-def]
        return obj.membership.organization.slug

    @staticmethod
    def resolve_answers(obj):  # type: ignore[no-untyped-def]
        return list(obj.answers.order_by("principle"))


class IndicatorOut(Schema):
    code: str
    principle: int
    label: str
    definition: str
    threshold: float
    source: str


class IndicatorPoint(Schema):
    code: str
    at_date: dt.date
    value: float | None
