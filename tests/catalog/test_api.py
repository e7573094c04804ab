"""Catalogue JSON API: create, publish, upload (streamed, limited), remote URLs, search."""

import hashlib
import json
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from spld.catalog.models import Dataset, Resource
from spld.ledger.models import LogEntry
from tests.catalog.helpers import WATER_CSV, make_dataset, make_resource

pytestmark = pytest.mark.django_db

NEW = {"title": "Tonnages de déchets", "purpose": "Piloter la collecte.",
       "general_interest": "Réduire les déchets.", "retention_period": "10 ans",
       "themes": ["ENVI"], "spatial": ["29019", "29075"], "keywords": ["déchets"]}


def auth(token):
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def test_create_publish_and_log(client, api_token, org):
    response = client.post("/api/1/datasets/", json.dumps(NEW), content_type="application/json",
                           **auth(api_token))
    assert response.status_code == 201, response.content
    slug = response.json()["slug"]
    assert response.json()["status"] == "draft" and response.json()["publisher"]["slug"] == org.slug
    assert client.get(f"/api/1/datasets/{slug}").status_code == 404  # drafts are not public
    response = client.post(f"/api/1/datasets/{slug}/publish", **auth(api_token))
    assert response.status_code == 200 and response.json()["status"] == "published"
    assert LogEntry.objects.filter(subject_type="dataset", subject_id=slug,
                                   action="published").exists()
    assert client.get(f"/api/1/datasets/{slug}").json()["purpose"] == "Piloter la collecte."


def test_create_requires_purpose_and_valid_values(client, api_token):
    bad = {**NEW, "purpose": "", "themes": ["NOPE"]}
    response = client.post("/api/1/datasets/", json.dumps(bad), content_type="application/json",
                           **auth(api_token))
    assert response.status_code == 422
    fields = {f["field"] for f in response.json()["error"]["fields"]}
    assert {"purpose", "themes"} <= fields
    missing = {k: v for k, v in NEW.items() if k != "general_interest"}
    response = client.post("/api/1/datasets/", json.dumps(missing),
                           content_type="application/json", **auth(api_token))
    assert response.status_code == 422
    assert Dataset.objects.count() == 0


def test_writes_need_auth_and_the_right_org(client, api_token, other_org, editor, org):
    assert client.post("/api/1/datasets/", json.dumps(NEW),
                       content_type="application/json").status_code == 401
    response = client.post(f"/api/1/datasets/?publisher={other_org.slug}", json.dumps(NEW),
                           content_type="application/json", **auth(api_token))
    assert response.status_code == 403


@pytest.mark.django_db(transaction=True)
def test_upload_streamed_then_ingested_by_the_worker(client, api_token, editor, org):
    dataset = make_dataset(editor, org)
    resource = make_resource(editor, dataset)
    uploads = Path(settings.DATA_DIR) / "uploads"
    uploads.mkdir(parents=True, exist_ok=True)
    before = set(uploads.iterdir())
    response = client.put(f"/api/1/datasets/{dataset.slug}/resources/{resource.rid}/file"
                          "?filename=eau.csv", WATER_CSV, content_type="text/csv",
                          **auth(api_token))
    assert response.status_code == 202, response.content
    call_command("db_worker", batch=True, reload=False)
    body = client.get(f"/api/1/datasets/{dataset.slug}/resources/{resource.rid}").json()
    assert body["ingest_status"] == "ok" and body["version"]["rows"] == 4
    # The checksum was computed while the bytes arrived; nothing is left in the staging area.
    resource.refresh_from_db()
    assert resource.current_version.source_sha256 == hashlib.sha256(WATER_CSV).hexdigest()
    assert set(uploads.iterdir()) == before


def test_upload_over_the_limit_is_413(client, api_token, editor, org, settings):
    settings.SPLD_UPLOAD_MAX_BYTES = 100
    dataset = make_dataset(editor, org)
    resource = make_resource(editor, dataset)
    response = client.put(f"/api/1/datasets/{dataset.slug}/resources/{resource.rid}/file",
                          b"a,b\n" + b"1,2\n" * 100, content_type="text/csv", **auth(api_token))
    assert response.status_code == 413 and response.json()["error"]["code"] == "too_large"
    resource.refresh_from_db()
    assert resource.ingest_status == "none"


