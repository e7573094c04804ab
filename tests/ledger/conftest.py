"""Fixtures of the transparency log tests: a log key and a way to append many leaves."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest


@dataclass
class Thing:
    """A stand-in public record (the log only needs these three members)."""

    ident: str
    public_type: str = "thing"
    data: dict[str, Any] = field(default_factory=dict)

    def public_id(self) -> str:
        return self.ident

    def public_payload(self) -> dict[str, Any]:
        return {"id": self.ident, **self.data}


@pytest.fixture
def log_key(settings, tmp_path):
    """A fresh log key in a temporary file; returns the signer."""
    from spld.ledger import log

    settings.LOG_KEY_PATH = tmp_path / "log-key"
    settings.LOG_ORIGIN = "test.spld.example/log"
    return log.create_key()


@pytest.fixture
def append_things(db):
    """append_things(n) appends n leaves in one batch and returns their indexes."""
    from spld.ledger import services

    def append(n: int, *, start: int = 0, batch: bool = True) -> list[int]:
        things = [Thing(f"t{start + i}", data={"n": start + i}) for i in range(n)]
        if batch:
            return list(services.record_many(actor=None, items=[(t, "created") for t in things]))
        return [services.record(actor=None, subject=t, action="created").index for t in things]

    return append
