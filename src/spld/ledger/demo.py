"""Demo: the log key, two witnesses (committee member, partner authority), cosignatures."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings

from spld.ledger import log, note, services, witnessing
from spld.ledger.models import Witness

WITNESSES = [
    # (key name, public label, organisation slug or "", user e-mail or "")
    (
        "comite.brest.spld.example/temoin-1",
        "Comité d’éthique de la charte (membre témoin)",
        "",
        "comite@spld.example",
    ),
    ("finistere.example/temoin-spld", "Département du Finistère", "departement-finistere", ""),
]


def _witness_dir() -> Path:
    path = Path(settings.DATA_DIR) / "witnesses"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _witness_signer(name: str) -> note.Signer:
    path = _witness_dir() / (name.replace("/", "_") + ".key")
    if path.exists():
        return note.parse_private_key(path.read_text())
    signer = note.Signer.generate(name, note.ALG_COSIGNATURE_V1)
    path.write_text(signer.encode() + "\n")
    path.chmod(0o600)
    return signer


def _cosign_latest(progress: Callable[[str], None]) -> None:
    """Each demo witness checks the log only grew since its last visit, then cosigns."""
    for name, *_rest in WITNESSES:
        if Witness.objects.filter(name=name, active=True).exists():
            _witness_signer(name)  # the demo hosts its witnesses' keys (the worker uses them)
    witnessing.cosign_newest(progress)
    cp = log.sign_checkpoint()
    progress(f"journal de transparence : point de contrôle {cp.size} contresigné")


def finish(admin: Any, progress: Callable[[str], None]) -> None:
    """Run after every other demo loader: cosign the final checkpoint."""
    _cosign_latest(progress)


def load(admin: Any, progress: Callable[[str], None]) -> None:
    """Create the log key if missing, register the demo witnesses and cosign checkpoints."""
    from spld.accounts.models import User
    from spld.organizations.models import Organization

    try:
        log.load_signer()
    except log.LogError:
        signer = log.create_key()
        progress(f"clé du journal créée : {signer.verifier.vkey}")
    for name, label, org_slug, email in WITNESSES:
        if Witness.objects.filter(name=name).exists():
            continue
        services.register_witness(
            actor=admin,
            name=name,
            vkey=_witness_signer(name).verifier.vkey,
            label=label,
            organization=Organization.objects.filter(slug=org_slug).first() if org_slug else None,
            user=User.objects.filter(email=email).first() if email else None,
        )
    _cosign_latest(progress)
