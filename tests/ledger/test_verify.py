"""`spld log check` and `spld log verify`: success, and tamper detection naming the bad index."""

from __future__ import annotations

import json

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from spld.ledger import log
from spld.ledger.models import LogEntry, TreeNode, node_key


def _run(*args: str) -> str:
    from io import StringIO

    out = StringIO()
    call_command("log", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_check_passes_on_a_sound_log(log_key, append_things):
    append_things(300)
    log.sign_checkpoint()
    append_things(40, start=300, batch=False)
    assert "OK: 340 entries" in _run("check")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "tamper,index",
    [
        ("leaf", 57),
        ("payload", 123),
        ("leaf_hash", 200),
        ("node", 64),
        ("rewrite", None),
    ],
)
def test_check_detects_tampering(log_key, append_things, tamper, index):
    append_things(260)
    log.sign_checkpoint()
    if tamper == "leaf":
        e = LogEntry.objects.get(index=57)
        LogEntry.objects.filter(index=57).update(leaf=bytes(e.leaf).replace(b"t57", b"t58"))
    elif tamper == "payload":
        LogEntry.objects.filter(index=123).update(payload=b'{"id":"t123","n":999}')
    elif tamper == "leaf_hash":
        LogEntry.objects.filter(index=200).update(leaf_hash=b"\x00" * 32)
    elif tamper == "node":
        TreeNode.objects.filter(key=node_key(6, 1)).update(hash=b"\x11" * 32)
    else:
        # A careful forger rewrites leaf, leaf hash and every subtree hash: only the signed
        # checkpoint still remembers the truth.
        from spld.ledger import merkle
        from spld.ledger.verify import levels_from_leaves, root_from_levels

        e = LogEntry.objects.get(index=10)
        forged = bytes(e.leaf).replace(b'"at":"2', b'"at":"1')
        LogEntry.objects.filter(index=10).update(leaf=forged, leaf_hash=merkle.leaf_hash(forged))
        hashes = [bytes(h) for h in LogEntry.objects.values_list("leaf_hash", flat=True)]
        levels = levels_from_leaves(hashes)
        for h in range(1, len(levels)):
            for i, value in enumerate(levels[h]):
                TreeNode.objects.filter(key=node_key(h, i)).update(hash=value)
        from spld.ledger.models import LogState

        LogState.objects.update(
            root=root_from_levels(levels, 260), frontier=levels[8][0] + levels[2][64]
        )
    with pytest.raises(CommandError) as excinfo:
        _run("check")
    message = str(excinfo.value)
    assert message.startswith("FAILED")
    if index is not None:
        assert f"first bad index: {index}" in message
    else:
        assert "checkpoint 260" in message
    # The log refuses to sign a checkpoint over a tree that diverged from the last one.
    if tamper == "rewrite":
        append_things(1, start=999)
        with pytest.raises(log.LogError):
            log.sign_checkpoint()


@pytest.mark.django_db(transaction=True)
def test_verify_over_http_then_detects_tampering(live_server, log_key, append_things, tmp_path):
    append_things(600)
    state = tmp_path / "state.json"
    out = _run(
        "verify", "--url", live_server.url, "--key", log_key.verifier.vkey, "--state", str(state)
    )
    assert "OK: test.spld.example/log size 600" in out
    assert json.loads(state.read_text())["size"] == 600
    append_things(100, start=600)
    out = _run("verify", "--url", live_server.url, "--state", str(state))
    assert "size 700" in out and "consistent with 600" in out

    LogEntry.objects.filter(index=321).update(payload=b'{"id":"t321","n":-1}')
    with pytest.raises(CommandError, match="first bad index: 321"):
        _run("verify", "--url", live_server.url, "--state", str(state))
    LogEntry.objects.filter(index=321).update(payload=b'{"id":"t321","n":321}')
    e = LogEntry.objects.get(index=5)
    LogEntry.objects.filter(index=5).update(leaf=bytes(e.leaf) + b" ")
    with pytest.raises(CommandError, match="first bad index: 5"):
        _run("verify", "--url", live_server.url, "--state", str(state), "--no-payloads")


@pytest.mark.django_db(transaction=True)
def test_verify_refuses_a_wrong_key_and_a_rewritten_history(
    live_server, log_key, append_things, tmp_path, settings
):
    append_things(20)
    other = log.note.Signer.generate("test.spld.example/log")
    with pytest.raises(CommandError, match="checkpoint rejected"):
        _run("verify", "--url", live_server.url, "--key", other.verifier.vkey)
    state = tmp_path / "s.json"
    _run("verify", "--url", live_server.url, "--key", log_key.verifier.vkey, "--state", str(state))
    # The operator wipes the log and rebuilds it differently, with the same key.
    with connection.cursor() as c:
        for model in ("logentry", "treenode", "logstate", "checkpoint"):
            c.execute(f"DELETE FROM ledger_{model}")
    append_things(25, start=1000)
    with pytest.raises(CommandError, match="not consistent with the last verified checkpoint"):
        _run("verify", "--url", live_server.url, "--state", str(state))


def test_every_single_character_change_of_a_signed_note_is_refused():
    import string

    from spld.ledger import note

    signer = note.Signer.generate("spld.example/log")
    signed = note.sign_note("spld.example/log\n3\nq1MgO0dQNw2WeJYcyVyN5uzpCRmEPbRe2xGq0HjrXgM=\n",
                            signer)
    assert note.verify_note(signed, signer.verifier)
    accepted = []
    for position, original in enumerate(signed):
        for letter in string.ascii_letters + string.digits + "+/=-_ \n":
            if letter == original:
                continue
            try:
                note.verify_note(signed[:position] + letter + signed[position + 1:],
                                 signer.verifier)
            except note.NoteError:
                continue
            accepted.append((position, letter))
    assert accepted == []
