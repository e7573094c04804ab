"""Witnessing on a schedule: local witnesses cosign the newest checkpoint (run by the worker).

A witness whose private key is installed in SPLD_DATA_DIR/witnesses/<name>.key (the demo's,
or a partner's that this server hosts) checks that the log only grew since its last visit,
then cosigns. Remote witnesses run `spld log witness` on their own machines.
"""

from __future__ import annotations

import base64
import time
from collections.abc import Callable
from pathlib import Path

from django.conf import settings

from spld.ledger import log, merkle, note, services
from spld.ledger.models import Witness
from spld.ledger.verify import State


def witness_dir() -> Path:
    return Path(settings.DATA_DIR) / "witnesses"


def key_path(name: str) -> Path:
    return witness_dir() / (name.replace("/", "_") + ".key")


def cosign_newest(progress: Callable[[str], None] = lambda _m: None) -> int:
    """Cosign the newest checkpoint with every local witness that has not yet; returns how many."""
    if not witness_dir().is_dir():
        return 0
    cp = log.sign_checkpoint()
    done = 0
    for witness in Witness.objects.filter(active=True).order_by("name"):
        path = key_path(witness.name)
        if not path.exists() or witness.cosignatures.filter(checkpoint=cp).exists():
            continue
        signer = note.parse_private_key(path.read_text())
        state_path = path.with_name(path.name.removesuffix(".key") + ".state.json")
        state = State.load(state_path)
        # The check `spld log witness` makes over HTTP, done in process here.
        if state.root and state.size and (state.size > cp.size or not merkle.verify_consistency(
                state.size, cp.size, log.consistency_proof(state.size, cp.size),
                base64.b64decode(state.root), bytes(cp.root))):
            progress(f"témoin {witness.name} : journal incohérent, pas de cosignature")
            continue
        sig = note.cosign(cp.text, signer, int(time.time()))
        services.submit_cosignature(cosigned_note=cp.text + "\n" + sig.line())
        State(vkey=log.verifier_key(), origin=settings.LOG_ORIGIN, size=cp.size,
              root=log.b64(cp.root)).save(state_path)
        done += 1
    return done
