"""Permission before state: a stranger's write gets 403, never an answer revealing the state.

Every write operation of the OpenAPI document is listed below (a new one fails the coverage
test until it is added), each with a request that, from an allowed caller, would hit a state
or input check (illegal transition, dedicated action, unknown reference, no assessment…).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from spld.accounts.services import create_api_token
from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db

UNKNOWN_UID = "00000000-0000-4000-8000-000000000000"
# Writes with no foreign target: they act only for the caller's own organisation, or anyone.
EXEMPT = {
    ("POST", "/api/1/consents"),  # always the token's organisation
    ("POST", "/api/1/registers/algorithms/{uid}/explain"),  # public computation, no write
}


@pytest.fixture
def world(org, other_org, spld_admin):
    """One organisation with an object of every kind, in states that refuse most moves."""
    from spld.catalog import services as catalog
    from spld.charter import services as charter
    from spld.registers import services as registers
    from tests.charter.conftest import activate
    from tests.registers.conftest import make_dataset, processing_fields
    from tests.registers.test_algorithms import algorithm_fields

    charter.seed_first_version(actor=spld_admin)
    membership = activate(spld_admin, org)  # active, assessment approved: nothing editable
    alert = charter.raise_alert(
        actor=spld_admin,
        membership=membership,
        principle=6,
        facts="Analyse non publiée.",
        expected_remedy="La publier.",
        deadline=timezone.localdate() + dt.timedelta(days=30),
    )
    dataset = make_dataset(spld_admin, org)
    resource = catalog.create_resource(actor=spld_admin, dataset=dataset, title="Relevés")
    activity = registers.create_processing_activity(
        actor=spld_admin, organization=org, **processing_fields()
    )
    flow = registers.create_data_flow(
        actor=spld_admin,
        organization=org,
        recipient=other_org,
        purpose="Tournées.",
        ground="convention",
        reference="C-1",
        start_date=dt.date(2025, 1, 1),
        frequency="monthly",
    )
    usage = registers.create_usage(
        actor=spld_admin,
        organization=org,
        title="Prévision des repas",
        description="Prévoir les repas.",
        purpose="Commander juste.",
        general_interest="Moins de gaspillage.",
        expected_results="-20 %",
        start_date=dt.date(2024, 9, 1),
        status="in_production",
    )
    algorithm = registers.create_algorithm(actor=spld_admin, organization=org, **algorithm_fields())
    pia = Path(__file__).parents[1] / "registers" / "fixtures" / "pia-example-2018-02-21.json"
    assessment = registers.import_pia(
        actor=spld_admin,
        processing_activity=activity,
        document=json.loads(pia.read_text(encoding="utf-8")),
    )
    _token, foreign = create_api_token(actor=spld_admin, organization=other_org, name="autre")
    return {
        "org": org.slug,
        "alert": alert.pk,
        "dataset": dataset.slug,
        "rid": str(resource.rid),
        "activity": str(activity.uid),
        "flow": str(flow.uid),
        "usage": str(usage.uid),
        "algorithm": str(algorithm.uid),
        "assessment": str(assessment.uid),
        "foreign_token": foreign,
    }


UNKNOWN_REFS = {"datasets": ["n-existe-pas"], "recipient_organizations": ["inconnue"]}
# (method, path template) -> (path with placeholders from `world`, JSON body or None)
CASES: dict[tuple[str, str], tuple[str, Any]] = {
    ("PATCH", "/api/1/organizations/{slug}"): (
        "/api/1/organizations/{org}",
        {"description": "Réécrite par un tiers."},
    ),
    ("POST", "/api/1/charter/memberships"): (
        "/api/1/charter/memberships",
        {"organization": "{org}", "motivation": "déjà membre"},
    ),
    ("POST", "/api/1/charter/memberships/{slug}/transitions"): (
        "/api/1/charter/memberships/{org}/transitions",
        {"to_status": "under_review", "reason": "sonder l’état"},
    ),
    ("POST", "/api/1/charter/memberships/{slug}/assessment/answers"): (
        "/api/1/charter/memberships/{org}/assessment/answers",
        {"principle": 1, "practice": "x", "responsible": "y"},
    ),
    ("POST", "/api/1/charter/memberships/{slug}/assessment/submit"): (
        "/api/1/charter/memberships/{org}/assessment/submit",
        None,
    ),
    ("POST", "/api/1/charter/memberships/{slug}/assessment/decision"): (
        "/api/1/charter/memberships/{org}/assessment/decision",
        {"outcome": "approved", "reasons": "ok"},
    ),
    ("POST", "/api/1/charter/alerts"): (
        "/api/1/charter/alerts",
        {
            "organization": "{org}",
            "principle": 1,
            "facts": "f",
            "expected_remedy": "r",
            "deadline": "2000-01-01",
        },
    ),
    ("POST", "/api/1/charter/alerts/{alert_id}/answer"): (
        "/api/1/charter/alerts/{alert}/answer",
        {"answer": "réponse d’un tiers"},
    ),
    ("POST", "/api/1/charter/memberships/{slug}/exclusion"): (
        "/api/1/charter/memberships/{org}/exclusion",
        {"decision": "d", "votes_for": 1, "votes_against": 0},
    ),
    ("POST", "/api/1/charter/memberships/{slug}/evaluations"): (
        "/api/1/charter/memberships/{org}/evaluations",
        {
            "year": 2025,
            "answers": [{"principle": 1, "level": "met"}, {"principle": 1, "level": "met"}],
        },
    ),
    ("POST", "/api/1/datasets/"): (
        "/api/1/datasets/?publisher={org}",
        {
            "title": "Jeu d’un tiers",
            "slug": "consommation-deau",
            "purpose": "p",
            "general_interest": "g",
            "retention_period": "r",
        },
    ),
    ("PATCH", "/api/1/datasets/{slug}"): ("/api/1/datasets/{dataset}", {"title": "Tiers"}),
    ("POST", "/api/1/datasets/{slug}/publish"): ("/api/1/datasets/{dataset}/publish", None),
    ("POST", "/api/1/datasets/{slug}/resources"): (
        "/api/1/datasets/{dataset}/resources",
        {"title": "r", "url": "http://127.0.0.1/x"},
    ),
    ("PUT", "/api/1/datasets/{slug}/resources/{rid}/file"): (
        "/api/1/datasets/{dataset}/resources/{rid}/file",
        b"",
    ),
    ("POST", "/api/1/registers/processing-activities"): (
        "/api/1/registers/processing-activities",
        {"organization": "{org}", "joint_controllers": ["inconnue"]},
    ),
    ("PATCH", "/api/1/registers/processing-activities/{uid}"): (
        "/api/1/registers/processing-activities/{activity}",
        {"recipient_organizations": ["inconnue"]},
    ),
    ("POST", "/api/1/registers/data-flows"): (
        "/api/1/registers/data-flows",
        {"organization": "{org}", **UNKNOWN_REFS},
    ),
    ("PATCH", "/api/1/registers/data-flows/{uid}"): (
        "/api/1/registers/data-flows/{flow}",
        {"datasets": ["n-existe-pas"]},
    ),
    ("POST", "/api/1/registers/usages"): (
        "/api/1/registers/usages",
        {"organization": "{org}", "partners": ["inconnue"]},
    ),
    ("PATCH", "/api/1/registers/usages/{uid}"): (
        "/api/1/registers/usages/{usage}",
        {"datasets": ["n-existe-pas"]},
    ),
    ("POST", "/api/1/registers/usages/{uid}/indicators"): (
        "/api/1/registers/usages/{usage}/indicators",
        {"points": [{"name": "x", "date": "2025-01-01", "value": 1}]},
    ),
    ("POST", "/api/1/registers/algorithms"): (
        "/api/1/registers/algorithms",
        {"organization": "{org}", "datasets": ["n-existe-pas"]},
    ),
    ("POST", "/api/1/registers/algorithms/eurocities"): (
        "/api/1/registers/algorithms/eurocities",
        {"organization": "{org}", "document": {}},
    ),
    ("PATCH", "/api/1/registers/algorithms/{uid}"): (
        "/api/1/registers/algorithms/{algorithm}",
        {"datasets": ["n-existe-pas"]},
    ),
    ("POST", "/api/1/registers/impact-assessments/import-pia"): (
        "/api/1/registers/impact-assessments/import-pia",
        {"processing_activity": "{activity}", "document": {"pas": "un export PIA"}},
    ),
    ("PATCH", "/api/1/registers/impact-assessments/{uid}"): (
        "/api/1/registers/impact-assessments/{assessment}",
        {"title": "Tiers"},
    ),
    ("POST", "/api/1/registers/impact-assessments/{uid}/review"): (
        "/api/1/registers/impact-assessments/{assessment}/review",
        None,
    ),
    ("POST", "/api/1/registers/impact-assessments/{uid}/publish"): (
        "/api/1/registers/impact-assessments/{assessment}/publish",
        None,
    ),
    ("POST", "/api/1/lineage/aliases"): (
        "/api/1/lineage/aliases",
        {"namespace": "n", "name": "x", "dataset": "{dataset}"},
    ),
}


def _fill(value: Any, world: dict[str, Any]) -> Any:
    if isinstance(value, str):
        return value.format(**world)
    if isinstance(value, dict):
        return {k: _fill(v, world) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, world) for v in value]
    return value


def _send(client, method: str, path: str, body: Any, **extra: Any):
    call = getattr(client, method.lower())
    if isinstance(body, bytes):
        return call(path, body, content_type="text/csv", **extra)
    if body is None:
        return call(path, **extra)
    return call(path, json.dumps(body), content_type="application/json", **extra)


def test_every_write_operation_is_in_the_table(client):
    schema = client.get("/api/1/openapi.json").json()
    writes = {
        (method.upper(), path)
        for path, ops in schema["paths"].items()
        for method in ops
        if method in ("post", "put", "patch", "delete")
    }
    assert writes - EXEMPT - set(CASES) == set(), "add the new write operation to CASES"
    assert set(CASES) - writes == set(), "CASES names an operation that no longer exists"


@pytest.mark.parametrize("operation", sorted(CASES), ids=lambda op: f"{op[0]} {op[1]}")
def test_foreign_token_gets_403_before_any_state_check(client, world, operation):
    method, _template = operation
    path, body = CASES[operation]
    response = _send(
        client,
        method,
        _fill(path, world),
        _fill(body, world),
        HTTP_AUTHORIZATION=f"Bearer {world['foreign_token']}",
    )
    assert response.status_code == 403, (response.status_code, response.content[:300])
    assert response.json()["error"]["code"] == "forbidden"


@pytest.mark.parametrize(
    ("path", "body", "code"),
    [
        (
            "/api/1/charter/memberships/{org}/transitions",
            {"to_status": "under_review", "reason": "r"},
            "illegal_transition",
        ),
        (
            "/api/1/charter/memberships/{org}/transitions",
            {"to_status": "alert_2", "reason": "r"},
            "use_dedicated_action",
        ),
    ],
)
def test_the_same_moves_reveal_state_only_to_the_allowed(
    client, world, spld_admin, org, other_org, path, body, code
):
    """Control: the requests above do hit the state check for an allowed caller."""
    foreign_admin = make_user("admin@sotraval.example", memberships=[(other_org, "org_admin")])
    client.login(username=foreign_admin.email, password=PASSWORD)
    refused = _send(client, "POST", _fill(path, world), body)
    assert refused.status_code == 403 and code not in refused.content.decode()
    client.login(username=spld_admin.email, password=PASSWORD)
    answered = _send(client, "POST", _fill(path, world), body)
    assert answered.status_code == 409 and answered.json()["error"]["code"] == code


SPACE_POSTS = {
    "apply": {"motivation": "m"},
    "answer": {"principle": "1", "practice": "p", "responsible": "r"},
    "comment": {"body": "c", "principle": "1"},
    "decision": {"outcome": "approved", "reasons": "r"},
    "transition": {"to_status": "under_review", "reason": "sonder"},
    "alert": {"principle": "1", "facts": "f", "expected_remedy": "r", "deadline": "2000-01-01"},
    "exclusion": {"decision": "d", "votes_for": "1", "votes_against": "0"},
    "evaluation": {},
}


@pytest.mark.parametrize("action", sorted(SPACE_POSTS))
@pytest.mark.parametrize("who", ["foreign_org_admin", "citizen"])
def test_charter_space_actions_check_permission_first(
    client, world, other_org, request, action, who
):
    if who == "foreign_org_admin":
        user = make_user("admin@sotraval.example", memberships=[(other_org, "org_admin")])
    else:
        user = request.getfixturevalue("citizen")
    client.force_login(user)
    response = client.post(f"/charte/espace/{world['org']}/{action}/", SPACE_POSTS[action])
    assert response.status_code == 403, response.status_code
    # The private space (assessment answers, allowed moves) is never rendered for a stranger.
    assert "registre à jour et responsable désigné" not in response.content.decode()


@pytest.mark.parametrize(
    "path",
    [
        "/charte/espace/{org}/transmettre/",
        "/charte/alertes/{alert}/repondre/",
        "/registres/usages/{usage}/mesures/",
    ],
)
def test_other_write_views_check_permission_first(client, world, citizen, path):
    client.force_login(citizen)
    # An empty form would be refused as invalid (400 or a redirect) after the permission check.
    response = client.post(_fill(path, world), {})
    assert response.status_code == 403
