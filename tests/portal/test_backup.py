"""`spld backup` / `spld restore`: a restore gives back the same log, receipts and data; an
erasure is not undone by anything a backup holds."""

from __future__ import annotations

import base64
import json
import shutil
import sqlite3
import subprocess  # noqa: S404
import threading
import time

import pytest
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from spld.core import pause
from spld.ledger import log
from spld.ledger.models import Checkpoint
from spld.rights import jws, keys, services, vault
from spld.rights.models import CitizenVault, Receipt
from tests.catalog.helpers import WATER_CSV, make_dataset, make_resource

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def installation(settings, tmp_path):
    """A data folder and keys of their own, made as the guide says (`spld keys init`)."""
    settings.DATA_DIR = tmp_path / "data"
    settings.RIGHTS_KEYS_DIR = ""
    settings.RIGHTS_VAULT_MASTER_KEY_PATH = tmp_path / "secrets" / "vault-master.key"
    settings.LOG_KEY_PATH = settings.DATA_DIR / "log-key"
    settings.LOG_ORIGIN = "test.spld.example/log"
    settings.DEMO_MODE = False
    call_command("keys", "init")
    call_command("log", "init-key")
    (settings.DATA_DIR / "static").mkdir()
    (settings.DATA_DIR / "static" / "site.css").write_text("body{}")
    return tmp_path


def _csv(client, resource) -> bytes:
    response = client.get(f"/api/1/resources/{resource.rid}/data/csv/")
    assert response.status_code == 200
    return b"".join(response.streaming_content)


@pytest.mark.parametrize("pg_dump", [True, False], ids=["native-dump", "no-pg_dump"])
def test_backup_then_restore_gives_back_log_receipts_and_data(client, installation, settings,
                                                             editor, org, citizen, capsys,
                                                             monkeypatch, pg_dump):
    if connection.vendor == "sqlite":
        if not pg_dump:
            pytest.skip("SQLite always has its online backup API")
        method = "sqlite-online-backup"
    elif pg_dump:
        if not shutil.which("pg_dump"):
            pytest.skip("pg_dump not installed (apt-get install postgresql-client)")
        method = "pg_dump"
    else:
        monkeypatch.setenv("PATH", str(installation))  # a host without the PostgreSQL tools
        method = "django-dumpdata"
    dataset = make_dataset(editor, org)
    resource = make_resource(editor, dataset, WATER_CSV)
    vault.seal(citizen, "Mon numéro 0612345678", context="request.details")
    receipt = services.erase_my_data(actor=citizen, user=citizen)
    checkpoint = log.sign_checkpoint()
    served = _csv(client, resource)

    call_command("backup", str(installation / "backup"))
    out = capsys.readouterr().out
    assert f"database dumped ({method})" in out
    assert "SPLD_VAULT_MASTER_KEY_PATH" in out  # the secrets to keep elsewhere are listed
    manifest = json.loads((installation / "backup" / "manifest.json").read_text())
    paths = {f["path"] for f in manifest["files"]}
    assert "data/keys/receipts-ed25519.pem" in paths
    assert not any(p.startswith("data/static/") for p in paths)
    assert not any("vault-master" in p for p in paths)

    # Disaster: the database is emptied and the data folder lost.
    call_command("flush", interactive=False, verbosity=0)
    shutil.rmtree(settings.DATA_DIR)
    call_command("restore", str(installation / "backup"))
    assert "restored: log size" in capsys.readouterr().out

    restored = Checkpoint.objects.order_by("-size").first()
    assert (restored.size, restored.note) == (checkpoint.size, checkpoint.note)
    call_command("log", "check")
    assert jws.verify(Receipt.objects.get(pk=receipt.pk).jws)["receiptType"] == "erasure"
    assert _csv(client, resource) == served
    call_command("check")


