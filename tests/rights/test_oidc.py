"""OpenID Connect sign-in against a real provider running over HTTP in this test."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest
import requests
from django.test import override_settings
from django.urls import reverse

from spld.accounts.models import User
from spld.rights.models import OidcIdentity
from tests.rights.oidc_provider import Provider

pytestmark = pytest.mark.django_db

CLAIMS = {"sub": "fc-1234", "email": "Camille.Martin@example.fr", "email_verified": True,
          "given_name": "Camille", "family_name": "Martin"}


def _sign_in(client, provider):
    with override_settings(OIDC_DISCOVERY_URL=f"{provider.issuer}/.well-known/openid-configuration",
                           OIDC_CLIENT_ID="spld", OIDC_CLIENT_SECRET="s3cret"):
        start = client.get(reverse("rights:oidc_login"))
        assert start.status_code == 302 and start["Location"].startswith(provider.issuer)
        at_provider = requests.get(start["Location"], allow_redirects=False, timeout=5)
        assert at_provider.status_code == 302
        back = urlparse(at_provider.headers["Location"])
        return client.get(f"{back.path}?{back.query}")


def test_oidc_sign_in_creates_and_then_finds_the_account(client):
    with Provider(client_id="spld", client_secret="s3cret", claims=CLAIMS) as provider:
        response = _sign_in(client, provider)
        assert response.status_code == 302 and response["Location"] == reverse("rights:space")
        user = User.objects.get(email="camille.martin@example.fr")
        assert user.email_verified_at is not None and user.display_name == "Camille Martin"
        assert not user.has_usable_password()
        assert OidcIdentity.objects.get(user=user).issuer == provider.issuer
        assert client.get(reverse("rights:space")).status_code == 200
        client.logout()
        assert _sign_in(client, provider).status_code == 302
        assert User.objects.filter(email__iexact="camille.martin@example.fr").count() == 1


def test_oidc_links_to_an_existing_local_account(client, citizen):
    claims = {**CLAIMS, "sub": "fc-9", "email": citizen.email}
    with Provider(client_id="spld", client_secret="s3cret", claims=claims) as provider:
        _sign_in(client, provider)
    assert OidcIdentity.objects.get(subject="fc-9").user == citizen


def test_a_forged_nonce_is_refused(client):
    with Provider(client_id="spld", client_secret="s3cret", claims=CLAIMS) as provider:
        provider.tamper_nonce = True
        response = _sign_in(client, provider)
    assert response.status_code == 302 and response["Location"] == reverse("accounts:login")
    assert not User.objects.filter(email__iexact=CLAIMS["email"]).exists()


def test_a_wrong_client_secret_is_refused(client):
    with Provider(client_id="spld", client_secret="other", claims=CLAIMS) as provider:
        response = _sign_in(client, provider)
    assert response["Location"] == reverse("accounts:login")
    assert not OidcIdentity.objects.exists()


def test_unverified_email_is_refused(client):
    with Provider(client_id="spld", client_secret="s3cret",
                  claims={**CLAIMS, "email_verified": False}) as provider:
        response = _sign_in(client, provider)
    assert response["Location"] == reverse("accounts:login")


def test_oidc_is_off_when_not_configured(client):
    assert client.get(reverse("rights:oidc_login")).status_code == 404
    assert client.get(reverse("rights:oidc_callback")).status_code == 404


def test_unreachable_provider_is_a_message_not_a_500(client):
    with override_settings(OIDC_DISCOVERY_URL="http://127.0.0.1:9/.well-known/openid-configuration",
                           OIDC_CLIENT_ID="spld"):
        response = client.get(reverse("rights:oidc_login"))
    assert response.status_code == 302 and response["Location"] == reverse("accounts:login")
