"""POST /api/v1/lineage and /api/v1/lineage/batch: validation, ownership, idempotence."""

from __future__ import annotations

import gzip
import json
import uuid

import pytest

from spld.lineage.models import Dataset, Event, Job, Run, RunDataset
from tests.lineage.helpers import run_event

# PostgreSQL: one unnest() INSERT per table for batches.
pytestmark = [pytest.mark.django_db, pytest.mark.pgpaths]


def post(client, url, body, token, **extra):
    return client.post(url, json.dumps(body), content_type="application/json",
                       HTTP_AUTHORIZATION=f"Bearer {token}", **extra)


def test_single_event_created_then_duplicate(client, api_token):
    event = run_event("facturation", event_type="START", inputs=["releves"],
                      outputs=["factures"])
    event["run"]["facets"]["spld_custom"] = {"_producer": "x", "_schemaURL": "y", "k": 1}
    first = post(client, "/api/v1/lineage", event, api_token)
    assert first.status_code == 201, first.content
    assert first.json()["status"] == "created"
    again = post(client, "/api/v1/lineage", event, api_token)
    assert again.status_code == 200 and again.json()["status"] == "duplicate"
    assert Event.objects.count() == 1
    run = Run.objects.get()
    assert run.state == "START" and run.facets["spld_custom"]["k"] == 1
    assert Event.objects.get().document()["run"]["facets"]["spld_custom"]["k"] == 1
    assert {d.name for d in Dataset.objects.all()} == {"releves", "factures"}


def test_auth_required(client):
    response = client.post("/api/v1/lineage", "{}", content_type="application/json")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"
    bad = client.post("/api/v1/lineage", "{}", content_type="application/json",
                      HTTP_AUTHORIZATION="Bearer spld_nope")
    assert bad.status_code == 401


@pytest.mark.parametrize("mutate, path", [
    (lambda e: e.pop("eventTime"), "eventTime"),
    (lambda e: e.update(eventTime="hier"), "eventTime"),
    (lambda e: e.update(eventTime="2026-03-01T08:00:00"), "eventTime"),
    (lambda e: e["run"].update(runId="not-a-uuid"), "run.runId"),
    (lambda e: e["job"].pop("name"), "job.name"),
    (lambda e: e.pop("producer"), "producer"),
    (lambda e: e.update(eventType="EXPLODED"), "eventType"),
    (lambda e: e["inputs"].append({"name": "x"}), "inputs[1].namespace"),
    (lambda e: e.update(outputs="x"), "outputs"),
])
def test_bad_events_name_the_field(client, api_token, mutate, path):
    event = run_event("j", inputs=["a"])
    mutate(event)
    response = post(client, "/api/v1/lineage", event, api_token)
    assert response.status_code == 400
    fields = [f["field"] for f in response.json()["error"]["fields"]]
    assert path in fields
    assert Event.objects.count() == 0 and Run.objects.count() == 0


def test_not_json_and_not_an_array(client, api_token):
    response = client.post("/api/v1/lineage", "{oops", content_type="application/json",
                           HTTP_AUTHORIZATION=f"Bearer {api_token}")
    assert response.status_code == 400
    response = post(client, "/api/v1/lineage/batch", {"x": 1}, api_token)
    assert response.status_code == 400


def test_foreign_namespace_is_403(client, api_token, other_org, spld_admin):
    from spld.accounts.services import create_api_token

    _t, theirs = create_api_token(actor=spld_admin, organization=other_org, name="x")
    assert post(client, "/api/v1/lineage", run_event("j", namespace="sotraval"),
                theirs).status_code == 201
    response = post(client, "/api/v1/lineage", run_event("k", namespace="sotraval"), api_token)
    assert response.status_code == 403
    assert Job.objects.filter(name="k").count() == 0


def test_batch_summary_and_gzip(client, api_token):
    run_id = str(uuid.uuid4())
    events = [
        run_event("j", run_id=run_id, event_type="START", minute=0, inputs=["a"]),
        run_event("j", run_id=run_id, event_type="COMPLETE", minute=5, inputs=["a"],
                  outputs=["b"]),
        {"eventTime": "bad"},
        run_event("j", run_id=run_id, event_type="START", minute=0, inputs=["a"]),
        {"eventTime": "2026-03-01T08:00:00Z", "producer": "p", "schemaURL": "s",
         "dataset": {"namespace": "s3://eau", "name": "a", "facets": {"schema": {"fields": []}}}},
        {"eventTime": "2026-03-01T08:00:00Z", "producer": "p", "schemaURL": "s",
         "job": {"namespace": "eau-du-ponant", "name": "static"},
         "inputs": [{"namespace": "s3://eau", "name": "b"}], "outputs": []},
    ]
    body = gzip.compress(json.dumps(events).encode())
    response = client.post("/api/v1/lineage/batch", body, content_type="application/json",
                           HTTP_CONTENT_ENCODING="gzip",
                           HTTP_AUTHORIZATION=f"Bearer {api_token}")
    assert response.status_code == 200, response.content
    data = response.json()
    assert [e["status"] for e in data["events"]] == ["created", "created", "invalid",
                                                     "duplicate", "created", "created"]
    assert data["counts"] == {"created": 4, "invalid": 1, "duplicate": 1}
    run = Run.objects.get(run_id=run_id)
    assert run.state == "COMPLETE" and run.started_at and run.ended_at
    assert RunDataset.objects.filter(run=run).count() == 2
    assert Dataset.objects.get(name="a").facets["schema"] == {"fields": []}
    assert Job.objects.filter(name="static").exists()
    # Events arriving out of order keep the state of the latest event.
    late = post(client, "/api/v1/lineage/batch",
                [run_event("j", run_id=run_id, event_type="RUNNING", minute=2)], api_token)
    assert late.status_code == 200
    run.refresh_from_db()
    assert run.state == "COMPLETE"


def test_oversized_and_hostile_inputs(client, api_token, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    big = [run_event("j", inputs=[f"d{i}" for i in range(50)])]
    response = post(client, "/api/v1/lineage/batch", big, api_token)
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_large"
    hostile = "dataset:" + ":" * 5000
    assert client.get("/api/1/lineage", {"node": hostile}).status_code == 404
