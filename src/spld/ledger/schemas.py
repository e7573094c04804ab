"""API shapes of the transparency log."""

from typing import Any

from ninja import Schema


class EntryOut(Schema):
    index: int
    leaf: str  # base64 of the exact leaf bytes
    leaf_hash: str  # base64
    payload: Any


class InclusionOut(Schema):
    index: int
    size: int
    proof: list[str]
    root_hash: str
    checkpoint: str | None


class ConsistencyOut(Schema):
    first: int
    second: int
    proof: list[str]
    first_root_hash: str
    second_root_hash: str
    checkpoint: str | None


class CosignatureOut(Schema):
    witness: str
    label: str
    timestamp: int


class CheckpointOut(Schema):
    origin: str
    size: int
    root_hash: str
    note: str
    verifier_key: str
    cosignatures: list[CosignatureOut]


class WitnessOut(Schema):
    name: str
    label: str
    vkey: str
    organization: str
    active: bool
    last_cosigned_size: int | None
