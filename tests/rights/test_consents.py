"""Consent API, one-click withdrawal, receipts that verify and sit in the log."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from spld.ledger.models import LogEntry
from spld.rights import jws
from spld.rights.models import ConsentRecord, Receipt
from spld.rights.verification import verify_receipt

pytestmark = pytest.mark.django_db


def post(client, token, body):
    return client.post("/api/1/consents", data=json.dumps(body), content_type="application/json",
                       HTTP_AUTHORIZATION=f"Bearer {token}")


def test_org_records_consent_and_citizen_withdraws_in_one_click(client, api_token, citizen,
                                                                consent_payload):
    response = post(client, api_token, consent_payload())
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["state"] == "given" and body["linked_to_account"] is True
    given_claims = jws.verify(body["receipt"])
    assert given_claims["record"]["event"]["kind"] == "given"
    assert given_claims["piiPrincipalId"].startswith("urn:uuid:")
    assert "habitant" not in body["receipt"]  # pseudonym, never the address

    client.force_login(citizen)
    page = client.get(reverse("rights:space"))
    assert page.status_code == 200
    assert "Retirer mon consentement" in page.content.decode()
    record = ConsentRecord.objects.get()
    response = client.post(reverse("rights:withdraw", args=[record.uid]))
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.state == "withdrawn" and record.withdrawn_at is not None
    receipt = Receipt.objects.filter(user=citizen).order_by("-created_at").first()
    assert response["Location"].endswith(f"/compte/donnees/recus/{receipt.uid}/")
    claims = jws.verify(receipt.jws, client.get("/.well-known/jwks.json").json())
    assert claims["record"]["event"]["kind"] == "withdrawn"
    result = verify_receipt(receipt.jws)
    assert result.ok, result.errors
    entry = LogEntry.objects.get(index=receipt.log_index)
    payload = json.loads(bytes(entry.payload))
    assert payload == {"type": "consent", "sha256": receipt.body_sha256}
    assert b"habitant" not in bytes(entry.leaf) + bytes(entry.payload)

    # The organisation learns of the withdrawal through the API.
    state = client.get(f"/api/1/consents/{record.uid}", HTTP_AUTHORIZATION=f"Bearer {api_token}")
    assert state.json()["state"] == "withdrawn"


def test_renewal_and_pending_claim(client, api_token, consent_payload, db):
    from tests.factories import make_user

    first = post(client, api_token, consent_payload("nouvelle@spld.example"))
    assert first.status_code == 201 and first.json()["linked_to_account"] is False
    assert first.json()["receipt"] is None
    again = post(client, api_token, consent_payload("nouvelle@spld.example"))
    assert [e["kind"] for e in again.json()["events"]] == ["given", "renewed"]
    user = make_user("nouvelle@spld.example")
    client.force_login(user)
    page = client.get(reverse("rights:space"))
    assert "Alertes aux abonnés" in page.content.decode()
    assert Receipt.objects.filter(user=user).count() == 2


def test_notice_version_is_immutable(client, api_token, citizen, consent_payload):
    assert post(client, api_token, consent_payload()).status_code == 201
    changed = consent_payload()
    changed["notice"] = {**changed["notice"], "text": "Autre texte"}
    response = post(client, api_token, changed)
    assert response.status_code == 422
    assert "version" in response.json()["error"]["fields"][0]["message"]


@pytest.mark.parametrize("change", [
    {"subject_email": "pas-une-adresse"},
    {"data_categories": []},
    {"retention": ""},
    {"notice": {"version": "1", "text": ""}},
    {"processing_activity": {"ref": "inconnu"}},
])
def test_bad_input_is_422_and_writes_nothing(client, api_token, citizen, consent_payload, change):
    from django.apps import apps

    if "processing_activity" in change and not apps.is_installed("spld.registers"):
        pytest.skip("the register checks activity references")
    response = post(client, api_token, consent_payload(**change))
    assert response.status_code == 422, response.content
    assert "error" in response.json()
    assert ConsentRecord.objects.count() == 0 and Receipt.objects.count() == 0


def test_api_requires_a_token_and_isolates_organisations(client, api_token, citizen,
                                                         consent_payload, other_org, spld_admin):
    from spld.accounts.services import create_api_token

    assert client.post("/api/1/consents", data="{}", content_type="application/json"
                       ).status_code == 401
    record_id = post(client, api_token, consent_payload()).json()["id"]
    _t, other = create_api_token(actor=spld_admin, organization=other_org, name="x")
    assert client.get(f"/api/1/consents/{record_id}",
                      HTTP_AUTHORIZATION=f"Bearer {other}").status_code == 404
    assert client.get("/api/1/consents", HTTP_AUTHORIZATION=f"Bearer {other}").json() == []
    assert client.get("/api/1/consents/not-a-uuid",
                      HTTP_AUTHORIZATION=f"Bearer {other}").status_code == 404


def test_two_citizens_never_see_each_other(client, api_token, citizen, citizen2, consent_payload):
    post(client, api_token, consent_payload())
    record = ConsentRecord.objects.get(user=citizen)
    receipt = Receipt.objects.get(user=citizen)
    client.force_login(citizen2)
    assert "Alertes aux abonnés" not in client.get(reverse("rights:space")).content.decode()
    assert client.post(reverse("rights:withdraw", args=[record.uid])).status_code == 404
    for name in ("rights:receipt", "rights:receipt_jws", "rights:receipt_pdf"):
        assert client.get(reverse(name, args=[receipt.uid])).status_code == 404
    record.refresh_from_db()
    assert record.state == "given"


def test_hosted_consent_page_accept_and_refuse_weigh_the_same(client, api_token, citizen,
                                                             citizen2, consent_payload):
    post(client, api_token, consent_payload())
    notice = ConsentRecord.objects.get().notice
    client.force_login(citizen2)
    page = client.get(reverse("rights:consent_page", args=[notice.uid])).content.decode()
    assert 'value="accept" class="button"' in page and 'value="refuse" class="button"' in page
    response = client.post(reverse("rights:consent_page", args=[notice.uid]), {"choice": "refuse"})
    assert response.status_code == 302
    assert ConsentRecord.objects.get(user=citizen2).state == "refused"
    client.post(reverse("rights:consent_page", args=[notice.uid]), {"choice": "accept"})
    assert ConsentRecord.objects.get(user=citizen2).state == "given"
    assert client.post(reverse("rights:consent_page", args=[notice.uid]),
                       {"choice": "maybe"}).status_code == 400


def test_forged_or_altered_receipt_is_detected(client, api_token, citizen, consent_payload):
    token = post(client, api_token, consent_payload()).json()["receipt"]
    header, payload, signature = token.split(".")
    claims = json.loads(jws.b64url_decode(payload))
    claims["piiControllers"][0]["piiController"] = "Quelqu’un d’autre"
    altered = f"{header}.{jws.b64url(json.dumps(claims).encode())}.{signature}"
    assert not verify_receipt(altered).signature_ok
    assert not verify_receipt("abc").ok
    assert not verify_receipt("").ok
    # A real signature with a wrong log index: the log does not hold it there.
    claims = jws.verify(token)
    claims["log"]["index"] += 1000
    resigned = jws.sign(claims)
    result = verify_receipt(resigned)
    assert result.signature_ok and not result.log_ok
    page = client.post(reverse("rights:verify"), {"receipt_text": altered})
    assert page.status_code == 422 and "invalide" in page.content.decode()
    good = client.post(reverse("rights:verify"), {"receipt_text": token})
    assert good.status_code == 200 and "Reçu authentique" in good.content.decode()


def test_jwks_is_public_outside_i18n(client):
    keys = client.get("/.well-known/jwks.json").json()["keys"]
    assert keys[0]["kty"] == "OKP" and keys[0]["crv"] == "Ed25519" and keys[0]["alg"] == "EdDSA"
    assert "d" not in keys[0]


def test_expiry_task_issues_receipts(client, api_token, citizen, consent_payload):
    from datetime import timedelta

    from django.utils import timezone

    from spld.rights import services

    post(client, api_token, consent_payload(
        expires_at=(timezone.now() + timedelta(days=1)).isoformat()))
    ConsentRecord.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert services.expire_consents() == 1
    record = ConsentRecord.objects.get()
    assert record.state == "expired"
    assert record.events.last().receipt is not None


def test_receipt_file_upload_verifies(client, api_token, citizen, consent_payload):
    from django.core.files.uploadedfile import SimpleUploadedFile

    body = post(client, api_token, consent_payload()).json()
    assert body["consent_page"].endswith(f"/consentement/{ConsentRecord.objects.get().notice.uid}/")
    upload = SimpleUploadedFile("recu.jws", body["receipt"].encode())
    page = client.post(reverse("rights:verify"), {"receipt_file": upload})
    assert page.status_code == 200 and "Reçu authentique" in page.content.decode()
    assert client.post(reverse("rights:verify"), {}).status_code == 400


def test_pending_consents_survive_a_new_django_secret_key(client, api_token, consent_payload,
                                                          settings, db):
    """Pending consents are matched with a dedicated key: rotating SECRET_KEY orphans none."""
    from tests.factories import make_user

    post(client, api_token, consent_payload("rotation@spld.example"))
    settings.SECRET_KEY = "a-new-django-secret-after-a-restore"
    user = make_user("rotation@spld.example")
    client.force_login(user)
    assert "Alertes aux abonnés" in client.get(reverse("rights:space")).content.decode()
    assert ConsentRecord.objects.get().user == user
