"""Fixtures of the rights tests: a second citizen, a register entry, a consent payload."""

from __future__ import annotations

import uuid

import pytest
from django.apps import apps

from tests.factories import make_user


@pytest.fixture
def citizen2(db):
    return make_user("voisine@spld.example")


def make_activity(organization, name: str = "Abonnés au service de l’eau",
                  subjects: tuple[str, ...] = ("abonnés au service de l’eau",)) -> str:
    """A processing activity in the register when it exists (else a bare reference)."""
    if not apps.is_installed("spld.registers"):
        return str(uuid.uuid4())
    model = apps.get_model("registers", "ProcessingActivity")
    activity = model.objects.create(
        organization=organization, name=name, description="Gestion des abonnements.",
        purposes=["https://w3id.org/dpv#ServiceProvision"],
        legal_basis="https://w3id.org/dpv/legal/eu/gdpr#A6-1-a",
        data_categories=[], data_subjects=list(subjects), retention="5 ans",
        dpia_required=False, dpia_reason="Pas de risque élevé.", status="active",
    )
    return str(activity.uid)


@pytest.fixture
def activity_ref(org):
    return make_activity(org)


@pytest.fixture
def consent_payload(activity_ref):
    def build(email: str = "habitant@spld.example", **extra):
        body = {
            "subject_email": email,
            "purpose": "Recevoir les alertes de coupure d’eau par SMS",
            "purpose_dpv": "dpv:CommunicationForCustomerCare",
            "processing_activity": {"ref": activity_ref, "name": "Alertes aux abonnés"},
            "notice": {"version": "1", "language": "fr",
                       "text": "Nous utilisons votre numéro pour vous prévenir des coupures."},
            "data_categories": ["dpv-pd:TelephoneNumber"],
            "retention": "Jusqu’au retrait du consentement",
            "recipients": [],
        }
        body.update(extra)
        return body

    return build
