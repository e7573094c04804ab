"""API authentication: organisation tokens (Bearer) and browser sessions."""

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth

from spld.accounts import services


class TokenAuth(HttpBearer):
    """`Authorization: Bearer spld_…` → the organisation's TokenActor."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        return services.authenticate_token(token)


token_auth = TokenAuth()
session_auth = SessionAuth()
# Writes accept a token or a signed-in session (with CSRF, enforced by SessionAuth).
token_or_session = [token_auth, session_auth]
