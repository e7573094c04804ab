"""Per-citizen AES-256-GCM keys, wrapped by a master key; destroying one shreds the data."""

from __future__ import annotations

import os
import uuid
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.db import IntegrityError, transaction

from spld.rights.keys import master_key
from spld.rights.models import CitizenVault

_VERSION = b"\x01"


class Unreadable(Exception):
    """The data cannot be decrypted: its key was destroyed (or the blob was tampered with)."""


def _wrap(key: bytes, vault_aad: bytes) -> bytes:
    nonce = os.urandom(12)
    return nonce + AESGCM(master_key()).encrypt(nonce, key, vault_aad)


def _unwrap(wrapped: bytes, vault_aad: bytes) -> bytes:
    wrapped = bytes(wrapped)
    return AESGCM(master_key()).decrypt(wrapped[:12], wrapped[12:], vault_aad)


def vault_for(user: Any) -> CitizenVault:
    """The citizen's vault, created with a fresh key on first use."""
    vault = CitizenVault.objects.filter(user=user).first()
    if vault is not None:
        return vault
    try:
        with transaction.atomic():
            vault = CitizenVault(user=user, wrapped_key=b"")
            vault.wrapped_key = _wrap(os.urandom(32), vault.subject_ref.bytes)
            vault.save()
            return vault
    except IntegrityError:  # created concurrently
        return CitizenVault.objects.get(user=user)


def _data_key(vault: CitizenVault) -> bytes:
    return _unwrap(bytes(vault.wrapped_key), vault.subject_ref.bytes)


def seal(user: Any, plaintext: bytes | str, *, context: str) -> bytes:
    """Encrypt for this citizen; `context` (e.g. "request.details") is bound as associated data."""
    if isinstance(plaintext, str):
        plaintext = plaintext.encode()
    vault = vault_for(user)
    nonce = os.urandom(12)
    # The pseudonym is part of the blob so that a blob names the key it needs.
    return (
        _VERSION + vault.subject_ref.bytes + nonce
        + AESGCM(_data_key(vault)).encrypt(nonce, plaintext, context.encode())
    )


def open_sealed(blob: bytes | memoryview, *, context: str) -> bytes:
    """Decrypt a sealed blob; raises Unreadable when the citizen's key no longer exists."""
    blob = bytes(blob)
    if not blob:
        return b""
    if blob[:1] != _VERSION or len(blob) < 1 + 16 + 12 + 16:
        raise Unreadable("not a sealed blob")
    vault = CitizenVault.objects.filter(subject_ref=uuid.UUID(bytes=blob[1:17])).first()
    if vault is None:
        raise Unreadable("key destroyed")
    try:
        return AESGCM(_data_key(vault)).decrypt(blob[17:29], blob[29:], context.encode())
    except InvalidTag as exc:
        raise Unreadable("integrity check failed") from exc


def open_text(blob: bytes | memoryview, *, context: str) -> str:
    """Decrypt a sealed UTF-8 text."""
    return open_sealed(blob, context=context).decode()
