"""Every background task shares one crash recovery: lost runs are retried, then failed."""

import time

import pytest
from django.core.management import call_command
from django_tasks import task
from django_tasks_db.models import DBTaskResult

from spld.core import progress, recovery
from spld.core.models import TaskProgress, WorkerLease

pytestmark = pytest.mark.django_db(transaction=True)

RUNS: list[int] = []


@task()
def remember(n: int) -> int:
    RUNS.append(n)
    return n


def _as_if_lost(result, worker_ids: list[str]) -> None:
    """What a worker killed during the task leaves: RUNNING, claimed, started long ago."""
    DBTaskResult.objects.filter(pk=result.id).update(
        status="RUNNING", worker_ids=worker_ids,
        started_at=DBTaskResult.objects.get(pk=result.id).enqueued_at)


def test_a_lost_task_is_run_again_by_the_next_worker(settings, citizen):
    settings.SPLD_TASK_LEASE_SECONDS = 1
    RUNS.clear()
    result = remember.enqueue(7)
    progress.track(result, owner=citizen, label="Tâche longue")
    _as_if_lost(result, ["tue-par-kill-9"])
    time.sleep(1.1)
    call_command("worker", batch=True)
    row = DBTaskResult.objects.get(pk=result.id)
    assert row.status == "SUCCESSFUL" and RUNS == [7]
    assert len(row.worker_ids) == 2 and row.worker_ids[0] == "tue-par-kill-9"
    assert not WorkerLease.objects.exists()  # the worker gave its lease back on exit


def test_a_task_lost_on_its_last_attempt_is_failed_and_its_owner_told(settings, client,
                                                                       citizen):
    settings.SPLD_TASK_LEASE_SECONDS = 1
    settings.SPLD_TASK_MAX_ATTEMPTS = 2
    RUNS.clear()
    result = remember.enqueue(8)
    progress.track(result, owner=citizen, label="Rapport annuel")
    _as_if_lost(result, ["a", "b"])
    time.sleep(1.1)
    assert recovery.recover_lost_tasks() == {"retried": 0, "failed": 1}
    assert RUNS == []
    row = DBTaskResult.objects.get(pk=result.id)
    assert row.status == "FAILED" and row.exception_class_path == recovery.LOST_EXCEPTION
    assert "Tâche interrompue" in TaskProgress.objects.get(task_id=str(result.id)).message
    client.force_login(citizen)
    html = client.get("/mes-taches/").content.decode()
    assert "Rapport annuel" in html and "Tâche interrompue" in html


def test_a_lost_harvest_closes_its_open_run_with_the_reason(settings, spld_admin, other_org):
    from spld.catalog import harvest, tasks
    from spld.catalog.models import HarvestRun

    settings.SPLD_TASK_LEASE_SECONDS = 1
    settings.SPLD_TASK_MAX_ATTEMPTS = 1
    source = harvest.add_source(actor=spld_admin, url="https://portail.example/catalog.ttl",
                                kind="dcat", publisher=other_org)
    run = HarvestRun.objects.create(source=source)  # what the killed worker had begun
    result = tasks.harvest_source.enqueue(source.pk, tasks.serialize_actor(spld_admin))
    _as_if_lost(result, ["mort"])
    time.sleep(1.1)
    call_command("worker", batch=True)
    run.refresh_from_db()
    assert run.finished_at is not None and "interrompue" in run.errors[-1]["error"]
    assert DBTaskResult.objects.get(pk=result.id).status == "FAILED"


def test_old_orphan_temporary_files_are_swept_and_fresh_ones_kept(settings, tmp_path):
    import os

    settings.DATA_DIR = tmp_path
    folder = tmp_path / "datasets" / "r1"
    folder.mkdir(parents=True)
    old, fresh = folder / "v3-abc.parquet.tmp", folder / "v4-def.duckdb.tmp"
    kept = folder / "v2-aaa.parquet"
    for path in (old, fresh, kept):
        path.write_bytes(b"x")
    work = tmp_path / "uploads" / "u1.csv.work"
    work.mkdir(parents=True)
    for path in (old, work, kept):
        os.utime(path, (time.time() - 7 * 3600,) * 2)
    assert recovery.sweep_orphans() == 2
    assert not old.exists() and not work.exists() and fresh.exists() and kept.exists()
