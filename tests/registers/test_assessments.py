"""Impact assessments: PIA-tool import, review, publication before the processing starts."""

from __future__ import annotations

import datetime
import io
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from spld.ledger.models import LogEntry
from spld.registers import pia, services
from spld.registers.models import ImpactAssessment, ProcessingActivity
from tests.registers.conftest import bearer

pytestmark = pytest.mark.django_db


def test_parse_pia_example(pia_document):
    summary = pia.parse(pia_document)
    assert summary["title"] == "Captoo"
    assert "Les données traitées sont les suivantes" in summary["context"]
    assert "<" not in summary["context"]
    risks = {r["key"]: r for r in summary["risks"]}
    assert risks["illegitimate_access"]["severity"] == 3
    assert risks["illegitimate_access"]["likelihood"] == 4
    assert "Vol de données" in risks["illegitimate_access"]["threats"]
    assert len(summary["measures"]) == 23
    assert summary["dpo_opinion"].startswith("Avis favorable.")
    # Assessors' names stay out of the publishable summary.
    assert "Elisabeth York" not in json.dumps(summary, ensure_ascii=False)


@pytest.mark.parametrize("document", [[], {"pia": {}}, {"foo": 1},
                                      {"pia": {"name": "x"}, "answers": "no",
                                       "measures": [], "evaluations": []}])
def test_not_a_pia_export(document):
    with pytest.raises(pia.PiaFormatError):
        pia.parse(document)


def test_import_review_publish_through_api(client, activity, api_token, dpo, editor,
                                           pia_document):
    response = client.post("/api/1/registers/impact-assessments/import-pia",
                           {"processing_activity": str(activity.uid),
                            "document": pia_document},
                           content_type="application/json", **bearer(api_token))
    assert response.status_code == 201, response.content
    uid = response.json()["uid"]
    # A draft is neither listed nor readable by the public, nor logged.
    assert client.get("/api/1/registers/impact-assessments").json() == []
    assert client.get(f"/api/1/registers/impact-assessments/{uid}").status_code == 404
    assert client.get(f"/registres/analyses-d-impact/{uid}/").status_code == 404
    assert not LogEntry.objects.filter(subject_type="impact_assessment").exists()
    # An editor (token) cannot review: the DPO does.
    forbidden = client.post(f"/api/1/registers/impact-assessments/{uid}/review",
                            **bearer(api_token))
    assert forbidden.status_code == 403
    early = client.post(f"/api/1/registers/impact-assessments/{uid}/publish",
                        **bearer(api_token))
    assert early.status_code == 403
    client.force_login(dpo)
    not_reviewed = client.post(f"/registres/analyses-d-impact/{uid}/publier/")
    assert not_reviewed.status_code == 302
    assert ImpactAssessment.objects.get(uid=uid).status == "draft"
    assert client.post(f"/registres/analyses-d-impact/{uid}/relire/").status_code == 302
    assert client.post(f"/registres/analyses-d-impact/{uid}/publier/").status_code == 302
    client.logout()
    published = client.get(f"/api/1/registers/impact-assessments/{uid}").json()
    assert published["status"] == "published" and published["published_at"]
    entry = LogEntry.objects.get(subject_type="impact_assessment")
    assert entry.action == "published"
    page = client.get(f"/registres/analyses-d-impact/{uid}/").content.decode()
    assert "Publiée le" in page and "Vol de données" in page
    # Published summaries are frozen.
    with pytest.raises(ValidationError):
        services.update_impact_assessment(actor=editor,
                                          assessment=ImpactAssessment.objects.get(uid=uid),
                                          title="autre")


def test_bad_pia_file_is_400(client, activity, api_token):
    response = client.post("/api/1/registers/impact-assessments/import-pia",
                           {"processing_activity": str(activity.uid),
                            "document": {"hello": "world"}},
                           content_type="application/json", **bearer(api_token))
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "not_a_pia_export"
    assert "outil PIA" in response.json()["error"]["message"]
    assert ImpactAssessment.objects.count() == 0


def test_upload_form(client, activity, editor, pia_document):
    client.force_login(editor)
    assert client.get("/registres/gerer/importer-pia/").status_code == 200
    garbage = io.BytesIO(b"not json at all")
    garbage.name = "x.json"
    bad = client.post("/registres/gerer/importer-pia/",
                      {"processing_activity": activity.pk, "file": garbage})
    assert bad.status_code == 400
    assert "export de l’outil PIA" in bad.content.decode()
    good = io.BytesIO(json.dumps(pia_document).encode())
    good.name = "pia.json"
    ok = client.post("/registres/gerer/importer-pia/",
                     {"processing_activity": activity.pk, "file": good})
    assert ok.status_code == 302
    assert ImpactAssessment.objects.get().source == "cnil_pia"


def test_processing_starts_only_after_publication(org, editor, dpo, pia_document):
    from tests.registers.conftest import processing_fields

    activity = services.create_processing_activity(
        actor=editor, organization=org,
        **processing_fields(dpia_required=True, dpia_reason="Profilage à grande échelle"))
    with pytest.raises(ValidationError):
        services.update_processing_activity(actor=editor, activity=activity, status="active")
    assessment = services.import_pia(actor=editor, processing_activity=activity,
                                     document=pia_document)
    with pytest.raises(PermissionDenied):
        services.review_impact_assessment(actor=editor, assessment=assessment)
    services.review_impact_assessment(actor=dpo, assessment=assessment)
    services.publish_impact_assessment(actor=dpo, assessment=assessment)
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    with pytest.raises(ValidationError):
        services.update_processing_activity(actor=editor, activity=activity, status="active",
                                            start_date=yesterday)
    services.update_processing_activity(actor=editor, activity=activity, status="active",
                                        start_date=None)
    activity.refresh_from_db()
    assert activity.status == ProcessingActivity.Status.ACTIVE
    assert activity.start_date == timezone.localdate()
    assessment.refresh_from_db()
    assert assessment.published_before_start is True
