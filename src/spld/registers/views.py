"""Public pages of the registers and the editors' forms."""

from __future__ import annotations

import contextlib
import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from spld.core.permissions import has_perm, is_spld_admin
from spld.organizations.models import Organization
from spld.registers import explain, forms, selectors, services, svg, vocab
from spld.registers.models import (
    Algorithm,
    DataFlow,
    ImpactAssessment,
    ProcessingActivity,
    Usage,
)
from spld.registers.pia import PiaFormatError


def index(request: HttpRequest) -> HttpResponse:
    """The registers with their counts and the latest changes."""
    changes = [{"entry": e, "subject": selectors.subject_for(e)}
               for e in selectors.latest_changes()]
    return render(request, "registers/index.html", {
        "counts": selectors.register_counts(), "changes": changes,
    })


def holders(request: HttpRequest) -> HttpResponse:
    """« Qui détient mes données ? »"""
    return render(request, "registers/holders.html", {"holders": selectors.holders()})


def processing_detail(request: HttpRequest, uid: str) -> HttpResponse:
    """One processing activity in plain language."""
    activity = get_object_or_404(ProcessingActivity.objects.select_related("organization"),
                                 uid=uid)
    return render(request, "registers/processing_detail.html", {
        "activity": activity,
        "purposes": [vocab.label(p) for p in activity.purposes],
        "legal_basis": vocab.label(activity.legal_basis),
        "categories": [(vocab.label(c), vocab.CATEGORIES.get(c, {}).get("special"))
                       for c in activity.data_categories],
        "assessments": activity.impact_assessments.filter(
            status=ImpactAssessment.Status.PUBLISHED),
        "can_edit": has_perm(request.user, "registers.edit", activity),
    })


def flows(request: HttpRequest) -> HttpResponse:
    """Territory-wide map of data flows: SVG graph and its table."""
    graph = selectors.flow_graph()
    drawing = svg.graph_svg(graph["nodes"], graph["edges"],
                            title=_("Partages de données entre organisations du territoire"),
                            description=_("Chaque flèche va de l’organisation qui partage vers "
                                          "celle qui reçoit. Le tableau ci-dessous donne le "
                                          "même contenu."))
    return render(request, "registers/flows.html", {
        "svg": mark_safe(drawing),  # noqa: S308  (built from escaped text only)
        "flows": selectors.current_flows(),
    })


def organization_flows(request: HttpRequest, slug: str) -> HttpResponse:
    """« Avec qui partage-t-elle des données ? » for one organisation."""
    organization = get_object_or_404(Organization, slug=slug)
    all_flows = selectors.flow_list(organization=organization)
    return render(request, "registers/organization_flows.html", {
        "organization": organization,
        "outgoing": [f for f in all_flows if f.organization_id == organization.pk],
        "incoming": [f for f in all_flows if f.recipient_id == organization.pk],
        "activities": selectors.processing_list(organization=organization),
        "algorithms": selectors.algorithm_list(organization=organization),
    })


def flow_detail(request: HttpRequest, uid: str) -> HttpResponse:
    """One data flow."""
    flow = get_object_or_404(DataFlow.objects.select_related("organization", "recipient"),
                             uid=uid)
    return render(request, "registers/flow_detail.html", {
        "flow": flow, "categories": [vocab.label(c) for c in flow.data_categories],
        "can_edit": has_perm(request.user, "registers.edit", flow),
    })


def usages(request: HttpRequest) -> HttpResponse:
    """« Cartographie des usages »: usages ↔ datasets ↔ organisations, filterable."""
    status = request.GET.get("statut", "")
    if status not in Usage.Status.values:
        status = ""
    filters = {"organization": request.GET.get("organisation", "")[:80],
               "dataset": request.GET.get("donnees", "")[:120], "status": status,
               "q": request.GET.get("q", "")[:100]}
    items = list(selectors.usage_list(**filters))
    nodes: dict[str, dict[str, Any]] = {}
    edges = []
    for usage in items:
        uid = f"usage:{usage.uid}"
        nodes[uid] = {"id": uid, "label": usage.title, "kind": "job",
                      "url": usage.get_absolute_url()}
        for org in [usage.organization, *usage.partners.all()]:
            nodes[f"org:{org.slug}"] = {"id": f"org:{org.slug}", "label": org.name,
                                        "url": org.get_absolute_url()}
            edges.append({"source": f"org:{org.slug}", "target": uid})
        for dataset in usage.datasets.all():
            did = f"dataset:{dataset.slug}"
            nodes[did] = {"id": did, "label": dataset.title, "kind": "dataset"}
            edges.append({"source": did, "target": uid})
    drawing = svg.graph_svg(list(nodes.values()), edges,
                            title=_("Cartographie des usages"),
                            description=_("Organisations et jeux de données reliés aux usages "
                                          "qu’ils alimentent ; le tableau donne le même "
                                          "contenu.")) if items else ""
    return render(request, "registers/usages.html", {
        "usages": items, "filters": filters, "svg": mark_safe(drawing),  # noqa: S308
        "statuses": Usage.Status.choices, "organizations": selectors.organizations_with_entries(),
        "timeline": selectors.usage_timeline(),
    })


