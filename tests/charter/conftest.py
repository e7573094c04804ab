"""Charter fixtures: memberships brought to a given status through the real services."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from spld.charter import services
from spld.charter.models import Membership

ANSWER = "Nous tenons ce principe : registre à jour et responsable désigné."


def answer_all(actor, membership: Membership) -> None:
    assessment = membership.assessments.order_by("-round").first()
    for number in range(1, 12):
        services.save_answer(actor=actor, assessment=assessment, principle=number,
                             practice=ANSWER, responsible="DPO")


def activate(admin, organization, **kwargs) -> Membership:
    """Apply, answer the 11 principles, submit and approve: an active signatory."""
    membership = services.apply(actor=admin, organization=organization, **kwargs)
    answer_all(admin, membership)
    services.submit_assessment(actor=admin, assessment=membership.assessments.get())
    services.decide(actor=admin, assessment=membership.assessments.get(), outcome="approved",
                    reasons="Capacité démontrée.")
    membership.refresh_from_db()
    return membership


def raise_alert(admin, membership, principle: int = 6):
    return services.raise_alert(actor=admin, membership=membership, principle=principle,
                                facts="Analyse d’impact non publiée.",
                                expected_remedy="La publier.",
                                deadline=timezone.localdate() + dt.timedelta(days=30))


def all_met() -> dict[int, tuple[str, str]]:
    return {n: ("met", "") for n in range(1, 12)}


@pytest.fixture
def version_one(spld_admin):
    return services.seed_first_version(actor=spld_admin)


@pytest.fixture
def active(spld_admin, org, version_one) -> Membership:
    return activate(spld_admin, org)


@pytest.fixture
def final_notice(spld_admin, active) -> Membership:
    for _ in range(3):
        raise_alert(spld_admin, active)
    active.refresh_from_db()
    assert active.status == "final_notice"
    return active
