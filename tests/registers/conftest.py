"""Fixtures of the registers tests."""

from __future__ import annotations

from typing import Any

import pytest

PUBLIC_TASK = "https://w3id.org/dpv/legal/eu/gdpr#A6-1-e"
SERVICE = "https://w3id.org/dpv#ServiceProvision"
NAME = "https://w3id.org/dpv/pd#Name"
HEALTH = "https://w3id.org/dpv/pd#Health"


def make_dataset(actor: Any, org: Any, title: str = "Consommation d’eau", **fields: Any) -> Any:
    """A published dataset of `org`, through the catalogue's service."""
    from spld.catalog import services

    fields.setdefault("purpose", "Suivre les consommations d’eau.")
    fields.setdefault("general_interest", "Mieux gérer la ressource en eau.")
    fields.setdefault("retention_period", "5 ans")
    return services.create_dataset(actor=actor, publisher=org, title=title, publish=True,
                                   **fields)


def processing_fields(**overrides: Any) -> dict[str, Any]:
    """Valid fields of a processing activity."""
    fields = {
        "name": "Facturation de l’eau",
        "description": "Nous calculons et envoyons les factures d’eau des abonnés.",
        "purposes": [SERVICE], "legal_basis": PUBLIC_TASK,
        "legal_text": "Code général des collectivités territoriales, art. L2224-12-4",
        "data_categories": [NAME], "data_subjects": ["abonnés du service de l’eau"],
        "retention": "5 ans après la résiliation de l’abonnement",
        "security_measures": "Chiffrement des sauvegardes ; accès nominatifs.",
        "dpia_required": False, "dpia_reason": "Pas de critère de la liste CNIL.",
    }
    fields.update(overrides)
    return fields


@pytest.fixture
def dataset(org, spld_admin):
    return make_dataset(spld_admin, org)


@pytest.fixture
def activity(org, editor):
    from spld.registers import services

    return services.create_processing_activity(actor=editor, organization=org,
                                               **processing_fields())


@pytest.fixture
def pia_document():
    import json
    from pathlib import Path

    path = Path(__file__).parent / "fixtures" / "pia-example-2018-02-21.json"
    return json.loads(path.read_text(encoding="utf-8"))


def bearer(token: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def load_base_demo(monkeypatch: Any) -> Any:
    """Demo organisations and users only (other apps' loaders are slow and tested by them)."""
    import inspect

    from spld.demo import services as demo_services

    if "loaders" in inspect.signature(demo_services.load_demo).parameters:
        return demo_services.load_demo(loaders=[])
    monkeypatch.setattr(demo_services, "EXTRA_LOADERS", [])
    return demo_services.load_demo()