def usage_detail(request: HttpRequest, uid: str) -> HttpResponse:
    """One usage with its results and indicators over time."""
    usage = get_object_or_404(Usage.objects.select_related("organization"), uid=uid)
    series = selectors.indicator_series(usage)
    for s in series:
        s["svg"] = mark_safe(svg.line_chart_svg(  # noqa: S308
            s, title=_("Évolution de l’indicateur « {n} »").format(n=s["name"])))
    can_edit = has_perm(request.user, "registers.edit", usage)
    return render(request, "registers/usage_detail.html", {
        "usage": usage, "series": series, "can_edit": can_edit,
        "indicator_form": forms.IndicatorForm() if can_edit else None,
    })


@login_required
@require_POST
def usage_indicator(request: HttpRequest, uid: str) -> HttpResponse:
    """An editor adds one measurement of an indicator (results over time)."""
    usage = get_object_or_404(Usage, uid=uid)
    if not has_perm(request.user, "registers.edit", usage):
        raise PermissionDenied
    form = forms.IndicatorForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Mesure invalide : indiquez un nom, une date et une valeur."))
        return redirect(usage.get_absolute_url())
    services.record_indicators(actor=request.user, usage=usage, points=[form.cleaned_data])
    messages.success(request, _("Mesure enregistrée et inscrite au journal de transparence."))
    return redirect(usage.get_absolute_url())


def algorithms(request: HttpRequest) -> HttpResponse:
    """The register of public algorithms."""
    return render(request, "registers/algorithms.html",
                  {"algorithms": selectors.algorithm_list()})


def _facts(payload: dict[str, Any]) -> dict[str, Any]:
    """An algorithm payload with display labels instead of codes (for the public pages)."""
    org = Organization.objects.filter(slug=payload.get("organization")).first()
    labels = {"status": dict(Algorithm.Status.choices),
              "decision_role": dict(Algorithm.Role.choices),
              "method": dict(Algorithm.Method.choices)}
    out = dict(payload)
    for key, choices in labels.items():
        out[key] = choices.get(payload.get(key), payload.get(key))
    out["organization"] = org.name if org else payload.get("organization")
    return out


def algorithm_detail(request: HttpRequest, uid: str) -> HttpResponse:
    """One algorithm, its parameters and its full public revision history."""
    algorithm = get_object_or_404(Algorithm.objects.select_related("organization"), uid=uid)
    return render(request, "registers/algorithm_detail.html", {
        "algorithm": algorithm, "revisions": algorithm.revisions.all(),
        "facts": _facts(algorithm.public_payload()),
        "can_edit": has_perm(request.user, "registers.edit", algorithm),
    })


def algorithm_revision(request: HttpRequest, uid: str, version: int) -> HttpResponse:
    """One past version of an algorithm entry, as published."""
    algorithm = get_object_or_404(Algorithm, uid=uid)
    revision = get_object_or_404(algorithm.revisions, version=version)
    return render(request, "registers/algorithm_revision.html",
                  {"algorithm": algorithm, "revision": revision,
                   "facts": _facts(revision.snapshot)})


def algorithm_explain(request: HttpRequest, uid: str) -> HttpResponse:
    """Explanation of one individual decision (CRPA L311-3-1, R311-3-1-2).

    The situation is posted, not put in the address, so that it stays out of browser
    history and server logs; nothing is stored.
    """
    algorithm = get_object_or_404(Algorithm.objects.select_related("organization"), uid=uid)
    form = forms.ExplainForm(request.POST or None, parameters=list(algorithm.parameters))
    result, problems, status = None, [], 200
    run = None
    if request.method == "POST" and form.is_valid():
        try:
            result = explain.explain(algorithm, dict(form.cleaned_data),
                                     [d.title for d in algorithm.datasets.all()])
        except explain.ExplanationError as exc:
            problems, status = exc.problems, 400
            for problem in exc.problems:
                if problem["parameter"] in form.fields:
                    form.add_error(problem["parameter"], problem["message"])
    cited = request.GET.get("execution", "")
    if cited:
        from spld.lineage import selectors as lineage

        with contextlib.suppress(ValueError):
            run = lineage.get_run(uuid.UUID(cited))
    return render(request, "registers/algorithm_explain.html", {
        "algorithm": algorithm, "form": form, "result": result, "problems": problems,
        "mention": explain.standard_mention(algorithm), "run": run,
    }, status=status)


def assessments(request: HttpRequest) -> HttpResponse:
    """Published DPIA summaries."""
    return render(request, "registers/assessments.html",
                  {"assessments": selectors.published_assessments()})


def assessment_detail(request: HttpRequest, uid: str) -> HttpResponse:
    """A DPIA summary (drafts only for the organisation)."""
    assessment = get_object_or_404(
        ImpactAssessment.objects.select_related("organization", "processing_activity"), uid=uid)
    can_edit = has_perm(request.user, "registers.edit", assessment)
    if assessment.status != ImpactAssessment.Status.PUBLISHED and not can_edit:
        raise Http404
    return render(request, "registers/assessment_detail.html", {
        "assessment": assessment, "can_edit": can_edit,
        "can_publish": has_perm(request.user, "registers.publish_assessment", assessment),
    })


