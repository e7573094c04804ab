"""Graph queries, per-run upstream lineage, cycles, aliases and the public path page."""

from __future__ import annotations

import json
import uuid

import pytest

from tests.lineage.helpers import run_event
from tests.registers.conftest import make_dataset

pytestmark = pytest.mark.django_db


def send(client, token, events):
    response = client.post("/api/v1/lineage/batch", json.dumps(events),
                           content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200, response.content
    assert all(e["status"] == "created" for e in response.json()["events"])


@pytest.fixture
def pipeline(client, api_token):
    """raw → clean (twice: two runs) → report; the report run read the 2nd clean version."""
    ids = {k: str(uuid.uuid4()) for k in ("clean1", "clean2", "report", "ingest")}
    send(client, api_token, [
        run_event("ingest", run_id=ids["ingest"], minute=0, outputs=["raw"]),
        run_event("clean", run_id=ids["clean1"], minute=10, inputs=["raw"], outputs=["clean"]),
        run_event("clean", run_id=ids["clean2"], minute=20, inputs=["raw"], outputs=["clean"]),
        run_event("report", run_id=ids["report"], event_type="START", minute=30,
                  inputs=["clean"]),
        run_event("report", run_id=ids["report"], minute=31, inputs=["clean"],
                  outputs=["report"]),
        run_event("clean", minute=40, inputs=["raw"], outputs=["clean"]),  # after: ignored
    ])
    return ids


def test_graph_query(client, pipeline):
    response = client.get("/api/1/lineage", {"node": "dataset:s3://eau:report", "depth": 5})
    assert response.status_code == 200, response.content
    data = response.json()
    ids = {n["id"] for n in data["nodes"]}
    assert {"job:eau-du-ponant:report", "dataset:s3://eau:clean", "job:eau-du-ponant:clean",
            "dataset:s3://eau:raw", "job:eau-du-ponant:ingest"} <= ids
    edge = {"source": "dataset:s3://eau:clean", "target": "job:eau-du-ponant:report"}
    assert edge in data["edges"] and data["has_cycle"] is False
    shallow = client.get("/api/1/lineage", {"node": "dataset:s3://eau:report", "depth": 1,
                                            "direction": "upstream"}).json()
    assert "job:eau-du-ponant:ingest" not in {n["id"] for n in shallow["nodes"]}
    assert client.get("/api/1/lineage", {"node": "dataset:nope:x"}).status_code == 404
    assert client.get("/api/1/lineage", {"node": "table:x:y"}).status_code == 404
    assert client.get("/api/1/lineage", {"node": "job:eau-du-ponant:report",
                                         "depth": 99}).status_code == 422  # schema bound
    assert client.get("/api/1/lineage").status_code == 422


def test_per_run_upstream_is_exact(client, pipeline):
    response = client.get(f"/api/1/lineage/runs/{pipeline['report']}/upstream")
    assert response.status_code == 200, response.content
    data = response.json()
    runs = {r["runId"] for r in data["runs"]}
    # The report read the clean version of run 2, not run 1 nor the later run.
    assert runs == {pipeline["report"], pipeline["clean2"], pipeline["ingest"]}
    first = next(r for r in data["inputs"] if r["level"] == 1)
    assert first["produced_by"]["run"] == pipeline["clean2"]
    assert first["version"] == pipeline["clean2"]
    missing = client.get(f"/api/1/lineage/runs/{uuid.uuid4()}/upstream")
    assert missing.status_code == 404
    assert client.get("/api/1/lineage/runs/not-a-uuid/upstream").status_code == 404


def test_cycles_terminate(client, api_token):
    send(client, api_token, [
        run_event("a", minute=0, inputs=["x"], outputs=["y"]),
        run_event("b", minute=1, inputs=["y"], outputs=["x"]),
        run_event("a", minute=2, inputs=["x"], outputs=["y"]),
    ])
    graph = client.get("/api/1/lineage", {"node": "dataset:s3://eau:x", "depth": 20}).json()
    assert len(graph["nodes"]) == 4 and graph["has_cycle"] is True
    last = client.get("/api/1/lineage", {"node": "job:eau-du-ponant:a"}).json()
    assert len(last["edges"]) == 4
    from spld.lineage.models import Run

    run = Run.objects.order_by("-event_time").first()
    upstream = client.get(f"/api/1/lineage/runs/{run.run_id}/upstream", {"depth": 20}).json()
    assert len(upstream["runs"]) == 3


def test_alias_and_path_page(client, api_token, pipeline, org, spld_admin, editor):
    dataset = make_dataset(spld_admin, org, title="Relevés de compteurs")
    body = {"namespace": "s3://eau", "name": "raw", "dataset": dataset.slug}
    anonymous = client.post("/api/1/lineage/aliases", body, content_type="application/json")
    assert anonymous.status_code == 401
    created = client.post("/api/1/lineage/aliases", body, content_type="application/json",
                          HTTP_AUTHORIZATION=f"Bearer {api_token}")
    assert created.status_code == 201, created.content
    upstream = client.get(f"/api/1/lineage/runs/{pipeline['report']}/upstream").json()
    raw = next(d for d in upstream["datasets"] if d["name"] == "raw")
    assert raw["catalog"]["slug"] == dataset.slug
    page = client.get(f"/lignage/executions/{pipeline['report']}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Le chemin des données pour cette action" in html
    assert "<svg" in html and "<table>" in html and "Relevés de compteurs" in html
    assert client.get(f"/lignage/executions/{uuid.uuid4()}/").status_code == 404


def test_alias_needs_the_publisher(client, other_org, spld_admin, api_token):
    foreign = make_dataset(spld_admin, other_org, title="Tonnages")
    response = client.post("/api/1/lineage/aliases",
                           {"namespace": "s3://x", "name": "t", "dataset": foreign.slug},
                           content_type="application/json",
                           HTTP_AUTHORIZATION=f"Bearer {api_token}")
    assert response.status_code == 403


def test_a_decision_can_cite_a_run(client, pipeline, org, editor):
    from spld.registers import services
    from tests.registers.test_algorithms import algorithm_fields

    algorithm = services.create_algorithm(actor=editor, organization=org, **algorithm_fields())
    response = client.post(f"/api/1/registers/algorithms/{algorithm.uid}/explain",
                           {"values": {"anciennete": 3, "handicap": False,
                                       "situation": "locataire"}, "run": pipeline["report"]},
                           content_type="application/json")
    assert response.status_code == 200, response.content
    cited = response.json()["lineage_run"]
    assert cited["page"] == f"/lignage/executions/{pipeline['report']}/"
    page = client.get(f"/registres/algorithmes/{algorithm.uid}/expliquer/",
                      {"execution": pipeline["report"]})
    assert "Le chemin des données pour cette décision" in page.content.decode()
