"""An unreachable SMTP server: a clear French message and a 503, nothing half-written."""

from __future__ import annotations

import pytest

from spld.accounts.models import EmailCode, User
from tests.factories import PASSWORD
from tests.process_support import free_port

pytestmark = pytest.mark.django_db


@pytest.fixture
def smtp_down(settings):
    """The real SMTP backend, pointed at a local port where nothing listens."""
    _point_at_nothing(settings)


def _point_at_nothing(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()
    settings.EMAIL_USE_TLS, settings.EMAIL_TIMEOUT = False, 5


def test_registration_says_the_mail_server_is_down_and_creates_nothing(client, smtp_down):
    response = client.post("/compte/inscription/", {
        "email": "nouvelle@example.org", "password": "une-phrase-de-passe-longue",
        "display_name": "Nouvelle"})
    assert response.status_code == 503
    html = response.content.decode()
    assert "le serveur de messagerie ne répond pas" in html
    assert "Votre compte n’a pas été créé" in html
    assert not User.objects.filter(email="nouvelle@example.org").exists()
    assert "_auth_user_id" not in client.session


def test_resending_a_code_keeps_the_earlier_one_when_mail_fails(client, citizen, settings):
    from spld.accounts import services

    services.send_verification_code(user=citizen)  # locmem backend: sent
    earlier = EmailCode.objects.get(user=citizen, used_at__isnull=True)
    _point_at_nothing(settings)
    client.login(username=citizen.email, password=PASSWORD)
    response = client.post("/compte/verification/renvoyer/")
    assert response.status_code == 503 and response["Retry-After"] == "300"
    assert "Courriel impossible à envoyer" in response.content.decode()
    assert list(EmailCode.objects.filter(user=citizen, used_at__isnull=True)) == [earlier]