# --- editors --------------------------------------------------------------------------

KINDS: dict[str, dict[str, Any]] = {
    "traitement": {"model": ProcessingActivity, "form": forms.ProcessingForm,
                   "create": services.create_processing_activity,
                   "update": services.update_processing_activity, "arg": "activity"},
    "partage": {"model": DataFlow, "form": forms.FlowForm, "create": services.create_data_flow,
                "update": services.update_data_flow, "arg": "flow"},
    "usage": {"model": Usage, "form": forms.UsageForm, "create": services.create_usage,
              "update": services.update_usage, "arg": "usage"},
    "algorithme": {"model": Algorithm, "form": forms.AlgorithmForm,
                   "create": services.create_algorithm, "update": services.update_algorithm,
                   "arg": "algorithm"},
}


@login_required
def manage(request: HttpRequest) -> HttpResponse:
    """The register entries of the organisations the user edits for."""
    if not has_perm(request.user, "registers.manage"):
        raise PermissionDenied(_("Vous n’éditez pour aucune organisation."))
    if is_spld_admin(request.user):
        orgs = Organization.objects.all()
    else:
        orgs = Organization.objects.filter(memberships__user=request.user).distinct()
    if not orgs.exists():
        raise PermissionDenied(_("Vous n’éditez pour aucune organisation."))
    mine = Q(organization__in=orgs)
    return render(request, "registers/manage.html", {
        "activities": ProcessingActivity.objects.filter(mine).select_related("organization"),
        "flows": DataFlow.objects.filter(mine).select_related("organization", "recipient"),
        "usages": Usage.objects.filter(mine).select_related("organization"),
        "algorithms": Algorithm.objects.filter(mine).select_related("organization"),
        "assessments": ImpactAssessment.objects.filter(mine).select_related("organization"),
    })


@login_required
def edit(request: HttpRequest, kind: str, uid: str | None = None) -> HttpResponse:
    """Create or change a register entry."""
    spec = KINDS.get(kind)
    if spec is None:
        raise Http404
    instance = get_object_or_404(spec["model"], uid=uid) if uid else None
    if instance is not None and not has_perm(request.user, "registers.edit", instance):
        raise PermissionDenied
    form = spec["form"](request.POST or None, instance=instance, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            if instance is None:
                org = data.pop("organization")
                entry = spec["create"](actor=request.user, organization=org, **data)
            else:
                entry = spec["update"](actor=request.user, **{spec["arg"]: instance}, **data)
        except ValidationError as exc:
            _attach(form, exc)
        else:
            messages.success(request, _("Enregistré et inscrit au journal de transparence."))
            return redirect(entry.get_absolute_url())
    return render(request, "registers/edit.html", {"form": form, "instance": instance,
                                                   "kind": kind},
                  status=400 if request.method == "POST" else 200)


def _attach(form: Any, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None,
                           [m for e in errors for m in e.messages])
    else:
        form.add_error(None, exc.messages)


@login_required
def pia_import(request: HttpRequest) -> HttpResponse:
    """Upload a CNIL PIA-tool export: it becomes a draft summary to review."""
    form = forms.PiaUploadForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            assessment = services.import_pia(
                actor=request.user, processing_activity=form.cleaned_data["processing_activity"],
                document=form.cleaned_data["file"])
        except PiaFormatError as exc:
            form.add_error("file", str(exc))
        except ValidationError as exc:
            _attach(form, exc)
        else:
            messages.success(request, _("Analyse importée : relisez la synthèse avant de la "
                                        "publier."))
            return redirect(assessment.get_absolute_url())
    return render(request, "registers/pia_import.html", {"form": form},
                  status=400 if request.method == "POST" else 200)


@login_required
def assessment_edit(request: HttpRequest, uid: str) -> HttpResponse:
    """Edit a draft DPIA summary."""
    assessment = get_object_or_404(ImpactAssessment, uid=uid)
    if not has_perm(request.user, "registers.edit", assessment):
        raise PermissionDenied
    form = forms.AssessmentForm(request.POST or None, instance=assessment)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_impact_assessment(actor=request.user, assessment=assessment,
                                              **form.cleaned_data)
        except ValidationError as exc:
            _attach(form, exc)
        else:
            return redirect(assessment.get_absolute_url())
    return render(request, "registers/edit.html", {"form": form, "instance": assessment,
                                                   "kind": "aipd"})


@login_required
@require_POST
def assessment_transition(request: HttpRequest, uid: str, step: str) -> HttpResponse:
    """Review or publish a DPIA summary."""
    assessment = get_object_or_404(ImpactAssessment, uid=uid)
    service = {"relire": services.review_impact_assessment,
               "publier": services.publish_impact_assessment}.get(step)
    if service is None:
        raise Http404
    try:
        service(actor=request.user, assessment=assessment)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Synthèse publiée.") if step == "publier"
                         else _("Synthèse relue : elle peut être publiée."))
    return redirect(assessment.get_absolute_url())
