"""Helpers for catalogue tests: small datasets and synchronous ingests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from spld.catalog import services


def make_dataset(actor: Any, org: Any, *, publish: bool = True, **fields: Any):
    """A dataset of `org` with the mandatory purpose fields filled."""
    fields.setdefault("purpose", "Suivre les consommations d’eau.")
    fields.setdefault("general_interest", "Mieux gérer la ressource en eau.")
    fields.setdefault("retention_period", "5 ans")
    fields.setdefault("description", "Consommation **annuelle** par commune.")
    fields.setdefault("themes", ["ENVI"])
    fields.setdefault("spatial", ["29019"])
    title = fields.pop("title", "Consommation d’eau")
    return services.create_dataset(actor=actor, publisher=org, title=title, publish=publish,
                                   **fields)


def ingest_bytes(actor: Any, resource: Any, data: bytes, filename: str = "data.csv"):
    """Stage `data` and ingest it synchronously (what the task does)."""
    staged = services.receive_upload(actor=actor, resource=resource, chunks=[data],
                                     filename=filename)
    return services.ingest_staged(actor=actor, resource=resource, staged=Path(staged),
                                  filename=filename)


def make_resource(actor: Any, dataset: Any, data: bytes | None = None,
                  filename: str = "data.csv", title: str = "Fichier"):
    """A resource, with a first version when `data` is given."""
    resource = services.create_resource(actor=actor, dataset=dataset, title=title)
    if data is not None:
        ingest_bytes(actor, resource, data, filename)
        resource.refresh_from_db()
    return resource


WATER_CSV = (
    b"commune;nom;annee;volume_m3;date_releve\n"
    b"29019;Brest;2023;1234567,5;31/12/2023\n"
    b"29011;Bohars;2023;45678,25;31/12/2023\n"
    b"29075;Guipavas;2023;234567;31/12/2023\n"
    b"29189;Plougastel-Daoulas;2023;98765;31/12/2023\n"
)
