"""Organisations: API, pages, SIREN validation, permissions on edits, logged changes."""

import json

import pytest
from django.core.exceptions import ValidationError

from spld.ledger.models import LogEntry
from spld.organizations import services
from spld.organizations.models import Organization
from tests.factories import make_organization


@pytest.mark.django_db
def test_api_list_is_paginated_with_required_fields(client):
    for i in range(55):
        make_organization(slug=f"org-{i:02d}")
    first = client.get("/api/1/organizations").json()
    assert first["count"] == 55 and len(first["items"]) == 50
    assert {"slug", "name", "siren", "kind"} <= set(first["items"][0])
    second = client.get("/api/1/organizations?page=2").json()
    assert len(second["items"]) == 5


@pytest.mark.django_db
def test_api_detail_and_404(client, org):
    assert client.get(f"/api/1/organizations/{org.slug}").json()["name"] == org.name
    missing = client.get("/api/1/organizations/inconnue")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"


@pytest.mark.django_db
def test_pages_list_and_detail(client, org):
    assert org.name in client.get("/organisations/").content.decode()
    html = client.get(f"/organisations/{org.slug}/").content.decode()
    assert org.siren in html and "<h1>Eau du Ponant</h1>" in html


@pytest.mark.django_db
def test_bad_siren_checksum_is_a_form_error(client, spld_admin):
    client.force_login(spld_admin)
    response = client.post(
        "/organisations/nouvelle/",
        {
            "name": "Test",
            "siren": "123456788",
            "kind": "association",
            "territory_codes": "29019",
        },
    )
    assert response.status_code == 400
    assert "clé de contrôle" in response.content.decode()
    assert not Organization.objects.filter(name="Test").exists()


@pytest.mark.django_db
def test_admin_creates_an_organisation_and_it_is_logged(client, spld_admin):
    client.force_login(spld_admin)
    response = client.post(
        "/organisations/nouvelle/",
        {
            "name": "Maison de quartier",
            "siren": "732829320",
            "kind": "association",
            "territory_codes": "29019, 29075",
        },
    )
    assert response.status_code == 302
    created = Organization.objects.get(siren="732829320")
    assert created.territory == ["29019", "29075"]
    entry = LogEntry.objects.get(subject_type="organization", subject_id=created.slug)
    assert entry.action == "created"


@pytest.mark.django_db
def test_bad_insee_code_is_refused(spld_admin):
    with pytest.raises(ValidationError):
        services.create_organization(
            actor=spld_admin, name="X", siren="732829320", kind="association", territory=["99"]
        )
    assert not Organization.objects.exists() and not LogEntry.objects.exists()


def _patch(client, slug, body, **headers):
    return client.patch(
        f"/api/1/organizations/{slug}",
        data=json.dumps(body) if not isinstance(body, str) else body,
        content_type="application/json",
        **headers,
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    "who,status",
    [
        ("citizen", 403),
        ("editor", 403),
        ("dpo", 403),
        ("org_admin", 200),
        ("spld_admin", 200),
        ("committee_member", 403),
    ],
)
def test_api_update_permission_matrix(client, org, request, who, status):
    client.force_login(request.getfixturevalue(who))
    response = _patch(client, org.slug, {"description": "Nouvelle présentation"})
    assert response.status_code == status, response.content
    org.refresh_from_db()
    assert (org.description == "Nouvelle présentation") is (status == 200)
    assert LogEntry.objects.filter(action="updated").count() == (1 if status == 200 else 0)


@pytest.mark.django_db
def test_api_update_anonymous_is_401_and_token_is_403(client, org, api_token):
    assert _patch(client, org.slug, {"description": "x"}).status_code == 401
    response = _patch(
        client, org.slug, {"description": "x"}, HTTP_AUTHORIZATION=f"Bearer {api_token}"
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"


@pytest.mark.django_db
def test_api_malformed_json_and_wrong_types_are_422(client, org, spld_admin):
    client.force_login(spld_admin)
    broken = _patch(client, org.slug, "{not json")
    assert broken.status_code == 400
    assert "error" in broken.json()
    wrong = _patch(client, org.slug, {"territory": "29019", "website": "not a url"})
    assert wrong.status_code == 422
    body = wrong.json()["error"]
    assert body["code"] == "validation_error"
    assert {f["field"] for f in body["fields"]} == {"territory", "website"}
    invalid_code = _patch(client, org.slug, {"territory": ["9"]})
    assert invalid_code.status_code == 422
    assert invalid_code.json()["error"]["fields"][0]["field"] == "territory"


@pytest.mark.django_db
def test_org_admin_cannot_change_the_siren(org, org_admin):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.update_organization(actor=org_admin, organization=org, siren="732829320")


@pytest.mark.django_db
def test_html_is_escaped(client, spld_admin):
    org = services.create_organization(
        actor=spld_admin,
        name="<script>alert(1)</script>",
        slug="hostile",
        siren="732829320",
        kind="association",
    )
    html = client.get(f"/organisations/{org.slug}/").content.decode()
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html


@pytest.mark.django_db
def test_detail_page_links_the_registers_and_the_charter(client, org):
    html = client.get(f"/organisations/{org.slug}/").content.decode()
    assert f"/registres/organisations/{org.slug}/partages/" in html
    assert "n’a pas demandé à signer la charte" in html
    assert "Aucun jeu de données publié" in html
