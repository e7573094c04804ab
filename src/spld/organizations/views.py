"""Public pages of the organisations."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from spld.core.permissions import require
from spld.organizations import selectors, services
from spld.organizations.forms import OrganizationForm
from spld.organizations.models import Organization


def organization_list(request: HttpRequest) -> HttpResponse:
    """All partner organisations, filterable by kind."""
    kind = request.GET.get("nature", "")
    if kind not in Organization.Kind.values:
        kind = ""
    q = request.GET.get("q", "")[:100]
    page = Paginator(selectors.organization_list(kind=kind, q=q), 30).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "organizations/list.html",
        {
            "page": page,
            "kind": kind,
            "q": q,
            "kinds": selectors.kinds_with_counts(),
        },
    )


def _save(request: HttpRequest, form: OrganizationForm, organization: Organization | None):  # type: ignore[no-untyped-def]
    """Run the service behind the form; field errors from the model go back to the form."""
    try:
        if organization is None:
            data = form.changes()
            return services.create_organization(actor=request.user, **data)  # type: ignore[arg-type]
        changes = form.changes()
        if changes["siren"] == organization.siren:
            changes.pop("siren")
        return services.update_organization(
            actor=request.user, organization=organization, **changes
        )
    except ValidationError as error:
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
        return None


@login_required
def organization_create(request: HttpRequest) -> HttpResponse:
    """Register a new partner organisation (SPLD team)."""
    require(request.user, "organizations.create")
    form = OrganizationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        organization = _save(request, form, None)
        if organization is not None:
            messages.success(request, _("Organisation enregistrée."))
            return redirect(organization)
    return render(
        request,
        "organizations/form.html",
        {"form": form, "organization": None},
        status=400 if form.errors else 200,
    )


@login_required
def organization_edit(request: HttpRequest, slug: str) -> HttpResponse:
    """Edit an organisation's public description (its administrators, SPLD team)."""
    organization = get_object_or_404(Organization, slug=slug)
    require(request.user, "organizations.change", organization)
    form = OrganizationForm(request.POST or None, instance=organization)
    if request.method == "POST" and form.is_valid():
        saved = _save(request, form, Organization.objects.get(pk=organization.pk))
        if saved is not None:
            messages.success(request, _("Modifications enregistrées."))
            return redirect(saved)
    return render(
        request,
        "organizations/form.html",
        {"form": form, "organization": organization},
        status=400 if form.errors else 200,
    )
