"""JSON API of the registers (public reads; writes with an organisation token or a session)."""

from __future__ import annotations

import uuid
from typing import Any

from django.apps import apps
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Router, Status

from spld.accounts.auth import token_or_session
from spld.core.api_errors import ApiError
from spld.core.permissions import has_perm, require
from spld.organizations.models import Organization
from spld.registers import explain, exports, selectors, services
from spld.registers.models import (
    Algorithm,
    DataFlow,
    ImpactAssessment,
    ProcessingActivity,
    Usage,
)
from spld.registers.schemas import (
    AlgorithmIn,
    AssessmentIn,
    EurocitiesImportIn,
    ExplainIn,
    FlowIn,
    IndicatorsIn,
    PiaImportIn,
    ProcessingIn,
    UsageIn,
)

router = Router(tags=["registres"])
ORG_LISTS = {"recipient_organizations", "joint_controllers", "partners"}
DATASET_LISTS = {"datasets_used", "datasets_produced", "datasets"}


def _out(entry: Any) -> dict[str, Any]:
    return {**entry.public_payload(), "url": entry.get_absolute_url()}


def _organization(request: HttpRequest, slug: str | None) -> Organization:
    if slug:
        org = Organization.objects.filter(slug=slug).first()
        if org is None:
            raise ApiError(422, "unknown_reference", _("Organisation inconnue : {s}.").format(
                s=slug), [{"field": "organization", "message": slug}])
        return org
    org = getattr(request.auth, "organization", None)  # type: ignore[attr-defined]
    if org is None:
        raise ApiError(422, "validation_error", _("Précisez « organization »."),
                       [{"field": "organization", "message": _("obligatoire")}])
    return org


def _resolve(data: dict[str, Any]) -> dict[str, Any]:
    """Turn slugs and UUIDs into objects; 422 naming every unknown reference."""
    problems = []
    Dataset = apps.get_model("catalog", "Dataset")  # noqa: N806
    lookups: list[tuple[set[str], Any, str]] = [
        (ORG_LISTS, Organization, "slug"), (DATASET_LISTS, Dataset, "slug"),
        ({"algorithms"}, Algorithm, "uid"), ({"processing_activities"}, ProcessingActivity, "uid"),
    ]
    for keys, model, attr in lookups:
        for key in keys & set(data):
            wanted = [str(v) for v in data[key] or []]
            found = {str(getattr(o, attr)): o for o in model.objects.filter(
                **{f"{attr}__in": wanted})}
            missing = [w for w in wanted if w not in found]
            if missing:
                problems.append({"field": key, "message": ", ".join(missing)})
            data[key] = [found[w] for w in wanted if w in found]
    if data.get("recipient"):
        org = Organization.objects.filter(slug=data["recipient"]).first()
        if org is None:
            problems.append({"field": "recipient", "message": data["recipient"]})
        data["recipient"] = org
    elif "recipient" in data:
        data["recipient"] = None
    if data.get("impact_assessment"):
        found = ImpactAssessment.objects.filter(uid=data["impact_assessment"]).first()
        if found is None:
            problems.append({"field": "impact_assessment", "message": str(
                data["impact_assessment"])})
        data["impact_assessment"] = found
    if problems:
        raise ApiError(422, "unknown_reference", _("Références inconnues."), problems)
    return {k: ("" if v is None and k in _BLANKABLE else v) for k, v in data.items()}


_BLANKABLE = {"recipient_category", "other_recipients", "processors", "purpose_detail",
              "legal_text", "data_description", "reference", "actual_results", "benefit",
              "performance", "code_url", "documentation_url", "footprint_note",
              "decision_rule", "dpo_opinion", "data_subjects_opinion", "decision"}


def _body(body: Any) -> dict[str, Any]:
    data = body.model_dump(exclude_unset=True)
    data.pop("organization", None)
    return _resolve(data)


# --- processing activities ------------------------------------------------------------

@router.get("/processing-activities", summary="Registre des traitements (public)")
def list_processing(request: HttpRequest, organization: str = "") -> list[dict[str, Any]]:
    """Processing activities of every organisation (or of one, `?organization=slug`)."""
    org = get_object_or_404(Organization, slug=organization) if organization else None
    return [_out(a) for a in selectors.processing_list(organization=org)]


