"""Who is calling a public read endpoint: a token client, a signed-in user or anonymous."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _

from spld.accounts import services as account_services
from spld.core.api_errors import ApiError


def current_actor(request: HttpRequest) -> Any:
    """The TokenActor of a Bearer token, else the session user (possibly anonymous)."""
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if header.lower().startswith("bearer "):
        actor = account_services.authenticate_token(header[7:].strip())
        if actor is None:
            raise ApiError(401, "unauthenticated",
                           _("Authentification requise : jeton absent, inconnu ou révoqué."))
        return actor
    return request.user
