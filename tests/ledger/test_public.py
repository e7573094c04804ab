"""Machine endpoints: checkpoint (C2SP format), key, tiles and entry bundles (tlog-tiles layout)."""

from __future__ import annotations

import base64
import gzip
import hashlib

import pytest

from spld.ledger import merkle, note
from spld.ledger.public import encode_index, parse_tile_path
from spld.ledger.verify import split_bundle

pytestmark = pytest.mark.django_db


def test_checkpoint_is_a_c2sp_signed_note(client, log_key, append_things):
    append_things(7)
    response = client.get("/log/checkpoint")
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert "max-age=2" in response["Cache-Control"]
    body = response.content.decode()
    lines = body.split("\n")
    assert lines[0] == "test.spld.example/log" and lines[1] == "7" and lines[3] == ""
    root = base64.b64decode(lines[2])
    hashes = [
        merkle.leaf_hash(bytes(e))
        for e in __import__("spld.ledger.models", fromlist=["LogEntry"])
        .LogEntry.objects.order_by("index")
        .values_list("leaf", flat=True)
    ]
    assert root == merkle.root_hash(hashes)
    assert lines[4].startswith("\u2014 test.spld.example/log ") and lines[5] == ""
    # Signature = base64(4-byte key ID || 64-byte Ed25519 signature over the note text).
    raw = base64.b64decode(lines[4].split(" ")[2])
    pub = log_key.verifier.public_key
    expected_id = hashlib.sha256(b"test.spld.example/log\n\x01" + pub).digest()[:4]
    assert raw[:4] == expected_id and len(raw) == 68
    assert log_key.verifier.verify_raw("\n".join(lines[:3]).encode() + b"\n", raw[4:])


def test_key_is_a_signed_note_verifier_key(client, log_key):
    vkey = client.get("/log/key").content.decode().strip()
    name, hex_id, blob = vkey.split("+", 2)
    raw = base64.b64decode(blob)
    assert name == "test.spld.example/log" and raw[0] == 1 and len(raw) == 33
    assert hex_id == hashlib.sha256(name.encode() + b"\n" + raw).digest()[:4].hex()
    assert note.parse_vkey(vkey) == log_key.verifier


def test_go_note_reference_vector():
    # Verifier key and signed note from golang.org/x/mod/sumdb/note's documentation.
    vkey = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
    signed = (
        "If you think cryptography is the answer to your problem,\n"
        "then you don't know what your problem is.\n\n"
        "\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSN"
        "XgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"
    )
    text = note.verify_note(signed, note.parse_vkey(vkey))
    assert text.startswith("If you think")


def test_tile_path_encoding():
    assert encode_index(0) == "000"
    assert encode_index(67) == "067"
    assert encode_index(1234067) == "x001/x234/067"
    assert parse_tile_path("x001/x234/067", None) == (1234067, 256)
    assert parse_tile_path("067", "12") == (67, 12)
    for bad in [("x000/067", None), ("67", None), ("067", "0"), ("067", "256"), ("067", "012")]:
        assert parse_tile_path(*bad) is None


def test_tiles_match_the_spec_layout(client, append_things):
    size = 256 * 3 + 5
    append_things(size)
    from spld.ledger.models import LogEntry

    leaves = [bytes(x) for x in LogEntry.objects.order_by("index").values_list("leaf", flat=True)]
    hashes = [merkle.leaf_hash(x) for x in leaves]
    # Level 0: leaf hashes.
    full = client.get("/log/tile/0/001")
    assert full.status_code == 200 and full["Content-Type"] == "application/octet-stream"
    assert "immutable" in full["Cache-Control"]
    assert full.content == b"".join(hashes[256:512])
    partial = client.get("/log/tile/0/003.p/5")
    assert partial.content == b"".join(hashes[768:773])
    assert client.get("/log/tile/0/003.p/3").content == b"".join(hashes[768:771])
    assert client.get("/log/tile/0/003").status_code == 404  # not full yet
    assert client.get("/log/tile/0/003.p/6").status_code == 404  # beyond the tree
    # Level 1: each hash is the MTH of a full level-0 tile; a partial tile of width 3.
    tile1 = client.get("/log/tile/1/000.p/3").content
    assert tile1 == b"".join(merkle.root_hash(hashes[i * 256 : (i + 1) * 256]) for i in range(3))
    assert client.get("/log/tile/1/000").status_code == 404
    # Entry bundles: uint16 length-prefixed leaves.
    bundle = client.get("/log/tile/entries/002")
    assert split_bundle(bundle.content) == leaves[512:768]
    zipped = client.get("/log/tile/entries/003.p/5", HTTP_ACCEPT_ENCODING="gzip")
    assert zipped["Content-Encoding"] == "gzip"
    assert split_bundle(gzip.decompress(zipped.content)) == leaves[768:773]
    for bad in [
        "/log/tile/64/000",
        "/log/tile/00/000",
        "/log/tile/0/x000/001",
        "/log/tile/0/000.p/0",
        "/log/tile/0/000.p/256",
        "/log/tile/entries/1",
        "/log/tile/abc/000",
    ]:
        assert client.get(bad).status_code == 404, bad


def test_post_only_on_cosignature_and_get_only_on_tiles(client, append_things):
    append_things(1)
    assert client.get("/log/cosignature").status_code == 405
    assert client.post("/log/checkpoint").status_code == 405
    response = client.post("/log/cosignature", data="garbage", content_type="text/plain")
    assert response.status_code == 400 and "illisible" in response.content.decode()