@router.get("/processing-activities/export.csv", summary="Export au format du registre CNIL")
def export_processing(request: HttpRequest, organization: str = "") -> HttpResponse:
    """CSV in the layout of the CNIL's model register; security measures only for members."""
    org = get_object_or_404(Organization, slug=organization) if organization else None
    internal = org is not None and has_perm(request.user, "registers.edit", org)
    body = exports.cnil_csv(selectors.processing_list(organization=org),
                            include_internal=internal)
    response = HttpResponse("\ufeff" + body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="registre-traitements-{organization or "spld"}.csv"')
    return response


@router.get("/processing-activities/export.ods", summary="Export ODS du registre (modèle CNIL)")
def export_processing_ods(request: HttpRequest, organization: str = "") -> HttpResponse:
    """The same table as an OpenDocument spreadsheet."""
    org = get_object_or_404(Organization, slug=organization) if organization else None
    internal = org is not None and has_perm(request.user, "registers.edit", org)
    body = exports.cnil_ods(selectors.processing_list(organization=org),
                            include_internal=internal)
    response = HttpResponse(body, content_type="application/vnd.oasis.opendocument.spreadsheet")
    response["Content-Disposition"] = (
        f'attachment; filename="registre-traitements-{organization or "spld"}.ods"')
    return response


@router.get("/processing-activities/{uuid:uid}", summary="Un traitement")
def get_processing(request: HttpRequest, uid: uuid.UUID) -> dict[str, Any]:
    """One processing activity."""
    return _out(get_object_or_404(ProcessingActivity, uid=uid))


@router.post("/processing-activities", auth=token_or_session, response={201: dict},
             summary="Déclarer un traitement")
def create_processing(request: HttpRequest, body: ProcessingIn) -> Status[dict[str, Any]]:
    """Declare a processing activity of your organisation."""
    org = _organization(request, body.organization)
    require(request.auth, "registers.edit", org)  # permission before input checks
    activity = services.create_processing_activity(actor=request.auth, organization=org,
                                                   **_body(body))
    return Status(201, _out(activity))


@router.patch("/processing-activities/{uuid:uid}", auth=token_or_session,
              summary="Modifier un traitement")
def update_processing(request: HttpRequest, uid: uuid.UUID, body: ProcessingIn) -> dict[str, Any]:
    """Change a processing activity."""
    activity = get_object_or_404(ProcessingActivity, uid=uid)
    require(request.auth, "registers.edit", activity)  # permission before input checks
    return _out(services.update_processing_activity(actor=request.auth, activity=activity,
                                                    **_body(body)))


# --- data flows -----------------------------------------------------------------------

@router.get("/data-flows", summary="Partages de données (public)")
def list_flows(request: HttpRequest, organization: str = "") -> list[dict[str, Any]]:
    """Data flows, all or those from or to one organisation."""
    org = get_object_or_404(Organization, slug=organization) if organization else None
    return [_out(f) for f in selectors.flow_list(organization=org)]


@router.get("/data-flows/{uuid:uid}", summary="Un partage de données")
def get_flow(request: HttpRequest, uid: uuid.UUID) -> dict[str, Any]:
    """One data flow."""
    return _out(get_object_or_404(DataFlow, uid=uid))


@router.post("/data-flows", auth=token_or_session, response={201: dict},
             summary="Déclarer un partage")
def create_flow(request: HttpRequest, body: FlowIn) -> Status[dict[str, Any]]:
    """Declare data your organisation shares."""
    org = _organization(request, body.organization)
    require(request.auth, "registers.edit", org)  # permission before input checks
    flow = services.create_data_flow(actor=request.auth, organization=org, **_body(body))
    return Status(201, _out(flow))


@router.patch("/data-flows/{uuid:uid}", auth=token_or_session, summary="Modifier un partage")
def update_flow(request: HttpRequest, uid: uuid.UUID, body: FlowIn) -> dict[str, Any]:
    """Change a data flow."""
    flow = get_object_or_404(DataFlow, uid=uid)
    require(request.auth, "registers.edit", flow)  # permission before input checks
    return _out(services.update_data_flow(actor=request.auth, flow=flow, **_body(body)))


# --- usages ---------------------------------------------------------------------------

@router.get("/usages", summary="Cartographie des usages (public)")
def list_usages(request: HttpRequest, organization: str = "", dataset: str = "",
                status: str = "", q: str = "") -> list[dict[str, Any]]:
    """Usages, filterable by organisation, dataset, status and text."""
    return [_out(u) for u in selectors.usage_list(organization=organization, dataset=dataset,
                                                  status=status, q=q[:100])]


@router.get("/usages/{uuid:uid}", summary="Un usage")
def get_usage(request: HttpRequest, uid: uuid.UUID) -> dict[str, Any]:
    """One usage with its indicators."""
    return _out(get_object_or_404(Usage, uid=uid))


@router.post("/usages", auth=token_or_session, response={201: dict}, summary="Déclarer un usage")
def create_usage(request: HttpRequest, body: UsageIn) -> Status[dict[str, Any]]:
    """Declare a use of data for the general interest."""
    org = _organization(request, body.organization)
    require(request.auth, "registers.edit", org)  # permission before input checks
    usage = services.create_usage(actor=request.auth, organization=org, **_body(body))
    return Status(201, _out(usage))


@router.patch("/usages/{uuid:uid}", auth=token_or_session, summary="Modifier un usage")
def update_usage(request: HttpRequest, uid: uuid.UUID, body: UsageIn) -> dict[str, Any]:
    """Change a usage (e.g. publish its actual results)."""
    usage = get_object_or_404(Usage, uid=uid)
    require(request.auth, "registers.edit", usage)  # permission before input checks
    return _out(services.update_usage(actor=request.auth, usage=usage, **_body(body)))


@router.post("/usages/{uuid:uid}/indicators", auth=token_or_session,
             summary="Ajouter des mesures d’indicateurs")
def add_indicators(request: HttpRequest, uid: uuid.UUID, body: IndicatorsIn) -> dict[str, Any]:
    """Record indicator values (name, unit, date, value) of a usage."""
    usage = get_object_or_404(Usage, uid=uid)
    services.record_indicators(actor=request.auth, usage=usage,
                               points=[p.model_dump() for p in body.points])
    return _out(usage)


# --- algorithms ------------------------------------------------------------------------

@router.get("/algorithms", summary="Registre des algorithmes publics")
def list_algorithms(request: HttpRequest, organization: str = "") -> list[dict[str, Any]]:
    """Public algorithms."""
    org = get_object_or_404(Organization, slug=organization) if organization else None
    return [_out(a) for a in selectors.algorithm_list(organization=org)]


@router.post("/algorithms/eurocities", auth=token_or_session, response={201: dict},
             summary="Importer une fiche Eurocities")
def import_eurocities(request: HttpRequest, body: EurocitiesImportIn) -> Status[dict[str, Any]]:
    """Create an algorithm from a registration in the Eurocities standard."""
    org = _organization(request, body.organization)
    require(request.auth, "registers.edit", org)  # permission before input checks
    fields = exports.eurocities_import(body.document)
    algorithm = services.create_algorithm(actor=request.auth, organization=org, **fields)
    return Status(201, _out(algorithm))


@router.get("/algorithms/{uuid:uid}", summary="Un algorithme")
def get_algorithm(request: HttpRequest, uid: uuid.UUID) -> dict[str, Any]:
    """One algorithm (current version)."""
    return _out(get_object_or_404(Algorithm, uid=uid))


@router.get("/algorithms/{uuid:uid}/revisions", summary="Historique public des versions")
def algorithm_revisions(request: HttpRequest, uid: uuid.UUID) -> list[dict[str, Any]]:
    """Every published version of an algorithm, dated, newest first."""
    algorithm = get_object_or_404(Algorithm, uid=uid)
    return [{"version": r.version, "date": r.created_at.isoformat(), "note": r.note,
             "snapshot": r.snapshot} for r in algorithm.revisions.all()]


@router.get("/algorithms/{uuid:uid}/eurocities", summary="Fiche au standard Eurocities")
def algorithm_eurocities(request: HttpRequest, uid: uuid.UUID) -> dict[str, Any]:
    """The algorithm in the Eurocities Algorithmic Transparency Standard 0.3.1."""
    return exports.eurocities_export(get_object_or_404(Algorithm, uid=uid))


@router.post("/algorithms", auth=token_or_session, response={201: dict},
             summary="Déclarer un algorithme")
def create_algorithm(request: HttpRequest, body: AlgorithmIn) -> Status[dict[str, Any]]:
    """Register a public algorithm (version 1)."""
    org = _organization(request, body.organization)
    require(request.auth, "registers.edit", org)  # permission before input checks
    algorithm = services.create_algorithm(actor=request.auth, organization=org, **_body(body))
    return Status(201, _out(algorithm))


@router.patch("/algorithms/{uuid:uid}", auth=token_or_session, summary="Modifier un algorithme")
def update_algorithm(request: HttpRequest, uid: uuid.UUID, body: AlgorithmIn) -> dict[str, Any]:
    """Change an algorithm; adds a dated public revision."""
    algorithm = get_object_or_404(Algorithm, uid=uid)
    require(request.auth, "registers.edit", algorithm)  # permission before input checks
    return _out(services.update_algorithm(actor=request.auth, algorithm=algorithm,
                                          **_body(body)))


@router.post("/algorithms/{uuid:uid}/explain", summary="Expliquer une décision individuelle")
def explain_decision(request: HttpRequest, uid: uuid.UUID, body: ExplainIn) -> dict[str, Any]:
    """The explanation owed for one decision (CRPA R311-3-1-2); 400 lists bad parameters."""
    algorithm = get_object_or_404(Algorithm, uid=uid)
    try:
        result = explain.explain(algorithm, body.values,
                                 [d.title for d in algorithm.datasets.all()])
    except explain.ExplanationError as exc:
        raise ApiError(400, "bad_parameters", _("Paramètres manquants ou hors limites."),
                       exc.problems) from exc
    if body.run is not None:
        from spld.lineage.selectors import get_run

        if get_run(body.run) is None:
            raise ApiError(400, "bad_parameters", _("Exécution citée inconnue."),
                           [{"parameter": "run", "problem": "unknown", "message": str(body.run)}])
        # The decision cites the run whose data it used: its path is public.
        result["lineage_run"] = {"runId": str(body.run),
                                 "upstream": f"/api/1/lineage/runs/{body.run}/upstream",
                                 "page": reverse("lineage:run_path", args=[body.run])}
    return result


# --- impact assessments ---------------------------------------------------------------

def _visible_assessment(request: HttpRequest, uid: uuid.UUID) -> ImpactAssessment:
    assessment = get_object_or_404(ImpactAssessment, uid=uid)
    actor = getattr(request, "auth", None) or request.user
    if assessment.status != ImpactAssessment.Status.PUBLISHED and not has_perm(
            actor, "registers.edit", assessment):
        raise ApiError(404, "not_found", _("Ressource introuvable."))
    return assessment


@router.get("/impact-assessments", summary="Analyses d’impact publiées")
def list_assessments(request: HttpRequest) -> list[dict[str, Any]]:
    """Published DPIA summaries."""
    return [_out(a) for a in selectors.published_assessments()]


@router.get("/impact-assessments/{uuid:uid}", summary="Une analyse d’impact")
def get_assessment(request: HttpRequest, uid: uuid.UUID) -> dict[str, Any]:
    """A published DPIA summary (drafts: only for the organisation)."""
    return _out(_visible_assessment(request, uid))


@router.post("/impact-assessments/import-pia", auth=token_or_session, response={201: dict},
             summary="Importer un export de l’outil PIA de la CNIL")
def import_pia(request: HttpRequest, body: PiaImportIn) -> Status[dict[str, Any]]:
    """Create a draft DPIA summary from a PIA-tool JSON export."""
    from spld.registers.pia import PiaFormatError

    activity = get_object_or_404(ProcessingActivity, uid=body.processing_activity)
    try:
        assessment = services.import_pia(actor=request.auth, processing_activity=activity,
                                         document=body.document)
    except PiaFormatError as exc:
        raise ApiError(400, "not_a_pia_export", str(exc)) from exc
    return Status(201, _out(assessment))


@router.patch("/impact-assessments/{uuid:uid}", auth=token_or_session,
              summary="Modifier la synthèse d’une analyse")
def update_assessment(request: HttpRequest, uid: uuid.UUID, body: AssessmentIn) -> dict[str, Any]:
    """Edit a draft summary."""
    assessment = get_object_or_404(ImpactAssessment, uid=uid)
    require(request.auth, "registers.edit", assessment)  # permission before input checks
    return _out(services.update_impact_assessment(actor=request.auth, assessment=assessment,
                                                  **_body(body)))


@router.post("/impact-assessments/{uuid:uid}/review", auth=token_or_session,
             summary="Valider la synthèse (DPO)")
def review_assessment(request: HttpRequest, uid: uuid.UUID) -> dict[str, Any]:
    """The DPO approves the summary for publication."""
    assessment = get_object_or_404(ImpactAssessment, uid=uid)
    return _out(services.review_impact_assessment(actor=request.auth, assessment=assessment))


@router.post("/impact-assessments/{uuid:uid}/publish", auth=token_or_session,
             summary="Publier la synthèse")
def publish_assessment(request: HttpRequest, uid: uuid.UUID) -> dict[str, Any]:
    """Publish a reviewed summary (the date is logged)."""
    assessment = get_object_or_404(ImpactAssessment, uid=uid)
    return _out(services.publish_impact_assessment(actor=request.auth, assessment=assessment))
