"""Browser end-to-end tests (headless Chromium) for the three flows of issue 7."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
import requests

from tests.browser_support import serious_violations
from tests.factories import PASSWORD, make_user
from tests.rights.conftest import make_activity

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

def assert_accessible(page) -> None:
    """No serious or critical axe-core violation on the page."""
    serious = serious_violations(page)
    assert not serious, serious


def sign_in(browser, base: str, email: str):
    context = browser.new_context(accept_downloads=True)
    page = context.new_page()
    page.goto(f"{base}/compte/connexion/")
    page.get_by_label("Adresse électronique").fill(email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.locator("main").get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"{base}/compte/**")
    return page


def test_consent_via_api_withdrawn_in_one_click_with_verified_receipt(
        browser, live_server, api_token, citizen, org):
    from spld.ledger.models import LogEntry
    from spld.rights import jws

    base = live_server.url
    body = {
        "subject_email": citizen.email, "purpose": "Lettre d’information sur l’eau",
        "processing_activity": {"ref": make_activity(org), "name": "Information des abonnés"},
        "notice": {"version": "2026-1", "text": "Nous vous écrivons une fois par mois."},
        "data_categories": ["dpv-pd:EmailAddress"], "retention": "Jusqu’au retrait",
    }
    created = requests.post(f"{base}/api/1/consents", json=body, timeout=10,
                            headers={"Authorization": f"Bearer {api_token}"})
    assert created.status_code == 201, created.text

    page = sign_in(browser, base, citizen.email)
    page.goto(f"{base}/compte/donnees/")
    assert_accessible(page)
    withdraw = page.get_by_role("button", name="Retirer mon consentement à Eau du Ponant")
    withdraw.click()  # one click, no confirmation step
    page.wait_for_url(f"{base}/compte/donnees/recus/**")
    # Plain French first; the signed token is folded below, one click away.
    assert "Vous avez retiré votre consentement." in page.locator("main").inner_text()
    assert not page.locator("#receipt-jws").is_visible()
    assert_accessible(page)
    page.get_by_text("Reçu signé (JWS, EdDSA)").click()
    token = page.locator("#receipt-jws").inner_text().strip()
    # Opened, the JSON and the token wrap on a phone instead of widening the page.
    page.get_by_text("Contenu du reçu (JSON)").click()
    page.set_viewport_size({"width": 320, "height": 640})
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    page.set_viewport_size({"width": 1280, "height": 800})

    keyset = requests.get(f"{base}/.well-known/jwks.json", timeout=10).json()
    claims = jws.verify(token, keyset)
    assert claims["record"]["event"]["kind"] == "withdrawn"
    entry = LogEntry.objects.get(index=claims["log"]["index"])
    assert json.loads(bytes(entry.leaf))["id"] == claims["jti"]

    page.goto(f"{base}/droits/verifier-un-recu/")
    page.get_by_label("ou collez le reçu").fill(token)
    page.get_by_role("button", name="Vérifier").click()
    assert "Reçu authentique" in page.locator("#verify-result").inner_text()
    assert_accessible(page)
    tampered = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    page.get_by_label("ou collez le reçu").fill(tampered)
    page.get_by_role("button", name="Vérifier").click()
    assert "Reçu non vérifié" in page.locator("#verify-result").inner_text()


def test_access_request_routed_to_two_organisations_answered_and_downloaded(
        browser, live_server, citizen, org, other_org, tmp_path):
    base = live_server.url
    make_user("dpo@eau.example", memberships=[(org, "dpo")])
    make_user("dpo@sotraval.example", memberships=[(other_org, "dpo")])

    page = sign_in(browser, base, citizen.email)
    page.goto(f"{base}/compte/donnees/demandes/nouvelle/")
    page.get_by_label("Quel droit voulez-vous exercer ?").select_option("access")
    page.get_by_role("button", name="Voir les organisations concernées").click()
    page.get_by_label("Eau du Ponant").check()
    page.get_by_label("Sotraval").check()
    page.get_by_label("Précisions (facultatif)").fill("Abonné 778899")
    page.get_by_role("button", name="Envoyer ma demande").click()
    page.wait_for_url(f"{base}/compte/donnees/demandes/**")
    request_url = page.url

    for email, slug, filename, content in (
            ("dpo@eau.example", org.slug, "eau.json", b'[{"contrat": "778899"}]'),
            ("dpo@sotraval.example", other_org.slug, "dechets.csv",
             b"date;site\n2026-01-03;Spernot\n")):
        staff = sign_in(browser, base, email)
        staff.goto(f"{base}/droits/organisations/{slug}/")
        staff.get_by_role("link", name="accès", exact=True).click()
        staff.get_by_label("Réponse à la personne").fill("Voici vos données.")
        data = tmp_path / filename
        data.write_bytes(content)
        staff.get_by_label("Données (accès, portabilité) : JSON ou CSV").set_input_files(
            str(data))
        staff.get_by_role("button", name="Enregistrer la réponse").click()
        assert staff.locator("#part-status").inner_text() == "traitée"

    page.goto(request_url)
    with page.expect_download() as download_info:
        page.locator("#package-link").click()
    archive = zipfile.ZipFile(io.BytesIO(Path(download_info.value.path()).read_bytes()))
    names = set(archive.namelist())
    assert {f"{org.slug}/donnees.json", f"{other_org.slug}/donnees.csv", "LISEZ-MOI.txt"} <= names
    assert "778899" in archive.read(f"{org.slug}/donnees.json").decode()


def test_erasure_destroys_the_key_and_issues_a_receipt(browser, live_server, citizen, org):
    from spld.rights import jws, services, vault
    from spld.rights.models import CitizenVault, RightsRequest

    services.file_request(actor=citizen, kind="rectification", details="Nouvelle adresse",
                          organizations=[org])
    sealed = bytes(RightsRequest.objects.get().details_sealed)
    base = live_server.url
    page = sign_in(browser, base, citizen.email)
    page.goto(f"{base}/compte/donnees/")
    page.get_by_role("link", name="Effacer tout ce que SPLD conserve sur moi").click()
    page.get_by_role("button", name="Effacer définitivement mes données").click()
    page.wait_for_url(f"{base}/compte/donnees/recus/**")
    assert "la clé qui les chiffrait a été détruite" in page.locator("main").inner_text()
    page.get_by_text("Reçu signé (JWS, EdDSA)").click()
    claims = jws.verify(page.locator("#receipt-jws").inner_text().strip())
    assert claims["erasure"]["deleted"]["rights_requests"] == 1
    assert not CitizenVault.objects.filter(user=citizen).exists()
    with pytest.raises(vault.Unreadable):
        vault.open_text(sealed, context="request.details")


def test_holders_reached_from_the_space_and_filtered_by_commune(browser, live_server, citizen,
                                                                  org, other_org):
    from spld.rights import services

    make_activity(org, name="Abonnements à l’eau")
    bohars = make_organization_with_activity("commune-de-bohars", "Commune de Bohars", "29011")
    services.file_request(actor=citizen, kind="access", details="Abonné", organizations=[org],
                          commune="29019")
    base = live_server.url
    page = sign_in(browser, base, citizen.email)
    page.goto(f"{base}/compte/donnees/")
    page.get_by_role("link", name="Qui détient mes données ?").click()
    page.wait_for_url(f"{base}/compte/donnees/qui-detient-mes-donnees/")
    main = page.locator("main")
    assert "Eau du Ponant" in main.inner_text()
    assert "Abonnements à l’eau" in main.inner_text()
    assert bohars.name not in main.inner_text()
    assert_accessible(page)
    page.get_by_label("Votre commune").select_option(label="Bohars")
    page.get_by_role("button", name="Afficher").click()
    page.wait_for_url("**commune=29011")
    assert bohars.name in page.locator("main").inner_text()


def make_organization_with_activity(slug: str, name: str, commune: str):
    from tests.factories import make_organization

    organization = make_organization(slug, name=name, territory=[commune])
    make_activity(organization, name="État civil", subjects=("habitants",))
    return organization
