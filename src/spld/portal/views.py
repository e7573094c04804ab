"""Pages that combine several apps: home, transparency hub, an organisation's page."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from spld.core.permissions import has_perm
from spld.core.principles import PRINCIPLES
from spld.ledger.selectors import cosignature_status
from spld.organizations.models import Organization
from spld.portal import selectors


def home(request: HttpRequest) -> HttpResponse:
    """Home page: what the service is, the charter in short, entry points, partners."""
    return render(
        request,
        "core/home.html",
        {
            "principles": PRINCIPLES,
            "hub": selectors.transparency_hub(),
            "organizations": selectors.partner_organizations(),
        },
    )


def hub(request: HttpRequest) -> HttpResponse:
    """Transparency hub: every public register, with counts once they exist."""
    return render(request, "core/hub.html", {"hub": selectors.transparency_hub(),
                                             "log_status": cosignature_status()})


def organization_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """One organisation: identity, territory, contact, its data and its commitments."""
    organization = get_object_or_404(Organization, slug=slug)
    return render(
        request,
        "organizations/detail.html",
        {
            "organization": organization,
            "can_manage_tokens": has_perm(request.user, "accounts.manage_tokens", organization),
            "can_change": has_perm(request.user, "organizations.change", organization),
            "profile": selectors.organization_profile(organization, request.user),
        },
    )
