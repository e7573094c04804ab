"""JSON API of the charter: memberships and transitions, assessments, alerts, evaluations."""

# No `from __future__ import annotations`: ninja's @paginate resolves string annotations in
# its own module, where MembershipFilter is unknown.
from collections.abc import Callable
from typing import Any, Literal, TypeVar

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate

from spld.accounts.auth import token_or_session
from spld.charter import indicators as registry
from spld.charter import selectors, services
from spld.charter.lifecycle import IllegalTransition
from spld.charter.models import Alert, Evaluation, IndicatorValue, Membership
from spld.charter.schemas import (
    AlertAnswerIn,
    AlertIn,
    AlertOut,
    AnswerIn,
    AssessmentOut,
    DecisionIn,
    EvaluationIn,
    EvaluationOut,
    ExclusionIn,
    ExclusionOut,
    IndicatorOut,
    IndicatorPoint,
    MembershipCreate,
    MembershipDetailOut,
    MembershipOut,
    TransitionIn,
)
from spld.core.api_errors import ApiError
from spld.core.pagination import BoundedPageNumberPagination
from spld.core.permissions import require
from spld.organizations.models import Organization

router = Router(tags=["charte"])
# The statuses as an enum in the OpenAPI document: every value it lists is accepted.
MembershipStatus = Literal[("", *Membership.Status.values)]  # type: ignore[valid-type]


class MembershipFilter(Schema):
    status: MembershipStatus = ""
T = TypeVar("T")


def call(fn: Callable[..., T], **kwargs: Any) -> T:
    """Run a service and turn lifecycle conflicts into 409 answers (other errors → 422)."""
    try:
        return fn(**kwargs)
    except IllegalTransition as exc:
        raise ApiError(409, "illegal_transition", exc.messages[0], [
            {"loc": ["body", "to_status"], "field": "to_status", "message": exc.messages[0],
             "allowed": exc.allowed}]) from exc
    except ValidationError as exc:
        code = getattr(exc, "code", None)
        if code in ("duplicate", "reapply_too_early", "use_dedicated_action"):
            raise ApiError(409, code, exc.messages[0]) from exc
        raise


def _membership(slug: str) -> Membership:
    return get_object_or_404(selectors.memberships(), organization__slug=slug)


@router.get("/memberships", response=list[MembershipOut], summary="Adhésions à la charte")
@paginate(BoundedPageNumberPagination, page_size=50)
def list_memberships(request: HttpRequest, filters: Query[MembershipFilter]):  # type: ignore[no-untyped-def]
    """Every membership with its status; filter with `?status=active`."""
    qs = selectors.memberships()
    if filters.status:
        qs = qs.filter(status=filters.status)
    return qs


@router.get("/memberships/{slug}", response=MembershipDetailOut, summary="Une adhésion")
def get_membership(request: HttpRequest, slug: str) -> Membership:
    """A membership with its public history."""
    return _membership(slug)


@router.post("/memberships", response={201: MembershipOut}, auth=token_or_session,
             summary="Déposer une candidature")
def create_membership(request: HttpRequest, body: MembershipCreate) -> Any:
    """Apply to the charter, voluntarily or under a contract."""
    organization = get_object_or_404(Organization, slug=body.organization)
    authority = None
    if body.contracting_authority:
        authority = get_object_or_404(Organization, slug=body.contracting_authority)
    membership = call(services.apply, actor=request.auth, organization=organization,
                      route=body.route, motivation=body.motivation,
                      contract_kind=body.contract_kind,
                      contract_reference=body.contract_reference,
                      contract_start=body.contract_start, contract_end=body.contract_end,
                      contracting_authority=authority)
    return Status(201, membership)


@router.post("/memberships/{slug}/transitions", response=MembershipDetailOut,
             auth=token_or_session, summary="Changer le statut d’une adhésion")
def transition(request: HttpRequest, slug: str, body: TransitionIn) -> Membership:
    """Withdraw, re-apply or remediate; an illegal move answers 409 with the allowed ones."""
    membership = _membership(slug)
    call(services.change_status, actor=request.auth, membership=membership,
         target=body.to_status, reason=body.reason)
    return _membership(slug)


@router.get("/memberships/{slug}/assessment", response=AssessmentOut, auth=token_or_session,
            summary="Démonstration de capacité en cours")
def get_assessment(request: HttpRequest, slug: str) -> Any:
    """The current round of the capacity assessment (the organisation and reviewers only)."""
    membership = _membership(slug)
    require(request.auth, "charter.view_private", membership)
    return get_object_or_404(membership.assessments.order_by("-round")[:1])


@router.post("/memberships/{slug}/assessment/answers", response=AssessmentOut,
             auth=token_or_session, summary="Répondre pour un principe")
def answer(request: HttpRequest, slug: str, body: AnswerIn) -> Any:
    """Write the answer for one principle, optionally with a link as evidence."""
    membership = _membership(slug)
    require(request.auth, "charter.fill", membership)  # before revealing any state
    assessment = selectors.current_assessment(membership)
    if assessment is None:
        raise ApiError(409, "no_assessment", "Aucune démonstration de capacité en cours.")
    saved = call(services.save_answer, actor=request.auth, assessment=assessment,
                 principle=body.principle, practice=body.practice,
                 responsible=body.responsible)
    if body.evidence_url:
        call(services.add_evidence, actor=request.auth, answer=saved,
             label=body.evidence_label or body.evidence_url, url=body.evidence_url)
    return assessment


