"""JSON API of the log: entries, proofs, checkpoint, and 400s on bad proof requests."""

from __future__ import annotations

import base64
import json

import pytest

from spld.ledger import merkle, note

pytestmark = pytest.mark.django_db


def _b(s: str) -> bytes:
    return base64.b64decode(s)


def test_entry_returns_exact_leaf_hash_and_payload(client, log_key, append_things):
    append_things(5)
    body = client.get("/api/1/log/entries/3").json()
    assert body["index"] == 3
    assert _b(body["leaf_hash"]) == merkle.leaf_hash(_b(body["leaf"]))
    assert body["payload"] == {"id": "t3", "n": 3}
    assert json.loads(_b(body["leaf"]))["id"] == "t3"


def test_entries_range(client, append_things):
    append_things(12)
    body = client.get("/api/1/log/entries?start=10&limit=5").json()
    assert [e["index"] for e in body] == [10, 11]
    assert client.get("/api/1/log/entries?limit=0").status_code == 400
    assert client.get("/api/1/log/entries?limit=1001").status_code == 400


def test_inclusion_and_consistency_proofs_verify_against_signed_checkpoint(
    client, log_key, append_things
):
    append_things(21)
    body = client.get("/api/1/log/proof/inclusion?index=7").json()
    assert body["size"] == 21
    text = note.verify_note(body["checkpoint"], log_key.verifier)
    cp = note.parse_checkpoint(text)
    leaf = _b(client.get("/api/1/log/entries/7").json()["leaf_hash"])
    assert merkle.verify_inclusion(leaf, 7, 21, [_b(h) for h in body["proof"]], cp.root)

    old_root = _b(client.get("/api/1/log/proof/inclusion?index=0&size=13").json()["root_hash"])
    body = client.get("/api/1/log/proof/consistency?first=13&second=21").json()
    assert merkle.verify_consistency(13, 21, [_b(h) for h in body["proof"]], old_root, cp.root)
    assert body["checkpoint"] is not None
    # A size with no checkpoint still gets its proof, with checkpoint null.
    assert client.get("/api/1/log/proof/inclusion?index=1&size=5").json()["checkpoint"] is None


@pytest.mark.parametrize(
    "url,field",
    [
        ("/api/1/log/proof/inclusion?index=10&size=10", "index"),
        ("/api/1/log/proof/inclusion?index=99", "index"),
        ("/api/1/log/proof/inclusion?index=1&size=11", "size"),
        ("/api/1/log/proof/inclusion?index=-1&size=5", "index"),
        ("/api/1/log/proof/inclusion?index=1&size=-5", "size"),
        ("/api/1/log/proof/inclusion?index=abc", "index"),
        ("/api/1/log/proof/inclusion?index=1.5", "index"),
        ("/api/1/log/proof/inclusion?index=1&size=1e3", "size"),
        ("/api/1/log/proof/inclusion", "index"),
        ("/api/1/log/proof/inclusion?index=99999999999999999999999", "index"),
        ("/api/1/log/proof/consistency?first=6&second=4", "first"),
        ("/api/1/log/proof/consistency?first=0&second=4", "first"),
        ("/api/1/log/proof/consistency?first=2&second=11", "second"),
        ("/api/1/log/proof/consistency?first=-2&second=4", "first"),
        ("/api/1/log/proof/consistency?first=x&second=4", "first"),
        ("/api/1/log/proof/consistency?first=2&second=four", "second"),
        ("/api/1/log/proof/consistency", "first"),
        ("/api/1/log/entries/-1", "index"),
        ("/api/1/log/entries/abc", "index"),
        ("/api/1/log/entries?start=-3", "start"),
    ],
)
def test_bad_proof_requests_are_400_with_a_message(client, log_key, append_things, url, field):
    append_things(10)
    response = client.get(url)
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "bad_request" and error["message"]
    assert error["fields"][0]["field"] == field


def test_missing_entry_is_404(client, append_things):
    append_things(2)
    response = client.get("/api/1/log/entries/2")
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"


def test_checkpoint_json(client, log_key, append_things):
    append_things(3)
    body = client.get("/api/1/log/checkpoint").json()
    assert body["size"] == 3 and body["origin"] == "test.spld.example/log"
    assert body["verifier_key"] == log_key.verifier.vkey
    note.verify_note(body["note"], note.parse_vkey(body["verifier_key"]))


def test_checkpoint_without_key_is_503(client, settings, tmp_path, append_things):
    settings.LOG_KEY_PATH = tmp_path / "absent"
    append_things(1)
    response = client.get("/api/1/log/checkpoint")
    assert response.status_code == 503 and response.json()["error"]["code"] == "no_checkpoint"
    assert client.get("/log/checkpoint").status_code == 503
    assert client.get("/log/key").status_code == 503
