"""Unsafe states are refused: no invented key, no start with a foreign key, lost files named."""

from __future__ import annotations

import uuid

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from spld.ledger import log
from spld.rights import jws, keys, receipts, vault
from tests.catalog.helpers import WATER_CSV, make_dataset, make_resource


@pytest.fixture
def key_files(settings, tmp_path):
    """Every key in its own temporary place, created by `spld keys init`; returns the paths."""
    settings.RIGHTS_KEYS_DIR = str(tmp_path / "data" / "keys")
    settings.RIGHTS_VAULT_MASTER_KEY_PATH = tmp_path / "secrets" / "vault-master.key"
    settings.LOG_KEY_PATH = tmp_path / "data" / "log-key"
    settings.LOG_ORIGIN = "test.spld.example/log"
    settings.STARTUP_CHECK = "spld.portal.integrity.assert_safe_to_start"
    return tmp_path


def _issue_receipt(user):
    return receipts.for_erasure(actor=user, user=user, subject_ref=uuid.uuid4(), deleted={},
                                at=timezone.now())


def test_no_key_is_invented_outside_the_demo(db, key_files, settings):
    settings.DEMO_MODE = False
    with pytest.raises(keys.KeyMissing, match="receipts-ed25519.pem"):
        keys.receipt_signing_key()
    with pytest.raises(keys.KeyMissing, match="vault-master.key"):
        keys.master_key()
    assert not (key_files / "data" / "keys").exists()
    assert not (key_files / "secrets").exists()


def test_the_demo_never_invents_a_key_once_data_depends_on_it(db, key_files, settings,
                                                                citizen):
    settings.DEMO_MODE = True
    log.create_key()
    receipt = _issue_receipt(citizen)  # the demo may create the first receipt key
    vault.seal(citizen, "secret", context="request.details")
    keys.receipt_key_path().unlink()
    keys.vault_key_path().unlink()
    with pytest.raises(keys.KeyMissing, match="receipts-ed25519.pem"):
        jws.verify(receipt.jws)
    with pytest.raises(keys.KeyMissing, match="vault-master.key"):
        keys.master_key()
    assert not keys.receipt_key_path().exists()


def test_keys_init_creates_keys_once_and_outside_the_data_folder(db, key_files, settings,
                                                                 citizen, capsys):
    settings.DEMO_MODE = False
    call_command("keys", "init")
    out = capsys.readouterr().out
    assert "created:" in out
    assert keys.vault_key_path().stat().st_mode & 0o777 == 0o600
    assert key_files / "data" not in keys.vault_key_path().parents
    vault.seal(citizen, "secret", context="request.details")
    call_command("keys", "init")
    assert "every key already exists" in capsys.readouterr().out
    keys.vault_key_path().unlink()
    with pytest.raises(CommandError, match="vault key .the database already depends on it"):
        call_command("keys", "init")


def test_legacy_vault_key_moves_out_of_the_data_folder(db, key_files, settings, citizen):
    settings.DEMO_MODE = False
    call_command("keys", "init")
    sealed = vault.seal(citizen, "secret", context="request.details")
    legacy = keys.legacy_vault_key_path()
    keys.vault_key_path().replace(legacy)  # how 0.1 kept it
    call_command("keys", "move-vault-key")
    assert not legacy.exists()
    assert vault.open_text(sealed, context="request.details") == "secret"


def test_a_replaced_receipt_key_fails_check_and_start(db, key_files, settings, citizen):
    settings.DEMO_MODE = False
    call_command("keys", "init")
    log.create_key()
    receipt = _issue_receipt(citizen)
    call_command("check")  # a sound installation passes
    assert jws.verify(receipt.jws)
    keys.receipt_key_path().unlink()
    with pytest.raises(CommandError, match="receipt key .the database already depends on it"):
        call_command("keys", "init")
    with pytest.raises(CommandError, match=r"receipts-ed25519\.pem"):
        call_command("check")
    assert not keys.receipt_key_path().exists()


