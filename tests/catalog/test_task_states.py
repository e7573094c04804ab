"""A failed ingest is shown as failed, with its message, everywhere a person or a client looks."""

import logging

import pytest
from django.core.management import call_command

from spld.catalog import services, tasks
from tests.catalog.helpers import WATER_CSV, make_dataset, make_resource

pytestmark = pytest.mark.django_db(transaction=True)

# A header row and rows whose number of fields differ: the ingest refuses the file.
BROKEN_CSV = b"commune;nom;volume\n29019;Brest;12\n29011;Bohars\n29075;Guipavas;3;4;5\n"
JARGON = ("accélération", "requêtes", "Parquet", "profil calculé", "100 %")


def _upload(editor, resource, data, name):
    staged = services.receive_upload(actor=editor, resource=resource, chunks=[data],
                                     filename=name)
    return tasks.start_ingest(actor=editor, resource=resource, staged=staged, filename=name)


def test_failed_ingest_is_failed_in_tasks_dataset_page_and_api(client, editor, org, caplog):
    dataset = make_dataset(editor, org)
    resource = make_resource(editor, dataset, WATER_CSV)
    task_id = _upload(editor, resource, BROKEN_CSV, "casse.csv")
    with caplog.at_level(logging.INFO):
        call_command("db_worker", batch=True, reload=False)
    resource.refresh_from_db()
    assert resource.ingest_status == "failed" and resource.ingest_error
    # The task backend itself records a failure (not a success carrying an error).
    from django_tasks_db.models import DBTaskResult

    assert DBTaskResult.objects.get(id=task_id).status == "FAILED"
    # An expected failure is logged in one line with its reason, without a traceback.
    failed = [r for r in caplog.records if r.name == "django_tasks" and "FAILED" in r.getMessage()]
    assert failed and resource.ingest_error in failed[0].getMessage()
    assert not [r for r in caplog.records if r.exc_info]

    client.force_login(editor)
    html = client.get("/mes-taches/").content.decode()
    row = html[html.index("task-failed"):]
    row = row[:row.index("</tr>")]
    assert "échec" in row and resource.ingest_error in row
    assert "terminée" not in row and "<progress" not in row and "100 %" not in row

    page = client.get(dataset.get_absolute_url()).content.decode()
    assert "Dernier import : <strong>échec</strong>" in page and resource.ingest_error in page
    assert "La version 1 reste en ligne." in page

    body = client.get(f"/api/1/datasets/{dataset.slug}/resources/{resource.rid}").json()
    assert body["ingest_status"] == "failed"
    assert body["task"]["state"] == "failed" and body["task"]["error"] == resource.ingest_error
    assert body["version"]["number"] == 1  # the previous version keeps serving
    rows = client.get(f"/api/1/resources/{resource.rid}/data/").json()["meta"]["total"]
    assert rows == 4


def test_successful_ingest_speaks_plain_french(client, editor, org, monkeypatch):
    from spld.core import progress

    dataset = make_dataset(editor, org)
    resource = make_resource(editor, dataset)
    task_id = _upload(editor, resource, WATER_CSV, "eau.csv")
    seen: list[str] = []
    real_report = progress.report

    def recording_report(tid, *, done, total=0, message=""):
        seen.append(message)
        real_report(tid, done=done, total=total, message=message)

    # Every message the task reports on its way (the task reads the module attribute).
    monkeypatch.setattr(progress, "report", recording_report)
    call_command("db_worker", batch=True, reload=False)
    assert seen and all(not any(word in m for word in JARGON) for m in seen), seen
    state = progress.state_of(task_id)
    assert state["state"] == "succeeded" and state["percent"] == 100
    assert state["message"] == "terminé : version 1 en ligne, 4 lignes"
    client.force_login(editor)
    html = client.get("/mes-taches/").content.decode()
    assert "terminée" in html and "terminé : version 1 en ligne, 4 lignes" in html
    body = client.get(f"/api/1/datasets/{dataset.slug}/resources/{resource.rid}").json()
    assert body["task"]["state"] == "succeeded" and body["task"]["error"] == ""


def test_task_state_is_not_shown_to_the_public(client, editor, org):
    dataset = make_dataset(editor, org)
    resource = make_resource(editor, dataset, WATER_CSV)
    _upload(editor, resource, BROKEN_CSV, "casse.csv")
    call_command("db_worker", batch=True, reload=False)
    body = client.get(f"/api/1/datasets/{dataset.slug}/resources/{resource.rid}").json()
    assert "task" not in body and "ingest_error" not in body
    assert "Dernier import" not in client.get(dataset.get_absolute_url()).content.decode()
