"""The log engine: serialized appends, stored subtree hashes, proofs, tiles and checkpoints.

Only spld.ledger.services and selectors call this module. Every complete aligned subtree
of height >= 1 is stored once in TreeNode when it fills up (leaves stay in LogEntry), and
LogState keeps the size, the root and the right edge of the tree, so an append reads one
row and writes O(1) rows on average, and a proof reads O(log n) hashes in two queries.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import logging
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from spld.core.canonical import canonical_json
from spld.ledger import merkle, note
from spld.ledger.models import (
    NODE_LEVEL_SHIFT,
    Checkpoint,
    LogEntry,
    LogState,
    TreeNode,
    node_key,
)

logger = logging.getLogger(__name__)

# Arbitrary constant naming the log's PostgreSQL advisory lock ("SPLDLOG" in ASCII).
ADVISORY_LOCK_KEY = 0x53504C444C4F47
TILE_HEIGHT = 8
TILE_WIDTH = 1 << TILE_HEIGHT
# A new checkpoint is signed after a commit when the last one is older than this.
CHECKPOINT_INTERVAL = timedelta(seconds=2)


class LogError(Exception):
    """The log cannot do what was asked (bad size, missing key, diverging tree)."""


# --- Leaves ------------------------------------------------------------------------------


_MAX_SAFE = 2**53


def _is_plain(value: Any) -> bool:
    """True when json.dumps(sort_keys) gives exactly RFC 8785 output for value."""
    # JCS and json.dumps only differ on floats, huge integers and the ordering of keys
    # holding characters outside the Basic Multilingual Plane (UTF-16 vs code points).
    # Exact type checks: subclasses (and anything unusual) take the reference path.
    # Scalars inside containers are checked inline: this runs once per appended leaf.
    t = type(value)
    if t is dict:
        items: Any = value.values()
        for k in value:
            if type(k) is not str or not k.isascii():
                return False
    elif t is list or t is tuple:
        items = value
    else:
        items = (value,)
    for v in items:
        tv = type(v)
        if tv is str or v is None or tv is bool:
            continue
        if tv is int:
            if not -_MAX_SAFE < v < _MAX_SAFE:
                return False
            continue
        if tv is dict or tv is list or tv is tuple:
            if not _is_plain(v):
                return False
            continue
        return False
    return True


def jcs(value: Any) -> bytes:
    """RFC 8785 canonical JSON, with a fast path for documents without floats."""
    if _is_plain(value):
        text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        try:
            return text.encode("utf-8")
        except UnicodeEncodeError:  # lone surrogates: let the reference refuse them
            pass
    return canonical_json(value)


@dataclass(slots=True)
class NewLeaf:
    """A leaf to append with the metadata stored beside it."""

    subject_type: str
    subject_id: str
    action: str
    actor_org: str
    at: datetime
    payload: bytes
    at_text: str = ""  # format_time(at), computed once per batch by the caller if it likes

    def document(self) -> dict[str, str]:
        """The leaf document whose canonical JSON is hashed."""
        return {
            "type": self.subject_type,
            "id": self.subject_id,
            "action": self.action,
            "at": self.at_text or format_time(self.at),
            "actor_org": self.actor_org,
            "payload_sha256": hashlib.sha256(self.payload).hexdigest(),
        }

    def leaf_bytes(self) -> bytes:
        """RFC 8785 canonical JSON of the document, built directly (keys in JCS order)."""
        # ASCII keys and string values only: sorted keys and json's own string escaping
        # give exactly the JCS bytes (checked against rfc8785 in the tests).
        esc = _encode_string
        text = (
            f'{{"action":{esc(self.action)},"actor_org":{esc(self.actor_org)},'
            f'"at":{esc(self.at_text or format_time(self.at))},"id":{esc(self.subject_id)},'
            f'"payload_sha256":"{hashlib.sha256(self.payload).hexdigest()}",'
            f'"type":{esc(self.subject_type)}}}'
        )
        try:
            return text.encode("utf-8")
        except UnicodeEncodeError:
            return canonical_json(self.document())


_encode_string = json.encoder.encode_basestring  # type: ignore[attr-defined]


def format_time(at: datetime) -> str:
    """UTC time as in the leaves: 2026-11-22T22:50:01.123456Z."""
    return at.astimezone(UTC).isoformat().replace("+00:00", "Z")


# --- Appending ---------------------------------------------------------------------------


_STATE_FOR_UPDATE = "SELECT size, frontier FROM ledger_logstate WHERE id = 1 FOR UPDATE"


def _lock_and_read() -> tuple[int, bytes]:
    """Serialize appends until the end of the current transaction; return (size, frontier)."""
    conn = transaction.get_connection()
    if conn.vendor == "postgresql":
        with conn.cursor() as cursor:
            # A row lock on the state row, held until the caller's commit or rollback:
            # one round trip that both waits for the previous appender and reads, under
            # READ COMMITTED, the row version it committed.
            cursor.execute(_STATE_FOR_UPDATE)
            row = cursor.fetchone()
            if row is None:
                # First append ever (or after a flush): the advisory lock serializes the
                # creation of the state row itself.
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ADVISORY_LOCK_KEY])
                cursor.execute(
                    "INSERT INTO ledger_logstate (id, size, root, frontier, updated_at) "
                    "VALUES (1, 0, %s, %s, now()) ON CONFLICT (id) DO NOTHING",
                    [merkle.EMPTY_ROOT, b""],
                )
                cursor.execute(_STATE_FOR_UPDATE)
                row = cursor.fetchone()
        return int(row[0]), bytes(row[1])
    # SQLite: the write transaction (BEGIN IMMEDIATE, see settings) already excludes
    # every other writer.
    state = LogState.objects.filter(id=1).first()
    if state is None:
        state = LogState.objects.create(id=1, size=0, root=merkle.EMPTY_ROOT, frontier=b"")
    return state.size, bytes(state.frontier)


def _split_hashes(blob: bytes) -> list[bytes]:
    blob = bytes(blob)
    return [blob[i : i + 32] for i in range(0, len(blob), 32)]


def append(leaves: Sequence[NewLeaf]) -> int:
    """Append leaves inside the current transaction; return the index of the first one."""
    if not leaves:
        raise ValueError("nothing to append")
    with transaction.atomic(savepoint=False):
        first, blob = _lock_and_read()
        frontier = _split_hashes(blob)
        nodes: list[tuple[int, bytes]] = []

        def rows() -> Iterator[tuple[int, bytes, bytes, NewLeaf]]:
            size = first
            for leaf in leaves:
                data = leaf.leaf_bytes()
                if len(data) > 0xFFFF:  # tlog-tiles entry bundles use 16-bit lengths
                    raise LogError("leaf document too long")
                h = merkle.leaf_hash(data)
                # Binary-counter carry: each trailing 1 bit of the old size closes a subtree.
                i, level, cur = size, 0, h
                while i & 1:
                    cur = merkle.node_hash(frontier.pop(), cur)
                    level, i = level + 1, i >> 1
                    nodes.append((node_key(level, i), cur))
                frontier.append(cur)
                yield size, data, h, leaf
                size += 1

        conn = transaction.get_connection()
        if conn.vendor == "postgresql" and len(leaves) > 50:
            # Streamed: PostgreSQL stores rows while Python hashes the next ones (2 cores).
            _copy_postgres(conn, rows(), nodes)
            _set_state(first + len(leaves), frontier)
        else:
            _write(list(rows()), nodes, first + len(leaves), frontier)
        _schedule_checkpoint()
    return first


def _set_state(size: int, frontier: list[bytes]) -> None:
    LogState.objects.filter(id=1).update(
        size=size,
        root=merkle.root_from_subtrees(frontier),
        frontier=b"".join(frontier),
        updated_at=timezone.now(),
    )


_INSERT_SMALL = """
WITH e AS (
    INSERT INTO ledger_logentry (index, leaf, leaf_hash, subject_type, subject_id, action,
                                 actor_org, at, payload)
    SELECT * FROM unnest(%s::bigint[], %s::bytea[], %s::bytea[], %s::varchar[], %s::varchar[],
                         %s::varchar[], %s::varchar[], %s::timestamptz[], %s::bytea[])
), n AS (
    INSERT INTO ledger_treenode (key, hash) SELECT * FROM unnest(%s::bigint[], %s::bytea[])
)
UPDATE ledger_logstate SET size = %s, root = %s, frontier = %s, updated_at = now() WHERE id = 1
"""


def _write(
    entries: list[tuple[int, bytes, bytes, NewLeaf]],
    nodes: list[tuple[int, bytes]],
    size: int,
    frontier_hashes: list[bytes],
) -> None:
    root, frontier = merkle.root_from_subtrees(frontier_hashes), b"".join(frontier_hashes)
    conn = transaction.get_connection()
    if conn.vendor == "postgresql":
        # Small appends (the product's case): everything in one round trip.
        cols = list(
            zip(
                *[
                    (
                        i,
                        data,
                        h,
                        lf.subject_type,
                        lf.subject_id,
                        lf.action,
                        lf.actor_org,
                        lf.at,
                        lf.payload,
                    )
                    for i, data, h, lf in entries
                ],
                strict=True,
            )
        )
        with conn.cursor() as cursor:
            cursor.execute(
                _INSERT_SMALL,
                [
                    *map(list, cols),
                    [k for k, _ in nodes],
                    [h for _, h in nodes],
                    size,
                    root,
                    frontier,
                ],
            )
        return
    LogEntry.objects.bulk_create(
        [
            LogEntry(
                index=i,
                leaf=data,
                leaf_hash=h,
                subject_type=leaf.subject_type,
                subject_id=leaf.subject_id,
                action=leaf.action,
                actor_org=leaf.actor_org,
                at=leaf.at,
                payload=leaf.payload,
            )
            for i, data, h, leaf in entries
        ],
        batch_size=500,
    )
    if nodes:
        TreeNode.objects.bulk_create([TreeNode(key=k, hash=h) for k, h in nodes], batch_size=500)
    LogState.objects.filter(id=1).update(
        size=size, root=root, frontier=frontier, updated_at=timezone.now()
    )


def _copy_postgres(
    conn: Any, entries: Iterable[tuple[int, bytes, bytes, NewLeaf]], nodes: list[tuple[int, bytes]]
) -> None:
    """Bulk path: COPY is several times faster than multi-row INSERT for big batches."""
    entry_table, node_table = LogEntry._meta.db_table, TreeNode._meta.db_table
    with conn.cursor() as cursor:
        raw = cursor.cursor  # the psycopg 3 cursor
        with raw.copy(
            f"COPY {entry_table} (index, leaf, leaf_hash, subject_type, subject_id, action, "  # noqa: S608
            "actor_org, at, payload) FROM STDIN (FORMAT BINARY)"
        ) as copy:
            # Binary COPY: no hex escaping of the bytea columns on either side.
            copy.set_types(
                [
                    "int8",
                    "bytea",
                    "bytea",
                    "varchar",
                    "varchar",
                    "varchar",
                    "varchar",
                    "timestamptz",
                    "bytea",
                ]
            )
            for i, data, h, leaf in entries:
                copy.write_row(
                    (
                        i,
                        data,
                        h,
                        leaf.subject_type,
                        leaf.subject_id,
                        leaf.action,
                        leaf.actor_org,
                        leaf.at,
                        leaf.payload,
                    )
                )
        if nodes:
            with raw.copy(f"COPY {node_table} (key, hash) FROM STDIN (FORMAT BINARY)") as copy:  # noqa: S608
                copy.set_types(["int8", "bytea"])
                for k, h in nodes:
                    copy.write_row((k, h))


def _schedule_checkpoint() -> None:
    conn = transaction.get_connection()
    # One callback per transaction, however many appends it made.
    if any(func is _after_commit for _sids, func, _robust in conn.run_on_commit):
        return
    transaction.on_commit(_after_commit, robust=True)


# When this process last saw a fresh checkpoint: saves a query per commit in between.
_fresh_until = 0.0


def _after_commit() -> None:
    global _fresh_until
    if time.monotonic() < _fresh_until:
        return
    latest = Checkpoint.objects.order_by("-size").values_list("size", "created_at").first()
    if latest is not None and timezone.now() - latest[1] < CHECKPOINT_INTERVAL:
        age = (timezone.now() - latest[1]).total_seconds()
        _fresh_until = time.monotonic() + CHECKPOINT_INTERVAL.total_seconds() - age
        return  # signed lazily by /log/checkpoint or by a later commit
    _fresh_until = time.monotonic() + CHECKPOINT_INTERVAL.total_seconds()
    try:
        sign_checkpoint()
    except LogError as exc:
        _warn_once(str(exc))


_warned: set[str] = set()


def _warn_once(message: str) -> None:
    # A missing key would otherwise be reported after every single commit.
    if message not in _warned:
        _warned.add(message)
        logger.warning("transparency log checkpoint not signed: %s", message)


# --- Reading hashes ----------------------------------------------------------------------


def current_size() -> int:
    """Number of committed leaves."""
    state = LogState.objects.filter(id=1).values_list("size", flat=True).first()
    return int(state or 0)


def current_state() -> tuple[int, bytes]:
    """(size, root) of the committed tree."""
    row = LogState.objects.filter(id=1).values_list("size", "root").first()
    if row is None:
        return 0, merkle.EMPTY_ROOT
    return int(row[0]), bytes(row[1])


def subtree_hashes(ranges: Iterable[tuple[int, int]]) -> dict[tuple[int, int], bytes]:
    """Stored hashes of complete aligned subtrees [start, end), in two queries."""
    leaves, keys = {}, {}
    for start, end in ranges:
        width = end - start
        level = width.bit_length() - 1
        if width <= 0 or width != 1 << level or start % width:
            raise ValueError(f"[{start}, {end}) is not a complete aligned subtree")
        if level == 0:
            leaves[start] = (start, end)
        else:
            keys[node_key(level, start >> level)] = (start, end)
    found: dict[tuple[int, int], bytes] = {}
    # One round trip for both tables: proofs are served on every page view.
    parts, params = [], []
    # Only "%s" placeholders are formatted into the SQL; values go as parameters.
    if leaves:
        marks = ", ".join(["%s"] * len(leaves))
        sql = f'SELECT 0, "index", leaf_hash FROM ledger_logentry WHERE "index" IN ({marks})'  # noqa: S608
        parts.append(sql)
        params.extend(leaves)
    if keys:
        marks = ", ".join(["%s"] * len(keys))
        sql = f'SELECT 1, "key", "hash" FROM ledger_treenode WHERE "key" IN ({marks})'  # noqa: S608
        parts.append(sql)
        params.extend(keys)
    if parts:
        with connection.cursor() as cursor:
            cursor.execute(" UNION ALL ".join(parts), params)
            for table, key, h in cursor.fetchall():
                found[(keys if table else leaves)[key]] = bytes(h)
    missing = set(leaves.values()) | set(keys.values())
    if missing - set(found):
        raise LogError(f"stored tree incomplete: missing subtree {sorted(missing - set(found))[0]}")
    return found


def _hash_ranges(nodes: Sequence[tuple[int, int]]) -> list[bytes]:
    parts = [merkle.subtree_decomposition(a, b) for a, b in nodes]
    table = subtree_hashes(r for p in parts for r in p)
    return [merkle.root_from_subtrees([table[r] for r in p]) for p in parts]


def proof_and_roots(
    nodes: Sequence[tuple[int, int]], sizes: Sequence[int]
) -> tuple[list[bytes], list[bytes]]:
    """Proof hashes for `nodes` and tree roots at `sizes`, from one database query."""
    return_roots = [(0, n) for n in sizes]
    hashes = _hash_ranges([*nodes, *[r for r in return_roots if r[1] > 0]])
    proof = hashes[: len(nodes)]
    rest = iter(hashes[len(nodes) :])
    roots = [next(rest) if n > 0 else merkle.EMPTY_ROOT for n in sizes]
    return proof, roots


def root_at(size: int) -> bytes:
    """Root hash of the tree at an earlier (or the current) size, from stored hashes."""
    if size == 0:
        return merkle.EMPTY_ROOT
    return _hash_ranges([(0, size)])[0]


def inclusion_proof(index: int, size: int) -> list[bytes]:
    """RFC 9162 inclusion proof of leaf `index` in the tree of `size` leaves."""
    return _hash_ranges(merkle.inclusion_proof_nodes(index, size))


def consistency_proof(first: int, second: int) -> list[bytes]:
    """RFC 9162 consistency proof from tree size `first` to `second`."""
    if first == second:
        return []
    return _hash_ranges(merkle.consistency_proof_nodes(first, second))


# --- Tiles (C2SP tlog-tiles) ---------------------------------------------------------------


def tile(level: int, n: int, width: int) -> bytes | None:
    """Concatenated hashes of tile (level, n) of `width` hashes, or None if not available."""
    height = level * TILE_HEIGHT
    start = n * TILE_WIDTH
    if height >= NODE_LEVEL_SHIFT or (start + width) << height > current_size():
        return None
    if height == 0:
        rows = list(
            LogEntry.objects.filter(index__gte=start, index__lt=start + width)
            .order_by("index")
            .values_list("leaf_hash", flat=True)
        )
    else:
        rows = list(
            TreeNode.objects.filter(
                key__gte=node_key(height, start), key__lt=node_key(height, start + width)
            )
            .order_by("key")
            .values_list("hash", flat=True)
        )
    if len(rows) != width:
        return None
    return b"".join(bytes(r) for r in rows)


def entry_bundle(n: int, width: int) -> bytes | None:
    """Entry bundle n: big-endian uint16 length-prefixed leaves, or None if not available."""
    start = n * TILE_WIDTH
    if start + width > current_size():
        return None
    out = io.BytesIO()
    count = 0
    for leaf in (
        LogEntry.objects.filter(index__gte=start, index__lt=start + width)
        .order_by("index")
        .values_list("leaf", flat=True)
    ):
        data = bytes(leaf)
        out.write(len(data).to_bytes(2, "big"))
        out.write(data)
        count += 1
    return out.getvalue() if count == width else None


# --- Keys and checkpoints ------------------------------------------------------------------

_signer_cache: dict[str, tuple[float, note.Signer]] = {}
_signer_lock = threading.Lock()


def key_path() -> Path:
    """Where the log's private key lives."""
    return Path(settings.LOG_KEY_PATH)


