"""« Nouvelle version » of a resource: one more version, the old one serves on failure."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from spld.core.models import TaskProgress
from tests.catalog.helpers import WATER_CSV, make_dataset, make_resource
from tests.factories import make_user

V2 = WATER_CSV + b"29024;Gouesnou;2023;3456;31/12/2023\n"
BROKEN = b"commune;nom\n29019;Brest;en trop\n"


@pytest.fixture
def resource(editor, org):
    return make_resource(editor, make_dataset(editor, org), WATER_CSV)


def _url(resource):
    return f"/donnees/{resource.dataset.slug}/ressources/{resource.rid}/nouvelle-version/"


def _send(client, resource, data, name="eau.csv"):
    return client.post(_url(resource), {"file": SimpleUploadedFile(name, data, "text/csv")})


@pytest.mark.django_db(transaction=True)
def test_new_version_replaces_the_data_and_keeps_the_history(client, editor, resource):
    client.force_login(editor)
    page = client.get(resource.dataset.get_absolute_url()).content.decode()
    assert f'href="{_url(resource)}"' in page
    response = _send(client, resource, V2)
    assert response.status_code == 302 and f"#ressource-{resource.rid}" in response["Location"]
    assert TaskProgress.objects.filter(label__startswith="Nouvelle version de").count() == 1
    call_command("db_worker", batch=True, reload=False)
    resource.refresh_from_db()
    assert resource.current_version.number == 2 and resource.current_version.row_count == 5
    assert resource.dataset.resources.count() == 1  # no pile of resources
    body = client.get(f"/api/1/resources/{resource.rid}/data/").json()
    assert body["meta"]["total"] == 5
    history = client.get(_url(resource)).content.decode()
    assert "Historique des versions" in history and "remplacée" in history
    assert "en ligne" in history
    page = client.get(resource.dataset.get_absolute_url()).content.decode()
    assert "Historique : 2 versions" in page


@pytest.mark.django_db(transaction=True)
def test_failed_new_version_keeps_the_previous_one_serving(client, editor, resource):
    client.force_login(editor)
    assert _send(client, resource, BROKEN, "casse.csv").status_code == 302
    call_command("db_worker", batch=True, reload=False)
    resource.refresh_from_db()
    assert resource.ingest_status == "failed" and resource.current_version.number == 1
    assert resource.versions.count() == 1
    assert client.get(f"/api/1/resources/{resource.rid}/data/").json()["meta"]["total"] == 4
    page = client.get(resource.dataset.get_absolute_url()).content.decode()
    assert "La version 1 reste en ligne." in page and resource.ingest_error in page


@pytest.mark.django_db
def test_only_the_publisher_sends_a_version(client, resource, other_org, citizen):
    outsider = make_user("autre@example.org", memberships=[(other_org, "editor")])
    client.force_login(outsider)
    assert _send(client, resource, V2).status_code == 403
    client.force_login(citizen)
    assert _send(client, resource, V2).status_code == 403
    assert "Nouvelle version" not in client.get(
        resource.dataset.get_absolute_url()).content.decode()
    client.logout()
    assert client.get(_url(resource)).status_code == 302  # to the sign-in page
    assert resource.versions.count() == 1 and TaskProgress.objects.count() == 0


@pytest.mark.django_db
def test_bad_version_requests_are_refused_with_a_message(client, editor, resource, settings):
    client.force_login(editor)
    empty = client.post(_url(resource), {})
    assert empty.status_code == 400 and "Envoyez un fichier" in empty.content.decode()
    private = client.post(_url(resource), {"url": "http://127.0.0.1/x.csv"})
    assert private.status_code == 400
    settings.SPLD_UPLOAD_MAX_BYTES = 50
    big = _send(client, resource, b"a,b\n" + b"1,2\n" * 100)
    assert big.status_code == 413 and "trop volumineux" in big.content.decode()
    resource.refresh_from_db()
    assert resource.ingest_status == "ok" and TaskProgress.objects.count() == 0
