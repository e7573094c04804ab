"""`spld serve` (gunicorn) on the suite's database: streamed upload and export, clients leaving."""

from __future__ import annotations

import hashlib
import http.client
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from tests.catalog.helpers import make_dataset, make_resource
from tests.process_support import clean_env, free_port

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[2]
ROWS = 200_000


def _database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"  # the test database is a file (settings_test)
    return (f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/"
            f"{db['NAME']}")


@pytest.fixture
def server(tmp_path, settings):
    """`spld serve` on this test's database and data folder; stopped after the test."""
    from spld.ledger import log as ledger_log

    # The server refuses to start without its log key (spld.portal.integrity).
    settings.LOG_KEY_PATH, settings.LOG_ORIGIN = tmp_path / "log-key", "test.spld.example/log"
    ledger_log.create_key()
    port = free_port()
    env = clean_env(tmp_path, DJANGO_SETTINGS_MODULE="spld.settings", SPLD_ENV_FILE="",
                    PYTHONPATH=str(ROOT / "src"), SPLD_SECRET_KEY="serve-test",
                    SPLD_DATABASE_URL=_database_url(), SPLD_DATA_DIR=str(settings.DATA_DIR),
                    SPLD_LOG_KEY_PATH=str(settings.LOG_KEY_PATH),
                    SPLD_LOG_ORIGIN=settings.LOG_ORIGIN, SPLD_ALLOWED_HOSTS="127.0.0.1",
                    SPLD_SITE_URL=f"http://127.0.0.1:{port}")
    log = (tmp_path / "serve.log").open("w+")
    spld = Path(sys.executable).with_name("spld")
    proc = subprocess.Popen([str(spld), "serve", "--port", str(port), "--workers", "1",
                             "--threads", "2"], env=env, stdout=log, stderr=subprocess.STDOUT,
                            cwd=tmp_path)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/api/1/openapi.json")
            if conn.getresponse().status == 200:
                break
        except OSError:
            assert proc.poll() is None, Path(log.name).read_text()
            time.sleep(0.3)
    else:
        proc.terminate()
        pytest.fail("spld serve did not answer: " + Path(log.name).read_text())
    yield port, proc, Path(log.name)
    proc.terminate()
    proc.wait(timeout=30)
    log.close()


def _csv(rows: int) -> bytes:
    lines = ["commune;annee;volume_m3"] + [f"29{i % 1000:03d};{2000 + i % 25};{i}"
                                           for i in range(rows)]
    return ("\n".join(lines) + "\n").encode()


def test_spld_serve_streams_uploads_and_exports_and_survives_a_client_leaving(
        server, editor, org, api_token):
    port, proc, log = server
    dataset = make_dataset(editor, org)
    auth = {"Authorization": f"Bearer {api_token}"}

    # A streamed upload: the body goes out in 64 KiB pieces as it is produced.
    resource = make_resource(editor, dataset, title="Envoi")
    body = _csv(ROWS)
    url = f"/api/1/datasets/{dataset.slug}/resources/{resource.rid}/file?filename=volumes.csv"
    pieces = (body[i:i + 65536] for i in range(0, len(body), 65536))
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request("PUT", url, body=pieces, headers={
        **auth, "Content-Type": "text/csv", "Content-Length": str(len(body))})
    answer = conn.getresponse()
    assert answer.status == 202, answer.read()
    answer.read()
    # Chunked transfer encoding (no length): WSGI gives no body, so a clear 411, not "empty".
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request("PUT", url, body=iter([b"a;b\n", b"1;2\n"]), encode_chunked=True,
                 headers={**auth, "Content-Type": "text/csv"})
    refused = conn.getresponse()
    assert refused.status == 411 and b"Content-Length" in refused.read()
    call_command("db_worker", batch=True, reload=False)
    resource.refresh_from_db()
    assert resource.ingest_status == "ok", resource.ingest_error
    assert resource.current_version.row_count == ROWS
    assert resource.current_version.source_sha256 == hashlib.sha256(body).hexdigest()

    # A streamed export (row numbers asked for, so not the cached whole-table file): chunked,
    # no Content-Length, every row there.
    export = f"/api/1/resources/{resource.rid}/data/csv/?row_ids=true"
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request("GET", export)
    answer = conn.getresponse()
    assert answer.status == 200 and answer.getheader("Content-Length") is None
    assert answer.getheader("Transfer-Encoding") == "chunked"
    text = answer.read()
    assert text.count(b"\n") == ROWS + 1

    # A client that leaves mid-export: the server goes on serving others.
    for _ in range(3):
        with socket.create_connection(("127.0.0.1", port), timeout=30) as raw:
            raw.sendall(f"GET {export} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
            assert raw.recv(65536).startswith(b"HTTP/1.1 200")
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request("GET", export)
    answer = conn.getresponse()
    assert answer.status == 200 and answer.read().count(b"\n") == ROWS + 1
    assert proc.poll() is None
    output = log.read_text()
    assert "Traceback" not in output and "WORKER TIMEOUT" not in output, output[-3000:]
