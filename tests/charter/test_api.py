"""HTTP tests of the charter API: reads, writes, permissions and the error envelope."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from spld.charter.models import Evaluation, Membership
from tests.charter.conftest import raise_alert
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db
BASE = "/api/1/charter"


def _bearer(token: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def test_public_reads(client, active):
    body = client.get(f"{BASE}/memberships").json()
    assert body["count"] == 1 and body["items"][0]["status"] == "active"
    assert set(body["items"][0]["allowed_transitions"]) == {"alert_1", "withdrawn"}
    detail = client.get(f"{BASE}/memberships/{active.organization.slug}").json()
    assert [e["action"] for e in detail["events"]] == ["applied", "review_started", "activated"]
    assert client.get(f"{BASE}/memberships?status=active").json()["count"] == 1
    bad = client.get(f"{BASE}/memberships?status=nope")
    # The statuses are an enum of the OpenAPI document: another value is a 422 naming it.
    assert bad.status_code == 422
    assert bad.json()["error"]["fields"][0]["field"] == "status"
    assert "active" in bad.json()["error"]["fields"][0]["message"]
    assert client.get(f"{BASE}/memberships/inconnue").json()["error"]["code"] == "not_found"
    indicators = client.get(f"{BASE}/indicators").json()
    assert {i["principle"] for i in indicators} >= {2, 6, 7, 8, 9, 10}


def test_apply_needs_an_org_admin(client, org, org_admin, api_token, version_one):
    payload = {"organization": org.slug, "motivation": "Pour la donnée"}
    assert client.post(f"{BASE}/memberships", payload,
                       content_type="application/json").status_code == 401
    # a token acts as an editor: not enough to commit the organisation
    r = client.post(f"{BASE}/memberships", payload, content_type="application/json",
                    **_bearer(api_token))
    assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden"
    client.login(username=org_admin.email, password=PASSWORD)
    r = client.post(f"{BASE}/memberships", payload, content_type="application/json")
    assert r.status_code == 201 and r.json()["status"] == "applied"
    r = client.post(f"{BASE}/memberships", {"organization": org.slug, "route": "contract"},
                    content_type="application/json")
    assert r.status_code == 422
    assert Membership.objects.count() == 1


def test_contract_application_errors_name_the_fields(client, org, spld_admin, version_one):
    client.login(username=spld_admin.email, password=PASSWORD)
    r = client.post(f"{BASE}/memberships", {"organization": org.slug, "route": "contract"},
                    content_type="application/json")
    assert r.status_code == 422
    fields = {f["field"] for f in r.json()["error"]["fields"]}
    assert {"contract_kind", "contract_reference", "contract_start"} <= fields
    assert not Membership.objects.exists()


def test_illegal_transition_answers_409_with_the_allowed_ones(client, spld_admin,
                                                               final_notice):
    client.login(username=spld_admin.email, password=PASSWORD)
    slug = final_notice.organization.slug
    r = client.post(f"{BASE}/memberships/{slug}/exclusion",
                    {"decision": "Exclu", "votes_for": 5, "votes_against": 1},
                    content_type="application/json")
    assert r.status_code == 201 and r.json()["votes_for"] == 5
    r = client.post(f"{BASE}/memberships/{slug}/transitions",
                    {"to_status": "active", "reason": "retour"}, content_type="application/json")
    assert r.status_code == 409
    error = r.json()["error"]
    assert error["code"] == "illegal_transition"
    assert error["fields"][0]["allowed"] == ["applied"]
    r = client.post(f"{BASE}/memberships/{slug}/transitions",
                    {"to_status": "applied", "reason": "retour"}, content_type="application/json")
    assert r.status_code == 409 and r.json()["error"]["code"] == "reapply_too_early"


def test_activation_through_the_api(client, org, spld_admin, version_one):
    client.login(username=spld_admin.email, password=PASSWORD)
    client.post(f"{BASE}/memberships", {"organization": org.slug},
                content_type="application/json")
    for n in range(1, 12):
        r = client.post(f"{BASE}/memberships/{org.slug}/assessment/answers",
                        {"principle": n, "practice": "Ce que nous faisons.",
                         "responsible": "DPO", "evidence_url": "https://example.org/preuve"},
                        content_type="application/json")
        assert r.status_code == 200
    assert client.post(f"{BASE}/memberships/{org.slug}/assessment/answers",
                       {"principle": 12, "practice": "x", "responsible": "y"},
                       content_type="application/json").status_code == 422
    r = client.post(f"{BASE}/memberships/{org.slug}/transitions",
                    {"to_status": "under_review", "reason": "go"},
                    content_type="application/json")
    assert r.status_code == 409 and r.json()["error"]["code"] == "use_dedicated_action"
    assert client.post(f"{BASE}/memberships/{org.slug}/assessment/submit").status_code == 200
    r = client.post(f"{BASE}/memberships/{org.slug}/assessment/decision",
                    {"outcome": "approved", "reasons": "Capacité démontrée."},
                    content_type="application/json")
    assert r.status_code == 200 and r.json()["status"] == "active"


def test_alerts_and_answers(client, spld_admin, active, api_token):
    client.login(username=spld_admin.email, password=PASSWORD)
    slug = active.organization.slug
    past = {"organization": slug, "principle": 6, "facts": "f", "expected_remedy": "r",
            "deadline": (timezone.localdate() - dt.timedelta(days=1)).isoformat()}
    r = client.post(f"{BASE}/alerts", past, content_type="application/json")
    assert r.status_code == 422 and r.json()["error"]["fields"][0]["field"] == "deadline"
    future = {**past, "deadline": (timezone.localdate() + dt.timedelta(days=9)).isoformat()}
    r = client.post(f"{BASE}/alerts", future, content_type="application/json")
    assert r.status_code == 201
    alert_id = r.json()["id"]
    client.logout()
    r = client.post(f"{BASE}/alerts/{alert_id}/answer", {"answer": "Corrigé"},
                    content_type="application/json", **_bearer(api_token))
    assert r.status_code == 200 and r.json()["status"] == "answered"
    assert client.get(f"{BASE}/alerts?organization={slug}").json()["count"] == 1
    r = client.post(f"{BASE}/alerts", future, content_type="application/json",
                    **_bearer(api_token))
    assert r.status_code == 403


def test_evaluation_twice_answers_409(client, active, api_token):
    year = timezone.localdate().year
    body = {"year": year, "answers": [{"principle": n, "level": "met"} for n in range(1, 12)]}
    url = f"{BASE}/memberships/{active.organization.slug}/evaluations"
    r = client.post(url, body, content_type="application/json", **_bearer(api_token))
    assert r.status_code == 201 and len(r.json()["answers"]) == 11
    r = client.post(url, body, content_type="application/json", **_bearer(api_token))
    assert r.status_code == 409 and r.json()["error"]["code"] == "duplicate"
    dup = {"year": year - 1, "answers": [{"principle": 1, "level": "met"}] * 11}
    assert client.post(url, dup, content_type="application/json",
                       **_bearer(api_token)).status_code == 422
    assert Evaluation.objects.count() == 1
    assert client.get(url).json()[0]["year"] == year


def test_indicator_history_endpoint(client, spld_admin, active):
    from spld.charter import services

    services.record_indicator_values(actor=spld_admin)
    points = client.get(f"{BASE}/memberships/{active.organization.slug}/indicators").json()
    assert {p["code"] for p in points} >= {"open_datasets", "evaluation_on_time"}


def test_escalation_visible_in_the_api(client, spld_admin, active):
    raise_alert(spld_admin, active)
    detail = client.get(f"{BASE}/memberships/{active.organization.slug}").json()
    assert detail["status"] == "alert_1"
    assert set(detail["allowed_transitions"]) == {"alert_2", "active", "withdrawn"}


def test_openapi_lists_the_charter_endpoints(client):
    schema = client.get("/api/1/openapi.json").json()
    assert "/api/1/charter/memberships/{slug}/transitions" in schema["paths"]


HOSTILE = ["", "<script>", "a" * 6000, "' OR 1=1 --", "😀", "2024-02-30", "-1", None, [], {}]


def test_hostile_bodies_never_give_a_500(client, spld_admin, active):
    client.login(username=spld_admin.email, password=PASSWORD)
    slug = active.organization.slug
    endpoints = {
        f"{BASE}/memberships": ["organization", "route", "contract_start", "contracting_authority"],
        f"{BASE}/memberships/{slug}/transitions": ["to_status", "reason"],
        f"{BASE}/memberships/{slug}/assessment/answers": ["principle", "practice"],
        f"{BASE}/memberships/{slug}/assessment/decision": ["outcome", "reasons"],
        f"{BASE}/alerts": ["organization", "principle", "deadline"],
        f"{BASE}/memberships/{slug}/exclusion": ["votes_for", "decided_on"],
        f"{BASE}/memberships/{slug}/evaluations": ["year", "answers"],
        f"{BASE}/alerts/999999/answer": ["answer"],
    }
    for url, fields in endpoints.items():
        for field in fields:
            for value in HOSTILE:
                r = client.post(url, {field: value}, content_type="application/json")
                assert r.status_code < 500, (url, field, value, r.content[:200])
                assert "error" in r.json(), (url, field, value)
        r = client.post(url, "not json", content_type="application/json")
        assert 400 <= r.status_code < 500
