"""API authentication: organisation tokens (Bearer) and browser sessions.

The classes live in the kernel so that every app's API, organisations included, can require
them; the accounts app, which owns the tokens, registers how a token is checked.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth

TokenCheck = Callable[[str], Any]
_checks: list[TokenCheck] = []


def token_check(fn: TokenCheck) -> TokenCheck:
    """Register the function turning a clear token into its actor (None when refused)."""
    if _checks:
        raise ValueError("a token check is already registered")
    _checks.append(fn)
    return fn


class TokenAuth(HttpBearer):
    """`Authorization: Bearer spld_…` → the organisation's TokenActor."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        # No registered check (accounts not installed) means no token is valid.
        return _checks[0](token) if _checks else None


token_auth = TokenAuth()
session_auth = SessionAuth()
# Writes accept a token or a signed-in session (with CSRF, enforced by SessionAuth).
token_or_session = [token_auth, session_auth]