def load_signer() -> note.Signer:
    """The log's signing key; LogError if `spld log init-key` was never run."""
    path = key_path()
    if not path.exists() and getattr(settings, "DEMO_MODE", False):
        create_key()  # the demo signs from its first entry; production needs init-key
    try:
        mtime = path.stat().st_mtime
    except FileNotFoundError as exc:
        raise LogError(f"no log key at {path}: run `spld log init-key`") from exc
    with _signer_lock:
        cached = _signer_cache.get(str(path))
        if cached and cached[0] == mtime:
            return cached[1]
        signer = note.parse_private_key(path.read_text())
        if signer.alg != note.ALG_ED25519:
            raise LogError("the log key must be an Ed25519 (type 0x01) key")
        _signer_cache[str(path)] = (mtime, signer)
        return signer


def create_key(*, force: bool = False) -> note.Signer:
    """Create the log key file (refuses to overwrite unless force)."""
    path = key_path()
    if path.exists() and not force:
        raise LogError(f"{path} already exists; a new key would orphan every checkpoint")
    signer = note.Signer.generate(settings.LOG_ORIGIN)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(signer.encode() + "\n")
    tmp.chmod(0o600)
    tmp.replace(path)
    return signer


def verifier_key() -> str:
    """The log's verifier key string, as served at /log/key."""
    return load_signer().verifier.vkey


