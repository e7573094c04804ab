"""Processing activities: API, CNIL export, public pages, invariants."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.exceptions import ValidationError

from spld.ledger.models import LogEntry
from spld.registers import services
from spld.registers.models import ProcessingActivity
from tests.registers.conftest import HEALTH, bearer, processing_fields

pytestmark = pytest.mark.django_db


def test_create_through_api_logs_and_hides_security_measures(client, org, other_org, api_token,
                                                             dataset):
    body = processing_fields(recipient_organizations=[other_org.slug],
                             datasets_used=[dataset.slug],
                             transfers=[{"country": "États-Unis",
                                         "safeguard": "clauses contractuelles types"}])
    response = client.post("/api/1/registers/processing-activities", body,
                           content_type="application/json", **bearer(api_token))
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["controller"] == org.slug
    assert data["recipient_organizations"] == [other_org.slug]
    assert data["datasets_used"] == [dataset.slug]
    assert "security_measures" not in data
    entry = LogEntry.objects.get(subject_type="processing_activity", subject_id=data["uid"])
    assert entry.action == "created"
    assert b"Chiffrement" not in bytes(entry.payload)
    listed = client.get("/api/1/registers/processing-activities").json()
    assert [a["uid"] for a in listed] == [data["uid"]]


def test_bad_input_is_422_and_writes_nothing(client, api_token):
    body = processing_fields(purposes=["https://example.org/not-dpv"])
    response = client.post("/api/1/registers/processing-activities", body,
                           content_type="application/json", **bearer(api_token))
    assert response.status_code == 422
    assert response.json()["error"]["fields"][0]["field"] == "purposes"
    body = processing_fields(recipient_organizations=["nobody"])
    response = client.post("/api/1/registers/processing-activities", body,
                           content_type="application/json", **bearer(api_token))
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "unknown_reference"
    body = processing_fields(transfers=[{"country": "Inde"}])
    response = client.post("/api/1/registers/processing-activities", body,
                           content_type="application/json", **bearer(api_token))
    assert response.status_code == 422
    assert ProcessingActivity.objects.count() == 0
    assert not LogEntry.objects.filter(subject_type="processing_activity").exists()


def test_special_categories_are_flagged(org, editor):
    activity = services.create_processing_activity(
        actor=editor, organization=org, **processing_fields(data_categories=[HEALTH]))
    assert activity.has_special_categories
    assert activity.public_payload()["special_categories"] is True


def test_cnil_csv_export(client, activity, editor, org):
    response = client.get("/api/1/registers/processing-activities/export.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][0] == "Nom / sigle du traitement"
    assert rows[1][0] == "Facturation de l’eau"
    header = rows[0].index("Mesures de sécurité techniques et organisationnelles")
    assert "Chiffrement" not in rows[1][header]
    client.force_login(editor)
    mine = client.get(f"/api/1/registers/processing-activities/export.csv?organization={org.slug}")
    rows = list(csv.reader(io.StringIO(mine.content.decode("utf-8-sig")), delimiter=";"))
    assert "Chiffrement" in rows[1][header]


def test_holders_and_detail_pages(client, activity):
    page = client.get("/registres/qui-detient-mes-donnees/")
    assert page.status_code == 200
    assert "Qui détient mes données ?" in page.content.decode()
    assert activity.name in page.content.decode()
    detail = client.get(activity.get_absolute_url())
    assert detail.status_code == 200
    html = detail.content.decode()
    assert "Mission d’intérêt public" in html
    assert "Chiffrement" not in html
    assert "les données restent dans l’Union européenne" in html


def test_dpia_required_blocks_start_until_published(org, editor):
    with pytest.raises(ValidationError):
        services.create_processing_activity(
            actor=editor, organization=org,
            **processing_fields(dpia_required=True, dpia_reason="Données de santé"),
            status=ProcessingActivity.Status.ACTIVE)
    assert ProcessingActivity.objects.count() == 0


def test_update_via_api_and_unknown_uid(client, activity, api_token):
    response = client.patch(f"/api/1/registers/processing-activities/{activity.uid}",
                            {"retention": "3 ans"}, content_type="application/json",
                            **bearer(api_token))
    assert response.status_code == 200
    assert response.json()["retention"] == "3 ans"
    missing = client.get("/api/1/registers/processing-activities/"
                         "00000000-0000-0000-0000-000000000000")
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "not_found"


def test_cnil_ods_export(client, activity):
    import zipfile

    response = client.get("/api/1/registers/processing-activities/export.ods")
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert archive.namelist()[0] == "mimetype"
    assert archive.read("mimetype") == b"application/vnd.oasis.opendocument.spreadsheet"
    content = archive.read("content.xml").decode()
    from xml.etree import ElementTree

    rows = ElementTree.fromstring(content).iter(
        "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}table-row")
    assert len(list(rows)) == 2
    assert "Facturation de l’eau" in content and "Chiffrement" not in content
