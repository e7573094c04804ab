"""The JSON API at /api/1/ (OpenAPI at /api/1/openapi.json, docs at /api/1/docs)."""

from django.http import HttpRequest
from ninja import NinjaAPI, Schema

from spld.accounts.auth import token_auth
from spld.core import api_errors
from spld.organizations.api import router as organizations_router
from spld.rights.api import router as rights_router

api = NinjaAPI(
    title="SPLD API",
    version="1",
    description=(
        "API du Service public local de la donnée. Lecture publique sans authentification ; "
        "écriture avec un jeton d’organisation (`Authorization: Bearer spld_…`). "
        'Erreurs : `{"error": {"code", "message", "fields"}}`.'
    ),
    urls_namespace="api",
)
api_errors.install(api)
api.add_router("/organizations", organizations_router)
api.add_router("/consents", rights_router)
api.add_router("/charter", "spld.charter.api.router")
api.add_router("/log", "spld.ledger.api.router")
api.add_router("/datasets", "spld.catalog.api.router")
api.add_router("/resources", "spld.dataapi.api.router")
api.add_router("/registers", "spld.registers.api.router")
api.add_router("/lineage", "spld.lineage.api.router")


class WhoAmI(Schema):
    organization: str
    organization_name: str
    token_id: int


@api.get(
    "/whoami",
    response=WhoAmI,
    auth=token_auth,
    tags=["jetons"],
    summary="Organisation derrière un jeton",
)
def whoami(request: HttpRequest) -> dict[str, object]:
    """Check a token: the organisation it acts for."""
    actor = request.auth  # type: ignore[attr-defined]
    return {
        "organization": actor.organization.slug,
        "organization_name": actor.organization.name,
        "token_id": actor.token_id,
    }