@router.post("/memberships/{slug}/assessment/submit", response=AssessmentOut,
             auth=token_or_session, summary="Transmettre la démonstration de capacité")
def submit_assessment(request: HttpRequest, slug: str) -> Any:
    """Send the questionnaire to the reviewers (every principle must be answered)."""
    membership = _membership(slug)
    require(request.auth, "charter.fill", membership)  # before revealing any state
    assessment = selectors.current_assessment(membership)
    if assessment is None:
        raise ApiError(409, "no_assessment", "Aucune démonstration de capacité en cours.")
    return call(services.submit_assessment, actor=request.auth, assessment=assessment)


@router.post("/memberships/{slug}/assessment/decision", response=MembershipDetailOut,
             auth=token_or_session, summary="Décider sur la démonstration de capacité")
def decide(request: HttpRequest, slug: str, body: DecisionIn) -> Membership:
    """SPLD team: approve (the membership becomes active) or ask for changes."""
    membership = _membership(slug)
    require(request.auth, "charter.manage", membership)  # before revealing any state
    assessment = selectors.current_assessment(membership)
    if assessment is None:
        raise ApiError(409, "no_assessment", "Aucune démonstration de capacité en cours.")
    call(services.decide, actor=request.auth, assessment=assessment, outcome=body.outcome,
         reasons=body.reasons)
    return _membership(slug)


@router.get("/alerts", response=list[AlertOut], summary="Alertes émises")
@paginate(BoundedPageNumberPagination, page_size=50)
def list_alerts(request: HttpRequest, organization: str = ""):  # type: ignore[no-untyped-def]
    """Alerts raised against signatories (automatic proposals excluded)."""
    qs = selectors.public_alerts()
    if organization:
        qs = qs.filter(membership__organization__slug=organization)
    return qs


@router.post("/alerts", response={201: AlertOut}, auth=token_or_session,
             summary="Émettre une alerte")
def raise_alert(request: HttpRequest, body: AlertIn) -> Any:
    """SPLD team: raise an alert; the membership moves up one level."""
    membership = _membership(body.organization)
    alert = call(services.raise_alert, actor=request.auth, membership=membership,
                 principle=body.principle, facts=body.facts,
                 expected_remedy=body.expected_remedy, deadline=body.deadline)
    return Status(201, alert)


@router.post("/alerts/{alert_id}/answer", response=AlertOut, auth=token_or_session,
             summary="Répondre à une alerte")
def answer_alert(request: HttpRequest, alert_id: int, body: AlertAnswerIn) -> Alert:
    """The signatory answers an alert."""
    alert = get_object_or_404(Alert.objects.select_related("membership__organization"),
                              pk=alert_id)
    return call(services.answer_alert, actor=request.auth, alert=alert, answer=body.answer)


@router.post("/memberships/{slug}/exclusion", response={201: ExclusionOut},
             auth=token_or_session, summary="Exclure un signataire")
def exclude(request: HttpRequest, slug: str, body: ExclusionIn) -> Any:
    """Record the committee's exclusion decision and vote (after a final notice)."""
    membership = _membership(slug)
    exclusion = call(services.exclude, actor=request.auth, membership=membership,
                     decision=body.decision, votes_for=body.votes_for,
                     votes_against=body.votes_against, abstentions=body.abstentions,
                     decided_on=body.decided_on)
    return Status(201, exclusion)


@router.get("/memberships/{slug}/evaluations", response=list[EvaluationOut],
            summary="Auto-évaluations d’un signataire")
def list_evaluations(request: HttpRequest, slug: str) -> Any:
    """Yearly self-evaluations, newest first."""
    return list(Evaluation.objects.filter(membership=_membership(slug)).order_by("-year"))


@router.post("/memberships/{slug}/evaluations", response={201: EvaluationOut},
             auth=token_or_session, summary="Transmettre une auto-évaluation")
def submit_evaluation(request: HttpRequest, slug: str, body: EvaluationIn) -> Any:
    """File the yearly self-evaluation; a second one for the same year answers 409."""
    membership = _membership(slug)
    require(request.auth, "charter.fill", membership)
    answers = {a.principle: (a.level, a.comment) for a in body.answers}
    if len(answers) != len(body.answers):
        raise ApiError(422, "validation_error", "Un principe apparaît deux fois.")
    evaluation = call(services.submit_evaluation, actor=request.auth, membership=membership,
                      year=body.year, answers=answers, summary=body.summary)
    return Status(201, evaluation)


@router.get("/indicators", response=list[IndicatorOut], summary="Définition des indicateurs")
def list_indicators(request: HttpRequest) -> list[dict[str, Any]]:
    """Public definitions and thresholds of the indicators."""
    return [{"code": i.code, "principle": i.principle, "label": str(i.label),
             "definition": str(i.definition), "threshold": i.threshold, "source": i.source}
            for i in registry.INDICATORS]


@router.get("/memberships/{slug}/indicators", response=list[IndicatorPoint],
            summary="Historique des indicateurs d’un signataire")
def indicator_history(request: HttpRequest, slug: str) -> Any:
    """Every stored value of every indicator for the organisation."""
    membership = _membership(slug)
    return list(IndicatorValue.objects.filter(organization=membership.organization)
                .order_by("code", "at_date"))
