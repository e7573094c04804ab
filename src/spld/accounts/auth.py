"""API authentication: the token check behind `core.api_auth`, registered by this app."""

from spld.accounts import services
from spld.core.api_auth import TokenAuth, session_auth, token_auth, token_check, token_or_session

token_check(services.authenticate_token)

__all__ = ["TokenAuth", "session_auth", "token_auth", "token_or_session"]
