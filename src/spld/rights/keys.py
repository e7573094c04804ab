"""Key files kept in SPLD_DATA_DIR/keys: the vault master key and the receipt signing key."""

from __future__ import annotations

import base64
import contextlib
import os
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.conf import settings


def _keys_dir() -> Path:
    path = Path(getattr(settings, "RIGHTS_KEYS_DIR", "") or settings.DATA_DIR / "keys")
    path.mkdir(parents=True, exist_ok=True)
    return path


def _write_secret(path: Path, data: bytes) -> None:
    # Created with 0600 from the start so that the key is never readable by others.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)


def master_key() -> bytes:
    """The 32-byte key that wraps every citizen key (env SPLD_VAULT_MASTER_KEY or a key file)."""
    configured = getattr(settings, "RIGHTS_VAULT_MASTER_KEY", "")
    if configured:
        key = base64.urlsafe_b64decode(configured + "=" * (-len(configured) % 4))
        if len(key) != 32:
            raise ValueError("SPLD_VAULT_MASTER_KEY must be 32 bytes, base64url-encoded")
        return key
    path = _keys_dir() / "vault-master.key"
    if not path.exists():
        with contextlib.suppress(FileExistsError):  # another process created it first
            _write_secret(path, os.urandom(32))
    return path.read_bytes()


def receipt_signing_key() -> Ed25519PrivateKey:
    """The current Ed25519 key signing receipts (created on first use)."""
    path = _keys_dir() / "receipts-ed25519.pem"
    if not path.exists():
        pem = Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        with contextlib.suppress(FileExistsError):
            _write_secret(path, pem)
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    assert isinstance(key, Ed25519PrivateKey)  # noqa: S101  (our own file)
    return key


def retired_public_keys() -> list[bytes]:
    """Raw public keys of retired receipt keys (files receipts-retired-*.pub), still published."""
    return [p.read_bytes() for p in sorted(_keys_dir().glob("receipts-retired-*.pub"))]
