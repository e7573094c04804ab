"""HTML pages of the charter: public registers, the signatory space and the team's actions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from spld.charter import charts, forms, lifecycle, selectors, services
from spld.charter import indicators as registry
from spld.charter import report as report_module
from spld.charter.lifecycle import IllegalTransition
from spld.charter.models import AnnualReport, CharterVersion, Membership
from spld.core.downloads import serve_file
from spld.core.permissions import has_perm, require
from spld.core.principles import PRINCIPLES
from spld.organizations.models import Organization

# --- Public pages -----------------------------------------------------------------------

def signatories(request: HttpRequest) -> HttpResponse:
    """« Signataires de la charte »: every membership, its status, since when, its history."""
    status = request.GET.get("statut", "")
    qs = selectors.memberships_with_events()
    if status in Membership.Status.values:
        qs = qs.filter(status=status)
    else:
        status = ""
    return render(request, "charter/signatories.html", {
        "memberships": qs, "status": status, "statuses": Membership.Status.choices,
        "counts": selectors.status_counts(),
        "signatory_count": selectors.signatory_count(),
    })


def signatory(request: HttpRequest, slug: str) -> HttpResponse:
    """One signatory: status, history, scorecard (principles × indicators), alerts, opinions."""
    organization = get_object_or_404(Organization, slug=slug)
    membership = selectors.membership_of(organization)
    card = selectors.scorecard(organization)
    for row in card["rows"]:
        for ind in row.indicators:
            ind.svg = charts.sparkline(
                [v for _d, v in ind.history], threshold=ind.indicator.threshold,
                label=_("Évolution de « {label} » (seuil {t:g} %)").format(
                    label=ind.indicator.label, t=ind.indicator.threshold))
    return render(request, "charter/signatory.html", {
        "organization": organization, "membership": membership, "card": card,
        "events": selectors.history(membership) if membership else [],
        "alerts": selectors.public_alerts().filter(membership__organization=organization),
        "exclusions": selectors.exclusions().filter(membership__organization=organization),
        "opinions": selectors.opinions().filter(membership__organization=organization),
        "can_open_space": has_perm(request.user, "charter.view_private", organization)
        or has_perm(request.user, "charter.apply", organization),
    })


def alerts(request: HttpRequest) -> HttpResponse:
    """Alerts raised and the committee's exclusion decisions."""
    return render(request, "charter/alerts.html", {
        "alerts": selectors.public_alerts(), "exclusions": selectors.exclusions(),
    })


def alert(request: HttpRequest, pk: int) -> HttpResponse:
    """One alert: principle, facts, remedy, deadline, the signatory's answer, the outcome."""
    item = get_object_or_404(selectors.public_alerts(), pk=pk)
    return render(request, "charter/alert.html", {
        "alert": item, "principle": PRINCIPLES[item.principle - 1],
        "opinions": item.opinions.all(),
    })


def committee(request: HttpRequest) -> HttpResponse:
    """The ethics committee: members by college, meetings, opinions; committee members publish."""
    bound: dict[str, Any] = {}
    if request.method == "POST":
        require(request.user, "charter.committee")
        kind = request.POST.get("form", "opinion")
        form_class, service = {
            "member": (forms.MemberForm, services.add_committee_member),
            "opinion": (forms.OpinionForm, services.publish_opinion),
            "meeting": (forms.MeetingForm, services.schedule_meeting),
            "minutes": (forms.MinutesForm, services.record_minutes),
        }.get(kind, (forms.OpinionForm, services.publish_opinion))
        form = form_class(request.POST)
        bound[kind] = form
        if form.is_valid():
            try:
                service(actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, _("Enregistré et publié."))
                return redirect("charter:committee")
    return render(request, "charter/committee.html", {
        "members": selectors.committee_members(), "meetings": selectors.meetings(),
        "opinions": selectors.opinions(),
        "form": bound.get("opinion") or forms.OpinionForm(),
        "meeting_form": bound.get("meeting") or forms.MeetingForm(),
        "minutes_form": bound.get("minutes") or forms.MinutesForm(),
        "member_form": bound.get("member") or forms.MemberForm(),
        "can_appoint": has_perm(request.user, "charter.manage"),
        "can_publish": has_perm(request.user, "charter.committee"),
    }, status=400 if bound else 200)


def opinion(request: HttpRequest, pk: int) -> HttpResponse:
    """One opinion of the committee."""
    item = get_object_or_404(selectors.opinions(), pk=pk)
    return render(request, "charter/opinion.html", {"opinion": item})


def version_list(request: HttpRequest) -> HttpResponse:
    """Every version of the charter with its changelog."""
    return render(request, "charter/versions.html", {"versions": selectors.versions()})


