"""Each role reaches its main tasks in two clicks from « Mon espace »; links match rights."""

import logging
import re
from collections import deque
from urllib.parse import urldefrag, urlsplit

import pytest

from tests.catalog.helpers import WATER_CSV, make_dataset, make_resource
from tests.factories import make_user

pytestmark = pytest.mark.django_db

HREF = re.compile(r'<a\s[^>]*href="([^"]+)"')
# Not pages: downloads, machine formats, another language, the admin (Django's own pages).
SKIP = re.compile(r"^/(api/|en/|static/|admin/)|\.(csv|pdf|jws|ttl|jsonld|rdf|json)$|/data/")


def _links(client, path):
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    html = response.content.decode()
    main = html[html.find("<main"):html.find("</main>")] if "<main" in html else html
    out = []
    for href in HREF.findall(main):
        href = urldefrag(href.replace("&amp;", "&"))[0]
        if href.startswith("/"):
            out.append(href)
    return out


def _within_two_clicks(client, start="/compte/"):
    """Every address reachable from `start` in one or two clicks, by following its links."""
    first = _links(client, start)
    reached = set(first)
    for href in first:
        if not SKIP.search(urlsplit(href).path):
            reached.update(_links(client, href))
    return reached


def _role_users(org):
    return {
        "citizen": make_user("habitant2@example.org"),
        "editor": make_user("ed@example.org", memberships=[(org, "editor")]),
        "dpo": make_user("dpo2@example.org", memberships=[(org, "dpo")]),
        "org_admin": make_user("adm@example.org", memberships=[(org, "org_admin")]),
        "committee": make_user("comite2@example.org", committee=True),
        "spld_admin": make_user("equipe@spld.example", superuser=True),
    }


def _tasks(slug, dataset=None, resource=None):
    update = ([f"/donnees/{dataset.slug}/ressources/{resource.rid}/nouvelle-version/",
               f"/donnees/{dataset.slug}/ressources/ajouter/", dataset.get_absolute_url()]
              if resource else [])
    return {
        "citizen": ["/compte/donnees/", "/compte/donnees/demandes/nouvelle/",
                    "/registres/qui-detient-mes-donnees/", "/mes-taches/"],
        "editor": [f"/donnees/nouveau/?organisation={slug}", "/registres/gerer/",
                   "/registres/gerer/traitement/nouveau/", f"/organisations/{slug}/",
                   "/mes-taches/", *update],
        "dpo": [f"/droits/organisations/{slug}/", "/registres/gerer/",
                f"/charte/espace/{slug}/"],
        "org_admin": [f"/compte/organisations/{slug}/membres/",
                      f"/compte/organisations/{slug}/jetons/", f"/organisations/{slug}/modifier/",
                      f"/charte/espace/{slug}/", f"/donnees/nouveau/?organisation={slug}"],
        "committee": ["/charte/comite/", "/charte/rapports/", "/charte/signataires/"],
        "spld_admin": ["/admin/", "/organisations/nouvelle/", "/charte/alertes/",
                       "/droits/retards/", "/charte/rapports/"],
    }


@pytest.mark.parametrize("role", ["citizen", "editor", "dpo", "org_admin", "committee",
                                  "spld_admin"])
def test_each_role_reaches_its_main_tasks_in_two_clicks(client, org, role):
    from django.urls import reverse

    users = _role_users(org)
    dataset = make_dataset(users["editor"], org)
    resource = make_resource(users["editor"], dataset, WATER_CSV)
    client.force_login(users[role])
    reached = _within_two_clicks(client)
    tasks = _tasks(org.slug, dataset, resource)[role]
    assert reverse("organizations:create") in tasks or role != "spld_admin"
    missing = [t for t in tasks if t not in reached]
    assert not missing, f"{role}: not within two clicks of « Mon espace »: {missing}"
    for task in tasks:
        assert client.get(task).status_code == 200, (role, task)


