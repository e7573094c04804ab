"""« Nouvelle version » in a real browser: the upload form, its progress bar, the history."""

import pytest
from django.core.management import call_command

from tests.browser_support import serious_violations
from tests.catalog.helpers import WATER_CSV, make_dataset, make_resource
from tests.factories import PASSWORD, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

V2 = WATER_CSV + b"".join(b"29024;Gouesnou;%d;3456;31/12/2023\n" % (1900 + i)
                          for i in range(20000))
BROKEN = b"commune;nom\n29019;Brest;en trop\n"


def _send_version(page, path, tmp_path, name, data):
    file = tmp_path / name
    file.write_bytes(data)
    page.get_by_label("Fichier (CSV, TSV, XLSX, ODS, JSON, GeoJSON, Parquet)").set_input_files(
        str(file))
    # The form is sent by the page's script (XMLHttpRequest with upload progress).
    with page.expect_request(lambda r: r.method == "POST" and r.resource_type == "xhr"):
        page.get_by_role("button", name="Envoyer la nouvelle version").click()
    page.wait_for_url(f"**{path}")


def test_new_version_through_the_upload_form(live_server, page, org, tmp_path):
    editor = make_user("editrice@example.org", memberships=[(org, "editor")])
    dataset = make_dataset(editor, org, title="Consommation d’eau")
    resource = make_resource(editor, dataset, WATER_CSV, title="Relevés")
    base = live_server.url
    page.goto(f"{base}/compte/connexion/")
    page.get_by_label("Adresse électronique").fill(editor.email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.locator("main").get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"{base}/compte/**")

    path = dataset.get_absolute_url()
    page.goto(base + path)
    page.get_by_role("link", name="Nouvelle version de « Relevés »").click()
    assert "Nouvelle version de « Relevés »" in page.locator("h1").inner_text()
    assert page.locator("form progress").is_hidden()
    assert not serious_violations(page)
    _send_version(page, path, tmp_path, "releves-2024.csv", V2)
    notice = page.locator(f"#ressource-{resource.rid} p.notice").inner_text()
    assert "en attente" in notice  # honest state until the worker has run
    assert "Version 1" in page.locator(f"#ressource-{resource.rid}").inner_text()

    call_command("db_worker", batch=True, reload=False)
    page.reload()
    article = page.locator(f"#ressource-{resource.rid}")
    assert "Version 2" in article.inner_text()
    resource.refresh_from_db()
    assert resource.current_version.row_count == 20004 and resource.versions.count() == 2
    article.get_by_text("Historique : 2 versions").click()
    history = article.locator("table.versions").inner_text()
    assert "releves-2024.csv" in history and "remplacée" in history
    assert not serious_violations(page)

    # A broken file: the task fails, visibly, and version 2 keeps serving.
    page.get_by_role("link", name="Nouvelle version de « Relevés »").click()
    _send_version(page, path, tmp_path, "casse.csv", BROKEN)
    call_command("db_worker", batch=True, reload=False)
    page.reload()
    notice = page.locator(f"#ressource-{resource.rid} p.notice").inner_text()
    assert "Dernier import : échec" in notice and "La version 2 reste en ligne." in notice
    resource.refresh_from_db()
    assert resource.current_version.number == 2
    page.goto(f"{base}/mes-taches/")
    failed = page.locator("tr.task-failed")
    assert failed.count() == 1 and "échec" in failed.inner_text()
    assert "Ligne 2" in failed.inner_text()
