"""An editor's pages (space, tasks, new version, dataset) fit a 320 px screen."""

import pytest
from django.core.management import call_command

from spld.catalog import services, tasks
from tests.browser_support import serious_violations
from tests.catalog.helpers import WATER_CSV, make_dataset, make_resource
from tests.factories import PASSWORD, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_editor_pages_do_not_overflow_at_320_px(live_server, page, org):
    user = make_user("editrice-mobile@example.org",
                     memberships=[(org, "org_admin"), (org, "editor")])
    dataset = make_dataset(user, org, title="Consommation d’eau potable par commune")
    resource = make_resource(user, dataset, WATER_CSV, title="Relevés des compteurs 2023")
    make_resource(user, dataset, WATER_CSV + b"29024;Gouesnou;2023;1;31/12/2023\n",
                  title="Relevés 2024")
    staged = services.receive_upload(actor=user, resource=resource,
                                     chunks=[b"a;b\n1;2;3\n"], filename="casse.csv")
    tasks.start_ingest(actor=user, resource=resource, staged=staged, filename="casse.csv")
    call_command("db_worker", batch=True, reload=False)
    base = live_server.url
    page.goto(f"{base}/compte/connexion/")
    page.get_by_label("Adresse électronique").fill(user.email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.locator("main").get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"{base}/compte/**")
    page.set_viewport_size({"width": 320, "height": 800})
    wide: dict[str, int] = {}
    problems: list[str] = []
    for path in ["/compte/", "/mes-taches/", f"/organisations/{org.slug}/",
                 f"/donnees/{dataset.slug}/ressources/{resource.rid}/nouvelle-version/"]:
        assert page.goto(base + path).status == 200, path
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 320:
            wide[path] = width
        problems += serious_violations(page, f"{path}: ")
    assert not wide, wide
    assert not problems, problems
    page.goto(base + "/compte/")
    # Both roles in one organisation: one block, both roles named.
    assert page.locator("section.my-organisation").count() == 1
    roles = page.locator("section.my-organisation p").first.inner_text()
    assert "administrateur" in roles and "éditeur" in roles
