"""Property tests of spld.ledger.merkle against a literal RFC 9162 reference implementation."""

import hashlib

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from spld.ledger import merkle

PROPS = settings(max_examples=200, deadline=None)
EVERY = settings(max_examples=60, deadline=None)  # every proof of a tree: O(n log n) each
HEAVY = settings(max_examples=10, deadline=None)  # every proof from the leaf list: O(n^2)


# --- Reference: RFC 9162 section 2.1 transcribed literally (recursive, on leaf hashes) ---


def _sha(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def _k(n: int) -> int:
    """Largest power of two strictly smaller than n, found the slow obvious way."""
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def ref_mth(d: list[bytes]) -> bytes:
    if not d:
        return _sha(b"")
    if len(d) == 1:
        return d[0]
    k = _k(len(d))
    return _sha(b"\x01" + ref_mth(d[:k]) + ref_mth(d[k:]))


def ref_path(m: int, d: list[bytes]) -> list[bytes]:
    if len(d) == 1:
        return []
    k = _k(len(d))
    if m < k:
        return ref_path(m, d[:k]) + [ref_mth(d[k:])]
    return ref_path(m - k, d[k:]) + [ref_mth(d[:k])]


def ref_subproof(m: int, d: list[bytes], b: bool) -> list[bytes]:
    if m == len(d):
        return [] if b else [ref_mth(d)]
    k = _k(len(d))
    if m <= k:
        return ref_subproof(m, d[:k], b) + [ref_mth(d[k:])]
    return ref_subproof(m - k, d[k:], False) + [ref_mth(d[:k])]


def ref_proof(m: int, d: list[bytes]) -> list[bytes]:
    return ref_subproof(m, d, True)


# Proof "shapes": how a verifier combines each element, as PATH/PROOF above build them.
# Neither proof binds the tree size by itself, so a proof still verifies under another
# size exactly when the shape is the same (a signed tree head binds size and root).


def path_shape(m: int, n: int) -> tuple[str, ...]:
    if n == 1:
        return ()
    k = _k(n)
    if m < k:
        return (*path_shape(m, k), "right")
    return (*path_shape(m - k, n - k), "left")


def proof_shape(m: int, n: int, b: bool = True) -> tuple[str, ...]:
    if m == n:
        return ("old-root",) if b else ("node",)
    k = _k(n)
    if m <= k:
        return (*proof_shape(m, k, b), "right")
    return (*proof_shape(m - k, n - k, False), "left")


# --- Strategies and helpers ---


def _leaves(n: int, seed: bytes) -> list[bytes]:
    # Distinct leaf data per position, so no two subtrees can hash alike by accident.
    return [merkle.leaf_hash(seed + i.to_bytes(4, "big")) for i in range(n)]


@st.composite
def trees(draw, min_size: int = 1, max_size: int = 300) -> list[bytes]:
    n = draw(st.integers(min_size, max_size))
    return _leaves(n, draw(st.binary(max_size=8)))


def _subtree_table(leaves: list[bytes]) -> dict[tuple[int, int], bytes]:
    """Hash of every complete aligned subtree, as the storage layer would keep them."""
    table = {(i, i + 1): h for i, h in enumerate(leaves)}
    size = 1
    while 2 * size <= len(leaves):
        for a in range(0, len(leaves) - 2 * size + 1, 2 * size):
            table[a, a + 2 * size] = merkle.node_hash(
                table[a, a + size], table[a + size, a + 2 * size]
            )
        size *= 2
    return table


def _lookup(table: dict[tuple[int, int], bytes]):
    """Adapt a subtree table to proof_from_nodes' (start, end) -> hash callback."""
    return lambda start, end: table[start, end]


def _flip(h: bytes, bit: int) -> bytes:
    b = bytearray(h)
    b[bit // 8] ^= 1 << (bit % 8)
    return bytes(b)


bits = st.integers(0, 8 * merkle.HASH_SIZE - 1)
hashes = st.binary(min_size=32, max_size=32)


# --- Tree hashes and range helpers ---


@PROPS
@given(trees(min_size=0))
def test_root_hash_is_rfc_mth(leaves):
    assert merkle.root_hash(leaves) == ref_mth(leaves)


@PROPS
@given(trees(min_size=0))
def test_root_from_decomposition_is_root(leaves):
    table = _subtree_table(leaves)
    peaks = [table[r] for r in merkle.subtree_decomposition(0, len(leaves))]
    assert merkle.root_from_subtrees(peaks) == ref_mth(leaves)


@PROPS
@given(st.integers(0, 1 << 40), st.integers(0, 1 << 12))
@example(0, 0)
@example(0, 7)
@example(5, 3)
def test_subtree_decomposition(start, length):
    end = start + length
    ranges = merkle.subtree_decomposition(start, end)
    # Contiguous cover of [start, end), left to right.
    assert [a for a, _ in ranges] == [start, *(b for _, b in ranges)][: len(ranges)]
    assert (ranges[-1][1] if ranges else start) == end
    for a, b in ranges:
        size = b - a
        assert size > 0 and size & (size - 1) == 0 and a % size == 0  # complete, aligned
        parent = a - a % (2 * size)
        assert not (start <= parent and parent + 2 * size <= end)  # maximal


def test_bad_ranges_raise():
    for call in (
        lambda: merkle.subtree_decomposition(3, 2),
        lambda: merkle.subtree_decomposition(-1, 2),
        lambda: merkle.inclusion_proof_nodes(3, 3),
        lambda: merkle.inclusion_proof_nodes(-1, 3),
        lambda: merkle.consistency_proof_nodes(0, 3),
        lambda: merkle.consistency_proof_nodes(4, 3),
        lambda: merkle.inclusion_proof(0, []),
        lambda: merkle.consistency_proof(0, _leaves(2, b"")),
    ):
        with pytest.raises(ValueError):
            call()


# --- Generation equals the RFC definition, via both the leaf list and stored subtrees ---


@PROPS
@given(st.data(), trees())
def test_inclusion_proof_is_rfc_path(data, leaves):
    m = data.draw(st.integers(0, len(leaves) - 1))
    expected = ref_path(m, leaves)
    assert merkle.inclusion_proof(m, leaves) == expected
    nodes = merkle.inclusion_proof_nodes(m, len(leaves))
    assert merkle.proof_from_nodes(nodes, _lookup(_subtree_table(leaves))) == expected


@PROPS
@given(st.data(), trees())
def test_consistency_proof_is_rfc_proof(data, leaves):
    m = data.draw(st.integers(1, len(leaves)))
    expected = ref_proof(m, leaves)
    assert merkle.consistency_proof(m, leaves) == expected
    nodes = merkle.consistency_proof_nodes(m, len(leaves))
    assert merkle.proof_from_nodes(nodes, _lookup(_subtree_table(leaves))) == expected


# --- Every proof verifies ---


@EVERY
@given(trees())
@example(_leaves(300, b""))
def test_every_proof_from_stored_subtrees_verifies(leaves):
    n, table, root = len(leaves), _subtree_table(leaves), merkle.root_hash(leaves)
    for m in range(n):
        proof = merkle.proof_from_nodes(merkle.inclusion_proof_nodes(m, n), _lookup(table))
        assert merkle.verify_inclusion(leaves[m], m, n, proof, root)
    for m in range(1, n + 1):
        proof = merkle.proof_from_nodes(merkle.consistency_proof_nodes(m, n), _lookup(table))
        # The old root too comes from stored subtrees: the peaks of the first m leaves.
        old = merkle.root_from_subtrees([table[r] for r in merkle.subtree_decomposition(0, m)])
        assert merkle.verify_consistency(m, n, proof, old, root)


@HEAVY
@given(trees())
@example(_leaves(1, b""))
@example(_leaves(300, b""))
def test_every_proof_from_leaves_verifies(leaves):
    n, root = len(leaves), merkle.root_hash(leaves)
    for m in range(n):
        assert merkle.verify_inclusion(leaves[m], m, n, merkle.inclusion_proof(m, leaves), root)
    for m in range(1, n + 1):
        old = merkle.root_hash(leaves[:m])
        assert merkle.verify_consistency(m, n, merkle.consistency_proof(m, leaves), old, root)


# --- Inclusion: any tampering is rejected ---


@st.composite
def inclusion_cases(draw, min_size: int = 1):
    leaves = draw(trees(min_size=min_size))
    m = draw(st.integers(0, len(leaves) - 1))
    return leaves, m, merkle.inclusion_proof(m, leaves), merkle.root_hash(leaves)


@PROPS
@given(st.data(), inclusion_cases(min_size=2))
def test_inclusion_rejects_flipped_bits(data, case):
    leaves, m, proof, root = case
    n, bit = len(leaves), data.draw(bits)
    i = data.draw(st.integers(0, len(proof) - 1))
    tampered = [*proof[:i], _flip(proof[i], bit), *proof[i + 1 :]]
    assert not merkle.verify_inclusion(leaves[m], m, n, tampered, root)
    assert not merkle.verify_inclusion(_flip(leaves[m], bit), m, n, proof, root)
    assert not merkle.verify_inclusion(leaves[m], m, n, proof, _flip(root, bit))


@PROPS
@given(st.data(), inclusion_cases())
def test_inclusion_rejects_wrong_length(data, case):
    leaves, m, proof, root = case
    n = len(leaves)
    at = data.draw(st.integers(0, len(proof)))
    extra = data.draw(hashes)
    assert not merkle.verify_inclusion(leaves[m], m, n, [*proof[:at], extra, *proof[at:]], root)
    if proof:
        i = data.draw(st.integers(0, len(proof) - 1))
        assert not merkle.verify_inclusion(leaves[m], m, n, proof[:i] + proof[i + 1 :], root)
        cut = data.draw(st.sampled_from([0, 31, 33, 64]))
        short = [*proof[:i], (proof[i] * 3)[:cut], *proof[i + 1 :]]
        assert not merkle.verify_inclusion(leaves[m], m, n, short, root)


@PROPS
@given(st.data(), inclusion_cases())
def test_inclusion_rejects_other_index_and_size(data, case):
    leaves, m, proof, root = case
    n = len(leaves)
    other_m = data.draw(st.integers(0, 2 * n).filter(lambda x: x != m))
    assert not merkle.verify_inclusion(leaves[m], other_m, n, proof, root)
    other_n = data.draw(st.integers(0, 2 * n + 2).filter(lambda x: x != n))
    same_shape = m < other_n and path_shape(m, other_n) == path_shape(m, n)
    assert merkle.verify_inclusion(leaves[m], m, other_n, proof, root) is same_shape


def test_inclusion_proof_does_not_bind_size():
    # Documented consequence of RFC 9162: index 0 has the same path shape in trees of 5
    # and 6 leaves, so only the (size, root) pair of a signed tree head pins the size.
    leaves = _leaves(5, b"")
    proof, root = merkle.inclusion_proof(0, leaves), merkle.root_hash(leaves)
    assert merkle.verify_inclusion(leaves[0], 0, 6, proof, root)
    assert not merkle.verify_inclusion(leaves[0], 0, 9, proof, root)


@PROPS
@given(st.data(), inclusion_cases(min_size=2))
def test_inclusion_rejects_other_roots(data, case):
    leaves, m, proof, root = case
    n = len(leaves)
    other_n = data.draw(st.integers(m + 1, n + 1).filter(lambda x: x != n))
    other_root = merkle.root_hash((leaves + _leaves(1, b"extra"))[:other_n])  # other size
    assert not merkle.verify_inclusion(leaves[m], m, n, proof, other_root)
    assert not merkle.verify_inclusion(root, m, n, proof, leaves[m])  # leaf and root swapped


# --- Consistency: any tampering is rejected ---


@st.composite
def consistency_cases(draw):
    leaves = draw(trees(min_size=2))
    m = draw(st.integers(1, len(leaves) - 1))  # strictly growing: proof is never empty
    old, new = merkle.root_hash(leaves[:m]), merkle.root_hash(leaves)
    return m, len(leaves), merkle.consistency_proof(m, leaves), old, new


@PROPS
@given(st.data(), consistency_cases())
def test_consistency_rejects_flipped_bits(data, case):
    m, n, proof, old, new = case
    bit = data.draw(bits)
    i = data.draw(st.integers(0, len(proof) - 1))
    tampered = [*proof[:i], _flip(proof[i], bit), *proof[i + 1 :]]
    assert not merkle.verify_consistency(m, n, tampered, old, new)
    assert not merkle.verify_consistency(m, n, proof, _flip(old, bit), new)
    assert not merkle.verify_consistency(m, n, proof, old, _flip(new, bit))


@PROPS
@given(st.data(), consistency_cases())
def test_consistency_rejects_wrong_length(data, case):
    m, n, proof, old, new = case
    at = data.draw(st.integers(0, len(proof)))
    extra = data.draw(hashes)
    assert not merkle.verify_consistency(m, n, [*proof[:at], extra, *proof[at:]], old, new)
    i = data.draw(st.integers(0, len(proof) - 1))
    assert not merkle.verify_consistency(m, n, proof[:i] + proof[i + 1 :], old, new)
    cut = data.draw(st.sampled_from([0, 31, 33, 64]))
    assert not merkle.verify_consistency(
        m, n, [*proof[:i], (proof[i] * 3)[:cut], *proof[i + 1 :]], old, new
    )


@PROPS
@given(st.data(), consistency_cases())
def test_consistency_rejects_other_sizes_and_roots(data, case):
    m, n, proof, old, new = case
    assert not merkle.verify_consistency(m, n, proof, new, old)  # swapped roots
    assert not merkle.verify_consistency(m, n, proof, old, old)
    assert not merkle.verify_consistency(m, n, proof, new, new)
    m2 = data.draw(st.integers(0, 2 * n).filter(lambda x: x != m))
    n2 = data.draw(st.integers(0, 2 * n).filter(lambda x: x != n))
    for s1, s2 in ((m2, n), (m, n2), (m2, n2)):
        same_shape = 0 < s1 < s2 and proof_shape(s1, s2) == proof_shape(m, n)
        assert merkle.verify_consistency(s1, s2, proof, old, new) is same_shape


@PROPS
@given(trees(), hashes)
def test_consistency_of_equal_sizes(leaves, other):
    n, root = len(leaves), merkle.root_hash(leaves)
    assert merkle.consistency_proof(n, leaves) == []
    assert merkle.verify_consistency(n, n, [], root, root)
    assert not merkle.verify_consistency(n, n, [root], root, root)
    if other != root:
        assert not merkle.verify_consistency(n, n, [], root, other)
    # Size 0 proves nothing (every tree extends the empty one) and is always refused.
    assert not merkle.verify_consistency(0, 0, [], merkle.EMPTY_ROOT, merkle.EMPTY_ROOT)
    assert not merkle.verify_consistency(0, n, [], merkle.EMPTY_ROOT, root)


# --- Malformed input never raises ---

junk = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=True),
    st.text(max_size=40),
    st.binary(max_size=40),
    hashes,
    st.lists(st.one_of(hashes, st.binary(max_size=40), st.none(), st.integers()), max_size=4),
)


