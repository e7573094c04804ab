"""HTML: « Mon espace données », hosted consent, back-office, statistics, receipt checking."""

from __future__ import annotations

import csv
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from spld.core.permissions import has_perm
from spld.organizations.models import Organization
from spld.rights import jws, package, presentation, routing, selectors, services, vault
from spld.rights.forms import (
    CompleteForm,
    ExtendForm,
    RefuseForm,
    RequestForm,
    SituationForm,
    VerifyForm,
)
from spld.rights.models import ConsentNotice, RequestPart
from spld.rights.verification import MAX_RECEIPT_CHARS, verify_receipt


def _errors(form: object, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, items in error.error_dict.items():
            target = field if field in form.fields else None  # type: ignore[attr-defined]
            for item in items:
                form.add_error(target, item.messages[0])  # type: ignore[attr-defined]
    else:
        for message in error.messages:
            form.add_error(None, message)  # type: ignore[attr-defined]


# ------------------------------------------------------------ citizen space


@never_cache
@login_required
def space(request: HttpRequest) -> HttpResponse:
    """« Mon espace données »: consents, requests, receipts, who read my data."""
    services.claim_pending_consents(actor=request.user, user=request.user)
    return render(request, "rights/space.html", {
        "consents": selectors.consents_of(request.user),
        "requests": selectors.requests_of(request.user),
        "receipts": selectors.receipts_of(request.user)[:50],
        "reads": selectors.access_log_for_citizen(request.user)[:100],
    })


@never_cache
@login_required
def holders(request: HttpRequest) -> HttpResponse:
    """« Qui détient mes données » for the signed-in person, from the public register."""
    communes = selectors.known_communes()
    names = dict(communes)
    chosen = request.GET.get("commune", "").strip()
    status = 200
    error = ""
    if chosen and chosen not in names:
        error, chosen, status = _("Choisissez votre commune dans la liste."), "", 400
    wanted = [chosen] if chosen else [c for c in selectors.communes_of(request.user)
                                      if c in names]
    return render(request, "rights/holders.html", {
        **selectors.holders_for(request.user, communes=wanted),
        "communes": communes, "chosen": wanted[0] if wanted else "", "error": error,
        "commune_names": [names[c] for c in wanted],
    }, status=status)


@login_required
@require_POST
def withdraw(request: HttpRequest, uid: UUID) -> HttpResponse:
    """One click: the consent is withdrawn and the receipt shown."""
    record = selectors.consent_of(request.user, uid)
    if record is None:
        raise Http404
    try:
        event = services.withdraw_consent(actor=request.user, record=record)
    except ValidationError as error:
        messages.error(request, error.messages[0])
        return redirect("rights:space")
    messages.success(request, _("Consentement retiré. Voici votre reçu signé."))
    return redirect("rights:receipt", uid=event.receipt.uid)


def _receipt_or_404(request: HttpRequest, uid: UUID):  # type: ignore[no-untyped-def]
    receipt = selectors.receipt_of(request.user, uid)
    if receipt is None:
        raise Http404
    return receipt


@never_cache
@login_required
def receipt(request: HttpRequest, uid: UUID) -> HttpResponse:
    """A receipt in plain French first, with its signed version below."""
    item = _receipt_or_404(request, uid)
    return render(request, "rights/receipt.html",
                  presentation.receipt_context(item, jws.verify(item.jws)))


@login_required
def receipt_jws(request: HttpRequest, uid: UUID) -> HttpResponse:
    """The signed receipt (compact JWS) as a file."""
    item = _receipt_or_404(request, uid)
    response = HttpResponse(item.jws, content_type="application/jose")
    response["Content-Disposition"] = f'attachment; filename="recu-{item.uid}.jws"'
    return response


@login_required
def receipt_pdf(request: HttpRequest, uid: UUID) -> HttpResponse:
    """The receipt as a PDF: the page's template and context, rendered by WeasyPrint."""
    item = _receipt_or_404(request, uid)
    context = presentation.receipt_context(item, jws.verify(item.jws))
    response = HttpResponse(presentation.receipt_pdf(context), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="recu-{item.uid}.pdf"'
    return response


@never_cache
@login_required
def request_new(request: HttpRequest) -> HttpResponse:
    """File a request once for the territory: situation → proposed organisations → send."""
    situation = SituationForm(request.GET or None, situations=routing.situations(),
                              communes=selectors.known_communes())
    if not situation.is_bound or not situation.is_valid():
        return render(request, "rights/request_situation.html", {"form": situation},
                      status=400 if situation.is_bound else 200)
    data = situation.cleaned_data
    proposals = routing.propose(user=request.user, commune=data["commune"],
                                chosen_situations=data["situations"])
    proposed = {str(p.organization.pk) for p in proposals}
    others = Organization.objects.exclude(pk__in=[p.organization.pk for p in proposals])
    choices = [(str(p.organization.pk), p.organization.name) for p in proposals]
    choices += [(str(o.pk), o.name) for o in others]
    form = RequestForm(request.POST or None, request.FILES or None, organizations=choices,
                       initial={"organizations": list(proposed)})
    status = 200
    if request.method == "POST" and form.is_valid():
        chosen = list(Organization.objects.filter(pk__in=form.cleaned_data["organizations"]))
        try:
            filed = services.file_request(
                actor=request.user, kind=data["kind"], details=form.cleaned_data["details"],
                organizations=chosen, commune=data["commune"],
                attachments=form.cleaned_data["attachments"],
            )
        except ValidationError as error:
            _errors(form, error)
            status = 400
        else:
            messages.success(request, _("Demande envoyée à {n} organisation(s).").format(
                n=len(chosen)))
            return redirect("rights:request", uid=filed.uid)
    elif request.method == "POST":
        status = 400
    return render(request, "rights/request_new.html", {
        "form": form, "situation": situation, "proposals": proposals,
        "kind_label": dict(situation.fields["kind"].choices)[data["kind"]],
        "commune_name": dict(situation.fields["commune"].choices).get(data["commune"], "")
        if data["commune"] else "",
    }, status=status)


@never_cache
@login_required
def request_detail(request: HttpRequest, uid: UUID) -> HttpResponse:
    """A request's parts: deadlines, answers, refusals with the ways to complain."""
    item = selectors.request_of(request.user, uid)
    if item is None:
        raise Http404
    parts = []
    for part in item.parts.all():
        parts.append({
            "part": part,
            "answer": vault.open_text(part.answer_sealed, context="part.answer"),
            "refusal": vault.open_text(part.refusal_details_sealed, context="part.refusal"),
            "refusal_label": services.REFUSAL_REASONS.get(part.refusal_reason, ""),
        })
    has_package = any(p["part"].answered_at for p in parts) and item.kind in (
        "access", "portability")
    return render(request, "rights/request_detail.html", {
        "item": item, "parts": parts,
        "details": vault.open_text(item.details_sealed, context="request.details"),
        "package_url": reverse("rights:package", args=[package.make_token(item)])
        if has_package else "",
    })


@login_required
def package_download(request: HttpRequest, token: str) -> HttpResponse:
    """The access package behind a signed, expiring link (its owner only)."""
    try:
        content = package.read_token(token)
    except signing.SignatureExpired:
        return render(request, "rights/link_expired.html", status=410)
    except signing.BadSignature as exc:
        raise Http404 from exc
    if content.get("u") != request.user.pk:
        raise Http404
    item = selectors.request_of(request.user, content.get("r", ""))
    if item is None:
        raise Http404
    response = HttpResponse(package.build(item), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="mes-donnees-{item.uid}.zip"'
    return response


@never_cache
@login_required
def erase(request: HttpRequest) -> HttpResponse:
    """Erase everything SPLD holds about me here: the key is destroyed, a receipt issued."""
    if request.method == "POST":
        issued = services.erase_my_data(actor=request.user, user=request.user)
        messages.success(request, _("Vos données ont été effacées. Voici votre reçu."))
        return redirect("rights:receipt", uid=issued.uid)
    return render(request, "rights/erase.html")


# ------------------------------------------------------------ hosted consent page


@never_cache
@login_required
def consent_page(request: HttpRequest, uid: UUID) -> HttpResponse:
    """An organisation's consent request hosted by SPLD: accept and refuse weigh the same."""
    notice = get_object_or_404(ConsentNotice.objects.select_related("organization"), uid=uid)
    if request.method == "POST":
        choice = request.POST.get("choice")
        if choice not in ("accept", "refuse"):
            return render(request, "rights/consent_page.html", {
                "notice": notice, "error": _("Choisissez « J’accepte » ou « Je refuse »."),
            }, status=400)
        record = services.answer_notice(actor=request.user, notice=notice,
                                        accept=choice == "accept")
        last = record.events.order_by("-at", "-pk").first()
        return redirect("rights:receipt", uid=last.receipt.uid)
    return render(request, "rights/consent_page.html", {"notice": notice})


# ------------------------------------------------------------ back-office


def _org_for(request: HttpRequest, slug: str) -> Organization:
    organization = get_object_or_404(Organization, slug=slug)
    if not has_perm(request.user, "rights.view_parts", organization):
        raise PermissionDenied(_("Réservé au DPO et aux administrateurs de l’organisation."))
    return organization


@never_cache
@login_required
def backoffice(request: HttpRequest, slug: str) -> HttpResponse:
    """The parts routed to this organisation (and only those)."""
    organization = _org_for(request, slug)
    return render(request, "rights/backoffice.html", {
        "organization": organization, "parts": selectors.parts_for(organization),
    })


@never_cache
@login_required
def backoffice_part(request: HttpRequest, slug: str, uid: UUID) -> HttpResponse:
    """One part: read (logged in the access log) and answer it."""
    organization = _org_for(request, slug)
    part = selectors.part_for(organization, uid)
    if part is None:
        raise Http404
    forms_ = {"complete": CompleteForm(prefix="c"), "refuse": RefuseForm(prefix="r"),
              "extend": ExtendForm(prefix="e")}
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action not in forms_:
            raise Http404
        form = {"complete": CompleteForm, "refuse": RefuseForm, "extend": ExtendForm}[action](
            request.POST, request.FILES or None, prefix=action[0])
        forms_[action] = form
        if form.is_valid():
            try:
                if action == "complete":
                    services.complete_part(actor=request.user, part=part,
                                           answer=form.cleaned_data["answer"],
                                           data_file=form.cleaned_data.get("data_file"))
                elif action == "refuse":
                    services.refuse_part(actor=request.user, part=part, **form.cleaned_data)
                else:
                    services.extend_part(actor=request.user, part=part,
                                         reason=form.cleaned_data["reason"])
            except ValidationError as error:
                _errors(form, error)
            else:
                messages.success(request, _("Réponse enregistrée."))
                return redirect("rights:backoffice_part", slug=slug, uid=part.uid)
        status = 400
    opened = services.open_part(staff=request.user, organization=organization, part=part)
    return render(request, "rights/backoffice_part.html", {
        "organization": organization, "part": part, "forms": forms_,
        "details": opened["details"], "attachments": opened["attachments"],
        "can_extend": part.status == RequestPart.Status.PENDING,
    }, status=status)


@login_required
def backoffice_attachment(request: HttpRequest, slug: str, uid: UUID, pk: int) -> HttpResponse:
    """Download an attachment of a routed request (logged)."""
    organization = _org_for(request, slug)
    part = selectors.part_for(organization, uid)
    if part is None:
        raise Http404
    attachment = get_object_or_404(part.request.attachments, pk=pk)
    services.log_read(staff=request.user, organization=organization, subject=part.request.user,
                      record_type="attachment", record_id=str(attachment.pk))
    response = HttpResponse(vault.open_sealed(attachment.content_sealed,
                                              context="attachment.content"),
                            content_type=attachment.content_type)
    response["Content-Disposition"] = f'attachment; filename="piece-{attachment.pk}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def access_log_export(request: HttpRequest, slug: str) -> HttpResponse:
    """CSV export of the organisation's access log, for its DPO."""
    organization = get_object_or_404(Organization, slug=slug)
    if not has_perm(request.user, "rights.export_access_log", organization):
        raise PermissionDenied(_("Réservé au DPO de l’organisation."))
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="journal-acces-{slug}.csv"'
    writer = csv.writer(response)
    writer.writerow(["at", "staff_id", "organization", "subject_ref", "record_type",
                     "record_id", "purpose"])
    for entry in selectors.access_log_for_dpo(organization):
        writer.writerow([entry.at.isoformat(), entry.staff_id or "", organization.slug,
                         entry.subject_ref, entry.record_type, entry.record_id, entry.purpose])
    return response


@never_cache
@login_required
def overdue(request: HttpRequest) -> HttpResponse:
    """SPLD team: overdue parts per organisation (counts and dates, no personal data)."""
    if not has_perm(request.user, "rights.export_access_log", None):
        raise PermissionDenied(_("Réservé à l’équipe SPLD."))
    return render(request, "rights/overdue.html", {"parts": selectors.overdue_parts()})


# ------------------------------------------------------------ public pages


def statistics(request: HttpRequest) -> HttpResponse:
    """Public statistics of rights requests (counts below 5 not shown)."""
    return render(request, "rights/statistics.html", {"stats": selectors.public_statistics()})


def verify(request: HttpRequest) -> HttpResponse:
    """Anyone can check a receipt: signature against the JWKS, then inclusion in the log."""
    form = VerifyForm(request.POST or None, request.FILES or None)
    result = None
    status = 200
    if request.method == "POST" and form.is_valid():
        token = form.cleaned_data["receipt_text"] or ""
        upload = form.cleaned_data["receipt_file"]
        if upload is not None:
            raw = upload.read(MAX_RECEIPT_CHARS + 1)
            token = raw.decode("ascii", errors="replace")
        result = verify_receipt(token.strip())
        status = 200 if result.ok else 422
    elif request.method == "POST":
        status = 400
    return render(request, "rights/verify.html", {"form": form, "result": result},
                  status=status)


def jwks_view(request: HttpRequest) -> JsonResponse:
    """The public keys that sign receipts (JWKS)."""
    response = JsonResponse(jws.jwks())
    response["Cache-Control"] = "public, max-age=3600"
    response["Access-Control-Allow-Origin"] = "*"
    return response

