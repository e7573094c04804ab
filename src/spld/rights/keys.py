"""Key files: the receipt signing key and consent matching key (SPLD_DATA_DIR/keys), the vault
master key (outside the data folder). Never invented once data depends on them."""

from __future__ import annotations

import base64
import contextlib
import os
import shutil
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


class KeyMissing(ImproperlyConfigured):
    """A key file is absent and may not be created implicitly (run `spld keys init`)."""


def keys_dir() -> Path:
    """The folder of the receipt and consent keys (backed up with the data folder)."""
    return Path(getattr(settings, "RIGHTS_KEYS_DIR", "") or settings.DATA_DIR / "keys")


def receipt_key_path() -> Path:
    """The current receipt signing key (Ed25519, PEM)."""
    return keys_dir() / "receipts-ed25519.pem"


def consent_key_path() -> Path:
    """The HMAC key matching a consent given before its holder had an account."""
    return keys_dir() / "consent-match.key"


def vault_key_path() -> Path:
    """The vault master key file; outside SPLD_DATA_DIR so that no data backup holds it."""
    return Path(settings.RIGHTS_VAULT_MASTER_KEY_PATH)


def legacy_vault_key_path() -> Path:
    """Where versions before 0.2 kept the vault master key (inside the data folder)."""
    return keys_dir() / "vault-master.key"


def _write_secret(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    # Created with 0600 from the start so that the key is never readable by others.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)


def _data_depends_on(kind: str) -> bool:
    from spld.rights.models import CitizenVault, ConsentRecord, Receipt

    if kind == "receipt":
        return Receipt.objects.exclude(jws="").exists()  # signed ones (issuing saves first)
    if kind == "vault":
        return CitizenVault.objects.exists()
    return ConsentRecord.objects.exclude(pending_email_digest="").exists()


def _may_create(kind: str) -> bool:
    # Only the demo invents keys, and only while nothing was ever sealed or signed with one:
    # a new key would declare genuine receipts forged or lock citizens out of their data.
    return bool(getattr(settings, "DEMO_MODE", False)) and not _data_depends_on(kind)


def _missing(path: Path, what: str) -> KeyMissing:
    return KeyMissing(
        f"{what} missing: {path}. Restore it from your key backup, or on a new installation "
        "run `spld keys init` (see docs/operations.md)."
    )


def _new_receipt_pem() -> bytes:
    return Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _ensure(path: Path, kind: str, what: str, make: bytes) -> None:
    if path.exists():
        return
    if kind == "vault" and _move_legacy_vault_key_in_demo():
        return
    if not _may_create(kind):
        raise _missing(path, what)
    with contextlib.suppress(FileExistsError):  # another process created it first
        _write_secret(path, make)


def _move_legacy_vault_key_in_demo() -> bool:
    if getattr(settings, "DEMO_MODE", False) and legacy_vault_key_path().exists():
        move_legacy_vault_key()
        return True
    return False


def master_key() -> bytes:
    """The 32-byte key that wraps every citizen key (env SPLD_VAULT_MASTER_KEY or its file)."""
    configured = getattr(settings, "RIGHTS_VAULT_MASTER_KEY", "")
    if configured:
        key = base64.urlsafe_b64decode(configured + "=" * (-len(configured) % 4))
        if len(key) != 32:
            raise ImproperlyConfigured(
                "SPLD_VAULT_MASTER_KEY must be 32 bytes, base64url-encoded"
            )
        return key
    path = vault_key_path()
    _ensure(path, "vault", "vault master key", os.urandom(32))
    key = path.read_bytes()
    if len(key) != 32:
        raise ImproperlyConfigured(f"{path} must hold exactly 32 bytes")
    return key


def receipt_signing_key() -> Ed25519PrivateKey:
    """The current Ed25519 key signing receipts."""
    path = receipt_key_path()
    _ensure(path, "receipt", "receipt signing key", _new_receipt_pem())
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ImproperlyConfigured(f"{path} is not an Ed25519 private key")
    return key


def consent_match_key() -> bytes:
    """The HMAC key of pending consents' e-mail digests (SPLD_CONSENT_MATCH_KEY or its file)."""
    configured = getattr(settings, "RIGHTS_CONSENT_MATCH_KEY", "")
    if configured:
        return configured.encode()
    path = consent_key_path()
    legacy_demo_secret = Path(settings.DATA_DIR) / "secret_key"
    if not path.exists() and getattr(settings, "DEMO_MODE", False) and legacy_demo_secret.exists():
        # Demo data made before this key existed was matched with the demo's Django secret.
        with contextlib.suppress(FileExistsError):
            _write_secret(path, legacy_demo_secret.read_text().strip().encode())
    _ensure(path, "consent", "consent matching key", os.urandom(32))
    return path.read_bytes()


def retired_public_keys() -> list[bytes]:
    """Raw public keys of retired receipt keys (files receipts-retired-*.pub), still published."""
    return [p.read_bytes() for p in sorted(keys_dir().glob("receipts-retired-*.pub"))]


def move_legacy_vault_key() -> Path:
    """Move a vault master key from SPLD_DATA_DIR/keys to its own place; returns the new path."""
    old, new = legacy_vault_key_path(), vault_key_path()
    if new.exists():
        if old.exists() and old.read_bytes() != new.read_bytes():
            raise ImproperlyConfigured(f"{old} and {new} differ: keep the one opening the vaults")
        with contextlib.suppress(FileNotFoundError):
            old.unlink()
        return new
    new.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = new.with_suffix(".tmp")
    shutil.copyfile(old, tmp)
    tmp.chmod(0o600)
    tmp.replace(new)
    old.unlink()
    return new


def init_keys() -> list[tuple[Path, str]]:
    """Create every missing key (`spld keys init`); refuses when data depends on a missing key."""
    created: list[tuple[Path, str]] = []
    if legacy_vault_key_path().exists():
        created.append((move_legacy_vault_key(), "moved"))
    plan: list[tuple[Path, str, bytes, bool]] = [
        (receipt_key_path(), "receipt", _new_receipt_pem(), True),
        (vault_key_path(), "vault", os.urandom(32),
         not getattr(settings, "RIGHTS_VAULT_MASTER_KEY", "")),
        (consent_key_path(), "consent", os.urandom(32),
         not getattr(settings, "RIGHTS_CONSENT_MATCH_KEY", "")),
    ]
    for path, kind, data, wanted in plan:
        if not wanted or path.exists():
            continue
        if _data_depends_on(kind):
            raise _missing(path, f"{kind} key (the database already depends on it)")
        _write_secret(path, data)
        created.append((path, "created"))
    return created
