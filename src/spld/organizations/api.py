"""JSON API for organisations."""

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router
from ninja.pagination import paginate

from spld.core.api_auth import token_or_session
from spld.core.pagination import BoundedPageNumberPagination
from spld.organizations import selectors, services
from spld.organizations.models import Organization
from spld.organizations.schemas import OrganizationOut, OrganizationUpdate

router = Router(tags=["organisations"])


@router.get("", response=list[OrganizationOut], summary="Liste des organisations")
@paginate(BoundedPageNumberPagination, page_size=50)
def list_organizations(request: HttpRequest, kind: str = "", q: str = ""):  # type: ignore[no-untyped-def]
    """Partner organisations, 50 per page (`?page=N`)."""
    return selectors.organization_list(kind=kind, q=q[:100])


@router.get("/{slug}", response=OrganizationOut, summary="Une organisation")
def get_organization(request: HttpRequest, slug: str) -> Organization:
    """One organisation by its slug."""
    return get_object_or_404(Organization, slug=slug)


@router.patch(
    "/{slug}", response=OrganizationOut, auth=token_or_session, summary="Modifier une organisation"
)
def update_organization(request: HttpRequest, slug: str, body: OrganizationUpdate) -> Organization:
    """Change an organisation's public description (its administrators, SPLD admins)."""
    organization = get_object_or_404(Organization, slug=slug)
    changes = body.model_dump(exclude_unset=True)
    if "website" in changes:
        changes["website"] = "" if changes["website"] is None else str(changes["website"])
    return services.update_organization(actor=request.auth, organization=organization, **changes)
