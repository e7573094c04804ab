"""Whole-installation checks: keys present and matching what was published, data files, log."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

from cryptography.exceptions import InvalidTag
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError, connection

from spld.catalog.models import ResourceVersion
from spld.ledger import log, note, verify
from spld.ledger.models import Checkpoint
from spld.rights import jws, keys
from spld.rights.models import CitizenVault, ConsentRecord, Receipt


class UnsafeState(ImproperlyConfigured):
    """The installation must not start: a key is missing or does not match the data."""


def _receipt_problems(deep: bool) -> list[str]:
    try:
        keyset = jws.jwks()
    except ImproperlyConfigured as exc:
        return [str(exc)]
    receipts = Receipt.objects.exclude(jws="").order_by("-created_at").values_list("uid", "jws")
    problems: list[str] = []
    for uid, token in receipts if deep else receipts[:1]:
        try:
            jws.verify(token, keyset)
        except jws.InvalidJws as exc:
            problems.append(
                f"receipt {uid} does not verify with {keys.receipt_key_path()} and the retired "
                f"keys published in {keys.keys_dir()} ({exc}): restore the receipt key "
                "that signed it"
            )
            if len(problems) >= 5:
                break
    return problems


def _vault_problems(deep: bool) -> list[str]:
    from spld.rights import vault

    where = ("SPLD_VAULT_MASTER_KEY" if getattr(settings, "RIGHTS_VAULT_MASTER_KEY", "")
             else str(keys.vault_key_path()))
    rows = CitizenVault.objects.order_by("pk")
    sample = list(rows) if deep else [r for r in (rows.first(), rows.last()) if r is not None]
    try:
        for row in sample:
            vault._unwrap(bytes(row.wrapped_key), row.subject_ref.bytes)  # noqa: SLF001
    except ImproperlyConfigured as exc:
        return [str(exc)]
    except (InvalidTag, ValueError):
        return [f"vault master key {where} does not open the citizens' vaults: restore the key "
                "they were sealed with (never create a new one)"]
    if not sample and keys.legacy_vault_key_path().exists() and not where.startswith("SPLD_"):
        return [f"vault master key still in the data folder ({keys.legacy_vault_key_path()}): "
                "run `spld keys move-vault-key`"]
    if not sample and not getattr(settings, "DEMO_MODE", False):
        try:
            keys.master_key()
        except ImproperlyConfigured as exc:
            return [str(exc)]
    return []


def _consent_problems() -> list[str]:
    pending = ConsentRecord.objects.exclude(pending_email_digest="").exists()
    if not pending and getattr(settings, "DEMO_MODE", False):
        return []
    try:
        keys.consent_match_key()
    except ImproperlyConfigured as exc:
        return [str(exc)]
    return []


def _log_problems(deep: bool, out: Callable[[str], None]) -> list[str]:
    path = log.key_path()
    if not path.exists():
        if getattr(settings, "DEMO_MODE", False) and not Checkpoint.objects.exists():
            return []
        return [f"log key missing: {path}. Restore it, or on a new installation run "
                "`spld log init-key`"]
    try:
        signer = log.load_signer()
    except (log.LogError, note.NoteError) as exc:
        return [f"log key {path} unreadable: {exc}"]
    problems: list[str] = []
    if signer.name != settings.LOG_ORIGIN:
        problems.append(f"log key {path} is named {signer.name!r} but SPLD_LOG_ORIGIN is "
                        f"{settings.LOG_ORIGIN!r}")
    latest = Checkpoint.objects.order_by("-size").first()
    if latest is not None:
        try:
            note.verify_note(latest.note, signer.verifier)
        except note.NoteError as exc:
            problems.append(f"log key {path} did not sign the published checkpoint "
                            f"{latest.size} ({exc}): restore the original key")
    if deep and not problems:
        try:
            verify.check_local(log=out)
        except verify.VerificationError as exc:
            problems.append(f"transparency log inconsistent: {exc}")
    return problems


def _file_problems(deep: bool) -> list[str]:
    problems: list[str] = []
    for version in ResourceVersion.objects.select_related("resource").order_by("pk").iterator():
        path = Path(version.file_path)
        name = f"resource {version.resource.rid} v{version.number}"
        if not path.is_file():
            problems.append(f"{name}: data file missing: {path}")
            continue
        if not deep:
            continue
        if path.stat().st_size != version.byte_size:
            problems.append(f"{name}: {path} has {path.stat().st_size} bytes, "
                            f"expected {version.byte_size}")
            continue
        digest = hashlib.sha256()
        with path.open("rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
        if digest.hexdigest() != version.sha256:
            problems.append(f"{name}: {path} checksum differs from the published sha256")
    return problems


def problems(*, deep: bool = True, out: Callable[[str], None] = lambda _m: None) -> list[str]:
    """Every unsafe state found; `deep` also hashes files, verifies each receipt and the log."""
    found = _receipt_problems(deep) + _vault_problems(deep) + _consent_problems()
    found += _log_problems(deep, out)
    if deep:
        found += _file_problems(deep)
    return found


def assert_safe_to_start() -> None:
    """Refuse to serve or work with a missing or foreign key (called by serve, worker, WSGI)."""
    try:
        if Receipt._meta.db_table not in connection.introspection.table_names():
            return  # not migrated yet: nothing can depend on a key, and none is invented
        found = problems(deep=False)
    except DatabaseError:
        return  # database unreachable: the health check and the first request will say so
    if found:
        raise UnsafeState("SPLD refuses to start:\n- " + "\n- ".join(found))