def version(request: HttpRequest, number: int) -> HttpResponse:
    """One version's text, and what changed since the previous one, with the reasons."""
    item = get_object_or_404(CharterVersion, number=number)
    return render(request, "charter/version.html", {
        "version": item, "principles": item.principles.order_by("number"),
        "diff": selectors.version_diff(item),
    })


def indicator_list(request: HttpRequest) -> HttpResponse:
    """Public definitions and thresholds of the indicators."""
    return render(request, "charter/indicators.html", {"indicators": registry.INDICATORS})


def report_list(request: HttpRequest) -> HttpResponse:
    """Annual reports (drafts visible to the team and the committee)."""
    qs = AnnualReport.objects.all()
    if not has_perm(request.user, "charter.committee"):
        qs = qs.filter(status=AnnualReport.Status.PUBLISHED)
    return render(request, "charter/reports.html", {
        "reports": qs, "can_manage": has_perm(request.user, "charter.manage"),
        "year_form": forms.ReportYearForm(),
    })


def _visible_report(request: HttpRequest, year: int) -> AnnualReport:
    item = get_object_or_404(AnnualReport, year=year)
    if item.status != AnnualReport.Status.PUBLISHED and not has_perm(request.user,
                                                                     "charter.committee"):
        raise Http404
    return item


def report(request: HttpRequest, year: int) -> HttpResponse:
    """The annual report as a web page; the team edits its prose and sees the readability."""
    item = _visible_report(request, year)
    form = forms.ReportTextForm(initial={"introduction": item.introduction,
                                         "recommendations": item.recommendations})
    if request.method == "POST":
        require(request.user, "charter.committee")
        form = forms.ReportTextForm(request.POST)
        if form.is_valid():
            try:
                services.update_report_text(actor=request.user, report=item,
                                            **form.cleaned_data)
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, _("Texte enregistré, rapport régénéré."))
                return redirect(item.get_absolute_url())
    ctx = report_module.context(item)
    ctx.update({"form": form, "can_edit": has_perm(request.user, "charter.committee")
                and item.status == AnnualReport.Status.DRAFT,
                "can_publish": has_perm(request.user, "charter.manage")
                and item.status == AnnualReport.Status.DRAFT})
    return render(request, "charter/report.html", ctx, status=400 if form.errors else 200)


def report_pdf(request: HttpRequest, year: int) -> HttpResponse:
    """The report's PDF, as generated (its hash is in the log once published)."""
    item = _visible_report(request, year)
    if not item.pdf:
        raise Http404
    return serve_file(request, item.pdf.path, content_type="application/pdf",
                      filename=f"rapport-charte-{year}.pdf", attachment=False)


@require_POST
def report_generate(request: HttpRequest) -> HttpResponse:
    """Team: queue the generation of a year's report (a background task)."""
    from spld.charter.tasks import generate_report_task
    from spld.core import progress

    require(request.user, "charter.manage")
    form = forms.ReportYearForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
        return redirect("charter:reports")
    result = generate_report_task.enqueue(form.cleaned_data["year"], request.user.pk)
    progress.track(result, owner=request.user,
                   label=_("Rapport annuel {y}").format(y=form.cleaned_data["year"]))
    messages.success(request, _("Génération lancée ; suivez-la dans « Mes tâches »."))
    return redirect("charter:reports")


@require_POST
def report_publish(request: HttpRequest, year: int) -> HttpResponse:
    """Team: publish a generated report (its hash is logged)."""
    item = get_object_or_404(AnnualReport, year=year)
    try:
        services.publish_annual_report(actor=request.user, report=item)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(item.get_absolute_url())
    messages.success(request, _("Rapport publié ; son empreinte est inscrite au journal."))
    return redirect(item.get_absolute_url())


# --- Signatory space and team actions ---------------------------------------------------

