"""Public pages: French by default, English under /en/, localized errors, security headers."""

import pytest
from django.test import Client

from tests.factories import make_organization

PAGES = [
    "/",
    "/transparence/",
    "/charte/",
    "/organisations/",
    "/accessibilite/",
    "/mentions-legales/",
    "/compte/connexion/",
    "/compte/inscription/",
]


@pytest.mark.django_db
@pytest.mark.parametrize("path", PAGES)
def test_public_pages_render_in_french_and_english(client, path):
    fr = client.get(path)
    assert fr.status_code == 200
    assert fr["Content-Language"] == "fr"
    assert '<html lang="fr">' in fr.content.decode()
    en = client.get("/en" + path)
    assert en.status_code == 200
    assert '<html lang="en">' in en.content.decode()


@pytest.mark.django_db
def test_home_presents_the_service(client):
    make_organization(slug="eau-du-ponant", name="Eau du Ponant", kind="public_company")
    html = client.get("/").content.decode()
    assert "Service public local de la donnée" in html
    assert html.count("<li><strong>") == 11  # the 11 principles
    assert "Eau du Ponant" in html
    assert "bientôt" in html or "Catalogue des données" in html
    assert 'href="#contenu"' in html  # skip link
    assert "Se connecter" in html


@pytest.mark.django_db
def test_security_headers_on_every_response(client):
    for path in ["/", "/nope-404/", "/api/1/organizations", "/api/1/nope"]:
        response = client.get(path)
        csp = response["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp
        assert "frame-ancestors 'none'" in csp
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["X-Frame-Options"] == "DENY"
        assert response["Referrer-Policy"] == "same-origin"
        assert "camera=()" in response["Permissions-Policy"]


@pytest.mark.django_db
def test_no_inline_script_in_pages(client):
    html = client.get("/").content.decode()
    assert "<script>" not in html and "onclick" not in html and 'style="' not in html


@pytest.mark.django_db
def test_unknown_page_is_a_localized_404(client):
    fr = client.get("/cette-page-n-existe-pas/")
    assert fr.status_code == 404
    assert "Page introuvable" in fr.content.decode()
    en = client.get("/en/this-page-does-not-exist/")
    assert en.status_code == 404
    assert "Page not found" in en.content.decode()


@pytest.mark.django_db
def test_unknown_api_route_is_json_404(client):
    response = client.get("/api/1/this/does/not/exist")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


@pytest.mark.django_db
def test_csrf_failure_is_a_403_page():
    client = Client(enforce_csrf_checks=True)
    response = client.post("/compte/connexion/", {"email": "a@b.fr", "password": "x"})
    assert response.status_code == 403
    assert "Formulaire expiré" in response.content.decode()


@pytest.mark.django_db
def test_forbidden_page_is_localized(client, citizen):
    client.force_login(citizen)
    response = client.get("/organisations/nouvelle/")
    assert response.status_code == 403
    assert "Accès refusé" in response.content.decode()


def test_server_error_page_is_plain_and_localized(rf):
    from spld.core.views import server_error

    html = server_error(rf.get("/")).content.decode()
    assert "Une erreur est survenue" in html and "Something went wrong" in html
    api = server_error(rf.get("/api/1/organizations"))
    assert api.status_code == 500 and b'"server_error"' in api.content


@pytest.mark.django_db
def test_nul_bytes_are_a_clear_400(client):
    api = client.get("/api/1/organizations/a%00b")
    assert api.status_code == 400 and api.json()["error"]["code"] == "bad_request"
    page = client.get("/organisations/", {"q": "a\x00b"})
    assert page.status_code == 400 and "Requête invalide" in page.content.decode()


@pytest.mark.django_db
def test_hub_counts_every_register(org, spld_admin):
    from spld.organizations.services import update_organization
    from spld.portal.selectors import transparency_hub

    update_organization(actor=spld_admin, organization=org, description="Eau potable")
    hub = {str(e.title): e for e in transparency_hub()}
    assert hub["Organisations partenaires"].count == 1
    assert hub["Journal de transparence"].count == 1
    assert hub["Catalogue des données"].count == 0
    assert hub["Signataires de la charte"].count == 0
    assert all(e.url for e in hub.values())
