"""Independent verification of a log: over HTTP (any SPLD or C2SP tlog-tiles log) or locally.

`verify_remote` trusts nothing but a pinned verifier key: it checks the checkpoint's
signature, its consistency with the last verified checkpoint (state file), then rebuilds
the whole tree from the entry bundles and compares every served tile and the root.
`check_local` does the same against the database, plus the payloads stored beside leaves.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from spld.core.canonical import canonical_json
from spld.ledger import merkle, note

TILE_WIDTH = 256


class VerificationError(Exception):
    """The log is not what it claims; `index` names the first bad entry when known."""

    def __init__(self, message: str, index: int | None = None) -> None:
        super().__init__(message)
        self.index = index


def _b64(s: str) -> bytes:
    return base64.b64decode(s)


# --- State files -------------------------------------------------------------------------


@dataclass
class State:
    """What a verifier or witness remembers between runs."""

    vkey: str = ""
    origin: str = ""
    size: int = 0
    root: str = ""

    @classmethod
    def load(cls, path: Path | None) -> State:
        if path is None or not path.exists():
            return cls()
        data = json.loads(path.read_text())
        return cls(
            **{k: data.get(k, getattr(cls(), k)) for k in ("vkey", "origin", "size", "root")}
        )

    def save(self, path: Path | None) -> None:
        if path is None:
            return
        tmp = path.with_suffix(path.suffix + ".tmp")
        tmp.write_text(json.dumps(self.__dict__, indent=2) + "\n")
        tmp.replace(path)


# --- HTTP ---------------------------------------------------------------------------------


class Client:
    """Minimal HTTP client for the log's public endpoints."""

    def __init__(self, url: str, timeout: float = 30) -> None:
        self.base = url.rstrip("/")
        self.timeout = timeout

    def get(self, path: str) -> bytes:
        request = urllib.request.Request(  # noqa: S310 (the user gives the URL)
            self.base + path, headers={"Accept-Encoding": "gzip", "User-Agent": "spld-log-verify"}
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                data = response.read()
                if response.headers.get("Content-Encoding") == "gzip":
                    data = gzip.decompress(data)
                return data
        except urllib.error.HTTPError as exc:
            raise VerificationError(f"GET {path}: HTTP {exc.code}") from exc
        except urllib.error.URLError as exc:
            raise VerificationError(f"GET {path}: {exc.reason}") from exc

    def json(self, path: str) -> Any:
        return json.loads(self.get(path))

    def post(self, path: str, body: str) -> tuple[int, str]:
        request = urllib.request.Request(  # noqa: S310
            self.base + path,
            data=body.encode(),
            method="POST",
            headers={"Content-Type": "text/plain; charset=utf-8"},
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                return response.status, response.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode(errors="replace")


def tile_path(level: int | str, n: int, width: int) -> str:
    """tlog-tiles path of a tile or bundle under /log/."""
    groups = []
    while True:
        groups.append(f"{n % 1000:03d}")
        n //= 1000
        if n == 0:
            break
    groups.reverse()
    encoded = "/".join([f"x{g}" for g in groups[:-1]] + [groups[-1]])
    return f"/log/tile/{level}/{encoded}" + (f".p/{width}" if width < TILE_WIDTH else "")


def split_bundle(data: bytes) -> list[bytes]:
    """Leaves of an entry bundle (uint16 big-endian length prefixes)."""
    out, i = [], 0
    while i < len(data):
        if i + 2 > len(data):
            raise VerificationError("truncated entry bundle")
        n = int.from_bytes(data[i : i + 2], "big")
        if i + 2 + n > len(data):
            raise VerificationError("truncated entry bundle")
        out.append(data[i + 2 : i + 2 + n])
        i += 2 + n
    return out


# --- Shared checks -------------------------------------------------------------------------


def check_leaf(index: int, leaf: bytes, leaf_hash: bytes | None, payload: bytes | None) -> None:
    """One leaf: its stored hash and, if given, the payload's SHA-256 named inside it."""
    if leaf_hash is not None and merkle.leaf_hash(leaf) != leaf_hash:
        raise VerificationError(f"entry {index}: its bytes do not match its leaf hash", index)
    if payload is not None:
        try:
            doc = json.loads(leaf)
        except ValueError as exc:
            raise VerificationError(f"entry {index}: the leaf is not JSON", index) from exc
        if hashlib.sha256(payload).hexdigest() != doc.get("payload_sha256"):
            raise VerificationError(
                f"entry {index}: the payload does not match payload_sha256", index
            )


def levels_from_leaves(hashes: list[bytes]) -> list[list[bytes]]:
    """levels[h][i] = hash of the complete subtree i of height h."""
    levels = [hashes]
    while len(levels[-1]) > 1:
        prev = levels[-1]
        levels.append([merkle.node_hash(prev[i], prev[i + 1]) for i in range(0, len(prev) - 1, 2)])
    return levels


def root_from_levels(levels: list[list[bytes]], size: int) -> bytes:
    """Root of the first `size` leaves from the complete subtree hashes."""
    if size == 0:
        return merkle.EMPTY_ROOT
    parts = []
    for start, end in merkle.subtree_decomposition(0, size):
        h = (end - start).bit_length() - 1
        parts.append(levels[h][start >> h])
    return merkle.root_from_subtrees(parts)


def compare_nodes(levels: list[list[bytes]], stored: dict[tuple[int, int], bytes]) -> None:
    """Each stored subtree hash (height, index) must equal the recomputed one."""
    for (h, i), value in sorted(stored.items()):
        if h >= len(levels) or i >= len(levels[h]) or levels[h][i] != value:
            first = i << h
            raise VerificationError(
                f"stored hash of entries {first}..{((i + 1) << h) - 1} (height {h}) is wrong", first
            )


# --- Remote verification -----------------------------------------------------------------


@dataclass
class Report:
    """What a successful verification established."""

    origin: str
    size: int
    root: str
    previous_size: int
    cosigners: list[str]
    cosigned_at: int | None = None  # newest time a witness claims to have cosigned (POSIX)


def fetch_checkpoint(
    client: Client, verifier: note.Verifier
) -> tuple[str, note.Checkpoint, list[note.Signature]]:
    """Fetch /log/checkpoint and check the log's signature on it."""
    raw = client.get("/log/checkpoint").decode()
    try:
        text = note.verify_note(raw, verifier)
        cp = note.parse_checkpoint(text)
        _text, sigs = note.split_note(raw)
    except note.NoteError as exc:
        raise VerificationError(f"checkpoint rejected: {exc}") from exc
    return text, cp, sigs


def check_consistency(client: Client, state: State, cp: note.Checkpoint) -> None:
    """The new checkpoint must extend the last one the state file remembers."""
    if not state.root:
        return
    old_root = _b64(state.root)
    if state.origin and state.origin != cp.origin:
        raise VerificationError(f"origin changed from {state.origin!r} to {cp.origin!r}")
    if cp.size < state.size:
        raise VerificationError(
            f"the log shrank: {cp.size} entries now, {state.size} at the last verified checkpoint",
            cp.size,
        )
    if cp.size == state.size:
        if cp.root != old_root:
            raise VerificationError(f"two different roots for the same size {cp.size}: fork", None)
        return
    body = client.json(f"/api/1/log/proof/consistency?first={state.size}&second={cp.size}")
    proof = [_b64(h) for h in body.get("proof", [])]
    if not merkle.verify_consistency(state.size, cp.size, proof, old_root, cp.root):
        raise VerificationError(
            f"checkpoint {cp.size} is not consistent with the last verified checkpoint "
            f"{state.size}: entries were altered or removed",
            state.size,
        )


def verify_remote(
    url: str,
    *,
    vkey: str = "",
    state_path: Path | None = None,
    payloads: bool = True,
    log: Any = print,
) -> Report:
    """Verify the log at url; raise VerificationError naming the first bad index."""
    client = Client(url)
    state = State.load(state_path)
    pinned = vkey or state.vkey
    if not pinned:
        pinned = client.get("/log/key").decode().strip()
        log(f"warning: no pinned key, trusting the key served now: {pinned}")
    try:
        verifier = note.parse_vkey(pinned)
    except note.NoteError as exc:
        raise VerificationError(f"bad verifier key: {exc}") from exc
    text, cp, sigs = fetch_checkpoint(client, verifier)
    check_consistency(client, state, cp)

    # Rebuild the tree from the entries, checking each against the level-0 tiles.
    hashes: list[bytes] = []
    for n in range((cp.size + TILE_WIDTH - 1) // TILE_WIDTH):
        width = min(TILE_WIDTH, cp.size - n * TILE_WIDTH)
        tile = client.get(tile_path(0, n, width))
        leaves = split_bundle(client.get(tile_path("entries", n, width)))
        if len(tile) != 32 * width or len(leaves) != width:
            raise VerificationError(f"tile or bundle {n} has the wrong width", n * TILE_WIDTH)
        for j, leaf in enumerate(leaves):
            check_leaf(n * TILE_WIDTH + j, leaf, tile[32 * j : 32 * j + 32], None)
            hashes.append(tile[32 * j : 32 * j + 32])
        if payloads:
            for start in range(n * TILE_WIDTH, n * TILE_WIDTH + width, 1000):
                count = min(1000, n * TILE_WIDTH + width - start)
                for item in client.json(f"/api/1/log/entries?start={start}&limit={count}"):
                    i = item["index"]
                    payload = canonical_json(item["payload"])  # RFC 8785, as stored
                    check_leaf(i, leaves[i - n * TILE_WIDTH], None, payload)
    levels = levels_from_leaves(hashes)
    # Upper tiles are what proof-building clients use: they must match too.
    level = 1
    while (TILE_WIDTH**level) <= cp.size:
        h = 8 * level
        count = cp.size >> h
        for n in range((count + TILE_WIDTH - 1) // TILE_WIDTH):
            width = min(TILE_WIDTH, count - n * TILE_WIDTH)
            tile = client.get(tile_path(level, n, width))
            for j in range(width):
                if tile[32 * j : 32 * j + 32] != levels[h][n * TILE_WIDTH + j]:
                    first = (n * TILE_WIDTH + j) << h
                    raise VerificationError(
                        f"tile {level}/{n}: wrong hash for entries from {first}", first
                    )
        level += 1
    if root_from_levels(levels, cp.size) != cp.root:
        raise VerificationError(f"the entries do not hash to the signed root of size {cp.size}")
    if state.root and state.size and root_from_levels(levels, state.size) != _b64(state.root):
        raise VerificationError(
            f"the first {state.size} entries changed since the last verification"
        )
    previous = state.size
    state.vkey, state.origin, state.size, state.root = (
        verifier.vkey,
        cp.origin,
        cp.size,
        base64.b64encode(cp.root).decode(),
    )
    state.save(state_path)
    cosigners = [s.name for s in sigs if s.name != verifier.name]
    # A cosignature/v1 line carries its time: 8 bytes big-endian before the Ed25519 signature.
    times = [int.from_bytes(s.sig[:8], "big") for s in sigs
             if s.name != verifier.name and len(s.sig) == 72]
    return Report(cp.origin, cp.size, state.root, previous, cosigners,
                  max(times) if times else None)


# --- Witness -------------------------------------------------------------------------------


def witness_once(
    url: str, *, signer: note.Signer, state_path: Path, log_vkey: str = "", log: Any = print
) -> int:
    """Fetch, check consistency with the last cosigned checkpoint, cosign and submit."""
    client = Client(url)
    state = State.load(state_path)
    pinned = log_vkey or state.vkey
    if not pinned:
        pinned = client.get("/log/key").decode().strip()
        log(f"warning: pinning the log key served now: {pinned}")
    verifier = note.parse_vkey(pinned)
    text, cp, _sigs = fetch_checkpoint(client, verifier)
    check_consistency(client, state, cp)
    sig = note.cosign(text, signer, int(time.time()))
    status, body = client.post("/log/cosignature", text + "\n" + sig.line())
    if status != 201:
        raise VerificationError(f"the log refused the cosignature (HTTP {status}): {body.strip()}")
    state.vkey, state.origin, state.size = verifier.vkey, cp.origin, cp.size
    state.root = base64.b64encode(cp.root).decode()
    state.save(state_path)
    return cp.size


# --- Local check (database) -----------------------------------------------------------------


def check_local(log: Any = print) -> int:
    """Check the stored log: leaves, payloads, subtree hashes, state and every checkpoint."""
    from spld.ledger import log as engine
    from spld.ledger.models import NODE_LEVEL_SHIFT, Checkpoint, LogEntry, LogState, TreeNode

    hashes: list[bytes] = []
    rows = LogEntry.objects.order_by("index").values_list(
        "index", "leaf", "leaf_hash", "payload", "subject_type", "subject_id", "action", "actor_org"
    )
    for index, leaf, leaf_hash, payload, stype, sid, action, org in rows.iterator(chunk_size=5000):
        if index != len(hashes):
            raise VerificationError(f"entry {len(hashes)} is missing", len(hashes))
        leaf = bytes(leaf)
        check_leaf(index, leaf, bytes(leaf_hash), bytes(payload))
        doc = json.loads(leaf)
        if (doc.get("type"), doc.get("id"), doc.get("action"), doc.get("actor_org")) != (
            stype,
            sid,
            action,
            org,
        ):
            raise VerificationError(f"entry {index}: its columns disagree with its leaf", index)
        hashes.append(bytes(leaf_hash))
    levels = levels_from_leaves(hashes)
    mask = (1 << NODE_LEVEL_SHIFT) - 1
    stored = {
        (k >> NODE_LEVEL_SHIFT, k & mask): bytes(h)
        for k, h in TreeNode.objects.values_list("key", "hash").iterator(chunk_size=10000)
    }
    compare_nodes(levels, stored)
    expected = sum(len(level) for level in levels[1:])
    if len(stored) != expected:
        raise VerificationError(f"{expected - len(stored)} stored subtree hashes are missing")
    size, root = engine.current_state()
    if size != len(hashes) or root != root_from_levels(levels, size):
        raise VerificationError(f"the tree state (size {size}) does not match the entries")
    state = LogState.objects.filter(id=1).first()
    if state is not None:
        frontier = b"".join(
            levels[(e - s).bit_length() - 1][s >> ((e - s).bit_length() - 1)]
            for s, e in merkle.subtree_decomposition(0, size)
        )
        if bytes(state.frontier) != frontier:
            raise VerificationError("the stored right edge of the tree is wrong")
    try:
        verifier = engine.load_signer().verifier
    except engine.LogError:
        verifier = None
        log("warning: no log key, checkpoint signatures not checked")
    for cp in Checkpoint.objects.order_by("size"):
        if cp.size > size or root_from_levels(levels, cp.size) != bytes(cp.root):
            raise VerificationError(
                f"checkpoint {cp.size} no longer matches the entries: the log was altered",
                _first_divergence(hashes, cp.size, bytes(cp.root)),
            )
        if verifier is not None:
            try:
                text = note.verify_note(cp.note, verifier)
            except note.NoteError as exc:
                raise VerificationError(f"checkpoint {cp.size}: {exc}") from exc
            if note.parse_checkpoint(text).root != bytes(cp.root):
                raise VerificationError(
                    f"checkpoint {cp.size}: signed root differs from stored root"
                )
    return size


def _first_divergence(hashes: list[bytes], size: int, root: bytes) -> int | None:
    """Without the original leaves the bad index is unknown; report the checkpoint size."""
    return min(size, len(hashes)) if len(hashes) < size else None
