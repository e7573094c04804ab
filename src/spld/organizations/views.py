"""Public pages of the organisations."""

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from spld.core.permissions import has_perm
from spld.organizations import selectors
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
    return render(request, "organizations/list.html", {
        "page": page, "kind": kind, "q": q, "kinds": selectors.kinds_with_counts(),
    })


def organization_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """One organisation: identity, territory, contact and (later) its data and commitments."""
    organization = get_object_or_404(Organization, slug=slug)
    return render(request, "organizations/detail.html", {
        "organization": organization,
        "can_manage_tokens": has_perm(request.user, "accounts.manage_tokens", organization),
    })
