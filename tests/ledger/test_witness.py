"""Witnesses: registration (admin only, logged), cosigning end to end, refusal of a forked log."""

from __future__ import annotations

import time

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.db import connection

from spld.ledger import log, note, services
from spld.ledger.models import Cosignature, LogEntry, Witness


def _witness_key(tmp_path, name="comite.test/temoin-1"):
    signer = note.Signer.generate(name, note.ALG_COSIGNATURE_V1)
    path = tmp_path / f"{name.replace('/', '_')}.key"
    path.write_text(signer.encode() + "\n")
    return signer, path


@pytest.mark.django_db
def test_only_spld_admins_register_witnesses_and_it_is_logged(
    spld_admin, editor, committee_member, tmp_path
):
    signer, _ = _witness_key(tmp_path)
    vkey = signer.verifier.vkey
    with pytest.raises(PermissionDenied):
        services.register_witness(actor=editor, name=signer.name, vkey=vkey, label="X")
    with pytest.raises(ValidationError):  # a log (0x01) key is not a cosigner key
        log_like = note.Signer.generate(signer.name)
        services.register_witness(
            actor=spld_admin, name=signer.name, vkey=log_like.verifier.vkey, label="X"
        )
    with pytest.raises(ValidationError):
        services.register_witness(
            actor=spld_admin, name=signer.name, vkey=vkey[:-4] + "AAAA", label="X"
        )
    w = services.register_witness(
        actor=spld_admin,
        name=signer.name,
        vkey=vkey,
        label="Membre du comité d’éthique",
        user=committee_member,
    )
    entry = LogEntry.objects.order_by("-index").first()
    assert (entry.subject_type, entry.subject_id, entry.action) == ("witness", w.name, "registered")
    assert b"comite@spld.example" not in bytes(entry.payload)  # no personal data in the log


@pytest.mark.django_db
def test_cosignature_submission_checks_everything(
    client, log_key, spld_admin, append_things, tmp_path
):
    signer, _ = _witness_key(tmp_path)
    services.register_witness(
        actor=spld_admin, name=signer.name, vkey=signer.verifier.vkey, label="T"
    )
    append_things(5)
    cp = log.sign_checkpoint()
    now = int(time.time())
    post = lambda body: client.post("/log/cosignature", data=body, content_type="text/plain")  # noqa: E731
    good = note.cosign(cp.text, signer, now)
    # Unknown checkpoint text.
    other = note.Checkpoint("test.spld.example/log", 5, b"\x00" * 32).text()
    assert post(other + "\n" + note.cosign(other, signer, now).line()).status_code == 400
    # Bad signature, future timestamp, unknown witness.
    bad = note.Signature(good.name, good.key_id, good.sig[:-1] + bytes([good.sig[-1] ^ 1]))
    assert "invalide" in post(cp.text + "\n" + bad.line()).content.decode()
    assert post(cp.text + "\n" + note.cosign(cp.text, signer, now + 3600).line()).status_code == 400
    stranger = note.Signer.generate("x.test/w", note.ALG_COSIGNATURE_V1)
    assert post(cp.text + "\n" + note.cosign(cp.text, stranger, now).line()).status_code == 400
    assert Cosignature.objects.count() == 0
    response = post(cp.text + "\n" + good.line())
    assert response.status_code == 201
    served = client.get("/log/checkpoint").content.decode()
    assert served.endswith(good.line())
    text, sigs = note.split_note(served)
    w = note.parse_vkey(Witness.objects.get().vkey)
    assert note.verify_cosignature(text, note.find_signature(sigs, w), w) == now


@pytest.mark.django_db(transaction=True)
def test_witness_command_end_to_end_and_refuses_a_fork(
    live_server, log_key, append_things, tmp_path
):
    from tests.factories import make_user

    admin = make_user("admin2@spld.example", superuser=True)
    signer, key_path = _witness_key(tmp_path)
    services.register_witness(actor=admin, name=signer.name, vkey=signer.verifier.vkey, label="T")
    append_things(30)
    state = tmp_path / "witness-state.json"
    args = [
        "log",
        "witness",
        "--url",
        live_server.url,
        "--key",
        str(key_path),
        "--state",
        str(state),
        "--log-key",
        log_key.verifier.vkey,
    ]
    call_command(*args)
    assert Cosignature.objects.get().checkpoint.size == 31  # 30 + the witness registration
    append_things(10, start=100)
    call_command(*args[:-2])  # the log key is now pinned in the state file
    assert Cosignature.objects.order_by("-checkpoint__size").first().checkpoint.size == 41
    # The log shows a different history with the same key: the witness refuses to cosign.
    with connection.cursor() as c:
        for model in ("cosignature", "checkpoint", "logentry", "treenode", "logstate"):
            c.execute(f"DELETE FROM ledger_{model}")
    append_things(50, start=500)
    with pytest.raises(CommandError, match="not consistent with the last verified checkpoint"):
        call_command(*args[:-2])
    assert Cosignature.objects.count() == 0
