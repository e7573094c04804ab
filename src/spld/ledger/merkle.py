"""RFC 9162 section 2.1 Merkle trees (Certificate Transparency v2): hashes, proofs, checks.

Pure functions over 32-byte SHA-256 hashes; proofs are lists of hashes, ordered from the
leaf (or the old tree) upwards, exactly as RFC 9162 PATH and PROOF define them.

Generating a proof happens in two steps, so the storage layer never needs the leaf list:

1. ``inclusion_proof_nodes`` / ``consistency_proof_nodes`` name the leaf ranges
   ``(start, end)`` whose subtree hashes make up the proof (arithmetic on sizes only);
2. a range's hash is ``root_from_subtrees`` over its ``subtree_decomposition``: complete,
   power-of-two-aligned subtrees, which never change once full and so can be stored once.
   Only a range on the right edge of the tree is not itself complete.

``inclusion_proof`` / ``consistency_proof`` run the same two steps over a leaf list in
memory, so the conformance vectors also exercise the path the storage layer uses.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()

Range = tuple[int, int]

# Distinct prefixes keep leaves and inner nodes in separate domains, so a leaf can never
# be passed off as an inner node (second-preimage attack on the tree).
_LEAF_PREFIX = b"\x00"
_NODE_PREFIX = b"\x01"


def leaf_hash(data: bytes) -> bytes:
    """Return the RFC 9162 leaf hash SHA-256(0x00 || data)."""
    return hashlib.sha256(_LEAF_PREFIX + bytes(data)).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """Return the RFC 9162 inner node hash SHA-256(0x01 || left || right)."""
    return hashlib.sha256(_NODE_PREFIX + bytes(left) + bytes(right)).digest()


def _split(n: int) -> int:
    """Return k, the largest power of two smaller than n (n >= 2), where MTH splits."""
    return 1 << ((n - 1).bit_length() - 1)


def root_hash(leaf_hashes: Sequence[bytes]) -> bytes:
    """Return the Merkle tree hash MTH of the given leaf hashes (SHA-256 of b"" if none)."""
    if not leaf_hashes:
        return EMPTY_ROOT
    level = list(leaf_hashes)
    while len(level) > 1:
        # Pairing left to right and lifting an odd last node unchanged to the next level
        # builds exactly RFC 9162's "split at the largest power of two" tree, in O(n).
        paired = [node_hash(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            paired.append(level[-1])
        level = paired
    return level[0]


def subtree_decomposition(start: int, end: int) -> list[Range]:
    """Return the maximal aligned complete subtrees covering [start, end), left to right."""
    if not 0 <= start <= end:
        raise ValueError(f"invalid leaf range [{start}, {end})")
    ranges = []
    while start < end:
        # Largest power of two that fits in what is left and that start is a multiple of
        # (start 0 is aligned to everything): that subtree is complete and stored as such.
        size = 1 << ((end - start).bit_length() - 1)
        if start:
            size = min(size, start & -start)
        ranges.append((start, start + size))
        start += size
    return ranges


def root_from_subtrees(hashes: Sequence[bytes]) -> bytes:
    """Fold subtree hashes right to left with node_hash (SHA-256 of b"" if none)."""
    # For a range starting on a boundary at least as large as itself (every range the
    # proof functions return, and the whole tree) the RFC tree is a right-leaning comb of
    # its decomposition, e.g. MTH(D[0:7]) = node(D[0:4], node(D[4:6], D[6:7])).
    if not hashes:
        return EMPTY_ROOT
    acc = hashes[-1]
    for h in reversed(hashes[:-1]):
        acc = node_hash(h, acc)
    return acc


def inclusion_proof_nodes(index: int, size: int) -> list[Range]:
    """Return the leaf ranges whose hashes form RFC 9162 PATH(index, D[size]), leaf first."""
    if not 0 <= index < size:
        raise ValueError(f"leaf index {index} not in a tree of size {size}")
    nodes = []
    start, end = 0, size
    # Walk down from the root; at each split the sibling of the half holding the leaf is
    # in the proof. Collected top-down, returned bottom-up as the RFC orders them.
    while end - start > 1:
        mid = start + _split(end - start)
        if index < mid:
            nodes.append((mid, end))
            end = mid
        else:
            nodes.append((start, mid))
            start = mid
    nodes.reverse()
    return nodes


def consistency_proof_nodes(size1: int, size2: int) -> list[Range]:
    """Return the leaf ranges whose hashes form RFC 9162 PROOF(size1, D[size2]), in order."""
    if not 0 < size1 <= size2:
        raise ValueError(f"no consistency proof from size {size1} to size {size2}")
    nodes = []
    start, end, m = 0, size2, size1
    complete = True  # SUBPROOF's flag b: still on the left spine, where the old root is
    while m != end - start:
        k = _split(end - start)
        if m <= k:
            nodes.append((start + k, end))
            end = start + k
        else:
            nodes.append((start, start + k))
            start, m = start + k, m - k
            complete = False
    if not complete:
        # Off the left spine, the verifier cannot rebuild this subtree of the old tree
        # from the old root, so the proof has to carry it (SUBPROOF with b = false).
        nodes.append((start, end))
    nodes.reverse()
    return nodes


def proof_from_nodes(
    nodes: Sequence[Range], subtree_hash: Callable[[int, int], bytes]
) -> list[bytes]:
    """Hash proof ranges given a lookup of complete aligned subtree hashes by (start, end)."""
    # A storage layer can batch: collect subtree_decomposition of every range, fetch all
    # those hashes in one query, then pass a dict lookup here.
    return [
        root_from_subtrees([subtree_hash(a, b) for a, b in subtree_decomposition(start, end)])
        for start, end in nodes
    ]


def inclusion_proof(index: int, leaf_hashes: Sequence[bytes]) -> list[bytes]:
    """Return the RFC 9162 inclusion proof of leaf index in the tree of leaf_hashes."""
    nodes = inclusion_proof_nodes(index, len(leaf_hashes))
    return proof_from_nodes(nodes, lambda a, b: root_hash(leaf_hashes[a:b]))


def consistency_proof(size1: int, leaf_hashes: Sequence[bytes]) -> list[bytes]:
    """Return the RFC 9162 consistency proof from size1 to the tree of leaf_hashes."""
    nodes = consistency_proof_nodes(size1, len(leaf_hashes))
    return proof_from_nodes(nodes, lambda a, b: root_hash(leaf_hashes[a:b]))


def _as_hash(value: object) -> bytes | None:
    """Return value as 32 bytes, or None if it is not a bytes-like hash of that length."""
    # memoryview is accepted because database drivers may return bytea columns as one.
    if isinstance(value, bytes | bytearray | memoryview):
        raw = bytes(value)
        if len(raw) == HASH_SIZE:
            return raw
    return None


def _as_path(proof: object) -> list[bytes] | None:
    """Return proof as a list of 32-byte hashes, or None if any element is malformed."""
    if not isinstance(proof, list | tuple):
        return None
    path = []
    for element in proof:
        h = _as_hash(element)
        if h is None:
            return None
        path.append(h)
    return path


def _is_count(value: object) -> bool:
    """Return whether value is a non-negative int (bool excluded)."""
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def verify_inclusion(
    leaf_hash: bytes, index: int, size: int, proof: list[bytes], root: bytes
) -> bool:
    """Check an inclusion proof (RFC 9162 2.1.3.2); False on any malformed input."""
    leaf, expected, path = _as_hash(leaf_hash), _as_hash(root), _as_path(proof)
    if leaf is None or expected is None or path is None:
        return False
    if not (_is_count(index) and _is_count(size)) or index >= size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in path:
        if sn == 0:  # proof longer than the path to the root
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            # fn == sn with fn even: a last node with no right sibling, lifted unchanged;
            # skip the levels where that happened.
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    # sn != 0 means the proof was too short to reach the root.
    return sn == 0 and r == expected


def verify_consistency(
    size1: int, size2: int, proof: list[bytes], root1: bytes, root2: bytes
) -> bool:
    """Check a consistency proof (RFC 9162 2.1.4.2); False on any malformed input."""
    first, second, path = _as_hash(root1), _as_hash(root2), _as_path(proof)
    if first is None or second is None or path is None:
        return False
    # RFC 9162 defines consistency for 0 < size1 only: every tree extends the empty one,
    # so such a "proof" would prove nothing and is rejected rather than vacuously true.
    if not (_is_count(size1) and _is_count(size2)) or not 0 < size1 <= size2:
        return False
    if size1 == size2:
        return not path and first == second
    if not path:
        return False
    if size1 & (size1 - 1) == 0:
        # The old tree is a complete subtree of the new one: its root is the proof's
        # implicit first node, so the proof omits it.
        path = [first, *path]
    fn, sn = size1 - 1, size2 - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:  # proof longer than the path to the root
            return False
        if fn & 1 or fn == sn:
            # c is a left sibling: it belongs to both the old and the new tree.
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            # c is a right sibling: it holds only leaves appended after size1.
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and fr == first and sr == second
