"""OpenID Connect sign-in (FranceConnect or any standard provider) with Authlib."""

from __future__ import annotations

from typing import Any

from authlib.integrations.base_client.errors import OAuthError
from authlib.integrations.django_client import OAuth
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from joserfc.errors import JoseError
from requests import RequestException

from spld.accounts.models import User
from spld.rights.models import OidcIdentity


def enabled() -> bool:
    """OIDC sign-in is offered when a discovery URL and a client id are configured."""
    return bool(settings.OIDC_DISCOVERY_URL and settings.OIDC_CLIENT_ID)


def _client() -> Any:
    # Built per request so that a configuration change needs no restart (and tests can
    # point it at a provider started on a random port).
    oauth = OAuth()
    oauth.register(
        name="spld", server_metadata_url=settings.OIDC_DISCOVERY_URL,
        client_id=settings.OIDC_CLIENT_ID, client_secret=settings.OIDC_CLIENT_SECRET,
        client_kwargs={"scope": settings.OIDC_SCOPES, "timeout": 10},
    )
    return oauth.create_client("spld")


def start(request: HttpRequest) -> HttpResponse:
    """Send the browser to the provider (state and nonce kept in the session)."""
    if not enabled():
        raise Http404
    target = request.GET.get("next", "")
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        request.session["oidc_next"] = target
    try:
        return _client().authorize_redirect(request, request.build_absolute_uri(
            reverse("rights:oidc_callback")))
    except (OAuthError, RequestException, ValueError, KeyError):
        messages.error(request, _("{provider} est injoignable pour le moment. Réessayez plus "
                                  "tard.").format(provider=settings.OIDC_PROVIDER_NAME))
        return redirect("accounts:login")


def link_identity(*, issuer: str, claims: dict[str, Any]) -> User:
    """The user for these ID-token claims: by (issuer, sub), else by verified e-mail, else new."""
    subject = str(claims.get("sub", ""))
    if not subject:
        raise ValueError("ID token without sub")
    with transaction.atomic():
        identity = OidcIdentity.objects.select_related("user").filter(
            issuer=issuer, subject=subject).first()
        if identity is not None:
            identity.last_login_at = timezone.now()
            identity.save(update_fields=["last_login_at"])
            return identity.user
        email = str(claims.get("email", "")).strip().lower()
        if not email or claims.get("email_verified") is False:
            raise ValueError("the provider gave no verified e-mail address")
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            name = " ".join(str(claims.get(k, "")) for k in ("given_name", "family_name")).strip()
            user = User.objects.create_user(email=email, password=None,
                                            display_name=name[:150])
        if user.email_verified_at is None:
            # The provider vouches for the address.
            user.email_verified_at = timezone.now()
            user.save(update_fields=["email_verified_at"])
        OidcIdentity.objects.create(user=user, issuer=issuer, subject=subject,
                                    last_login_at=timezone.now())
        return user


def callback(request: HttpRequest) -> HttpResponse:
    """Back from the provider: check the code, the ID token and the nonce, then sign in."""
    if not enabled():
        raise Http404
    client = _client()
    try:
        token = client.authorize_access_token(request)
        claims = token.get("userinfo") or {}
        issuer = client.load_server_metadata().get("issuer", "")
        user = link_identity(issuer=issuer, claims=dict(claims))
    except (OAuthError, JoseError, RequestException, ValueError, KeyError):
        # Bad state, nonce, signature, secret or an unreachable provider: never a 500.
        messages.error(request, _("La connexion avec {provider} a échoué. Réessayez.").format(
            provider=settings.OIDC_PROVIDER_NAME))
        return redirect("accounts:login")
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    return redirect(request.session.pop("oidc_next", "") or "rights:space")
