"""The stored tree: proofs and roots read from the database equal merkle.py's in memory."""

from __future__ import annotations

import hashlib
import json

import pytest
from django.db import connection, transaction

from spld.ledger import log, merkle, services
from spld.ledger.models import LogEntry, LogState, TreeNode
from tests.ledger.conftest import Thing

SIZES = [1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 33, 64, 100, 255, 256, 257, 300]

# PostgreSQL: the state-row lock, one-round-trip writes and COPY for batches over 50.
pytestmark = pytest.mark.pgpaths


def _leaf_hashes() -> list[bytes]:
    return [
        bytes(h) for h in LogEntry.objects.order_by("index").values_list("leaf_hash", flat=True)
    ]


@pytest.mark.django_db
def test_proofs_and_roots_match_memory_for_many_sizes(append_things):
    done = 0
    for size in SIZES:
        append_things(size - done, start=done, batch=size % 2 == 0)
        done = size
        hashes = _leaf_hashes()
        assert len(hashes) == size
        assert log.current_state() == (size, merkle.root_hash(hashes))
        for old in range(1, size + 1):
            assert log.root_at(old) == merkle.root_hash(hashes[:old])
        for index in range(size):
            assert log.inclusion_proof(index, size) == merkle.inclusion_proof(index, hashes)
        for first in range(1, size + 1):
            assert log.consistency_proof(first, size) == merkle.consistency_proof(first, hashes)
    # Proofs at an earlier size still come from the stored nodes.
    assert log.inclusion_proof(3, 9) == merkle.inclusion_proof(3, hashes[:9])
    assert log.consistency_proof(5, 17) == merkle.consistency_proof(5, hashes[:17])


@pytest.mark.django_db
def test_stored_nodes_are_exactly_the_complete_subtrees(append_things):
    append_things(37)
    hashes = _leaf_hashes()
    expected = {}
    level, width = 1, 2
    while width <= 37:
        for i in range(37 // width):
            expected[(level << 56) | i] = merkle.root_hash(hashes[i * width : (i + 1) * width])
        level, width = level + 1, width * 2
    stored = {k: bytes(h) for k, h in TreeNode.objects.values_list("key", "hash")}
    assert stored == expected


@pytest.mark.django_db
def test_leaf_is_canonical_json_of_the_contract_fields(org, spld_admin):
    from spld.organizations import services as org_services

    org_services.update_organization(actor=spld_admin, organization=org, description="Eau")
    entry = LogEntry.objects.order_by("-index").first()
    doc = json.loads(bytes(entry.leaf))
    assert sorted(doc) == ["action", "actor_org", "at", "id", "payload_sha256", "type"]
    assert doc["type"] == "organization" and doc["id"] == org.slug and doc["action"] == "updated"
    assert doc["at"].endswith("Z")
    assert doc["payload_sha256"] == hashlib.sha256(bytes(entry.payload)).hexdigest()
    assert json.loads(bytes(entry.payload))["description"] == "Eau"
    from spld.core.canonical import canonical_json

    assert bytes(entry.leaf) == canonical_json(doc)
    assert bytes(entry.payload) == canonical_json(json.loads(bytes(entry.payload)))
    assert bytes(entry.leaf_hash) == merkle.leaf_hash(bytes(entry.leaf))


@pytest.mark.django_db
def test_actor_org_is_the_organisation_the_actor_acts_for(org, org_admin, spld_admin):
    from spld.organizations import services as org_services

    org_services.update_organization(actor=org_admin, organization=org, description="a")
    org_services.update_organization(actor=spld_admin, organization=org, description="b")
    a, b = LogEntry.objects.order_by("-index")[:2][::-1]
    assert a.actor_org == org.slug
    assert b.actor_org == ""  # the SPLD team


@pytest.mark.django_db(transaction=True)
def test_no_entry_without_its_change_and_no_change_without_its_entry():
    with pytest.raises(RuntimeError), transaction.atomic():
        services.record(actor=None, subject=Thing("a"), action="created")
        raise RuntimeError("the change fails after its entry was appended")
    assert LogEntry.objects.count() == 0
    assert log.current_size() == 0
    services.record(actor=None, subject=Thing("b"), action="created")
    assert log.current_state() == (1, merkle.leaf_hash(bytes(LogEntry.objects.get().leaf)))


@pytest.mark.django_db
def test_canonical_fast_path_equals_rfc8785():
    from spld.core.canonical import canonical_json

    for value in [
        {"b": 1, "a": [True, None, 'é\u2028\x01"\\'], "c": {"z": -5, "y": "𝄞"}},
        {"f": 1.5},
        {"x": 10.0},
        {"k\U0001d11e": 1, "k\uffff": 2},
    ]:
        assert log.jcs(value) == canonical_json(value)
    with pytest.raises(ValueError):  # beyond IEEE doubles: refused, as by RFC 8785
        log.jcs({"n": 2**60})


@pytest.mark.django_db
def test_state_frontier_matches_decomposition(append_things):
    append_things(13)
    state = LogState.objects.get()
    ranges = merkle.subtree_decomposition(0, 13)
    table = log.subtree_hashes(ranges)
    assert bytes(state.frontier) == b"".join(table[r] for r in ranges)
    assert connection.vendor in {"sqlite", "postgresql"}


@pytest.mark.parametrize("text", ["plain", 'é\u2028\x01"\\</script>', "𝄞 \x7f \t\n"])
def test_leaf_bytes_are_rfc8785_for_any_string(text):
    from datetime import UTC, datetime

    from spld.core.canonical import canonical_json

    leaf = log.NewLeaf(
        subject_type=text,
        subject_id=text,
        action=text,
        actor_org=text,
        at=datetime(2026, 1, 2, 3, 4, 5, 6, tzinfo=UTC),
        payload=b"{}",
    )
    assert leaf.leaf_bytes() == canonical_json(leaf.document())


@pytest.mark.django_db
def test_record_returns_the_stored_entry():
    entry = services.record(actor=None, subject=Thing("r"), action="created")
    stored = LogEntry.objects.get(index=entry.index)
    assert bytes(stored.leaf) == entry.leaf and bytes(stored.leaf_hash) == entry.leaf_hash