def test_foreign_keys_are_refused_naming_the_file(db, key_files, settings, citizen):
    settings.DEMO_MODE = False
    call_command("keys", "init")
    log.create_key()
    _issue_receipt(citizen)
    vault.seal(citizen, "secret", context="request.details")
    log.sign_checkpoint()
    call_command("check")

    # A receipt key that did not sign the issued receipts (a data folder swapped).
    original = keys.receipt_key_path().read_bytes()
    keys.receipt_key_path().write_bytes(keys._new_receipt_pem())  # noqa: SLF001
    with pytest.raises(CommandError, match=r"receipts-ed25519\.pem"):
        call_command("check")
    for command in ("worker", "serve"):
        with pytest.raises(CommandError, match="refuses to start"):
            call_command(command, "--batch") if command == "worker" else call_command(command)
    keys.receipt_key_path().write_bytes(original)

    # A vault master key that does not open the vaults.
    original = keys.vault_key_path().read_bytes()
    keys.vault_key_path().write_bytes(b"\0" * 32)
    with pytest.raises(CommandError, match=r"vault-master\.key does not open"):
        call_command("check")
    keys.vault_key_path().write_bytes(original)

    # A log key that did not sign the published checkpoint.
    original_log = settings.LOG_KEY_PATH.read_text()
    log.create_key(force=True)
    with pytest.raises(CommandError, match=r"log-key did not sign"):
        call_command("check")
    settings.LOG_KEY_PATH.write_text(original_log)

    # A missing key: named, with the command that makes one.
    settings.LOG_KEY_PATH.unlink()
    with pytest.raises(ImproperlyConfigured, match=r"log key missing: .*log-key"):
        from spld.portal.integrity import assert_safe_to_start

        assert_safe_to_start()
    settings.LOG_KEY_PATH.write_text(original_log)
    call_command("check")


def test_wsgi_refuses_to_start_with_a_missing_key(db, key_files, settings, citizen):
    settings.DEMO_MODE = False
    call_command("keys", "init")
    log.create_key()
    _issue_receipt(citizen)
    keys.receipt_key_path().unlink()
    import importlib
    import sys

    sys.modules.pop("spld.wsgi", None)
    with pytest.raises(ImproperlyConfigured, match=r"receipts-ed25519\.pem"):
        importlib.import_module("spld.wsgi")
    sys.modules.pop("spld.wsgi", None)


def test_a_lost_data_file_is_named_answered_503_and_not_advertised(client, key_files, settings,
                                                                   editor, org):
    settings.DEMO_MODE = False
    call_command("keys", "init")
    log.create_key()
    dataset = make_dataset(editor, org)
    resource = make_resource(editor, dataset, WATER_CSV)
    version = resource.current_version
    call_command("check")
    base = f"/api/1/resources/{resource.rid}/data/"
    assert client.get(base).status_code == 200

    data = bytearray(version.file_path.read_bytes())
    data[len(data) // 2] ^= 0xFF  # same size, other content
    version.file_path.write_bytes(bytes(data))
    with pytest.raises(CommandError, match="checksum differs"):
        call_command("check")

    version.file_path.unlink()
    with pytest.raises(CommandError, match=f"data file missing: {version.file_path}"):
        call_command("check")
    for url in (base, base + "csv/", base + "parquet/", base + "json/"):
        response = client.get(url)
        assert response.status_code == 503, url
        assert "indisponible" in response.json()["error"]["message"]
    page = client.get(dataset.get_absolute_url())
    assert page.status_code == 200
    assert "momentanément indisponible" in page.content.decode()
    dcat = client.get("/catalog.ttl").content.decode()
    assert f"{resource.rid}/csv" not in dcat
    ckan = client.get(f"/api/3/action/package_show?id={dataset.slug}").json()
    assert ckan["result"]["resources"] == []


def test_an_altered_log_fails_check(db, key_files, settings, citizen):
    from spld.ledger.models import LogEntry

    settings.DEMO_MODE = False
    call_command("keys", "init")
    log.create_key()
    _issue_receipt(citizen)
    log.sign_checkpoint()
    call_command("check")
    LogEntry.objects.filter(index=0).update(payload=b'{"forged": true}')
    with pytest.raises(CommandError, match="transparency log inconsistent"):
        call_command("check")
    call_command("check", "--quick")  # the quick check does not replay the log
