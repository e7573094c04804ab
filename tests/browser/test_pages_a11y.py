"""The main pages render in a real browser and axe-core finds no serious or critical problem."""

import pytest

from tests.browser_support import serious_violations
from tests.factories import PASSWORD, make_organization, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAGES = [
    ("/", "Les données du territoire"),
    ("/organisations/", "Les organisations partenaires"),
    ("/organisations/eau-du-ponant/", "Eau du Ponant"),
    ("/compte/connexion/", "Se connecter"),
    ("/compte/inscription/", "Créer un compte"),
    ("/compte/deblocage/lien-exemple/", "Débloquer mon compte"),
    ("/transparence/", "Tout ce qui est public"),
    ("/charte/", "La charte éthique"),
    ("/en/", ""),
]


@pytest.mark.parametrize("path,heading", PAGES)
def test_page_renders_and_is_accessible(live_server, page, path, heading):
    make_organization(slug="eau-du-ponant", name="Eau du Ponant", kind="public_company")
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    response = page.goto(live_server.url + path)
    assert response.status == 200
    assert heading in page.locator("h1").inner_text()
    assert page.locator("main#contenu").count() == 1
    violations = serious_violations(page)
    assert not violations, "\n".join(violations)
    # A CSP violation or a broken script shows up as a console error.
    assert not [e for e in errors if "Content Security Policy" in e], errors


def test_sign_in_flow_with_keyboard(live_server, page):
    user = make_user("clavier@example.org")
    page.goto(live_server.url + "/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent").strip() == "Aller au contenu"
    page.goto(live_server.url + "/compte/connexion/")
    page.get_by_label("Adresse électronique").fill(user.email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_label("Mot de passe").press("Enter")
    page.wait_for_url(live_server.url + "/compte/")
    assert "Mon espace" in page.locator("h1").inner_text()


def test_language_switch(live_server, page):
    page.goto(live_server.url + "/organisations/")
    page.get_by_role("link", name="English").click()
    page.wait_for_url(live_server.url + "/en/organisations/")
    assert page.locator("html").get_attribute("lang") == "en"