def sign_checkpoint() -> Checkpoint:
    """Sign a checkpoint for the committed tree (or return the existing one at that size)."""
    signer = load_signer()
    size, root = current_state()
    existing = Checkpoint.objects.filter(size=size).first()
    if existing is not None:
        return existing
    previous = Checkpoint.objects.filter(size__lt=size).order_by("-size").first()
    # Never sign a tree that does not extend the last signed one (tlog-checkpoint MUST):
    # checking it costs O(log n) reads and catches a database edited behind our back.
    if previous is not None and root_at(previous.size) != bytes(previous.root):
        raise LogError(
            f"stored tree no longer matches checkpoint {previous.size}: run `spld log check`"
        )
    if root_at(size) != root:
        raise LogError("stored subtree hashes do not match the tree root: run `spld log check`")
    text = note.Checkpoint(settings.LOG_ORIGIN, size, root).text()
    signed = note.sign_note(text, signer)
    try:
        with transaction.atomic():
            return Checkpoint.objects.create(
                size=size, root=root, text=text, signature=signed[len(text) + 1 :]
            )
    except IntegrityError:  # another process signed the same size at the same moment
        return Checkpoint.objects.get(size=size)


def latest_checkpoint(*, refresh: bool = True) -> Checkpoint | None:
    """The newest checkpoint, signing one first if the tree grew since (when refresh)."""
    latest = Checkpoint.objects.order_by("-size").first()
    if refresh and (latest is None or latest.size < current_size()):
        try:
            return sign_checkpoint()
        except LogError as exc:
            _warn_once(str(exc))
    return latest


def b64(data: bytes) -> str:
    """Standard base64 text."""
    return base64.b64encode(bytes(data)).decode()
