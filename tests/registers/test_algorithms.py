"""Algorithm register: revisions, explanation of individual decisions, Eurocities JSON."""

from __future__ import annotations

import pytest

from spld.registers import services
from spld.registers.models import Algorithm
from tests.registers.conftest import bearer

pytestmark = pytest.mark.django_db


def algorithm_fields(**overrides):
    fields = {
        "name": "Cotation de la demande de logement social",
        "department": "Direction de l’habitat", "contact_email": "habitat@example.org",
        "description_short": "Attribue des points à chaque demande de logement social.",
        "description": "Une grille publique de points aide la commission d’attribution.",
        "status": "in_use", "purpose": "Classer les demandes de logement social",
        "decision_role": "recommends",
        "automation_level": "Le score est calculé automatiquement.",
        "human_oversight": "La commission d’attribution décide.",
        "people_affected": "Demandeurs de logement social", "yearly_volume": 6000,
        "legal_basis": "Code de la construction et de l’habitation, art. L441-2-8",
        "data_sources": "Formulaire de demande (SNE)", "method": "rules",
        "operations": "Somme pondérée des critères.",
        "parameters": [
            {"name": "anciennete", "label": "Ancienneté de la demande", "type": "number",
             "weight": 2, "min": 0, "max": 120, "unit": "mois", "source": "SNE"},
            {"name": "handicap", "label": "Handicap dans le foyer", "type": "boolean",
             "weight": 30, "source": "justificatif"},
            {"name": "situation", "label": "Situation de logement", "type": "choice",
             "choices": {"sans logement": 50, "hébergé": 30, "locataire": 0}},
        ],
        "decision_rule": "Les trois meilleurs scores sont présentés à la commission.",
        "monitoring": "Bilan annuel.", "risks": "Sous-représentation des jeunes.",
        "mitigations": "Contrôle des écarts par âge.",
        "redress": "Recours gracieux auprès de la commission.",
    }
    fields.update(overrides)
    return fields


@pytest.fixture
def algorithm(org, editor):
    return services.create_algorithm(actor=editor, organization=org, **algorithm_fields())


def test_revisions_are_public_and_dated(client, algorithm, editor):
    services.update_algorithm(actor=editor, algorithm=algorithm, note="Nouveau barème",
                              parameters=algorithm_fields()["parameters"][:2])
    assert algorithm.version == 2
    history = client.get(f"/api/1/registers/algorithms/{algorithm.uid}/revisions").json()
    assert [r["version"] for r in history] == [2, 1]
    assert history[0]["note"] == "Nouveau barème"
    assert len(history[1]["snapshot"]["parameters"]) == 3
    page = client.get(f"/registres/algorithmes/{algorithm.uid}/versions/1/")
    assert page.status_code == 200 and "Situation de logement" in page.content.decode()
    detail = client.get(algorithm.get_absolute_url()).content.decode()
    assert "Historique public des versions" in detail and "Nouveau barème" in detail


def test_explain_api(client, algorithm):
    url = f"/api/1/registers/algorithms/{algorithm.uid}/explain"
    ok = client.post(url, {"values": {"anciennete": 24, "handicap": True,
                                      "situation": "hébergé"}},
                     content_type="application/json")
    assert ok.status_code == 200, ok.content
    data = ok.json()
    assert data["score"] == 24 * 2 + 30 + 30
    assert data["contribution"]["decision_role"] == "recommends"
    assert "CADA" in data["mention"]
    assert any("× pondération 2" in line for line in data["explanation"])
    bad = client.post(url, {"values": {"anciennete": 500, "couleur": "bleu"}},
                      content_type="application/json")
    assert bad.status_code == 400
    problems = {(p["parameter"], p["problem"]) for p in bad.json()["error"]["fields"]}
    unknown_run = client.post(url, {"values": {"anciennete": 1, "handicap": False,
                                               "situation": "hébergé"},
                                    "run": "00000000-0000-0000-0000-000000000001"},
                              content_type="application/json")
    assert unknown_run.status_code == 400
    assert problems == {("anciennete", "out_of_range"), ("handicap", "missing"),
                        ("situation", "missing"), ("couleur", "unknown")}


def test_explain_page(client, algorithm):
    url = f"/registres/algorithmes/{algorithm.uid}/expliquer/"
    assert client.get(url).status_code == 200
    ok = client.post(url, {"anciennete": "12", "handicap": "non", "situation": "locataire"})
    assert ok.status_code == 200
    assert "Total : 24 points." in ok.content.decode()
    bad = client.post(url, {"anciennete": "-3", "handicap": "", "situation": "locataire"})
    assert bad.status_code == 400
    html = bad.content.decode()
    assert "compris entre 0 et 120" in html and "Valeur manquante" in html


def test_bad_parameter_specs_are_refused(client, api_token):
    body = algorithm_fields(parameters=[{"name": "x", "type": "number"}])
    response = client.post("/api/1/registers/algorithms", body, content_type="application/json",
                           **bearer(api_token))
    assert response.status_code == 422
    assert "weight" in response.json()["error"]["fields"][0]["message"]
    assert Algorithm.objects.count() == 0


def test_eurocities_round_trip_and_bad_import(client, algorithm, api_token, org):
    exported = client.get(f"/api/1/registers/algorithms/{algorithm.uid}/eurocities").json()
    assert exported["standard_version"] == "0.3.1"
    assert exported["status"] == "operational" and exported["algorithm_type"] == "rule-based"
    exported.update({"area": "Brest métropole", "domain": "housing, living and living environment",
                     "risk_category": "high risk", "type": "prescriptive",
                     "training_data": "Aucune", "connected_data_sources": "SNE",
                     "proportionality": "Grille publique", "impact": "Demandeurs"})
    response = client.post("/api/1/registers/algorithms/eurocities",
                           {"document": exported}, content_type="application/json",
                           **bearer(api_token))
    assert response.status_code == 201, response.content
    created = Algorithm.objects.get(uid=response.json()["uid"])
    assert created.name == algorithm.name and created.status == "in_use"
    assert created.extra["risk_category"] == "high risk"
    again = client.get(f"/api/1/registers/algorithms/{created.uid}/eurocities").json()
    assert again["risk_category"] == "high risk" and again["status"] == "operational"
    bad = client.post("/api/1/registers/algorithms/eurocities",
                      {"document": {"name": "x", "status": "flying"}},
                      content_type="application/json", **bearer(api_token))
    assert bad.status_code == 422
    fields = {f["field"] for f in bad.json()["error"]["fields"]}
    assert {"status", "goal", "department"} <= fields
