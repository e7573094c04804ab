"""Organisation API tokens: created once, stored hashed, revocable; bearer auth on the API."""

import hashlib
from io import StringIO

import pytest
from django.core.management import call_command

from spld.accounts.models import ApiToken


@pytest.mark.django_db
def test_token_authenticates_as_its_organisation(client, org, api_token):
    response = client.get("/api/1/whoami", HTTP_AUTHORIZATION=f"Bearer {api_token}")
    assert response.status_code == 200
    assert response.json()["organization"] == org.slug


@pytest.mark.django_db
def test_token_is_stored_hashed(org, api_token):
    stored = ApiToken.objects.get(organization=org)
    assert api_token not in (stored.digest, stored.prefix)
    assert stored.digest == hashlib.sha256(api_token.encode()).hexdigest()


@pytest.mark.django_db
@pytest.mark.parametrize("header", ["", "Bearer spld_nope_nope", "Bearer ", "Basic abc"])
def test_missing_or_unknown_token_is_401(client, header):
    extra = {"HTTP_AUTHORIZATION": header} if header else {}
    response = client.get("/api/1/whoami", **extra)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"


@pytest.mark.django_db
def test_revoked_token_is_401(client, org, api_token, spld_admin):
    from spld.accounts.services import revoke_api_token

    revoke_api_token(actor=spld_admin, token=ApiToken.objects.get(organization=org))
    response = client.get("/api/1/whoami", HTTP_AUTHORIZATION=f"Bearer {api_token}")
    assert response.status_code == 401


@pytest.mark.django_db
def test_cli_creates_and_revokes_a_token(client, org, spld_admin):
    out = StringIO()
    call_command(
        "token", "create", "--org", org.slug, "--name", "pipeline", stdout=out, stderr=StringIO()
    )
    clear = out.getvalue().strip()
    assert clear.startswith("spld_")
    assert client.get("/api/1/whoami", HTTP_AUTHORIZATION=f"Bearer {clear}").status_code == 200
    prefix = clear.split("_")[1]
    call_command("token", "revoke", prefix, stdout=StringIO())
    assert client.get("/api/1/whoami", HTTP_AUTHORIZATION=f"Bearer {clear}").status_code == 401


@pytest.mark.django_db
def test_org_admin_creates_a_token_in_the_ui_and_sees_it_once(client, org, org_admin):
    client.force_login(org_admin)
    response = client.post(f"/compte/organisations/{org.slug}/jetons/", {"name": "ETL eau"})
    html = response.content.decode()
    assert response.status_code == 200 and "affiché une seule fois" in html
    token = ApiToken.objects.get(name="ETL eau")
    assert html.count("spld_") >= 1
    again = client.get(f"/compte/organisations/{org.slug}/jetons/").content.decode()
    assert "ETL eau" in again and token.digest not in again
    client.post(f"/compte/organisations/{org.slug}/jetons/{token.pk}/revoquer/")
    token.refresh_from_db()
    assert token.revoked_at is not None


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["citizen", "editor", "dpo"])
def test_others_cannot_manage_tokens(client, org, request, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(f"/compte/organisations/{org.slug}/jetons/").status_code == 403
    assert (
        client.post(f"/compte/organisations/{org.slug}/jetons/", {"name": "x"}).status_code == 403
    )
    assert not ApiToken.objects.exists()


@pytest.mark.django_db
def test_org_admin_gives_and_withdraws_roles(client, org, org_admin, citizen):
    client.force_login(org_admin)
    response = client.post(
        f"/compte/organisations/{org.slug}/membres/",
        {"email": citizen.email.upper(), "role": "editor"},
    )
    assert response.status_code == 302
    membership = citizen.memberships.get()
    assert membership.role == "editor" and membership.organization == org
    unknown = client.post(
        f"/compte/organisations/{org.slug}/membres/",
        {"email": "personne@example.org", "role": "editor"},
    )
    assert unknown.status_code == 400 and "Aucun compte" in unknown.content.decode()
    client.post(f"/compte/organisations/{org.slug}/membres/{membership.pk}/retirer/")
    assert not citizen.memberships.exists()


@pytest.mark.django_db
def test_last_org_admin_cannot_be_removed(org, org_admin):
    from django.core.exceptions import ValidationError

    from spld.accounts.services import remove_membership

    with pytest.raises(ValidationError):
        remove_membership(actor=org_admin, membership=org_admin.memberships.get())


@pytest.mark.django_db
def test_editor_cannot_manage_members(client, org, editor, citizen):
    client.force_login(editor)
    response = client.post(
        f"/compte/organisations/{org.slug}/membres/", {"email": citizen.email, "role": "org_admin"}
    )
    assert response.status_code == 403 and not citizen.memberships.exists()
