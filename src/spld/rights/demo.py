"""Demo data: consents, receipts and rights requests of habitant@spld.example (synthetic)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile

from spld.accounts.models import Membership, User
from spld.core.permissions import TokenActor
from spld.demo.territory import DEMO_PASSWORD
from spld.organizations.models import Organization
from spld.rights import services
from spld.rights.models import ConsentRecord, RightsRequest

CITIZEN = "habitant@spld.example"

CONSENTS = [
    # (organisation, activity name, purpose, DPV purpose, categories, withdraw afterwards)
    ("eau-du-ponant", "Alertes aux abonnés", "Recevoir les alertes de coupure d’eau par SMS",
     "dpv:CommunicationForCustomerCare", ["dpv-pd:TelephoneNumber"], False),
    ("operateur-bibus", "Information voyageurs", "Recevoir les perturbations de ma ligne de bus",
     "dpv:ServiceProvision", ["dpv-pd:EmailAddress", "dpv-pd:TravelHistory"], False),
    ("brest-metropole", "Lettre d’information", "Recevoir la lettre d’information de la métropole",
     "dpv:CommunicationManagement", ["dpv-pd:EmailAddress"], True),
]


def _activity_ref(organization: Organization, name: str) -> str:
    """A register entry of the organisation (declared through the registers' service)."""
    if not apps.is_installed("spld.registers"):
        return f"demo:{organization.slug}:{name}"
    from spld.registers import selectors as register_selectors
    from spld.registers import services as register_services

    existing = register_selectors.processing_list(organization=organization).filter(
        name=name).first() or register_selectors.processing_list(
        organization=organization).first()
    if existing is not None:
        return str(existing.uid)
    activity = register_services.create_processing_activity(
        actor=TokenActor(organization=organization, token_id=0), organization=organization,
        name=name, description=f"{name} (démonstration).",
        purposes=["https://w3id.org/dpv#ServiceProvision"],
        legal_basis="https://w3id.org/dpv/legal/eu/gdpr#A6-1-a",
        data_subjects=["usagers"], retention="Jusqu’au retrait du consentement",
        dpia_reason="Traitement simple, sans risque élevé.",
    )
    return str(activity.uid)


def _dpo(organization: Organization) -> User:
    """The organisation's demo DPO (created with the demo password if the territory has none)."""
    membership = Membership.objects.filter(organization=organization, role="dpo").first()
    if membership is not None:
        return membership.user
    email = f"dpo@{organization.slug}.example"
    user = User.objects.filter(email=email).first() or User.objects.create_user(
        email=email, password=DEMO_PASSWORD, display_name=f"DPO {organization.name}")
    Membership.objects.get_or_create(user=user, organization=organization, role="dpo")
    return user


def load(admin: Any, progress: Callable[[str], None]) -> None:
    """Consents (one withdrawn) and two requests for the demo citizen; idempotent."""
    citizen = User.objects.filter(email=CITIZEN).first()
    if citizen is None:
        return
    orgs = {o.slug: o for o in Organization.objects.all()}
    for slug, activity, purpose, dpv, categories, withdraw in CONSENTS:
        org = orgs.get(slug)
        if org is None or ConsentRecord.objects.filter(user=citizen, organization=org,
                                                       purpose=purpose).exists():
            continue
        record = services.record_consent(
            actor=TokenActor(organization=org, token_id=0), organization=org,
            subject_email=CITIZEN, activity_ref=_activity_ref(org, activity),
            activity_name=activity, purpose=purpose, purpose_dpv=dpv, notice_version="2026-1",
            notice_text=f"{org.name} utilise vos coordonnées pour : {purpose.lower()}. "
            "Vous pouvez retirer votre accord à tout moment, en un clic.",
            data_categories=categories, retention="Jusqu’au retrait du consentement",
        )
        if withdraw:
            services.withdraw_consent(actor=citizen, record=record)
    if not RightsRequest.objects.filter(user=citizen).exists():
        water, waste = orgs.get("eau-du-ponant"), orgs.get("sotraval")
        if water and waste:
            access = services.file_request(
                actor=citizen, kind="access", details="Abonné n° 000123 (fictif)",
                organizations=[water, waste], commune="29019",
                attachments=[SimpleUploadedFile("note.txt", "Demande de démonstration".encode())],
            )
            part = access.parts.get(organization=water)
            # The DPO reads the request before answering: the citizen sees it in the access log.
            services.open_part(staff=_dpo(water), organization=water, part=part)
            services.complete_part(
                actor=_dpo(water), part=part, answer="Voici les données de votre abonnement.",
                data_file=SimpleUploadedFile("donnees.json", (
                    b'[{"contrat": "000123", "commune": "Brest", "consommation_m3": 54}]')),
            )
        metro = orgs.get("brest-metropole")
        if metro:
            erasure = services.file_request(actor=citizen, kind="erasure",
                                            details="Ancienne inscription à la piscine",
                                            organizations=[metro])
            services.open_part(staff=_dpo(metro), organization=metro, part=erasure.parts.get())
            services.refuse_part(
                actor=_dpo(metro), part=erasure.parts.get(), reason="legal_obligation",
                details="Les justificatifs de paiement sont conservés dix ans (démonstration).",
                cada_relevant=True,
            )
    progress("droits : consentements et demandes de l’habitant de démonstration")
