"""Every public page of the demo and the citizen's space fit a 320 px phone screen (and the
dataset pages a 1280 px one) without sideways scrolling, with every disclosure opened."""

import pytest
from django.test import Client

from spld.catalog import demo as catalog_demo
from spld.demo.services import load_demo
from spld.demo.territory import DEMO_PASSWORD
from tests.demo.crawl import CITIZEN, crawl

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The widest elements, to say what overflows when something does.
WIDEST = """() => {
  const w = document.documentElement.clientWidth;
  return [...document.querySelectorAll('body *')]
    .filter(e => e.getBoundingClientRect().right > w + 1)
    .slice(-3).map(e => e.tagName.toLowerCase() + (e.className ? '.' + e.className : '')
      + ' ' + Math.round(e.getBoundingClientRect().right) + 'px');
}"""


def _overflows(page, base: str, paths: list[str], width: int) -> list[str]:
    problems = []
    for path in paths:
        response = page.goto(base + path)
        assert response.status == 200, path
        # The API examples, column profiles and charts open: they must fit too.
        page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
        scroll = page.evaluate("document.scrollingElement.scrollWidth")
        if scroll > width:
            problems.append(f"{path}: {scroll} px > {width} px {page.evaluate(WIDEST)}")
    return problems


def test_pages_fit_a_phone_screen(live_server, browser, monkeypatch):
    monkeypatch.setattr(catalog_demo, "BIG_ROWS", 2000)
    load_demo()
    public = list(crawl(Client(), ["/", "/en/"], per_group=1))
    citizen_client = Client()
    citizen_client.post("/compte/connexion/", {"email": CITIZEN, "password": DEMO_PASSWORD})
    space = [p for p in crawl(citizen_client, ["/compte/", "/compte/donnees/",
                                               "/en/compte/donnees/"], per_group=1)
             if p.startswith(("/compte/", "/en/compte/", "/mes-taches/"))]
    datasets = [p for p in public if p.startswith("/donnees/") and p != "/donnees/"]
    assert len(public) > 40 and space and datasets, (public, space)

    problems = []
    for width in (320, 1280):
        context = browser.new_context(viewport={"width": width, "height": 800}, locale="fr-FR")
        page = context.new_page()
        problems += _overflows(page, live_server.url, public if width == 320 else datasets,
                               width)
        page.goto(live_server.url + "/compte/connexion/")
        page.get_by_label("Adresse électronique").fill(CITIZEN)
        page.get_by_label("Mot de passe").fill(DEMO_PASSWORD)
        page.get_by_label("Mot de passe").press("Enter")
        page.wait_for_url(live_server.url + "/compte/")
        if width == 320:
            problems += _overflows(page, live_server.url, space, width)
        context.close()
    assert not problems, "\n".join(problems)


def test_dataset_fingerprint_is_whole_and_copies(live_server, browser, org, spld_admin):
    from tests.catalog.helpers import WATER_CSV, make_dataset, make_resource

    dataset = make_dataset(spld_admin, org)
    version = make_resource(spld_admin, dataset, WATER_CSV).current_version
    context = browser.new_context(locale="fr-FR", viewport={"width": 320, "height": 800})
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page = context.new_page()
    page.goto(f"{live_server.url}/donnees/{dataset.slug}/")
    assert page.locator(f"#sha256-{version.pk}").inner_text() == version.sha256
    page.get_by_role("button", name="Copier l’empreinte").click()
    page.get_by_role("status").filter(has_text="Empreinte copiée.").wait_for()
    assert page.evaluate("navigator.clipboard.readText()") == version.sha256
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 320
    context.close()