def _add_errors(form: Any, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            target = field if field in form.fields else None
            for e in errors:
                form.add_error(target, e.messages[0] if hasattr(e, "messages") else str(e))
    else:
        for message in exc.messages:
            form.add_error(None, message)


SPACE_FORMS: dict[str, type] = {
    "apply": forms.ApplyForm, "answer": forms.AnswerForm, "comment": forms.CommentForm,
    "decision": forms.DecisionForm, "transition": forms.TransitionForm,
    "alert": forms.AlertForm, "exclusion": forms.ExclusionForm,
    "evaluation": forms.EvaluationForm,
}


def _space_context(request: HttpRequest, organization: Organization,
                   bound: dict[str, Any]) -> dict[str, Any]:
    membership = selectors.membership_of(organization)
    user = request.user
    assessment = selectors.current_assessment(membership) if membership else None
    ctx: dict[str, Any] = {
        "organization": organization, "membership": membership, "assessment": assessment,
        "principles": PRINCIPLES,
        "events": selectors.history(membership) if membership else [],
        "can_apply": has_perm(user, "charter.apply", organization)
        and (membership is None or membership.status in (Membership.Status.EXCLUDED,
                                                         Membership.Status.WITHDRAWN)),
        "can_fill": membership is not None and has_perm(user, "charter.fill", membership),
        "can_review": membership is not None and has_perm(user, "charter.review", membership),
        "can_manage": has_perm(user, "charter.manage"),
        "can_withdraw": membership is not None and has_perm(user, "charter.withdraw",
                                                            membership),
        "allowed": lifecycle.allowed_targets(membership.status) if membership else [],
        "open_alerts": membership.alerts.filter(status__in=["open", "answered"])
        if membership else [],
        "proposals": membership.alerts.filter(status="proposed") if membership else [],
        "is_signatory": membership is not None
        and membership.status in lifecycle.SIGNATORY_STATUSES,
        "evaluations": membership.evaluations.all() if membership else [],
    }
    if assessment is not None:
        answers = {a.principle: a for a in assessment.answers.all()}
        ctx["answer_rows"] = [(p, answers.get(p.number)) for p in PRINCIPLES]
        ctx["assessment_editable"] = assessment.status in ("draft", "changes_requested")
    for name, form_class in SPACE_FORMS.items():
        ctx[f"{name}_form"] = bound.get(name) or form_class()
    return ctx


def space(request: HttpRequest, slug: str) -> HttpResponse:
    """The organisation's charter space: apply, assessment, alerts, evaluations, team actions."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    organization = get_object_or_404(Organization, slug=slug)
    if not (has_perm(request.user, "charter.view_private", organization)
            or has_perm(request.user, "charter.apply", organization)):
        raise PermissionDenied(_("Cet espace est réservé à l’organisation, à l’équipe SPLD et "
                                 "au comité d’éthique."))
    return render(request, "charter/space.html", _space_context(request, organization, {}))


def _run(request: HttpRequest, organization: Organization, name: str,
         action: Callable[[Any, Membership | None], Any], success: str, permission: str,
         files: bool = False) -> HttpResponse:
    """Check permission, bind the named form, run the service, re-render with a 4xx on error."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    # Permission before state or input: a refusal must not show the private space or its status.
    require(request.user, permission, organization)
    form = SPACE_FORMS[name](request.POST, request.FILES if files else None)
    membership = selectors.membership_of(organization)
    status = 400
    if form.is_valid():
        try:
            action(form, membership)
        except IllegalTransition as exc:
            _add_errors(form, exc)
            status = 409
        except ValidationError as exc:
            _add_errors(form, exc)
            status = 409 if getattr(exc, "code", None) in ("duplicate",
                                                             "reapply_too_early") else 400
        else:
            messages.success(request, success)
            return redirect("charter:space", slug=organization.slug)
    return render(request, "charter/space.html",
                  _space_context(request, organization, {name: form}), status=status)


def _need(membership: Membership | None) -> Membership:
    if membership is None:
        raise ValidationError(_("Cette organisation n’a pas encore candidaté."))
    return membership


def _need_assessment(membership: Membership | None) -> Any:
    assessment = selectors.current_assessment(_need(membership))
    if assessment is None:
        raise ValidationError(_("Aucune démonstration de capacité en cours."))
    return assessment


@require_POST
def space_action(request: HttpRequest, slug: str, action: str) -> HttpResponse:
    """Dispatch a POST from the charter space to its service."""
    organization = get_object_or_404(Organization, slug=slug)
    user = request.user

    def apply(form: Any, m: Membership | None) -> Any:
        return services.apply(actor=user, organization=organization, **form.cleaned_data)

    @transaction.atomic  # the answer and its evidence stand or fall together
    def answer(form: Any, m: Membership | None) -> Any:
        data = form.cleaned_data
        saved = services.save_answer(actor=user, assessment=_need_assessment(m),
                                     principle=data["principle"], practice=data["practice"],
                                     responsible=data["responsible"])
        if data["evidence_file"] or data["evidence_url"]:
            services.add_evidence(actor=user, answer=saved,
                                  label=data["evidence_label"] or _("Preuve"),
                                  file=data["evidence_file"], url=data["evidence_url"])

    def comment(form: Any, m: Membership | None) -> Any:
        return services.add_review_comment(actor=user, assessment=_need_assessment(m),
                                           **form.cleaned_data)

    def decision(form: Any, m: Membership | None) -> Any:
        return services.decide(actor=user, assessment=_need_assessment(m), **form.cleaned_data)

    def transition(form: Any, m: Membership | None) -> Any:
        return services.change_status(actor=user, membership=_need(m),
                                      target=form.cleaned_data["to_status"],
                                      reason=form.cleaned_data["reason"])

    def alert(form: Any, m: Membership | None) -> Any:
        return services.raise_alert(actor=user, membership=_need(m), **form.cleaned_data)

    def exclusion(form: Any, m: Membership | None) -> Any:
        return services.exclude(actor=user, membership=_need(m), **form.cleaned_data)

    def evaluation(form: Any, m: Membership | None) -> Any:
        return services.submit_evaluation(actor=user, membership=_need(m),
                                          year=form.cleaned_data["year"],
                                          answers=form.answers(),
                                          summary=form.cleaned_data["summary"])

    table: dict[str, tuple[Callable[[Any, Membership | None], Any], str, str]] = {
        "apply": (apply, _("Candidature déposée."), "charter.apply"),
        "answer": (answer, _("Réponse enregistrée."), "charter.fill"),
        "comment": (comment, _("Commentaire ajouté."), "charter.review"),
        "decision": (decision, _("Décision enregistrée."), "charter.manage"),
        "transition": (transition, _("Statut modifié."), "charter.change_status"),
        "alert": (alert, _("Alerte émise."), "charter.manage"),
        "exclusion": (exclusion, _("Exclusion enregistrée."), "charter.manage"),
        "evaluation": (evaluation, _("Auto-évaluation transmise."), "charter.fill"),
    }
    if action not in table:
        raise Http404
    fn, success, permission = table[action]
    return _run(request, organization, action, fn, success, permission,
                files=action == "answer")


def evidence_file(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """An evidence file, for the organisation and its reviewers only (never public)."""
    from spld.charter.models import Evidence

    evidence = get_object_or_404(
        Evidence.objects.select_related("answer__assessment__membership__organization"),
        pk=pk, answer__assessment__membership__organization__slug=slug)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    require(request.user, "charter.view_private", evidence.answer.assessment.membership)
    if not evidence.file:
        raise Http404
    response = serve_file(request, evidence.file.path,
                          filename=evidence.file.name.rsplit("/", 1)[-1],
                          content_type=evidence.content_type or "application/octet-stream")
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_POST
def space_submit(request: HttpRequest, slug: str) -> HttpResponse:
    """Send the capacity assessment to the reviewers."""
    organization = get_object_or_404(Organization, slug=slug)
    require(request.user, "charter.fill", organization)
    try:
        services.submit_assessment(actor=request.user,
                                   assessment=_need_assessment(
                                       selectors.membership_of(organization)))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        ctx = _space_context(request, organization, {})
        return render(request, "charter/space.html", ctx, status=400)
    messages.success(request, _("Démonstration de capacité transmise."))
    return redirect("charter:space", slug=slug)


@require_POST
def alert_answer(request: HttpRequest, pk: int) -> HttpResponse:
    """The signatory answers an alert from its space."""
    from spld.charter.models import Alert

    item = get_object_or_404(Alert.objects.select_related("membership__organization"), pk=pk)
    require(request.user, "charter.fill", item.membership)
    form = forms.AlertAnswerForm(request.POST)
    slug = item.membership.organization.slug
    try:
        if not form.is_valid():
            raise ValidationError(_("La réponse est vide."))
        services.answer_alert(actor=request.user, alert=item, answer=form.cleaned_data["answer"])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return render(request, "charter/space.html",
                      _space_context(request, item.membership.organization, {}), status=400)
    messages.success(request, _("Réponse transmise."))
    return redirect("charter:space", slug=slug)


@require_POST
def alert_dismiss(request: HttpRequest, pk: int) -> HttpResponse:
    """Team: discard an automatic alert proposal, with a reason."""
    from spld.charter.models import Alert

    item = get_object_or_404(Alert.objects.select_related("membership__organization"), pk=pk)
    try:
        services.dismiss_proposal(actor=request.user, alert=item,
                                  reason=request.POST.get("reason", "")[:2000])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Proposition écartée."))
    return redirect("charter:space", slug=item.membership.organization.slug)


@require_POST
def alert_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    """Team: confirm an automatic alert proposal."""
    from spld.charter.models import Alert

    item = get_object_or_404(Alert.objects.select_related("membership__organization"), pk=pk)
    try:
        services.confirm_proposal(actor=request.user, alert=item)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Proposition confirmée : alerte émise."))
    return redirect("charter:space", slug=item.membership.organization.slug)