def test_empty_upload_is_400(client, api_token, editor, org):
    dataset = make_dataset(editor, org)
    resource = make_resource(editor, dataset)
    response = client.put(f"/api/1/datasets/{dataset.slug}/resources/{resource.rid}/file",
                          b"", content_type="text/csv", **auth(api_token))
    assert response.status_code == 400 and response.json()["error"]["code"] == "empty_file"


@pytest.mark.parametrize("url", ["http://127.0.0.1/x.csv", "http://169.254.169.254/latest/",
                                 "http://localhost:8000/x.csv", "http://10.0.0.1/x.csv",
                                 "http://[::1]/x.csv", "file:///etc/passwd",
                                 "http://user:pw@example.org/x.csv"])
def test_remote_urls_to_private_addresses_are_refused(client, api_token, editor, org, url):
    dataset = make_dataset(editor, org)
    response = client.post(f"/api/1/datasets/{dataset.slug}/resources",
                           json.dumps({"title": "Distant", "url": url}),
                           content_type="application/json", **auth(api_token))
    assert response.status_code == 400
    assert response.json()["error"]["code"] in ("forbidden_address", "bad_url")
    assert Resource.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_remote_url_fetched_when_allow_listed(client, api_token, editor, org, live_server,
                                              settings):
    source = make_resource(editor, make_dataset(editor, org, title="Source"), WATER_CSV)
    settings.SPLD_FETCH_ALLOWED_HOSTS = ["localhost", "127.0.0.1"]
    dataset = make_dataset(editor, org, title="Copie")
    remote = f"{live_server.url}/api/1/resources/{source.rid}/data/csv/"
    response = client.post(f"/api/1/datasets/{dataset.slug}/resources",
                           json.dumps({"title": "Distant", "url": remote}),
                           content_type="application/json", **auth(api_token))
    assert response.status_code == 202, response.content
    call_command("db_worker", batch=True, reload=False)
    resource = Resource.objects.get(dataset=dataset)
    assert resource.ingest_status == "ok", resource.ingest_error
    assert resource.current_version.row_count == 4


def test_search_french_stemming_accents_and_facets(client, editor, org, other_org, spld_admin):
    make_dataset(editor, org, title="Consommation d’eau potable par commune",
                 keywords=["eau"], spatial=["29019", "29011"], themes=["ENVI"])
    make_dataset(editor, org, title="Relevés des compteurs", themes=["ENER"], spatial=["29075"],
                 description="Les consommations électriques des bâtiments.")
    make_dataset(spld_admin, other_org, title="Tonnages de déchets collectés",
                 themes=["ENVI"], access_level="shared", licence="shared",
                 purpose="Organiser les tournées.", description="Par quartier.")
    make_dataset(editor, org, title="Brouillon consommation", publish=False)

    def titles(**params):
        return [d["title"] for d in client.get("/api/1/datasets/", params).json()["data"]]

    assert titles(q="consommations") == ["Consommation d’eau potable par commune",
                                         "Relevés des compteurs"]
    assert titles(q="dechet") == ["Tonnages de déchets collectés"]
    assert titles(q="COLLECTÉ") == ["Tonnages de déchets collectés"]
    assert titles(theme="ENER") == ["Relevés des compteurs"]
    assert titles(commune="29011") == ["Consommation d’eau potable par commune"]
    assert titles(access_level="shared") == ["Tonnages de déchets collectés"]
    body = client.get("/api/1/datasets/").json()
    assert body["meta"]["total"] == 3
    facets = {f: {e["value"]: e["count"] for e in v} for f, v in body["facets"].items()}
    assert facets["theme"] == {"ENVI": 2, "ENER": 1}
    assert facets["publisher"] == {org.slug: 2, other_org.slug: 1}
    bad_sort = client.get("/api/1/datasets/?sort=nope")  # an enum of the OpenAPI document
    assert bad_sort.status_code == 422
    assert bad_sort.json()["error"]["fields"][0]["field"] == "sort"
