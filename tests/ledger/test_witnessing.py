"""Witnessing on the worker's schedule: the served checkpoint is cosigned within the delay."""

from __future__ import annotations

import time
from io import StringIO

import pytest
from django.core.management import call_command

from spld.core import recovery
from spld.ledger import log, note, services, witnessing
from spld.ledger.models import Checkpoint

pytestmark = pytest.mark.django_db(transaction=True)

NAME = "partenaire.example/temoin"


@pytest.fixture
def local_witness(settings, tmp_path, log_key, spld_admin):
    """A witness whose private key this installation hosts (SPLD_DATA_DIR/witnesses)."""
    settings.DATA_DIR = tmp_path
    settings.SPLD_WITNESS_INTERVAL_SECONDS = 1
    signer = note.Signer.generate(NAME, note.ALG_COSIGNATURE_V1)
    witnessing.witness_dir().mkdir(parents=True)
    witnessing.key_path(NAME).write_text(signer.encode() + "\n")
    services.register_witness(actor=spld_admin, name=NAME, vkey=signer.verifier.vkey,
                              label="Partenaire témoin")
    recovery._last_run.clear()
    return signer


def _cosigned(cp: Checkpoint) -> bool:
    return cp.cosignatures.filter(witness__name=NAME).exists()


def test_the_worker_cosigns_each_new_checkpoint_within_the_delay(local_witness, append_things):
    append_things(30)
    call_command("worker", batch=True)
    first = log.latest_checkpoint(refresh=False)
    assert first.size == 31 and _cosigned(first)  # 30 entries + the witness registration
    append_things(20, start=30)
    time.sleep(1.1)
    call_command("worker", batch=True)
    second = log.latest_checkpoint(refresh=False)
    assert second.size == 51 and _cosigned(second)  # consistent with the first: cosigned


def test_no_witnessing_when_the_delay_is_zero(local_witness, append_things, settings):
    settings.SPLD_WITNESS_INTERVAL_SECONDS = 0
    append_things(5)
    call_command("worker", batch=True)
    assert not any(_cosigned(cp) for cp in Checkpoint.objects.all())


def test_the_cosignature_age_is_shown_on_the_hub_and_by_log_verify(
        local_witness, append_things, client, live_server, log_key):
    html = client.get("/transparence/").content.decode()
    assert "Aucune contre-signature" in html or "Contre-signature" not in html
    append_things(10)
    call_command("worker", batch=True)
    html = client.get("/transparence/").content.decode()
    assert "Contre-signature du journal" in html and "contresigné par 1 témoin" in html
    assert "Dernière contre-signature il y a" in html
    out = StringIO()
    call_command("log", "verify", "--url", live_server.url, "--key", log_key.verifier.vkey,
                 stdout=out)
    assert f"cosigned by {NAME} (newest cosignature" in out.getvalue()
    assert " s old)" in out.getvalue()
