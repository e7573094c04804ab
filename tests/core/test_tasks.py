"""Background tasks run in the real database worker and report progress to their owner."""

import pytest
from django.core.management import call_command
from django_tasks import task

from spld.core import progress


@task(takes_context=True)
def count_to(context, n: int) -> int:
    for i in range(1, n + 1):
        progress.report(context.task_result.id, done=i, total=n, message=f"{i}/{n}")
    return n


@task()
def always_fails() -> None:
    raise ValueError("le fichier est illisible")


@pytest.mark.django_db(transaction=True)
def test_task_progress_and_status_are_shown_to_its_owner(client, citizen):
    result = count_to.enqueue(5)
    progress.track(result, owner=citizen, label="Compter jusqu’à 5")
    failed = always_fails.enqueue()
    progress.track(failed, owner=citizen, label="Tâche en échec")
    client.force_login(citizen)
    html = client.get("/mes-taches/").content.decode()
    assert "Compter jusqu’à 5" in html and "en attente" in html
    call_command("worker", batch=True)
    html = client.get("/mes-taches/").content.decode()
    assert "terminée" in html and "100 %" in html
    assert "échec" in html and "ValueError" in html


@pytest.mark.django_db
def test_tasks_page_requires_sign_in(client):
    response = client.get("/mes-taches/")
    assert response.status_code == 302 and "/compte/connexion/" in response["Location"]


@pytest.mark.django_db(transaction=True)
def test_tasks_of_one_user_are_not_shown_to_another(client, citizen):
    from tests.factories import make_user

    result = count_to.enqueue(1)
    progress.track(result, owner=citizen, label="Tâche privée")
    client.force_login(make_user())
    assert "Tâche privée" not in client.get("/mes-taches/").content.decode()


@task()
def reports_failure_in_its_result() -> dict:
    return {"ok": False, "code": "ragged_rows", "message": "Ligne 3 : 2 valeurs au lieu de 3"}


@pytest.mark.django_db(transaction=True)
def test_a_task_that_returned_a_failure_is_shown_as_failed(client, citizen):
    # Ingest tasks recorded before failures were raised returned {"ok": False, …}.
    result = reports_failure_in_its_result.enqueue()
    progress.track(result, owner=citizen, label="Ancien import")
    call_command("worker", batch=True)
    client.force_login(citizen)
    html = client.get("/mes-taches/").content.decode()
    assert "task-failed" in html and "Ligne 3 : 2 valeurs au lieu de 3" in html
    assert progress.state_of(str(result.id))["state"] == "failed"


def test_expected_failure_is_one_log_line_even_with_a_percent_sign():
    import logging

    from spld.core.logs import ExpectedFailures

    try:
        raise progress.TaskFailed("Taux de 100 % dépassé", "bad_value")
    except progress.TaskFailed:
        import sys

        record = logging.LogRecord("django_tasks", logging.ERROR, __file__, 1,
                                   "Task id=%s state=%s", ("t1", "FAILED"), sys.exc_info())
    assert ExpectedFailures().filter(record)
    assert record.exc_info is None
    assert record.getMessage() == "Task id=t1 state=FAILED (bad_value: Taux de 100 % dépassé)"
