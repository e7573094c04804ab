"""Two citizens: every citizen endpoint refuses the other's objects; sign-in is required."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from spld.rights import package, services
from spld.rights.models import ConsentRecord, Receipt

pytestmark = pytest.mark.django_db


@pytest.fixture
def owned(client, api_token, citizen, org, dpo, consent_payload):
    client.post("/api/1/consents", data=json.dumps(consent_payload()),
                content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {api_token}")
    request = services.file_request(actor=citizen, kind="access", details="secret-A",
                                    organizations=[org])
    services.complete_part(actor=dpo, part=request.parts.get(), answer="réponse-A")
    return {
        "consent": ConsentRecord.objects.get(user=citizen),
        "receipt": Receipt.objects.filter(user=citizen).first(),
        "request": request,
        "token": package.make_token(request),
    }


def citizen_urls(owned):
    receipt, request = owned["receipt"].uid, owned["request"].uid
    return [
        ("get", reverse("rights:receipt", args=[receipt])),
        ("get", reverse("rights:receipt_jws", args=[receipt])),
        ("get", reverse("rights:receipt_pdf", args=[receipt])),
        ("get", reverse("rights:request", args=[request])),
        ("get", reverse("rights:package", args=[owned["token"]])),
        ("post", reverse("rights:withdraw", args=[owned["consent"].uid])),
    ]


def test_another_citizen_gets_404_everywhere(client, citizen2, owned):
    client.force_login(citizen2)
    for method, url in citizen_urls(owned):
        response = getattr(client, method)(url)
        assert response.status_code == 404, url
        assert b"secret-A" not in response.content and b"r\xc3\xa9ponse-A" not in response.content
    space = client.get(reverse("rights:space")).content.decode()
    assert "secret-A" not in space and str(owned["receipt"].uid) not in space
    owned["consent"].refresh_from_db()
    assert owned["consent"].state == "given"


def test_anonymous_visitors_are_sent_to_sign_in(client, owned):
    for method, url in [*citizen_urls(owned), ("get", reverse("rights:space")),
                        ("get", reverse("rights:erase")), ("post", reverse("rights:erase"))]:
        response = getattr(client, method)(url)
        assert response.status_code == 302 and "/compte/connexion/" in response["Location"]


def test_the_owner_gets_everything(client, citizen, owned):
    client.force_login(citizen)
    for method, url in citizen_urls(owned):
        assert getattr(client, method)(url).status_code in (200, 302), url
    pdf = client.get(reverse("rights:receipt_pdf", args=[owned["receipt"].uid]))
    assert pdf.content.startswith(b"%PDF-") and pdf.content.rstrip().endswith(b"%%EOF")


def test_bad_ids_are_404_not_500(client, citizen):
    client.force_login(citizen)
    for url in ("/compte/donnees/recus/pas-un-uuid/", "/compte/donnees/demandes/x/",
                "/consentement/pas-un-uuid/", "/droits/organisations/eau-du-ponant/demandes/x/"):
        assert client.get(url).status_code == 404
    assert client.post("/compte/donnees/consentements/x/retirer/").status_code == 404
