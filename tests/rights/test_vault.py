"""Vault: per-citizen keys, crypto-shredding on erasure with a receipt, retention purge."""

from __future__ import annotations

import json
import logging
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from spld.ledger.models import LogEntry
from spld.rights import jws, services, vault
from spld.rights.models import (
    AccessLogEntry,
    Attachment,
    CitizenVault,
    ConsentRecord,
    Receipt,
    RightsRequest,
)
from spld.rights.verification import verify_receipt

pytestmark = pytest.mark.django_db


def test_sealed_data_is_bound_to_key_and_context(citizen, citizen2):
    blob = vault.seal(citizen, "secret", context="request.details")
    assert b"secret" not in blob
    assert vault.open_text(blob, context="request.details") == "secret"
    with pytest.raises(vault.Unreadable):
        vault.open_text(blob, context="part.answer")  # swapped between fields
    tampered = blob[:-1] + bytes([blob[-1] ^ 1])
    with pytest.raises(vault.Unreadable):
        vault.open_text(tampered, context="request.details")
    assert vault.vault_for(citizen).subject_ref != vault.vault_for(citizen2).subject_ref
    assert bytes(vault.vault_for(citizen).wrapped_key) != bytes(
        vault.vault_for(citizen2).wrapped_key)


def test_erasure_destroys_the_key_and_issues_a_receipt(client, citizen, citizen2, org, api_token,
                                                      consent_payload, caplog):
    client.post("/api/1/consents", data=json.dumps(consent_payload()),
                content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {api_token}")
    client.force_login(citizen)
    client.post(reverse("rights:request_new") + "?kind=access",
                {"organizations": [str(org.pk)], "details": "Mon numéro 0612345678",
                 "attachments": [SimpleUploadedFile("a.txt", b"piece d'identite")]})
    other = vault.seal(citizen2, "voisine", context="request.details")
    sealed = bytes(RightsRequest.objects.get().details_sealed)
    attachment = bytes(Attachment.objects.get().content_sealed)
    assert vault.open_text(sealed, context="request.details") == "Mon numéro 0612345678"

    assert client.get(reverse("rights:erase")).status_code == 200
    with caplog.at_level(logging.INFO):
        response = client.post(reverse("rights:erase"))
    assert response.status_code == 302
    receipt = Receipt.objects.get(user=citizen, kind="erasure")
    assert response["Location"].endswith(f"/recus/{receipt.uid}/")
    # Key destroyed: the old ciphertext (as in a backup) can no longer be read.
    assert not CitizenVault.objects.filter(user=citizen).exists()
    for blob, context in ((sealed, "request.details"), (attachment, "attachment.content")):
        with pytest.raises(vault.Unreadable):
            vault.open_sealed(blob, context=context)
    assert RightsRequest.objects.filter(user=citizen).count() == 0
    assert Attachment.objects.count() == 0
    record = ConsentRecord.objects.get()
    assert record.user is None and record.state == "withdrawn"  # the org learns the withdrawal
    claims = jws.verify(receipt.jws)
    assert claims["erasure"]["deleted"]["rights_requests"] == 1
    assert claims["erasure"]["deleted"]["attachments"] == 1
    assert claims["erasure"]["deleted"]["consents_withdrawn"] == 1
    assert verify_receipt(receipt.jws).ok
    assert Receipt.objects.filter(user=citizen).count() == 1
    # The other citizen's data is untouched; no personal data in the logs.
    assert vault.open_text(other, context="request.details") == "voisine"
    assert "0612345678" not in caplog.text and citizen.email not in caplog.text
    for entry in LogEntry.objects.all():
        assert citizen.email.encode() not in bytes(entry.leaf) + bytes(entry.payload)
    # The space still works: a fresh key, nothing left.
    assert client.get(reverse("rights:space")).status_code == 200


def test_erasure_is_only_for_oneself(citizen, citizen2):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.erase_my_data(actor=citizen2, user=citizen)


def test_retention_purge_logs_counts_only(citizen, org, dpo, caplog, client, api_token,
                                          consent_payload):
    client.post("/api/1/consents", data=json.dumps(consent_payload()),
                content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {api_token}")
    record = ConsentRecord.objects.get()
    services.withdraw_consent(actor=citizen, record=record)
    old = timezone.now() - timedelta(days=4000)
    ConsentRecord.objects.update(updated_at=old)
    services.log_read(staff=dpo, organization=org, subject=citizen, record_type="x", record_id="1")
    AccessLogEntry.objects.update(at=old)
    with caplog.at_level(logging.INFO):
        counts = services.purge_expired()
    assert counts == {"consent_records": 1, "rights_requests": 0, "access_log_entries": 1}
    assert "consent_records" in caplog.text and citizen.email not in caplog.text
    assert ConsentRecord.objects.count() == 0 and AccessLogEntry.objects.count() == 0


def test_maintenance_is_not_for_citizens(citizen):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.purge_expired(actor=citizen)


@pytest.mark.django_db(transaction=True)
def test_maintenance_command_and_task():
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("rights_maintenance", stdout=out)
    assert json.loads(out.getvalue())["consents_expired"] == 0
    call_command("rights_maintenance", "--enqueue", stdout=out)
    call_command("worker", batch=True)
    from django_tasks_db.models import DBTaskResult

    assert DBTaskResult.objects.get().status == "SUCCESSFUL"
