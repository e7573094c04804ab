"""Data flows (sharing, access grants, graph) and usages (map, indicators)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from spld.registers import selectors, services
from spld.registers.models import DataFlow
from tests.registers.conftest import bearer, make_dataset

pytestmark = pytest.mark.django_db


def flow_body(**overrides):
    body = {"recipient": "sotraval", "purpose": "Optimiser les tournées de collecte.",
            "ground": "convention", "reference": "Convention 2025-14",
            "start_date": "2025-01-01", "frequency": "monthly"}
    body.update(overrides)
    return body


def test_flow_api_page_graph_and_access_grant(client, org, other_org, api_token, dataset):
    response = client.post("/api/1/registers/data-flows", flow_body(datasets=[dataset.slug]),
                           content_type="application/json", **bearer(api_token))
    assert response.status_code == 201, response.content
    assert response.json()["to"] == other_org.slug
    assert selectors.flow_grants_access([other_org.pk], dataset)
    assert not selectors.flow_grants_access([org.pk + 1000], dataset)
    page = client.get(f"/registres/organisations/{org.slug}/partages/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Avec qui Eau du Ponant partage-t-elle des données ?" in html
    assert "Convention 2025-14" in html
    graph = client.get("/registres/partages/")
    html = graph.content.decode()
    assert "<svg" in html and 'role="img"' in html and "<table>" in html
    assert "Sotraval" in html
    flow = DataFlow.objects.get()
    services.update_data_flow(actor=org_editor(org), flow=flow, status="suspended")
    assert not selectors.flow_grants_access([other_org.pk], dataset)


def org_editor(org):
    from tests.factories import make_user

    return make_user(memberships=[(org, "editor")])


def test_flow_refuses_other_publishers_datasets_and_self_sharing(client, org, other_org,
                                                                 spld_admin, api_token):
    foreign = make_dataset(spld_admin, other_org, title="Tonnages collectés")
    response = client.post("/api/1/registers/data-flows", flow_body(datasets=[foreign.slug]),
                           content_type="application/json", **bearer(api_token))
    assert response.status_code == 422
    assert "propres jeux de données" in response.json()["error"]["fields"][0]["message"]
    response = client.post("/api/1/registers/data-flows", flow_body(recipient=org.slug),
                           content_type="application/json", **bearer(api_token))
    assert response.status_code == 422
    response = client.post("/api/1/registers/data-flows",
                           flow_body(recipient=None, recipient_category=""),
                           content_type="application/json", **bearer(api_token))
    assert response.status_code == 422
    assert DataFlow.objects.count() == 0


def test_flows_graph_survives_cycles(org, other_org, spld_admin):
    services.create_data_flow(actor=spld_admin, organization=org, recipient=other_org,
                              purpose="a", ground="convention")
    services.create_data_flow(actor=spld_admin, organization=other_org, recipient=org,
                              purpose="b", ground="contract")
    from spld.registers.svg import graph_svg

    graph = selectors.flow_graph()
    drawing = graph_svg(graph["nodes"], graph["edges"], title="t")
    assert drawing.count("<rect") == 2 and drawing.count("marker-end") == 2


def test_usage_map_indicators_and_filters(client, org, other_org, api_token, dataset):
    body = {"title": "Prévision de fréquentation des cantines",
            "description": "Prévoir le nombre de repas pour réduire le gaspillage.",
            "partners": [other_org.slug], "datasets": [dataset.slug],
            "purpose": "Commander le bon nombre de repas.",
            "general_interest": "Moins de gaspillage alimentaire.",
            "expected_results": "-20 % de repas jetés", "start_date": "2024-09-01",
            "status": "in_production"}
    response = client.post("/api/1/registers/usages", body, content_type="application/json",
                           **bearer(api_token))
    assert response.status_code == 201, response.content
    uid = response.json()["uid"]
    points = {"points": [
        {"name": "Repas jetés", "unit": "repas/jour", "date": "2024-10-01", "value": 420},
        {"name": "Repas jetés", "unit": "repas/jour", "date": "2025-03-01", "value": 310},
    ]}
    response = client.post(f"/api/1/registers/usages/{uid}/indicators", points,
                           content_type="application/json", **bearer(api_token))
    assert response.status_code == 200
    assert [p["value"] for p in response.json()["indicators"]] == [420, 310]
    bad = client.post(f"/api/1/registers/usages/{uid}/indicators",
                      {"points": [{"name": "x", "date": "pas une date", "value": 1}]},
                      content_type="application/json", **bearer(api_token))
    assert bad.status_code == 422
    page = client.get(f"/registres/usages/{uid}/")
    html = page.content.decode()
    assert page.status_code == 200 and "<svg" in html and "310" in html
    carto = client.get("/registres/usages/?organisation=sotraval&statut=in_production")
    assert "Prévision de fréquentation des cantines" in carto.content.decode()
    empty = client.get("/registres/usages/?statut=ended")
    assert "Prévision de fréquentation des cantines" not in empty.content.decode()
    assert client.get("/api/1/registers/usages?dataset=nope").json() == []


def test_usage_cannot_cite_another_organisations_algorithm(org, other_org, spld_admin):
    from tests.registers.test_algorithms import algorithm_fields

    foreign = services.create_algorithm(actor=spld_admin, organization=other_org,
                                        **algorithm_fields())
    with pytest.raises(ValidationError):
        services.create_usage(actor=spld_admin, organization=org, title="t", description="d",
                              purpose="p", general_interest="g", expected_results="e",
                              algorithms=[foreign])


def test_catalogue_access_rule_follows_flows(org, other_org, spld_admin):
    from spld.catalog.selectors import can_read
    from spld.core.permissions import TokenActor

    shared = make_dataset(spld_admin, org, title="Index de télérelève", access_level="shared",
                          licence="shared")
    recipient = TokenActor(organization=other_org, token_id=9)
    assert not can_read(recipient, shared)  # no flow yet: not readable
    services.create_data_flow(actor=spld_admin, organization=org, recipient=other_org,
                              datasets=[shared], purpose="Étude", ground="convention")
    assert selectors.flow_grants_access([other_org.pk], shared)
    assert can_read(recipient, shared)
    from django.contrib.auth.models import AnonymousUser

    assert not can_read(AnonymousUser(), shared)


def test_indicator_form(client, org, editor, citizen):
    usage = services.create_usage(actor=editor, organization=org, title="Fuites",
                                  description="d", purpose="p", general_interest="g",
                                  expected_results="e")
    url = f"/registres/usages/{usage.uid}/mesures/"
    client.force_login(citizen)
    assert client.post(url, {"name": "x", "date": "2025-01-01", "value": "1"}).status_code == 403
    client.force_login(editor)
    page = client.get(usage.get_absolute_url()).content.decode()
    assert "Ajouter une mesure" in page
    assert client.post(url, {"name": "Rendement", "unit": "%", "date": "2025-12-31",
                             "value": "84,2"}).status_code == 302
    assert client.post(url, {"name": "", "date": "x", "value": "y"}).status_code == 302
    assert [(i.name, i.value) for i in usage.indicators.all()] == [("Rendement", 84.2)]
