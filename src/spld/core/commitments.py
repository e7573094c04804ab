"""Salted commitments: what the append-only log keeps of personal data instead of the data."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from spld.core.canonical import canonical_json


def new_salt() -> str:
    """A fresh random salt (128 bits, hex); erasing it makes the commitment unlinkable."""
    return secrets.token_hex(16)


def commit(salt: str, value: Any) -> str:
    """``sha256:<hex>`` of the salt and the value's canonical JSON (RFC 8785)."""
    # A log cannot forget: personal data stays in an erasable record, the log holds this
    # hash, which proves the value to whoever is shown value and salt, and to no one else.
    return "sha256:" + hashlib.sha256(bytes.fromhex(salt) + canonical_json(value)).hexdigest()
