"""Crash recovery and several workers, with real `spld worker` processes on the test database."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from spld.catalog import services, tasks
from spld.catalog.models import IngestAttempt, Resource
from tests.catalog.helpers import make_dataset, make_resource
from tests.process_support import spld_command, stop

pytestmark = pytest.mark.django_db(transaction=True)

ROOT_SRC = str(Path(__file__).resolve().parents[2] / "src")
LEASE = 3  # seconds: the new worker recovers the killed one's task after this


def worker_env(**extra: str) -> dict[str, str]:
    """The environment of a `spld worker` on the test database and data folder."""
    db = connection.settings_dict
    if connection.vendor == "postgresql":
        url = (f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
               f"/{db['NAME']}")
    else:
        url = f"sqlite:///{db['NAME']}"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SPLD_", "DJANGO_"))}
    # The suite's settings: the product's, without the start-up key guard (no keys here).
    env.update(SPLD_DATABASE_URL=url, DJANGO_SETTINGS_MODULE="spld.settings_test",
               SPLD_SECRET_KEY="test", SPLD_DATA_DIR=str(settings.DATA_DIR), SPLD_ENV_FILE="",
               SPLD_LOG_KEY_PATH=str(settings.LOG_KEY_PATH), SPLD_LOG_ORIGIN=settings.LOG_ORIGIN,
               SPLD_TASK_LEASE_SECONDS=str(LEASE), PYTHONPATH=ROOT_SRC, PYTHONUNBUFFERED="1",
               **extra)
    return env


def start_worker(**extra: str) -> subprocess.Popen:
    return subprocess.Popen(spld_command("worker"), env=worker_env(**extra),
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def stop_worker(proc: subprocess.Popen) -> str:
    # A worker finishes its current task before it exits on SIGTERM: give it longer.
    return stop(proc, timeout=60)


def big_csv(rows: int) -> bytes:
    """A CSV large enough for its conversion to last a few seconds."""
    return b"id;commune;libelle;montant\n" + b"".join(
        b"%d;29%03d;Ligne numero %d du fichier;%d,%02d\n" % (i, i % 1000, i, i % 9973, i % 100)
        for i in range(rows))


def leftovers(resource: Resource) -> list[Path]:
    data = Path(settings.DATA_DIR)
    return [p for p in [*(data / "datasets" / str(resource.rid)).glob("*"),
                        *(data / "uploads").glob("*")]
            if p.name.endswith((".tmp", ".work")) or p.name.startswith("incoming-")]


def wait_status(resource: Resource, statuses: set[str], timeout: float,
                procs: list[subprocess.Popen]) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        resource.refresh_from_db()
        if resource.ingest_status in statuses:
            return resource.ingest_status
        for proc in procs:
            assert proc.poll() is None, stop_worker(proc)
        time.sleep(0.2)
    raise AssertionError(f"status still {resource.ingest_status} after {timeout} s")


def _queue_upload(editor, resource, data: bytes, name: str) -> str:
    staged = services.receive_upload(actor=editor, resource=resource, chunks=[data],
                                     filename=name)
    return tasks.start_ingest(actor=editor, resource=resource, staged=staged, filename=name)


def test_kill_9_during_an_ingest_then_a_new_worker_finishes_it(editor, org):
    from django_tasks_db.models import DBTaskResult

    resource = make_resource(editor, make_dataset(editor, org), b"id;v\n1;2\n", "v1.csv")
    first = resource.current_version
    task_id = _queue_upload(editor, resource, big_csv(1_500_000), "gros.csv")
    folder = Path(settings.DATA_DIR) / "datasets" / str(resource.rid)
    worker = start_worker()
    try:
        deadline = time.monotonic() + 120
        while not list(folder.glob("incoming-*.parquet.tmp")):  # the conversion is writing
            assert time.monotonic() < deadline, stop_worker(worker)
            assert worker.poll() is None, stop_worker(worker)
            time.sleep(0.02)
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait()
    finally:
        stop_worker(worker)
    resource.refresh_from_db()
    assert resource.ingest_status == "running" and resource.current_version == first
    assert DBTaskResult.objects.get(pk=task_id).status == "RUNNING"
    assert leftovers(resource)  # what the killed worker was writing
    second = start_worker()
    try:
        assert wait_status(resource, {"ok", "failed"}, 180, [second]) == "ok"
    finally:
        log = stop_worker(second)
    row = DBTaskResult.objects.get(pk=task_id)
    assert row.status == "SUCCESSFUL" and len(row.worker_ids) == 2, log
    assert resource.current_version.number == 2
    assert resource.current_version.row_count == 1_500_000
    assert IngestAttempt.objects.get(task_id=task_id).status == "ok"
    assert leftovers(resource) == []


def test_a_task_lost_too_many_times_fails_with_a_clear_message(editor, org, settings):
    """After SPLD_TASK_MAX_ATTEMPTS lost runs the resource says so and nothing is left."""
    from django.core.management import call_command
    from django_tasks_db.models import DBTaskResult

    resource = make_resource(editor, make_dataset(editor, org))
    task_id = _queue_upload(editor, resource, b"id;v\n1;2\n", "petit.csv")
    staged = Path(DBTaskResult.objects.get(pk=task_id).args_kwargs["args"][1])
    attempt = IngestAttempt.objects.get(task_id=task_id)
    folder = Path(settings.DATA_DIR) / "datasets" / str(resource.rid)
    folder.mkdir(parents=True, exist_ok=True)
    orphan = folder / f"incoming-{services.attempt_key(attempt)}.parquet.tmp"
    orphan.write_bytes(b"PAR1 half written")
    work = staged.with_name(staged.name + ".work")
    work.mkdir()
    # What three dead workers leave: a RUNNING row claimed three times, started long ago.
    DBTaskResult.objects.filter(pk=task_id).update(
        status="RUNNING", worker_ids=["mort-1", "mort-2", "mort-3"],
        started_at=DBTaskResult.objects.get(pk=task_id).enqueued_at)
    Resource.objects.filter(pk=resource.pk).update(ingest_status="running")
    settings.SPLD_TASK_LEASE_SECONDS = 1
    time.sleep(1.1)
    call_command("worker", batch=True)
    row = DBTaskResult.objects.get(pk=task_id)
    assert row.status == "FAILED" and "interrompue" in row.traceback
    resource.refresh_from_db()
    assert resource.ingest_status == "failed" and "Tâche interrompue" in resource.ingest_error
    assert not orphan.exists() and not work.exists() and not staged.exists()
    assert IngestAttempt.objects.get(task_id=task_id).status == "failed"


def test_a_running_task_of_a_live_worker_is_left_alone(editor, org, settings):
    from django.core.management import call_command
    from django_tasks_db.models import DBTaskResult

    from spld.core import recovery

    resource = make_resource(editor, make_dataset(editor, org))
    task_id = _queue_upload(editor, resource, b"id;v\n1;2\n", "petit.csv")
    DBTaskResult.objects.filter(pk=task_id).update(
        status="RUNNING", worker_ids=["vivant"],
        started_at=DBTaskResult.objects.get(pk=task_id).enqueued_at)
    settings.SPLD_TASK_LEASE_SECONDS = 1
    time.sleep(1.1)
    recovery.renew("vivant")
    call_command("worker", batch=True)
    assert DBTaskResult.objects.get(pk=task_id).status == "RUNNING"


def _five_uploads_two_workers(editor, org) -> None:
    resource = make_resource(editor, make_dataset(editor, org), b"n;envoi\n0;0\n", "v0.csv")
    from spld.core.models import WorkerLease

    workers = [start_worker(), start_worker()]
    try:
        deadline = time.monotonic() + 60
        while WorkerLease.objects.count() < 2:  # both are up before the files are sent
            assert time.monotonic() < deadline, [stop_worker(w) for w in workers]
            time.sleep(0.1)
        ids = []
        for i in range(1, 6):  # sent one after the other, converted side by side
            rows = 400_000 if i == 1 else 2_000 * i
            body = b"n;envoi\n" + b"".join(b"%d;%d\n" % (j, i) for j in range(rows))
            ids.append(_queue_upload(editor, resource, body, f"envoi{i}.csv"))
        deadline = time.monotonic() + 240
        while IngestAttempt.objects.filter(resource=resource, status__in=["pending", "running"]
                                           ).exists():
            assert time.monotonic() < deadline, [stop_worker(w) for w in workers]
            for w in workers:
                assert w.poll() is None, stop_worker(w)
            time.sleep(0.3)
    finally:
        logs = [stop_worker(w) for w in workers]
    attempts = list(IngestAttempt.objects.filter(resource=resource).order_by("pk"))
    assert [a.status for a in attempts] == ["ok"] * 5, ([a.error for a in attempts], logs)
    numbers = sorted(resource.versions.values_list("number", flat=True))
    assert numbers == [1, 2, 3, 4, 5, 6]  # one version per file sent, none lost
    resource.refresh_from_db()
    assert resource.ingest_status == "ok"
    # The last file sent wins, whatever order the workers finished in.
    assert resource.current_version == attempts[-1].version
    assert resource.current_version.source_name == "envoi5.csv"
    from django_tasks_db.models import DBTaskResult

    assert set(DBTaskResult.objects.filter(pk__in=ids).values_list("status", flat=True)) == {
        "SUCCESSFUL"}
    assert len({w for r in DBTaskResult.objects.filter(pk__in=ids)
                for w in r.worker_ids}) == 2  # both workers took part


@pytest.mark.postgres
def test_two_workers_five_uploads_on_postgresql(editor, org):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: set SPLD_TEST_DATABASE_URL=postgres://… to run")
    _five_uploads_two_workers(editor, org)


def test_two_workers_five_uploads_on_sqlite(editor, org):
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite variant (the PostgreSQL one is test_…_on_postgresql)")
    _five_uploads_two_workers(editor, org)


def test_a_failure_among_several_uploads_is_shown_to_the_publisher(client, editor, org):
    from django.core.management import call_command

    resource = make_resource(editor, make_dataset(editor, org), b"id;v\n1;2\n", "v1.csv")
    _queue_upload(editor, resource, b"\x00\x01\x02 pas un tableur", "casse.xlsx")
    _queue_upload(editor, resource, b"id;v\n1;3\n", "v2.csv")
    call_command("worker", batch=True)
    resource.refresh_from_db()
    assert resource.ingest_status == "ok" and resource.current_version.source_name == "v2.csv"
    client.force_login(editor)
    dataset = resource.dataset
    detail = client.get(f"/api/1/datasets/{dataset.slug}/resources/{resource.rid}").json()
    statuses = [(a["filename"], a["status"]) for a in detail["attempts"]]
    assert statuses == [("v2.csv", "ok"), ("casse.xlsx", "failed")]
    assert detail["attempts"][1]["error"]
    html = client.get(f"/donnees/{dataset.slug}/").content.decode()
    assert "casse.xlsx" in html


def test_a_lost_download_is_failed_and_its_partial_file_removed(editor, org, settings):
    from django.core.management import call_command
    from django_tasks_db.models import DBTaskResult

    resource = make_resource(editor, make_dataset(editor, org))
    result = tasks.fetch_resource.enqueue(resource.pk, "https://donnees.example/eau.csv",
                                          tasks.serialize_actor(editor))
    attempt = IngestAttempt.objects.create(resource=resource, task_id=str(result.id),
                                           filename="eau.csv")
    uploads = services.staging_path("").parent
    partial = uploads / f"fetch-{services.attempt_key(attempt)}.csv"
    partial.write_bytes(b"id;v\n1;")  # the download the killed worker was writing
    DBTaskResult.objects.filter(pk=result.id).update(
        status="RUNNING", worker_ids=["mort-1", "mort-2", "mort-3"],
        started_at=DBTaskResult.objects.get(pk=result.id).enqueued_at)
    settings.SPLD_TASK_LEASE_SECONDS = 1
    time.sleep(1.1)
    call_command("worker", batch=True)
    resource.refresh_from_db()
    assert resource.ingest_status == "failed" and "Tâche interrompue" in resource.ingest_error
    assert not partial.exists()


def _two_servers_two_workers(editor, org, api_token) -> None:
    """Five files sent at once through two app processes, converted by two workers."""
    from concurrent.futures import ThreadPoolExecutor

    import requests

    from spld.core.models import WorkerLease
    from tests.process_support import free_port, wait_for

    resource = make_resource(editor, make_dataset(editor, org), b"n;envoi\n0;0\n", "v0.csv")
    ports = [free_port()]
    servers = [subprocess.Popen(
        spld_command("serve", "--port", str(ports[0]), "--workers", "1", "--threads", "4"),
        env=worker_env(SPLD_ALLOWED_HOSTS="127.0.0.1", SPLD_HTTPS="false"),
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)]
    workers: list[subprocess.Popen] = []
    try:
        wait_for(f"http://127.0.0.1:{ports[0]}/healthz", servers[0])
        ports.append(free_port())
        servers.append(subprocess.Popen(
            spld_command("serve", "--port", str(ports[1]), "--workers", "1", "--threads", "4"),
            env=worker_env(SPLD_ALLOWED_HOSTS="127.0.0.1", SPLD_HTTPS="false"),
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True))
        wait_for(f"http://127.0.0.1:{ports[1]}/healthz", servers[1])
        workers = [start_worker(), start_worker()]
        deadline = time.monotonic() + 60
        while WorkerLease.objects.count() < 2:
            assert time.monotonic() < deadline
            time.sleep(0.1)

        def send(i: int) -> requests.Response:
            rows = 300_000 if i == 1 else 2_000 * i
            body = b"n;envoi\n" + b"".join(b"%d;%d\n" % (j, i) for j in range(rows))
            url = (f"http://127.0.0.1:{ports[i % 2]}/api/1/datasets/{resource.dataset.slug}"
                   f"/resources/{resource.rid}/file?filename=envoi{i}.csv")
            return requests.put(url, data=body, timeout=120,
                                headers={"Authorization": f"Bearer {api_token}",
                                         "Content-Type": "text/csv"})

        with ThreadPoolExecutor(5) as pool:
            answers = list(pool.map(send, range(1, 6)))
        assert [a.status_code for a in answers] == [202] * 5, [a.text for a in answers]
        deadline = time.monotonic() + 240
        while IngestAttempt.objects.filter(resource=resource, status__in=["pending", "running"]
                                           ).exists():
            assert time.monotonic() < deadline
            time.sleep(0.3)
    finally:
        logs = [stop_worker(p) for p in [*workers, *servers]]
    attempts = list(IngestAttempt.objects.filter(resource=resource).order_by("pk"))
    assert [a.status for a in attempts] == ["ok"] * 5, ([a.error for a in attempts], logs)
    assert sorted(resource.versions.values_list("number", flat=True)) == [1, 2, 3, 4, 5, 6]
    resource.refresh_from_db()
    assert resource.ingest_status == "ok"
    assert resource.current_version == attempts[-1].version  # the last one received wins


@pytest.mark.postgres
def test_two_app_processes_and_two_workers_on_postgresql(editor, org, api_token):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: set SPLD_TEST_DATABASE_URL=postgres://… to run")
    _two_servers_two_workers(editor, org, api_token)


def test_two_app_processes_and_two_workers_on_sqlite(editor, org, api_token):
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite variant (the PostgreSQL one is test_…_on_postgresql)")
    _two_servers_two_workers(editor, org, api_token)