def test_my_organisations_actions_follow_the_role(client, org):
    users = _role_users(org)
    client.force_login(users["editor"])
    html = client.get("/compte/").content.decode()
    row = html[html.index('class="my-organisations"'):html.index("Mes tâches</h2>")]
    assert "Publier un jeu de données" in row and "Gérer les registres" in row
    assert "Membres et rôles" not in row and "Jetons d’API" not in row
    client.force_login(users["org_admin"])
    row = client.get("/compte/").content.decode()
    assert "Membres et rôles" in row and "Jetons d’API" in row and "Espace charte" in row


def test_organisation_page_gives_entry_points_to_its_members_only(client, org, other_org):
    users = _role_users(org)
    page = f"/organisations/{org.slug}/"
    client.force_login(users["editor"])
    html = client.get(page).content.decode()
    assert "Agir pour l’organisation" in html
    assert f'href="/donnees/nouveau/?organisation={org.slug}"' in html
    assert 'href="/registres/gerer/"' in html
    assert "Agir pour l’organisation" not in client.get(
        f"/organisations/{other_org.slug}/").content.decode()
    client.force_login(users["citizen"])
    assert "Agir pour l’organisation" not in client.get(page).content.decode()
    # The committee reviews membership files: that entry point only.
    client.force_login(users["committee"])
    html = client.get(page).content.decode()
    assert f'href="/charte/espace/{org.slug}/"' in html
    assert "Publier un jeu de données" not in html and "/registres/gerer/" not in html
    client.logout()
    assert "Agir pour l’organisation" not in client.get(page).content.decode()


def _crawl(client, starts, limit=250):
    """Follow every internal link (GET) from `starts`; the statuses met, by address."""
    seen: dict[str, int] = {}
    queue = deque(starts)
    while queue and len(seen) < limit:
        path = queue.popleft()
        if path in seen or SKIP.search(urlsplit(path).path):
            continue
        response = client.get(path)
        seen[path] = response.status_code
        if response.status_code == 200 and "text/html" in response.get("Content-Type", ""):
            html = response.content.decode()
            for href in HREF.findall(html):
                href = urldefrag(href.replace("&amp;", "&"))[0]
                if href.startswith("/") and href not in seen:
                    queue.append(href)
    return seen


@pytest.mark.parametrize("who", ["anonymous", "citizen", "committee", "editor", "dpo", "org_admin"])
def test_no_link_leads_to_a_refusal(client, org, other_org, who):
    from spld.registers import services as registers
    from tests.registers.conftest import processing_fields

    users = _role_users(org)
    dataset = make_dataset(users["editor"], org)
    make_resource(users["editor"], dataset, WATER_CSV)
    registers.create_processing_activity(actor=users["editor"], organization=org,
                                         **processing_fields())
    if who != "anonymous":
        client.force_login(users[who])
    starts = ["/", "/registres/", "/organisations/", f"/organisations/{org.slug}/",
              dataset.get_absolute_url(), "/charte/", "/transparence/"]
    if who != "anonymous":
        starts.append("/compte/")
    seen = _crawl(client, starts)
    refused = {p: s for p, s in seen.items() if s in (401, 403)}
    assert len(seen) > 30 and not refused, refused
    manage_link = "/registres/gerer/" in seen
    assert manage_link == (who in ("editor", "dpo", "org_admin")), who


def test_expected_refusals_are_logged_without_a_traceback(client, org, caplog):
    client.force_login(make_user("curieux@example.org"))
    with caplog.at_level(logging.WARNING, logger="django.request"):
        assert client.get("/registres/gerer/").status_code == 403
        assert client.get(f"/compte/organisations/{org.slug}/jetons/").status_code == 403
    refusals = [r for r in caplog.records if r.name == "django.request"]
    assert len(refusals) == 2 and all("Forbidden" in r.getMessage() for r in refusals)
    assert not [r for r in refusals if r.exc_info or r.exc_text]