@PROPS
@given(junk, junk, junk, junk, junk)
def test_verifiers_never_raise(a, b, c, d, e):
    assert isinstance(merkle.verify_inclusion(a, b, c, d, e), bool)
    assert isinstance(merkle.verify_consistency(a, b, c, d, e), bool)


def test_verifiers_reject_wrong_types():
    leaves = _leaves(4, b"")
    root, proof = merkle.root_hash(leaves), merkle.inclusion_proof(1, leaves)
    assert merkle.verify_inclusion(leaves[1], 1, 4, proof, root)
    assert merkle.verify_inclusion(memoryview(leaves[1]), 1, 4, tuple(proof), bytearray(root))
    for bad in (
        (leaves[1].hex(), 1, 4, proof, root),
        (leaves[1], True, 4, proof, root),
        (leaves[1], 1.0, 4, proof, root),
        (leaves[1], 1, -4, proof, root),
        (leaves[1], -3, 4, proof, root),
        (leaves[1], 1, 4, None, root),
        (leaves[1], 1, 4, iter(proof), root),
        (leaves[1], 1, 4, [p.hex() for p in proof], root),
        (leaves[1], 1, 4, proof, None),
    ):
        assert merkle.verify_inclusion(*bad) is False
    old, cproof = merkle.root_hash(leaves[:3]), merkle.consistency_proof(3, leaves)
    assert merkle.verify_consistency(3, 4, cproof, old, root)
    for bad in (
        (3, 4, cproof, old.hex(), root),
        (3, 4.0, cproof, old, root),
        (True, 4, cproof, old, root),
        (3, 4, None, old, root),
        (-1, 4, cproof, old, root),
        (3, 4, cproof, old, root + b"\x00"),
    ):
        assert merkle.verify_consistency(*bad) is False
