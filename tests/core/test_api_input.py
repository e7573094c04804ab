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
