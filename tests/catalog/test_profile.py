"""The dataset page stays light: the column charts live on a resource profile page."""

import pytest

from tests.catalog.helpers import WATER_CSV, make_dataset, make_resource

pytestmark = pytest.mark.django_db


def _wide_csv(columns: int = 12, rows: int = 300) -> bytes:
    header = ";".join(f"c{j}" for j in range(columns))
    lines = [";".join(f"v{(i * (j + 1)) % 17}" for j in range(columns)) for i in range(rows)]
    return (header + "\n" + "\n".join(lines) + "\n").encode()


def test_charts_are_on_the_profile_page_not_the_dataset_page(client, editor, org):
    dataset = make_dataset(editor, org, title="Large")
    resource = make_resource(editor, dataset, _wide_csv())
    page = client.get(f"/donnees/{dataset.slug}/").content.decode()
    profile_url = f"/donnees/{dataset.slug}/ressources/{resource.rid}/profil/"
    assert "<svg" not in page and profile_url in page
    assert "Voir les 12 graphiques" in page
    assert len(page.encode()) < 40_000, len(page.encode())  # 12 inline charts weighed ~150 KB
    profile = client.get(profile_url)
    assert profile.status_code == 200
    html = profile.content.decode()
    assert html.count("<svg") == 12 and html.count('class="chart-data"') == 12
    assert "Valeurs les plus fréquentes de « c0 »" in html


def test_profile_page_follows_the_dataset_access_rules(client, editor, org):
    dataset = make_dataset(editor, org, access_level="restricted", licence="shared")
    resource = make_resource(editor, dataset, WATER_CSV)
    url = f"/donnees/{dataset.slug}/ressources/{resource.rid}/profil/"
    assert client.get(url).status_code == 403
    client.force_login(editor)
    assert client.get(url).status_code == 200
    other = make_resource(editor, make_dataset(editor, org, title="Autre"), WATER_CSV)
    assert client.get(f"/donnees/{dataset.slug}/ressources/{other.rid}/profil/"
                      ).status_code == 404


def test_preview_is_cached_per_version(client, editor, org):
    dataset = make_dataset(editor, org, title="Mis en cache")
    resource = make_resource(editor, dataset, WATER_CSV)
    from django.core.cache import cache

    client.get(f"/donnees/{dataset.slug}/")
    rows = cache.get(f"catalog:preview:{resource.current_version.sha256}:10")
    assert rows and rows[-1][1] == "Plougastel-Daoulas"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_dataset_and_profile_pages_are_accessible(live_server, page, editor, org):
    from tests.browser_support import serious_violations

    dataset = make_dataset(editor, org, title="Large")
    resource = make_resource(editor, dataset, _wide_csv(columns=4))
    for path, heading in ((f"/donnees/{dataset.slug}/", "Large"),
                          (f"/donnees/{dataset.slug}/ressources/{resource.rid}/profil/",
                           "Profil de « Fichier »")):
        response = page.goto(live_server.url + path)
        assert response.status == 200 and heading in page.locator("h1").inner_text()
        violations = serious_violations(page)
        assert not violations, "\n".join(violations)
    # The link from the dataset page leads to the charts.
    page.goto(live_server.url + f"/donnees/{dataset.slug}/")
    page.get_by_role("link", name="Voir les 4 graphiques de répartition des valeurs").click()
    assert page.locator("figure.chart svg").count() == 4