def test_a_corrupted_backup_is_refused_before_anything_is_replaced(installation, settings,
                                                                   editor, org):
    make_resource(editor, make_dataset(editor, org), WATER_CSV)
    call_command("backup", str(installation / "backup"))
    with pytest.raises(CommandError, match="not empty"):
        call_command("backup", str(installation / "backup"))
    call_command("restore", str(installation / "backup"))  # same files: nothing to lose
    (settings.DATA_DIR / "log-key").write_text("another key\n")
    with pytest.raises(CommandError, match=r"1 other files of the same name \(first: data/log-key"):
        call_command("restore", str(installation / "backup"))
    parquet = next((installation / "backup" / "data" / "datasets").rglob("*.parquet"))
    parquet.write_bytes(parquet.read_bytes()[:-1] + b"!")
    with pytest.raises(CommandError, match="does not match its checksum"):
        call_command("restore", str(installation / "backup"), "--force")


def test_after_an_erasure_an_older_backup_cannot_be_decrypted(installation, settings, citizen):
    sealed = vault.seal(citizen, "Mon numéro 0612345678", context="request.details")
    row = CitizenVault.objects.get(user=citizen)
    wrapped, aad = bytes(row.wrapped_key), row.subject_ref.bytes
    call_command("backup", str(installation / "before"))
    services.erase_my_data(actor=citizen, user=citizen)

    # The backup does hold the wrapped key and the sealed data…
    if connection.vendor == "sqlite":
        db = sqlite3.connect(installation / "before" / "database.sqlite3")
        (held,) = db.execute("SELECT wrapped_key FROM rights_citizenvault").fetchone()
        db.close()
        assert bytes(held) == wrapped
    else:
        dump = subprocess.run(  # noqa: S603
            [shutil.which("pg_restore"), "--data-only", "--file=-",
             str(installation / "before" / "database.pgdump")],
            check=True, capture_output=True).stdout
        assert wrapped.hex().encode() in dump
    # …but nothing in it is the key that unwraps it: not as bytes, base64 or hex.
    master = keys.master_key()
    forms = [master, base64.urlsafe_b64encode(master).rstrip(b"="),
             base64.b64encode(master), master.hex().encode()]
    candidates = []
    for path in (installation / "before").rglob("*"):
        if path.is_file():
            content = path.read_bytes()
            assert not any(form in content for form in forms), path
            candidates += [content[:32], content.strip()[:32]]
    for candidate in candidates:
        if len(candidate) == 32:
            with pytest.raises(InvalidTag):
                AESGCM(candidate).decrypt(wrapped[:12], wrapped[12:], aad)
    # Only the key kept apart opened it (what the erasure destroyed was the wrapped key).
    assert AESGCM(master).decrypt(wrapped[:12], wrapped[12:], aad)
    with pytest.raises(vault.Unreadable):
        vault.open_sealed(sealed, context="request.details")


def test_erased_vault_rows_do_not_linger_in_the_sqlite_files(installation, citizen):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's secure_delete and write-ahead log only")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA secure_delete")
        assert cursor.fetchone()[0] == 1
    vault.seal(citizen, "secret", context="request.details")
    wrapped = bytes(CitizenVault.objects.get(user=citizen).wrapped_key)
    services.erase_my_data(actor=citizen, user=citizen)
    name = connection.settings_dict["NAME"]
    content = b"".join(
        open(p, "rb").read() for p in (name, f"{name}-wal")  # noqa: SIM115,PTH123
        if __import__("os").path.exists(p)
    )
    assert wrapped not in content


def test_backup_waits_for_a_running_task_and_holds_the_next(installation):
    pause._task_started()  # noqa: SLF001  (what the worker does before each task)
    with pytest.raises(TimeoutError, match="still runs"), pause.tasks_paused(timeout=0.5):
        pass
    pause._task_finished()  # noqa: SLF001
    started = threading.Event()

    def next_task() -> None:
        pause._task_started()  # noqa: SLF001
        started.set()
        pause._task_finished()  # noqa: SLF001

    with pause.tasks_paused(timeout=1):
        worker = threading.Thread(target=next_task)
        worker.start()
        time.sleep(0.5)
        assert not started.is_set()  # the task waits while the backup runs
    worker.join(5)
    assert started.is_set()
