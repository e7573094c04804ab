"""Eurocities Algorithmic Transparency Standard v0.3.1: form, schema-valid export, round trip."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from spld.registers import demo, exports, services
from spld.registers.models import Algorithm
from tests.registers.conftest import bearer, load_base_demo
from tests.registers.test_algorithms import algorithm_fields

pytestmark = pytest.mark.django_db

SCHEMA = json.loads((Path(__file__).parent / "fixtures" /
                     "eurocities-registration-v0.3.1.schema.json").read_text(encoding="utf-8"))
VALIDATOR = Draft202012Validator(SCHEMA, format_checker=Draft202012Validator.FORMAT_CHECKER)
ASKED = {"area": "Brest métropole", "domain": "housing, living and living environment",
         "risk_category": "high risk", "proportionality": "Grille publique, décision humaine.",
         "training_data": "Aucune : règles écrites à la main.",
         "connected_data_sources": "Système national d’enregistrement (SNE).",
         "type": "prescriptive"}


def _errors(document: dict) -> list[str]:
    return sorted(f"{'/'.join(map(str, e.path)) or e.validator}: {e.message}"
                  for e in VALIDATOR.iter_errors(document))


def test_every_demo_algorithm_exports_a_valid_registration(client, monkeypatch):
    admin = load_base_demo(monkeypatch)
    demo.load(admin, lambda _m: None)
    algorithms = list(Algorithm.objects.all())
    assert len(algorithms) >= 4
    for algorithm in algorithms:
        doc = client.get(f"/api/1/registers/algorithms/{algorithm.uid}/eurocities").json()
        assert _errors(doc) == [], algorithm.name
        for attr in exports.ASKED:
            assert doc[attr], (algorithm.name, attr)
        assert "" not in doc.values() and None not in doc.values()


def test_export_leaves_out_empty_optional_attributes(editor, org):
    algorithm = services.create_algorithm(actor=editor, organization=org,
                                          **algorithm_fields(extra=dict(ASKED)))
    doc = exports.eurocities_export(algorithm)
    assert _errors(doc) == []
    for attr in ("documentation", "codebase_url", "DPIA_url", "AIA_url", "product_page",
                 "product_information", "contact_phone", "remark", "keywords"):
        assert attr not in doc
    assert doc["website"].endswith(algorithm.get_absolute_url())


def test_export_import_export_is_the_identity(client, editor, org, api_token):
    algorithm = services.create_algorithm(actor=editor, organization=org,
                                          **algorithm_fields(extra=dict(ASKED)))
    first = client.get(f"/api/1/registers/algorithms/{algorithm.uid}/eurocities").json()
    assert _errors(first) == []
    response = client.post("/api/1/registers/algorithms/eurocities", {"document": first},
                           content_type="application/json", **bearer(api_token))
    assert response.status_code == 201, response.content
    copy = Algorithm.objects.get(uid=response.json()["uid"])
    assert copy.pk != algorithm.pk
    second = client.get(f"/api/1/registers/algorithms/{copy.uid}/eurocities").json()
    assert second == first
    # A registration written elsewhere, with only the required attributes, comes back as is.
    minimal = {k: v for k, v in first.items() if k in SCHEMA["required"]}
    minimal["website"] = "https://www.example.org/algorithmes/cotation"
    response = client.post("/api/1/registers/algorithms/eurocities", {"document": minimal},
                           content_type="application/json", **bearer(api_token))
    assert response.status_code == 201, response.content
    uid = response.json()["uid"]
    again = client.get(f"/api/1/registers/algorithms/{uid}/eurocities").json()
    assert again == minimal | {"uuid": uid}  # this register names the registration it holds


@pytest.mark.parametrize(("attr", "value"), [
    ("website", ""), ("domain", ""), ("risk_category", "very high"), ("type", "magic"),
    ("codebase_url", "ftp://x"), ("publication_date", "hier"), ("standard_version", "0.2"),
])
def test_import_refuses_what_the_schema_refuses(client, editor, org, api_token, attr, value):
    algorithm = services.create_algorithm(actor=editor, organization=org,
                                          **algorithm_fields(extra=dict(ASKED)))
    doc = exports.eurocities_export(algorithm) | {attr: value}
    schema_ok = not _errors(doc)
    response = client.post("/api/1/registers/algorithms/eurocities", {"document": doc},
                           content_type="application/json", **bearer(api_token))
    if attr == "website":  # an empty optional attribute is only "not given" here
        assert response.status_code == 201
        return
    assert not schema_ok and response.status_code == 422
    assert attr in {f["field"] for f in response.json()["error"]["fields"]}
    assert Algorithm.objects.count() == 1


def test_register_form_asks_for_the_required_attributes(client, editor, org):
    client.force_login(editor)
    page = client.get("/registres/gerer/algorithme/nouveau/").content.decode()
    for name in ("area", "domain", "risk_category", "proportionality", "training_data",
                 "connected_data_sources", "use_type"):
        assert f'name="{name}"' in page, name
    assert 'value="high risk"' in page and "risque élevé" in page
    assert 'value="prescriptive"' in page
    fields = algorithm_fields()
    data = {k: v for k, v in fields.items() if k != "parameters"}
    data.update(organization=org.pk, parameters=json.dumps(fields["parameters"]), extra="{}")
    response = client.post("/registres/gerer/algorithme/nouveau/", data)
    assert response.status_code == 400 and Algorithm.objects.count() == 0
    body = response.content.decode()
    assert body.count("Ce champ est obligatoire") >= 7
    data.update({k: v for k, v in ASKED.items() if k != "type"}, use_type="prescriptive")
    response = client.post("/registres/gerer/algorithme/nouveau/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    algorithm = Algorithm.objects.get()
    assert {k: algorithm.extra[k] for k in ASKED} == ASKED
    assert _errors(exports.eurocities_export(algorithm)) == []
    # Editing shows the stored values in their own fields, not in the JSON box.
    page = client.get(f"/registres/gerer/algorithme/{algorithm.uid}/").content.decode()
    assert 'value="Brest métropole"' in page
    assert '<option value="high risk" selected>' in page
