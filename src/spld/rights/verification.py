"""Checking an uploaded receipt: Ed25519 signature against the JWKS, then log inclusion."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from spld.core.canonical import canonical_json
from spld.ledger import merkle
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
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.signature_ok and self.log_ok


def _log_inclusion(index: int) -> tuple[bytes, int, list[bytes], bytes] | None:
    """(leaf, tree size, inclusion proof, root) for a log index, or None if absent."""
    try:  # the ledger's own proof code, when it provides it
        from spld.ledger import selectors as ledger_selectors  # type: ignore[attr-defined]

        proof_fn = getattr(ledger_selectors, "inclusion_proof", None)
    except ImportError:
        proof_fn = None
    from spld.ledger.models import LogEntry

    entry = LogEntry.objects.filter(index=index).first()
    if entry is None:
        return None
    if proof_fn is not None:
        try:
            result = proof_fn(index)
            return bytes(entry.leaf), result["size"], result["proof"], result["root"]
        except Exception:  # noqa: BLE001, S110  (shape differs: fall back to our own proof)
            pass
    hashes = [bytes(h) for h in LogEntry.objects.order_by("index").values_list(
        "leaf_hash", flat=True)]
    return (bytes(entry.leaf), len(hashes), merkle.inclusion_proof(index, hashes),
            merkle.root_hash(hashes))


def verify_receipt(token: str) -> Verification:
    """Verify signature (JWKS), then that the log holds the receipt's hash at its index."""
    import json

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
    leaf, size, proof, root = found
    result.tree_size, result.root_hex = size, root.hex()
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
