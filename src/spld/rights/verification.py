"""Checking an uploaded receipt: Ed25519 signature against the JWKS, then log inclusion."""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from spld.core.canonical import canonical_json
from spld.ledger import log as ledger_log
from spld.ledger import merkle
from spld.ledger import selectors as ledger_selectors
from spld.rights import jws
from spld.rights.receipts import body_digest

MAX_RECEIPT_CHARS = 64_000


@dataclass
class Verification:
    """What a verifier learned about a receipt."""

    signature_ok: bool = False
    log_ok: bool = False
    claims: dict[str, Any] = field(default_factory=dict)
    log_index: int | None = None
    tree_size: int | None = None
    root_hex: str = ""
    checkpoint: str = ""
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.signature_ok and self.log_ok


def _log_inclusion(index: int) -> tuple[bytes, int, list[bytes], bytes, str] | None:
    """(leaf, tree size, proof, root, checkpoint note) from the ledger, or None if absent."""
    entry = ledger_selectors.entry(index)
    if entry is None:
        return None
    try:  # prove against the latest signed checkpoint when it already covers the entry
        found = ledger_selectors.inclusion(index, None)
    except ledger_selectors.BadRequest:  # issued after it: prove against the current tree
        found = ledger_selectors.inclusion(index, ledger_log.current_size())
    proof = [base64.b64decode(h) for h in found["proof"]]
    return (bytes(entry.leaf), found["size"], proof, base64.b64decode(found["root_hash"]),
            found.get("checkpoint") or "")


def verify_receipt(token: str) -> Verification:
    """Verify signature (JWKS), then that the log holds the receipt's hash at its index."""
    result = Verification()
    if not token or len(token) > MAX_RECEIPT_CHARS:
        result.errors.append(_("Le reçu est vide ou trop long."))
        return result
    try:
        claims = jws.verify(token)
    except jws.InvalidJws:
        result.errors.append(_("La signature est invalide : ce reçu n’a pas été émis par SPLD "
                               "ou il a été modifié."))
        return result
    result.signature_ok = True
    result.claims = claims
    log = claims.get("log")
    index = log.get("index") if isinstance(log, dict) else None
    if not isinstance(index, int) or isinstance(index, bool) or index < 0:
        result.errors.append(_("Le reçu n’indique pas sa place dans le journal."))
        return result
    result.log_index = index
    found = _log_inclusion(index)
    if found is None:
        result.errors.append(_("Le journal de transparence n’a pas d’entrée à cet index."))
        return result
    leaf, size, proof, root, checkpoint = found
    result.tree_size, result.root_hex = size, root.hex()
    result.checkpoint = checkpoint
    expected_payload = {"type": claims.get("receiptType"), "sha256": body_digest(claims)}
    try:
        leaf_doc = json.loads(leaf)
    except ValueError:
        leaf_doc = {}
    if (leaf_doc.get("type") != "rights-receipt" or leaf_doc.get("id") != claims.get("jti")
            or leaf_doc.get("payload_sha256")
            != hashlib.sha256(canonical_json(expected_payload)).hexdigest()):
        result.errors.append(_("L’entrée du journal ne correspond pas à ce reçu."))
        return result
    if not merkle.verify_inclusion(merkle.leaf_hash(leaf), index, size, proof, root):
        result.errors.append(_("La preuve d’inclusion dans le journal est invalide."))
        return result
    result.log_ok = True
    return result
