"""Bad input on the JSON API: a 4xx naming the field, never a 500 (patterns over the schema)."""

from __future__ import annotations

import json
import uuid

import pytest

from tests.catalog.helpers import make_dataset

DATASET = {"title": "Relevés", "purpose": "Suivre.", "general_interest": "Gérer l’eau.",
           "retention_period": "5 ans"}


def _bearer(token: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def _fields(response) -> set[str]:
    return {f["field"] for f in response.json()["error"].get("fields", [])}


def _write_operations(schema):
    for path, item in schema["paths"].items():
        for method, op in item.items():
            body = op.get("requestBody", {}).get("content", {}).get("application/json")
            if method in ("post", "patch", "put") and body:
                yield path, method, body["schema"]


def _resolve(schema, node):
    while "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[-1]]
    return node


def _nullable(prop) -> bool:
    if not {"type", "anyOf", "enum", "const", "properties"} & set(prop):
        return True  # any JSON value, null included
    return prop.get("type") == "null" or any(
        o.get("type") == "null" for o in prop.get("anyOf", []))


@pytest.mark.django_db
def test_null_on_every_non_nullable_field_of_every_write_endpoint_is_422_naming_it(
        client, org, api_token, spld_admin):
    dataset = make_dataset(spld_admin, org)
    schema = client.get("/api/1/openapi.json").json()
    checked = 0
    for path, method, body_schema in _write_operations(schema):
        url = (path.replace("{slug}", dataset.slug).replace("{uid}", str(uuid.uuid4()))
               .replace("{rid}", str(uuid.uuid4())).replace("{alert_id}", "1"))
        for name, prop in _resolve(schema, body_schema).get("properties", {}).items():
            response = getattr(client, method)(url, json.dumps({name: None}),
                                               content_type="application/json",
                                               **_bearer(api_token))
            assert response.status_code < 500, (method, path, name, response.content[:300])
            if not _nullable(_resolve(schema, prop)):
                assert response.status_code == 422, (method, path, name, response.content)
                assert any(f == name or f.startswith(name + ".") for f in _fields(response)), (
                    method, path, name, response.content)
                checked += 1
    assert checked > 150  # every body field of every write endpoint, not a sample


@pytest.mark.django_db
def test_patch_dataset_with_null_description_is_422_and_changes_nothing(
        client, org, api_token, spld_admin):
    dataset = make_dataset(spld_admin, org, description="Avant.")
    for body in ({"description": None}, {"themes": None}, {"title": "Nouveau", "keywords": None}):
        response = client.patch(f"/api/1/datasets/{dataset.slug}", json.dumps(body),
                                content_type="application/json", **_bearer(api_token))
        assert response.status_code == 422, response.content
        assert _fields(response) == {k for k, v in body.items() if v is None}
        assert "null" in response.json()["error"]["fields"][0]["message"]
    dataset.refresh_from_db()
    assert (dataset.title, dataset.description) == ("Consommation d’eau", "Avant.")
    cleared = client.patch(f"/api/1/datasets/{dataset.slug}", json.dumps({"temporal_end": None}),
                           content_type="application/json", **_bearer(api_token))
    assert cleared.status_code == 200  # a nullable column may be cleared with null


@pytest.mark.django_db
def test_post_data_flow_with_a_status_or_a_null_status(client, org, api_token):
    null = client.post("/api/1/registers/data-flows", json.dumps({"status": None}),
                       content_type="application/json", **_bearer(api_token))
    assert null.status_code == 422 and "status" in _fields(null), null.content
    body = {"recipient_category": "Chercheurs", "purpose": "Étude", "ground": "contract",
            "data_description": "Consommations agrégées", "frequency": "annual",
            "status": "planned"}
    created = client.post("/api/1/registers/data-flows", json.dumps(body),
                          content_type="application/json", **_bearer(api_token))
    assert created.status_code in (201, 422), created.content  # never a TypeError → 500
    if created.status_code == 201:
        assert created.json()["status"] == "planned"


@pytest.mark.django_db
@pytest.mark.parametrize("licence", ["nope", "", "ETALAB-2.0"])
def test_unknown_or_empty_licence_is_422_naming_the_field(client, org, api_token, spld_admin,
                                                          licence):
    created = client.post("/api/1/datasets/", json.dumps({**DATASET, "licence": licence}),
                          content_type="application/json", **_bearer(api_token))
    assert created.status_code == 422, created.content
    assert _fields(created) == {"licence"}
    dataset = make_dataset(spld_admin, org)
    patched = client.patch(f"/api/1/datasets/{dataset.slug}", json.dumps({"licence": licence}),
                           content_type="application/json", **_bearer(api_token))
    assert patched.status_code == 422, patched.content
    assert _fields(patched) == {"licence"}


@pytest.mark.django_db
def test_unknown_licence_reaching_the_model_is_a_validation_error_on_the_field(org, spld_admin):
    from django.core.exceptions import ValidationError

    from spld.catalog import services

    with pytest.raises(ValidationError) as caught:
        services.create_dataset(actor=spld_admin, publisher=org, licence="nope", **DATASET)
    assert "licence" in caught.value.message_dict


@pytest.mark.django_db
def test_openapi_lists_the_licences_and_says_which_fields_take_null(client):
    schema = client.get("/api/1/openapi.json").json()
    update = schema["components"]["schemas"]["DatasetUpdate"]["properties"]
    assert "cc-by-4.0" in update["licence"]["enum"]
    assert not _nullable(update["description"])
    assert _nullable(update["temporal_end"])


HUGE = "9223372036854775807"


@pytest.mark.django_db
def test_every_paginated_list_bounds_the_page_number_the_same_way(client, org, api_token,
                                                                  spld_admin):
    from spld.core.pagination import MAX_PAGE
    from tests.catalog.helpers import WATER_CSV, make_resource

    resource = make_resource(spld_admin, make_dataset(spld_admin, org), WATER_CSV)
    schema = client.get("/api/1/openapi.json").json()
    paged = [path for path, item in schema["paths"].items()
             if any(p["name"] == "page" for p in item.get("get", {}).get("parameters", []))]
    assert {"/api/1/organizations", "/api/1/charter/alerts", "/api/1/charter/memberships",
            "/api/1/datasets/"} <= set(paged)
    for path in paged:
        page = next(p for p in schema["paths"][path]["get"]["parameters"] if p["name"] == "page")
        assert page["schema"]["maximum"] == MAX_PAGE  # one bound, declared in the document
        for value in (HUGE, str(MAX_PAGE + 1), "0", "-1"):
            response = client.get(path, {"page": value})
            assert response.status_code == 422, (path, value, response.content)
            assert [f["field"] for f in response.json()["error"]["fields"]] == ["page"]
        assert client.get(path, {"page": MAX_PAGE}).status_code == 200, path
    # The data API parses its own query (api-tabular syntax): same bound, its 400 bad_query.
    data = f"/api/1/resources/{resource.rid}/data/"
    for value in (HUGE, str(MAX_PAGE + 1), "0"):
        response = client.get(data, {"page": value})
        assert response.status_code == 400, response.content
        assert response.json()["error"]["fields"][0]["field"] == "page"
    last = client.get(data, {"page": MAX_PAGE, "page_size": 10_000})
    assert last.status_code == 200 and last.json()["data"] == []
    consents = client.get("/api/1/consents", {"offset": HUGE}, **_bearer(api_token))
    assert consents.status_code == 422
    assert [f["field"] for f in consents.json()["error"]["fields"]] == ["offset"]


@pytest.mark.django_db
def test_schema_valid_values_are_accepted(client, org):
    from spld.charter.models import Membership

    for status in Membership.Status.values:
        assert client.get("/api/1/charter/memberships", {"status": status}).status_code == 200
    for sort in ("relevance", "date", "downloads", "title", ""):
        assert client.get("/api/1/datasets/", {"sort": sort}).status_code == 200
    schema = client.get("/api/1/openapi.json").json()["paths"]
    params = {p["name"]: p["schema"] for p in
              schema["/api/1/log/entries"]["get"]["parameters"]}
    assert params["start"]["type"] == "integer" and params["limit"]["maximum"] == 1000
    for name in ("index", "size"):
        assert {p["name"]: p["schema"]["type"] for p in
                schema["/api/1/log/proof/inclusion"]["get"]["parameters"]}[name] == "integer"
    assert {p["name"]: p["schema"]["type"] for p in
            schema["/api/1/log/proof/consistency"]["get"]["parameters"]}["first"] == "integer"


@pytest.mark.django_db
def test_every_operation_declares_its_error_statuses_with_the_envelope(client):
    schema = client.get("/api/1/openapi.json").json()
    assert "Error" in schema["components"]["schemas"]
    for path, item in schema["paths"].items():
        for method, op in item.items():
            codes = set(op["responses"])
            assert {"400", "404", "422", "429"} <= codes, (method, path, codes)
            if op.get("security"):
                assert {"401", "403"} <= codes, (method, path)
            if method != "get":
                assert "409" in codes, (method, path)
            ref = op["responses"]["422"]["content"]["application/json"]["schema"]["$ref"]
            assert ref == "#/components/schemas/Error"


@pytest.mark.django_db
def test_unknown_publisher_on_dataset_creation_is_422_naming_it(client, org, api_token):
    response = client.post("/api/1/datasets/?publisher=inconnue", json.dumps(DATASET),
                           content_type="application/json", **_bearer(api_token))
    assert response.status_code == 422, response.content
    assert response.json()["error"]["code"] == "unknown_reference"
    assert _fields(response) == {"publisher"}


@pytest.mark.django_db
def test_dcat_catalogue_pages_have_the_same_bound(client, org, spld_admin):
    from spld.core.pagination import MAX_PAGE

    make_dataset(spld_admin, org)
    huge = client.get("/catalog.ttl", {"page": HUGE})
    assert huge.status_code == 400 and "page" in huge.content.decode()
    assert client.get("/catalog.ttl", {"page": MAX_PAGE}).status_code == 200
